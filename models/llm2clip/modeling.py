"""LLM2CLIP's three graphs as plain PyTorch modules, one definition for every size.

- ``VisionTransformer``: OpenAI CLIP's ViT (pre-LN, class token, learned positions), CLS -> ``ln_post`` -> projection.
- ``LlamaEncoder``: a Llama decoder stack used as an LLM2Vec text encoder (bidirectional attention,
  mean pooling over ``embed_mask`` after the final norm).
- ``TextAdapter``: LLM2CLIP's ``TextProj`` mapping pooled LLM features into CLIP's image space.

Attention is written as explicit matmul -> softmax -> matmul: onnxruntime's transformer optimizer fuses
that pattern, and the same code runs on torch 1.13 and 2.x and exports with ONNX opset 17.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Mapping, Optional, Tuple

import torch
import torch.nn.functional as F
from torch import nn


@dataclass
class VisionConfig:
    image_size: int = 336
    patch_size: int = 14
    width: int = 1024
    layers: int = 24
    heads: int = 16
    mlp_dim: int = 4096
    embed_dim: int = 1280
    quick_gelu: bool = True
    norm_eps: float = 1e-5


@dataclass
class TextConfig:
    vocab_size: int = 128256
    hidden_size: int = 4096
    layers: int = 32
    heads: int = 32
    kv_heads: int = 8
    intermediate_size: int = 14336
    rope_theta: float = 500000.0
    norm_eps: float = 1e-5
    bidirectional: bool = True
    # Llama 3.1/3.2's RoPE frequency scaling (HF `rope_scaling` of type "llama3"): factor, low_freq_factor,
    # high_freq_factor, original_max_position_embeddings. None for Llama-3-8B.
    rope_scaling: Optional[dict] = None

    @property
    def head_dim(self) -> int:
        return self.hidden_size // self.heads


@dataclass
class AdapterConfig:
    feature_dim: int = 4096
    hidden_dim: int = 8192
    blocks: int = 4
    embed_dim: int = 1280
    norm_eps: float = 1e-5


@dataclass
class ModelConfig:
    """The three graphs of one model. Defaults are the released LLM2CLIP-Openai-L-14-336 + Llama-3-8B."""

    vision: VisionConfig = field(default_factory=VisionConfig)
    text: TextConfig = field(default_factory=TextConfig)
    adapter: AdapterConfig = field(default_factory=AdapterConfig)
    logit_scale: float = 100.0

    def __post_init__(self) -> None:
        if isinstance(self.vision, dict):
            self.vision = VisionConfig(**self.vision)
        if isinstance(self.text, dict):
            self.text = TextConfig(**self.text)
        if isinstance(self.adapter, dict):
            self.adapter = AdapterConfig(**self.adapter)
        if self.adapter.feature_dim != self.text.hidden_size:
            raise ValueError(
                f"adapter.feature_dim ({self.adapter.feature_dim}) must equal text.hidden_size ({self.text.hidden_size})"
            )
        if self.adapter.embed_dim != self.vision.embed_dim:
            raise ValueError(
                f"adapter.embed_dim ({self.adapter.embed_dim}) must equal vision.embed_dim ({self.vision.embed_dim})"
            )

    def to_dict(self) -> dict:
        return asdict(self)


def attend(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, bias: Optional[torch.Tensor]) -> torch.Tensor:
    """Scaled dot-product attention over [B, H, L, d] tensors.

    The softmax runs in float32 with an additive float32 bias (0 or the float32 minimum), so fp16 graphs
    cannot overflow to -inf and a row whose keys are all masked gives a finite (uniform) result, not NaN.
    """
    scores = torch.matmul(q, k.transpose(-1, -2)) * (q.shape[-1] ** -0.5)
    scores = scores.float()
    if bias is not None:
        scores = scores + bias
    probs = torch.softmax(scores, dim=-1).to(v.dtype)
    return torch.matmul(probs, v)


def split_heads(x: torch.Tensor, heads: int) -> torch.Tensor:
    batch, length, _ = x.shape
    return x.reshape(batch, length, heads, -1).transpose(1, 2)


def merge_heads(x: torch.Tensor) -> torch.Tensor:
    batch, _, length, _ = x.shape
    return x.transpose(1, 2).reshape(batch, length, -1)


class QuickGELU(nn.Module):
    """OpenAI CLIP's activation: x * sigmoid(1.702 x)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.sigmoid(1.702 * x)


