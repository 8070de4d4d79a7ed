"""Released LLM2CLIP checkpoints (HF folders of safetensors) -> a model folder for llm2clipd.

- `--vision`: microsoft/LLM2CLIP-Openai-L-14-336 (CLIP ViT-L/14-336 keys, the new 1280-wide projection, the adapter,
  and the learned `logit_scale` when it is stored).
- `--llm`: microsoft/LLM2CLIP-Llama-3-8B-Instruct-CC-Finetuned (Llama-3-8B keys) or
  microsoft/LLM2CLIP-Llama-3.2-1B-Instruct-CC-Finetuned (LlamaBiModel keys, Llama 3.2's "llama3" rope_scaling);
  `config.json` gives the dims.
- `--tokenizer`: a folder with Llama-3's `tokenizer.json` (defaults to the `--llm` folder).

Before any graph is written, it prints which checkpoint tensor goes to which graph weight, and fails on any tensor
that nothing used (a renamed module shows up that way), except the few that no graph needs (hf_keys.NOT_NEEDED).
Graphs are written one at a time and freed, so peak memory is about one float32 copy of the largest graph.
"""

from __future__ import annotations

import gc
import json
import math
import shutil
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import torch
from torch import nn

from . import hf_keys
from .manifest import build_manifest, write_manifest, write_self_check
from .modeling import LlamaEncoder, ModelConfig, TextAdapter, VisionTransformer
from .onnx_export import export_float16, export_float32
from .safetensors import checkpoint_files, load_checkpoint, read_header

LLAMA_MAX_LENGTH = 512  # LLM2Vec's default max_length


def read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def checkpoint_shapes(folder: Path) -> Dict[str, torch.Size]:
    """Tensor shapes and dtypes from the safetensors headers alone (no weights read)."""
    shapes: Dict[str, torch.Size] = {}
    for file in sorted(set(checkpoint_files(folder).values())):
        header, _ = read_header(file)
        header.pop("__metadata__", None)
        shapes.update({name: torch.Size(entry["shape"]) for name, entry in header.items()})
    return shapes


def checkpoint_dtypes(folder: Path, names: List[str]) -> set:
    dtypes = set()
    for file in sorted(set(checkpoint_files(folder).values())):
        header, _ = read_header(file)
        dtypes.update(entry["dtype"] for name, entry in header.items() if name in names)
    return dtypes


def vision_hf_config(folder: Path) -> dict:
    config = read_json(folder / "config.json")
    return config.get("vision_config", config)


def _write_graph(
    out: Path, stem: str, build: Callable[[], nn.Module], float16: bool, bfloat16_source: bool, log: Callable[[str], None]
) -> List[Path]:
    """Build one module, write its float32 graph (and float16 variant), free it."""
    module = build()
    log(f"{stem}: {sum(p.numel() for p in module.parameters()) / 1e6:.1f}M parameters, writing {stem}.onnx")
    files = export_float32(module, out / f"{stem}.onnx")
    if float16:
        if bfloat16_source:
            # float32 holds the bfloat16 weights exactly, so going back to bfloat16 loses nothing and saves a copy.
            module = module.to(torch.bfloat16)
        log(f"{stem}: writing {stem}.fp16.onnx")
        files += export_float16(module, out / f"{stem}.fp16.onnx")
    del module
    gc.collect()
    return files


DEFAULT_LOGIT_SCALE = 100.0


def logit_scale(folder: Path, key: Optional[str]) -> Tuple[float, str]:
    """(the manifest's logit scale, where it came from): exp of the checkpoint's log scale, or 100 when it has none."""
    if key is None:
        return DEFAULT_LOGIT_SCALE, f"default {DEFAULT_LOGIT_SCALE:g}: the checkpoint stores no logit_scale"
    stored = float(load_checkpoint(folder, [key])[key].float().reshape(-1)[0])
    return round(math.exp(stored), 4), f"checkpoint: exp({key} = {stored:.6f})"


