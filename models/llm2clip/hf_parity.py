"""Our modules against HF transformers' on random tiny configs, with the same weights (run where transformers is installed).

    python -m llm2clip.hf_parity

Builds transformers' CLIPVisionModelWithProjection and LlamaModel with random weights, loads their state dicts
through hf_keys, and compares outputs (relative error <= 1e-4): CLIP image embeddings; Llama last hidden states
causally (HF's own mask) and bidirectionally (a 4D additive mask that only hides padding, as LLM2Vec's
bidirectional Llama does), without rope_scaling (Llama-3) and with Llama 3.2's "llama3" rope_scaling. This proves the key mapping and the maths match HF. Exit status 1 on any mismatch.
"""

from __future__ import annotations

import sys

import torch
from transformers import CLIPVisionConfig, CLIPVisionModelWithProjection, LlamaConfig, LlamaModel

from . import hf_keys
from .modeling import LlamaEncoder, VisionConfig, VisionTransformer

TOLERANCE = 1e-4


def randomize(model: torch.nn.Module, seed: int) -> None:
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for param in model.parameters():
            param.copy_(torch.randn(param.shape, generator=generator) * 0.2)


def relative_error(actual: torch.Tensor, expected: torch.Tensor) -> float:
    return ((actual - expected).abs().max() / expected.abs().max()).item()


def vision_error() -> float:
    hf = CLIPVisionModelWithProjection(
        CLIPVisionConfig(
            hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4, image_size=32,
            patch_size=8, projection_dim=24, hidden_act="quick_gelu",
        )
    ).eval()
    randomize(hf, 0)
    cfg = VisionConfig(image_size=32, patch_size=8, width=32, layers=2, heads=4, mlp_dim=64, embed_dim=24, quick_gelu=True)
    ours = VisionTransformer(cfg).eval()
    hf_keys.load_mapped(ours, hf_keys.vision_keys(cfg), hf.state_dict())
    pixels = torch.randn(3, 3, 32, 32)
    with torch.no_grad():
        return relative_error(ours(pixels), hf(pixel_values=pixels).image_embeds)


# Llama 3.2's scaling with the original context shrunk to 64, so that an 8-wide head has frequencies in every band.
LLAMA3_SCALING = {"rope_type": "llama3", "factor": 32.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 64}


def llama_errors(rope_scaling=None, label: str = "llama") -> dict:
    config = dict(
        vocab_size=64, hidden_size=32, intermediate_size=48, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=2, rope_theta=500000.0, rms_norm_eps=1e-5, rope_scaling=rope_scaling,
    )
    hf = LlamaModel(LlamaConfig(**config, attn_implementation="eager")).eval()
    randomize(hf, 1)
    cfg = hf_keys.llama_config(config)
    ours = LlamaEncoder(cfg).eval()
    hf_keys.load_mapped(ours, hf_keys.llama_keys(cfg, prefix=""), hf.state_dict())

    ids = torch.randint(0, 64, (2, 9))
    attention = torch.ones_like(ids)
    attention[0, :4] = 0  # left padding
    real = attention.bool()
    padding_only = torch.zeros(2, 1, 9, 9).masked_fill(~real[:, None, None, :], torch.finfo(torch.float32).min)
    with torch.no_grad():
        causal_hf = hf(input_ids=ids, attention_mask=attention).last_hidden_state
        bidirectional_hf = hf(input_ids=ids, attention_mask=padding_only).last_hidden_state
        causal = ours.hidden_states(ids, attention, bidirectional=False)
        bidirectional = ours.hidden_states(ids, attention, bidirectional=True)
    # Padded query rows are undefined in both; only real tokens are compared.
    return {
        f"{label} causal": relative_error(causal[real], causal_hf[real]),
        f"{label} bidirectional": relative_error(bidirectional[real], bidirectional_hf[real]),
    }


def main() -> int:
    errors = {"clip vision": vision_error(), **llama_errors(), **llama_errors(LLAMA3_SCALING, "llama 3.2 rope_scaling")}
    for name, error in errors.items():
        print(f"{name}: relative error {error:.2e} ({'ok' if error <= TOLERANCE else 'FAIL'})")
    return 0 if all(error <= TOLERANCE for error in errors.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
