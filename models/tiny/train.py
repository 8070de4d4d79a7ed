"""`npm run model:train`: every stage of the miniature LLM2CLIP, in order, each skipped when its output exists.

    data      splits (train PNG-free, val/test PNGs), training pixels, BPE tokenizer
    corpus    the packed bilingual pre-training corpus
    pretrain  a. LLM next-token prediction on English, Chinese, parallel and code-switched text
    baseline  d. CLIP baseline: vision tower + 77-token text transformer, jointly, English
    mntp      b1. bidirectional masked next-token prediction, LoRA, English
    simcse    b2. supervised caption-contrastive loss, LoRA, English
    clip      c. frozen LLM features -> adapter + vision tower (from the baseline's), CLIP loss, English
    ablation  e. as c, on the LLM without stage b
    ship      calibrate alt-text thresholds on val, export models/tiny-llm2clip (tiny.ship)

Outputs and checkpoints live in models/.work (TINY_WORK); an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import argparse
import json
import random
import time

import numpy as np
import torch

from llm2clip.modeling import LlamaEncoder, TextAdapter, VisionTransformer

from . import config, ship
from .baseline import baseline_text_tower, train_baseline
from .bpe import ByteLevelBPE, train_merges
from .clip_training import extract_features, train_clip_stage
from .config import BUDGETS, CLIP_STAGE_SCENES, IMAGE_SIZE, SPLIT_SIZES, VOCAB_TARGET, WORK, load_tokenizer
from .contrastive import mntp, simcse
from .corpus import documents
from .dataset import make_split, read_split, training_pixels, write_split
from .pretrain import pack, pretrain

CORPUS_DOCUMENTS = 40000
TOKENIZER_DOCUMENTS = 8000
STAGE_CAPTIONS = (("en_short", 0), ("en_short", 1), ("en_long", 0))


def stage_data() -> None:
    splits = {name: make_split(name, count) for name, count in SPLIT_SIZES.items()}
    for name, examples in splits.items():
        write_split(WORK / "data" / name, examples, with_images=name != "train")
    np.save(WORK / "train_pixels.npy", training_pixels(splits["train"], IMAGE_SIZE, random.Random(7)))
    docs = documents(splits["train"], TOKENIZER_DOCUMENTS, seed=11)
    ByteLevelBPE(train_merges(docs, VOCAB_TARGET)).save(WORK / "tokenizer.json")


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
    result = pretrain(llm, np.load(WORK / "corpus.npy"), BUDGETS["pretrain"])
    torch.save(llm.state_dict(), WORK / "llm_pretrained.pt")
    return result


def stage_baseline() -> dict:
    tokenizer = load_tokenizer()
    cfg = config.model_config(tokenizer.vocab_size)
    torch.manual_seed(5)
    vision, text = VisionTransformer(cfg.vision), baseline_text_tower(tokenizer.vocab_size)
    examples = read_split(WORK / "data" / "train")
    result, scale = train_baseline(vision, text, tokenizer, examples, np.load(WORK / "train_pixels.npy"), BUDGETS["baseline"])
    torch.save({"vision": vision.state_dict(), "text": text.state_dict(), "logit_scale": scale}, WORK / "baseline.pt")
    return result


def fine_tune_llm(train, budget: str, llm_in: str, llm_out: str) -> dict:
    """One step of the LLM's chain: load `llm_in`, run `train` on the training split, save `llm_out`."""
    tokenizer = load_tokenizer()
    llm = new_llm(tokenizer)
    llm.load_state_dict(torch.load(WORK / llm_in))
    result = train(llm, tokenizer, read_split(WORK / "data" / "train"), BUDGETS[budget])
    torch.save(llm.state_dict(), WORK / llm_out)
    return result


def stage_mntp() -> dict:
    return fine_tune_llm(mntp, "mntp", "llm_pretrained.pt", "llm_mntp.pt")


def stage_simcse() -> dict:
    return fine_tune_llm(simcse, "simcse", "llm_mntp.pt", "llm_contrastive.pt")


def stage_features(llm_file: str, out_file: str) -> dict:
    started = time.time()
    tokenizer = load_tokenizer()
    llm = new_llm(tokenizer)
    llm.load_state_dict(torch.load(WORK / llm_file))
    examples = read_split(WORK / "data" / "train")[:CLIP_STAGE_SCENES]
    captions = [e.captions[kind][i] for e in examples for kind, i in STAGE_CAPTIONS]
    features = extract_features(llm, tokenizer, captions).view(len(examples), len(STAGE_CAPTIONS), -1)
    torch.save(features, WORK / out_file)
    return {"captions": len(captions), "seconds": time.time() - started}


def stage_clip(name: str, features_file: str, out_file: str) -> dict:
    tokenizer = load_tokenizer()
    cfg = config.model_config(tokenizer.vocab_size)
    vision, adapter = VisionTransformer(cfg.vision), TextAdapter(cfg.adapter)
    vision.load_state_dict(torch.load(WORK / "baseline.pt")["vision"])
    features = torch.load(WORK / features_file)
    pixels = np.load(WORK / "train_pixels.npy", mmap_mode="r")[: len(features)]
    result, scale = train_clip_stage(name, vision, adapter, np.ascontiguousarray(pixels), features, BUDGETS[name])
    torch.save({"vision": vision.state_dict(), "adapter": adapter.state_dict(), "logit_scale": scale}, WORK / out_file)
    return result


STAGES = {
    "data": ("tokenizer.json", stage_data),
    "corpus": ("corpus.npy", stage_corpus),
    "pretrain": ("llm_pretrained.pt", stage_pretrain),
    "baseline": ("baseline.pt", stage_baseline),
    "mntp": ("llm_mntp.pt", stage_mntp),
    "simcse": ("llm_contrastive.pt", stage_simcse),
    "features": ("features_contrastive.pt", lambda: stage_features("llm_contrastive.pt", "features_contrastive.pt")),
    "features_ablation": ("features_pretrained.pt", lambda: stage_features("llm_pretrained.pt", "features_pretrained.pt")),
    "clip": ("llm2clip.pt", lambda: stage_clip("clip", "features_contrastive.pt", "llm2clip.pt")),
    "ablation": ("ablation.pt", lambda: stage_clip("ablation", "features_pretrained.pt", "ablation.pt")),
    "ship": ("calibration.json", lambda: ship.main()),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--until", choices=list(STAGES), help="stop after this stage")
    parser.add_argument("--only", nargs="+", choices=list(STAGES), help="run just these stages (their inputs must exist)")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    timings_path = WORK / "timings.json"
    for name, (output, run) in STAGES.items():
        if args.only and name not in args.only:
            continue
        if not (WORK / output).exists():
            print(f"== stage {name}", flush=True)
            started = time.time()
            result = run() or {}
            # Re-read: stages may run in two processes at once (--only), each adding its own entries.
            timings = json.loads(timings_path.read_text()) if timings_path.exists() else {}
            timings[name] = {"wall_s": round(time.time() - started, 1), **result}
            timings_path.write_text(json.dumps(timings, indent=2))
        if name == args.until:
            break
    print("training done", flush=True)


if __name__ == "__main__":
    main()
