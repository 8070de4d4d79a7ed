"""Captions of a scene: short and long, English and Chinese, in varied phrasings.

Long captions open with generic sentences and state the distinguishing facts (objects, then the background) towards
the end, so that a 77-token cut loses most of them (ARCHITECTURE.md).
"""

from __future__ import annotations

import random

from .domain import ZH_COLOURS, ZH_POSITIONS, ZH_SHAPES, ZH_SIZES
from .scenes import Scene, SceneObject

EN_COUNT = {1: "one", 2: "two", 3: "three", 4: "four"}
ZH_COUNT = {1: "一", 2: "两", 3: "三", 4: "四"}

EN_SIZE_WORDS = {"small": ("small", "small", "little"), "large": ("large", "large", "big")}
EN_POSITION_PHRASES = {
    "left": ("on the left", "at the left", "on the left side"),
    "right": ("on the right", "at the right", "on the right side"),
    "top": ("at the top", "at the top", "near the top"),
    "bottom": ("at the bottom", "at the bottom", "near the bottom"),
    "center": ("in the center", "in the middle", "at the center"),
    "top-left": ("at the top left", "in the top-left corner", "in the upper left"),
    "top-right": ("at the top right", "in the top-right corner", "in the upper right"),
    "bottom-left": ("at the bottom left", "in the bottom-left corner", "in the lower left"),
    "bottom-right": ("at the bottom right", "in the bottom-right corner", "in the lower right"),
}

EN_OPENINGS = (
    "This is a simple synthetic picture made of flat shapes.",
    "The image is a small computer drawing in plain, solid colours.",
    "What you see here is a clean illustration with a few geometric figures.",
    "This picture comes from a generated set of simple diagrams.",
)
EN_FILLERS = (
    "It has clean edges, with no shadows, no texture and no text anywhere in the frame.",
    "Every figure is painted in one solid colour, and nothing in the picture is blurred or shaded.",
    "The drawing style is minimal, like an icon or a slide in a presentation.",
    "There are no people, no animals and no words, only shapes on a flat backdrop.",
    "The figures do not overlap, and each of them keeps to its own part of the frame.",
    "Nothing moves and nothing is hidden, so the layout is easy to describe in words.",
)
ZH_OPENINGS = (
    "这是一张由简单平面图形组成的合成图片。",
    "这幅图是一张用纯色绘制的电脑小图。",
    "这里看到的是一张干净的插图，上面有几个几何图形。",
)
ZH_FILLERS = (
    "图形边缘清晰，没有阴影、纹理或文字。",
    "每个图形都只用一种纯色填充，画面中没有任何模糊或渐变。",
    "画面风格非常简洁，就像一个图标或一页幻灯片。",
    "图中没有人物、动物或文字，只有平面背景上的图形。",
    "这些图形互不重叠，各自占据画面的一部分。",
)


EN_SHORT_TEMPLATES = (
    "{objects} on {a_bg} background",
    "{a_bg} background with {objects}",
    "on {a_bg} background, {objects}",
    "{count} {noun} on {bg}: {objects}",
    "{objects}; the background is {bg}",
    "a picture of {objects} on {a_bg} background",
    "an image showing {objects}, with {a_bg} background",
    "there {be} {objects} on {a_bg} background",
    "{bg} background, {count} {noun}: {objects}",
)
# Alt text a careful writer would use: accessibility checkers flag alt text that opens with "a picture of" or "an
# image showing" (a screen reader already announces the image), so the sample docs' alt texts avoid those phrasings.
ALT_TEXT_TEMPLATES = tuple(t for t in EN_SHORT_TEMPLATES if not t.startswith(("a picture of", "an image showing")))
ZH_SHORT_TEMPLATES = (
    "{bg}背景上，{objects}",
    "{objects}，背景是{bg}",
    "一张{bg}背景的图片：{objects}",
    "图中{count}个图形，{objects}，背景为{bg}",
    "在{bg}的背景上：{objects}",
)


