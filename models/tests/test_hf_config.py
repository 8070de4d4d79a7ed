"""check-config: the released configs pass; other architectures are refused by name before any weights are fetched."""

import json
import tempfile
import unittest
from pathlib import Path

from llm2clip import export, hf_keys
from llm2clip.hf_config import check_llm_config, check_vision_config

# The fields of the released config.json files that the check reads (LLM2CLIP-Openai-L-14-336, LLM2CLIP-Llama-3-8B).
VISION = {
    "architectures": ["LLM2CLIPModel"], "model_type": "clip",
    "vision_config": {"hidden_act": "quick_gelu", "hidden_size": 1024, "num_attention_heads": 16, "num_hidden_layers": 24, "patch_size": 14, "image_size": 336},
}
LLAMA = {
    "architectures": ["LlamaEncoderModel"], "model_type": "llama", "hidden_act": "silu", "hidden_size": 4096, "intermediate_size": 14336,
    "num_attention_heads": 32, "num_hidden_layers": 32, "num_key_value_heads": 8, "rope_theta": 500000.0, "vocab_size": 128256,
}


class CheckConfigTest(unittest.TestCase):
    def test_the_released_pair_passes_with_its_dimensions(self):
        self.assertEqual(check_vision_config(VISION), "vision: CLIP ViT, 24 layers, width 1024, 336 px in 14 px patches, quick_gelu")
        self.assertEqual(check_llm_config(LLAMA), "llm: Llama, 32 layers, width 4096, 32 heads / 8 KV heads, FFN 14336, vocab 128256")

    def test_other_architectures_are_named(self):
        eva = {"architectures": ["EVA02CLIP"], "model_type": "eva-clip"}
        with self.assertRaisesRegex(hf_keys.MappingError, r"model_type 'eva-clip' \(EVA02CLIP\); the exporter implements OpenAI CLIP's ViT"):
            check_vision_config(eva)
        with self.assertRaisesRegex(hf_keys.MappingError, r"model_type 'mistral' \(MistralModel\); the exporter implements Llama"):
            check_llm_config({**LLAMA, "model_type": "mistral", "architectures": ["MistralModel"]})
        with self.assertRaisesRegex(hf_keys.MappingError, r"hidden_act is 'gelu_pytorch_tanh'"):
            check_llm_config({**LLAMA, "hidden_act": "gelu_pytorch_tanh"})
        with self.assertRaisesRegex(hf_keys.MappingError, r"rope_scaling of type 'dynamic' is not supported"):
            check_llm_config({**LLAMA, "rope_scaling": {"type": "dynamic", "factor": 2.0}})
        with self.assertRaisesRegex(hf_keys.MappingError, r"vision hidden_size 1000 is not a multiple of num_attention_heads 16"):
            check_vision_config({**VISION, "vision_config": {**VISION["vision_config"], "hidden_size": 1000}})

    def test_the_command_exits_3_on_a_mismatch(self):
        folder = Path(tempfile.mkdtemp())
        (folder / "vision.json").write_text(json.dumps(VISION))
        (folder / "llm.json").write_text(json.dumps({**LLAMA, "model_type": "qwen2"}))
        self.assertEqual(export.main(["check-config", "--vision", str(folder / "vision.json"), "--llm", str(folder / "llm.json")]), 3)
        (folder / "llm.json").write_text(json.dumps(LLAMA))
        self.assertEqual(export.main(["check-config", "--vision", str(folder / "vision.json"), "--llm", str(folder / "llm.json")]), 0)


if __name__ == "__main__":
    unittest.main()
