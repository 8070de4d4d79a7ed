import json
import struct
import tempfile
import unittest
from pathlib import Path

import torch

from llm2clip.safetensors import SafetensorsError, checkpoint_files, load_checkpoint, load_file, read_header, save_file


class SafetensorsTest(unittest.TestCase):
    def setUp(self):
        self.dir = Path(tempfile.mkdtemp())

    def test_round_trip_keeps_values_dtypes_and_metadata(self):
        tensors = {
            "a.weight": torch.randn(3, 4),
            "b.half": torch.randn(5).half(),
            "c.bf16": torch.randn(2, 3).to(torch.bfloat16),
            "d.ids": torch.arange(6, dtype=torch.int64).reshape(2, 3),
            "e.mask": torch.tensor([True, False]),
            "f.scalar": torch.tensor(2.5),
        }
        path = self.dir / "model.safetensors"
        save_file(tensors, path, metadata={"format": "pt"})
        header, start = read_header(path)
        self.assertEqual(header["__metadata__"], {"format": "pt"})
        self.assertEqual(start % 8, 0)
        loaded = load_file(path)
        self.assertEqual(loaded.keys(), tensors.keys())
        for name, tensor in tensors.items():
            self.assertEqual(loaded[name].dtype, tensor.dtype, name)
            self.assertTrue(torch.equal(loaded[name], tensor), name)

    def test_reads_a_file_laid_out_by_hand(self):
        # bfloat16 1.0 is 0x3F80 and -2.0 is 0xC000; float16 0.5 is 0x3800.
        header = {
            "w": {"dtype": "BF16", "shape": [2], "data_offsets": [0, 4]},
            "h": {"dtype": "F16", "shape": [1, 1], "data_offsets": [4, 6]},
        }
        encoded = json.dumps(header).encode()
        path = self.dir / "hand.safetensors"
        path.write_bytes(struct.pack("<Q", len(encoded)) + encoded + struct.pack("<HHH", 0x3F80, 0xC000, 0x3800))
        loaded = load_file(path)
        self.assertEqual(loaded["w"].dtype, torch.bfloat16)
        self.assertEqual(loaded["w"].float().tolist(), [1.0, -2.0])
        self.assertEqual(loaded["h"].float().tolist(), [[0.5]])

    def test_sharded_checkpoint_through_its_index(self):
        save_file({"x": torch.ones(2)}, self.dir / "model-00001-of-00002.safetensors")
        save_file({"y": torch.zeros(3), "z": torch.full((1,), 7.0)}, self.dir / "model-00002-of-00002.safetensors")
        index = {"metadata": {}, "weight_map": {"x": "model-00001-of-00002.safetensors", "y": "model-00002-of-00002.safetensors", "z": "model-00002-of-00002.safetensors"}}
        (self.dir / "model.safetensors.index.json").write_text(json.dumps(index))
        self.assertEqual(checkpoint_files(self.dir)["z"].name, "model-00002-of-00002.safetensors")
        loaded = load_checkpoint(self.dir, ["z", "x"])
        self.assertEqual({k: v.tolist() for k, v in loaded.items()}, {"z": [7.0], "x": [1.0, 1.0]})
        with self.assertRaisesRegex(SafetensorsError, "missing tensors \\['w'\\]"):
            load_checkpoint(self.dir, ["w"])

    def test_rejects_wrong_byte_counts_and_missing_checkpoints(self):
        header = json.dumps({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 4]}}).encode()
        path = self.dir / "bad.safetensors"
        path.write_bytes(struct.pack("<Q", len(header)) + header + b"\0" * 4)
        with self.assertRaisesRegex(SafetensorsError, "4 bytes for shape \\[2\\]"):
            load_file(path)
        with self.assertRaisesRegex(SafetensorsError, "neither"):
            checkpoint_files(self.dir / "nowhere")


if __name__ == "__main__":
    unittest.main()
