"""Command line: write a model folder (models/MANIFEST.md).

    python -m llm2clip.export random-tiny --out testing/random-tiny --seed 0
    python -m llm2clip.export hf --vision DIR --llm DIR [--tokenizer DIR] --out DIR [--fp16] [--allow-unused REGEX]
    python -m llm2clip.export check-config --vision FILE --llm FILE

See models/README.md for the real LLM2CLIP checkpoints and what exporting them needs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import List, Optional


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m llm2clip.export", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    tiny = commands.add_parser("random-tiny", help="a tiny model with random weights, for tests")
    tiny.add_argument("--out", type=Path, required=True)
    tiny.add_argument("--seed", type=int, default=0)
    tiny.add_argument("--fp16", action="store_true", help="also write float16 variants")

    hf = commands.add_parser("hf", help="the released LLM2CLIP checkpoints (HF folders of safetensors)")
    hf.add_argument("--vision", type=Path, required=True, help="folder of microsoft/LLM2CLIP-Openai-L-14-336")
    hf.add_argument("--llm", type=Path, required=True, help="folder of microsoft/LLM2CLIP-Llama-3-8B-Instruct-CC-Finetuned or -Llama-3.2-1B-Instruct-CC-Finetuned")
    hf.add_argument("--tokenizer", type=Path, help="folder with Llama-3's tokenizer.json (default: --llm)")
    hf.add_argument("--out", type=Path, required=True)
    hf.add_argument("--fp16", action="store_true", help="also write float16 variants (for CUDA)")
    hf.add_argument("--name", default="llm2clip-openai-l-14-336-llama-3-8b")
    hf.add_argument("--max-length", type=int, default=512, help="tokens per caption, BOS and prompt included")
    hf.add_argument(
        "--allow-unused", action="append", default=[], metavar="REGEX",
        help="checkpoint tensors (full-name regex) that may be left unused; any other unused tensor fails the export",
    )

    check = commands.add_parser("check-config", help="check two config.json files against the architectures `hf` implements")
    check.add_argument("--vision", type=Path, required=True, help="config.json of the vision checkpoint")
    check.add_argument("--llm", type=Path, required=True, help="config.json of the LLM checkpoint")

    args = parser.parse_args(argv)
    if args.command == "random-tiny":
        from .random_tiny import write_random_tiny

        manifest = write_random_tiny(args.out, args.seed, args.fp16)
        print(f"wrote {manifest['name']} to {args.out}")
    elif args.command == "hf":
        from .hf_export import export_hf

        export_hf(
            args.vision, args.llm, args.out, args.tokenizer, args.fp16, args.name, args.max_length, allow_unused=args.allow_unused
        )
    elif args.command == "check-config":
        import json

        from .hf_config import check_configs
        from .hf_keys import MappingError

        try:
            lines = check_configs(*(json.loads(path.read_text(encoding="utf-8")) for path in (args.vision, args.llm)))
        except MappingError as error:
            print(f"config mismatch: {error}", file=sys.stderr)
            return 3
        print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
