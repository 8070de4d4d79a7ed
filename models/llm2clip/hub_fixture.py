"""Random-weight, tiny checkpoints laid out file for file like the released LLM2CLIP repositories, for a test Hub.

    python -m llm2clip.hub_fixture --out DIR [--seed 0]

writes DIR/microsoft/LLM2CLIP-Openai-L-14-336/ (CLIP ViT + LLM2CLIP's adapter in one `model.safetensors`, float32, with
the custom-code `config.json`) and DIR/microsoft/LLM2CLIP-Llama-3-8B-Instruct-CC-Finetuned/ (Llama in four bfloat16
shards with `model.safetensors.index.json`, the LlamaEncoderModel `config.json` and the tokenizer files). Tensor names
are the released checkpoints' (hf_keys), dimensions are tiny, values random: it tests downloading and exporting,
never quality. The tokenizer is random-tiny's byte-level BPE in Llama-3's layout, so the vocabulary is small.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
from pathlib import Path
from typing import Dict, List

import torch

from . import hf_keys
from .modeling import AdapterConfig, LlamaEncoder, TextAdapter, TextConfig, VisionConfig, VisionTransformer
from .safetensors import save_file

RANDOM_TINY = Path(__file__).resolve().parents[1] / "testing" / "random-tiny"
VISION_REPO = "microsoft/LLM2CLIP-Openai-L-14-336"
LLM_REPO = "microsoft/LLM2CLIP-Llama-3-8B-Instruct-CC-Finetuned"
LLM_SHARDS = 4
ADAPTER_PREFIX = "text_adapter.adaptor."

VISION = VisionConfig(image_size=32, patch_size=8, width=32, layers=2, heads=2, mlp_dim=64, embed_dim=24, quick_gelu=True)
ADAPTER = AdapterConfig(feature_dim=48, hidden_dim=96, blocks=4, embed_dim=24)


def _random_state(module: torch.nn.Module, mapping: Dict[str, str], generator: torch.Generator, dtype: torch.dtype) -> Dict[str, torch.Tensor]:
    params = dict(module.named_parameters())
    return {theirs: (0.05 * torch.randn(params[ours].shape, generator=generator)).to(dtype) for ours, theirs in mapping.items()}


def _write_json(path: Path, value: object) -> None:
    path.write_text(json.dumps(value, indent=2) + "\n", encoding="utf-8")


def _custom_code_stub(path: Path, what: str) -> None:
    path.write_text(f"# {what}: the released repository's remote code; not used by llm2clip's exporter.\n", encoding="utf-8")


def write_vision_repo(folder: Path, generator: torch.Generator) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    state = _random_state(VisionTransformer(VISION), hf_keys.vision_keys(VISION), generator, torch.float32)
    state.update(_random_state(TextAdapter(ADAPTER), hf_keys.adapter_keys(ADAPTER, ADAPTER_PREFIX), generator, torch.float32))
    state["logit_scale"] = torch.tensor(math.log(1 / 0.07))
    save_file(state, folder / "model.safetensors", metadata={"format": "pt"})
    _write_json(folder / "config.json", {
        "architectures": ["LLM2CLIPModel"],
        "auto_map": {"AutoConfig": "configuration_clip.CLIPConfig", "AutoModel": "modeling_clip.LLM2CLIPModel"},
        "initializer_factor": 1.0,
        "logit_scale_init_value": 2.6592,
        "model_type": "clip",
        "projection_dim": VISION.embed_dim,
        "torch_dtype": "float32",
        "text_config": {"model_type": "clip_text_model", "hidden_size": 16, "num_attention_heads": 2, "num_hidden_layers": 1},
        "vision_config": {
            "model_type": "clip_vision_model",
            "hidden_act": "quick_gelu",
            "hidden_size": VISION.width,
            "image_size": VISION.image_size,
            "intermediate_size": VISION.mlp_dim,
            "layer_norm_eps": VISION.norm_eps,
            "num_attention_heads": VISION.heads,
            "num_hidden_layers": VISION.layers,
            "patch_size": VISION.patch_size,
            "projection_dim": VISION.embed_dim,
        },
    })
    _write_json(folder / "preprocessor_config.json", {
        "crop_size": {"height": VISION.image_size, "width": VISION.image_size},
        "do_center_crop": True, "do_normalize": True, "do_resize": True,
        "image_mean": [0.48145466, 0.4578275, 0.40821073], "image_std": [0.26862954, 0.26130258, 0.27577711],
        "image_processor_type": "CLIPImageProcessor", "resample": 3, "size": {"shortest_edge": VISION.image_size},
    })
    _custom_code_stub(folder / "configuration_clip.py", "CLIPConfig")
    _custom_code_stub(folder / "modeling_clip.py", "LLM2CLIPModel")
    (folder / "README.md").write_text("---\nlicense: apache-2.0\n---\nRandom-weight test fixture in LLM2CLIP-Openai-L-14-336's layout.\n")


def write_llm_repo(folder: Path, generator: torch.Generator) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    vocab = json.loads((RANDOM_TINY / "config.json").read_text())["text"]["vocab_size"]
    text = TextConfig(vocab_size=vocab, hidden_size=48, layers=LLM_SHARDS - 1, heads=4, kv_heads=2, intermediate_size=96, rope_theta=500000.0)
    state = _random_state(LlamaEncoder(text), hf_keys.llama_keys(text, "model."), generator, torch.bfloat16)
    # As HF shards a Llama: layer by layer in order, the embeddings with the first layer, the final norm with the last.
    shards: List[List[str]] = [[] for _ in range(LLM_SHARDS)]
    for name in state:
        layer = name.split(".")[2] if name.startswith("model.layers.") else None
        index = 0 if name == "model.embed_tokens.weight" else LLM_SHARDS - 1 if layer is None else int(layer)
        shards[index].append(name)
    weight_map = {}
    for i, names in enumerate(shards):
        file = f"model-{i + 1:05d}-of-{LLM_SHARDS:05d}.safetensors"
        save_file({name: state[name] for name in names}, folder / file, metadata={"format": "pt"})
        weight_map.update({name: file for name in names})
    total = sum(t.numel() * t.element_size() for t in state.values())
    _write_json(folder / "model.safetensors.index.json", {"metadata": {"total_size": total}, "weight_map": dict(sorted(weight_map.items()))})
    # The real config.json points its auto_map at McGill-NLP's remote code, not at the copy beside it: public projects
    # that load this checkpoint offline say they rewrite it. model pull never runs that code.
    _write_json(folder / "config.json", {
        "architectures": ["LlamaEncoderModel"],
        "auto_map": {"AutoModel": "McGill-NLP/LLM2Vec-Meta-Llama-3-8B-Instruct-mntp--modeling_llama_encoder.LlamaEncoderModel"},
        "attention_bias": False,
        "attention_dropout": 0.0,
        "bos_token_id": 128000,
        "eos_token_id": 128009,
        "hidden_act": "silu",
        "hidden_size": text.hidden_size,
        "initializer_range": 0.02,
        "intermediate_size": text.intermediate_size,
        "max_position_embeddings": 8192,
        "model_type": "llama",
        "num_attention_heads": text.heads,
        "num_hidden_layers": text.layers,
        "num_key_value_heads": text.kv_heads,
        "pretraining_tp": 1,
        "rms_norm_eps": text.norm_eps,
        "rope_scaling": None,
        "rope_theta": text.rope_theta,
        "tie_word_embeddings": False,
        "torch_dtype": "bfloat16",
        "use_cache": True,
        "vocab_size": vocab,
    })
    _write_json(folder / "generation_config.json", {"bos_token_id": 128000, "eos_token_id": [128001, 128009]})
    shutil.copyfile(RANDOM_TINY / "tokenizer.json", folder / "tokenizer.json")
    _write_json(folder / "special_tokens_map.json", {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>"})
    _write_json(folder / "tokenizer_config.json", {
        "bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>", "model_max_length": 1000000000000000019884624838656,
        "tokenizer_class": "PreTrainedTokenizerFast",
    })
    _custom_code_stub(folder / "modeling_llama_encoder.py", "LlamaEncoderModel")
    (folder / "README.md").write_text("---\nlicense: apache-2.0\n---\nRandom-weight test fixture in LLM2CLIP-Llama-3-8B-Instruct-CC-Finetuned's layout.\n")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m llm2clip.hub_fixture", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    generator = torch.Generator().manual_seed(args.seed)
    write_vision_repo(args.out / VISION_REPO, generator)
    write_llm_repo(args.out / LLM_REPO, generator)
    for repo in (VISION_REPO, LLM_REPO):
        (args.out / repo / ".gitattributes").write_text("*.safetensors filter=lfs diff=lfs merge=lfs -text\n")
    print(f"wrote {VISION_REPO} and {LLM_REPO} under {args.out}")


if __name__ == "__main__":
    main()
