"""How much of a caption the pooled LLM features keep: the attribute-collapse check that stage b must pass.

For validation captions, the cosine between a caption's features and those of the same caption with one attribute
changed (attributes.caption_pair). Near 1 means the attribute is invisible to everything downstream: issue 10 found
0.9997 for colour after the first recipe's stage b. Also zh -> en retrieval on the features, 100-way.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from llm2clip.modeling import LlamaEncoder

from .attributes import ATTRIBUTES, caption_pair
from .bpe import ByteLevelBPE
from .captions import en_short
from .clip_training import extract_features
from .dataset import Example

# After stage b a colour change must move a caption's features at least this far (cosine below it), or training fails.
MAX_COLOUR_COSINE = 0.9
GROUP = 100
# Validation scenes the diagnostic reads: two 100-way groups.
SCENES = 200


def attribute_cosines(llm: LlamaEncoder, tokenizer: ByteLevelBPE, examples: list[Example]) -> dict[str, float]:
    result = {}
    for attribute in ATTRIBUTES:
        pairs = [caption_pair(e.scene, attribute, en_short, i) for i, e in enumerate(examples)]
        original = extract_features(llm, tokenizer, [p[0] for p in pairs])
        edited = extract_features(llm, tokenizer, [p[1] for p in pairs])
        result[attribute] = round(F.cosine_similarity(original, edited).mean().item(), 4)
    return result


def zh_to_en_r1(llm: LlamaEncoder, tokenizer: ByteLevelBPE, examples: list[Example]) -> float:
    zh = F.normalize(extract_features(llm, tokenizer, [e.captions["zh_short"][0] for e in examples]), dim=-1)
    en = F.normalize(extract_features(llm, tokenizer, [e.captions["en_short"][0] for e in examples]), dim=-1)
    hits = []
    for start in range(0, len(examples) - GROUP + 1, GROUP):
        sim = zh[start : start + GROUP] @ en[start : start + GROUP].t()
        hits.append((sim.argmax(dim=1) == torch.arange(GROUP)).float().mean().item())
    return round(sum(hits) / len(hits), 4)


def feature_report(llm: LlamaEncoder, tokenizer: ByteLevelBPE, examples: list[Example]) -> dict:
    examples = examples[:SCENES]
    return {"attribute_cosine": attribute_cosines(llm, tokenizer, examples), "zh_to_en_r1": zh_to_en_r1(llm, tokenizer, examples)}


def check_no_collapse(report: dict) -> None:
    colour = report["attribute_cosine"]["colour"]
    if colour >= MAX_COLOUR_COSINE:
        raise SystemExit(
            f"attribute collapse: a colour change leaves the caption features at cosine {colour:.4f} "
            f"(must be below {MAX_COLOUR_COSINE}); stage b did not teach the LLM to see colour"
        )
