"""Write models/tiny-llm2clip/: the three fp32 ONNX graphs, manifest, tokenizer, caption bank, calibrated
alt-text thresholds, the self-check, the fixed 100-scene test subset for the TS check, and the sample asset set.
"""

from __future__ import annotations

import json
import shutil

from llm2clip.manifest import build_manifest, write_manifest
from llm2clip.onnx_export import check, export_float32

from . import config
from .calibrate import calibrate
from .config import IMAGE_SIZE, SHIP, WORK, load_tokenizer
from .dataset import load_pixels, read_split, render_example
from .domain import COLOURS, POSITIONS, SHAPES, SIZES
from .encoders import load_llm2clip
from .outside import CAPTIONS as OUTSIDE_CAPTIONS
from .samples import write_samples
from .scenes import Scene, SceneObject, render

TESTSET_SCENES = 100
DOMAIN_DESCRIPTION = (
    f"synthetic scenes of 1 to 4 flat shapes ({', '.join(SHAPES)}) in {len(COLOURS)} colours on a plain background"
)
CAPTION_TEMPLATES = [
    "a {size} {colour} {shape} at the {position}",
    "a {colour} {shape} at the {position}",
    "a {size} {colour} {shape}",
    "a {colour} {shape}",
]


def caption_bank() -> dict:
    captions = [f"a {colour} {shape}" for colour in COLOURS for shape in SHAPES]
    captions += [f"a plain {colour} background" for colour in COLOURS]
    return {
        "captions": captions,
        "grammar": {
            "slots": {"size": list(SIZES), "colour": list(COLOURS), "shape": list(SHAPES), "position": list(POSITIONS)},
            "templates": CAPTION_TEMPLATES,
        },
    }


def write_self_check() -> dict:
    """samples/self-check.png: a large red circle in the centre of a white scene, drawn like the training data."""
    scene = Scene((SceneObject("circle", "red", "large", "center"),), "white")
    render(scene, 128, 128).save(SHIP / "samples" / "self-check.png", optimize=True)
    return {"image": "samples/self-check.png", "captions": ["a red circle", "a blue square", "a yellow star"]}


def write_testset() -> None:
    """The first 100 test scenes as PNG files with their captions (what test/models/tiny-model.test.ts reads)."""
    out = SHIP / "testset"
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    examples = read_split(WORK / "data" / "test")[:TESTSET_SCENES]
    rows = []
    for example in examples:
        render_example(example).save(out / f"{example.id}.png", optimize=True)
        rows.append({"image": f"{example.id}.png", "captions": example.captions})
    (out / "captions.json").write_text(json.dumps(rows, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def main() -> None:
    tokenizer = load_tokenizer()
    row, llm, adapter = load_llm2clip("tiny LLM2CLIP", tokenizer, "llm_contrastive.pt", "llm2clip.pt")
    val_dir = WORK / "data" / "val"
    val = read_split(val_dir)
    calibration = calibrate(row, val, load_pixels(val_dir, val, IMAGE_SIZE))
    (WORK / "calibration.json").write_text(json.dumps(calibration, indent=2))

    SHIP.mkdir(parents=True, exist_ok=True)
    for stem, module in (("vision", row.vision), ("llm", llm), ("adapter", adapter)):
        export_float32(module, SHIP / f"{stem}.onnx")
        check(SHIP / f"{stem}.onnx")
    tokenizer.save(SHIP / "tokenizer.json")
    (SHIP / "caption_bank.json").write_text(json.dumps(caption_bank(), indent=1) + "\n", encoding="utf-8")
    write_samples(SHIP / "samples")
    cfg = config.model_config(tokenizer.vocab_size)
    cfg.logit_scale = round(float(row.logit_scale), 4)
    manifest = build_manifest(
        name="tiny-llm2clip",
        cfg=cfg,
        max_length=512,
        float16=False,
        thresholds={"good": calibration["good"], "mismatch": calibration["mismatch"]},
        caption_bank="caption_bank.json",
        self_check=write_self_check(),
        logit_scale_source="trained with the CLIP loss (models/tiny/clip_training.py)",
        # The rules training used: text_format.llm2vec_ids strips both ends, inserts BOS and cuts whole words;
        # scenes.preprocess rounds half to even; dataset.py's convert("RGB") drops alpha.
        caption_handling="whole_words",
        resize_rounding="half_even",
        alpha="drop",
        domain={"description": DOMAIN_DESCRIPTION, "images": "testset", "outside_captions": list(OUTSIDE_CAPTIONS)},
    )
    write_manifest(manifest, SHIP)
    # The architecture, as the exporter writes it for every model: what the benchmark's PyTorch peer builds.
    (SHIP / "config.json").write_text(json.dumps(cfg.to_dict(), indent=2) + "\n", encoding="utf-8")
    write_testset()
    sizes = {p.name: round(p.stat().st_size / 1e6, 2) for p in sorted(SHIP.glob("*.onnx"))}
    print(json.dumps({"thresholds": manifest["alt_text"]["thresholds"], "logit_scale": cfg.logit_scale, "onnx_mb": sizes}), flush=True)
    if sum(sizes.values()) > 30:
        raise SystemExit(f"the shipped graphs take {sum(sizes.values()):.1f} MB, over the 30 MB budget")


if __name__ == "__main__":
    main()
