"""Random scenes of the fixed domain and their rendering with Pillow."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from PIL import Image, ImageDraw

from .domain import COLOURS, POSITION_XY, POSITIONS, RGB, SHAPES, SIZES

# Shape radius as a fraction of the scene square's side; a position's cell is 1/3 wide, so large shapes stay in their cell.
RADIUS = {"small": 0.09, "large": 0.155}
SUPERSAMPLE = 3


@dataclass(frozen=True)
class SceneObject:
    shape: str
    colour: str
    size: str
    position: str


@dataclass(frozen=True)
class Scene:
    objects: tuple[SceneObject, ...]
    background: str

    def to_json(self) -> dict:
        return {
            "background": self.background,
            "objects": [{"shape": o.shape, "colour": o.colour, "size": o.size, "position": o.position} for o in self.objects],
        }

    @staticmethod
    def from_json(data: dict) -> "Scene":
        return Scene(tuple(SceneObject(**o) for o in data["objects"]), data["background"])


def sample_scene(rng: random.Random) -> Scene:
    """1 to 4 objects at distinct positions, on a background whose colour no object has."""
    count = rng.randint(1, 4)
    background = rng.choice(COLOURS)
    colours = [c for c in COLOURS if c != background]
    positions = rng.sample(POSITIONS, count)
    objects = tuple(SceneObject(rng.choice(SHAPES), rng.choice(colours), rng.choice(SIZES), p) for p in positions)
    return Scene(objects, background)


def _polygon(shape: str) -> list[tuple[float, float]]:
    """Outline of a shape in unit coordinates (radius 1, y down)."""
    def ring(n: int, start: float, radii: tuple[float, ...]) -> list[tuple[float, float]]:
        return [
            (radii[i % len(radii)] * math.cos(start + 2 * math.pi * i / n), radii[i % len(radii)] * math.sin(start + 2 * math.pi * i / n))
            for i in range(n)
        ]

    if shape == "square":
        return [(-0.82, -0.82), (0.82, -0.82), (0.82, 0.82), (-0.82, 0.82)]
    if shape == "triangle":
        return [(x, y + 0.15) for x, y in ring(3, -math.pi / 2, (1.0,))]
    if shape == "star":
        return ring(10, -math.pi / 2, (1.0, 0.42))
    if shape == "hexagon":
        return ring(6, 0.0, (1.0,))
    if shape == "diamond":
        return [(0.0, -1.0), (0.68, 0.0), (0.0, 1.0), (-0.68, 0.0)]
    if shape == "cross":
        a, w = 0.95, 0.32
        return [(-w, -a), (w, -a), (w, -w), (a, -w), (a, w), (w, w), (w, a), (-w, a), (-w, w), (-a, w), (-a, -w), (-w, -w)]
    if shape == "heart":
        points = []
        for i in range(48):
            t = 2 * math.pi * i / 48
            x = 16 * math.sin(t) ** 3
            y = 13 * math.cos(t) - 5 * math.cos(2 * t) - 2 * math.cos(3 * t) - math.cos(4 * t)
            points.append((x / 16.5, -y / 16.5 - 0.1))
        return points
    raise ValueError(f"no outline for shape {shape!r}")


def unit_outline(shape: str, circle_points: int) -> list[tuple[float, float]]:
    """A shape's outline in unit coordinates as a polygon; a circle as `circle_points` points on the unit circle."""
    if shape == "circle":
        return [(math.cos(2 * math.pi * i / circle_points), math.sin(2 * math.pi * i / circle_points)) for i in range(circle_points)]
    return _polygon(shape)


def rotated(points: list[tuple[float, float]], angle: float) -> list[tuple[float, float]]:
    c, s = math.cos(angle), math.sin(angle)
    return [(x * c - y * s, x * s + y * c) for x, y in points]


def shade(rgb: tuple[int, ...], factor: float) -> tuple[int, int, int]:
    """The colour with each channel scaled by `factor`, clamped to 0-255."""
    return tuple(max(0, min(255, round(c * factor))) for c in rgb)  # type: ignore[return-value]


def _jitter(rgb: tuple[int, int, int], rng: random.Random, amount: int) -> tuple[int, int, int]:
    return tuple(max(0, min(255, c + rng.randint(-amount, amount))) for c in rgb)


def render(scene: Scene, width: int, height: int, rng: random.Random | None = None) -> Image.Image:
    """Draw the scene in the centred square of a width x height canvas, so a centre crop keeps every object.

    With an rng, positions, radii and colours get a little jitter (used for training images and the data sets alike).
    """
    jitter = rng or random.Random(0)
    amount = 12 if rng else 0
    side = min(width, height) * SUPERSAMPLE
    big_w, big_h = width * SUPERSAMPLE, height * SUPERSAMPLE
    image = Image.new("RGB", (big_w, big_h), _jitter(RGB[scene.background], jitter, amount))
    draw = ImageDraw.Draw(image)
    ox, oy = (big_w - side) / 2, (big_h - side) / 2
    for obj in scene.objects:
        fx, fy = POSITION_XY[obj.position]
        radius = RADIUS[obj.size] * (1 + (jitter.uniform(-0.08, 0.08) if rng else 0.0)) * side
        slack = (1 / 6 - RADIUS[obj.size]) * side * 0.6
        cx = ox + fx * side + (jitter.uniform(-slack, slack) if rng else 0.0)
        cy = oy + fy * side + (jitter.uniform(-slack, slack) if rng else 0.0)
        fill = _jitter(RGB[obj.colour], jitter, amount)
        if obj.shape == "circle":
            draw.ellipse([cx - radius, cy - radius, cx + radius, cy + radius], fill=fill)
        else:
            draw.polygon([(cx + x * radius, cy + y * radius) for x, y in _polygon(obj.shape)], fill=fill)
    return image.resize((width, height), Image.LANCZOS)


def preprocess(image: Image.Image, size: int) -> Image.Image:
    """The manifest's preprocessing: bicubic resize of the shortest side to `size`, then a centre crop."""
    w, h = image.size
    scale = size / min(w, h)
    nw, nh = max(size, round(w * scale)), max(size, round(h * scale))
    image = image.resize((nw, nh), Image.BICUBIC)
    left, top = (nw - size) // 2, (nh - size) // 2
    return image.crop((left, top, left + size, top + size))
