"""HF checkpoint layouts -> this package's modules.

- Vision: HF `CLIPModel` / `CLIPVisionModelWithProjection` keys (`vision_model.embeddings.patch_embedding.weight`,
  `vision_model.encoder.layers.N.self_attn.q_proj.weight`, ..., `vision_model.post_layernorm`, `visual_projection`),
  under any prefix. LLM2CLIP-Openai-L-14-336 replaces `visual_projection` with a new 1024 -> 1280 one.
- Adapter: LLM2CLIP's text projection, an `nn.Sequential` of N `LinearBlock`s (`ln`, `fn.0` Linear, `fn.1` GELU,
  `fn.2` Dropout, `fn.3` Linear), then LayerNorm and Linear, under any prefix (`…adaptor.0.fn.0.weight`).
- LLM: HF Llama keys (`model.layers.N.self_attn.q_proj.weight`, ...), with the `model.` prefix (LlamaForCausalLM,
  LLM2CLIP-Llama-3-8B-Instruct-CC-Finetuned) or without it (llm2vec's LlamaBiModel, LLM2CLIP-Llama-3.2-1B-Instruct-CC-Finetuned).
- Logit scale: a scalar `logit_scale` (CLIP's learned log temperature), under any prefix, when the checkpoint stores one.

Each function returns {our name: HF name}; `load_mapped` copies the tensors in and checks every shape, and
`unused_tensors` names what a checkpoint holds beyond what the graphs took.
"""

from __future__ import annotations

import re
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

import torch
from torch import nn

from .modeling import AdapterConfig, TextConfig, VisionConfig


class MappingError(ValueError):
    pass


def _find_prefix(keys: Iterable[str], suffix: str, what: str) -> str:
    prefixes = sorted({key[: -len(suffix)] for key in keys if key.endswith(suffix)}, key=len)
    if not prefixes:
        raise MappingError(f"no {what} found: no key ends with {suffix!r}")
    return prefixes[0]


def _count_layers(keys: Iterable[str], pattern: str) -> int:
    found = {int(m.group(1)) for key in keys for m in [re.match(pattern, key)] if m}
    if not found or found != set(range(max(found) + 1)):
        raise MappingError(f"layers matching {pattern!r} are missing or not numbered 0..N-1: {sorted(found)[:8]}")
    return max(found) + 1


def _linear(ours: str, theirs: str, bias: bool = True) -> Dict[str, str]:
    mapping = {f"{ours}.weight": f"{theirs}.weight"}
    if bias:
        mapping[f"{ours}.bias"] = f"{theirs}.bias"
    return mapping


def vision_prefix(keys: Iterable[str]) -> str:
    """The prefix before `vision_model.` (empty for a plain CLIPModel)."""
    return _find_prefix(keys, "vision_model.embeddings.patch_embedding.weight", "CLIP vision tower")


def vision_keys(cfg: VisionConfig, prefix: str = "") -> Dict[str, str]:
    v = f"{prefix}vision_model."
    mapping = {
        "patch_embed.weight": f"{v}embeddings.patch_embedding.weight",
        "class_embedding": f"{v}embeddings.class_embedding",
        "position_embedding": f"{v}embeddings.position_embedding.weight",
        **_linear("ln_pre", f"{v}pre_layrnorm"),
        **_linear("ln_post", f"{v}post_layernorm"),
        "proj.weight": f"{prefix}visual_projection.weight",
    }
    for i in range(cfg.layers):
        ours, theirs = f"blocks.{i}", f"{v}encoder.layers.{i}"
        mapping.update(_linear(f"{ours}.ln_1", f"{theirs}.layer_norm1"))
        mapping.update(_linear(f"{ours}.ln_2", f"{theirs}.layer_norm2"))
        for proj in ("q_proj", "k_proj", "v_proj", "out_proj"):
            mapping.update(_linear(f"{ours}.attn.{proj}", f"{theirs}.self_attn.{proj}"))
        mapping.update(_linear(f"{ours}.mlp.fc1", f"{theirs}.mlp.fc1"))
        mapping.update(_linear(f"{ours}.mlp.fc2", f"{theirs}.mlp.fc2"))
    return mapping


