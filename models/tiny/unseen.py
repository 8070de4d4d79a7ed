"""Words the images never show: synonyms that appear only in text-only training (stage b's caption pairs), never in a
caption of stage c or of the baseline. LLM2CLIP's claim is that the LLM carries such knowledge over to images; a
CLIP text tower trained on image captions cannot. Issue 10 asks for at least 8; these are 10.
"""

from __future__ import annotations

import random
import re

UNSEEN_WORDS = {
    "red": "crimson",
    "blue": "azure",
    "purple": "violet",
    "cyan": "turquoise",
    "white": "ivory",
    "black": "charcoal",
    "green": "emerald",
    "diamond": "rhombus",
    "circle": "disc",
    "large": "huge",
}
_WORD = re.compile(r"\b(" + "|".join(UNSEEN_WORDS) + r")\b")
_ARTICLE = re.compile(r"\b([Aa]) (?=[aeiou])")


def with_unseen_words(caption: str, rng: random.Random | None = None) -> str:
    """The caption with its domain words replaced by their unseen synonyms (each with probability 1/2 given an rng,
    otherwise all), and "a" made "an" before a vowel ("an azure star")."""
    replaced = _WORD.sub(lambda m: UNSEEN_WORDS[m.group(1)] if rng is None or rng.random() < 0.5 else m.group(1), caption)
    return _ARTICLE.sub(lambda m: m.group(1) + "n ", replaced)


def uses_unseen_word(caption: str) -> bool:
    return any(re.search(rf"\b{word}\b", caption) for word in UNSEEN_WORDS.values())
