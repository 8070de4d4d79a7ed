#!/usr/bin/env bash
# Installs code-server 4.100.3 (VS Code 1.100.3 on Node 20) once into a cache folder outside the repository, for the
# end-to-end tests, and prints its binary. Reuses an existing install. Its native modules build against the system
# packages that test/setup.mjs checks (npm test runs that first): build tools, ripgrep and the Kerberos, X11, xkbfile
# and libsecret headers.
set -euo pipefail

VERSION=4.100.3
CACHE_DIR="${LLM2CLIP_E2E_CACHE:-$HOME/.cache/llm2clip-e2e}"
PREFIX="$CACHE_DIR/code-server-$VERSION"
BIN="$PREFIX/node_modules/.bin/code-server"

if [[ -x "$BIN" ]]; then
  echo "$BIN"
  exit 0
fi

echo "setup-code-server: installing code-server $VERSION into $PREFIX (once, about a minute)" >&2
mkdir -p "$PREFIX"
WORK_TMP="$(mktemp -d)"
trap 'rm -rf "$WORK_TMP"' EXIT

# @vscode/ripgrep downloads rg from GitHub, which is unreachable; it first looks for this archive in $TMPDIR, so seed it with Debian's rg.
RG_CACHE="$WORK_TMP/vscode-ripgrep-cache-1.15.11"
mkdir -p "$RG_CACHE/pack"
cp "$(command -v rg)" "$RG_CACHE/pack/rg"
tar -czf "$RG_CACHE/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$RG_CACHE/pack" rg

cd "$PREFIX"
# allowScripts names the two packages whose install scripts this needs, so npm 11 does not warn about them.
[[ -f package.json ]] || echo '{"name":"llm2clip-e2e-code-server","private":true,"allowScripts":{"code-server":true,"argon2":true}}' > package.json
# unsafe_perm: code-server's postinstall refuses to run as root otherwise (npm warns that it no longer knows the
# setting, but still passes it to the script); yes: node-pty's install runs `npx node-gyp`.
TMPDIR="$WORK_TMP" npm_config_unsafe_perm=true npm_config_yes=true \
  npm install --no-audit --no-fund --no-save "code-server@$VERSION" >&2

"$BIN" --version >&2
echo "$BIN"