def vision_config(shapes: Mapping[str, torch.Size], hf_config: Mapping, prefix: str = "") -> VisionConfig:
    """Dimensions from the tensors; heads, activation and eps from HF's `vision_config`."""
    v = f"{prefix}vision_model."
    patch = shapes[f"{v}embeddings.patch_embedding.weight"]
    positions = shapes[f"{v}embeddings.position_embedding.weight"][0]
    grid = round((positions - 1) ** 0.5)
    width = patch[0]
    return VisionConfig(
        image_size=grid * patch[-1],
        patch_size=patch[-1],
        width=width,
        layers=_count_layers(shapes, re.escape(f"{v}encoder.layers.") + r"(\d+)\."),
        heads=hf_config.get("num_attention_heads", width // 64),
        mlp_dim=shapes[f"{v}encoder.layers.0.mlp.fc1.weight"][0],
        embed_dim=shapes[f"{prefix}visual_projection.weight"][0],
        quick_gelu=hf_config.get("hidden_act", "quick_gelu") == "quick_gelu",
        norm_eps=hf_config.get("layer_norm_eps", 1e-5),
    )


ADAPTER_FIRST = "0.fn.0.weight"


def adapter_prefix(keys: Iterable[str]) -> str:
    """The prefix of LLM2CLIP's adaptor Sequential, e.g. `text_adapter.adaptor.`."""
    return _find_prefix(keys, ADAPTER_FIRST, "LLM2CLIP adapter (…0.fn.0.weight)")


def adapter_keys(cfg: AdapterConfig, prefix: str) -> Dict[str, str]:
    mapping: Dict[str, str] = {}
    for i in range(cfg.blocks):
        mapping.update(_linear(f"blocks.{i}.ln", f"{prefix}{i}.ln"))
        mapping.update(_linear(f"blocks.{i}.fc1", f"{prefix}{i}.fn.0"))
        mapping.update(_linear(f"blocks.{i}.fc2", f"{prefix}{i}.fn.3"))
    mapping.update(_linear("ln", f"{prefix}{cfg.blocks}"))
    mapping.update(_linear("proj", f"{prefix}{cfg.blocks + 1}"))
    return mapping


def adapter_config(shapes: Mapping[str, torch.Size], prefix: str) -> AdapterConfig:
    blocks = _count_layers(shapes, re.escape(prefix) + r"(\d+)\.fn\.0\.weight")
    hidden, features = shapes[f"{prefix}0.fn.0.weight"]
    return AdapterConfig(
        feature_dim=features, hidden_dim=hidden, blocks=blocks, embed_dim=shapes[f"{prefix}{blocks + 1}.weight"][0]
    )


def llama_prefix(keys: Iterable[str]) -> str:
    """`model.` for LlamaForCausalLM-style checkpoints, empty for a bare LlamaModel."""
    return _find_prefix(keys, "embed_tokens.weight", "Llama embedding")


def llama_keys(cfg: TextConfig, prefix: str = "model.") -> Dict[str, str]:
    mapping = {"embed_tokens.weight": f"{prefix}embed_tokens.weight", "norm.weight": f"{prefix}norm.weight"}
    for i in range(cfg.layers):
        ours, theirs = f"layers.{i}", f"{prefix}layers.{i}"
        mapping[f"{ours}.attn_norm.weight"] = f"{theirs}.input_layernorm.weight"
        mapping[f"{ours}.mlp_norm.weight"] = f"{theirs}.post_attention_layernorm.weight"
        for proj in ("q_proj", "k_proj", "v_proj", "o_proj"):
            mapping[f"{ours}.attn.{proj}.weight"] = f"{theirs}.self_attn.{proj}.weight"
        for proj in ("gate_proj", "up_proj", "down_proj"):
            mapping[f"{ours}.mlp.{proj}.weight"] = f"{theirs}.mlp.{proj}.weight"
    return mapping


LLAMA3_SCALING_KEYS = ("factor", "low_freq_factor", "high_freq_factor", "original_max_position_embeddings")


def llama_rope_scaling(hf_config: Mapping) -> Optional[dict]:
    """`rope_scaling` of a HF Llama config: None, or Llama 3.1/3.2's "llama3" parameters. Other kinds are refused."""
    scaling = hf_config.get("rope_scaling")
    if not scaling:
        return None
    kind = scaling.get("rope_type", scaling.get("type"))
    if kind == "default":
        return None
    if kind != "llama3":
        raise MappingError(f"rope_scaling of type {kind!r} is not supported: only Llama 3.1/3.2's \"llama3\" is ({scaling})")
    missing = [key for key in LLAMA3_SCALING_KEYS if key not in scaling]
    if missing:
        raise MappingError(f"rope_scaling \"llama3\" lacks {missing} ({scaling})")
    return {key: scaling[key] for key in LLAMA3_SCALING_KEYS}


def llama_config(hf_config: Mapping, bidirectional: bool = True) -> TextConfig:
    """TextConfig from a HF Llama `config.json` (Llama-3, and Llama 3.1/3.2 with their "llama3" rope_scaling)."""
    heads = hf_config["num_attention_heads"]
    head_dim = hf_config.get("head_dim")
    if head_dim is not None and head_dim * heads != hf_config["hidden_size"]:
        raise MappingError(f"head_dim {head_dim} x {heads} heads != hidden_size {hf_config['hidden_size']}: not supported")
    return TextConfig(
        vocab_size=hf_config["vocab_size"],
        hidden_size=hf_config["hidden_size"],
        layers=hf_config["num_hidden_layers"],
        heads=heads,
        kv_heads=hf_config.get("num_key_value_heads", heads),
        intermediate_size=hf_config["intermediate_size"],
        rope_theta=float(hf_config.get("rope_theta", 10000.0)),
        norm_eps=hf_config.get("rms_norm_eps", 1e-6),
        bidirectional=bidirectional,
        rope_scaling=llama_rope_scaling(hf_config),
    )


def logit_scale_key(shapes: Mapping[str, torch.Size]) -> Optional[str]:
    """The checkpoint's scalar `logit_scale` (shortest name first), or None. Per-head attention scales are not scalars."""
    found = sorted(
        (name for name, shape in shapes.items() if re.fullmatch(r"(.*\.)?logit_scale", name) and torch.Size(shape).numel() == 1),
        key=len,
    )
    return found[0] if found else None


# Tensors a checkpoint may hold that no graph needs, each with the reason; anything else left over fails the export.
NOT_NEEDED: Sequence[Tuple[str, str]] = (
    (r"(.*\.)?position_ids", "an index buffer (0..N-1) that the graph computes"),
    (r"(.*\.)?rotary_emb\.inv_freq", "recomputed from rope_theta and rope_scaling"),
    (r"(.*\.)?lm_head\.weight", "the LM head, which LLM2Vec's encoder does not use"),
)


def unused_tensors(names: Iterable[str], used: Iterable[str], allowed: Sequence[str] = ()) -> Tuple[List[str], Dict[str, str]]:
    """(tensors nothing used and nothing excuses, {tensor: why it is not needed}) for a checkpoint's tensor names."""
    used = set(used)
    left, excused = [], {}
    rules = list(NOT_NEEDED) + [(pattern, "allowed by --allow-unused") for pattern in allowed]
    for name in sorted(set(names) - used):
        reason = next((why for pattern, why in rules if re.fullmatch(pattern, name)), None)
        if reason is None:
            left.append(name)
        else:
            excused[name] = reason
    return left, excused


def load_mapped(module: nn.Module, mapping: Mapping[str, str], tensors: Mapping[str, torch.Tensor]) -> None:
    """Copy HF tensors into `module` (in its dtype). Every parameter must be mapped, and every shape must match."""
    params = dict(module.named_parameters())
    unmapped = sorted(set(params) - set(mapping))
    if unmapped:
        raise MappingError(f"parameters without a HF key: {unmapped[:5]}")
    with torch.no_grad():
        for ours, theirs in mapping.items():
            if theirs not in tensors:
                raise MappingError(f"checkpoint lacks {theirs!r} (for {ours})")
            source, target = tensors[theirs], params[ours]
            if tuple(source.shape) != tuple(target.shape):
                raise MappingError(f"{theirs} has shape {list(source.shape)}, {ours} needs {list(target.shape)}")
            target.copy_(source.to(target.dtype))


def shapes_of(tensors: Mapping[str, torch.Tensor]) -> Dict[str, torch.Size]:
    return {name: tensor.shape for name, tensor in tensors.items()}


def reverse(mapping: Mapping[str, str], module: nn.Module) -> Dict[str, torch.Tensor]:
    """module -> HF-layout state dict (for tests and the GPU parity script)."""
    params = dict(module.named_parameters())
    return {theirs: params[ours].detach().clone() for ours, theirs in mapping.items()}

