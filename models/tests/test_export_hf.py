"""HF key mapping and the `hf` exporter, on checkpoints written here in the released models' layouts."""

import json
import math
import shutil
import tempfile
import unittest
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import numpy_helper

from llm2clip import hf_keys
from llm2clip.hf_export import export_hf
from llm2clip.manifest import missing_files
from llm2clip.modeling import AdapterConfig, LlamaEncoder, TextAdapter, TextConfig, VisionConfig, VisionTransformer
from llm2clip.onnx_export import check
from llm2clip.safetensors import save_file

RANDOM_TINY = Path(__file__).resolve().parents[1] / "testing" / "random-tiny"
VISION = VisionConfig(image_size=16, patch_size=8, width=16, layers=2, heads=2, mlp_dim=24, embed_dim=8)
TEXT = TextConfig(vocab_size=30, hidden_size=16, layers=2, heads=4, kv_heads=2, intermediate_size=20, rope_theta=500000.0)
ADAPTER = AdapterConfig(feature_dim=16, hidden_dim=32, blocks=3, embed_dim=8)

# The released checkpoints' names, written out literally (HF CLIPModel, LLM2CLIP's adaptor Sequential, HF Llama).
CLIP_LAYER = ["layer_norm1", "layer_norm2", "self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.out_proj", "mlp.fc1", "mlp.fc2"]
LLAMA_LAYER = [
    "input_layernorm.weight", "post_attention_layernorm.weight", "self_attn.q_proj.weight", "self_attn.k_proj.weight",
    "self_attn.v_proj.weight", "self_attn.o_proj.weight", "mlp.gate_proj.weight", "mlp.up_proj.weight", "mlp.down_proj.weight",
]


def clip_names(layers):
    names = {
        "vision_model.embeddings.class_embedding", "vision_model.embeddings.patch_embedding.weight",
        "vision_model.embeddings.position_embedding.weight", "visual_projection.weight",
    }
    names |= {f"vision_model.{ln}.{p}" for ln in ("pre_layrnorm", "post_layernorm") for p in ("weight", "bias")}
    return names | {f"vision_model.encoder.layers.{i}.{m}.{p}" for i in range(layers) for m in CLIP_LAYER for p in ("weight", "bias")}


def adapter_names(prefix, blocks):
    names = {f"{prefix}{i}.{m}.{p}" for i in range(blocks) for m in ("ln", "fn.0", "fn.3") for p in ("weight", "bias")}
    return names | {f"{prefix}{blocks}.{p}" for p in ("weight", "bias")} | {f"{prefix}{blocks + 1}.{p}" for p in ("weight", "bias")}


def llama_names(prefix, layers):
    names = {f"{prefix}embed_tokens.weight", f"{prefix}norm.weight"}
    return names | {f"{prefix}layers.{i}.{m}" for i in range(layers) for m in LLAMA_LAYER}


def random_hf_state(module, mapping, seed, dtype=torch.float32):
    """A HF-layout state dict with random values of the shapes `module` needs."""
    generator = torch.Generator().manual_seed(seed)
    params = dict(module.named_parameters())
    return {theirs: torch.randn(params[ours].shape, generator=generator).to(dtype) for ours, theirs in mapping.items()}


