"""Attention exported as one ``com.microsoft`` ``MultiHeadAttention`` node per layer.

torch.onnx writes attention as a dozen MatMul/Transpose/Softmax nodes, which ONNX Runtime runs one by one; its
contrib ``MultiHeadAttention`` kernel (CPU and CUDA, float32 and float16) does the same work in one fused kernel
(flash or memory-efficient attention on CUDA). Python's onnxruntime transformer optimizer is not needed.

``fused_attention(module)`` is a context manager: inside it, the attention layers of a ``VisionTransformer`` or a
bidirectional ``LlamaEncoder`` trace to the fused op; in eager mode they compute exactly what ``modeling.attend``
computes. Parameter names and the modules' own code are untouched. A causal ``LlamaEncoder`` keeps its plain
attention: the fused op's key-padding mask cannot express a causal mask.
"""

from __future__ import annotations

import contextlib
from typing import Iterator, List, Tuple

import torch
from torch import nn

try:  # torch >= 2.9 keeps the (deprecated) TorchScript exporter's helpers here
    from torch.onnx._internal.torchscript_exporter import symbolic_helper
except ImportError:
    from torch.onnx import symbolic_helper

from .modeling import (
    LlamaAttention,
    LlamaEncoder,
    VisionAttention,
    VisionTransformer,
    attend,
    merge_heads,
    rotate_half,
    split_heads,
)

MS_DOMAIN = "com.microsoft"


class MultiHeadAttentionOp(torch.autograd.Function):
    """[B, S, H*d] query, key and value, and a [B, S] 0/1 key mask, to [B, S, H*d]; scale 1/sqrt(d)."""

    @staticmethod
    def forward(ctx, query, key, value, key_mask, heads: int):  # noqa: D102 (torch's signature)
        bias = None
        if key_mask is not None:
            minimum = torch.finfo(torch.float32).min
            bias = torch.where(key_mask[:, None, None, :].bool(), 0.0, minimum)
        return merge_heads(attend(split_heads(query, heads), split_heads(key, heads), split_heads(value, heads), bias))

    @staticmethod
    def symbolic(g, query, key, value, key_mask, heads: int):  # noqa: D102
        inputs = [query, key, value, symbolic_helper._optional_input_placeholder_tensor(g)]
        if key_mask is not None and not symbolic_helper._is_none(key_mask):
            inputs.append(g.op("Cast", key_mask, to_i=6))  # int32, as the kernel wants its mask
        return g.op(f"{MS_DOMAIN}::MultiHeadAttention", *inputs, num_heads_i=heads).setType(query.type())


def multi_head_attention(query, key, value, key_mask, heads: int) -> torch.Tensor:
    return MultiHeadAttentionOp.apply(query, key, value, key_mask, heads)


class FusedVisionAttention(VisionAttention):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        attended = multi_head_attention(self.q_proj(x), self.k_proj(x), self.v_proj(x), None, self.heads)
        return self.out_proj(attended)


class FusedLlamaAttention(LlamaAttention):
    def forward(self, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        q = split_heads(self.q_proj(x), self.heads)
        k = split_heads(self.k_proj(x), self.kv_heads)
        v = self.repeat_kv(split_heads(self.v_proj(x), self.kv_heads))
        q = q * cos + rotate_half(q) * sin
        k = self.repeat_kv(k * cos + rotate_half(k) * sin)
        # A bidirectional bias is the same for every query: its first row is the key-padding mask.
        key_mask = (bias[:, 0, 0, :] == 0).to(torch.int64)
        return self.o_proj(multi_head_attention(merge_heads(q), merge_heads(k), merge_heads(v), key_mask, self.heads))


def _attention_layers(module: nn.Module) -> List[Tuple[nn.Module, type]]:
    if isinstance(module, VisionTransformer):
        return [(layer, FusedVisionAttention) for layer in module.modules() if type(layer) is VisionAttention]
    if isinstance(module, LlamaEncoder) and module.cfg.bidirectional:
        return [(layer, FusedLlamaAttention) for layer in module.modules() if type(layer) is LlamaAttention]
    return []


@contextlib.contextmanager
def fused_attention(module: nn.Module) -> Iterator[int]:
    """Swap the attention layers of ``module`` for their fused-export form; yields how many were swapped."""
    swapped = _attention_layers(module)
    originals = [type(layer) for layer, _ in swapped]
    try:
        for layer, fused in swapped:
            layer.__class__ = fused
        yield len(swapped)
    finally:
        for (layer, _), original in zip(swapped, originals):
            layer.__class__ = original
