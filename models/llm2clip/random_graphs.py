"""Random-weight graphs of real shapes, for benchmarks and the GPU check (not for use: the weights are noise).

    python -m llm2clip.random_graphs vit-b-16-224 --out DIR [--plain] [--fp16] [--layers N]

Writes `<preset>.<fused|plain>.<fp32|fp16>.onnx` in DIR with this package's exporter and prints its path. The
PyTorch module can be rebuilt, with the same weights, by `build(preset, layers, seed)`.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path
from typing import Dict, Optional, Union

import torch

from .modeling import LlamaEncoder, TextConfig, VisionConfig, VisionTransformer, init_random_
from .onnx_export import export_float16, export_float32

PRESETS: Dict[str, Union[VisionConfig, TextConfig]] = {
    "vit-b-16-224": VisionConfig(image_size=224, patch_size=16, width=768, layers=12, heads=12, mlp_dim=3072, embed_dim=512),
    "vit-l-14-336": VisionConfig(),
    "llama-3-8b": TextConfig(),
    # Miniatures of the two above, for dry runs of the GPU check on a CPU.
    "vit-tiny": VisionConfig(image_size=56, patch_size=14, width=64, layers=2, heads=4, mlp_dim=128, embed_dim=48),
    "llama-tiny": TextConfig(vocab_size=512, hidden_size=64, layers=2, heads=4, kv_heads=2, intermediate_size=128),
}


def build(preset: str, layers: Optional[int] = None, seed: int = 0, device: str = "cpu") -> torch.nn.Module:
    """The preset's module with seeded random weights, made on `device` (a GPU fills an 8B model in seconds)."""
    cfg = PRESETS[preset]
    if layers is not None:
        cfg = type(cfg)(**{**cfg.__dict__, "layers": layers})
    # torch.device is a context manager only since torch 2.0; the CPU path keeps working on Debian's 1.13.
    with torch.device(device) if device != "cpu" else contextlib.nullcontext():
        module = VisionTransformer(cfg) if isinstance(cfg, VisionConfig) else LlamaEncoder(cfg)
    init_random_(module, torch.Generator(device=device).manual_seed(seed))
    return module.eval()


def graph_name(preset: str, fused: bool, fp16: bool) -> str:
    return f"{preset}.{'fused' if fused else 'plain'}.{'fp16' if fp16 else 'fp32'}.onnx"


def write(module: torch.nn.Module, preset: str, out: Path, fused: bool, fp16: bool) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    path = out / graph_name(preset, fused, fp16)
    (export_float16 if fp16 else export_float32)(module, path, fused=fused)
    return path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m llm2clip.random_graphs", description=__doc__.splitlines()[0])
    parser.add_argument("preset", choices=sorted(PRESETS))
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--plain", action="store_true", help="torch's own attention ops instead of fused attention")
    parser.add_argument("--fp16", action="store_true")
    parser.add_argument("--layers", type=int, help="fewer layers than the preset (memory, time)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    print(write(build(args.preset, args.layers, args.seed), args.preset, args.out, not args.plain, args.fp16))
    return 0


if __name__ == "__main__":
    sys.exit(main())