class KeyMappingTest(unittest.TestCase):
    def test_vision_keys_are_hf_clip_names(self):
        self.assertEqual(set(hf_keys.vision_keys(VISION).values()), clip_names(2))
        self.assertEqual(set(hf_keys.vision_keys(VISION, "clip.").values()), {f"clip.{n}" for n in clip_names(2)})

    def test_adapter_keys_are_llm2clip_adaptor_names(self):
        self.assertEqual(set(hf_keys.adapter_keys(ADAPTER, "text_adapter.adaptor.").values()), adapter_names("text_adapter.adaptor.", 3))

    def test_llama_keys_are_hf_llama_names(self):
        self.assertEqual(set(hf_keys.llama_keys(TEXT).values()), llama_names("model.", 2))
        self.assertEqual(set(hf_keys.llama_keys(TEXT, "").values()), llama_names("", 2))

    def test_loaded_vision_holds_the_hf_tensors(self):
        module = VisionTransformer(VISION)
        state = random_hf_state(module, hf_keys.vision_keys(VISION), seed=1)
        hf_keys.load_mapped(module, hf_keys.vision_keys(VISION), state)
        layer = "vision_model.encoder.layers.1."
        pairs = [
            (module.patch_embed.weight, "vision_model.embeddings.patch_embedding.weight"),
            (module.class_embedding, "vision_model.embeddings.class_embedding"),
            (module.ln_pre.bias, "vision_model.pre_layrnorm.bias"),
            (module.ln_post.weight, "vision_model.post_layernorm.weight"),
            (module.proj.weight, "visual_projection.weight"),
            (module.blocks[1].ln_1.weight, layer + "layer_norm1.weight"),
            (module.blocks[1].ln_2.bias, layer + "layer_norm2.bias"),
            (module.blocks[1].attn.k_proj.bias, layer + "self_attn.k_proj.bias"),
            (module.blocks[1].attn.out_proj.weight, layer + "self_attn.out_proj.weight"),
            (module.blocks[1].mlp.fc2.weight, layer + "mlp.fc2.weight"),
        ]
        for param, name in pairs:
            self.assertTrue(torch.equal(param, state[name]), name)
        self.assertEqual(sum(p.numel() for p in module.parameters()), sum(t.numel() for t in state.values()))

    def test_loaded_llama_and_adapter_hold_the_hf_tensors(self):
        llm, adapter = LlamaEncoder(TEXT), TextAdapter(ADAPTER)
        llm_state = random_hf_state(llm, hf_keys.llama_keys(TEXT), seed=2, dtype=torch.bfloat16)
        adapter_map = hf_keys.adapter_keys(ADAPTER, "text_adapter.adaptor.")
        adapter_state = random_hf_state(adapter, adapter_map, seed=3)
        hf_keys.load_mapped(llm, hf_keys.llama_keys(TEXT), llm_state)
        hf_keys.load_mapped(adapter, adapter_map, adapter_state)
        layer = "model.layers.0."
        for param, name in [
            (llm.embed_tokens.weight, "model.embed_tokens.weight"),
            (llm.norm.weight, "model.norm.weight"),
            (llm.layers[0].attn_norm.weight, layer + "input_layernorm.weight"),
            (llm.layers[0].mlp_norm.weight, layer + "post_attention_layernorm.weight"),
            (llm.layers[0].attn.k_proj.weight, layer + "self_attn.k_proj.weight"),
            (llm.layers[0].attn.o_proj.weight, layer + "self_attn.o_proj.weight"),
            (llm.layers[0].mlp.gate_proj.weight, layer + "mlp.gate_proj.weight"),
            (llm.layers[0].mlp.up_proj.weight, layer + "mlp.up_proj.weight"),
        ]:
            self.assertEqual(param.dtype, torch.float32)
            self.assertTrue(torch.equal(param, llm_state[name].float()), name)
        for param, name in [
            (adapter.blocks[2].ln.weight, "text_adapter.adaptor.2.ln.weight"),
            (adapter.blocks[0].fc1.weight, "text_adapter.adaptor.0.fn.0.weight"),
            (adapter.blocks[1].fc2.bias, "text_adapter.adaptor.1.fn.3.bias"),
            (adapter.ln.weight, "text_adapter.adaptor.3.weight"),
            (adapter.proj.bias, "text_adapter.adaptor.4.bias"),
        ]:
            self.assertTrue(torch.equal(param, adapter_state[name]), name)

    def test_configs_come_from_shapes_and_hf_config(self):
        vision = VisionTransformer(VISION)
        shapes = hf_keys.shapes_of(random_hf_state(vision, hf_keys.vision_keys(VISION, "m."), seed=0))
        self.assertEqual(hf_keys.vision_prefix(shapes), "m.")
        self.assertEqual(hf_keys.vision_config(shapes, {"num_attention_heads": 2, "hidden_act": "quick_gelu"}, "m."), VISION)
        self.assertFalse(hf_keys.vision_config(shapes, {"num_attention_heads": 2, "hidden_act": "gelu"}, "m.").quick_gelu)
        adapter_map = hf_keys.adapter_keys(ADAPTER, "text_adapter.adaptor.")
        adapter_shapes = hf_keys.shapes_of(random_hf_state(TextAdapter(ADAPTER), adapter_map, seed=0))
        self.assertEqual(hf_keys.adapter_prefix(list(adapter_shapes) + list(shapes)), "text_adapter.adaptor.")
        self.assertEqual(hf_keys.adapter_config(adapter_shapes, "text_adapter.adaptor."), ADAPTER)

    def test_llama_config_from_hf_config_json(self):
        hf = {"vocab_size": 30, "hidden_size": 16, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
              "intermediate_size": 20, "rope_theta": 500000.0, "rms_norm_eps": 1e-5, "rope_scaling": None}
        self.assertEqual(hf_keys.llama_config(hf), TEXT)
        with self.assertRaisesRegex(hf_keys.MappingError, "rope_scaling of type 'linear' is not supported"):
            hf_keys.llama_config({**hf, "rope_scaling": {"rope_type": "linear", "factor": 2.0}})

    def test_mismatches_are_named(self):
        module = TextAdapter(ADAPTER)
        mapping = hf_keys.adapter_keys(ADAPTER, "a.")
        state = random_hf_state(module, mapping, seed=0)
        with self.assertRaisesRegex(hf_keys.MappingError, "checkpoint lacks 'a.4.bias'"):
            hf_keys.load_mapped(module, mapping, {k: v for k, v in state.items() if k != "a.4.bias"})
        with self.assertRaisesRegex(hf_keys.MappingError, r"a.0.fn.0.weight has shape \[32, 17\]"):
            hf_keys.load_mapped(module, mapping, {**state, "a.0.fn.0.weight": torch.zeros(32, 17)})
        with self.assertRaisesRegex(hf_keys.MappingError, "without a HF key"):
            hf_keys.load_mapped(module, {k: v for k, v in mapping.items() if k != "proj.bias"}, state)


