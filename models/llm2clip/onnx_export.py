"""torch modules -> the three ONNX graphs of the model contract (models/MANIFEST.md).

float32 graphs are traced directly. float16 graphs are traced in bfloat16 (torch 1.13 has no float16 matmul on
CPU, but bfloat16 works) and every bfloat16 type is then rewritten to float16; the explicit float32 casts in
RMSNorm and softmax survive, as they do in HF Llama. Weights are re-rounded from their float32 originals so the
float16 graph is not degraded by the bfloat16 detour.

Every graph takes and gives float32 whatever its precision: a float16 graph casts its floating input and its output
inside the graph, so that its runtime never converts tensors element by element.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import inspect
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

import numpy as np
import onnx
import torch
from onnx import TensorProto, numpy_helper
from torch import nn

from .fused_attention import MS_DOMAIN, fused_attention
from .modeling import LlamaEncoder, TextAdapter, VisionTransformer

OPSET = 17
# Protobuf's hard limit; larger graphs keep their weights in one external file beside the .onnx.
PROTOBUF_LIMIT = 2**31 - 1
# torch >= 2.9 defaults to the dynamo exporter; these graphs are made and tested with the TorchScript one (all 1.13 has).
TORCHSCRIPT_EXPORTER = {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}
# Rewrites one initializer (with its data inline) while a graph is written.
Converter = Optional[Callable[[TensorProto], TensorProto]]


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


def example_inputs(module: nn.Module) -> Tuple[torch.Tensor, ...]:
    """Small float32 inputs to trace with, on the module's device; batch 2 and sequence 5 so that no axis is specialised to 1."""
    if isinstance(module, VisionTransformer):
        size = module.cfg.image_size
        inputs: Tuple[torch.Tensor, ...] = (torch.randn(2, 3, size, size),)
    elif isinstance(module, LlamaEncoder):
        ids = torch.randint(0, module.cfg.vocab_size, (2, 5))
        mask = torch.tensor([[0, 0, 1, 1, 1], [1, 1, 1, 1, 1]])
        inputs = (ids, mask, mask)
    elif isinstance(module, TextAdapter):
        inputs = (torch.randn(2, module.cfg.feature_dim),)
    else:
        raise TypeError(f"no ONNX graph is defined for {type(module).__name__}")
    device = next(module.parameters()).device
    return tuple(tensor.to(device) for tensor in inputs)


def spec_for(module: nn.Module) -> GraphSpec:
    if isinstance(module, VisionTransformer):
        return VISION
    if isinstance(module, LlamaEncoder):
        return LLM
    if isinstance(module, TextAdapter):
        return ADAPTER
    raise TypeError(f"no ONNX graph is defined for {type(module).__name__}")


def _trace(module: nn.Module, path: Path, fused: bool) -> None:
    spec = spec_for(module)
    module = module.eval()
    with torch.no_grad(), fused_attention(module) if fused else contextlib.nullcontext():
        torch.onnx.export(
            module,
            example_inputs(module),
            str(path),
            opset_version=OPSET,
            input_names=list(spec.inputs),
            output_names=list(spec.outputs),
            dynamic_axes=spec.dynamic_axes,
            do_constant_folding=True,
            custom_opsets={MS_DOMAIN: 1},
            **TORCHSCRIPT_EXPORTER,
        )


def output_width(module: nn.Module) -> int:
    if isinstance(module, VisionTransformer):
        return module.cfg.embed_dim
    if isinstance(module, LlamaEncoder):
        return module.cfg.hidden_size
    if isinstance(module, TextAdapter):
        return module.cfg.embed_dim
    raise TypeError(f"no ONNX graph is defined for {type(module).__name__}")


def declare_output_width(model: onnx.ModelProto, width: int) -> None:
    """Fix the output's feature axis, which torch's shape inference loses past a com.microsoft node."""
    for output in model.graph.output:
        dims = output.type.tensor_type.shape.dim
        dims[len(dims) - 1].Clear()
        dims[len(dims) - 1].dim_value = width


def _external_bytes(tensor: TensorProto, base: Path) -> bytes:
    """Raw bytes of an initializer that torch wrote to its own file."""
    info = {entry.key: entry.value for entry in tensor.external_data}
    with open(base / info["location"], "rb") as f:
        f.seek(int(info.get("offset", 0)))
        return f.read(int(info["length"])) if "length" in info else f.read()


def _size(tensor: TensorProto) -> int:
    if tensor.data_location != TensorProto.EXTERNAL:
        return tensor.ByteSize()
    info = {entry.key: entry.value for entry in tensor.external_data}
    return int(info.get("length", PROTOBUF_LIMIT))


