"""Stage b: LLM2Vec-style caption-contrastive fine-tuning with LoRA, English captions only.

Attention becomes bidirectional. First masked next-token prediction (MNTP: a masked token at position i is
predicted from the output at i-1, as LLM2Vec does, reusing the causal LM head), then a supervised contrastive loss
whose positives are two captions of the same scene and whose negatives are the rest of the batch. Each LoRA is merged
into the weights after its step, so the result is the plain architecture again.
"""

from __future__ import annotations

import random

import torch
import torch.nn.functional as F

from llm2clip.modeling import LlamaEncoder, mean_pool

from .bpe import ByteLevelBPE
from .dataset import Example
from .lora import add_lora, merge_lora
from .loop import run_budgeted
from .pretrain import lm_logits
from .text_format import llm2vec_batch

MASK_TOKEN = "<|reserved_special_token_0|>"
MASK_RATE = 0.2
MNTP_BATCH = 32
SIMCSE_BATCH = 32
TEMPERATURE = 0.05
LORA_RANK, LORA_ALPHA = 16, 32


def english_captions(example: Example) -> list[str]:
    return example.captions["en_short"] + example.captions["en_long"]


def mntp(llm: LlamaEncoder, tokenizer: ByteLevelBPE, examples: list[Example], budget_s: float, seed: int = 1) -> dict[str, float]:
    params = add_lora(llm, LORA_RANK, LORA_ALPHA)
    optimizer = torch.optim.AdamW(params, lr=1e-3, weight_decay=0.0)
    mask_id = tokenizer.token_id(MASK_TOKEN)

    def step(i: int) -> dict[str, float]:
        rng = random.Random(seed * 7919 + i)
        captions = [rng.choice(english_captions(rng.choice(examples))) for _ in range(MNTP_BATCH)]
        batch = llm2vec_batch(tokenizer, captions)
        generator = torch.Generator().manual_seed(seed * 7919 + i)
        chosen = (torch.rand(batch["embed_mask"].shape, generator=generator) < MASK_RATE) & batch["embed_mask"].bool()
        chosen[:, 0] = False
        inputs = batch["input_ids"].masked_fill(chosen, mask_id)
        hidden = llm.hidden_states(inputs, batch["attention_mask"], bidirectional=True)
        logits = lm_logits(llm, hidden[:, :-1])
        targets = batch["input_ids"][:, 1:].masked_fill(~chosen[:, 1:], -100)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=-100)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        return {"loss": loss.item()}

    result = run_budgeted("mntp", {"llm": llm}, optimizer, 1e-3, budget_s, step)
    merge_lora(llm)
    return result


def info_nce(a: torch.Tensor, b: torch.Tensor, temperature: float) -> torch.Tensor:
    """Symmetric InfoNCE: row i of a and b are positives, all other rows negatives."""
    logits = F.normalize(a, dim=-1) @ F.normalize(b, dim=-1).t() / temperature
    labels = torch.arange(len(a))
    return 0.5 * (F.cross_entropy(logits, labels) + F.cross_entropy(logits.t(), labels))


def simcse(llm: LlamaEncoder, tokenizer: ByteLevelBPE, examples: list[Example], budget_s: float, seed: int = 2) -> dict[str, float]:
    params = add_lora(llm, LORA_RANK, LORA_ALPHA)
    optimizer = torch.optim.AdamW(params, lr=1e-3, weight_decay=0.0)

    def encode(captions: list[str]) -> torch.Tensor:
        batch = llm2vec_batch(tokenizer, captions)
        return mean_pool(llm.hidden_states(batch["input_ids"], batch["attention_mask"], bidirectional=True), batch["embed_mask"])

    def step(i: int) -> dict[str, float]:
        rng = random.Random(seed * 7919 + i)
        pairs = [rng.sample(english_captions(e), 2) for e in rng.sample(examples, SIMCSE_BATCH)]
        loss = info_nce(encode([p[0] for p in pairs]), encode([p[1] for p in pairs]), TEMPERATURE)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        return {"loss": loss.item()}

    result = run_budgeted("simcse", {"llm": llm}, optimizer, 1e-3, budget_s, step)
    merge_lora(llm)
    return result
