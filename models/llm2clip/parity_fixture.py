"""Graphs plus torch's own outputs, for checking the exported ONNX in another runtime (test/models/export-parity.test.ts).

    python -m llm2clip.parity_fixture OUT_DIR [--seed N]

Writes random tiny graphs of all three kinds (float32 and float16 with fused attention, and float32 with torch's plain
attention ops), and for each a set of cases: raw little-endian input arrays and the torch module's float32 outputs,
indexed by `fixture.json`, which also counts each file's fused attention nodes. Cases use batch and sequence sizes
other than the traced ones, so the dynamic axes are exercised too.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Dict, List, Tuple

import numpy as np
import onnx
import torch

from .modeling import AdapterConfig, LlamaEncoder, TextAdapter, TextConfig, VisionConfig, VisionTransformer, init_random_
from .fused_attention import MS_DOMAIN
from .onnx_export import export_float16, export_float32, spec_for

VISION = VisionConfig(image_size=32, patch_size=8, width=32, layers=2, heads=4, mlp_dim=64, embed_dim=24, quick_gelu=True)
TEXT = TextConfig(vocab_size=64, hidden_size=32, layers=2, heads=4, kv_heads=2, intermediate_size=48, rope_theta=10000.0)
ADAPTER = AdapterConfig(feature_dim=32, hidden_dim=64, blocks=2, embed_dim=24)


def left_padded(generator: torch.Generator, lengths: List[int], vocab: int) -> Tuple[torch.Tensor, ...]:
    """LLM2Vec-style batch: left padding, embed_mask past a 2-token prompt."""
    width = max(lengths)
    ids = torch.randint(0, vocab, (len(lengths), width), generator=generator)
    attention = torch.zeros(len(lengths), width, dtype=torch.long)
    embed = torch.zeros_like(attention)
    for row, length in enumerate(lengths):
        attention[row, width - length :] = 1
        embed[row, width - length + 2 :] = 1
    return ids, attention, embed


def cases(module: torch.nn.Module, generator: torch.Generator) -> List[Tuple[torch.Tensor, ...]]:
    if isinstance(module, VisionTransformer):
        return [(torch.randn(n, 3, VISION.image_size, VISION.image_size, generator=generator),) for n in (1, 3)]
    if isinstance(module, LlamaEncoder):
        return [left_padded(generator, lengths, TEXT.vocab_size) for lengths in ([9], [7, 3, 11], [4, 4])]
    return [(torch.randn(n, ADAPTER.feature_dim, generator=generator) * 5.0,) for n in (1, 4)]


def write_array(folder: Path, name: str, tensor: torch.Tensor) -> dict:
    array = tensor.detach().numpy()
    dtype = {np.dtype(np.float32): "float32", np.dtype(np.int64): "int64"}[array.dtype]
    (folder / name).write_bytes(np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tobytes())
    return {"file": name, "dtype": dtype, "shape": list(array.shape)}


def count_fused_attention(path: Path) -> int:
    return sum(node.op_type == "MultiHeadAttention" and node.domain == MS_DOMAIN for node in onnx.load(str(path)).graph.node)


def write_fixture(out: Path, seed: int) -> Dict:
    out.mkdir(parents=True, exist_ok=True)
    generator = torch.Generator().manual_seed(seed)
    index: Dict = {"graphs": {}}
    for stem, module in (("vision", VisionTransformer(VISION)), ("llm", LlamaEncoder(TEXT)), ("adapter", TextAdapter(ADAPTER))):
        init_random_(module, generator, std=0.2)
        module.eval()
        spec = spec_for(module)
        entry: Dict = {"file": f"{stem}.onnx", "float16_file": f"{stem}.fp16.onnx", "plain_file": f"{stem}.plain.onnx", "cases": []}
        with torch.no_grad():
            for number, inputs in enumerate(cases(module, generator)):
                case = {"inputs": {}, "outputs": {}}
                for name, tensor in zip(spec.inputs, inputs):
                    case["inputs"][name] = write_array(out, f"{stem}.{number}.{name}.bin", tensor)
                case["outputs"][spec.outputs[0]] = write_array(out, f"{stem}.{number}.{spec.outputs[0]}.bin", module(*inputs))
                entry["cases"].append(case)
        export_float32(module, out / entry["file"])
        export_float16(module, out / entry["float16_file"])
        export_float32(module, out / entry["plain_file"], fused=False)
        entry["attention_layers"] = getattr(module.cfg, "layers", 0)
        entry["fused_attention_nodes"] = {
            key: count_fused_attention(out / entry[key]) for key in ("file", "float16_file", "plain_file")
        }
        index["graphs"][stem] = entry
    (out / "fixture.json").write_text(json.dumps(index, indent=2) + "\n", encoding="utf-8")
    return index


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m llm2clip.parity_fixture", description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    write_fixture(args.out, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
