"""Llama 3.1/3.2's "llama3" RoPE scaling, against a PyTorch reference written here from the published rules.

The reference scales each frequency as Meta's `apply_scaling` (llama-models) states it, one at a time, and runs a
bidirectional Llama in float64 straight from the HF-layout tensors (RMSNorm, RoPE rotating the pairs
(x_i, x_{i + d/2}), grouped-query attention that hides only padded keys, SwiGLU). The model under test is built
from a HF config.json with that rope_scaling, through hf_keys, as the exporter builds it.
"""

import math
import unittest

import torch

from llm2clip import hf_keys
from llm2clip.modeling import LlamaEncoder

# Llama 3.2's scaling, with the original context shrunk from 8192 to 64 so that a 16-wide head has frequencies in all
# three bands (kept, slowed by `factor`, blended).
SCALING = {"factor": 32.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 64, "rope_type": "llama3"}
HF_CONFIG = {
    "architectures": ["LlamaBiModel"], "vocab_size": 40, "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2,
    "num_key_value_heads": 1, "head_dim": 16, "intermediate_size": 40, "rope_theta": 500000.0, "rms_norm_eps": 1e-5,
    "rope_scaling": SCALING,
}
# microsoft/LLM2CLIP-Llama-3.2-1B-Instruct-CC-Finetuned's config.json (Llama-3.2-1B-Instruct's dimensions).
LLAMA_32_1B = {
    "architectures": ["LlamaBiModel"], "vocab_size": 128256, "hidden_size": 2048, "num_hidden_layers": 16, "num_attention_heads": 32,
    "num_key_value_heads": 8, "head_dim": 64, "intermediate_size": 8192, "rope_theta": 500000.0, "rms_norm_eps": 1e-5,
    "rope_scaling": {"factor": 32.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 8192, "rope_type": "llama3"},
    "tie_word_embeddings": True,
}


def reference_frequencies(head_dim, theta, scaling):
    """(frequencies, band of each): Meta's apply_scaling, frequency by frequency."""
    low_wavelen = scaling["original_max_position_embeddings"] / scaling["low_freq_factor"]
    high_wavelen = scaling["original_max_position_embeddings"] / scaling["high_freq_factor"]
    frequencies, bands = [], []
    for i in range(0, head_dim, 2):
        freq = 1.0 / theta ** (i / head_dim)
        wavelen = 2 * math.pi / freq
        if wavelen < high_wavelen:
            frequencies.append(freq)
            bands.append("kept")
        elif wavelen > low_wavelen:
            frequencies.append(freq / scaling["factor"])
            bands.append("slowed")
        else:
            smooth = (scaling["original_max_position_embeddings"] / wavelen - scaling["low_freq_factor"]) / (
                scaling["high_freq_factor"] - scaling["low_freq_factor"]
            )
            frequencies.append((1 - smooth) * freq / scaling["factor"] + smooth * freq)
            bands.append("blended")
    return torch.tensor(frequencies, dtype=torch.float64), bands


def rms_norm(x, weight, eps):
    return weight * x / torch.sqrt((x * x).mean(-1, keepdim=True) + eps)


def rotate(x, frequencies):
    """x [L, d]: rotate the pair (x_i, x_{i + d/2}) by position x frequency_i (HF's q/k layout)."""
    half = x.shape[-1] // 2
    angles = torch.arange(x.shape[0], dtype=torch.float64)[:, None] * frequencies[None, :]
    first, second = x[:, :half], x[:, half:]
    return torch.cat([first * angles.cos() - second * angles.sin(), second * angles.cos() + first * angles.sin()], dim=-1)


def reference_hidden(state, config, ids, attention, frequencies):
    """Last hidden state after the final norm, one sequence at a time, in float64."""
    t = {name: tensor.double() for name, tensor in state.items()}
    heads, kv_heads, head_dim = config["num_attention_heads"], config["num_key_value_heads"], config["head_dim"]
    eps = config["rms_norm_eps"]
    out = []
    for row, mask in zip(ids, attention):
        x = t["embed_tokens.weight"][row]
        for i in range(config["num_hidden_layers"]):
            p = f"layers.{i}."
            h = rms_norm(x, t[p + "input_layernorm.weight"], eps)
            q = (h @ t[p + "self_attn.q_proj.weight"].T).reshape(len(row), heads, head_dim)
            k = (h @ t[p + "self_attn.k_proj.weight"].T).reshape(len(row), kv_heads, head_dim)
            v = (h @ t[p + "self_attn.v_proj.weight"].T).reshape(len(row), kv_heads, head_dim)
            outputs = []
            for head in range(heads):
                kv = head // (heads // kv_heads)
                qh, kh = rotate(q[:, head], frequencies), rotate(k[:, kv], frequencies)
                scores = (qh @ kh.T) / math.sqrt(head_dim)
                scores = scores.masked_fill(~mask.bool()[None, :], float("-inf"))
                outputs.append(torch.softmax(scores, dim=-1) @ v[:, kv])
            x = x + torch.cat(outputs, dim=-1) @ t[p + "self_attn.o_proj.weight"].T
            h = rms_norm(x, t[p + "post_attention_layernorm.weight"], eps)
            gate = h @ t[p + "mlp.gate_proj.weight"].T
            x = x + ((gate * torch.sigmoid(gate)) * (h @ t[p + "mlp.up_proj.weight"].T)) @ t[p + "mlp.down_proj.weight"].T
        out.append(rms_norm(x, t["norm.weight"], eps))
    return torch.stack(out)


