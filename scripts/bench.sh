#!/usr/bin/env bash
# Benchmarks: medq's header work on full-size sparse medgemma-4b-it replicas and its data work
# (deep scan, fidelity, manifest) on a generated ~1 GB model with real random weights, each next
# to a baseline run in the same session. Prints the median of RUNS runs (default 5), the spread,
# peak memory, and the ratios docs/benchmarks.md records.
#
#   scripts/bench.sh [RUNS]
#
# Writes its models under build-bench/models (kept between runs; delete to regenerate). Needs
# about 1.6 GB of real disk for the dense models; the replicas are sparse.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
./scripts/setup.sh
./scripts/build.sh build-bench -DMEDQ_BUILD_TESTS=OFF >/dev/null
medq=build-bench/src/medq
synth=build-bench/tools/synth/medq-synth
models=build-bench/models
mkdir -p "$models"

# --- models ----------------------------------------------------------------------------------
for q in bf16 8 6 4; do
  [ -f "$models/replicas/$q/config.json" ] || "$synth" replica --quant "$q" "$models/replicas/$q" >/dev/null
done
dense="--arch llama --hidden 2048 --layers 8 --heads 16 --kv-heads 8 --head-dim 128 --intermediate 8192"
[ -f "$models/dense/bf16/config.json" ] || "$synth" tiny $dense "$models/dense/bf16" >/dev/null
[ -f "$models/dense/q4/config.json" ] || "$synth" tiny $dense --bits 4 "$models/dense/q4" >/dev/null

# --- timing helpers ---------------------------------------------------------------------------
timing=$(mktemp)
trap 'rm -f "$timing"' EXIT
# run_median NAME CMD...: runs CMD $runs times (after one warm-up), prints median and range of
# the wall time and the peak RSS, and leaves the median in $median.
run_median() {
  local name=$1
  shift
  "$@" >/dev/null 2>&1 || true  # warm-up: page cache, first-touch
  local times=() rss=0
  for _ in $(seq "$runs"); do
    local out
    /usr/bin/time -f '%e %M' -o "$timing" "$@" >/dev/null 2>&1 || true
    out=$(tail -1 "$timing")
    times+=("${out% *}")
    local r=${out#* }
    [ "$r" -gt "$rss" ] && rss=$r
  done
  local sorted
  sorted=$(printf '%s\n' "${times[@]}" | sort -g)
  median=$(echo "$sorted" | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}')
  local lo hi
  lo=$(echo "$sorted" | head -1)
  hi=$(echo "$sorted" | tail -1)
  printf '  %-58s %8.3f s  (%s..%s)  %7.1f MB peak\n' "$name" "$median" "$lo" "$hi" \
    "$(awk -v r="$rss" 'BEGIN {print r / 1024}')"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}'; }

echo "medq benchmarks: $runs runs each (median, range, peak RSS); $(nproc) cores, $(uname -m)"
echo

echo "== header work on the full-size sparse replicas (real Gemma 3 tokenizer)"
shard4=$(ls "$models"/replicas/4/*.safetensors | head -1)
run_median "inspect 4-bit shard ($(du -h --apparent-size "$shard4" | cut -f1))" "$medq" inspect "$shard4"
run_median "validate 4-bit replica" "$medq" validate "$models/replicas/4"
t_val4=$median
run_median "validate bf16 replica (9.9 GB of weights)" "$medq" validate "$models/replicas/bf16"
t_valbf=$median
run_median "compare --root (4 replicas)" "$medq" compare --root "$models/replicas"
t_cmp=$median
echo "  ratio validate bf16 / validate 4-bit (header work must not grow with weights): $(ratio "$t_valbf" "$t_val4")"
echo "  ratio compare of 4 / one validate: $(ratio "$t_cmp" "$t_val4")"
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
