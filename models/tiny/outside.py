"""Images outside the scene domain, for stage c: application windows, text pages and charts, each paired with a caption
that says what it is.

A vision tower trained on varied renderings of flat shapes (styles.py) learns to see any flat coloured blocks as a
scene: after the first such run, real code-server screenshots sat among the scenes in embedding space (3 of 7 within
the calibration domain's threshold, against 0 before). A few outside images in every batch give the contrastive loss
a reason to keep them apart, so that the daemon's calibration domain (Mahalanobis distance from held-out scenes) can
still tell when the model is guessing. Nothing here is drawn like the test's screenshots (test/support/images.ts) or
the e2e run's real ones.
"""

from __future__ import annotations

import random

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .scenes import preprocess

CAPTIONS = (
    "a screenshot of an application window with menus and text",
    "a user interface with a sidebar, buttons and lines of text",
    "a page of written text in paragraphs",
    "a document with a heading and several paragraphs",
    "a bar chart with axes and labels",
    "a code editor showing lines of source code",
)
WORDS = "open file edit view settings search run debug terminal help project build save close window panel".split()
FONT = ImageFont.load_default()


def _text_lines(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], colour: tuple[int, int, int], rng: random.Random) -> None:
    left, top, right, bottom = box
    y = top + 4
    while y < bottom - 10:
        x = left + 4 + rng.choice((0, 0, 12, 24))
        line = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 9)))
        draw.text((x, y), line[: max(1, (right - x) // 6)], fill=colour, font=FONT)
        y += rng.choice((12, 14, 16))


def _window(width: int, height: int, rng: random.Random) -> tuple[Image.Image, int]:
    dark = rng.random() < 0.5
    base = rng.randint(20, 50) if dark else rng.randint(225, 250)
    ink = (210, 210, 210) if dark else (40, 40, 40)
    image = Image.new("RGB", (width, height), (base, base, base + rng.randint(0, 8)))
    draw = ImageDraw.Draw(image)
    bar = rng.randint(18, 30)
    accent = tuple(rng.randint(30, 220) for _ in range(3))
    draw.rectangle((0, 0, width, bar), fill=accent if rng.random() < 0.5 else (base + 15, base + 15, base + 15))
    draw.text((8, bar // 2 - 5), " ".join(rng.sample(WORDS, 4)), fill=ink, font=FONT)
    side = rng.randint(width // 8, width // 4)
    shade = max(0, base - 12) if dark else min(255, base + 5)
    draw.rectangle((0, bar, side, height), fill=(shade, shade, shade))
    _text_lines(draw, (0, bar, side, height), ink, rng)
    if rng.random() < 0.6:
        for _ in range(rng.randint(1, 4)):
            x, y = rng.randint(side + 10, max(side + 11, width - 80)), rng.randint(bar + 10, max(bar + 11, height - 30))
            draw.rounded_rectangle((x, y, x + rng.randint(40, 90), y + 20), radius=4, fill=accent)
            draw.text((x + 6, y + 5), rng.choice(WORDS), fill=(255, 255, 255), font=FONT)
    _text_lines(draw, (side + 6, bar + 6, width, height), ink, rng)
    return image, 0 if rng.random() < 0.5 else 1


def _page(width: int, height: int, rng: random.Random) -> tuple[Image.Image, int]:
    image = Image.new("RGB", (width, height), (rng.randint(235, 255),) * 3)
    draw = ImageDraw.Draw(image)
    draw.text((12, 8), " ".join(rng.sample(WORDS, 3)).title(), fill=(10, 10, 10), font=FONT)
    _text_lines(draw, (8, 28, width - 8, height), (50, 50, 50), rng)
    return image, rng.choice((2, 3))


def _chart(width: int, height: int, rng: random.Random) -> tuple[Image.Image, int]:
    image = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.line((30, 10, 30, height - 25), fill=(0, 0, 0), width=2)
    draw.line((30, height - 25, width - 10, height - 25), fill=(0, 0, 0), width=2)
    bars = rng.randint(3, 9)
    step = (width - 50) / bars
    colour = tuple(rng.randint(30, 220) for _ in range(3))
    for i in range(bars):
        top = rng.randint(20, height - 40)
        draw.rectangle((35 + i * step, top, 35 + i * step + step * 0.6, height - 26), fill=colour)
        draw.text((35 + i * step, height - 20), rng.choice(WORDS)[:4], fill=(0, 0, 0), font=FONT)
    return image, 4


def _code(width: int, height: int, rng: random.Random) -> tuple[Image.Image, int]:
    # Lines stay near the left edge, so a very wide canvas's centre crop can come out nearly empty (about 1 in 12 of
    # the code views); the shipped model was trained with them as they are.
    image = Image.new("RGB", (width, height), (rng.randint(25, 40),) * 3)
    draw = ImageDraw.Draw(image)
    y = 6
    while y < height - 10:
        x = 30 + 12 * rng.randint(0, 3)
        draw.text((4, y), str(y // 14 + 1), fill=(120, 120, 120), font=FONT)
        for word in rng.sample(WORDS, rng.randint(1, 4)):
            draw.text((x, y), word, fill=tuple(rng.randint(90, 250) for _ in range(3)), font=FONT)
            x += 6 * len(word) + 6
        y += 14
    return image, 5


def render_outside(rng: random.Random) -> tuple[Image.Image, int]:
    """One image outside the domain at 200-900 px, and the index of its caption in CAPTIONS."""
    width, height = rng.randint(200, 900), rng.randint(150, 700)
    return rng.choice((_window, _window, _page, _chart, _code))(width, height, rng)


def outside_set(count: int, size: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """uint8 [count, size, size, 3] preprocessed as the daemon does, and each image's caption index."""
    rng = random.Random(seed)
    pixels, captions = np.empty((count, size, size, 3), dtype=np.uint8), np.empty(count, dtype=np.int64)
    for i in range(count):
        image, caption = render_outside(rng)
        pixels[i], captions[i] = np.asarray(preprocess(image, size)), caption
    return pixels, captions
