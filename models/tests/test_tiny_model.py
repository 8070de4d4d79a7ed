import unittest

import torch

from llm2clip.modeling import LlamaEncoder, TextAdapter, VisionTransformer, init_random_
from tiny.baseline import baseline_text_tower, clip_tokens
from tiny.bpe import ByteLevelBPE, train_merges
from tiny.config import BASELINE_CONTEXT, model_config
from tiny.lora import LoRALinear, add_lora, merge_lora
from tiny.text_format import PROMPT_PREFIX, llm2vec_batch

CAPTIONS = ["a red circle", "a large blue star in the top-left corner and a small green heart on the right; the background is white"]


class TinyModelTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tokenizer = ByteLevelBPE(train_merges(CAPTIONS * 20, 300, min_count=2))
        cls.cfg = model_config(cls.tokenizer.vocab_size)

    def test_graph_shapes(self):
        vision, llm, adapter = VisionTransformer(self.cfg.vision), LlamaEncoder(self.cfg.text), TextAdapter(self.cfg.adapter)
        size = self.cfg.vision.image_size
        self.assertEqual(tuple(vision(torch.randn(3, 3, size, size)).shape), (3, self.cfg.vision.embed_dim))
        features = llm(**llm2vec_batch(self.tokenizer, CAPTIONS))
        self.assertEqual(tuple(features.shape), (2, self.cfg.text.hidden_size))
        self.assertEqual(tuple(adapter(features).shape), (2, self.cfg.vision.embed_dim))

    def test_llm2vec_masks(self):
        batch = llm2vec_batch(self.tokenizer, CAPTIONS)
        head = 1 + len(self.tokenizer.encode(PROMPT_PREFIX))
        short = len(self.tokenizer.encode(CAPTIONS[0] + "<|eot_id|>"))
        ids, attention, embed = batch["input_ids"][0], batch["attention_mask"][0], batch["embed_mask"][0]
        pad = ids.shape[0] - head - short
        self.assertTrue((ids[:pad] == self.tokenizer.token_id("<|eot_id|>")).all())
        self.assertEqual(ids[pad].item(), self.tokenizer.token_id("<|begin_of_text|>"))
        self.assertEqual(attention.tolist(), [0] * pad + [1] * (head + short))
        self.assertEqual(embed.tolist(), [0] * (pad + head) + [1] * short)
        self.assertEqual(batch["attention_mask"][1].sum().item(), ids.shape[0])

    def test_llm2vec_cuts_by_words_to_fit(self):
        batch = llm2vec_batch(self.tokenizer, [" ".join(["red circle"] * 100)], max_length=40)
        self.assertTrue(30 <= batch["input_ids"].shape[1] <= 40, batch["input_ids"].shape)
        self.assertEqual(batch["input_ids"][0, -1].item(), self.tokenizer.token_id("<|eot_id|>"))

    def test_lora_merge_is_equivalent(self):
        llm = LlamaEncoder(self.cfg.text)
        init_random_(llm, torch.Generator().manual_seed(0))
        params = add_lora(llm, rank=4, alpha=8)
        with torch.no_grad():
            for p in params:
                p.normal_(0, 0.05)
        self.assertEqual({id(p) for p in llm.parameters() if p.requires_grad}, {id(p) for p in params})
        batch = llm2vec_batch(self.tokenizer, CAPTIONS)
        with torch.no_grad():
            before = llm(**batch)
            merge_lora(llm)
            after = llm(**batch)
        self.assertFalse(any(isinstance(m, LoRALinear) for m in llm.modules()))
        torch.testing.assert_close(after, before, rtol=1e-4, atol=1e-5)

    def test_baseline_cuts_at_77_tokens(self):
        tokens, eot = clip_tokens(self.tokenizer, [" ".join(["red circle"] * 100), "a red circle"])
        self.assertEqual(tokens.shape[1], BASELINE_CONTEXT)
        self.assertEqual(eot.tolist()[0], BASELINE_CONTEXT - 1)
        self.assertEqual(tokens[1, eot[1]].item(), self.tokenizer.token_id("<|end_of_text|>"))
        text = baseline_text_tower(self.tokenizer.vocab_size)
        self.assertEqual(tuple(text(tokens, eot).shape), (2, self.cfg.vision.embed_dim))


if __name__ == "__main__":
    unittest.main()
