"""Peer (b) of `npm run bench`: what a user would otherwise run, PyTorch on the CPU, in-process.

It builds the served model's architecture from its ``config.json`` with the project's own modules (models/llm2clip),
preprocesses images with PIL as the manifest declares, and times batched forward passes. The weights are random:
dense layers cost the same whatever their values, and the exported graphs do not carry names that map back onto the
modules. Texts arrive already tokenized by the daemon's LLM2Vec tokenizer, so tokenization is not charged to this peer.

Reads a JSON job on stdin, prints one JSON object of results.
"""
import json
import os
import sys
import time

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "models"))
from llm2clip.modeling import ModelConfig, build_modules  # noqa: E402


def preprocess(path: str, image: dict) -> np.ndarray:
    """Bicubic shortest-side resize, centre crop, mean/std: as the manifest declares and the daemon does."""
    img = Image.open(path)
    if img.mode in ("RGBA", "LA", "P"):
        img = img.convert("RGBA")
        background = Image.new("RGBA", img.size, image.get("background", "#ffffff"))
        img = Image.alpha_composite(background, img)
    img = img.convert("RGB")
    size = image["size"]
    w, h = img.size
    scale = size / min(w, h)
    img = img.resize((max(size, round(w * scale)), max(size, round(h * scale))), Image.BICUBIC)
    w, h = img.size
    left, top = (w - size) // 2, (h - size) // 2
    img = img.crop((left, top, left + size, top + size))
    x = np.asarray(img, dtype=np.float32) / 255.0
    x = (x - np.array(image["mean"], dtype=np.float32)) / np.array(image["std"], dtype=np.float32)
    return x.transpose(2, 0, 1)


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(np.ceil(p / 100 * len(ordered))) - 1))]


def run_batches(items, batch, step):
    """Runs `step` over consecutive batches of `items`; returns throughput and per-item latency percentiles."""
    latencies = []
    started = time.perf_counter()
    for i in range(0, len(items), batch):
        chunk = items[i : i + batch]
        t0 = time.perf_counter()
        step(chunk)
        # Every item of a batch waits for the whole batch.
        latencies += [(time.perf_counter() - t0) * 1000] * len(chunk)
    seconds = time.perf_counter() - started
    return {"throughput": len(items) / seconds, "p50Ms": percentile(latencies, 50), "p99Ms": percentile(latencies, 99)}


def main() -> None:
    job = json.load(sys.stdin)
    torch.set_num_threads(os.cpu_count() or 1)
    manifest = json.load(open(os.path.join(job["model"], "manifest.json")))
    config = ModelConfig(**json.load(open(os.path.join(job["model"], "config.json"))))
    vision, llm, adapter = (m.eval() for m in build_modules(config))

    def embed_images(paths):
        pixels = torch.from_numpy(np.stack([preprocess(p, manifest["image"]) for p in paths]))
        return torch.nn.functional.normalize(vision(pixels), dim=-1)

    def embed_texts(rows):
        length = max(len(r["ids"]) for r in rows)
        ids = torch.full((len(rows), length), job["padId"], dtype=torch.long)
        attention = torch.zeros((len(rows), length), dtype=torch.long)
        embed = torch.zeros((len(rows), length), dtype=torch.long)
        for r, row in enumerate(rows):
            n = len(row["ids"])
            ids[r, length - n :] = torch.tensor(row["ids"])
            attention[r, length - n :] = 1
            embed[r, length - row["embedLength"] :] = 1
        return torch.nn.functional.normalize(adapter(llm(ids, attention, embed)), dim=-1)

    results = {"threads": torch.get_num_threads(), "torch": torch.__version__, "images": {}, "texts": {}}
    with torch.inference_mode():
        embed_images(job["images"][:2])
        embed_texts(job["texts"][:2])
        for batch in job["batches"]:
            results["images"][str(batch)] = run_batches(job["images"], batch, embed_images)
            results["texts"][str(batch)] = run_batches(job["texts"], batch, embed_texts)
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
