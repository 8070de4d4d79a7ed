"""`npm run model:train`: every stage of the miniature LLM2CLIP, in order, each skipped when its output exists.

    data         splits (train PNG-free, val/test PNGs), BPE tokenizer
    pixels       three views of each stage-c training scene: one drawn as the data sets are, two in varied styles
                 (styles.py), with both cores
    corpus       the packed bilingual pre-training corpus
    pretrain     a. LLM next-token prediction (untied LM head) on English, Chinese, parallel, code-switched and
                 world-knowledge text
    baseline     d. CLIP baseline: vision tower + 77-token text transformer, jointly, English (in a second process,
                 beside the LLM chain)
    mntp         b1. bidirectional masked next-token prediction, LoRA, English
    warm_start   instead of a and b1, with TINY_WARM_START=<shipped folder>: its LLM, and its vision tower as stage c's
                 start
    contrastive  b2. caption-contrastive loss, full fine-tuning, English/Chinese/long/unseen-word positives,
                 one-attribute hard negatives; fails when a colour change does not move the features
                 (diagnostics.check_no_collapse)
    clip         c. frozen LLM features -> adapter (warm-up, vision frozen), then adapter + vision tower, CLIP loss,
                 English only
    ablation     e. as c, on the LLM without stage b
    ship         calibrate alt-text thresholds on val, export models/tiny-llm2clip (tiny.ship)

Every stage runs a fixed number of steps (config.STEPS). Outputs and checkpoints live in models/.work (TINY_WORK);
an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import subprocess
import sys
import shutil
import time

import numpy as np
import torch

from llm2clip.modeling import LlamaEncoder, TextAdapter, VisionTransformer

from . import config, ship
from .baseline import baseline_text_tower, train_baseline
from .bpe import ByteLevelBPE, train_merges
from .clip_training import LogitScale, extract_features, train_adapter_stage, train_clip_stage
from .config import CLIP_STAGE_SCENES, IMAGE_SIZE, SPLIT_SIZES, STEPS, VOCAB_TARGET, WARM_START, WORK, load_tokenizer
from .contrastive import CAPTION_CONTRASTIVE, caption_contrastive, mntp
from .corpus import documents
from .dataset import make_split, read_split, training_pixels, write_split
from .diagnostics import check_no_collapse, feature_report
from .outside import CAPTIONS as OUTSIDE_CAPTIONS
from .outside import outside_set
from .pretrain import new_lm_head, pack, pretrain
from .warm_start import load_onnx_weights

CORPUS_DOCUMENTS = 40000
TOKENIZER_DOCUMENTS = 8000
STAGE_CAPTIONS = (("en_short", 0), ("en_short", 1), ("en_long", 0))
OUTSIDE_IMAGES = 1500
# Views of each training scene: one as the data sets are drawn, the rest in varied styles (styles.py).
TRAINING_VIEWS = 3


def stage_data() -> None:
    splits = {name: make_split(name, count) for name, count in SPLIT_SIZES.items()}
    for name, examples in splits.items():
        write_split(WORK / "data" / name, examples, with_images=name != "train")
    if WARM_START:
        shutil.copy(WARM_START / "tokenizer.json", WORK / "tokenizer.json")
        return
    docs = documents(splits["train"], TOKENIZER_DOCUMENTS, seed=11)
    ByteLevelBPE(train_merges(docs, VOCAB_TARGET)).save(WORK / "tokenizer.json")


def stage_pixels() -> None:
    examples = read_split(WORK / "data" / "train")[:CLIP_STAGE_SCENES]
    np.save(WORK / "train_pixels.npy", training_pixels(examples, IMAGE_SIZE, TRAINING_VIEWS, seed=7))


def stage_corpus() -> None:
    tokenizer = load_tokenizer()
    docs = documents(read_split(WORK / "data" / "train"), CORPUS_DOCUMENTS, seed=11)
    stream = pack([tokenizer.encode(d) for d in docs], tokenizer.token_id("<|begin_of_text|>"), tokenizer.token_id("<|end_of_text|>"))
    np.save(WORK / "corpus.npy", stream)
    (WORK / "data" / "corpus-sample.txt").write_text("\n\n----\n\n".join(docs[:200]), encoding="utf-8")


def new_llm(tokenizer: ByteLevelBPE) -> LlamaEncoder:
    return LlamaEncoder(config.model_config(tokenizer.vocab_size).text)


def stage_pretrain() -> dict:
    tokenizer = load_tokenizer()
    llm = new_llm(tokenizer)
    head = new_lm_head(llm)
    result = pretrain(llm, head, np.load(WORK / "corpus.npy"), STEPS["pretrain"])
    torch.save(head.state_dict(), WORK / "lm_head.pt")
    torch.save(llm.state_dict(), WORK / "llm_pretrained.pt")
    return result


def stage_baseline() -> dict:
    tokenizer = load_tokenizer()
    cfg = config.model_config(tokenizer.vocab_size)
    torch.manual_seed(5)
    vision, text = VisionTransformer(cfg.vision), baseline_text_tower(tokenizer.vocab_size)
    pixels = np.load(WORK / "train_pixels.npy")
    examples = read_split(WORK / "data" / "train")[: len(pixels)]
    result, scale = train_baseline(vision, text, tokenizer, examples, pixels, STEPS["baseline"])
    torch.save({"vision": vision.state_dict(), "text": text.state_dict(), "logit_scale": scale}, WORK / "baseline.pt")
    return result


def load_llm(file: str) -> LlamaEncoder:
    llm = new_llm(load_tokenizer())
    llm.load_state_dict(torch.load(WORK / file))
    return llm


def stage_mntp() -> dict:
    llm = load_llm("llm_pretrained.pt")
    head = new_lm_head(llm)
    head.load_state_dict(torch.load(WORK / "lm_head.pt"))
    result = mntp(llm, head, load_tokenizer(), read_split(WORK / "data" / "train"), STEPS["mntp"])
    torch.save(llm.state_dict(), WORK / "llm_mntp.pt")
    return result


def stage_warm_start() -> dict:
    tokenizer = load_tokenizer()
    cfg = config.model_config(tokenizer.vocab_size)
    llm, vision = new_llm(tokenizer), VisionTransformer(cfg.vision)
    load_onnx_weights(llm, WARM_START / "llm.onnx")
    load_onnx_weights(vision, WARM_START / "vision.onnx")
    torch.save(llm.state_dict(), WORK / "llm_mntp.pt")
    torch.save({"vision": vision.state_dict()}, WORK / "vision_start.pt")
    return {"from": str(WARM_START)}


def stage_contrastive() -> dict:
    tokenizer = load_tokenizer()
    val = read_split(WORK / "data" / "val")
    llm = load_llm("llm_mntp.pt")
    before = feature_report(llm, tokenizer, val)
    result = caption_contrastive(llm, tokenizer, read_split(WORK / "data" / "train"), STEPS["contrastive"], CAPTION_CONTRASTIVE)
    llm.eval()
    after = feature_report(llm, tokenizer, val)
    report = {"rows": [["before stage b", before], ["after stage b", after]]}
    print(f"[contrastive] features {json.dumps(report)}", flush=True)
    (WORK / "feature_report.json").write_text(json.dumps(report, indent=2))
    check_no_collapse(after)
    torch.save(llm.state_dict(), WORK / "llm_contrastive.pt")
    return {**result, "features": report}


def stage_features(llm_file: str, out_file: str) -> dict:
    started = time.time()
    tokenizer = load_tokenizer()
    llm = load_llm(llm_file)
    examples = read_split(WORK / "data" / "train")[:CLIP_STAGE_SCENES]
    captions = [e.captions[kind][i] for e in examples for kind, i in STAGE_CAPTIONS]
    features = extract_features(llm, tokenizer, captions).view(len(examples), len(STAGE_CAPTIONS), -1)
    torch.save(features, WORK / out_file)
    return {"captions": len(captions), "seconds": time.time() - started}


def outside_examples(llm_file: str) -> tuple[np.ndarray, torch.Tensor]:
    """Stage c's images outside the domain (outside.py) and their captions' features from the frozen LLM."""
    pixels, captions = outside_set(OUTSIDE_IMAGES, IMAGE_SIZE, seed=9)
    features = extract_features(load_llm(llm_file), load_tokenizer(), list(OUTSIDE_CAPTIONS))
    return pixels, features[torch.from_numpy(captions)]


def stage_clip(name: str, llm_file: str, features_file: str, out_file: str) -> dict:
    tokenizer = load_tokenizer()
    cfg = config.model_config(tokenizer.vocab_size)
    vision, adapter = VisionTransformer(cfg.vision), TextAdapter(cfg.adapter)
    features = torch.load(WORK / features_file)
    pixels = np.load(WORK / "train_pixels.npy")[: len(features)]
    scale = LogitScale()
    start = "vision_start.pt" if WARM_START else "baseline.pt"
    vision.load_state_dict(torch.load(WORK / start)["vision"])
    # The new adapter first learns to map the LLM's features onto the vision tower as it is (LiT-style, cheap: the
    # image embeddings are computed once); then both train together on every rendering style (styles.py).
    warm_up = train_adapter_stage(f"{name}_adapter", vision, adapter, scale, pixels, features, STEPS["clip_adapter"])
    result = train_clip_stage(name, vision, adapter, scale, pixels, features, STEPS[name], outside_examples(llm_file))
    torch.save({"vision": vision.state_dict(), "adapter": adapter.state_dict(), "logit_scale": scale().item()}, WORK / out_file)
    return {**result, "adapter_steps": warm_up["steps"], "adapter_seconds": warm_up["seconds"]}


STAGES = {
    "data": ("tokenizer.json", stage_data),
    "pixels": ("train_pixels.npy", stage_pixels),
    "corpus": ("corpus.npy", stage_corpus),
    "pretrain": ("llm_pretrained.pt", stage_pretrain),
    "baseline": ("baseline.pt", stage_baseline),
    "mntp": ("llm_mntp.pt", stage_mntp),
    "warm_start": ("vision_start.pt", stage_warm_start),
    "contrastive": ("llm_contrastive.pt", stage_contrastive),
    "features": ("features_contrastive.pt", lambda: stage_features("llm_contrastive.pt", "features_contrastive.pt")),
    "features_ablation": ("features_pretrained.pt", lambda: stage_features("llm_pretrained.pt", "features_pretrained.pt")),
    "clip": ("llm2clip.pt", lambda: stage_clip("clip", "llm_contrastive.pt", "features_contrastive.pt", "llm2clip.pt")),
    "ablation": ("ablation.pt", lambda: stage_clip("ablation", "llm_pretrained.pt", "features_pretrained.pt", "ablation.pt")),
    "ship": ("calibration.json", lambda: ship.main()),
}
# What a warm start replaces: it has no pre-training corpus or pre-trained-only LLM of its own. The baseline is
# always trained, on the same training views, so that both splits compare against it.
FROM_SCRATCH_ONLY = ("corpus", "pretrain", "mntp", "features_ablation", "ablation")


def pipeline() -> list[str]:
    if WARM_START:
        return [name for name in STAGES if name not in FROM_SCRATCH_ONLY]
    return [name for name in STAGES if name != "warm_start"]


# Stages that run in a second process beside the LLM chain, and the first stage that needs their output. Each lane
# runs single-threaded: on this 2-core CPU one thread per lane beats two threads for one lane (0.86 against 1.96 s a
# stage-b step; /work/shared/design/tiny-model-trials.md), and the steps, not the wall clock, fix the result.
SIDE_LANE = {"baseline": "clip"}


def record_timing(name: str, entry: dict) -> None:
    """Adds one stage's entry to timings.json; both lanes write it, so under a lock."""
    with open(WORK / "timings.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        path = WORK / "timings.json"
        timings = json.loads(path.read_text()) if path.exists() else {}
        timings[name] = entry
        path.write_text(json.dumps(timings, indent=2))


def run_stage(name: str) -> None:
    output, run = STAGES[name]
    if (WORK / output).exists():
        return
    print(f"== stage {name}", flush=True)
    started = time.time()
    result = run() or {}
    record_timing(name, {"wall_s": round(time.time() - started, 1), **result})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--until", choices=list(STAGES), help="stop after this stage")
    parser.add_argument("--only", nargs="+", choices=list(STAGES), help="run just these stages (their inputs must exist)")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(max(1, (os.cpu_count() or 2) // 2))
    lanes: dict[str, subprocess.Popen] = {}
    for name in pipeline():
        if args.only and name not in args.only:
            continue
        for lane, needed_by in list(SIDE_LANE.items()):
            if name == needed_by and lane in lanes and lanes.pop(lane).wait() != 0:
                raise SystemExit(f"stage {lane} failed in its side lane")
        if name in SIDE_LANE and not args.only and not (WORK / STAGES[name][0]).exists():
            lanes[name] = subprocess.Popen([sys.executable, "-m", "tiny.train", "--only", name])
        else:
            run_stage(name)
        if name == args.until:
            break
    for lane, process in lanes.items():
        if process.wait() != 0:
            raise SystemExit(f"stage {lane} failed in its side lane")
    print("training done", flush=True)


if __name__ == "__main__":
    main()
