import json
import tempfile
import unittest
from unittest import mock
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import TensorProto, numpy_helper

from llm2clip.manifest import missing_files
from llm2clip.modeling import AdapterConfig, TextConfig, VisionConfig, LlamaEncoder, TextAdapter, VisionTransformer, init_random_
from llm2clip import onnx_export
from llm2clip.onnx_export import LLM, check, export_float16, export_float32

TINY_VISION = VisionConfig(image_size=16, patch_size=8, width=16, layers=1, heads=2, mlp_dim=32, embed_dim=8)
TINY_TEXT = TextConfig(vocab_size=40, hidden_size=16, layers=1, heads=4, kv_heads=2, intermediate_size=24, rope_theta=10000.0)
TINY_ADAPTER = AdapterConfig(feature_dim=16, hidden_dim=24, blocks=2, embed_dim=8)


def random_modules(seed=0):
    generator = torch.Generator().manual_seed(seed)
    modules = (VisionTransformer(TINY_VISION), LlamaEncoder(TINY_TEXT), TextAdapter(TINY_ADAPTER))
    for module in modules:
        init_random_(module, generator, std=0.2)
    return modules


def left_padded_batch():
    """Three rows of 6, 2 and 4 tokens, padded on the left as LLM2Vec pads."""
    ids = torch.randint(0, TINY_TEXT.vocab_size, (3, 6), generator=torch.Generator().manual_seed(1))
    mask = torch.tensor([[1] * 6, [0] * 4 + [1] * 2, [0] * 2 + [1] * 4])
    return ids, mask


def io_signature(values):
    """name -> (element type, [dim_param or dim_value])"""
    return {
        v.name: (v.type.tensor_type.elem_type, [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]) for v in values
    }


class ExportTest(unittest.TestCase):
    def setUp(self):
        self.dir = Path(tempfile.mkdtemp())

    def test_float32_graphs_are_valid_with_the_contract_io(self):
        expected = {
            "vision": ({"pixel_values": (TensorProto.FLOAT, ["batch", 3, 16, 16])}, {"image_embeds": (TensorProto.FLOAT, ["batch", 8])}),
            "llm": (
                {name: (TensorProto.INT64, ["batch", "sequence"]) for name in LLM.inputs},
                {"features": (TensorProto.FLOAT, ["batch", 16])},
            ),
            "adapter": ({"features": (TensorProto.FLOAT, ["batch", 16])}, {"text_embeds": (TensorProto.FLOAT, ["batch", 8])}),
        }
        for module, name in zip(random_modules(), expected):
            path = self.dir / f"{name}.onnx"
            self.assertEqual(export_float32(module, path), [path])
            check(path)
            model = onnx.load(str(path))
            self.assertEqual(model.opset_import[0].version, 17)
            self.assertEqual(io_signature(model.graph.input), expected[name][0])
            self.assertEqual(io_signature(model.graph.output), expected[name][1])

    def test_float16_graph_has_float32_io_and_float16_rounded_weights(self):
        vision = random_modules()[0]
        path = self.dir / "vision.fp16.onnx"
        export_float16(vision, path)
        check(path)
        model = onnx.load(str(path))
        self.assertEqual(io_signature(model.graph.input)["pixel_values"][0], TensorProto.FLOAT)
        self.assertEqual(io_signature(model.graph.output)["image_embeds"][0], TensorProto.FLOAT)
        casts = [node.attribute[0].i for node in model.graph.node if node.op_type == "Cast"]
        self.assertIn(TensorProto.FLOAT16, casts, "the float32 input is cast inside the graph")
        self.assertEqual(model.graph.node[-1].op_type, "Cast", "the output is cast to float32 inside the graph")
        types = {t.data_type for t in model.graph.initializer}
        self.assertNotIn(TensorProto.BFLOAT16, types)
        weights = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
        # The weight came through a bfloat16 trace, but holds float32 -> float16 rounding, not bfloat16's.
        original = vision.position_embedding.detach().numpy().astype(np.float16)
        self.assertTrue(any(w.shape == original.shape and np.array_equal(w, original) for w in weights.values()))
        self.assertEqual(vision.position_embedding.dtype, torch.float32, "the caller's module must stay float32")

    def test_graph_over_the_limit_keeps_weights_in_one_data_file(self):
        adapter = random_modules()[2]
        inline = self.dir / "inline.onnx"
        export_float32(adapter, inline)
        path = self.dir / "adapter.onnx"
        with mock.patch.object(onnx_export, "PROTOBUF_LIMIT", 4096):
            files = export_float32(adapter, path)
        self.assertEqual(files, [path, self.dir / "adapter.onnx.data"])
        check(path)
        self.assertEqual(sorted(p.name for p in self.dir.iterdir()), ["adapter.onnx", "adapter.onnx.data", "inline.onnx"])
        external = {t.name: numpy_helper.to_array(t) for t in onnx.load(str(path)).graph.initializer}
        expected = {t.name: numpy_helper.to_array(t) for t in onnx.load(str(inline)).graph.initializer}
        self.assertEqual(external.keys(), expected.keys())
        for name, values in expected.items():
            np.testing.assert_array_equal(external[name], values)
        stored = onnx.load(str(path), load_external_data=False).graph.initializer
        self.assertTrue(all(t.data_location == TensorProto.EXTERNAL and not t.raw_data for t in stored))

    def test_manifest_names_only_files_the_folder_has(self):
        folder = Path(__file__).resolve().parents[1] / "testing" / "random-tiny"
        manifest = json.loads((folder / "manifest.json").read_text())
        self.assertEqual(missing_files(manifest, folder), [])
        self.assertEqual(missing_files(manifest, self.dir)[0], "vision.onnx")


if __name__ == "__main__":
    unittest.main()