LLAMA_CONFIG = {
    "vocab_size": 30, "hidden_size": 16, "num_hidden_layers": 2, "num_attention_heads": 4,
    "num_key_value_heads": 2, "intermediate_size": 20, "rope_theta": 500000.0, "rms_norm_eps": 1e-5,
}


def write_checkpoints(root, llama_prefix="model.", llama_config=None, extra_vision=None, extra_llm=None):
    """A CLIP + adapter checkpoint and a sharded bfloat16 Llama checkpoint laid out like the released ones."""
    vision_dir, llm_dir, out = root / "clip", root / "llama", root / "out"
    vision_dir.mkdir()
    llm_dir.mkdir()
    clip_state = random_hf_state(VisionTransformer(VISION), hf_keys.vision_keys(VISION), seed=4)
    clip_state.update(random_hf_state(TextAdapter(ADAPTER), hf_keys.adapter_keys(ADAPTER, "text_adapter.adaptor."), seed=5))
    clip_state.update(extra_vision or {})
    save_file(clip_state, vision_dir / "model.safetensors")
    (vision_dir / "config.json").write_text(json.dumps({"vision_config": {"num_attention_heads": 2}}))
    llama_state = random_hf_state(LlamaEncoder(TEXT), hf_keys.llama_keys(TEXT, llama_prefix), seed=6, dtype=torch.bfloat16)
    llama_state.update(extra_llm or {})
    names = sorted(llama_state)
    shards = {f"model-0000{i + 1}-of-00002.safetensors": names[i::2] for i in range(2)}
    for file, shard in shards.items():
        save_file({n: llama_state[n] for n in shard}, llm_dir / file)
    weight_map = {n: file for file, shard in shards.items() for n in shard}
    (llm_dir / "model.safetensors.index.json").write_text(json.dumps({"weight_map": weight_map}))
    (llm_dir / "config.json").write_text(json.dumps(llama_config or LLAMA_CONFIG))
    shutil.copy(RANDOM_TINY / "tokenizer.json", llm_dir / "tokenizer.json")
    return vision_dir, llm_dir, out, llama_state


