"""Checks, from `config.json` alone, that a checkpoint pair is of the architectures the `hf` exporter implements.

`llm2clip model pull` runs this after fetching the two small config files and before the multi-gigabyte weights, so a
wrong repository fails in seconds, naming what it is and what was expected.
"""

from __future__ import annotations

from typing import List, Mapping

from . import hf_keys

VISION_ACTIVATIONS = ("quick_gelu", "gelu")


def _architecture(config: Mapping) -> str:
    names = config.get("architectures") or []
    return f"model_type {config.get('model_type')!r}" + (f" ({', '.join(names)})" if names else "")


def check_vision_config(config: Mapping) -> str:
    """OpenAI CLIP's ViT (LLM2CLIP-Openai-*): a `clip` config with a `vision_config`; one line that describes it."""
    vision = config.get("vision_config")
    if config.get("model_type") != "clip" or not isinstance(vision, Mapping):
        raise hf_keys.MappingError(
            f"the vision checkpoint's config.json has {_architecture(config)}; the exporter implements OpenAI CLIP's ViT "
            "(model_type 'clip' with a vision_config, as microsoft/LLM2CLIP-Openai-L-14-336)"
        )
    act = vision.get("hidden_act", "quick_gelu")
    if act not in VISION_ACTIVATIONS:
        raise hf_keys.MappingError(f"the vision tower's hidden_act is {act!r}; the exporter implements {' and '.join(VISION_ACTIVATIONS)}")
    missing = [key for key in ("hidden_size", "num_attention_heads", "num_hidden_layers", "patch_size", "image_size") if key not in vision]
    if missing:
        raise hf_keys.MappingError(f"the vision checkpoint's vision_config lacks {missing}")
    if vision["hidden_size"] % vision["num_attention_heads"]:
        raise hf_keys.MappingError(f"vision hidden_size {vision['hidden_size']} is not a multiple of num_attention_heads {vision['num_attention_heads']}")
    return (
        f"vision: CLIP ViT, {vision['num_hidden_layers']} layers, width {vision['hidden_size']}, "
        f"{vision['image_size']} px in {vision['patch_size']} px patches, {act}"
    )


def check_llm_config(config: Mapping) -> str:
    """A Llama (Llama-3 or 3.1/3.2) decoder that LLM2Vec turned into an encoder; one line that describes it."""
    if config.get("model_type") != "llama":
        raise hf_keys.MappingError(
            f"the LLM checkpoint's config.json has {_architecture(config)}; the exporter implements Llama "
            "(model_type 'llama', as microsoft/LLM2CLIP-Llama-3-8B-Instruct-CC-Finetuned)"
        )
    act = config.get("hidden_act", "silu")
    if act != "silu":
        raise hf_keys.MappingError(f"the LLM's hidden_act is {act!r}; Llama's SwiGLU needs 'silu'")
    text = hf_keys.llama_config(config)
    return (
        f"llm: Llama, {text.layers} layers, width {text.hidden_size}, {text.heads} heads / {text.kv_heads} KV heads, "
        f"FFN {text.intermediate_size}, vocab {text.vocab_size}"
    )


def check_configs(vision: Mapping, llm: Mapping) -> List[str]:
    return [check_vision_config(vision), check_llm_config(llm)]
