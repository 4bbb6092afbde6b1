#!/usr/bin/env bash
# The check step of action.yml run the way the GitHub runner runs it: the inputs as the
# environment action.yml maps them to, GITHUB_ACTIONS=true, GITHUB_STEP_SUMMARY and GITHUB_OUTPUT
# as files, the workspace as the working folder. On the README samples with the example policy:
# the 8-bit variant fails (exit 3, verdict=fail, annotations on stderr, the Markdown report in the
# summary, the same as `medq check --format md`), the 4-bit one passes; every MEDQ_* variable the
# script reads is one action.yml sets.
#
#   action_test.sh MEDQ MEDQ_SYNTH
set -euo pipefail
medq=$(realpath "$1")
synth=$(realpath "$2")
src=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$synth" samples "$work/samples" >/dev/null
cp "$src/docs/examples/medq-policy.json" "$work/policy.json"

for v in $(grep -o 'MEDQ_[A-Z]*' "$src/scripts/github_action.sh" | sort -u); do
  grep -q "^        $v: " "$src/action.yml" || { echo "action.yml does not set $v"; exit 1; }
done

run_step() {  # run_step VARIANT: exit code in $code
  : >"$work/summary.md"
  : >"$work/output"
  set +e
  (cd "$work" && env GITHUB_ACTIONS=true GITHUB_STEP_SUMMARY="$work/summary.md" \
    GITHUB_OUTPUT="$work/output" MEDQ="$medq" MEDQ_MODEL="samples/$1" MEDQ_POLICY=policy.json \
    MEDQ_REFERENCE=samples/bf16 MEDQ_BASELINE= MEDQ_REPORT=medq-report.json \
    MEDQ_JUNIT=medq-junit.xml MEDQ_ARGS="--threads 2" "$src/scripts/github_action.sh" \
    >"$work/stdout" 2>"$work/stderr")
  code=$?
  set -e
}
fail() { echo "action_test: $*"; for f in stdout stderr output summary.md; do echo "--- $f"; cat "$work/$f"; done; exit 1; }

run_step 8bit
[ "$code" -eq 3 ] || fail "8bit: exit $code, expected 3"
grep -qx 'verdict=fail' "$work/output" || fail "8bit: no verdict=fail in GITHUB_OUTPUT"
grep -qx 'exit-code=3' "$work/output" || fail "8bit: no exit-code=3 in GITHUB_OUTPUT"
grep -q '^::error file=policy.json,title=medq check%3A quantization.bits::' "$work/stderr" ||
  fail "8bit: no quantization.bits annotation on stderr"
expected=$(cd "$work" && "$medq" check samples/8bit --policy policy.json --reference samples/bf16 \
  --format md --quiet || true)
[ "$(cat "$work/summary.md")" = "$expected" ] || fail "8bit: the summary is not medq check --format md"
/usr/bin/python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); assert r["schema_version"]' \
  "$work/medq-report.json" || fail "8bit: medq-report.json is not the JSON report"
grep -q '<testsuites' "$work/medq-junit.xml" || fail "8bit: no JUnit XML"

run_step 4bit
[ "$code" -eq 0 ] || fail "4bit: exit $code, expected 0"
grep -qx 'verdict=pass' "$work/output" || fail "4bit: no verdict=pass"
grep -q 'pass' "$work/summary.md" || grep -qi 'PASS' "$work/summary.md" || fail "4bit: summary without the verdict"
echo "action_test: 8bit fails (exit 3) and 4bit passes, as GitHub would run them"
