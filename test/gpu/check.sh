#!/usr/bin/env bash
# The GPU check as one command: random-weight ViT-L/14-336 and a Llama-3-8B-shaped encoder, exported with fused
# attention in float16, run through the daemon's runtime on CUDA and through PyTorch eager in the same run; one table.
#
#   On the GPU machine, after the kit (../shared/gpu/README.md): bash test/gpu/check.sh
#   CPU dry run at tiny size, here:                              DEVICE=cpu TINY=1 bash test/gpu/check.sh
#
# Needs test/.artifacts/gpu/check.cjs (node test/gpu/build.mjs; carry it). LLM_LAYERS (default 8) sets the depth
# of the 8B-shaped encoder (all 32 layers are 16 GB of float16 weights); MODELS=llm (or vision) checks one model.
# Results go to $OUT or a temp dir.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
device="${DEVICE:-cuda}"
out="${OUT:-$(mktemp -d)}/gpu-check"
python="${PYTHON:-$(command -v python3)}"
[ "$device" = cpu ] && python=/usr/bin/python3
bundle="${BUNDLE:-$root/test/.artifacts/gpu/check.cjs}"
[ -f "$bundle" ] || { echo "missing $bundle: run node test/gpu/build.mjs first" >&2; exit 2; }
(cd "$root/models" && "$python" -m llm2clip.gpu_check --out "$out" --device "$device" --llm-layers "${LLM_LAYERS:-8}" ${TINY:+--tiny} --repeats "${REPEATS:-20}" --models "${MODELS:-vision,llm}")
node "$bundle" "$out" "$device"
