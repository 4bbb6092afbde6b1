#!/usr/bin/env bash
# Runs one golden case of the real medq CLI and compares stdout, stderr (when the case has an
# expected.err) and the exit code with the case's files. MEDQ_UPDATE_GOLDEN=1 rewrites them.
# usage: run_golden.sh MEDQ_BINARY CASE_NAME     (run from any directory)
set -u
medq=$1
name=$2
here=$(cd "$(dirname "$0")" && pwd)
case_dir=$here/cases/$name
cd "$here" || exit 2
read -r -a args <"$case_dir/args"
out=$(mktemp)
err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
"$medq" "${args[@]}" >"$out" 2>"$err"
code=$?
if [ "${MEDQ_UPDATE_GOLDEN:-}" = 1 ]; then
  cp "$out" "$case_dir/expected.out"
  echo "$code" >"$case_dir/expected.exit"
  if [ -s "$err" ]; then cp "$err" "$case_dir/expected.err"; else rm -f "$case_dir/expected.err"; fi
  echo "updated $name"
  exit 0
fi
status=0
if ! diff -u "$case_dir/expected.out" "$out"; then
  echo "golden $name: stdout differs (MEDQ_UPDATE_GOLDEN=1 to accept)"
  status=1
fi
if [ -f "$case_dir/expected.err" ] && ! diff -u "$case_dir/expected.err" "$err"; then
  echo "golden $name: stderr differs"
  status=1
fi
want=$(cat "$case_dir/expected.exit")
if [ "$code" != "$want" ]; then
  echo "golden $name: exit code $code, expected $want"
  status=1
fi
exit $status
