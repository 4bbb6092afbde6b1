#!/usr/bin/env bash
# Fails when docs/findings.md and the source disagree about the finding codes: every code the
# source can emit must have exactly one row in docs/findings.md, and every code documented there
# (or named in backquotes anywhere in docs/ or README.md) must exist in the source.
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C  # one sort order for sort, uniq and comm
areas='safetensors|index|config|quant|tokenizer|directory|data|integrity|manifest|compare|hf_cache'
files='config\.json|tokenizer\.json|tokenizer\.model'  # file names that look like codes
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 1. Codes in the source. Written out: "<area>.<name>" string literals. The policy stage's literals
# are `medq check` rule ids (key paths such as "tokenizer.identical_to", docs/ci.md), not finding
# codes: kept apart, and left out of the codes the documentation may name.
grep -rhoE "\"($areas)\.[a-z0-9_]+\"" src include --exclude-dir=policy | tr -d '"' |
  grep -vxE "$files" >"$tmp/source" || true
grep -rhoE "\"($areas)\.[a-z0-9_]+\"" src/policy include/medq/policy | tr -d '"' | sort -u \
  >"$tmp/rules" || true
# Built from an area by the shared JSON reader: std::string(area) + ".<suffix>", for every area
# passed to read_json_file / parse_json_text or returned by json_area().
suffixes=$(grep -ohE 'std::string\(area\) \+ "\.[a-z_]+"' src/formats/json_file.cpp |
  sed -E 's/.*"\.([a-z_]+)"/\1/' | sort -u)
json_areas=$( (grep -rhoE '(read_json_file|parse_json_text)\([^;]*' src |
  grep -oE '"[a-z]+"' | tr -d '"'
  sed -n '/^std::string_view json_area(/,/^}/p' src/check/validate.cpp |
    grep -oE 'return "[a-z]+"' | sed -E 's/return "([a-z]+)"/\1/') | sort -u)
if [ -z "$suffixes" ] || [ -z "$json_areas" ]; then
  echo "check_finding_docs: could not find the shared JSON reader's codes in the source"
  exit 1
fi
for a in $json_areas; do
  for s in $suffixes; do echo "$a.$s"; done
done >>"$tmp/source"
sort -u "$tmp/source" -o "$tmp/source"

# 2. Codes with a row in docs/findings.md: a table row whose first cell is the code.
# shellcheck disable=SC2016  # the backquotes are literal
grep -oE "^\| \`($areas)\.[a-z0-9_]+\` \|" docs/findings.md | sed -E 's/^\| `([^`]+)` \|/\1/' |
  sort >"$tmp/rows" || true
# Codes named anywhere in the documentation, in backquotes.
grep -ohE "\`($areas)\.[a-z0-9_]+\`" docs/*.md README.md | tr -d '`' | grep -vxE "$files" |
  sort -u | comm -23 - "$tmp/rules" >"$tmp/named" || true

status=0
report() {  # report TITLE FILE
  if [ -s "$2" ]; then
    echo "$1:"
    sed 's/^/  /' "$2"
    status=1
  fi
}
sort -u "$tmp/rows" | comm -23 "$tmp/source" - >"$tmp/undocumented"
report "codes in the source without a row in docs/findings.md" "$tmp/undocumented"
uniq -d "$tmp/rows" >"$tmp/twice"
report "codes with more than one row in docs/findings.md" "$tmp/twice"
comm -13 "$tmp/source" "$tmp/named" >"$tmp/unknown"
report "codes in the documentation that the source never emits" "$tmp/unknown"
if [ "$status" -eq 0 ]; then
  echo "finding docs: ok ($(wc -l <"$tmp/source") codes, each documented once)"
fi
exit "$status"
