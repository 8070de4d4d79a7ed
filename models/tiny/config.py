"""Sizes, budgets and paths of the miniature LLM2CLIP. One place, so training, eval and shipping agree."""

from __future__ import annotations

import os
from pathlib import Path

from llm2clip.modeling import AdapterConfig, ModelConfig, TextConfig, VisionConfig

from .bpe import ByteLevelBPE

MODELS_DIR = Path(__file__).resolve().parents[1]
WORK = Path(os.environ.get("TINY_WORK", MODELS_DIR / ".work"))
SHIP = Path(os.environ.get("TINY_SHIP", MODELS_DIR / "tiny-llm2clip"))

SPLIT_SIZES = {"train": int(os.environ.get("TINY_TRAIN_SCENES", 20000)), "val": 500, "test": 1000}
IMAGE_SIZE = 48
MEAN = (0.48145466, 0.4578275, 0.40821073)
STD = (0.26862954, 0.26130258, 0.27577711)
VOCAB_TARGET = 1024
BASELINE_CONTEXT = 77
CLIP_STAGE_SCENES = min(12000, SPLIT_SIZES["train"])
EVAL_WAY = 100

# Steps of each stage. Learning-rate schedules run on the fraction of these steps, so a run gives the same model
# whatever the load on the shared CPU; only its wall time changes. TINY_STEPS_<STAGE> overrides one (a smoke run).
STEPS = {
    stage: int(os.environ.get(f"TINY_STEPS_{stage.upper()}", default))
    for stage, default in {
        "pretrain": 430,
        "baseline": 700,
        "mntp": 30,
        "contrastive": 800,
        "clip": 1400,
        "clip_adapter": 4000,
        "ablation": 1000,
    }.items()
}

# A shipped model folder to continue from instead of training stages a, b1 and the baseline's vision tower from
# scratch (its tokenizer, its LLM as the input of the caption-contrastive step, its vision tower as stage c's start).
WARM_START = Path(os.environ["TINY_WARM_START"]) if os.environ.get("TINY_WARM_START") else None


def model_config(vocab_size: int) -> ModelConfig:
    return ModelConfig(
        vision=VisionConfig(image_size=IMAGE_SIZE, patch_size=8, width=96, layers=4, heads=4, mlp_dim=384, embed_dim=128),
        text=TextConfig(
            vocab_size=vocab_size,
            hidden_size=128,
            layers=4,
            heads=4,
            kv_heads=2,
            intermediate_size=352,
            rope_theta=10000.0,
            bidirectional=True,
        ),
        adapter=AdapterConfig(feature_dim=128, hidden_dim=256, blocks=4, embed_dim=128),
        logit_scale=100.0,
    )


def load_tokenizer() -> ByteLevelBPE:
    return ByteLevelBPE.load(WORK / "tokenizer.json")