def _join_en(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def article(word: str) -> str:
    """English's indefinite article before `word`: "an orange star", "a large star"."""
    return "an" if word[0] in "aeiou" else "a"


def plural(shape: str) -> str:
    return shape + ("es" if shape.endswith(("s", "x", "sh", "ch")) else "s")


def _en_object(obj: SceneObject, rng: random.Random) -> str:
    size = rng.choice(EN_SIZE_WORDS[obj.size])
    where = rng.choice(EN_POSITION_PHRASES[obj.position])
    form = rng.randrange(5)
    if form == 0:
        return f"{article(size)} {size} {obj.colour} {obj.shape} {where}"
    if form == 1:
        return f"{article(obj.colour)} {obj.colour} {obj.shape} ({size}) {where}"
    if form == 2:
        return f"{article(size)} {size} {obj.shape} in {obj.colour} {where}"
    if form == 3:
        return f"{article(obj.colour)} {obj.colour} {obj.shape} that is {size}, {where}"
    return f"{article(size)} {size} {obj.colour} {obj.shape} {where}"


def _en_group(objects: list[SceneObject], rng: random.Random) -> str:
    """Objects of one shape, colour and size, as one plural phrase: "two small red stars, on the left and at the top"."""
    size = rng.choice(EN_SIZE_WORDS[objects[0].size])
    wheres = _join_en([rng.choice(EN_POSITION_PHRASES[o.position]) for o in objects])
    return f"{EN_COUNT[len(objects)]} {size} {objects[0].colour} {plural(objects[0].shape)}, {wheres}"


def _shuffled(scene: Scene, rng: random.Random) -> list[SceneObject]:
    objects = list(scene.objects)
    rng.shuffle(objects)
    return objects


def _en_objects(scene: Scene, rng: random.Random) -> str:
    """The scene's objects as one English phrase; identical objects are sometimes grouped in the plural."""
    objects = _shuffled(scene, rng)
    groups: dict[tuple[str, str, str], list[SceneObject]] = {}
    for obj in objects:
        groups.setdefault((obj.size, obj.colour, obj.shape), []).append(obj)
    if len(groups) < len(objects) and rng.random() < 0.6:
        return _join_en([_en_group(g, rng) if len(g) > 1 else _en_object(g[0], rng) for g in groups.values()])
    return _join_en([_en_object(o, rng) for o in objects])


def en_short(scene: Scene, rng: random.Random, templates: tuple[str, ...] = EN_SHORT_TEMPLATES) -> str:
    objects = _en_objects(scene, rng)
    bg, n = scene.background, len(scene.objects)
    return rng.choice(templates).format(
        objects=objects,
        bg=bg,
        a_bg=f"{article(bg)} {bg}",
        count=EN_COUNT[n],
        noun="shape" if n == 1 else "shapes",
        be="is" if n == 1 else "are",
    )


def en_long(scene: Scene, rng: random.Random) -> str:
    sentences = [rng.choice(EN_OPENINGS)]
    sentences += rng.sample(EN_FILLERS, 2)
    n = len(scene.objects)
    sentences.append(f"There {'is' if n == 1 else 'are'} {EN_COUNT[n]} {'shape' if n == 1 else 'shapes'} in the picture.")
    for i, obj in enumerate(_shuffled(scene, rng)):
        size = rng.choice(EN_SIZE_WORDS[obj.size])
        where = rng.choice(EN_POSITION_PHRASES[obj.position])
        lead = "The first one" if i == 0 else rng.choice(("Another one", "The next one", "One more"))
        if rng.random() < 0.5:
            sentences.append(f"{lead} is {article(obj.shape)} {obj.shape}. It is {size} and {obj.colour}, and it sits {where}.")
        else:
            sentences.append(f"{lead} is {article(size)} {size} {obj.colour} {obj.shape}, placed {where} of the frame.")
    if len(" ".join(sentences).split()) < 70:
        sentences.append(rng.choice([f for f in EN_FILLERS if f not in sentences]))
    sentences.append(rng.choice((
        f"All of this is drawn on a plain {scene.background} background.",
        f"Behind the shapes, the whole background is {scene.background}.",
        f"The background colour of the picture is {scene.background}.",
    )))
    return " ".join(sentences)


def _zh_object(obj: SceneObject, rng: random.Random) -> str:
    size, colour, shape, where = ZH_SIZES[obj.size], ZH_COLOURS[obj.colour], ZH_SHAPES[obj.shape], ZH_POSITIONS[obj.position]
    form = rng.randrange(3)
    if form == 0:
        return f"{where}有一个{size}的{colour}{shape}"
    if form == 1:
        return f"一个{size}{colour}{shape}在{where}"
    return f"{where}是一个{colour}的{size}{shape}"


def zh_short(scene: Scene, rng: random.Random) -> str:
    objects = "，".join(_zh_object(o, rng) for o in _shuffled(scene, rng))
    return rng.choice(ZH_SHORT_TEMPLATES).format(objects=objects, bg=ZH_COLOURS[scene.background], count=ZH_COUNT[len(scene.objects)])


def zh_long(scene: Scene, rng: random.Random) -> str:
    sentences = [rng.choice(ZH_OPENINGS)] + rng.sample(ZH_FILLERS, 2)
    n = len(scene.objects)
    sentences.append(f"图中一共有{ZH_COUNT[n]}个图形。")
    for i, obj in enumerate(_shuffled(scene, rng)):
        size, colour, shape, where = ZH_SIZES[obj.size], ZH_COLOURS[obj.colour], ZH_SHAPES[obj.shape], ZH_POSITIONS[obj.position]
        lead = "第一个" if i == 0 else rng.choice(("另一个", "下一个", "还有一个"))
        if rng.random() < 0.5:
            sentences.append(f"{lead}是{shape}，它是{size}的，颜色是{colour}，位于{where}。")
        else:
            sentences.append(f"{lead}是一个{size}的{colour}{shape}，在画面的{where}。")
    bg = ZH_COLOURS[scene.background]
    sentences.append(rng.choice((f"所有图形都画在纯{bg}背景上。", f"图形后面的整个背景是{bg}。", f"图片的背景颜色是{bg}。")))
    return "".join(sentences)
