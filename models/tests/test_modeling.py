import unittest

import torch

from llm2clip.modeling import (
    AdapterConfig,
    LlamaEncoder,
    ModelConfig,
    TextAdapter,
    TextConfig,
    VisionConfig,
    VisionTransformer,
    init_random_,
)

TINY_TEXT = TextConfig(vocab_size=50, hidden_size=32, layers=2, heads=4, kv_heads=2, intermediate_size=48, rope_theta=10000.0)


def random_encoder(cfg: TextConfig = TINY_TEXT, seed: int = 0) -> LlamaEncoder:
    model = LlamaEncoder(cfg).eval()
    init_random_(model, torch.Generator().manual_seed(seed), std=0.2)
    return model


def left_pad(sequences, pad_id):
    """LLM2Vec's batch layout: left padding; embed_mask set by the caller."""
    length = max(len(s) for s in sequences)
    ids = torch.full((len(sequences), length), pad_id, dtype=torch.long)
    mask = torch.zeros((len(sequences), length), dtype=torch.long)
    for row, seq in enumerate(sequences):
        ids[row, length - len(seq):] = torch.tensor(seq)
        mask[row, length - len(seq):] = 1
    return ids, mask


class ShapeTest(unittest.TestCase):
    def test_vision_maps_pixels_to_embed_dim(self):
        cfg = VisionConfig(image_size=32, patch_size=8, width=24, layers=2, heads=3, mlp_dim=40, embed_dim=16)
        out = VisionTransformer(cfg).eval()(torch.randn(3, 3, 32, 32))
        self.assertEqual(tuple(out.shape), (3, 16))

    def test_vision_with_plain_gelu(self):
        cfg = VisionConfig(image_size=16, patch_size=8, width=8, layers=1, heads=2, mlp_dim=8, embed_dim=4, quick_gelu=False)
        self.assertEqual(tuple(VisionTransformer(cfg)(torch.randn(1, 3, 16, 16)).shape), (1, 4))

    def test_llm_features_and_hidden_states(self):
        model = random_encoder()
        ids = torch.randint(0, 50, (2, 7))
        ones = torch.ones_like(ids)
        self.assertEqual(tuple(model(ids, ones, ones).shape), (2, 32))
        self.assertEqual(tuple(model.hidden_states(ids, ones).shape), (2, 7, 32))

    def test_adapter_maps_features_to_embed_dim(self):
        adapter = TextAdapter(AdapterConfig(feature_dim=32, hidden_dim=64, blocks=2, embed_dim=16))
        self.assertEqual(tuple(adapter(torch.randn(5, 32)).shape), (5, 16))

    def test_adapter_ignores_feature_scale(self):
        adapter = TextAdapter(AdapterConfig(feature_dim=32, hidden_dim=64, blocks=2, embed_dim=16)).eval()
        x = torch.randn(4, 32)
        torch.testing.assert_close(adapter(x), adapter(7.5 * x))

    def test_model_config_checks_dims_and_round_trips(self):
        with self.assertRaisesRegex(ValueError, "feature_dim"):
            ModelConfig(text=TINY_TEXT, adapter=AdapterConfig(feature_dim=31))
        cfg = ModelConfig(
            vision=VisionConfig(embed_dim=16), text=TINY_TEXT, adapter=AdapterConfig(feature_dim=32, embed_dim=16)
        )
        self.assertEqual(ModelConfig(**cfg.to_dict()), cfg)

    def test_real_llm2clip_dims(self):
        cfg = ModelConfig()
        self.assertEqual((cfg.vision.embed_dim, cfg.text.hidden_size, cfg.text.head_dim), (1280, 4096, 128))


