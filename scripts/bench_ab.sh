#!/usr/bin/env bash
# Before/after, side by side: medq at BASE (a commit) against the working tree, on the
# benchmark models of scripts/bench.sh (run that once first), interleaved run by run
# (base, new, base, new, ...) so that both see the same machine, which on a shared host drifts
# by tens of percent within minutes. Prints the median of each and the ratio.
#
#   scripts/bench_ab.sh BASE [RUNS]     e.g. scripts/bench_ab.sh adc4e4d 15
#
# BASE is built (release, -O3, no tests) in a git worktree under build-ab/ (kept between runs).
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:?usage: scripts/bench_ab.sh BASE [RUNS]}
runs=${2:-15}
models=build-bench/models
[ -f "$models/replicas/4/config.json" ] || { echo "run scripts/bench.sh once first" >&2; exit 2; }

sha=$(git rev-parse --short "$base")
tree=build-ab/$sha
if [ ! -x "$tree/build/src/medq" ]; then
  [ -d "$tree" ] || git worktree add -f --detach "$tree" "$sha" >/dev/null 2>&1
  cmake -S "$tree" -B "$tree/build" -DCMAKE_BUILD_TYPE=Release -DMEDQ_BUILD_TESTS=OFF >/dev/null
  cmake --build "$tree/build" -j"$(nproc)" --target medq >/dev/null
fi
cmake -S . -B build-rel -DCMAKE_BUILD_TYPE=Release -DMEDQ_BUILD_TESTS=OFF -DMEDQ_BUILD_BENCH=ON \
  >/dev/null
cmake --build build-rel -j"$(nproc)" --target medq >/dev/null
old=$tree/build/src/medq
new=build-rel/src/medq

# ab NAME ARGS...: runs "$old ARGS" and "$new ARGS" alternately, $runs times each after one
# warm-up each; prints both medians and old/new.
ab() {
  local name=$1
  shift
  "$old" "$@" >/dev/null 2>&1 || true
  "$new" "$@" >/dev/null 2>&1 || true
  local t_old=() t_new=() t0
  for _ in $(seq "$runs"); do
    t0=$EPOCHREALTIME
    "$old" "$@" >/dev/null 2>&1 || true
    t_old+=("$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN {print b - a}')")
    t0=$EPOCHREALTIME
    "$new" "$@" >/dev/null 2>&1 || true
    t_new+=("$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN {print b - a}')")
  done
  local m_old m_new
  m_old=$(printf '%s\n' "${t_old[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  m_new=$(printf '%s\n' "${t_new[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  printf '  %-44s %8.4f s  %8.4f s  %5.2fx\n' "$name" "$m_old" "$m_new" \
    "$(awk -v a="$m_old" -v b="$m_new" 'BEGIN {print (b > 0 ? a / b : 0)}')"
}

echo "medq $sha (base) against the working tree ($(git rev-parse --short HEAD)$(git diff --quiet || echo +changes)); $runs interleaved runs each, medians"
printf '  %-44s %10s  %10s  %6s\n' "" "base" "new" "base/new"
ab "validate 4-bit replica" validate "$models/replicas/4"
ab "validate 27b 8-bit replica (31 GB)" validate "$models/replica-27b-8"
ab "compare --root (4 replicas)" compare --root "$models/replicas"
ab "inspect 4-bit shard" inspect "$(ls "$models"/replicas/4/*.safetensors | head -1)"
