"""The LLM's pre-training text: monolingual, parallel and code-switched documents about scenes.

The web teaches Llama that 红色 means red because the two occur in the same contexts (ARCHITECTURE.md). The
miniature gets the same chance: parallel documents put both languages side by side, code-switched ones put a
Chinese word where the English one would stand (and the reverse), and a few glossaries list the pairs.
Knowledge documents (knowledge.py) state facts in which one colour or shape word cannot stand for another.
"""

from __future__ import annotations

import random
import re

from .dataset import Example
from .domain import ZH_COLOURS, ZH_POSITIONS, ZH_SHAPES
from .knowledge import knowledge_document
from .text_format import chat_text

EN_TO_ZH = {
    **ZH_COLOURS,
    **ZH_SHAPES,
    **{f"{v} {h}": ZH_POSITIONS[f"{v}-{h}"] for v in ("top", "bottom") for h in ("left", "right")},
    **{f"{v}-{h}": ZH_POSITIONS[f"{v}-{h}"] for v in ("top", "bottom") for h in ("left", "right")},
    **{f"{a} {h}": ZH_POSITIONS[f"{v}-{h}"] for v, a in (("top", "upper"), ("bottom", "lower")) for h in ("left", "right")},
    **{p: ZH_POSITIONS[p] for p in ("left", "right", "top", "bottom")},
    "small": "小",
    "little": "小",
    "large": "大",
    "big": "大",
    "background": "背景",
    "middle": "中间",
    "center": "中间",
}
ZH_TO_EN = {zh: en for en, zh in {**ZH_COLOURS, **ZH_SHAPES, **{k.replace("-", " "): v for k, v in ZH_POSITIONS.items()}}.items()}
ZH_TO_EN.update({"背景": "background"})

_EN_TERMS = re.compile(r"\b(" + "|".join(sorted(map(re.escape, EN_TO_ZH), key=len, reverse=True)) + r")\b")
_ZH_TERMS = re.compile("(" + "|".join(sorted(map(re.escape, ZH_TO_EN), key=len, reverse=True)) + ")")


def code_switch(text: str, rng: random.Random, rate: float = 0.5) -> str:
    """Swap domain terms into the other language, each occurrence with probability `rate`."""
    if _ZH_TERMS.search(text) and not _EN_TERMS.search(text):
        return _ZH_TERMS.sub(lambda m: f" {ZH_TO_EN[m.group(1)]} " if rng.random() < rate else m.group(1), text).strip()
    return _EN_TERMS.sub(lambda m: EN_TO_ZH[m.group(1)] if rng.random() < rate else m.group(1), text)


def _glossary(rng: random.Random) -> str:
    pairs = rng.sample(sorted({**EN_TO_ZH}.items()), 8)
    sep = rng.choice((" = ", ": ", " - ", "，"))
    return "\n".join(f"{en}{sep}{zh}" if rng.random() < 0.5 else f"{zh}{sep}{en}" for en, zh in pairs)


# Share of each kind of document. A mix with twice the code-switched text did not align the languages any faster
# in a few hundred steps (EXPERIMENTS.md).
MIX = (("en", 0.18), ("zh", 0.18), ("parallel", 0.24), ("code_switched", 0.17), ("glossary", 0.03), ("chat", 0.10), ("knowledge", 0.10))


def document(example: Example, rng: random.Random) -> str:
    c = example.captions
    en = rng.choice(c["en_short"] + c["en_long"])
    zh = rng.choice(c["zh_short"] + c["zh_long"])
    kind = rng.choices([k for k, _ in MIX], weights=[w for _, w in MIX])[0]
    if kind == "en":
        return " ".join(rng.sample(c["en_short"] + c["en_long"], rng.randint(1, 3)))
    if kind == "zh":
        return "".join(rng.sample(c["zh_short"] + c["zh_long"], rng.randint(1, 3)))
    if kind == "parallel":
        if rng.random() < 0.5:
            return en + rng.choice(("\n", "\n\n", " / ", " | ", "\nIn Chinese: ", "\n中文：")) + zh
        return zh + rng.choice(("\n", "\n\n", " / ", " | ", "\nIn English: ", "\n英文：")) + en
    if kind == "code_switched":
        return code_switch(rng.choice((en, zh)), rng)
    if kind == "glossary":
        return _glossary(rng)
    if kind == "knowledge":
        return knowledge_document(rng)
    return chat_text(rng.choice((en, zh)))


def documents(examples: list[Example], count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [document(rng.choice(examples), rng) for _ in range(count)]
