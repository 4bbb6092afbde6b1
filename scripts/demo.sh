#!/usr/bin/env bash
# The README's first command: installs what is missing, builds medq, and runs it on bundled
# sample data.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build.sh build >/dev/null
medq=build/src/medq
echo "\$ medq inspect tests/golden/inputs/sharded"
"$medq" inspect tests/golden/inputs/sharded
