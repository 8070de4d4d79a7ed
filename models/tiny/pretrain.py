"""Stage a: pre-train the Llama-style LLM by next-token prediction (causal attention) on the bilingual corpus."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from llm2clip.modeling import LlamaEncoder, init_random_

from .loop import run_steps

SEQ_LEN = 128
BATCH = 32
PEAK_LR = 2e-3


def new_lm_head(llm: LlamaEncoder) -> nn.Linear:
    """The LM head, untied from the input embeddings and training-only (not exported).

    Tied, a colour word's input embedding is also its output vector, and next-token prediction pulls the output
    vectors of interchangeable words together: in a caption corpus every colour fits every slot, so the colour
    tokens' embeddings collapsed (issue 10: mean pairwise cosine 0.934). Untied, only the head's rows have to agree.
    """
    return nn.Linear(llm.cfg.hidden_size, llm.cfg.vocab_size, bias=False)


def pack(documents: list[list[int]], bos: int, eos: int) -> np.ndarray:
    """One token stream: BOS + document + end-of-text, for each document (chat documents bring their own BOS)."""
    stream: list[int] = []
    for ids in documents:
        stream += (ids if ids[:1] == [bos] else [bos] + ids) + [eos]
    return np.asarray(stream, dtype=np.int64)


def pretrain(llm: LlamaEncoder, head: nn.Linear, stream: np.ndarray, steps: int, seed: int = 0) -> dict[str, float]:
    init_random_(llm, torch.Generator().manual_seed(seed))
    init_random_(head, torch.Generator().manual_seed(seed + 1))
    params = list(llm.parameters()) + list(head.parameters())
    optimizer = torch.optim.AdamW(params, lr=PEAK_LR, betas=(0.9, 0.95), weight_decay=0.05)
    ones = torch.ones(BATCH, SEQ_LEN, dtype=torch.long)

    def step(i: int) -> dict[str, float]:
        rng = np.random.default_rng(seed * 7919 + i)
        starts = rng.integers(0, len(stream) - SEQ_LEN - 1, BATCH)
        window = torch.from_numpy(np.stack([stream[s : s + SEQ_LEN + 1] for s in starts]))
        hidden = llm.hidden_states(window[:, :-1], ones, bidirectional=False)
        loss = F.cross_entropy(head(hidden).reshape(-1, llm.cfg.vocab_size), window[:, 1:].reshape(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        return {"loss": loss.item()}

    return run_steps("pretrain", {"llm": llm, "head": head}, optimizer, PEAK_LR, steps, step)