class Llm2VecMaskTest(unittest.TestCase):
    """Left padding and embed_mask pooling, as llm2vec.LLM2Vec builds its batches."""

    def setUp(self):
        torch.manual_seed(0)
        self.model = random_encoder()

    def test_left_padding_equals_unpadded_pooling(self):
        short = [1, 5, 6, 7, 9]
        long = [1, 5, 11, 12, 13, 14, 15, 9]
        ids, attention = left_pad([short, long], pad_id=9)
        embed = attention.clone()
        embed[:, :2] = 0
        embed[0, :5] = 0  # padding (3) + BOS + prompt token of the short row
        batch = self.model(ids, attention, embed)
        for row, seq in enumerate([short, long]):
            alone_ids = torch.tensor([seq])
            alone_embed = torch.ones_like(alone_ids)
            alone_embed[:, :2] = 0
            alone = self.model(alone_ids, torch.ones_like(alone_ids), alone_embed)
            torch.testing.assert_close(batch[row], alone[0], rtol=1e-4, atol=1e-5)

    def test_pooling_uses_only_embed_mask_positions(self):
        ids = torch.tensor([[1, 2, 3, 4, 5, 6]])
        ones = torch.ones_like(ids)
        embed = torch.tensor([[0, 0, 1, 1, 1, 1]])
        hidden = self.model.hidden_states(ids, ones)
        torch.testing.assert_close(self.model(ids, ones, embed), hidden[:, 2:].mean(dim=1))

    def test_bidirectional_differs_from_causal(self):
        ids = torch.tensor([[1, 2, 3, 4, 5, 6]])
        ones = torch.ones_like(ids)
        bidirectional = self.model.hidden_states(ids, ones, bidirectional=True)
        causal = self.model.hidden_states(ids, ones, bidirectional=False)
        self.assertGreater((bidirectional - causal).abs().max().item(), 1e-3)

    def test_last_position_sees_all_tokens_either_way_in_one_layer(self):
        single = random_encoder(TextConfig(**{**TINY_TEXT.__dict__, "layers": 1}))
        ids = torch.tensor([[1, 2, 3, 4, 5, 6]])
        ones = torch.ones_like(ids)
        bidirectional = single.hidden_states(ids, ones, bidirectional=True)
        causal = single.hidden_states(ids, ones, bidirectional=False)
        torch.testing.assert_close(bidirectional[:, -1], causal[:, -1], rtol=1e-4, atol=1e-5)
        self.assertGreater((bidirectional[:, 0] - causal[:, 0]).abs().max().item(), 1e-3)

    def test_causal_prefix_ignores_later_tokens(self):
        a = torch.tensor([[1, 2, 3, 4, 5]])
        b = torch.tensor([[1, 2, 3, 40, 41]])
        ones = torch.ones_like(a)
        ha = self.model.hidden_states(a, ones, bidirectional=False)
        hb = self.model.hidden_states(b, ones, bidirectional=False)
        torch.testing.assert_close(ha[:, :3], hb[:, :3])

    def test_config_default_is_bidirectional(self):
        ids = torch.tensor([[1, 2, 3, 4]])
        ones = torch.ones_like(ids)
        torch.testing.assert_close(self.model.hidden_states(ids, ones), self.model.hidden_states(ids, ones, bidirectional=True))

    def test_fully_masked_rows_are_finite(self):
        ids = torch.tensor([[9, 9, 9], [9, 9, 1]])
        attention = torch.tensor([[0, 0, 0], [0, 0, 1]])
        for bidirectional in (True, False):
            features = self.model(ids, attention, attention, bidirectional=bidirectional)
            self.assertTrue(torch.isfinite(features).all())
        self.assertTrue(torch.equal(features[0], torch.zeros(32)))

    def test_padded_keys_are_masked(self):
        ids, attention = left_pad([[1, 2, 3]], pad_id=9)
        padded = torch.tensor([[7, 8, 1, 2, 3]])
        padded_mask = torch.tensor([[0, 0, 1, 1, 1]])
        embed = torch.tensor([[0, 0, 1, 1, 1]])
        torch.testing.assert_close(
            self.model(padded, padded_mask, embed), self.model(ids, attention, torch.ones_like(ids)), rtol=1e-4, atol=1e-5
        )


if __name__ == "__main__":
    unittest.main()