class VisionAttention(nn.Module):
    def __init__(self, width: int, heads: int):
        super().__init__()
        self.heads = heads
        self.q_proj = nn.Linear(width, width)
        self.k_proj = nn.Linear(width, width)
        self.v_proj = nn.Linear(width, width)
        self.out_proj = nn.Linear(width, width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        q = split_heads(self.q_proj(x), self.heads)
        k = split_heads(self.k_proj(x), self.heads)
        v = split_heads(self.v_proj(x), self.heads)
        return self.out_proj(merge_heads(attend(q, k, v, None)))


class VisionMlp(nn.Module):
    def __init__(self, width: int, hidden: int, quick_gelu: bool):
        super().__init__()
        self.fc1 = nn.Linear(width, hidden)
        self.act = QuickGELU() if quick_gelu else nn.GELU()
        self.fc2 = nn.Linear(hidden, width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(self.act(self.fc1(x)))


class VisionBlock(nn.Module):
    def __init__(self, cfg: VisionConfig):
        super().__init__()
        self.ln_1 = nn.LayerNorm(cfg.width, eps=cfg.norm_eps)
        self.attn = VisionAttention(cfg.width, cfg.heads)
        self.ln_2 = nn.LayerNorm(cfg.width, eps=cfg.norm_eps)
        self.mlp = VisionMlp(cfg.width, cfg.mlp_dim, cfg.quick_gelu)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class VisionTransformer(nn.Module):
    """pixel_values [B, 3, S, S] -> image embedding [B, D] (not normalised)."""

    def __init__(self, cfg: VisionConfig):
        super().__init__()
        if cfg.image_size % cfg.patch_size:
            raise ValueError(f"image_size {cfg.image_size} is not a multiple of patch_size {cfg.patch_size}")
        self.cfg = cfg
        patches = (cfg.image_size // cfg.patch_size) ** 2
        self.patch_embed = nn.Conv2d(3, cfg.width, cfg.patch_size, stride=cfg.patch_size, bias=False)
        self.class_embedding = nn.Parameter(torch.randn(cfg.width) * cfg.width**-0.5)
        self.position_embedding = nn.Parameter(torch.randn(patches + 1, cfg.width) * cfg.width**-0.5)
        # HF CLIP calls this `pre_layrnorm`; OpenAI CLIP calls it `ln_pre`.
        self.ln_pre = nn.LayerNorm(cfg.width, eps=cfg.norm_eps)
        self.blocks = nn.ModuleList([VisionBlock(cfg) for _ in range(cfg.layers)])
        self.ln_post = nn.LayerNorm(cfg.width, eps=cfg.norm_eps)
        self.proj = nn.Linear(cfg.width, cfg.embed_dim, bias=False)

    def forward(self, pixel_values: torch.Tensor) -> torch.Tensor:
        x = self.patch_embed(pixel_values.to(self.patch_embed.weight.dtype))
        x = x.flatten(2).transpose(1, 2)
        cls = self.class_embedding.reshape(1, 1, -1).expand(x.shape[0], 1, -1)
        x = torch.cat([cls, x], dim=1) + self.position_embedding
        x = self.ln_pre(x)
        for block in self.blocks:
            x = block(x)
        return self.proj(self.ln_post(x[:, 0]))


class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # Normalise in float32 as Llama does: x**2 overflows fp16 for |x| > 256.
        h = x.float()
        h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * h.to(x.dtype)


def rotate_half(x: torch.Tensor) -> torch.Tensor:
    half = x.shape[-1] // 2
    return torch.cat([-x[..., half:], x[..., :half]], dim=-1)


def llama3_scaled_inv_freq(inv_freq: torch.Tensor, scaling: Mapping) -> torch.Tensor:
    """Llama 3.1's RoPE frequencies (Meta's `apply_scaling`, HF's `_compute_llama3_parameters`).

    Wavelengths shorter than original_max_position_embeddings / high_freq_factor keep their frequency, those longer
    than original_max_position_embeddings / low_freq_factor are slowed by `factor`, and those between are blended
    linearly in original_max_position_embeddings / wavelength.
    """
    factor, low, high = scaling["factor"], scaling["low_freq_factor"], scaling["high_freq_factor"]
    context = scaling["original_max_position_embeddings"]
    wavelen = 2 * math.pi / inv_freq
    smooth = (context / wavelen - low) / (high - low)
    blended = (1 - smooth) * inv_freq / factor + smooth * inv_freq
    return torch.where(wavelen < context / high, inv_freq, torch.where(wavelen > context / low, inv_freq / factor, blended))


class RotaryEmbedding(nn.Module):
    """RoPE in the HF Llama layout (rotate_half over the two halves of each head), which HF's q/k weights assume."""

    def __init__(self, head_dim: int, theta: float, scaling: Optional[Mapping] = None):
        super().__init__()
        inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim))
        if scaling is not None:
            inv_freq = llama3_scaled_inv_freq(inv_freq, scaling)
        self.register_buffer("inv_freq", inv_freq, persistent=False)

    def forward(self, length: int, dtype: torch.dtype) -> Tuple[torch.Tensor, torch.Tensor]:
        # Positions are 0..L-1 even with left padding, as in HF LlamaModel without position_ids (how LLM2Vec
        # calls it). RoPE depends only on relative positions, so the shift does not change the result.
        positions = torch.arange(length, device=self.inv_freq.device, dtype=torch.float32)
        freqs = positions[:, None] * self.inv_freq[None, :]
        angles = torch.cat([freqs, freqs], dim=-1)
        return angles.cos().to(dtype), angles.sin().to(dtype)


class LlamaAttention(nn.Module):
    def __init__(self, cfg: TextConfig):
        super().__init__()
        if cfg.hidden_size % cfg.heads or cfg.heads % cfg.kv_heads:
            raise ValueError("hidden_size must divide into heads, and heads into kv_heads groups")
        self.heads = cfg.heads
        self.kv_heads = cfg.kv_heads
        self.head_dim = cfg.head_dim
        self.q_proj = nn.Linear(cfg.hidden_size, cfg.heads * cfg.head_dim, bias=False)
        self.k_proj = nn.Linear(cfg.hidden_size, cfg.kv_heads * cfg.head_dim, bias=False)
        self.v_proj = nn.Linear(cfg.hidden_size, cfg.kv_heads * cfg.head_dim, bias=False)
        self.o_proj = nn.Linear(cfg.heads * cfg.head_dim, cfg.hidden_size, bias=False)

    def repeat_kv(self, x: torch.Tensor) -> torch.Tensor:
        """[B, kvH, L, d] -> [B, H, L, d]: each KV head serves heads // kv_heads query heads (GQA)."""
        groups = self.heads // self.kv_heads
        if groups == 1:
            return x
        batch, _, length, dim = x.shape
        return x[:, :, None].expand(batch, self.kv_heads, groups, length, dim).reshape(batch, self.heads, length, dim)

    def forward(self, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        q = split_heads(self.q_proj(x), self.heads)
        k = split_heads(self.k_proj(x), self.kv_heads)
        v = split_heads(self.v_proj(x), self.kv_heads)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        out = attend(q, self.repeat_kv(k), self.repeat_kv(v), bias)
        return self.o_proj(merge_heads(out))


class SwiGLU(nn.Module):
    def __init__(self, dim: int, hidden: int):
        super().__init__()
        self.gate_proj = nn.Linear(dim, hidden, bias=False)
        self.up_proj = nn.Linear(dim, hidden, bias=False)
        self.down_proj = nn.Linear(hidden, dim, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class LlamaBlock(nn.Module):
    def __init__(self, cfg: TextConfig):
        super().__init__()
        self.attn_norm = RMSNorm(cfg.hidden_size, cfg.norm_eps)
        self.attn = LlamaAttention(cfg)
        self.mlp_norm = RMSNorm(cfg.hidden_size, cfg.norm_eps)
        self.mlp = SwiGLU(cfg.hidden_size, cfg.intermediate_size)

    def forward(self, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.attn_norm(x), cos, sin, bias)
        return x + self.mlp(self.mlp_norm(x))


def attention_bias(attention_mask: torch.Tensor, bidirectional: bool) -> torch.Tensor:
    """[B, L] 0/1 mask -> additive float32 bias [B, 1, L, L]: padded keys (and future keys when causal) get the minimum."""
    allowed = attention_mask[:, None, None, :].bool()
    if not bidirectional:
        positions = torch.arange(attention_mask.shape[1], device=attention_mask.device)
        allowed = allowed & (positions[None, :] <= positions[:, None])[None, None]
    zero = torch.zeros((), dtype=torch.float32, device=attention_mask.device)
    minimum = torch.full((), torch.finfo(torch.float32).min, dtype=torch.float32, device=attention_mask.device)
    return torch.where(allowed, zero, minimum)


def mean_pool(hidden: torch.Tensor, embed_mask: torch.Tensor) -> torch.Tensor:
    """LLM2Vec's mean pooling over the positions of embed_mask; an empty mask gives zeros.

    Summed in float32: 512 float16 hidden states can overflow float16's range before the division.
    """
    weights = embed_mask.float().unsqueeze(-1)
    counts = weights.sum(dim=1).clamp(min=1.0)
    return ((hidden.float() * weights).sum(dim=1) / counts).to(hidden.dtype)


class LlamaEncoder(nn.Module):
    """A Llama decoder stack as an LLM2Vec encoder.

    ``forward(input_ids, attention_mask, embed_mask) -> features [B, F]``; ``hidden_states`` gives the last hidden
    state after the final norm (for an LM head). ``bidirectional=None`` uses the config; pass True/False to
    override per call (pre-train causally, then switch to bidirectional as LLM2Vec does).
    """

    def __init__(self, cfg: TextConfig):
        super().__init__()
        self.cfg = cfg
        self.embed_tokens = nn.Embedding(cfg.vocab_size, cfg.hidden_size)
        self.rotary = RotaryEmbedding(cfg.head_dim, cfg.rope_theta, cfg.rope_scaling)
        self.layers = nn.ModuleList([LlamaBlock(cfg) for _ in range(cfg.layers)])
        self.norm = RMSNorm(cfg.hidden_size, cfg.norm_eps)

    def hidden_states(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, bidirectional: Optional[bool] = None
    ) -> torch.Tensor:
        if bidirectional is None:
            bidirectional = self.cfg.bidirectional
        x = self.embed_tokens(input_ids)
        cos, sin = self.rotary(input_ids.shape[1], x.dtype)
        bias = attention_bias(attention_mask, bidirectional)
        for layer in self.layers:
            x = layer(x, cos, sin, bias)
        return self.norm(x)

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        embed_mask: torch.Tensor,
        bidirectional: Optional[bool] = None,
    ) -> torch.Tensor:
        return mean_pool(self.hidden_states(input_ids, attention_mask, bidirectional), embed_mask)


class AdapterBlock(nn.Module):
    """x + W2·GELU(W1·LN(x)): LLM2CLIP's `LinearBlock` (dropout omitted: it is 0 in the released model)."""

    def __init__(self, dim: int, hidden: int, eps: float):
        super().__init__()
        self.ln = nn.LayerNorm(dim, eps=eps)
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.fc2(F.gelu(self.fc1(self.ln(x))))


class TextAdapter(nn.Module):
    """LLM2CLIP's TextProj: L2-normalise the LLM features, N residual blocks, LN, Linear(F -> D)."""

    def __init__(self, cfg: AdapterConfig):
        super().__init__()
        self.cfg = cfg
        self.blocks = nn.ModuleList(
            [AdapterBlock(cfg.feature_dim, cfg.hidden_dim, cfg.norm_eps) for _ in range(cfg.blocks)]
        )
        self.ln = nn.LayerNorm(cfg.feature_dim, eps=cfg.norm_eps)
        self.proj = nn.Linear(cfg.feature_dim, cfg.embed_dim)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        x = F.normalize(features.to(self.proj.weight.dtype), dim=-1)
        for block in self.blocks:
            x = block(x)
        return self.proj(self.ln(x))


def build_modules(cfg: ModelConfig) -> Tuple[VisionTransformer, LlamaEncoder, TextAdapter]:
    return VisionTransformer(cfg.vision), LlamaEncoder(cfg.text), TextAdapter(cfg.adapter)


def init_random_(module: nn.Module, generator: torch.Generator, std: float = 0.02) -> None:
    """Fill every parameter from one seeded generator: normal(0, std) weights, norms near 1, so random models are reproducible."""
    with torch.no_grad():
        for name, param in module.named_parameters():
            noise = torch.randn(param.shape, generator=generator, device=param.device) * std
            is_norm = name.endswith("weight") and param.dim() == 1
            param.copy_(1.0 + noise if is_norm else noise)


__all__ = [
    "AdapterConfig",
    "LlamaEncoder",
    "ModelConfig",
    "TextAdapter",
    "TextConfig",
    "VisionConfig",
    "VisionTransformer",
    "attention_bias",
    "build_modules",
    "init_random_",
    "mean_pool",
]
