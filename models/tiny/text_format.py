"""LLM2Vec's input format (llm2vec/llm2vec.py), used in training exactly as the daemon serves it (MANIFEST.md).

BOS + "<|start_header_id|>user<|end_header_id|>\\n\\n" + caption.strip() + "<|eot_id|>", padded on the left with
<|eot_id|>; attention_mask covers all but padding, embed_mask only the caption and <|eot_id|>.
"""

from __future__ import annotations

import torch

from .bpe import ByteLevelBPE

BOS = "<|begin_of_text|>"
PROMPT_PREFIX = "<|start_header_id|>user<|end_header_id|>\n\n"
PROMPT_SUFFIX = "<|eot_id|>"
PAD = "<|eot_id|>"


def chat_text(caption: str) -> str:
    return BOS + PROMPT_PREFIX + caption.strip() + PROMPT_SUFFIX


def llm2vec_ids(tokenizer: ByteLevelBPE, caption: str, max_length: int) -> tuple[list[int], int]:
    """(ids, number of leading ids outside embed_mask). The caption is cut word by word until it fits, as LLM2Vec does."""
    head = [tokenizer.token_id(BOS)] + tokenizer.encode(PROMPT_PREFIX)
    words = caption.strip().split(" ")
    while True:
        body = tokenizer.encode(" ".join(words) + PROMPT_SUFFIX)
        if len(head) + len(body) <= max_length or len(words) <= 1:
            return (head + body)[:max_length], len(head)
        words = words[: max(1, int(len(words) * (max_length - len(head)) / (len(head) + len(body))))]


def llm2vec_batch(tokenizer: ByteLevelBPE, captions: list[str], max_length: int = 512) -> dict[str, torch.Tensor]:
    rows = [llm2vec_ids(tokenizer, c, max_length) for c in captions]
    length = max(len(ids) for ids, _ in rows)
    pad = tokenizer.token_id(PAD)
    input_ids = torch.full((len(rows), length), pad, dtype=torch.long)
    attention_mask = torch.zeros((len(rows), length), dtype=torch.long)
    embed_mask = torch.zeros((len(rows), length), dtype=torch.long)
    for r, (ids, head) in enumerate(rows):
        start = length - len(ids)
        input_ids[r, start:] = torch.tensor(ids)
        attention_mask[r, start:] = 1
        embed_mask[r, start + head :] = 1
    return {"input_ids": input_ids, "attention_mask": attention_mask, "embed_mask": embed_mask}
