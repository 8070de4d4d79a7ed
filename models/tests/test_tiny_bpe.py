import json
import random
import tempfile
import unittest
from pathlib import Path

from tiny.bpe import SPECIAL_TOKENS, ByteLevelBPE, bytes_to_unicode, pre_tokenize, train_merges
from tiny.captions import en_long, en_short, zh_long, zh_short
from tiny.scenes import sample_scene


def corpus(n=200):
    rng = random.Random(3)
    texts = []
    for _ in range(n):
        scene = sample_scene(rng)
        texts += [en_short(scene, rng), en_long(scene, rng), zh_short(scene, rng), zh_long(scene, rng)]
    return texts


class BpeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.texts = corpus()
        cls.tokenizer = ByteLevelBPE(train_merges(cls.texts, 1024))

    def test_round_trip(self):
        for text in self.texts[:50] + ["naïve 🙂 mixed 红色 circle\n\n  tabs\t", "<|begin_of_text|>x<|eot_id|>"]:
            self.assertEqual(self.tokenizer.decode(self.tokenizer.encode(text)), text)

    def test_domain_words_become_single_tokens(self):
        for word in (" circle", " background", "红色", "背景"):
            self.assertEqual(len(self.tokenizer.encode(word)), 1, word)

    def test_chinese_tokens_stay_word_sized(self):
        byte_of = {c: b for b, c in bytes_to_unicode().items()}
        for token in self.tokenizer.vocab:
            self.assertLessEqual(sum(1 for c in token if byte_of[c] >= 0x80), 6, token)

    def test_special_tokens_are_matched_before_splitting(self):
        ids = self.tokenizer.encode("<|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>")
        self.assertEqual(ids[0], self.tokenizer.token_id("<|start_header_id|>"))
        self.assertEqual(ids[-1], self.tokenizer.token_id("<|eot_id|>"))
        self.assertEqual(sorted(self.tokenizer.special), sorted(SPECIAL_TOKENS))

    def test_llama3_split(self):
        self.assertEqual(pre_tokenize("I'LL see 12345 red,  ok\n\n"), ["I", "'LL", "Ġsee", "Ġ", "123", "45", "Ġred", ",", "Ġ", "Ġok", "ĊĊ"])

    def test_saved_file_loads_to_the_same_encoder(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "tokenizer.json"
            self.tokenizer.save(path)
            data = json.loads(path.read_text(encoding="utf-8"))
            self.assertEqual(data["model"]["type"], "BPE")
            self.assertEqual(len(data["added_tokens"]), len(SPECIAL_TOKENS))
            loaded = ByteLevelBPE.load(path)
        for text in self.texts[:20]:
            self.assertEqual(loaded.encode(text), self.tokenizer.encode(text))


if __name__ == "__main__":
    unittest.main()
