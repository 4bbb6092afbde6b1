#!/usr/bin/env bash
# Runs one golden case of the real medq CLI and compares stdout, stderr (when the case has an
# expected.err) and the exit code with the case's files. MEDQ_UPDATE_GOLDEN=1 rewrites them.
# usage: run_golden.sh MEDQ_BINARY CASE_NAME [MEDQ_SYNTH]     (run from any directory)
#
# medq runs in tests/golden, so a case's args name committed inputs as inputs/... A case with a
# file `generate` (medq-synth arguments without the output folder, e.g. `defect stale-index` or
# `samples`) instead runs `MEDQ_SYNTH <those arguments> model` in a new temporary folder and medq
# from there: its args name `model` (or `model/4bit` after `samples`), and no output shows the
# temporary path. A second line of `generate` writes `model2` the same way, a third `model3`, and
# so on (two different models for `medq compare`, say). There `inputs` links to the committed
# inputs, so that args can also name them (a policy file for `medq check`, say).
#
# A case with a file `hf_cache` (it needs `generate`) then lays out a Hugging Face cache in the
# temporary folder's hf-cache/: each line is the arguments of make_hf_cache.sh after its HUB
# (`snapshot ORG/NAME model COMMIT main`, `blob ORG/NAME NAME BYTES`). Every case runs medq with
# HF_HUB_CACHE=hf-cache, relative to where medq runs: the case's own cache, or none, never the
# user's.
set -u
medq=$1
name=$2
synth=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
case_dir=$here/cases/$name
read -r -a args <"$case_dir/args"
out=$(mktemp)
err=$(mktemp)
work=""
trap 'rm -f "$out" "$err"; if [ -n "$work" ]; then rm -rf "$work"; fi' EXIT
if [ -f "$case_dir/generate" ]; then
  if [ -z "$synth" ]; then
    echo "golden $name: needs the medq-synth binary as third argument"
    exit 2
  fi
  work=$(mktemp -d)
  n=0
  while read -r -a gen || [ "${#gen[@]}" -gt 0 ]; do
    n=$((n + 1))
    target=$work/model
    if [ "$n" -gt 1 ]; then target=$work/model$n; fi
    if ! "$synth" "${gen[@]}" "$target" >"$err" 2>&1; then
      echo "golden $name: medq-synth ${gen[*]} failed:"
      cat "$err"
      exit 2
    fi
  done <"$case_dir/generate"
  cd "$work" || exit 2
  ln -s "$here/inputs" inputs
  if [ -f "$case_dir/hf_cache" ]; then
    while read -r -a step || [ "${#step[@]}" -gt 0 ]; do
      if ! "$here/make_hf_cache.sh" hf-cache "${step[@]}" >"$err" 2>&1; then
        echo "golden $name: make_hf_cache.sh ${step[*]} failed:"
        cat "$err"
        exit 2
      fi
    done <"$case_dir/hf_cache"
  fi
else
  cd "$here" || exit 2
fi
HF_HUB_CACHE=hf-cache "$medq" "${args[@]}" >"$out" 2>"$err"
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
