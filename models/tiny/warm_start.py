"""Read a shipped model's ONNX graphs back into the torch modules, so that training can continue from it.

torch.onnx.export keeps most parameters under their state_dict names, but stores each nn.Linear weight transposed,
under an anonymous name, as the second input of a MatMul node named after the module ("/layers.0/attn/q_proj/MatMul").
The vision tower's class embedding is folded into its reshape, as the anonymous [1, 1, width] input of the one Expand.
"""

from __future__ import annotations

from pathlib import Path

import onnx
import torch
from onnx import numpy_helper
from torch import nn


def onnx_state_dict(path: Path) -> dict[str, torch.Tensor]:
    graph = onnx.load(str(path)).graph
    tensors = {init.name: torch.from_numpy(numpy_helper.to_array(init).copy()) for init in graph.initializer}
    state = {name: value for name, value in tensors.items() if not name.startswith("onnx::")}
    for node in graph.node:
        anonymous = [name for name in node.input if name.startswith("onnx::") and name in tensors]
        if node.op_type == "MatMul" and anonymous and node.name.endswith("/MatMul"):
            module = node.name[1 : -len("/MatMul")].replace("/", ".")
            state[f"{module}.weight"] = tensors[anonymous[0]].t().contiguous()
        elif node.op_type == "Expand" and anonymous and node.name == "/Expand":
            state["class_embedding"] = tensors[anonymous[0]].flatten()
    return state


def load_onnx_weights(module: nn.Module, path: Path) -> None:
    """Fill every parameter and buffer of `module` from the graph; fails naming what is missing or mis-shaped."""
    state = onnx_state_dict(path)
    expected = module.state_dict()
    wanted = {k: v for k, v in state.items() if k in expected}
    missing = [k for k, v in expected.items() if k not in wanted and v.dtype.is_floating_point and not _is_derived(k)]
    if missing:
        raise ValueError(f"{path.name}: no weights for {', '.join(missing)}")
    for key, value in wanted.items():
        if value.shape != expected[key].shape:
            raise ValueError(f"{path.name}: {key} has shape {tuple(value.shape)}, the module wants {tuple(expected[key].shape)}")
    module.load_state_dict(wanted, strict=False)


def _is_derived(key: str) -> bool:
    """Buffers computed from the config (rotary frequencies), not learned."""
    return key.endswith("inv_freq")
