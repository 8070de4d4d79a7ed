"""Stage c (and the ablation e): freeze the LLM, pre-extract its pooled features of the English captions, then train
the vision tower and the adapter with the CLIP loss (LLM2CLIP, Sec. 3). As in the paper, the vision tower starts
from a CLIP that was already trained: the baseline's. A warm start's vision tower is already aligned with an
LLM2CLIP text space, so there it stays frozen and only the adapter learns to map the new features onto it.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from llm2clip.modeling import LlamaEncoder, TextAdapter, VisionTransformer, init_random_

from .bpe import ByteLevelBPE
from .config import MEAN, STD
from .dataset import pick_views
from .loop import run_steps
from .text_format import llm2vec_batch

BATCH = 128
OUTSIDE_PER_BATCH = 3
ADAPTER_BATCH = 256
EXTRACT_BATCH = 64
_MEAN = torch.tensor(MEAN).view(1, 3, 1, 1)
_STD = torch.tensor(STD).view(1, 3, 1, 1)


def pixel_values(pixels: np.ndarray) -> torch.Tensor:
    """uint8 [B, S, S, 3] -> the normalised float [B, 3, S, S] the vision graph takes."""
    x = torch.from_numpy(pixels).permute(0, 3, 1, 2).float() / 255.0
    return (x - _MEAN) / _STD


class LogitScale(nn.Module):
    """CLIP's learned temperature, starting at 1/0.07 and capped at 100."""

    def __init__(self) -> None:
        super().__init__()
        self.log_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))

    def forward(self) -> torch.Tensor:
        return self.log_scale.clamp(max=math.log(100.0)).exp()


def clip_loss(image: torch.Tensor, text: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    logits = scale * F.normalize(image, dim=-1) @ F.normalize(text, dim=-1).t()
    labels = torch.arange(len(image))
    return 0.5 * (F.cross_entropy(logits, labels) + F.cross_entropy(logits.t(), labels))


@torch.no_grad()
def extract_features(llm: LlamaEncoder, tokenizer: ByteLevelBPE, captions: list[str]) -> torch.Tensor:
    """Pooled LLM features [N, F], in batches of similar length so that little is padded."""
    llm.eval()
    order = sorted(range(len(captions)), key=lambda i: len(captions[i]))
    out = torch.empty(len(captions), llm.cfg.hidden_size)
    for start in range(0, len(order), EXTRACT_BATCH):
        idx = order[start : start + EXTRACT_BATCH]
        out[idx] = llm(**llm2vec_batch(tokenizer, [captions[i] for i in idx]))
    return out


@torch.no_grad()
def image_embeddings(vision: VisionTransformer, pixels: np.ndarray) -> torch.Tensor:
    vision.eval()
    return torch.cat([vision(pixel_values(pixels[i : i + EXTRACT_BATCH])) for i in range(0, len(pixels), EXTRACT_BATCH)])


def train_adapter_stage(
    name: str,
    vision: VisionTransformer,
    adapter: TextAdapter,
    scale: LogitScale,
    pixels: np.ndarray,
    features: torch.Tensor,
    steps: int,
    seed: int = 3,
) -> dict[str, float]:
    """Stage c with the vision tower frozen: its embeddings are computed once, and each step trains the adapter alone.
    pixels and features as train_clip_stage takes them; the adapter starts from random weights."""
    init_random_(adapter, torch.Generator().manual_seed(seed))
    images = image_embeddings(vision, pixels.reshape(-1, *pixels.shape[2:])).view(*pixels.shape[:2], -1)
    optimizer = torch.optim.AdamW(list(adapter.parameters()) + list(scale.parameters()), lr=1e-3, weight_decay=0.05)

    def step(i: int) -> dict[str, float]:
        rng = np.random.default_rng(seed * 7919 + i)
        idx = rng.choice(len(images), ADAPTER_BATCH, replace=False)
        caption = rng.integers(0, features.shape[1], ADAPTER_BATCH)
        view = rng.integers(0, images.shape[1], ADAPTER_BATCH)
        loss = clip_loss(images[idx, view], adapter(features[idx, caption]), scale())
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        return {"loss": loss.item(), "scale": scale().item()}

    adapter.train()
    return run_steps(name, {"adapter": adapter, "scale": scale}, optimizer, 1e-3, steps, step)


def train_clip_stage(
    name: str,
    vision: VisionTransformer,
    adapter: TextAdapter,
    scale: LogitScale,
    pixels: np.ndarray,
    features: torch.Tensor,
    steps: int,
    outside: tuple[np.ndarray, torch.Tensor] | None = None,
    seed: int = 3,
) -> dict[str, float]:
    """The vision tower and the adapter trained together. pixels: [N, V, S, S, 3], V views per scene
    (dataset.training_pixels); features: [N, C, F], C English captions per image. outside: images outside the domain
    [M, S, S, 3] and their captions' features [M, F] (outside.py), OUTSIDE_PER_BATCH of them in every batch."""
    optimizer = torch.optim.AdamW(
        [
            {"params": vision.parameters(), "lr_scale": 0.3},
            {"params": list(adapter.parameters()) + list(scale.parameters()), "lr_scale": 1.0},
        ],
        lr=1e-3,
        weight_decay=0.05,
    )

    def step(i: int) -> dict[str, float]:
        rng = np.random.default_rng(seed * 7919 + i)
        idx = rng.choice(len(pixels), BATCH, replace=False)
        caption = rng.integers(0, features.shape[1], BATCH)
        images, texts = pick_views(pixels, idx, rng), features[idx, caption]
        if outside is not None:
            extra = rng.choice(len(outside[0]), OUTSIDE_PER_BATCH, replace=False)
            images = np.concatenate([images[:-OUTSIDE_PER_BATCH], outside[0][extra]])
            texts = torch.cat([texts[:-OUTSIDE_PER_BATCH], outside[1][extra]])
        loss = clip_loss(vision(pixel_values(images)), adapter(texts), scale())
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        return {"loss": loss.item(), "scale": scale().item()}

    vision.train()
    adapter.train()
    return run_steps(name, {"vision": vision, "adapter": adapter, "scale": scale}, optimizer, 1e-3, steps, step)
