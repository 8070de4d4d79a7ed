"""torch modules -> the three ONNX graphs of the model contract (models/MANIFEST.md).

float32 graphs are traced directly. float16 graphs are traced in bfloat16 (torch 1.13 has no float16 matmul on
CPU, but bfloat16 works) and every bfloat16 type is then rewritten to float16; the explicit float32 casts in
RMSNorm and softmax survive, as they do in HF Llama. Weights are re-rounded from their float32 originals so the
float16 graph is not degraded by the bfloat16 detour.
"""

from __future__ import annotations

import copy
import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Tuple

import numpy as np
import onnx
import torch
from onnx import TensorProto, numpy_helper
from torch import nn

from .modeling import LlamaEncoder, TextAdapter, VisionTransformer

OPSET = 17
# Protobuf's hard limit; larger graphs keep their weights in one external file beside the .onnx.
PROTOBUF_LIMIT = 2**31 - 1


@dataclass(frozen=True)
class GraphSpec:
    """Fixed I/O names and dynamic axes of one graph of the contract."""

    inputs: Tuple[str, ...]
    outputs: Tuple[str, ...]
    dynamic_axes: Dict[str, Dict[int, str]]


VISION = GraphSpec(("pixel_values",), ("image_embeds",), {"pixel_values": {0: "batch"}, "image_embeds": {0: "batch"}})
LLM = GraphSpec(
    ("input_ids", "attention_mask", "embed_mask"),
    ("features",),
    {
        "input_ids": {0: "batch", 1: "sequence"},
        "attention_mask": {0: "batch", 1: "sequence"},
        "embed_mask": {0: "batch", 1: "sequence"},
        "features": {0: "batch"},
    },
)
ADAPTER = GraphSpec(("features",), ("text_embeds",), {"features": {0: "batch"}, "text_embeds": {0: "batch"}})


def example_inputs(module: nn.Module, dtype: torch.dtype = torch.float32) -> Tuple[torch.Tensor, ...]:
    """Small inputs to trace with; batch 2 and sequence 5 so that no axis is specialised to 1."""
    if isinstance(module, VisionTransformer):
        size = module.cfg.image_size
        return (torch.randn(2, 3, size, size, dtype=dtype),)
    if isinstance(module, LlamaEncoder):
        ids = torch.randint(0, module.cfg.vocab_size, (2, 5))
        mask = torch.tensor([[0, 0, 1, 1, 1], [1, 1, 1, 1, 1]])
        return ids, mask, mask
    if isinstance(module, TextAdapter):
        return (torch.randn(2, module.cfg.feature_dim, dtype=dtype),)
    raise TypeError(f"no ONNX graph is defined for {type(module).__name__}")


def spec_for(module: nn.Module) -> GraphSpec:
    if isinstance(module, VisionTransformer):
        return VISION
    if isinstance(module, LlamaEncoder):
        return LLM
    if isinstance(module, TextAdapter):
        return ADAPTER
    raise TypeError(f"no ONNX graph is defined for {type(module).__name__}")


def _trace(module: nn.Module, dtype: torch.dtype, path: Path) -> None:
    spec = spec_for(module)
    module = module.eval()
    with torch.no_grad():
        torch.onnx.export(
            module,
            example_inputs(module, dtype),
            str(path),
            opset_version=OPSET,
            input_names=list(spec.inputs),
            output_names=list(spec.outputs),
            dynamic_axes=spec.dynamic_axes,
            do_constant_folding=True,
        )


def _save(model: onnx.ModelProto, path: Path) -> List[Path]:
    """Save inline, or with all weights in `<name>.data` when the graph is over protobuf's 2 GB limit."""
    if model.ByteSize() < PROTOBUF_LIMIT:
        onnx.save_model(model, str(path))
        return [path]
    data = path.with_name(path.name + ".data")
    if data.exists():
        data.unlink()
    onnx.save_model(model, str(path), save_as_external_data=True, all_tensors_to_one_file=True, location=data.name, size_threshold=1024)
    return [path, data]


