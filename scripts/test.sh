#!/usr/bin/env bash
# The one command that builds medq and passes every test: installs what is missing, checks
# formatting, builds and runs the suite, then builds and runs it again under ASan+UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
jobs=$(nproc)

echo "== format"
./scripts/check_format.sh
echo "== finding codes vs docs/findings.md"
./scripts/check_finding_docs.sh

echo "== build"
# Line tables only (-g1): full debug info would add minutes to the three builds below.
./scripts/build.sh build -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" >/dev/null
echo "== tests"
ctest --test-dir build --output-on-failure -j"$jobs"

echo "== build with ASan+UBSan"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DMEDQ_SANITIZE=ON \
  -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" >/dev/null
cmake --build build-asan -j"$jobs" >/dev/null
echo "== tests under ASan+UBSan"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j"$jobs"

echo "== fuzz (libFuzzer + ASan/UBSan, ${MEDQ_FUZZ_SECONDS:=20} s per target)"
CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMEDQ_FUZZ=ON \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
  -DMEDQ_SANITIZE=ON >/dev/null
targets=$(sed -n 's/^set(MEDQ_FUZZ_TARGETS \(.*\))$/\1/p' tests/fuzz/CMakeLists.txt)
for t in $targets; do cmake --build build-fuzz -j"$jobs" --target "fuzz_$t" >/dev/null; done
fuzz_ok=0
fuzz_failed=0
for t in $targets; do
  work=$(mktemp -d)
  if ./build-fuzz/tests/fuzz/"fuzz_$t" -max_total_time="$MEDQ_FUZZ_SECONDS" -max_len=65536 \
      -artifact_prefix="$work/" "$work" "tests/fuzz/corpus/$t" >"$work/log" 2>&1; then
    echo "fuzz_$t: $(grep -o 'Done [0-9]* runs in [0-9]* second(s)' "$work/log")"
    fuzz_ok=$((fuzz_ok + 1))
  else
    echo "fuzz_$t FAILED; crash input and log kept in $work"
    tail -40 "$work/log"
    fuzz_failed=$((fuzz_failed + 1))
    continue
  fi
  rm -rf "$work"
done
echo "fuzz targets without a crash: $fuzz_ok; with a crash: $fuzz_failed"
[ "$fuzz_failed" -eq 0 ]
