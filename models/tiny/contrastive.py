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
SIMCSE_BATCH = 64
LONG_PAIR_RATE = 0.25
TEMPERATURE = 0.05
LORA_RANK, LORA_ALPHA = 16, 32
MNTP_LR = 1e-3
# 1e-3 moved the contrastive loss only from 3.47 to 2.49 in 65 steps, 2e-3 to 1.9 in 160 (validation CRA 9%, 20%).
SIMCSE_LR = 4e-3


def english_captions(example: Example) -> list[str]:
    return example.captions["en_short"] + example.captions["en_long"]


def mntp(llm: LlamaEncoder, tokenizer: ByteLevelBPE, examples: list[Example], budget_s: float, seed: int = 1) -> dict[str, float]:
    params = add_lora(llm, LORA_RANK, LORA_ALPHA)
    optimizer = torch.optim.AdamW(params, lr=MNTP_LR, weight_decay=0.0)
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

    result = run_budgeted("mntp", {"llm": llm}, optimizer, MNTP_LR, budget_s, step)
    merge_lora(llm)
    return result


def positive_pair(example: Example, rng: random.Random) -> list[str]:
    """Two captions of one scene: mostly two short phrasings, sometimes short and long.

    Short pairs cost a third of long ones, and on a 2-core CPU steps are what the stage lacks (160 steps of
    uniformly drawn pairs reached only 20% CRA on the validation split).
    """
    shorts = example.captions["en_short"]
    if rng.random() < LONG_PAIR_RATE:
        return [rng.choice(shorts), rng.choice(example.captions["en_long"])]
    return rng.sample(shorts, 2)


def info_nce(a: torch.Tensor, b: torch.Tensor, temperature: float) -> torch.Tensor:
    """Symmetric InfoNCE: row i of a and b are positives, all other rows negatives."""
    logits = F.normalize(a, dim=-1) @ F.normalize(b, dim=-1).t() / temperature
    labels = torch.arange(len(a))
    return 0.5 * (F.cross_entropy(logits, labels) + F.cross_entropy(logits.t(), labels))


def simcse(llm: LlamaEncoder, tokenizer: ByteLevelBPE, examples: list[Example], budget_s: float, seed: int = 2) -> dict[str, float]:
    params = add_lora(llm, LORA_RANK, LORA_ALPHA)
    optimizer = torch.optim.AdamW(params, lr=SIMCSE_LR, weight_decay=0.0)

    def encode(captions: list[str]) -> torch.Tensor:
        batch = llm2vec_batch(tokenizer, captions)
        return mean_pool(llm.hidden_states(batch["input_ids"], batch["attention_mask"], bidirectional=True), batch["embed_mask"])

    def step(i: int) -> dict[str, float]:
        rng = random.Random(seed * 7919 + i)
        pairs = [positive_pair(e, rng) for e in rng.sample(examples, SIMCSE_BATCH)]
        loss = info_nce(encode([p[0] for p in pairs]), encode([p[1] for p in pairs]), TEMPERATURE)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        return {"loss": loss.item()}

    result = run_budgeted("simcse", {"llm": llm}, optimizer, SIMCSE_LR, budget_s, step)
    merge_lora(llm)
    return result
