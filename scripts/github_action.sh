#!/usr/bin/env bash
# The check step of action.yml: runs `medq check` once with the action's inputs (from the
# environment, as action.yml passes them) and hands its results to GitHub the documented ways:
# the Markdown report appended to $GITHUB_STEP_SUMMARY, `verdict=` and `exit-code=` appended to
# $GITHUB_OUTPUT, annotations from medq itself (GITHUB_ACTIONS=true), the JSON report in
# $MEDQ_REPORT and JUnit in $MEDQ_JUNIT. Exits with medq's exit code.
# tests/install/action_test.sh runs it the way the runner does.
set -uo pipefail
: "${MEDQ:?}" "${MEDQ_MODEL:?}" "${MEDQ_POLICY:?}" "${GITHUB_STEP_SUMMARY:?}" "${GITHUB_OUTPUT:?}"
args=(check "$MEDQ_MODEL" --policy "$MEDQ_POLICY" --format json --quiet)
[ -n "${MEDQ_REFERENCE:-}" ] && args+=(--reference "$MEDQ_REFERENCE")
[ -n "${MEDQ_BASELINE:-}" ] && args+=(--baseline "$MEDQ_BASELINE")
[ -n "${MEDQ_JUNIT:-}" ] && args+=(--junit "$MEDQ_JUNIT")
summary=$(mktemp)
trap 'rm -f "$summary"' EXIT
args+=(--markdown "$summary")
# shellcheck disable=SC2206  # the extra options are one line split on spaces, as documented
[ -n "${MEDQ_ARGS:-}" ] && args+=($MEDQ_ARGS)
"$MEDQ" "${args[@]}" >"${MEDQ_REPORT:-medq-report.json}"
code=$?
[ -s "$summary" ] && cat "$summary" >>"$GITHUB_STEP_SUMMARY"
case $code in
  0) verdict=pass ;;
  1) verdict=invalid ;;
  3) verdict=fail ;;
  *) verdict=error ;;
esac
{
  echo "verdict=$verdict"
  echo "exit-code=$code"
} >>"$GITHUB_OUTPUT"
echo "medq check: $verdict (exit $code); report in ${MEDQ_REPORT:-medq-report.json}"
exit "$code"
