"""EVAL.md and its chart, from the eval results, the stage timings and the calibration."""

from __future__ import annotations

import json
import platform
from pathlib import Path

import torch

from .diagnostics import MAX_COLOUR_COSINE
from .encoders import BASELINE, LLM2CLIP, NO_CONTRASTIVE

KIND_LABELS = {"en_short": "en-short", "en_long": "en-long", "zh_short": "zh-short", "zh_long": "zh-long", "en_unseen": "unseen words"}
CHART = "eval-chart.png"


def pct(x: float) -> str:
    return f"{100 * x:.1f}"


def _row(results: dict, name: str) -> dict | None:
    return results.get(name) or results.get(f"{name} (recorded)")


def _targets(results: dict, in_distribution: dict) -> list[tuple[str, str, bool]]:
    """Issue 10's model targets on one split (`results`); CRA always from the in-distribution split, the only one with
    two English phrasings per scene."""
    tiny, base, ablation = results[LLM2CLIP], _row(results, BASELINE), _row(in_distribution, NO_CONTRASTIVE)
    r1 = lambda row, kind: row[kind]["i2t_r1"]  # noqa: E731
    zh_tiny = min(r1(tiny, "zh_short"), r1(tiny, "zh_long"))
    rows = [
        ("zh-short and zh-long I2T R@1 ≥ 60%", f"{pct(zh_tiny)}% (lower of the two)", zh_tiny >= 0.60),
        ("captions with unseen words I2T R@1 ≥ 60%", f"{pct(r1(tiny, 'en_unseen'))}%", r1(tiny, "en_unseen") >= 0.60),
    ]
    if base:
        zh_base = max(r1(base, "zh_short"), r1(base, "zh_long"))
        rows = [
            (
                "en-short I2T R@1 ≥ 85% and ≤ 3 pts under the baseline",
                f"{pct(r1(tiny, 'en_short'))}% vs {pct(r1(base, 'en_short'))}%",
                r1(tiny, "en_short") >= max(0.85, r1(base, "en_short") - 0.03),
            ),
            (
                "en-long I2T R@1 ≥ 85% and ≥ baseline + 30 pts",
                f"{pct(r1(tiny, 'en_long'))}% vs {pct(r1(base, 'en_long'))}%",
                r1(tiny, "en_long") >= max(0.85, r1(base, "en_long") + 0.30),
            ),
            *rows,
            ("baseline zh I2T R@1 near chance (≤ 5%)", f"{pct(zh_base)}% (higher of the two)", zh_base <= 0.05),
        ]
    if ablation:
        rows.append((
            "CRA higher with the contrastive stage",
            f"{pct(in_distribution[LLM2CLIP]['cra']['text_embedding'])}% vs {pct(ablation['cra']['text_embedding'])}%",
            in_distribution[LLM2CLIP]["cra"]["text_embedding"] > ablation["cra"]["text_embedding"],
        ))
    return rows


def _ood_lines(ood: dict) -> list[str]:
    scenes = next(iter(ood.values()))["en_unseen"]
    lines = [
        "",
        "## Out-of-distribution split, R@1 (%)",
        "",
        "Scenes of the same domain drawn in a held-out style (no anti-aliasing, outlines, gradient fills, rotation, noise,",
        "JPEG, 64–512 px) and captioned with held-out templates (`ood.py`); 100-way, averaged over groups. Issue 10's",
        f"targets are measured here. Unseen words: {scenes['scenes']} scenes whose short caption uses one.",
        "",
        "| model | " + " | ".join(f"{label} I2T | {label} T2I" for label in KIND_LABELS.values()) + " |",
        "| --- | " + " | ".join("---: | ---:" for _ in KIND_LABELS) + " |",
    ]
    for name, res in ood.items():
        lines.append(f"| {name} | " + " | ".join(f"{pct(res[k]['i2t_r1'])} | {pct(res[k]['t2i_r1'])}" for k in KIND_LABELS) + " |")
    return lines


def _feature_lines(features: dict) -> list[str]:
    """The attribute-collapse diagnostic (diagnostics.py) for each LLM measured: features["rows"] = [[label, report]]."""
    attributes = list(features["rows"][0][1]["attribute_cosine"])
    lines = [
        "",
        "## Attribute collapse (pooled LLM features, validation split)",
        "",
        "Mean cosine between a caption's features and those of the same caption with one attribute changed (lower: the",
        f"attribute is visible); zh → en is 100-way retrieval on the features. Training fails when colour is ≥ {MAX_COLOUR_COSINE}.",
        "",
        "| LLM | " + " | ".join(attributes) + " | zh → en R@1 |",
        "| --- | " + " | ".join("---:" for _ in attributes) + " | ---: |",
    ]
    for label, row in features["rows"]:
        lines.append(f"| {label} | " + " | ".join(f"{row['attribute_cosine'][a]:.4f}" for a in attributes) + f" | {pct(row['zh_to_en_r1'])}% |")
    return lines