def random_state(cfg, seed):
    """LlamaBiModel-layout tensors (no `model.` prefix), random."""
    generator = torch.Generator().manual_seed(seed)
    shapes = {name: p.shape for name, p in LlamaEncoder(cfg).named_parameters()}
    return {theirs: torch.randn(shapes[ours], generator=generator) * 0.3 for ours, theirs in hf_keys.llama_keys(cfg, "").items()}


class Llama3RopeScalingTest(unittest.TestCase):
    def test_config_of_the_1b_llm_is_read_with_its_scaling(self):
        cfg = hf_keys.llama_config(LLAMA_32_1B)
        self.assertEqual((cfg.hidden_size, cfg.layers, cfg.heads, cfg.kv_heads, cfg.head_dim), (2048, 16, 32, 8, 64))
        self.assertEqual(cfg.rope_scaling, {"factor": 32.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 8192})
        expected, bands = reference_frequencies(64, 500000.0, LLAMA_32_1B["rope_scaling"])
        self.assertEqual(set(bands), {"kept", "slowed", "blended"})
        actual = LlamaEncoder(hf_keys.llama_config({**LLAMA_32_1B, "num_hidden_layers": 1, "vocab_size": 8})).rotary.inv_freq
        torch.testing.assert_close(actual.double(), expected, rtol=1e-6, atol=0)

    def test_other_scalings_are_refused_by_name(self):
        for scaling in ({"rope_type": "linear", "factor": 2.0}, {"type": "dynamic", "factor": 2.0}, {"rope_type": "yarn", "factor": 4.0}):
            with self.assertRaisesRegex(hf_keys.MappingError, "not supported"):
                hf_keys.llama_config({**HF_CONFIG, "rope_scaling": scaling})
        with self.assertRaisesRegex(hf_keys.MappingError, r"lacks \['low_freq_factor'"):
            hf_keys.llama_config({**HF_CONFIG, "rope_scaling": {"rope_type": "llama3", "factor": 8.0}})
        with self.assertRaisesRegex(hf_keys.MappingError, "head_dim 8"):
            hf_keys.llama_config({**HF_CONFIG, "head_dim": 8})
        self.assertIsNone(hf_keys.llama_config({**HF_CONFIG, "rope_scaling": {"rope_type": "default"}}).rope_scaling)

    def test_scaled_llama_matches_the_reference(self):
        cfg = hf_keys.llama_config(HF_CONFIG)
        frequencies, bands = reference_frequencies(16, 500000.0, SCALING)
        self.assertEqual(sorted(set(bands)), ["blended", "kept", "slowed"])
        state = random_state(cfg, seed=7)
        model = LlamaEncoder(cfg).eval()
        hf_keys.load_mapped(model, hf_keys.llama_keys(cfg, hf_keys.llama_prefix(state)), state)
        torch.testing.assert_close(model.rotary.inv_freq.double(), frequencies, rtol=1e-6, atol=0)

        # Long enough that slowed frequencies turn visibly: 40 positions, the first row left-padded by 9.
        ids = torch.randint(0, 40, (2, 40), generator=torch.Generator().manual_seed(1))
        attention = torch.ones_like(ids)
        attention[0, :9] = 0
        real = attention.bool()
        with torch.no_grad():
            ours = model.hidden_states(ids, attention)
            unscaled = LlamaEncoder(hf_keys.llama_config({**HF_CONFIG, "rope_scaling": None})).eval()
            hf_keys.load_mapped(unscaled, hf_keys.llama_keys(cfg, ""), state)
            without_scaling = unscaled.hidden_states(ids, attention)
        expected = reference_hidden(state, HF_CONFIG, ids, attention, frequencies)
        error = ((ours.double() - expected)[real].abs().max() / expected[real].abs().max()).item()
        ignored = ((without_scaling.double() - expected)[real].abs().max() / expected[real].abs().max()).item()
        self.assertLess(error, 1e-5)
        # The scaling is not a no-op at these lengths: leaving it out misses the reference by far more.
        self.assertGreater(ignored, 100 * error)
        self.assertGreater(ignored, 1e-3)


if __name__ == "__main__":
    unittest.main()