class HfExportTest(unittest.TestCase):
    """The whole `hf` command on a tiny checkpoint pair laid out like the released ones."""

    def test_exports_a_complete_model_folder(self):
        vision_dir, llm_dir, out, llama_state = write_checkpoints(Path(tempfile.mkdtemp()))

        manifest = export_hf(vision_dir, llm_dir, out, float16=True, log=lambda _: None)

        self.assertEqual(missing_files(manifest, out), [])
        self.assertEqual((manifest["embed_dim"], manifest["feature_dim"], manifest["image"]["size"]), (8, 16, 16))
        self.assertEqual(manifest["text"]["prompt_prefix"], "<|start_header_id|>user<|end_header_id|>\n\n")
        self.assertEqual(manifest["graphs"]["llm"]["variants"], {"float16": "llm.fp16.onnx"})
        self.assertEqual((out / "tokenizer.json").read_bytes(), (RANDOM_TINY / "tokenizer.json").read_bytes())
        for file in ("vision.onnx", "llm.onnx", "adapter.onnx", "vision.fp16.onnx", "llm.fp16.onnx", "adapter.fp16.onnx"):
            check(out / file)
        embeddings = llama_state["model.embed_tokens.weight"]
        for file, expected in (("llm.onnx", embeddings.float().numpy()), ("llm.fp16.onnx", embeddings.float().numpy().astype(np.float16))):
            weights = {t.name: numpy_helper.to_array(t) for t in onnx.load(str(out / file)).graph.initializer}
            np.testing.assert_array_equal(weights["embed_tokens.weight"], expected)
        self.assertEqual(manifest["logit_scale"], 100.0)
        self.assertEqual(manifest["logit_scale_source"], "default 100: the checkpoint stores no logit_scale")

    def test_llama_bi_model_with_llama3_rope_exports_with_a_key_report_and_the_stored_logit_scale(self):
        """The 1B LLM's layout: LlamaBiModel keys (no `model.` prefix), Llama 3.2's rope_scaling; a stored logit_scale."""
        scaling = {"factor": 32.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 64, "rope_type": "llama3"}
        vision_dir, llm_dir, out, llama_state = write_checkpoints(
            Path(tempfile.mkdtemp()), llama_prefix="", llama_config={**LLAMA_CONFIG, "head_dim": 4, "rope_scaling": scaling},
            extra_vision={"logit_scale": torch.tensor(math.log(50.0))},
        )
        lines = []
        manifest = export_hf(vision_dir, llm_dir, out, log=lines.append)

        mapped = [line for line in lines if " -> " in line]
        checkpoint_keys = set(llama_state) | set(clip_names(2)) | adapter_names("text_adapter.adaptor.", 3) | {"logit_scale"}
        self.assertEqual(sorted(line.split(": ", 1)[1].split(" -> ")[0] for line in mapped), sorted(checkpoint_keys))
        self.assertIn(f"{llm_dir}: layers.1.self_attn.k_proj.weight -> llm:layers.1.attn.k_proj.weight", lines)
        self.assertIn(f"{vision_dir}: text_adapter.adaptor.4.bias -> adapter:proj.bias", lines)
        self.assertIn(f"{vision_dir}: logit_scale -> manifest:logit_scale", lines)
        self.assertAlmostEqual(manifest["logit_scale"], 50.0, places=3)
        self.assertTrue(manifest["logit_scale_source"].startswith("checkpoint: exp(logit_scale = 3.9120"), manifest["logit_scale_source"])
        config = json.loads((out / "config.json").read_text())
        self.assertEqual(config["text"]["rope_scaling"], {k: scaling[k] for k in hf_keys.LLAMA3_SCALING_KEYS})
        self.assertEqual(
            (manifest["text"]["caption_handling"], manifest["image"]["alpha"], manifest["image"]["resize_rounding"]), ("llm2vec", "drop", "floor")
        )
        check(out / "llm.onnx")
        # The graph carries the scaled frequencies, not the plain ones.
        scaled = LlamaEncoder(hf_keys.llama_config(config_json(llm_dir))).rotary.inv_freq.numpy()
        plain = LlamaEncoder(hf_keys.llama_config({**config_json(llm_dir), "rope_scaling": None})).rotary.inv_freq.numpy()
        self.assertFalse(np.allclose(scaled, plain))
        constants = graph_constants(out / "llm.onnx")
        self.assertTrue(holds_values(constants, scaled))
        self.assertFalse(holds_values(constants, plain))

    def test_a_tensor_no_graph_uses_fails_the_export_by_name(self):
        extra = {"vision_model.encoder.layers.0.self_attn.extra_proj.weight": torch.zeros(4, 4)}
        root = Path(tempfile.mkdtemp())
        vision_dir, llm_dir, out, _ = write_checkpoints(root, extra_vision=extra, extra_llm={"lm_head.weight": torch.zeros(30, 16)})
        with self.assertRaisesRegex(hf_keys.MappingError, r"1 tensor\(s\) used by no graph: vision_model\.encoder\.layers\.0\.self_attn\.extra_proj\.weight"):
            export_hf(vision_dir, llm_dir, out, log=lambda _: None)
        self.assertEqual(sorted(out.glob("*.onnx")) if out.exists() else [], [])

        lines = []
        export_hf(vision_dir, llm_dir, out, log=lines.append, allow_unused=[r".*\.extra_proj\.weight"])
        self.assertIn(f"{vision_dir}: vision_model.encoder.layers.0.self_attn.extra_proj.weight not used: allowed by --allow-unused", lines)
        self.assertIn(f"{llm_dir}: lm_head.weight not used: the LM head, which LLM2Vec's encoder does not use", lines)

    def test_an_adapter_under_a_second_name_is_caught(self):
        """The GitHub code names the module `text_adaptor`; a checkpoint holding both names cannot pass silently."""
        root = Path(tempfile.mkdtemp())
        renamed = random_hf_state(TextAdapter(ADAPTER), hf_keys.adapter_keys(ADAPTER, "text_adaptor."), seed=9)
        vision_dir, llm_dir, out, _ = write_checkpoints(root, extra_vision=renamed)
        with self.assertRaisesRegex(hf_keys.MappingError, r"used by no graph: text_adapter\.adaptor\.0\.fn\.0\.bias"):
            export_hf(vision_dir, llm_dir, out, log=lambda _: None)


def config_json(folder):
    return json.loads((folder / "config.json").read_text())


def holds_values(constants, values):
    return any(c.size == values.size and np.allclose(c.reshape(-1), values, rtol=1e-6) for c in constants)


def graph_constants(path):
    """Every float tensor stored in an ONNX graph: initializers and Constant nodes."""
    model = onnx.load(str(path))
    tensors = [numpy_helper.to_array(t) for t in model.graph.initializer]
    tensors += [numpy_helper.to_array(a.t) for node in model.graph.node if node.op_type == "Constant" for a in node.attribute if a.name == "value"]
    return [t for t in tensors if t.dtype in (np.float32, np.float16)]


if __name__ == "__main__":
    unittest.main()
