"""One-attribute edits of a scene, and captions that differ from another caption in that attribute alone.

Stage b's hard negatives and the attribute-collapse diagnostic both need "the same caption, one fact changed": the
edited scene is captioned with the same random stream as the original, so the template, word choices and object order
stay the same (except for a count change, which changes the object list).
"""

from __future__ import annotations

import random
from typing import Callable

from .domain import COLOURS, POSITIONS, SIZES
from .scenes import Scene, SceneObject

ATTRIBUTES = ("colour", "size", "position", "count", "background")
MAX_OBJECTS = 4


def _replace(scene: Scene, index: int, **changes: str) -> Scene:
    obj = scene.objects[index]
    fields = {"shape": obj.shape, "colour": obj.colour, "size": obj.size, "position": obj.position, **changes}
    objects = list(scene.objects)
    objects[index] = SceneObject(**fields)
    return Scene(tuple(objects), scene.background)


def edit(scene: Scene, attribute: str, rng: random.Random) -> Scene:
    """The scene with one attribute changed: an object's colour, size or position, the object count, or the background."""
    index = rng.randrange(len(scene.objects))
    used_colours = {o.colour for o in scene.objects}
    if attribute == "colour":
        current = scene.objects[index].colour
        return _replace(scene, index, colour=rng.choice([c for c in COLOURS if c not in (current, scene.background)]))
    if attribute == "size":
        return _replace(scene, index, size=next(s for s in SIZES if s != scene.objects[index].size))
    if attribute == "position":
        free = [p for p in POSITIONS if p not in {o.position for o in scene.objects}]
        return _replace(scene, index, position=rng.choice(free))
    if attribute == "count":
        if len(scene.objects) > 1 and (len(scene.objects) == MAX_OBJECTS or rng.random() < 0.5):
            return Scene(scene.objects[:index] + scene.objects[index + 1 :], scene.background)
        template = scene.objects[index]
        free = [p for p in POSITIONS if p not in {o.position for o in scene.objects}]
        return Scene(scene.objects + (SceneObject(template.shape, template.colour, template.size, rng.choice(free)),), scene.background)
    if attribute == "background":
        return Scene(scene.objects, rng.choice([c for c in COLOURS if c not in used_colours and c != scene.background]))
    raise ValueError(f"unknown attribute {attribute!r}; expected one of {', '.join(ATTRIBUTES)}")


def caption_pair(
    scene: Scene, attribute: str, writer: Callable[[Scene, random.Random], str], seed: int
) -> tuple[str, str]:
    """(caption of the scene, caption of the scene with `attribute` edited), written from the same random stream."""
    edited = edit(scene, attribute, random.Random(seed ^ 0x5EED))
    return writer(scene, random.Random(seed)), writer(edited, random.Random(seed))
