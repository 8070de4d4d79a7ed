"""The `manifest.json` of a model folder (models/MANIFEST.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, Optional, Sequence

from PIL import Image, ImageDraw

from .modeling import ModelConfig

FORMAT = "llm2clip-model/1"
# OpenAI CLIP's preprocessing constants, which LLM2CLIP-Openai-L-14-336 keeps.
CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073]
CLIP_STD = [0.26862954, 0.26130258, 0.27577711]
# LLM2Vec's Llama-3 prompt (llm2vec/llm2vec.py): header before the caption, eot after; pad with eos on the left.
LLAMA3_TEXT = {
    "prompt_prefix": "<|start_header_id|>user<|end_header_id|>\n\n",
    "prompt_suffix": "<|eot_id|>",
    "bos_token": "<|begin_of_text|>",
    "pad_token": "<|eot_id|>",
    "padding_side": "left",
}


def graph_entry(file: str, variants: Optional[Dict[str, str]] = None) -> dict:
    entry: dict = {"file": file, "dtype": "float32"}
    if variants:
        entry["variants"] = dict(variants)
    return entry


def build_manifest(
    name: str,
    cfg: ModelConfig,
    max_length: int,
    float16: bool,
    thresholds: Dict[str, float],
    caption_bank: Optional[str] = None,
    self_check: Optional[dict] = None,
    logit_scale_source: Optional[str] = None,
    caption_handling: str = "llm2vec",
    alpha: str = "drop",
    resize_rounding: str = "floor",
    domain: Optional[dict] = None,
) -> dict:
    """The manifest for a folder written by `export`: vision.onnx, llm.onnx, adapter.onnx (+ .fp16.onnx variants).

    The defaults are what the released checkpoints were trained and evaluated with (MANIFEST.md): llm2vec's caption
    handling, and CLIPImageProcessor's alpha dropping and truncated resize.
    """

    def graph(stem: str) -> dict:
        return graph_entry(f"{stem}.onnx", {"float16": f"{stem}.fp16.onnx"} if float16 else None)

    manifest: dict = {
        "format": FORMAT,
        "name": name,
        "embed_dim": cfg.vision.embed_dim,
        "feature_dim": cfg.text.hidden_size,
        "logit_scale": cfg.logit_scale,
        **({"logit_scale_source": logit_scale_source} if logit_scale_source else {}),
        "graphs": {"vision": graph("vision"), "llm": graph("llm"), "adapter": graph("adapter")},
        "image": {
            "size": cfg.vision.image_size,
            "resize": "bicubic_shortest_side",
            "resize_rounding": resize_rounding,
            "crop": "center",
            "mean": CLIP_MEAN,
            "std": CLIP_STD,
            "alpha": alpha,
            "background": "#ffffff",
        },
        "text": {"tokenizer": "tokenizer.json", **LLAMA3_TEXT, "max_length": max_length, "caption_handling": caption_handling},
        "alt_text": {"thresholds": dict(thresholds)},
    }
    if caption_bank:
        manifest["alt_text"]["caption_bank"] = caption_bank
    if domain:
        manifest["domain"] = domain
    if self_check:
        manifest["self_check"] = self_check
    return manifest


def write_self_check(folder: Path) -> dict:
    """Draw `samples/self-check.png` (a red circle on white) and return the manifest's `self_check` entry."""
    path = folder / "samples" / "self-check.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", (96, 96), "white")
    ImageDraw.Draw(image).ellipse((24, 24, 72, 72), fill=(220, 30, 35))
    image.save(path)
    return {"image": "samples/self-check.png", "captions": ["a diagram", "a red circle", "a blue square"]}


def write_manifest(manifest: dict, folder: Path) -> Path:
    path = folder / "manifest.json"
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def missing_files(manifest: dict, folder: Path) -> Sequence[str]:
    """Files the manifest names that the folder lacks."""
    named = []
    for graph in manifest["graphs"].values():
        named.append(graph["file"])
        named.extend(graph.get("variants", {}).values())
    named.append(manifest["text"]["tokenizer"])
    if "caption_bank" in manifest.get("alt_text", {}):
        named.append(manifest["alt_text"]["caption_bank"])
    if "self_check" in manifest:
        named.append(manifest["self_check"]["image"])
    return [name for name in named if not (folder / name).is_file()]