def _write(model: onnx.ModelProto, base: Path, path: Path, convert: Converter = None) -> List[Path]:
    """Save a graph loaded without its external data, one initializer at a time.

    Graphs over protobuf's 2 GB limit keep every weight in one `<name>.data` file beside the .onnx (torch writes one
    file per tensor); `convert` rewrites each initializer on the way. Memory stays at one tensor, not one model.
    """
    initializers = model.graph.initializer
    external = model.ByteSize() + sum(_size(t) - t.ByteSize() for t in initializers) >= PROTOBUF_LIMIT
    data_path = path.with_name(path.name + ".data")
    data = open(data_path, "wb") if external else None
    try:
        for tensor in initializers:
            if tensor.data_location == TensorProto.EXTERNAL:
                raw = _external_bytes(tensor, base)
                del tensor.external_data[:]
                tensor.data_location = TensorProto.DEFAULT
                tensor.raw_data = raw
            if convert is not None:
                tensor.CopyFrom(convert(tensor))
            if data is not None and tensor.HasField("raw_data"):
                offset, length = data.tell(), len(tensor.raw_data)
                data.write(tensor.raw_data)
                data.write(b"\0" * (-data.tell() % 64))
                tensor.ClearField("raw_data")
                tensor.data_location = TensorProto.EXTERNAL
                for key, value in (("location", data_path.name), ("offset", str(offset)), ("length", str(length))):
                    entry = tensor.external_data.add()
                    entry.key, entry.value = key, value
    finally:
        if data is not None:
            data.close()
    onnx.save_model(model, str(path))
    return [path, data_path] if external else [path]


def _load_traced(path: Path) -> onnx.ModelProto:
    return onnx.load(str(path), load_external_data=False)


def export_float32(module: nn.Module, path: Path, fused: bool = True) -> List[Path]:
    """Trace `module` (converted to float32 in place) to `path`; returns the files written.

    `fused` writes attention as com.microsoft MultiHeadAttention (fused_attention.py); False keeps torch's plain ops.
    """
    with tempfile.TemporaryDirectory(dir=path.parent) as scratch:
        traced = Path(scratch) / path.name
        _trace(module.float(), traced, fused)
        model = _load_traced(traced)
        declare_output_width(model, output_width(module))
        return _write(model, Path(scratch), path)


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


def _float16_tensor(tensor: TensorProto, originals: Dict[str, np.ndarray]) -> TensorProto:
    if tensor.data_type != TensorProto.BFLOAT16:
        return tensor
    rounded = _bf16_initializer_as_float32(tensor)
    source = originals.get(_bf16_key(rounded), rounded) if originals else rounded
    return numpy_helper.from_array(source.astype(np.float16), tensor.name)


def retype_bfloat16_nodes(model: onnx.ModelProto) -> None:
    """bfloat16 -> float16 in I/O and value types, Cast targets and Constant tensors (weights are converted in `_write`)."""
    graph = model.graph
    for info in list(graph.input) + list(graph.output) + list(graph.value_info):
        _retype(info.type)
    for node in graph.node:
        for attr in node.attribute:
            if node.op_type == "Cast" and attr.name == "to" and attr.i == TensorProto.BFLOAT16:
                attr.i = TensorProto.FLOAT16
            if attr.type == onnx.AttributeProto.TENSOR:
                attr.t.CopyFrom(_float16_tensor(attr.t, {}))


def cast_outputs_to_float32(model: onnx.ModelProto) -> None:
    """Floating outputs become float32 through a Cast at the end of the graph (floating inputs are cast by the modules)."""
    graph = model.graph
    for output in graph.output:
        tensor_type = output.type.tensor_type
        if tensor_type.elem_type != TensorProto.FLOAT16:
            continue
        half = output.name + "_float16"
        for node in graph.node:
            node.output[:] = [half if name == output.name else name for name in node.output]
        graph.node.append(onnx.helper.make_node("Cast", [half], [output.name], to=TensorProto.FLOAT, name=f"{output.name}_to_float32"))
        tensor_type.elem_type = TensorProto.FLOAT


def export_float16(module: nn.Module, path: Path, fused: bool = True) -> List[Path]:
    """Save `module` as a float16 graph with float32 I/O (cast inside the graph).

    A bfloat16 module (the released Llama checkpoint's own dtype) is traced as it is: bfloat16 -> float16 is exact for
    weights in float16's range. So is a float16 module, on a device with float16 matmul (a GPU). A float32 module is
    traced from a bfloat16 copy, and its weights re-rounded from float32.
    """
    if next(module.parameters()).dtype in (torch.bfloat16, torch.float16):
        traced_module, originals = module, {}
    else:
        traced_module, originals = copy.deepcopy(module).to(torch.bfloat16), _float32_originals(module)
    with tempfile.TemporaryDirectory(dir=path.parent) as scratch:
        traced = Path(scratch) / path.name
        _trace(traced_module, traced, fused)
        model = _load_traced(traced)
        retype_bfloat16_nodes(model)
        cast_outputs_to_float32(model)
        declare_output_width(model, output_width(module))
        return _write(model, Path(scratch), path, lambda tensor: _float16_tensor(tensor, originals))


def check(path: Path) -> None:
    """onnx.checker on a path (works for graphs with external data)."""
    onnx.checker.check_model(str(path))
