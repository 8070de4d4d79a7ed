"""Stage d: the CLIP baseline. A CLIP-style text transformer (causal, learned positions, 77-token context, features
at the end-of-text token) trained jointly with a vision tower on the same English data, from scratch.
"""

from __future__ import annotations

import random

import numpy as np
import torch
from torch import nn

from llm2clip.modeling import VisionTransformer

from .bpe import ByteLevelBPE
from .clip_training import LogitScale, clip_loss, pixel_values
from .config import BASELINE_CONTEXT, model_config
from .dataset import Example, pick_views
from .loop import run_steps

BATCH = 128
# CLIP from scratch stalled at loss ln(batch) with 2e-3; 5e-4 trains (measured on the train split).
PEAK_LR = 5e-4
BOS, EOT = "<|begin_of_text|>", "<|end_of_text|>"


class ClipTextTransformer(nn.Module):
    def __init__(self, vocab_size: int, width: int, layers: int, heads: int, embed_dim: int, context: int = BASELINE_CONTEXT):
        super().__init__()
        self.context = context
        self.token_embedding = nn.Embedding(vocab_size, width)
        self.positional_embedding = nn.Parameter(torch.randn(context, width) * 0.01)
        layer = nn.TransformerEncoderLayer(width, heads, 4 * width, dropout=0.0, activation="gelu", batch_first=True, norm_first=True)
        self.transformer = nn.TransformerEncoder(layer, layers)
        self.ln_final = nn.LayerNorm(width)
        self.projection = nn.Linear(width, embed_dim, bias=False)
        self.register_buffer("causal", torch.triu(torch.full((context, context), float("-inf")), diagonal=1), persistent=False)

    def forward(self, tokens: torch.Tensor, eot_index: torch.Tensor) -> torch.Tensor:
        length = tokens.shape[1]
        x = self.token_embedding(tokens) + self.positional_embedding[:length]
        x = self.ln_final(self.transformer(x, mask=self.causal[:length, :length]))
        return self.projection(x[torch.arange(len(tokens)), eot_index])


def baseline_text_tower(vocab_size: int) -> ClipTextTransformer:
    return ClipTextTransformer(vocab_size, width=96, layers=4, heads=4, embed_dim=model_config(vocab_size).vision.embed_dim)


def clip_tokens(tokenizer: ByteLevelBPE, captions: list[str], context: int = BASELINE_CONTEXT) -> tuple[torch.Tensor, torch.Tensor]:
    """CLIP's tokenize(truncate=True): BOS + caption + EOT in `context` tokens, the caption cut to fit."""
    bos, eot = tokenizer.token_id(BOS), tokenizer.token_id(EOT)
    rows = [[bos] + tokenizer.encode(c.strip())[: context - 2] + [eot] for c in captions]
    length = max(map(len, rows))
    tokens = torch.full((len(rows), length), eot, dtype=torch.long)
    for r, ids in enumerate(rows):
        tokens[r, : len(ids)] = torch.tensor(ids)
    return tokens, torch.tensor([len(ids) - 1 for ids in rows])


def train_baseline(
    vision: VisionTransformer,
    text: ClipTextTransformer,
    tokenizer: ByteLevelBPE,
    examples: list[Example],
    pixels: np.ndarray,
    steps: int,
    seed: int = 4,
) -> tuple[dict[str, float], float]:
    scale = LogitScale()
    params = list(vision.parameters()) + list(text.parameters()) + list(scale.parameters())
    optimizer = torch.optim.AdamW(params, lr=PEAK_LR, weight_decay=0.05)

    def step(i: int) -> dict[str, float]:
        rng = random.Random(seed * 7919 + i)
        idx = rng.sample(range(len(examples)), BATCH)
        # Whole batches of one kind: short batches need no padding to 77 tokens, which halves their cost.
        kind = "en_long" if rng.random() < 0.4 else "en_short"
        captions = [rng.choice(examples[j].captions[kind]) for j in idx]
        tokens, eot = clip_tokens(tokenizer, captions)
        views = pick_views(pixels, np.array(idx), np.random.default_rng(seed * 7919 + i))
        loss = clip_loss(vision(pixel_values(views)), text(tokens, eot), scale())
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        return {"loss": loss.item(), "scale": scale().item()}

    result = run_steps("baseline", {"vision": vision, "text": text, "scale": scale}, optimizer, PEAK_LR, steps, step)
    return result, scale().item()
