import dataclasses
import unittest

import torch

from llm2clip.fused_attention import FusedLlamaAttention, FusedVisionAttention, fused_attention
from llm2clip.modeling import LlamaAttention, LlamaEncoder, VisionAttention
from tests.test_export import TINY_TEXT, left_padded_batch, random_modules


class FusedAttentionTest(unittest.TestCase):
    def test_eager_outputs_equal_the_plain_modules_and_classes_are_restored(self):
        vision, llm, _ = random_modules()
        pixels = torch.randn(3, 3, 16, 16)
        ids, mask = left_padded_batch()
        with torch.no_grad():
            plain = vision(pixels), llm(ids, mask, mask)
            with fused_attention(vision) as vision_layers, fused_attention(llm) as llm_layers:
                self.assertEqual((vision_layers, llm_layers), (1, 1))
                self.assertIsInstance(vision.blocks[0].attn, FusedVisionAttention)
                self.assertIsInstance(llm.layers[0].attn, FusedLlamaAttention)
                fused = vision(pixels), llm(ids, mask, mask)
        for a, b in zip(plain, fused):
            torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)
        self.assertIs(type(vision.blocks[0].attn), VisionAttention)
        self.assertIs(type(llm.layers[0].attn), LlamaAttention)

    def test_a_causal_encoder_keeps_its_plain_attention(self):
        causal = LlamaEncoder(dataclasses.replace(TINY_TEXT, bidirectional=False))
        with fused_attention(causal) as swapped:
            self.assertEqual(swapped, 0)
            self.assertIs(type(causal.layers[0].attn), LlamaAttention)


if __name__ == "__main__":
    unittest.main()
