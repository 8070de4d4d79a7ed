"""LoRA (Hu et al., 2021) for nn.Linear, as LLM2Vec fine-tunes Llama: train low-rank deltas, then merge them into the weights."""

from __future__ import annotations

import math

import torch
from torch import nn

LLAMA_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


class LoRALinear(nn.Module):
    def __init__(self, base: nn.Linear, rank: int, alpha: float):
        super().__init__()
        self.base = base
        self.scale = alpha / rank
        self.lora_a = nn.Parameter(torch.empty(rank, base.in_features))
        self.lora_b = nn.Parameter(torch.zeros(base.out_features, rank))
        nn.init.kaiming_uniform_(self.lora_a, a=math.sqrt(5))
        base.weight.requires_grad_(False)
        if base.bias is not None:
            base.bias.requires_grad_(False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.base(x) + (x @ self.lora_a.t() @ self.lora_b.t()) * self.scale

    def merged(self) -> nn.Linear:
        linear = nn.Linear(self.base.in_features, self.base.out_features, bias=self.base.bias is not None)
        with torch.no_grad():
            linear.weight.copy_(self.base.weight + self.scale * self.lora_b @ self.lora_a)
            if self.base.bias is not None:
                linear.bias.copy_(self.base.bias)
        return linear


def add_lora(model: nn.Module, rank: int, alpha: float, targets: tuple[str, ...] = LLAMA_TARGETS) -> list[nn.Parameter]:
    """Freeze the model and wrap every target Linear; returns the new trainable parameters."""
    for param in model.parameters():
        param.requires_grad_(False)
    params: list[nn.Parameter] = []
    for module in list(model.modules()):
        for name, child in list(module.named_children()):
            if name in targets and isinstance(child, nn.Linear):
                wrapped = LoRALinear(child, rank, alpha)
                setattr(module, name, wrapped)
                params += [wrapped.lora_a, wrapped.lora_b]
    return params


def merge_lora(model: nn.Module) -> None:
    """Fold every LoRALinear back into a plain Linear, so the exported graph is the base architecture."""
    for module in list(model.modules()):
        for name, child in list(module.named_children()):
            if isinstance(child, LoRALinear):
                setattr(module, name, child.merged())