def report_keys(
    what: str,
    names: Sequence[str],
    graphs: Dict[str, Dict[str, str]],
    log: Callable[[str], None],
    allow_unused: Sequence[str] = (),
) -> None:
    """Print checkpoint tensor -> graph weight for every graph of one checkpoint; fail on a tensor nothing used."""
    for stem, mapping in graphs.items():
        for ours, theirs in mapping.items():
            log(f"{what}: {theirs} -> {stem}:{ours}")
    left, excused = hf_keys.unused_tensors(names, (theirs for mapping in graphs.values() for theirs in mapping.values()), allow_unused)
    for name, why in excused.items():
        log(f"{what}: {name} not used: {why}")
    if left:
        shown = ", ".join(left[:12]) + (f" and {len(left) - 12} more" if len(left) > 12 else "")
        raise hf_keys.MappingError(
            f"{what}: {len(left)} tensor(s) used by no graph: {shown}. A renamed or unknown module shows up this way; "
            "pass --allow-unused REGEX only for tensors that are truly not part of LLM2CLIP's inference"
        )


def export_hf(
    vision_dir: Path,
    llm_dir: Path,
    out: Path,
    tokenizer_dir: Optional[Path] = None,
    float16: bool = False,
    name: str = "llm2clip-openai-l-14-336-llama-3-8b",
    max_length: int = LLAMA_MAX_LENGTH,
    thresholds: Optional[Dict[str, float]] = None,
    log: Callable[[str], None] = print,
    allow_unused: Sequence[str] = (),
) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    tokenizer = (tokenizer_dir or llm_dir) / "tokenizer.json"
    if not tokenizer.is_file():
        raise FileNotFoundError(f"{tokenizer} not found: pass --tokenizer with a folder holding Llama-3's tokenizer.json")

    vision_shapes = checkpoint_shapes(vision_dir)
    v_prefix = hf_keys.vision_prefix(vision_shapes)
    a_prefix = hf_keys.adapter_prefix(vision_shapes)
    llm_shapes = checkpoint_shapes(llm_dir)
    l_prefix = hf_keys.llama_prefix(llm_shapes)
    cfg = ModelConfig(
        vision=hf_keys.vision_config(vision_shapes, vision_hf_config(vision_dir), v_prefix),
        text=hf_keys.llama_config(read_json(llm_dir / "config.json")),
        adapter=hf_keys.adapter_config(vision_shapes, a_prefix),
    )
    log(f"config: {json.dumps(cfg.to_dict())}")

    def loaded(module: nn.Module, mapping: Dict[str, str], folder: Path) -> nn.Module:
        hf_keys.load_mapped(module, mapping, load_checkpoint(folder, mapping.values()))
        return module.eval()

    vision_map = hf_keys.vision_keys(cfg.vision, v_prefix)
    adapter_map = hf_keys.adapter_keys(cfg.adapter, a_prefix)
    llm_map = hf_keys.llama_keys(cfg.text, l_prefix)
    scale_key = hf_keys.logit_scale_key(vision_shapes)
    report_keys(
        f"{vision_dir}", list(vision_shapes),
        {"vision": vision_map, "adapter": adapter_map, "manifest": {"logit_scale": scale_key} if scale_key else {}},
        log, allow_unused,
    )
    report_keys(f"{llm_dir}", list(llm_shapes), {"llm": llm_map}, log, allow_unused)
    cfg.logit_scale, scale_source = logit_scale(vision_dir, scale_key)
    log(f"logit_scale: {cfg.logit_scale} ({scale_source})")
    graphs = [
        ("vision", lambda: loaded(VisionTransformer(cfg.vision), vision_map, vision_dir), vision_dir, vision_map),
        ("adapter", lambda: loaded(TextAdapter(cfg.adapter), adapter_map, vision_dir), vision_dir, adapter_map),
        ("llm", lambda: loaded(LlamaEncoder(cfg.text), llm_map, llm_dir), llm_dir, llm_map),
    ]
    for stem, build, folder, mapping in graphs:
        bfloat16_source = checkpoint_dtypes(folder, list(mapping.values())) == {"BF16"}
        _write_graph(out, stem, build, float16, bfloat16_source, log)

    shutil.copyfile(tokenizer, out / "tokenizer.json")
    (out / "config.json").write_text(json.dumps(cfg.to_dict(), indent=2) + "\n", encoding="utf-8")
    manifest = build_manifest(
        name=name,
        cfg=cfg,
        max_length=max_length,
        float16=float16,
        thresholds=thresholds or {"good": 0.30, "mismatch": 0.20},
        self_check=write_self_check(out),
        logit_scale_source=scale_source,
    )
    write_manifest(manifest, out)
    log(f"wrote {out}")
    return manifest
