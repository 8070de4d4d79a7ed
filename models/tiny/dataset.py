"""Deterministic train / val / test splits: scenes, their captions, and the image size each is rendered at."""

from __future__ import annotations

import json
import multiprocessing
import os
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from .captions import en_long, en_short, zh_long, zh_short
from .scenes import Scene, preprocess, render, sample_scene
from .styles import random_canvas, render_varied

SPLIT_SEEDS = {"train": 1001, "val": 2002, "test": 3003}
CAPTION_COUNTS = {"en_short": 3, "en_long": 2, "zh_short": 2, "zh_long": 1}
WRITERS = {"en_short": en_short, "en_long": en_long, "zh_short": zh_short, "zh_long": zh_long}


@dataclass(frozen=True)
class Example:
    id: str
    scene: Scene
    width: int
    height: int
    captions: dict[str, list[str]]

    def to_json(self) -> dict:
        return {"id": self.id, "scene": self.scene.to_json(), "width": self.width, "height": self.height, "captions": self.captions}

    @staticmethod
    def from_json(data: dict) -> "Example":
        return Example(data["id"], Scene.from_json(data["scene"]), data["width"], data["height"], data["captions"])


def make_split(name: str, count: int) -> list[Example]:
    rng = random.Random(SPLIT_SEEDS[name])
    examples = []
    for i in range(count):
        scene = sample_scene(rng)
        width, height = rng.randint(96, 320), rng.randint(96, 320)
        captions = {kind: [WRITERS[kind](scene, rng) for _ in range(n)] for kind, n in CAPTION_COUNTS.items()}
        examples.append(Example(f"{name}-{i:05d}", scene, width, height, captions))
    return examples


def image_seed(example: Example) -> int:
    return SPLIT_SEEDS[example.id.split("-")[0]] * 1_000_003 + int(example.id.split("-")[1])


def render_example(example: Example) -> Image.Image:
    return render(example.scene, example.width, example.height, random.Random(image_seed(example)))


def write_split(directory: Path, examples: list[Example], with_images: bool) -> None:
    """captions.jsonl, plus one PNG per example when with_images (the files eval and the TS test read)."""
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / "captions.jsonl", "w", encoding="utf-8") as out:
        for example in examples:
            out.write(json.dumps(example.to_json(), ensure_ascii=False) + "\n")
    if with_images:
        for example in examples:
            render_example(example).save(directory / f"{example.id}.png", optimize=True)


def read_split(directory: Path) -> list[Example]:
    with open(directory / "captions.jsonl", encoding="utf-8") as lines:
        return [Example.from_json(json.loads(line)) for line in lines]


def _views(args: tuple[Example, int, int, int]) -> np.ndarray:
    example, size, views, seed = args
    rng = random.Random(seed * 1_000_003 + image_seed(example))
    out = np.empty((views, size, size, 3), dtype=np.uint8)
    out[0] = np.asarray(preprocess(render(example.scene, rng.randint(72, 144), rng.randint(72, 144), rng), size))
    for view in range(1, views):
        out[view] = np.asarray(preprocess(render_varied(example.scene, *random_canvas(rng), rng), size))
    return out


def training_pixels(examples: list[Example], size: int, views: int, seed: int) -> np.ndarray:
    """uint8 [N, views, size, size, 3], preprocessed as the daemon does: view 0 drawn as the data sets are (render, at a
    random canvas size), the others in varied styles (styles.render_varied) so that training sees many renderers.
    Each scene has its own random stream, so the result does not depend on how many processes draw it."""
    with multiprocessing.Pool(os.cpu_count()) as pool:
        return np.stack(pool.map(_views, [(e, size, views, seed) for e in examples], chunksize=64))


def pick_views(pixels: np.ndarray, idx: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One random view of each chosen scene: [B, size, size, 3] from training_pixels' [N, views, ...]."""
    return pixels[idx, rng.integers(0, pixels.shape[1], len(idx))]


def load_pixels(directory: Path, examples: list[Example], size: int) -> np.ndarray:
    """uint8 [N, size, size, 3] from the split's PNG files."""
    return np.stack([np.asarray(preprocess(Image.open(directory / f"{e.id}.png").convert("RGB"), size)) for e in examples])
