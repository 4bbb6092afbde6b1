#!/usr/bin/env bash
# The README's first command: installs what is missing, builds medq, writes the sample variants
# of a tiny Gemma 3 model with the generator (bf16, 8-, 6-, 4-bit and a mixed 4/8-bit recipe; a
# few MB, no download) and prints the comparison report.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build.sh build >/dev/null
samples=build/samples
build/tools/synth/medq-synth samples --force "$samples" >/dev/null
echo "\$ medq compare --root $samples --fidelity --memory-budget 4MB --max-rel-error 0.05 --format text"
build/src/medq compare --root "$samples" --fidelity --memory-budget 4MB --max-rel-error 0.05 --format text
