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

# Wall-clock budget of each stage in seconds. Learning-rate schedules run on the fraction of the budget used,
# so a busier shared CPU gives fewer steps, not a later finish (the whole run must fit in an hour on 2 cores).
BUDGETS = {
    "pretrain": float(os.environ.get("TINY_BUDGET_PRETRAIN", 600)),
    "baseline": float(os.environ.get("TINY_BUDGET_BASELINE", 900)),
    "mntp": float(os.environ.get("TINY_BUDGET_MNTP", 150)),
    "simcse": float(os.environ.get("TINY_BUDGET_SIMCSE", 600)),
    "clip": float(os.environ.get("TINY_BUDGET_CLIP", 420)),
    "ablation": float(os.environ.get("TINY_BUDGET_ABLATION", 420)),
}


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
