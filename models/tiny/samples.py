"""The sample asset set: a small docs repository of scene images and Markdown pages that reference them.

Some references carry good alt text, some none, and some wrong alt text (another scene's caption). ANSWERS.json
records every image and reference, so other packages' tests and demos know the planted cases.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

from PIL import Image

from .captions import ALT_TEXT_TEMPLATES, en_short
from .scenes import Scene, render, sample_scene

SEED = 5005
FOLDERS = {
    "icons": ("docs/icons.md", "Icons", "The icon set used across the product."),
    "diagrams": ("docs/guide/layouts.md", "Layouts", "Diagrams that show where things sit on a page."),
    "gallery": ("docs/gallery.md", "Gallery", "A gallery of generated pictures."),
    "tutorial": ("docs/guide/getting-started.md", "Getting started", "Step-by-step pictures for new users."),
    "blog": ("blog/2026-release-notes.md", "Release notes", "Pictures from the latest release."),
}
IMAGES_PER_FOLDER = 42
UNREFERENCED_PER_FOLDER = 2


def _status(rng: random.Random) -> str:
    roll = rng.random()
    return "good" if roll < 0.5 else "missing" if roll < 0.75 else "wrong"


def _different_scene(scene: Scene, rng: random.Random) -> Scene:
    while True:
        other = sample_scene(rng)
        if other.background != scene.background and {o.shape for o in other.objects}.isdisjoint(o.shape for o in scene.objects):
            return other


def write_samples(root: Path) -> dict:
    """(Re)write the sample repository under root; returns the answers."""
    if root.exists():
        shutil.rmtree(root)
    rng = random.Random(SEED)
    answers: dict = {"images": {}, "references": []}
    pages: dict[str, list[str]] = {}
    for folder, (page, title, intro) in FOLDERS.items():
        lines = pages.setdefault(page, [f"# {title}", "", intro, ""])
        for i in range(IMAGES_PER_FOLDER):
            scene = sample_scene(rng)
            rel = f"images/{folder}/{folder}-{i:02d}.png"
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            width, height = rng.randint(96, 200), rng.randint(96, 200)
            render(scene, width, height, rng).quantize(colors=32, dither=Image.Dither.NONE).save(path, optimize=True)
            truth = en_short(scene, rng, ALT_TEXT_TEMPLATES)
            answers["images"][rel] = {"scene": scene.to_json(), "caption": truth, "width": width, "height": height}
            if i >= IMAGES_PER_FOLDER - UNREFERENCED_PER_FOLDER:
                continue
            status = _status(rng)
            alt = {"good": truth, "missing": "", "wrong": en_short(_different_scene(scene, rng), rng, ALT_TEXT_TEMPLATES)}[status]
            target = "../" * page.count("/") + rel
            if i % 10 == 9:
                lines.append(f'<img src="{target}" alt="{alt}" width="{width}">' if alt else f'<img src="{target}">')
            else:
                lines.append(f"![{alt}]({target})")
            lines.append("")
            answers["references"].append({"markdown": page, "image": rel, "status": status, "alt": alt})
    for page, lines in pages.items():
        (root / page).parent.mkdir(parents=True, exist_ok=True)
        (root / page).write_text("\n".join(lines), encoding="utf-8")
    (root / "README.md").write_text(
        "# Sample docs\n\nA small generated documentation repository for LLM2CLIP demos and tests.\n\n"
        + "".join(f"- [{FOLDERS[f][1]}]({FOLDERS[f][0]})\n" for f in FOLDERS),
        encoding="utf-8",
    )
    (root / "ANSWERS.json").write_text(json.dumps(answers, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return answers
