"""A complete model folder with random weights and tiny dimensions, for testing the daemon (not for use).

Every file the contract names is real: the three ONNX graphs from this package's exporter, a byte-level BPE
`tokenizer.json` with Llama-3's special tokens (so the daemon's Llama-3 path runs), a caption bank and a
self-check image. Only the weights are random, so its scores mean nothing.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import List

import torch

from tiny.bpe import ByteLevelBPE, train_merges
from tiny.captions import en_long, en_short
from tiny.domain import COLOURS, POSITIONS, SHAPES, SIZES
from tiny.scenes import sample_scene

from .manifest import build_manifest, write_manifest, write_self_check
from .modeling import AdapterConfig, ModelConfig, TextConfig, VisionConfig, build_modules, init_random_
from .onnx_export import export_float16, export_float32

MERGES = 300
CAPTION_TEMPLATES = ["a {size} {colour} {shape} at the {position}", "a {colour} {shape}", "a {size} {shape} on the {position}"]


def tiny_config(vocab_size: int) -> ModelConfig:
    """D=32, F=48, 32x32 images in 8x8 patches."""
    return ModelConfig(
        vision=VisionConfig(image_size=32, patch_size=8, width=32, layers=2, heads=2, mlp_dim=64, embed_dim=32, quick_gelu=True),
        text=TextConfig(
            vocab_size=vocab_size, hidden_size=48, layers=2, heads=4, kv_heads=2, intermediate_size=96, rope_theta=10000.0
        ),
        adapter=AdapterConfig(feature_dim=48, hidden_dim=96, blocks=2, embed_dim=32),
    )


def english_corpus(seed: int, scenes: int = 400) -> List[str]:
    rng = random.Random(seed)
    texts = []
    for _ in range(scenes):
        scene = sample_scene(rng)
        texts += [en_short(scene, rng), en_long(scene, rng)]
    return texts


def caption_bank(seed: int) -> dict:
    rng = random.Random(seed)
    captions = [
        f"a {rng.choice(SIZES)} {rng.choice(COLOURS)} {rng.choice(SHAPES)} at the {rng.choice(POSITIONS)}" for _ in range(24)
    ]
    return {
        "captions": sorted(set(captions)),
        "grammar": {
            "slots": {"size": list(SIZES), "colour": list(COLOURS), "shape": list(SHAPES), "position": list(POSITIONS)},
            "templates": CAPTION_TEMPLATES,
        },
    }


def write_random_tiny(out: Path, seed: int, float16: bool = False) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    tokenizer = ByteLevelBPE(train_merges(english_corpus(seed), vocab_size=256 + MERGES))
    tokenizer.save(out / "tokenizer.json")

    cfg = tiny_config(tokenizer.vocab_size)
    generator = torch.Generator().manual_seed(seed)
    modules = build_modules(cfg)
    for module in modules:
        init_random_(module, generator, std=0.1)
    for stem, module in zip(("vision", "llm", "adapter"), modules):
        export_float32(module, out / f"{stem}.onnx")
        if float16:
            export_float16(module, out / f"{stem}.fp16.onnx")

    (out / "caption_bank.json").write_text(json.dumps(caption_bank(seed), indent=2) + "\n", encoding="utf-8")
    (out / "config.json").write_text(json.dumps(cfg.to_dict(), indent=2) + "\n", encoding="utf-8")
    manifest = build_manifest(
        name="random-tiny",
        cfg=cfg,
        max_length=64,
        float16=float16,
        thresholds={"good": 0.30, "mismatch": 0.20},
        caption_bank="caption_bank.json",
        self_check=write_self_check(out),
    )
    write_manifest(manifest, out)
    return manifest
