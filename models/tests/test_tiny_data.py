import json
import random
import re
import tempfile
import unittest
from pathlib import Path

import numpy as np

from tiny.captions import en_long, en_short, zh_long, zh_short
from tiny.dataset import make_split, training_pixels
from tiny.domain import COLOURS, RGB, ZH_COLOURS, ZH_POSITIONS, ZH_SHAPES
from tiny.samples import write_samples
from tiny.scenes import Scene, SceneObject, render, sample_scene
from tiny.outside import CAPTIONS as OUTSIDE_CAPTIONS
from tiny.outside import outside_set
from tiny.styles import random_canvas, render_varied


class SceneTest(unittest.TestCase):
    def test_scenes_follow_the_domain(self):
        rng = random.Random(0)
        for _ in range(500):
            scene = sample_scene(rng)
            self.assertTrue(1 <= len(scene.objects) <= 4)
            self.assertEqual(len({o.position for o in scene.objects}), len(scene.objects))
            self.assertNotIn(scene.background, {o.colour for o in scene.objects})

    def test_objects_stay_inside_the_centre_square(self):
        corners = ("top-left", "top-right", "bottom-left", "bottom-right")
        scene = Scene(tuple(SceneObject("square", "red", "large", p) for p in corners), "white")
        image = np.asarray(render(scene, 300, 120))
        margin = image[:, :80]
        self.assertTrue((np.abs(margin.astype(int) - RGB["white"]).max(axis=-1) < 3).all())
        self.assertTrue((np.abs(image[:, 90:210].astype(int) - RGB["red"]).max(axis=-1) < 3).any())

    def test_splits_are_deterministic_and_disjoint_in_seed(self):
        self.assertEqual(make_split("val", 5), make_split("val", 5))
        self.assertNotEqual(make_split("val", 5)[0].scene, make_split("test", 5)[0].scene)


class CaptionTest(unittest.TestCase):
    def setUp(self):
        self.rng = random.Random(1)
        self.scenes = [sample_scene(self.rng) for _ in range(200)]

    def test_short_english_states_every_fact(self):
        for scene in self.scenes:
            text = en_short(scene, self.rng)
            self.assertIn(scene.background, text)
            for obj in scene.objects:
                self.assertIn(obj.colour, text)
                self.assertIn(obj.shape, text)

    def test_articles_fit_the_next_word(self):
        for scene in self.scenes:
            for text in (en_short(scene, self.rng), en_long(scene, self.rng)):
                self.assertIsNone(re.search(r"\ba [aeiou]", text), text)
                self.assertIsNone(re.search(r"\ban [^aeiou ]", text), text)

    def test_identical_objects_can_be_named_in_the_plural(self):
        scene = Scene((SceneObject("cross", "orange", "small", "left"), SceneObject("cross", "orange", "small", "top")), "blue")
        texts = {en_short(scene, random.Random(seed)) for seed in range(40)}
        self.assertTrue(any("two small orange crosses" in t or "two little orange crosses" in t for t in texts), texts)
        self.assertTrue(any("crosses" not in t for t in texts), texts)

    def test_training_phrasings_leave_the_held_out_templates_unseen(self):
        held_out = ("backdrop", "placed", "coloured", "figure", "all set on")
        for scene in self.scenes:
            text = en_short(scene, self.rng)
            self.assertFalse(any(word in text for word in held_out), text)

    def test_long_english_is_60_to_200_words_with_the_background_last(self):
        for scene in self.scenes:
            text = en_long(scene, self.rng)
            self.assertTrue(60 <= len(text.split()) <= 200, text)
            last = text.rstrip(".").split(". ")[-1]
            self.assertIn(scene.background, last)
            self.assertNotIn(f" {scene.background} ", text[: len(text) // 2])

    def test_chinese_uses_the_chinese_names(self):
        for scene in self.scenes:
            for text in (zh_short(scene, self.rng), zh_long(scene, self.rng)):
                self.assertIn(ZH_COLOURS[scene.background], text)
                for obj in scene.objects:
                    self.assertIn(ZH_SHAPES[obj.shape], text)
                    self.assertIn(ZH_COLOURS[obj.colour], text)
                    self.assertIn(ZH_POSITIONS[obj.position], text)
                self.assertFalse(any(c in text for c in COLOURS), text)


class SampleAssetsTest(unittest.TestCase):
    def test_docs_repository_with_planted_alt_text_cases(self):
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            answers = write_samples(root)
            self.assertEqual(answers, json.loads((root / "ANSWERS.json").read_text(encoding="utf-8")))
            self.assertGreaterEqual(len(answers["images"]), 200)
            self.assertTrue(all((root / rel).is_file() for rel in answers["images"]))
            self.assertEqual({r["status"] for r in answers["references"]}, {"good", "missing", "wrong"})
            for ref in answers["references"]:
                page = (root / ref["markdown"]).read_text(encoding="utf-8")
                target = "../" * ref["markdown"].count("/") + ref["image"]
                self.assertIn(target, page)
                if ref["status"] == "good":
                    self.assertEqual(ref["alt"], answers["images"][ref["image"]]["caption"])
                if ref["status"] == "wrong":
                    truth = answers["images"][ref["image"]]["scene"]
                    self.assertNotIn(truth["background"] + " background", ref["alt"])


if __name__ == "__main__":
    unittest.main()


class TrainingViewsTest(unittest.TestCase):
    def test_varied_styles_keep_the_scene_colours_and_the_canvas_size(self):
        rng = random.Random(5)
        scene = Scene((SceneObject("square", "red", "large", "center"),), "blue")
        for _ in range(30):
            width, height = random_canvas(rng)
            self.assertTrue(64 <= min(width, height) and max(width, height) <= 512)
            image = np.asarray(render_varied(scene, width, height, rng)).astype(int)
            self.assertEqual(image.shape[:2], (height, width))
            centre = image[height // 2 - 2 : height // 2 + 3, width // 2 - 2 : width // 2 + 3].reshape(-1, 3).mean(axis=0)
            corner = image[:3, :3].reshape(-1, 3).mean(axis=0)
            self.assertGreater(centre[0], centre[2], "the square is red")
            self.assertGreater(corner[2], corner[0], "the background is blue")

    def test_training_pixels_do_not_depend_on_the_number_of_processes(self):
        examples = make_split("val", 6)
        pixels = training_pixels(examples, 48, views=3, seed=7)
        self.assertEqual(pixels.shape, (6, 3, 48, 48, 3))
        np.testing.assert_array_equal(pixels[2:4], training_pixels(examples[2:4], 48, views=3, seed=7))
        self.assertFalse(np.array_equal(pixels[:, 0], pixels[:, 1]))


class OutsideImagesTest(unittest.TestCase):
    def test_outside_images_are_varied_and_captioned(self):
        pixels, captions = outside_set(12, 48, seed=3)
        self.assertEqual(pixels.shape, (12, 48, 48, 3))
        self.assertTrue(all(0 <= c < len(OUTSIDE_CAPTIONS) for c in captions))
        self.assertGreater(len(set(captions.tolist())), 2)
        detailed = sum(len(np.unique(p.reshape(-1, 3), axis=0)) > 8 for p in pixels)
        self.assertGreaterEqual(detailed, 10, "text and widgets, not flat fills (outside.py: a wide code view's centre crop can miss its lines)")
        again, _ = outside_set(12, 48, seed=3)
        np.testing.assert_array_equal(pixels, again)
