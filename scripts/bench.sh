#!/usr/bin/env bash
# Benchmarks (docs/benchmarks.md): medq next to what users run today and to the physical limit,
# each pair measured in the same run, and medq's data work next to sha256sum.
#
#   scripts/bench.sh [RUNS]
#
# Builds a release medq (-O3) with the benchmark helpers into build-rel, installs the Hugging
# Face JS hub library into bench/js (npm), writes its models under build-bench/models (kept
# between runs; delete to regenerate): the four full-size sparse medgemma-4b-it replicas (bf16,
# 8, 6, 4 bits) and a 31 GB sparse medgemma-27b-it 8-bit replica, all with the real Gemma 3
# tokenizer, and a dense ~1 GB model with real random weights (about 1.6 GB of real disk).
# Prints the median of RUNS runs (default 5) after one warm-up, the range, the peak RSS, and the
# ratios with their targets.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
./scripts/setup.sh
cmake -S . -B build-rel -DCMAKE_BUILD_TYPE=Release -DMEDQ_BUILD_TESTS=OFF -DMEDQ_BUILD_BENCH=ON \
  >/dev/null
cmake --build build-rel -j"$(nproc)" >/dev/null
[ -d bench/js/node_modules/@huggingface/hub ] ||
  (cd bench/js && npm ci --silent --no-audit --no-fund >/dev/null)
medq=build-rel/src/medq
synth=build-rel/tools/synth/medq-synth
tokbench=build-rel/bench/medq-bench-tokenizer
models=build-bench/models
mkdir -p "$models"

# --- models ----------------------------------------------------------------------------------
for q in bf16 8 6 4; do
  [ -f "$models/replicas/$q/config.json" ] || "$synth" replica --quant "$q" "$models/replicas/$q" >/dev/null
done
[ -f "$models/replica-27b-8/config.json" ] ||
  "$synth" replica --model medgemma-27b-it --quant 8 "$models/replica-27b-8" >/dev/null
dense="--arch llama --hidden 2048 --layers 8 --heads 16 --kv-heads 8 --head-dim 128 --intermediate 8192"
[ -f "$models/dense/bf16/config.json" ] || "$synth" tiny $dense "$models/dense/bf16" >/dev/null
[ -f "$models/dense/q4/config.json" ] || "$synth" tiny $dense --bits 4 "$models/dense/q4" >/dev/null

# --- timing helpers ---------------------------------------------------------------------------
# shellcheck source=scripts/bench_lib.sh
source scripts/bench_lib.sh
# The process start-up floor, to read the fastest figures against.
run_floor() { run_median "/bin/true (process start-up, for scale)" /bin/true; }

echo "medq benchmarks: $runs runs each (median, range, peak RSS); $(nproc) cores, $(uname -m)"
echo

echo "== header work: medq next to what users run today (full-size sparse replicas)"
run_floor
r4=$models/replicas/4
shard4=$(ls "$r4"/*.safetensors | head -1)
run_median "medq validate 4-bit replica" "$medq" validate "$r4"
t_val4=$median
rss_val4=$peak
run_median "python3 bench/reference_validate.py 4-bit replica" python3 bench/reference_validate.py "$r4"
t_py=$median
run_median "medq inspect 4-bit shard ($(du -h --apparent-size "$shard4" | cut -f1))" "$medq" inspect "$shard4"
t_insp=$median
run_median "node bench/js/hub_inspect.mjs (@huggingface/hub) same shard" \
  node bench/js/hub_inspect.mjs "$r4" "$(basename "$shard4")"
t_js=$median
echo

echo "== tokenizer.json ($(du -h --apparent-size "$r4/tokenizer.json" | cut -f1), the real Gemma 3 file): medq's reader next to the JSON-parse limit"
run_median "medq tokenizer.json reader (parse + checks)" "$tokbench" medq "$r4/tokenizer.json"
t_tok=$median
rss_tok=$peak
run_median "simdjson DOM parse + count (the limit)" "$tokbench" simdjson "$r4/tokenizer.json"
t_lim=$median
echo

echo "== header work does not grow with the weights"
run_median "medq validate bf16 replica (9.9 GB of weights)" "$medq" validate "$models/replicas/bf16"
t_valbf=$median
run_median "medq validate 27b 8-bit replica (31 GB, 2,120 tensors)" "$medq" validate "$models/replica-27b-8"
t_val27=$median
echo

echo "== compare of the four replicas"
run_median "medq compare --root (4 replicas)" "$medq" compare --root "$models/replicas"
t_cmp=$median
rss_cmp=$peak
run_median "4 x medq validate, one after another" bash -c \
  'for d in "$@"; do "$0" validate "$d" >/dev/null || true; done' "$medq" "$models"/replicas/*
t_four=$median
echo

echo "== ratios (same run)"
target "python reference time / medq validate time" "$(ratio "$t_py" "$t_val4")" ">=" 10
target "medq validate 4-bit replica, seconds (warm)" "$t_val4" "<=" 0.3
target "node @huggingface/hub time / medq inspect time" "$(ratio "$t_js" "$t_insp")" ">=" 1
target "medq tokenizer.json time / simdjson limit time" "$(ratio "$t_tok" "$t_lim")" "<=" 2
target "medq tokenizer.json peak RSS, MB" "$(awk -v r="$rss_tok" 'BEGIN {printf "%.1f", r / 1024}')" "<=" 100
target "validate 31 GB 27b replica / validate 3.4 GB 4-bit replica" "$(ratio "$t_val27" "$t_val4")" "<=" 1.5
target "validate 9.9 GB bf16 replica / validate 3.4 GB 4-bit replica" "$(ratio "$t_valbf" "$t_val4")" "<=" 1.5
target "compare of 4 / one validate" "$(ratio "$t_cmp" "$t_val4")" "<=" 2
target "compare of 4 / four validates" "$(ratio "$t_cmp" "$t_four")" "<=" 1
echo "  peak RSS: validate $(awk -v r="$rss_val4" 'BEGIN {printf "%.1f", r / 1024}') MB, compare $(awk -v r="$rss_cmp" 'BEGIN {printf "%.1f", r / 1024}') MB"
echo

echo "== data work on a dense model with real weights ($(du -sh --apparent-size "$models/dense/bf16" | cut -f1) bf16, $(du -sh --apparent-size "$models/dense/q4" | cut -f1) 4-bit)"
bf_files=$(ls "$models"/dense/bf16/*.safetensors)
q4_files=$(ls "$models"/dense/q4/*.safetensors)
run_median "sha256sum bf16 weights (baseline)" sha256sum $bf_files
t_sha_bf=$median
run_median "validate --deep bf16" "$medq" validate --deep --quiet "$models/dense/bf16"
t_deep=$median
run_median "sha256sum bf16 + 4-bit weights (baseline)" sha256sum $bf_files $q4_files
t_sha_both=$median
run_median "fidelity 4-bit vs bf16" "$medq" fidelity --quiet "$models/dense/bf16" "$models/dense/q4"
t_fid=$median
echo "  deep scan speed / sha256sum speed (target >= 0.8): $(ratio "$t_sha_bf" "$t_deep")"
echo "  fidelity time / sha256sum time over the same bytes (target <= 2): $(ratio "$t_fid" "$t_sha_both")"
if "$medq" --help 2>/dev/null | grep -q "^  manifest"; then
  run_median "manifest bf16" "$medq" manifest "$models/dense/bf16"
  t_man=$median
  echo "  manifest speed / sha256sum speed (target >= 0.8): $(ratio "$t_sha_bf" "$t_man")"
fi
