"""Command line: write a model folder (models/MANIFEST.md).

    python -m llm2clip.export random-tiny --out testing/random-tiny --seed 0
    python -m llm2clip.export hf --vision DIR --llm DIR --out DIR [--fp16]
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

    args = parser.parse_args(argv)
    if args.command == "random-tiny":
        from .random_tiny import write_random_tiny

        manifest = write_random_tiny(args.out, args.seed, args.fp16)
        print(f"wrote {manifest['name']} to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
