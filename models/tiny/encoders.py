"""The trained models behind one interface: images and captions in, L2-normalised embeddings out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np
import torch
import torch.nn.functional as F

from llm2clip.modeling import LlamaEncoder, TextAdapter, VisionTransformer

from . import config
from .baseline import baseline_text_tower, clip_tokens
from .bpe import ByteLevelBPE
from .clip_training import extract_features, pixel_values
from .config import WORK

BATCH = 128


@dataclass
class DualEncoder:
    name: str
    vision: VisionTransformer
    encode_text: Callable[[list[str]], torch.Tensor]
    logit_scale: float
    encode_features: Optional[Callable[[list[str]], torch.Tensor]] = None

    @torch.no_grad()
    def images(self, pixels: np.ndarray) -> torch.Tensor:
        self.vision.eval()
        return F.normalize(torch.cat([self.vision(pixel_values(pixels[i : i + BATCH])) for i in range(0, len(pixels), BATCH)]), dim=-1)

    @torch.no_grad()
    def texts(self, captions: list[str]) -> torch.Tensor:
        return F.normalize(self.encode_text(captions), dim=-1)


def load_llm2clip(name: str, tokenizer: ByteLevelBPE, llm_file: str, clip_file: str) -> tuple[DualEncoder, LlamaEncoder, TextAdapter]:
    cfg = config.model_config(tokenizer.vocab_size)
    llm, vision, adapter = LlamaEncoder(cfg.text), VisionTransformer(cfg.vision), TextAdapter(cfg.adapter)
    llm.load_state_dict(torch.load(WORK / llm_file))
    state = torch.load(WORK / clip_file)
    vision.load_state_dict(state["vision"])
    adapter.load_state_dict(state["adapter"])
    llm.eval()
    adapter.eval()

    def features(captions: list[str]) -> torch.Tensor:
        return extract_features(llm, tokenizer, captions)

    def text(captions: list[str]) -> torch.Tensor:
        return adapter(features(captions))

    return DualEncoder(name, vision, text, state["logit_scale"], features), llm, adapter


def load_baseline(tokenizer: ByteLevelBPE) -> DualEncoder:
    cfg = config.model_config(tokenizer.vocab_size)
    vision, text = VisionTransformer(cfg.vision), baseline_text_tower(tokenizer.vocab_size)
    state = torch.load(WORK / "baseline.pt")
    vision.load_state_dict(state["vision"])
    text.load_state_dict(state["text"])
    text.eval()

    def encode(captions: list[str]) -> torch.Tensor:
        return torch.cat([text(*clip_tokens(tokenizer, captions[i : i + BATCH])) for i in range(0, len(captions), BATCH)])

    return DualEncoder(BASELINE, vision, encode, state["logit_scale"])


LLM2CLIP = "tiny LLM2CLIP"
BASELINE = "CLIP baseline (77-token text transformer)"
NO_CONTRASTIVE = "LLM2CLIP w/o caption-contrastive stage"


def load_rows(tokenizer: ByteLevelBPE) -> list[DualEncoder]:
    """The paper's three rows, each when its weights exist (a warm-started run trains no baseline and no ablation)."""
    rows = [load_llm2clip(LLM2CLIP, tokenizer, "llm_contrastive.pt", "llm2clip.pt")[0]]
    if (WORK / "baseline.pt").exists():
        rows.append(load_baseline(tokenizer))
    if (WORK / "ablation.pt").exists():
        rows.append(load_llm2clip(NO_CONTRASTIVE, tokenizer, "llm_pretrained.pt", "ablation.pt")[0])
    return rows
