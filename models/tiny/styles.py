"""Varied rendering for training images (issue 10, robustness): the same scene drawn many ways, so that the vision
tower learns the domain (shapes, colours, sizes, positions, backgrounds) rather than one generator's look.

Each view draws its choices independently: anti-aliasing on or off, flat / radial-gradient / striped fills, an outline
(none, black, white or a lighter shade), slight rotation, a flat / diagonal-gradient / speckled background, blur, pixel
noise, JPEG compression, and a canvas of 64 to 512 px of any aspect ratio.

The out-of-distribution test style (ood.py) stays unseen: its vertical-gradient fills, horizontal-gradient background
and darker-shade outlines are never drawn here.
"""

from __future__ import annotations

import io
import math
import random

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from .domain import POSITION_XY, RGB
from .scenes import RADIUS, Scene, rotated, shade, unit_outline

def _lighter(rgb: tuple[int, ...]) -> tuple[int, int, int]:
    return tuple(round(c + (255 - c) * 0.6) for c in rgb)  # type: ignore[return-value]


def _background(scene: Scene, width: int, height: int, rng: random.Random) -> Image.Image:
    base = np.array(RGB[scene.background], dtype=np.float32)
    kind = rng.choices(("flat", "diagonal", "speckle"), (0.5, 0.25, 0.25))[0]
    if kind == "flat":
        return Image.new("RGB", (width, height), shade(RGB[scene.background], rng.uniform(0.92, 1.06)))
    if kind == "diagonal":
        yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
        ramp = (xx / max(width - 1, 1) + yy / max(height - 1, 1)) / 2
        lo, hi = rng.uniform(0.85, 0.97), rng.uniform(1.03, 1.15)
        pixels = base[None, None] * (lo + (hi - lo) * ramp)[..., None]
    else:
        pixels = base[None, None] * np.random.default_rng(rng.randrange(1 << 30)).uniform(0.88, 1.12, (height, width, 1))
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")


def _fill(colour: str, box: tuple[int, int, int, int], rng: random.Random) -> tuple[Image.Image | tuple[int, int, int], str]:
    rgb = RGB[colour]
    kind = rng.choices(("flat", "radial", "stripes"), (0.55, 0.25, 0.2))[0]
    if kind == "flat":
        return shade(rgb, rng.uniform(0.93, 1.07)), kind
    left, top, right, bottom = box
    w, h = max(right - left, 1), max(bottom - top, 1)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    if kind == "radial":
        r = np.hypot((xx - w / 2) / (w / 2), (yy - h / 2) / (h / 2)).clip(0, 1)
        factor = 1.15 - 0.3 * r
    else:
        period = rng.uniform(3, 8) * (w / 40 + 1)
        factor = np.where(((xx + yy) // period) % 2 == 0, 1.0, rng.uniform(0.75, 0.88))
    pixels = np.array(rgb, dtype=np.float32)[None, None] * factor[..., None]
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB"), kind


def render_varied(scene: Scene, width: int, height: int, rng: random.Random) -> Image.Image:
    supersample = 1 if rng.random() < 0.4 else 2
    big_w, big_h = width * supersample, height * supersample
    side = min(big_w, big_h)
    ox, oy = (big_w - side) / 2, (big_h - side) / 2
    image = _background(scene, big_w, big_h, rng)
    outline_kind = rng.choices(("none", "black", "white", "lighter"), (0.6, 0.15, 0.1, 0.15))[0]
    line_width = max(1, round(side * rng.uniform(0.006, 0.02)))
    for obj in scene.objects:
        fx, fy = POSITION_XY[obj.position]
        radius = RADIUS[obj.size] * (1 + rng.uniform(-0.1, 0.1)) * side
        slack = (1 / 6 - RADIUS[obj.size]) * side * 0.6
        cx, cy = ox + fx * side + rng.uniform(-slack, slack), oy + fy * side + rng.uniform(-slack, slack)
        angle = math.radians(rng.uniform(-20, 20)) if rng.random() < 0.5 else 0.0
        points = [(cx + x * radius, cy + y * radius) for x, y in rotated(unit_outline(obj.shape, circle_points=48), angle)]
        box = (
            max(0, math.floor(min(p[0] for p in points))),
            max(0, math.floor(min(p[1] for p in points))),
            min(big_w, math.ceil(max(p[0] for p in points)) + 1),
            min(big_h, math.ceil(max(p[1] for p in points)) + 1),
        )
        fill, kind = _fill(obj.colour, box, rng)
        if kind == "flat":
            ImageDraw.Draw(image).polygon(points, fill=fill)
        else:
            mask = Image.new("L", (box[2] - box[0], box[3] - box[1]), 0)
            ImageDraw.Draw(mask).polygon([(x - box[0], y - box[1]) for x, y in points], fill=255)
            image.paste(fill, box[:2], mask)
        if outline_kind != "none":
            colour = {"black": (15, 15, 15), "white": (250, 250, 250)}.get(outline_kind) or _lighter(RGB[obj.colour])
            ImageDraw.Draw(image).line(points + points[:1], fill=colour, width=line_width * supersample)
    if supersample > 1:
        image = image.resize((width, height), Image.LANCZOS)
    if rng.random() < 0.15:
        image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.4, 1.2) * min(width, height) / 96))
    if rng.random() < 0.3:
        noise = np.random.default_rng(rng.randrange(1 << 30)).integers(-12, 13, (height, width, 3))
        image = Image.fromarray(np.clip(np.asarray(image).astype(np.int16) + noise, 0, 255).astype(np.uint8), "RGB")
    if rng.random() < 0.3:
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=rng.randint(35, 90))
        image = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    return image


def random_canvas(rng: random.Random) -> tuple[int, int]:
    """64-512 px on the short side's scale, aspect ratio up to 2:1 either way."""
    side = round(math.exp(rng.uniform(math.log(64), math.log(512))))
    aspect = math.exp(rng.uniform(-math.log(2), math.log(2)))
    return max(64, min(512, round(side * aspect))), side
