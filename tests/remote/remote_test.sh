#!/usr/bin/env bash
# medq on hf:// repositories against real servers on loopback (docs/remote.md):
#   - nginx (tests/remote/nginx.conf.in) as a Hub of two origins serving a full-size sparse
#     4-bit medgemma-4b-it replica: validate, inspect, compare and check give what they give on
#     the same files locally, from a few MB of a 3.4 GB repository; the access logs prove which
#     bytes and headers were sent (the token to the first origin only), the fetch cache makes a
#     second run cost one request;
#   - tests/remote/fault_server.py for what nginx will not do: every fault bounded, reported,
#     exit 2.
# nginx is installed from Debian when missing (exit 77, a skip, when it cannot be). Every server
# started is stopped on exit.
#
#   tests/remote/remote_test.sh MEDQ MEDQ_SYNTH
set -euo pipefail
medq=$1
synth=$2
here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3

# shellcheck source=tests/remote/hub_server.sh
source "$here/hub_server.sh"
if ! hub_find_nginx; then
  echo "SKIP: nginx is not installed and could not be (apt-get install nginx-light)"
  exit 77
fi

tmp=$(mktemp -d)
fault_pid=
cleanup() {
  hub_stop "$tmp"
  if [ -n "$fault_pid" ]; then kill "$fault_pid" 2>/dev/null || true; fi
  wait 2>/dev/null || true
  if [ -n "${MEDQ_KEEP_TMP:-}" ]; then echo "kept $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
# run NAME ARGS...: runs medq, keeping stdout, stderr and the exit code in $tmp/out/NAME.*
mkdir -p "$tmp/out"
run() {
  local name=$1
  shift
  set +e
  "$medq" "$@" >"$tmp/out/$name.stdout" 2>"$tmp/out/$name.stderr"
  echo $? >"$tmp/out/$name.rc"
  set -e
}
rc() { cat "$tmp/out/$1.rc"; }
expect_rc() {
  [ "$(rc "$1")" = "$2" ] ||
    fail "$1: exit $(rc "$1"), expected $2; stderr: $(head -c 600 "$tmp/out/$1.stderr")"
}
expect_stderr() {
  grep -q -- "$2" "$tmp/out/$1.stderr" || fail "$1: stderr lacks '$2': $(head -c 600 "$tmp/out/$1.stderr")"
}

# No proxy for loopback, whatever the environment says; nothing of the user's reaches the test.
export no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost
unset HF_TOKEN HF_TOKEN_PATH HUGGING_FACE_HUB_TOKEN http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
export HF_HOME=$tmp/hf-home XDG_CACHE_HOME=$tmp/cache

# --- the Hub fixture: a full-size sparse 4-bit replica (headers + holes) -----------------------
token=medq-test-token-5f2c
commit=3f1e5c0d2b4a69788796a5b4c3d2e1f0a9b8c7d6
files=$tmp/cdn/test/medgemma-4b-it-4bit/$commit
"$synth" replica --quant 4 --tokenizer none "$files" >/dev/null
$py "$here/make_hub_fixture.py" "$tmp" test/medgemma-4b-it-4bit "$commit" main
# A second repository whose safetensors header (300 kB of metadata) is larger than the first
# speculative range: it costs exactly two range requests.
big=$tmp/cdn/test/big-header/$commit
"$synth" tiny "$big" >/dev/null
$py - "$big/model.safetensors" <<'EOF'
import json, sys
path = sys.argv[1]
data = open(path, "rb").read()
n = int.from_bytes(data[:8], "little")
header = json.loads(data[8:8 + n])
header["__metadata__"]["padding"] = "x" * 300_000
text = json.dumps(header, separators=(",", ":")).encode()
text += b" " * (-len(text) % 8)
open(path, "wb").write(len(text).to_bytes(8, "little") + text + data[8 + n:])
EOF
$py "$here/make_hub_fixture.py" "$tmp" test/big-header "$commit" main
hub_start "$tmp" "$token" || fail "the loopback Hub did not start"
export HF_ENDPOINT=http://127.0.0.1:$hub_port
repo=hf://test/medgemma-4b-it-4bit
shard=$(cd "$files" && ls ./*.safetensors | head -1 | sed 's|^\./||')

# same_json KEY... LOCAL REMOTE: the two reports agree on every KEY (a dotted path).
same_json() {
  $py - "$@" <<'EOF'
import json, sys
*keys, a, b = sys.argv[1:]
ja, jb = json.load(open(a)), json.load(open(b))
def get(j, k):
    for part in k.split("."):
        j = j[int(part)] if isinstance(j, list) else j[part]
    return j
for k in keys:
    if get(ja, k) != get(jb, k):
        sys.exit("differs at %s: %r vs %r" % (k, get(ja, k), get(jb, k)))
EOF
}

# 1. validate: the same findings as on the files themselves, from a few MB.
export HF_TOKEN=$token
run local_validate validate "$files" --format json
run remote_validate validate "$repo" --format json
expect_rc remote_validate "$(rc local_validate)"
same_json passed summary model files findings "$tmp/out/local_validate.stdout" \
  "$tmp/out/remote_validate.stdout" || fail "validate: remote and local reports differ"
$py - "$tmp/out/remote_validate.stdout" "$files" "$commit" <<'EOF' || fail "validate: remote block"
import json, os, sys
j, files, commit = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
r = j["remote"]
total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(files) for f in fs)
assert r["commit"] == commit and r["revision"] == "main", r
assert r["repo_bytes"] == total and total > 3_000_000_000, (r, total)
# What validation strictly needs: the small files it reads and each safetensors header.
needed = 0
for name in os.listdir(files):
    path = os.path.join(files, name)
    if name.endswith(".safetensors"):
        with open(path, "rb") as f:
            needed += 8 + int.from_bytes(f.read(8), "little")
    elif not name.endswith((".md", ".gitattributes")):
        needed += os.path.getsize(path)
assert r["bytes_fetched"] <= 1.1 * needed, (r["bytes_fetched"], needed)
assert r["bytes_fetched"] < total / 100, r      # a 3.4 GB repository read in a few MB
assert r["bytes_from_cache"] == 0 and r["retries"] == 0, r
EOF
# The text report: the local one, plus the remote line.
run local_text validate "$files"
run remote_text validate "$repo"
grep -q "^remote: $repo at commit $commit: " "$tmp/out/remote_text.stdout" || fail "no remote line"
diff <(tail -n +2 "$tmp/out/local_text.stdout") \
  <(tail -n +2 "$tmp/out/remote_text.stdout" | grep -v '^remote: ') >/dev/null ||
  fail "validate text: remote and local differ"

# What was sent: the token to the API origin only; every file read by ranges, at most two per
# safetensors file; no Authorization on the redirect's origin.
$py - "$tmp/logs/hub.log" "$tmp/logs/cdn.log" "$token" <<'EOF' || fail "access logs"
import re, sys
hub, cdn, token = open(sys.argv[1]).read().splitlines(), open(sys.argv[2]).read().splitlines(), sys.argv[3]
assert hub and cdn
for line in hub:
    assert 'auth="Bearer %s"' % token in line, line
for line in cdn:
    assert 'auth="-"' in line, line               # the token never reached the second origin
    assert re.search(r'range="bytes=\d+-\d+"', line), line
    assert '" 206 ' in line, line
paths = [re.search(r'"GET (\S+) ', l).group(1) for l in cdn]
st = [p for p in paths if p.endswith(".safetensors")]
for p in set(st):
    assert st.count(p) <= 2, (p, st.count(p))
assert len(set(paths)) == len(paths) - (len(st) - len(set(st))), paths   # each small file once
revision = [l for l in hub if "/revision/" in l and "medgemma" in l]
tree = [l for l in hub if "/tree/" in l and "medgemma" in l]
# Two runs: the first looked the revision up and read the tree's two pages; the second found the
# tree (and every byte) in the fetch cache.
assert len(revision) == 2 and len(tree) == 2, (len(revision), len(tree))
EOF
# The large header: the same findings, in two range requests.
run local_big validate "$big" --format json
run remote_big validate hf://test/big-header --format json
expect_rc remote_big "$(rc local_big)"
same_json findings model files "$tmp/out/local_big.stdout" "$tmp/out/remote_big.stdout" ||
  fail "big header: remote and local reports differ"
ranges=$(grep "/big-header/.*/model.safetensors " "$tmp/logs/cdn.log" | grep -o 'range="[^"]*"' | tr '\n' ' ')
n=$($py -c 'import sys; print(int.from_bytes(open(sys.argv[1],"rb").read(8),"little"))' "$big/model.safetensors")
[ "$ranges" = "range=\"bytes=0-262143\" range=\"bytes=262144-$((n + 7))\" " ] ||
  fail "big header: ranges were $ranges"
cdn_lines=$(wc -l <"$tmp/logs/cdn.log")
hub_lines=$(wc -l <"$tmp/logs/hub.log")

# 2. The fetch cache: a second run makes no request but the revision lookup.
run cached validate "$repo" --format json
expect_rc cached "$(rc local_validate)"
same_json findings model "$tmp/out/local_validate.stdout" "$tmp/out/cached.stdout" ||
  fail "cached run: findings differ"
[ "$(wc -l <"$tmp/logs/cdn.log")" -eq "$cdn_lines" ] || fail "cached run fetched file bytes"
[ "$(wc -l <"$tmp/logs/hub.log")" -eq $((hub_lines + 1)) ] || fail "cached run: not one request"
$py -c 'import json,sys; r=json.load(open(sys.argv[1]))["remote"]; assert r["requests"]==1 and r["bytes_fetched"]<4096 and r["bytes_from_cache"]>1000000, r' \
  "$tmp/out/cached.stdout" || fail "cached run: remote block"

# 3. A commit as the revision; inspect of one file; compare with the local folder; check.
run at_commit validate "$repo@$commit" --format json
same_json findings "$tmp/out/local_validate.stdout" "$tmp/out/at_commit.stdout" ||
  fail "validate @commit differs"
run local_inspect inspect "$files/$shard"
run remote_inspect inspect "$repo/$shard"
expect_rc remote_inspect "$(rc local_inspect)"
diff <(tail -n +2 "$tmp/out/local_inspect.stdout") \
  <(tail -n +2 "$tmp/out/remote_inspect.stdout" | grep -v '^remote: ') >/dev/null ||
  fail "inspect: remote and local differ"
run compare compare "$repo" "$files" --format json
expect_rc compare "$(rc local_validate)"
$py - "$tmp/out/compare.stdout" <<'EOF' || fail "compare: variants differ"
import json, sys
j = json.load(open(sys.argv[1]))
a, b = j["variants"]
for k in ("model_type", "quantization", "validation", "bytes", "tensors", "parameters",
          "bits_per_weight", "memory"):
    assert a[k] == b[k], (k, a[k], b[k])
assert len(j["remote"]) == 1 and j["remote"][0]["source"].startswith("hf://"), j["remote"]
# A repository is labelled by its id, as a model in the local cache is.
assert a["label"] == "test/medgemma-4b-it-4bit", a["label"]
assert all(f["identical"] for f in j["files"] if all(d is not None for d in f["sha256"])), j["files"]
EOF
echo '{"medq_policy": 1, "limits": {"max_weight_bytes": "4 GB"}, "quantization": {"bits": 4}}' >"$tmp/policy.json"
run local_check check "$files" --policy "$tmp/policy.json" --format json
run remote_check check "$repo" --policy "$tmp/policy.json" --format json
expect_rc remote_check "$(rc local_check)"
same_json verdict rules_summary "$tmp/out/local_check.stdout" "$tmp/out/remote_check.stdout" ||
  fail "check: verdicts differ"

# 4. What needs tensor data is refused, with exit 2; so are unknown repositories and no token.
echo '{"medq_policy": 1, "findings": {"deep": true}, "limits": {"max_weight_bytes": "4 GB"}}' >"$tmp/deep.json"
run deep_check check "$repo" --policy "$tmp/deep.json"
expect_rc deep_check 2
expect_stderr deep_check "needs the files locally"
run deep validate "$repo" --deep
expect_rc deep 2
expect_stderr deep "needs the files locally"
run manifest manifest "$repo"
expect_rc manifest 2
expect_stderr manifest "remote repository"
run fidelity compare "$repo" "$files" --fidelity
expect_rc fidelity 2
run quality compare "$repo" "$files" --quality
expect_rc quality 2
expect_stderr quality "needs the files locally"
# --revision names the revision of an address without @REV; both, different, is an error.
run revision_flag validate "$repo" --revision "$commit" --format json
same_json findings "$tmp/out/local_validate.stdout" "$tmp/out/revision_flag.stdout" ||
  fail "validate --revision differs"
run revision_both validate "$repo@main" --revision "$commit"
expect_rc revision_both 2
expect_stderr revision_both "give one"
run missing validate hf://test/no-such-model
expect_rc missing 2
expect_stderr missing "404 Not Found"
expect_stderr missing "check the name"
run bad_url validate hf://test
expect_rc bad_url 2
unset HF_TOKEN
run no_token validate "$repo"
expect_rc no_token 2
expect_stderr no_token "401 Unauthorized"
expect_stderr no_token "log in"
mkdir -p "$HF_HOME" && printf '%s\n' "$token" >"$HF_HOME/token"  # the token file works too
run token_file validate "$repo" --quiet
expect_rc token_file "$(rc local_validate)"
rm "$HF_HOME/token"
run token_flag validate "$repo" --token "$token"
expect_rc token_flag "$(rc local_validate)"
HF_ENDPOINT=http://127.0.0.1:$(free_port) run unreachable validate "$repo"
expect_rc unreachable 2
expect_stderr unreachable "cannot reach"
# TLS certificates are verified: a self-signed one is refused.
HF_ENDPOINT=https://127.0.0.1:$tls_port run self_signed validate "$repo"
expect_rc self_signed 2
expect_stderr self_signed "SSL certificate problem: self-signed certificate); medq verifies certificates"
[ ! -s "$tmp/logs/tls.log" ] || fail "a request went through over an unverified TLS connection"
# A proxy from the environment is used (a fresh cache, so that every request goes out).
XDG_CACHE_HOME=$tmp/cache-proxy no_proxy= NO_PROXY= http_proxy=http://127.0.0.1:$proxy_port \
  run proxied validate "$repo" --token "$token" --format json
expect_rc proxied "$(rc local_validate)"
same_json findings "$tmp/out/local_validate.stdout" "$tmp/out/proxied.stdout" ||
  fail "through the proxy: findings differ"
grep -q "/revision/main" "$tmp/logs/proxy.log" || fail "the proxy was not used"
grep -q "/cdn/" "$tmp/logs/proxy.log" || fail "the proxy was not used for the files"

# --- faults: a tiny model behind a server that misbehaves on purpose ---------------------------
tiny=$tmp/tiny
"$synth" tiny "$tiny" >/dev/null
$py "$here/fault_server.py" "$tmp/fault.port" "$tiny" "$commit" &
fault_pid=$!
for _ in $(seq 100); do [ -f "$tmp/fault.port" ] && break; sleep 0.05; done
[ -f "$tmp/fault.port" ] || fail "the fault server did not start"
export HF_ENDPOINT=http://127.0.0.1:$(cat "$tmp/fault.port")
run tiny_local validate "$tiny" --format json
fault() {  # fault MODE ARGS...: validate hf://faults/MODE with a cache of its own
  local mode=$1
  shift
  XDG_CACHE_HOME=$tmp/cache-$mode run "fault_$mode" validate "hf://faults/$mode" "$@"
}
for mode in ok ignore-range retry; do
  fault "$mode" --format json
  expect_rc "fault_$mode" "$(rc tiny_local)"
  same_json findings model "$tmp/out/tiny_local.stdout" "$tmp/out/fault_$mode.stdout" ||
    fail "fault $mode: findings differ from the local ones"
done
$py -c 'import json,sys; r=json.load(open(sys.argv[1]))["remote"]; assert r["retries"]>=2, r' \
  "$tmp/out/fault_retry.stdout" || fail "retry: no retries counted"
# The first round's files are asked for all at once (more of them than the 8 transfers medq
# once allowed, and none held back until a first answer came): each resolve of faults/parallel
# is answered after 0.3 s, and the server saw as many under way at once as there were files.
fault parallel --format json
expect_rc fault_parallel "$(rc tiny_local)"
$py -c 'import json,sys,urllib.request; r=json.load(open(sys.argv[1]))["remote"]; s=json.load(urllib.request.urlopen(sys.argv[2]+"/stats")); assert r["redirects"]>8 and s["parallel-peak"]==r["redirects"], (r, s)' \
  "$tmp/out/fault_parallel.stdout" "$HF_ENDPOINT" || fail "parallel: the first round was not asked for at once"
# The 200 that ignores Range was stopped after the bytes needed (it offers 1 TB).
sleep 0.5
$py -c 'import json,sys,urllib.request; s=json.load(urllib.request.urlopen(sys.argv[1]+"/stats")); assert s.get("ignore-range",0) < 64<<20, s' \
  "$HF_ENDPOINT" || fail "ignore-range: the transfer was not stopped"
fault wrong-range
expect_rc fault_wrong-range 2
expect_stderr fault_wrong-range "a 206 answer for bytes 1-"
fault wrong-size
expect_rc fault_wrong-size 2
expect_stderr fault_wrong-size "bytes, the listing's"
fault short
expect_rc fault_short 2
expect_stderr fault_short "ended before its promised length"
fault always-503
expect_rc fault_always-503 2
expect_stderr fault_always-503 "503 Service Unavailable (after 3 retries)"
fault redirect-loop
expect_rc fault_redirect-loop 2
expect_stderr fault_redirect-loop "redirect loop"
fault redirect-many
expect_rc fault_redirect-many 2
expect_stderr fault_redirect-many "more than 10 redirects"
fault header-bomb
expect_rc fault_header-bomb 2
expect_stderr fault_header-bomb "bytes of headers"
fault endless
expect_rc fault_endless 2
expect_stderr fault_endless "longer than the"
start=$(date +%s)
fault slow --timeout 2
expect_rc fault_slow 2
expect_stderr fault_slow "a limit on time"
[ $(($(date +%s) - start)) -lt 15 ] || fail "slow: not stopped in time"
fault forbidden
expect_rc fault_forbidden 2
expect_stderr fault_forbidden "403 Forbidden: a gated repository"
fault foreign-next
expect_rc fault_foreign-next 2
expect_stderr fault_foreign-next "another origin"
echo "remote_test: all passed"
