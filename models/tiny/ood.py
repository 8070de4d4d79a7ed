"""The out-of-distribution test split: scenes of the same domain, drawn in a style no training image has and captioned
with templates no training caption uses (issue 10: "the model has learned its generator, not its domain").

Held-out rendering style: no anti-aliasing, every shape outlined in a darker shade and filled with a vertical gradient,
shapes rotated by up to 15 degrees, a background with a horizontal gradient, pixel noise and JPEG compression.
Held-out caption templates: other word orders ("against a ... backdrop", "placed ...") in English and Chinese.
"""

from __future__ import annotations

import io
import math
import random

import numpy as np
from PIL import Image, ImageDraw

from .captions import EN_COUNT, EN_POSITION_PHRASES, article
from .dataset import Example
from .domain import POSITION_XY, RGB, ZH_COLOURS, ZH_POSITIONS, ZH_SHAPES, ZH_SIZES
from .scenes import RADIUS, Scene, rotated, sample_scene, shade, unit_outline
from .unseen import with_unseen_words

SEED = 4004
VALIDATION_SEED = 4005


def render_ood(scene: Scene, width: int, height: int, rng: random.Random) -> Image.Image:
    side = min(width, height)
    ox, oy = (width - side) / 2, (height - side) / 2
    top, bottom = shade(RGB[scene.background], 1.1), shade(RGB[scene.background], 0.85)
    ramp = np.linspace(0, 1, width)[None, :, None]
    background = (np.array(top)[None, None] * (1 - ramp) + np.array(bottom)[None, None] * ramp) * np.ones((height, 1, 1))
    image = Image.fromarray(np.clip(background, 0, 255).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(image)
    for obj in scene.objects:
        fx, fy = POSITION_XY[obj.position]
        radius = RADIUS[obj.size] * side
        cx, cy = ox + fx * side, oy + fy * side
        unit = unit_outline(obj.shape, circle_points=40)
        outline = [(cx + x * radius, cy + y * radius) for x, y in rotated(unit, math.radians(rng.uniform(-15, 15)))]
        mask = Image.new("L", image.size, 0)
        ImageDraw.Draw(mask).polygon(outline, fill=255)
        fill = RGB[obj.colour]
        vertical = np.linspace(1.15, 0.85, height)[:, None, None] * np.array(fill)[None, None]
        gradient = Image.fromarray(np.clip(vertical * np.ones((1, width, 1)), 0, 255).astype(np.uint8), "RGB")
        image.paste(gradient, (0, 0), mask)
        draw.line(outline + outline[:1], fill=shade(fill, 0.55), width=max(1, side // 60))
    pixels = np.asarray(image).astype(np.int16) + np.random.default_rng(rng.randrange(1 << 30)).integers(-10, 11, (height, width, 3))
    buffer = io.BytesIO()
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB").save(buffer, "JPEG", quality=55)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def en_short_ood(scene: Scene, rng: random.Random) -> str:
    parts = []
    for obj in rng.sample(list(scene.objects), len(scene.objects)):
        where = rng.choice(EN_POSITION_PHRASES[obj.position])
        parts.append(rng.choice((
            f"{article(obj.colour)} {obj.colour} {obj.shape}, {obj.size}, placed {where}",
            f"{where}, {article(obj.size)} {obj.size} {obj.shape} coloured {obj.colour}",
        )))
    listed = "; ".join(parts)
    n = len(scene.objects)
    return rng.choice((
        f"against {article(scene.background)} {scene.background} backdrop: {listed}",
        f"{EN_COUNT[n]} {'figure' if n == 1 else 'figures'} ({listed}), all set on {scene.background}",
    ))


def en_long_ood(scene: Scene, rng: random.Random) -> str:
    sentences = ["Here is a flat, computer-made picture with nothing but simple figures in it.",
                 "Nothing in it is shaded by hand, and there is no writing of any kind."]
    for obj in scene.objects:
        where = rng.choice(EN_POSITION_PHRASES[obj.position])
        sentences.append(f"One of the figures is {article(obj.size)} {obj.size} {obj.shape}; its colour is {obj.colour} and it can be found {where}.")
    sentences.append(f"Everything sits on a backdrop that is {scene.background}.")
    return " ".join(sentences)


def zh_short_ood(scene: Scene, rng: random.Random) -> str:
    parts = [f"{ZH_POSITIONS[o.position]}放着一个{ZH_COLOURS[o.colour]}的{ZH_SIZES[o.size]}{ZH_SHAPES[o.shape]}" for o in scene.objects]
    rng.shuffle(parts)
    return f"画面底色为{ZH_COLOURS[scene.background]}；" + "；".join(parts)


def zh_long_ood(scene: Scene, rng: random.Random) -> str:
    sentences = ["这是一张电脑生成的简单图画，里面只有几个平面图形。"]
    sentences += [f"其中一个是{ZH_SIZES[o.size]}号的{ZH_SHAPES[o.shape]}，颜色为{ZH_COLOURS[o.colour]}，放在{ZH_POSITIONS[o.position]}。" for o in scene.objects]
    sentences.append(f"整张图的底色是{ZH_COLOURS[scene.background]}。")
    return "".join(sentences)


WRITERS = {"en_short": en_short_ood, "en_long": en_long_ood, "zh_short": zh_short_ood, "zh_long": zh_long_ood}


def make_ood_split(count: int, seed: int = SEED) -> tuple[list[Example], list[Image.Image]]:
    """`count` scenes with one caption of each kind (held-out templates) and their held-out-style images, 64-512 px.
    The default seed is the test split; VALIDATION_SEED gives other scenes in the same style, to choose variants on."""
    rng = random.Random(seed)
    examples, images = [], []
    for i in range(count):
        scene = sample_scene(rng)
        width, height = rng.randint(64, 512), rng.randint(64, 512)
        captions = {kind: [writer(scene, rng)] for kind, writer in WRITERS.items()}
        examples.append(Example(f"ood-{i:05d}", scene, width, height, captions))
        images.append(render_ood(scene, width, height, rng))
    return examples, images


def unseen_caption(example: Example) -> str:
    return with_unseen_words(example.captions["en_short"][0])
