"""The PyTorch half of the GPU check (test/gpu/check.sh): export the graphs, time PyTorch eager, write the cases.

    python -m llm2clip.gpu_check --out DIR [--device cuda|cpu] [--tiny] [--llm-layers N] [--models vision,llm]

For each model (a random-weight ViT-L/14-336 and a Llama-3-8B-shaped LLM2Vec encoder, or their miniatures with
--tiny) it exports the fused-attention graph (float16 on CUDA, float32 on the CPU, whose torch has no float16
matmul), times the same module in PyTorch eager on the same device for each shape of the check, and writes
`cases.json`: graph paths, the shapes, torch's milliseconds per batch, and one input/output pair for the parity check.

PyTorch eager is timed twice: with the modules' own attention (matmul, float32 softmax, matmul: what the plain
export traces) and with torch's fused `scaled_dot_product_attention` (flash or memory-efficient kernels, HF's
default), where this torch has it. The runtime is compared against the faster of the two, whose inputs are already on
the device, and against SDPA with its inputs copied from host memory in every run, as the runtime's are.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Sequence, Tuple

import numpy as np
import torch
import torch.nn.functional as F

from . import modeling
from .random_graphs import PRESETS, build, write

# (model, shape label, batch, sequence or 0 for images)
SHAPES: List[Tuple[str, str, int, int]] = [
    ("vision", "batch 64", 64, 0),
    ("vision", "batch 1", 1, 0),
    ("llm", "32 x 128 tokens", 32, 128),
    ("llm", "1 x 32 tokens", 1, 32),
]
TINY_SHAPES: List[Tuple[str, str, int, int]] = [
    ("vision", "batch 8", 8, 0),
    ("vision", "batch 1", 1, 0),
    ("llm", "4 x 16 tokens", 4, 16),
    ("llm", "1 x 8 tokens", 1, 8),
]


def inputs_for(model: str, module: torch.nn.Module, batch: int, length: int, generator: torch.Generator) -> Dict[str, torch.Tensor]:
    if model == "vision":
        size = module.cfg.image_size
        return {"pixel_values": torch.randn(batch, 3, size, size, generator=generator)}
    ids = torch.randint(0, module.cfg.vocab_size, (batch, length), generator=generator)
    mask = torch.ones(batch, length, dtype=torch.long)
    return {"input_ids": ids, "attention_mask": mask, "embed_mask": mask}


@contextlib.contextmanager
def sdpa_attention() -> Iterator[None]:
    """Inside: the modules attend through torch's scaled_dot_product_attention (the bias's 0 entries are kept keys)."""

    def attend(q, k, v, bias):
        mask = None if bias is None else bias == 0
        return F.scaled_dot_product_attention(q, k, v, attn_mask=mask)

    original = modeling.attend
    modeling.attend = attend
    try:
        yield
    finally:
        modeling.attend = original


def time_ms(run: Callable[[], torch.Tensor], device: str, repeats: int) -> float:
    """Median milliseconds of `run` after warm-up, synchronising the GPU around each run."""
    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
    for _ in range(3):
        run()
    sync()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        sync()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def save(folder: Path, name: str, tensor: torch.Tensor) -> dict:
    array = tensor.detach().cpu().numpy()
    array = array.astype(np.float32) if array.dtype.kind == "f" else array.astype(np.int64)
    (folder / name).write_bytes(np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tobytes())
    return {"file": name, "dtype": "float32" if array.dtype == np.float32 else "int64", "shape": list(array.shape)}


def eager_peers() -> Dict[str, Callable[[], contextlib.AbstractContextManager]]:
    peers: Dict[str, Callable[[], contextlib.AbstractContextManager]] = {"torch_ms": contextlib.nullcontext}
    if hasattr(F, "scaled_dot_product_attention"):
        peers["torch_sdpa_ms"] = sdpa_attention
    return peers


def run_check(out: Path, device: str, tiny: bool, llm_layers: int, repeats: int, models: Sequence[str] = ("vision", "llm")) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    fp16 = device == "cuda"
    dtype = torch.float16 if fp16 else torch.float32
    presets = {"vision": "vit-tiny" if tiny else "vit-l-14-336", "llm": "llama-tiny" if tiny else "llama-3-8b"}
    layers = {"vision": None, "llm": min(llm_layers, PRESETS[presets["llm"]].layers)}
    generator = torch.Generator().manual_seed(0)
    report: dict = {"device": device, "dtype": str(dtype).replace("torch.", ""), "torch": torch.__version__, "models": {}, "cases": []}
    if device == "cuda":
        report["gpu"] = torch.cuda.get_device_name(0)
    for model in models:
        preset = presets[model]
        # Made on the device in the check's precision: the export then traces it as it is (onnx_export.export_float16).
        module = build(preset, layers[model], device=device).to(dtype)
        started = time.perf_counter()
        graph = write(module, preset, out, fused=True, fp16=fp16)
        export_seconds = time.perf_counter() - started
        report["models"][model] = {
            "preset": preset,
            "graph": graph.name,
            "layers": module.cfg.layers,
            "export_seconds": round(export_seconds, 1),
        }
        parity = inputs_for(model, module, 2, 16 if model == "llm" else 0, generator)
        with torch.no_grad():
            expected = module(*[t.to(device) for t in parity.values()])
        report["models"][model]["parity"] = {
            "inputs": {name: save(out, f"{model}.parity.{name}.bin", tensor) for name, tensor in parity.items()},
            "output": save(out, f"{model}.parity.expected.bin", expected),
        }
        for shape_model, label, batch, length in TINY_SHAPES if tiny else SHAPES:
            if shape_model != model:
                continue
            feeds = [t.to(device) for t in inputs_for(model, module, batch, length, generator).values()]
            case = {"model": model, "shape": label, "batch": batch, "length": length}
            for field, attention in eager_peers().items():
                with torch.no_grad(), attention():
                    case[field] = time_ms(lambda: module(*feeds), device, repeats)
            if "torch_sdpa_ms" in case:
                # As the daemon's runtime is timed: float32 inputs start in (pageable) host memory on every run.
                host = [t.cpu() for t in feeds]
                with torch.no_grad(), sdpa_attention():
                    case["torch_sdpa_host_input_ms"] = time_ms(lambda: module(*[t.to(device) for t in host]), device, repeats)
            report["cases"].append(case)
        del module
        if device == "cuda":
            torch.cuda.empty_cache()
    (out / "cases.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return report


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m llm2clip.gpu_check", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--device", choices=["cuda", "cpu"], default="cuda")
    parser.add_argument("--tiny", action="store_true", help="miniature models and shapes (the CPU dry run)")
    parser.add_argument("--llm-layers", type=int, default=32, help="layers of the 8B-shaped encoder (32 is the real depth)")
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--models", default="vision,llm", help="comma-separated subset of vision,llm")
    args = parser.parse_args(argv)
    run_check(args.out, args.device, args.tiny, args.llm_layers, args.repeats, args.models.split(","))
    return 0


if __name__ == "__main__":
    sys.exit(main())
