"""Stage b: LLM2Vec-style fine-tuning that turns the pre-trained causal LLM into a caption encoder (text only).

Attention becomes bidirectional. First masked next-token prediction (MNTP: a masked token at position i is
predicted from the output at i-1, as LLM2Vec does, reusing pre-training's LM head) with LoRA, English only. Then the
caption-contrastive step LLM2CLIP's Sec. 3 relies on, with every weight trained, embeddings included:
- positives are two captions of the same scene: an English short caption and another phrasing, a long caption,
  or a Chinese caption (text pairs, no images);
- some English positives use words no image caption ever uses (unseen.py), which stage c then never sees;
- hard negatives are the anchor's and the positive's captions with one attribute of the scene changed (colour,
  size, position, count or background), so features must carry every attribute, not just the shape.
LoRA leaves the token embeddings frozen, and in the pre-training corpus colour words can be swapped for one another,
so their embeddings arrive nearly identical; only a full fine-tune can pull them apart.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from llm2clip.modeling import LlamaEncoder, mean_pool

from .attributes import caption_pair
from .bpe import ByteLevelBPE
from .captions import en_long, en_short, zh_long, zh_short
from .dataset import Example
from .lora import add_lora, merge_lora
from .loop import run_steps
from .scenes import Scene
from .text_format import llm2vec_batch
from .unseen import with_unseen_words

MASK_TOKEN = "<|reserved_special_token_0|>"
MASK_RATE = 0.2
MNTP_BATCH = 32
LORA_RANK, LORA_ALPHA = 16, 32
MNTP_LR = 1e-3

CONTRASTIVE_BATCH = 40
LENGTH_BUCKETS = 3
TEMPERATURE = 0.05
CONTRASTIVE_LR = 1e-3
# The embedding table learns 10x faster: the colour and size tokens start nearly identical and must move apart.
EMBEDDING_LR_SCALE = 10.0


def en_short_unseen(scene: Scene, rng: random.Random) -> str:
    return with_unseen_words(en_short(scene, rng), rng)


# Which caption of the scene is the anchor's positive (the anchor is always an English short caption).
POSITIVE_WRITERS = ((en_short, 0.25), (en_short_unseen, 0.15), (zh_short, 0.3), (en_long, 0.12), (zh_long, 0.18))
# Colour, size and background are the attributes the warm-start LLM could not see (cosine 0.9999 after a change).
ATTRIBUTE_WEIGHTS = {"colour": 0.35, "size": 0.25, "position": 0.1, "count": 0.05, "background": 0.25}


def english_captions(example: Example) -> list[str]:
    return example.captions["en_short"] + example.captions["en_long"]


def encode(llm: LlamaEncoder, tokenizer: ByteLevelBPE, captions: list[str]) -> torch.Tensor:
    batch = llm2vec_batch(tokenizer, captions)
    return mean_pool(llm.hidden_states(batch["input_ids"], batch["attention_mask"], bidirectional=True), batch["embed_mask"])


def encode_by_length(llm: LlamaEncoder, tokenizer: ByteLevelBPE, captions: list[str]) -> torch.Tensor:
    """encode() in LENGTH_BUCKETS batches of similar token length: one long caption would pad a whole batch of short
    ones to its length (a long caption has 4-5 times the tokens of a short one)."""
    order = sorted(range(len(captions)), key=lambda i: len(tokenizer.encode(captions[i])))
    size = -(-len(order) // LENGTH_BUCKETS)
    rows = [encode(llm, tokenizer, [captions[i] for i in order[start : start + size]]) for start in range(0, len(order), size)]
    return torch.cat(rows)[torch.argsort(torch.tensor(order))]


def mntp(
    llm: LlamaEncoder, head: nn.Linear, tokenizer: ByteLevelBPE, examples: list[Example], steps: int, seed: int = 1
) -> dict[str, float]:
    params = add_lora(llm, LORA_RANK, LORA_ALPHA)
    head.requires_grad_(False)
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
        logits = head(hidden[:, :-1])
        targets = batch["input_ids"][:, 1:].masked_fill(~chosen[:, 1:], -100)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=-100)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        return {"loss": loss.item()}

    result = run_steps("mntp", {"llm": llm}, optimizer, MNTP_LR, steps, step)
    merge_lora(llm)
    return result


def contrastive_example(example: Example, rng: random.Random, weights: dict[str, float]) -> tuple[str, str, str, str]:
    """(anchor, positive, positive's hard negative, anchor's hard negative).

    The anchor is a short English caption; each hard negative is the same phrasing with one attribute of the scene
    changed. The anchor's own edited twin is the negative that makes a single changed word count: with only the
    positive's twin, a run of 500 steps left a colour change at cosine 0.996 (EXPERIMENTS.md).
    """
    writers, writer_weights = zip(*POSITIVE_WRITERS)
    writer = rng.choices(writers, writer_weights)[0]
    attributes, attribute_weights = list(weights), list(weights.values())
    positive, negative = caption_pair(example.scene, rng.choices(attributes, attribute_weights)[0], writer, rng.randrange(1 << 30))
    while True:
        anchor, twin = caption_pair(example.scene, rng.choices(attributes, attribute_weights)[0], en_short, rng.randrange(1 << 30))
        if anchor != positive:
            return anchor, positive, negative, twin


def contrastive_loss(
    anchor: torch.Tensor, positive: torch.Tensor, negative: torch.Tensor, twin: torch.Tensor, temperature: float
) -> torch.Tensor:
    """InfoNCE: each anchor against the batch's positives, their hard negatives and its own edited twin; plus
    positive -> anchor."""
    a, p, n, t = (F.normalize(x, dim=-1) for x in (anchor, positive, negative, twin))
    labels = torch.arange(len(a))
    own_twin = (a * t).sum(dim=-1, keepdim=True)
    forward = F.cross_entropy(torch.cat([a @ p.t(), a @ n.t(), own_twin], dim=1) / temperature, labels)
    backward = F.cross_entropy(p @ a.t() / temperature, labels)
    return 0.5 * (forward + backward)


@dataclass(frozen=True)
class Phase:
    """One run of the caption-contrastive loss: its name (checkpoint and log), schedule, temperature and which
    attributes the hard negatives change, with their weights."""

    name: str
    lr: float
    temperature: float
    attributes: dict[str, float]


# One phase, from the warm-start LLM: English-Chinese, long and unseen-word positives with one-attribute twins as hard
# negatives, at twice the learning rate of the runs that left colour invisible (b-1, b-2; EXPERIMENTS.md).
CAPTION_CONTRASTIVE = Phase("contrastive", CONTRASTIVE_LR, TEMPERATURE, ATTRIBUTE_WEIGHTS)


def caption_contrastive(
    llm: LlamaEncoder, tokenizer: ByteLevelBPE, examples: list[Example], steps: int, phase: Phase = CAPTION_CONTRASTIVE, seed: int = 2
) -> dict[str, float]:
    for param in llm.parameters():
        param.requires_grad_(True)
    embeddings = [llm.embed_tokens.weight]
    rest = [p for p in llm.parameters() if p is not llm.embed_tokens.weight]
    optimizer = torch.optim.AdamW(
        [{"params": rest, "lr_scale": 1.0}, {"params": embeddings, "lr_scale": EMBEDDING_LR_SCALE, "weight_decay": 0.0}],
        lr=phase.lr,
        weight_decay=0.01,
    )

    def step(i: int) -> dict[str, float]:
        rng = random.Random(seed * 7919 + i)
        rows = [contrastive_example(e, rng, phase.attributes) for e in rng.sample(examples, CONTRASTIVE_BATCH)]
        anchors, positives, negatives, twins = (list(column) for column in zip(*rows))
        short = encode_by_length(llm, tokenizer, anchors + twins)
        anchor, twin = short[: len(rows)], short[len(rows) :]
        candidates = encode_by_length(llm, tokenizer, positives + negatives)
        positive, negative = candidates[: len(rows)], candidates[len(rows) :]
        loss = contrastive_loss(anchor, positive, negative, twin, phase.temperature)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(llm.parameters(), 1.0)
        optimizer.step()
        with torch.no_grad():
            margin = (F.cosine_similarity(anchor, positive) - F.cosine_similarity(anchor, negative)).mean()
            twin_cosine = F.cosine_similarity(anchor, twin).mean()
        return {"loss": loss.item(), "margin": margin.item(), "twin_cosine": twin_cosine.item()}

    llm.train()
    return run_steps(phase.name, {"llm": llm}, optimizer, phase.lr, steps, step)
