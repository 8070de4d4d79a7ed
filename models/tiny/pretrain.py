"""Stage a: pre-train the Llama-style LLM by next-token prediction (causal attention) on the bilingual corpus."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from llm2clip.modeling import LlamaEncoder, init_random_

from .loop import run_budgeted

SEQ_LEN = 128
BATCH = 32
PEAK_LR = 2e-3


def lm_logits(llm: LlamaEncoder, hidden: torch.Tensor) -> torch.Tensor:
    """The LM head, tied to the input embeddings (as in small Llamas): it is training-only and not exported."""
    return hidden @ llm.embed_tokens.weight.t()


def pack(documents: list[list[int]], bos: int, eos: int) -> np.ndarray:
    """One token stream: BOS + document + end-of-text, for each document (chat documents bring their own BOS)."""
    stream: list[int] = []
    for ids in documents:
        stream += (ids if ids[:1] == [bos] else [bos] + ids) + [eos]
    return np.asarray(stream, dtype=np.int64)


def pretrain(llm: LlamaEncoder, stream: np.ndarray, budget_s: float, seed: int = 0) -> dict[str, float]:
    init_random_(llm, torch.Generator().manual_seed(seed))
    optimizer = torch.optim.AdamW(llm.parameters(), lr=PEAK_LR, betas=(0.9, 0.95), weight_decay=0.05)
    ones = torch.ones(BATCH, SEQ_LEN, dtype=torch.long)

    def step(i: int) -> dict[str, float]:
        rng = np.random.default_rng(seed * 7919 + i)
        starts = rng.integers(0, len(stream) - SEQ_LEN - 1, BATCH)
        window = torch.from_numpy(np.stack([stream[s : s + SEQ_LEN + 1] for s in starts]))
        hidden = llm.hidden_states(window[:, :-1], ones, bidirectional=False)
        loss = F.cross_entropy(lm_logits(llm, hidden).reshape(-1, llm.cfg.vocab_size), window[:, 1:].reshape(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(llm.parameters(), 1.0)
        optimizer.step()
        return {"loss": loss.item()}

    return run_budgeted("pretrain", {"llm": llm}, optimizer, PEAK_LR, budget_s, step)