def export_float32(module: nn.Module, path: Path) -> List[Path]:
    """Trace `module` (float32 weights) to `path`; returns the files written."""
    with tempfile.TemporaryDirectory(dir=path.parent) as scratch:
        traced = Path(scratch) / path.name
        _trace(module.float(), torch.float32, traced)
        # torch writes one file per tensor when the graph is over 2 GB; load them all and save one .data file.
        return _save(onnx.load(str(traced)), path)


def _bf16_key(array: np.ndarray) -> str:
    """Digest of a float32 array rounded to bfloat16 the way torch rounds it."""
    rounded = torch.from_numpy(np.ascontiguousarray(array, dtype=np.float32)).to(torch.bfloat16)
    return hashlib.sha1(rounded.view(torch.int16).numpy().tobytes() + str(rounded.shape).encode()).hexdigest()


def _float32_originals(module: nn.Module) -> Dict[str, np.ndarray]:
    """bfloat16 digest -> float32 weight, for each parameter and its transpose (exported MatMul weights are transposed)."""
    originals: Dict[str, np.ndarray] = {}
    for param in module.parameters():
        array = param.detach().float().numpy()
        originals[_bf16_key(array)] = array
        if array.ndim == 2:
            originals[_bf16_key(array.T)] = np.ascontiguousarray(array.T)
    return originals


def _bf16_initializer_as_float32(tensor: TensorProto) -> np.ndarray:
    bits = np.frombuffer(tensor.raw_data, dtype=np.uint16) if tensor.raw_data else np.asarray(tensor.int32_data, dtype=np.uint16)
    return (bits.astype(np.uint32) << 16).view(np.float32).reshape(tuple(tensor.dims))


def _retype(type_proto: onnx.TypeProto) -> None:
    if type_proto.HasField("tensor_type") and type_proto.tensor_type.elem_type == TensorProto.BFLOAT16:
        type_proto.tensor_type.elem_type = TensorProto.FLOAT16


def _float16_tensor(values: np.ndarray, name: str) -> TensorProto:
    return numpy_helper.from_array(values.astype(np.float16), name)


def bfloat16_graph_to_float16(model: onnx.ModelProto, originals: Dict[str, np.ndarray]) -> onnx.ModelProto:
    """Rewrite a bfloat16-traced graph as float16: I/O and value types, Cast targets, constants and weights."""
    graph = model.graph
    for info in list(graph.input) + list(graph.output) + list(graph.value_info):
        _retype(info.type)
    for index, tensor in enumerate(graph.initializer):
        if tensor.data_type != TensorProto.BFLOAT16:
            continue
        rounded = _bf16_initializer_as_float32(tensor)
        source = originals.get(_bf16_key(rounded), rounded)
        graph.initializer[index].CopyFrom(_float16_tensor(source, tensor.name))
    for node in graph.node:
        for attr in node.attribute:
            if node.op_type == "Cast" and attr.name == "to" and attr.i == TensorProto.BFLOAT16:
                attr.i = TensorProto.FLOAT16
            if attr.type == onnx.AttributeProto.TENSOR and attr.t.data_type == TensorProto.BFLOAT16:
                attr.t.CopyFrom(_float16_tensor(_bf16_initializer_as_float32(attr.t), attr.t.name))
    return model


def export_float16(module: nn.Module, path: Path) -> List[Path]:
    """Save `module` as a float16 graph with float16 I/O.

    A bfloat16 module (the released Llama checkpoint's own dtype) is traced as it is: bfloat16 -> float16 is exact for
    weights in float16's range. A float32 module is traced from a bfloat16 copy, and its weights re-rounded from float32.
    """
    if next(module.parameters()).dtype == torch.bfloat16:
        traced_module, originals = module, {}
    else:
        traced_module, originals = copy.deepcopy(module).to(torch.bfloat16), _float32_originals(module)
    with tempfile.TemporaryDirectory(dir=path.parent) as scratch:
        traced = Path(scratch) / path.name
        _trace(traced_module, torch.bfloat16, traced)
        model = bfloat16_graph_to_float16(onnx.load(str(traced)), originals)
    return _save(model, path)


def check(path: Path) -> None:
    """onnx.checker on a path (works for graphs with external data)."""
    onnx.checker.check_model(str(path))
