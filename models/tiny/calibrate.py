"""Alt-text verdict thresholds from the model's cosine distribution on the VALIDATION split (never the test split).

Matched pairs are an image and each of its short English captions; mismatched pairs are an image and another
scene's caption. `mismatch` is set so that 95% of right captions score above it and `good` so that 99% of wrong
captions score below it; both are clamped to the threshold of best balanced accuracy, so that good >= mismatch.
"""

from __future__ import annotations

import numpy as np

from .dataset import Example
from .encoders import DualEncoder


def best_split(matched: np.ndarray, mismatched: np.ndarray) -> float:
    """The cosine threshold with the best balanced accuracy (matched >= t, mismatched < t), on a grid of 2001 quantiles."""
    candidates = np.quantile(np.concatenate([matched, mismatched]), np.linspace(0, 1, 2001))
    matched_at_or_above = 1 - np.searchsorted(np.sort(matched), candidates, side="left") / matched.size
    mismatched_below = np.searchsorted(np.sort(mismatched), candidates, side="left") / mismatched.size
    return float(candidates[int(np.argmax(matched_at_or_above + mismatched_below))])


def calibrate(row: DualEncoder, examples: list[Example], pixels: np.ndarray) -> dict:
    images = row.images(pixels)
    captions = [e.captions["en_short"] for e in examples]
    per_kind = [row.texts([c[k] for c in captions]) for k in range(len(captions[0]))]
    sims = [(images @ t.t()).numpy() for t in per_kind]
    eye = np.eye(len(examples), dtype=bool)
    matched = np.concatenate([s[eye] for s in sims])
    mismatched = np.concatenate([s[~eye] for s in sims])
    split = best_split(matched, mismatched)
    good = max(split, float(np.percentile(mismatched, 99)))
    mismatch = min(split, float(np.percentile(matched, 5)))
    return {
        "good": round(good, 4),
        "mismatch": round(mismatch, 4),
        "balanced_split": round(split, 4),
        "matched_mean": float(matched.mean()),
        "mismatched_mean": float(mismatched.mean()),
        "matched_at_or_above_good": float(np.mean(matched >= good)),
        "mismatched_below_mismatch": float(np.mean(mismatched < mismatch)),
        "matched_below_mismatch": float(np.mean(matched < mismatch)),
        "mismatched_at_or_above_good": float(np.mean(mismatched >= good)),
        "pairs": {"matched": int(matched.size), "mismatched": int(mismatched.size)},
    }
