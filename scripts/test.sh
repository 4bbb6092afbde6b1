#!/usr/bin/env bash
# The one command that builds medq and passes every test: installs what is missing, checks
# formatting, builds and runs the suite, then builds it with clang under ASan+UBSan (with libFuzzer
# coverage), runs it again and fuzzes every target for a bounded time.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
# Each stage's elapsed time, so that a CI log shows where the budget goes.
stage() { echo "== $* (at $((SECONDS - start)) s)"; }
./scripts/setup.sh
jobs=$(nproc)

stage "format"
./scripts/check_format.sh
stage "layers (ARCHITECTURE.md)"
python3 scripts/check_layers.py
stage "finding codes vs docs/findings.md"
./scripts/check_finding_docs.sh

stage "build"
# Line tables only (-g1): full debug info would add minutes to the two builds.
./scripts/build.sh build -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" >/dev/null
stage "tests"
ctest --test-dir build --output-on-failure -j"$jobs"
stage "examples in README.md and docs/ against the real output"
python3 scripts/check_doc_examples.py build

stage "build with ASan+UBSan (clang, with libFuzzer coverage)"
# One sanitizer build serves both the test suite and the fuzz targets.
launcher=()
command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
CC=clang CXX=clang++ cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DMEDQ_SANITIZE=ON \
  -DMEDQ_FUZZ=ON -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" "${launcher[@]}" >/dev/null
cmake --build build-asan -j"$jobs" >/dev/null
stage "tests under ASan+UBSan"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j"$jobs" -LE tooling

stage "fuzz (libFuzzer + ASan/UBSan, ${MEDQ_FUZZ_SECONDS:=15} s per target, $jobs at a time)"
targets=$(sed -n 's/^set(MEDQ_FUZZ_TARGETS \(.*\))$/\1/p' tests/fuzz/CMakeLists.txt)
[ -n "$targets" ] || { echo "no fuzz targets read from tests/fuzz/CMakeLists.txt"; exit 1; }
fuzz_dir=$(mktemp -d)
fuzz_one() {
  local t=$1 work="$fuzz_dir/$1"
  mkdir -p "$work/new"
  if ./build-asan/tests/fuzz/"fuzz_$t" -max_total_time="$MEDQ_FUZZ_SECONDS" -max_len=65536 \
      -print_final_stats=1 -artifact_prefix="$work/" "$work/new" "tests/fuzz/corpus/$t" \
      >"$work/log" 2>&1; then
    echo "fuzz_$t: $(grep -o 'Done [0-9]* runs in [0-9]* second(s)' "$work/log")," \
      "$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/log") exec/s"
  else
    echo "fuzz_$t FAILED; crash input and log kept in $work"
    tail -40 "$work/log"
    return 1
  fi
}
fuzz_failed=0
running=0
for t in $targets; do
  fuzz_one "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then
    wait -n || fuzz_failed=$((fuzz_failed + 1))
    running=$((running - 1))
  fi
done
while [ "$running" -gt 0 ]; do
  wait -n || fuzz_failed=$((fuzz_failed + 1))
  running=$((running - 1))
done
echo "fuzz targets: $(echo $targets | wc -w); with a crash: $fuzz_failed; all done at $((SECONDS - start)) s"
[ "$fuzz_failed" -eq 0 ] && rm -rf "$fuzz_dir"
[ "$fuzz_failed" -eq 0 ]