def draw_chart(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = [("en_short", "en-short"), ("en_long", "en-long"), ("zh_short", "zh-short"), ("zh_long", "zh-long")]
    fig, ax = plt.subplots(figsize=(9, 4.2), dpi=100)
    width = 0.8 / len(results)
    for r, (name, res) in enumerate(results.items()):
        values = [res[k]["i2t_r1"] * 100 for k, _ in groups] + [res["cra"]["text_embedding"] * 100]
        xs = [i + (r - (len(results) - 1) / 2) * width for i in range(len(values))]
        bars = ax.bar(xs, values, width, label=name)
        ax.bar_label(bars, fmt="%.0f", fontsize=7, padding=1)
    ax.set_xticks(range(len(groups) + 1))
    ax.set_xticklabels([f"{label}\nI2T R@1" for _, label in groups] + ["CRA\n(en caption 1 → 2)"])
    ax.set_ylabel("% (100-way, test split)")
    ax.set_ylim(0, 105)
    ax.axhline(60, color="gray", linestyle=":", linewidth=1)
    ax.legend(fontsize=8, loc="upper right")
    ax.set_title("Tiny LLM2CLIP vs CLIP baseline vs no caption-contrastive stage")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def write_report(
    results: dict,
    timings: dict,
    test_scenes: int,
    ship: Path,
    calibration: dict | None = None,
    sizes: dict | None = None,
    notes: str = "",
    features: dict | None = None,
    ood: dict | None = None,
) -> None:
    ship.mkdir(parents=True, exist_ok=True)
    draw_chart(results, ship / CHART)
    lines = [
        "# Tiny LLM2CLIP: evaluation",
        "",
        f"Held-out test split: {test_scenes} scenes, scored as {test_scenes // 100} groups of 100 (100-way retrieval), averaged.",
        "Captions: the first caption of each kind; CRA is each scene's first English short caption retrieving its second",
        "(a different phrasing) among the group's. Generated by `npm run model:eval`; nothing was tuned on the test split.",
        "",
        f"![I2T R@1 and CRA per row]({CHART})",
        "",
        "## Retrieval, R@1 (%)",
        "",
        "| model | " + " | ".join(f"{label} I2T | {label} T2I" for label in KIND_LABELS.values()) + " | CRA |",
        "| --- | " + " | ".join("---: | ---:" for _ in KIND_LABELS) + " | ---: |",
    ]
    for name, res in results.items():
        cells = [f"{pct(res[k]['i2t_r1'])} | {pct(res[k]['t2i_r1'])}" if k in res else "– | –" for k in KIND_LABELS]
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {pct(res['cra']['text_embedding'])} |")
    lines += ["", "## Retrieval, R@5 (%)", "", "| model | " + " | ".join(f"{label} I2T | {label} T2I" for label in KIND_LABELS.values()) + " |"]
    lines.append("| --- | " + " | ".join("---: | ---:" for _ in KIND_LABELS) + " |")
    for name, res in results.items():
        lines.append(f"| {name} | " + " | ".join(f"{pct(res[k]['i2t_r5'])} | {pct(res[k]['t2i_r5'])}" if k in res else "– | –" for k in KIND_LABELS) + " |")
    llm_cra = {n: r["cra"]["llm_features"] for n, r in results.items() if "llm_features" in r["cra"]}
    if llm_cra:
        lines += ["", "CRA on the pooled LLM features themselves (the paper's measure, before the adapter): "
                  + ", ".join(f"{n}: {pct(v)}%" for n, v in llm_cra.items()) + "."]
    if ood:
        lines += _ood_lines(ood)
    splits = ([("out-of-distribution split, where issue 10 sets them", ood)] if ood else []) + [("in-distribution test split", results)]
    for title, split in splits:
        lines += ["", f"## Targets ({title})", "", "| target | measured | met |", "| --- | --- | --- |"]
        lines += [f"| {t} | {m} | {'yes' if ok else '**no**'} |" for t, m, ok in _targets(split, results)]
    if features:
        lines += _feature_lines(features)
    lines += [
        "",
        "## Training",
        "",
        f"Device: CPU only ({platform.machine()}, 2 cores shared with other jobs; torch {torch.__version__}). Each stage runs",
        "a fixed number of steps and its learning rate follows their fraction, so a busier CPU only takes longer.",
        "",
        "| stage | wall time (s) | steps |",
        "| --- | ---: | ---: |",
    ]
    for stage, t in timings.items():
        lines.append(f"| {stage} | {t['wall_s']:.0f} | {t.get('steps', '')} |")
    lines.append(f"| **total** | {sum(t['wall_s'] for t in timings.values()):.0f} | |")
    if sizes:
        lines += ["", "## Sizes", "", "| part | parameters | file | MB |", "| --- | ---: | --- | ---: |"]
        lines += [f"| {part} | {s['parameters']:,} | {s['file']} | {s['mb']:.2f} |" for part, s in sizes.items()]
    if calibration:
        lines += [
            "",
            "## Alt-text thresholds (validation split)",
            "",
            "Cosine between an image and a caption; matched = the image's own short English captions, mismatched = other scenes'.",
            "",
            "```json",
            json.dumps(calibration, indent=2),
            "```",
        ]
    if notes:
        lines += ["", "## Run notes", "", notes.strip()]
    (ship / "EVAL.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
