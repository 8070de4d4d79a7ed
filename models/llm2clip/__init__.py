"""LLM2CLIP architecture, checkpoint loading and ONNX export for llm2clipd's model folders."""
