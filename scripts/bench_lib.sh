# Timing helpers shared by the benchmark scripts (sourced; needs $runs set, and /usr/bin/time).
#
# run_median NAME CMD...: runs CMD $runs times (after one warm-up unless warmup=0), prints the
# median and range of the wall time and the peak RSS, and leaves the median in $median, the peak
# RSS (KB) in $peak and the last run's standard output in "$timing.out".
timing=$(mktemp)
trap 'rm -f "$timing" "$timing.out"' EXIT
run_median() {
  local name=$1
  shift
  [ "${warmup:-1}" -eq 0 ] || "$@" >/dev/null 2>&1 || true  # warm-up: page cache, first-touch
  local times=() rss=0
  for _ in $(seq "$runs"); do
    # Wall time from the shell's microsecond clock (/usr/bin/time prints hundredths, too coarse
    # for the header work); peak RSS from /usr/bin/time.
    local t0=$EPOCHREALTIME r
    /usr/bin/time -f '%M' -o "$timing" "$@" >"$timing.out" 2>/dev/null || true
    times+=("$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.4f", b - a}')")
    r=$(tail -1 "$timing")
    [ "$r" -gt "$rss" ] && rss=$r
  done
  local sorted
  sorted=$(printf '%s\n' "${times[@]}" | sort -g)
  median=$(echo "$sorted" | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}')
  local lo hi
  lo=$(echo "$sorted" | head -1)
  hi=$(echo "$sorted" | tail -1)
  peak=$rss
  printf '  %-62s %8.4f s  (%s..%s)  %7.1f MB peak\n' "$name" "$median" "$lo" "$hi" \
    "$(awk -v r="$rss" 'BEGIN {print r / 1024}')"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}'; }
# target NAME VALUE OP LIMIT: one line, "met" or "MISSED".
target() {
  local ok
  ok=$(awk -v v="$2" -v l="$4" -v op="$3" 'BEGIN {print ((op == ">=" ? v >= l : v <= l) ? "met" : "MISSED")}')
  printf '  %-72s %8s  (target %s %s)  %s\n' "$1" "$2" "$3" "$4" "$ok"
}
