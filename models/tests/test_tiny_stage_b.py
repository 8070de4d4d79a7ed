import random
import tempfile
import unittest
from pathlib import Path

import torch

from llm2clip.modeling import LlamaEncoder, VisionTransformer, init_random_
from llm2clip.onnx_export import export_float32
from tiny.attributes import ATTRIBUTES, caption_pair, edit
from tiny.captions import en_long, en_short, zh_short
from tiny.config import model_config
from tiny.diagnostics import MAX_COLOUR_COSINE, check_no_collapse
from tiny.scenes import sample_scene
from tiny.unseen import UNSEEN_WORDS, uses_unseen_word, with_unseen_words
from tiny.warm_start import load_onnx_weights


def differences(a, b) -> dict:
    before, after = a.to_json(), b.to_json()
    changed = {"background"} if before["background"] != after["background"] else set()
    if len(before["objects"]) != len(after["objects"]):
        changed.add("count")
    else:
        for x, y in zip(before["objects"], after["objects"]):
            changed |= {k for k in x if x[k] != y[k]}
    return changed


class AttributeEditTest(unittest.TestCase):
    def test_each_edit_changes_exactly_its_attribute(self):
        rng = random.Random(0)
        for _ in range(200):
            scene = sample_scene(rng)
            for attribute in ATTRIBUTES:
                edited = edit(scene, attribute, rng)
                self.assertEqual(differences(scene, edited), {attribute}, (scene, attribute, edited))
                self.assertNotIn(edited.background, {o.colour for o in edited.objects})
                self.assertEqual(len({o.position for o in edited.objects}), len(edited.objects))

    def test_caption_pairs_keep_the_phrasing(self):
        scene = sample_scene(random.Random(3))
        for writer in (en_short, en_long, zh_short):
            original, edited = caption_pair(scene, "colour", writer, seed=9)
            self.assertEqual(original, writer(scene, random.Random(9)))
            self.assertNotEqual(original, edited)
        a, b = caption_pair(scene, "size", en_short, seed=9)
        self.assertEqual(len(a.split()), len(b.split()))


class UnseenWordsTest(unittest.TestCase):
    def test_at_least_eight_words_none_in_the_image_captions(self):
        self.assertGreaterEqual(len(UNSEEN_WORDS), 8)
        rng = random.Random(1)
        for _ in range(300):
            scene = sample_scene(rng)
            for caption in (en_short(scene, rng), en_long(scene, rng)):
                self.assertFalse(uses_unseen_word(caption), caption)

    def test_substitution_and_articles(self):
        self.assertEqual(
            with_unseen_words("a large red circle on a white background"), "a huge crimson disc on an ivory background"
        )
        self.assertEqual(with_unseen_words("A blue square"), "An azure square")


class CollapseCheckTest(unittest.TestCase):
    def test_fails_training_when_colour_is_invisible(self):
        report = {"attribute_cosine": {"colour": 0.9997}, "zh_to_en_r1": 0.01}
        with self.assertRaises(SystemExit) as raised:
            check_no_collapse(report)
        self.assertIn("colour", str(raised.exception))
        check_no_collapse({"attribute_cosine": {"colour": MAX_COLOUR_COSINE - 0.01}, "zh_to_en_r1": 0.5})


class WarmStartTest(unittest.TestCase):
    def test_exported_weights_load_back_exactly(self):
        cfg = model_config(300)
        for module, other in ((LlamaEncoder(cfg.text), LlamaEncoder(cfg.text)), (VisionTransformer(cfg.vision), VisionTransformer(cfg.vision))):
            init_random_(module, torch.Generator().manual_seed(0))
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "graph.onnx"
                export_float32(module, path)
                load_onnx_weights(other, path)
            for key, value in module.state_dict().items():
                torch.testing.assert_close(other.state_dict()[key], value, msg=key)


if __name__ == "__main__":
    unittest.main()
