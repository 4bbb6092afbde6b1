#!/usr/bin/env bash
# The HTML reports rendered in a real browser: installs Debian's chromium when it is missing,
# writes the compare (with fidelity, a memory budget and an error criterion) and fidelity reports of the README
# samples as HTML, and the check report of one that fails a policy (through --html FILE), renders each headless (no sandbox, no GPU, a fresh profile, background
# networking off) and checks that the page rendered: a screenshot that is not blank and shows the
# charts' colours (check: the rule statuses' colours), the charts' <svg> elements in the DOM with
# their sizes (check: the status cells with their classes and symbols), no console errors, and
# no network request attempted (Chromium's own net log lists every URL it asked for).
#
#   html_browser_test.sh MEDQ MEDQ_SYNTH [SHOT.png]   (SHOT: keep the compare screenshot there)
set -euo pipefail
medq=$(realpath "$1")
synth=$(realpath "$2")
keep=${3:-}
if ! command -v chromium >/dev/null 2>&1; then
  echo "html_browser_test: installing chromium from Debian"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$synth" samples "$work/samples" >/dev/null
s=$work/samples
"$medq" compare "$s/bf16" "$s/8bit" "$s/6bit" "$s/4bit" --fidelity --memory-budget 4MB \
  --max-rel-error 0.05 --format html --quiet >"$work/compare.html"
"$medq" fidelity "$s/bf16" "$s/8bit" "$s/4bit" --format html --quiet >"$work/fidelity.html"
# mixed_4_8 fails the gate's bits and size rules, passes others, and has no baseline (skipped).
gate=$(dirname "$(realpath "$0")")/../golden/inputs/check/gate.json
"$medq" check "$s/mixed_4_8" --policy "$gate" --reference "$s/bf16" --quiet \
  --html "$work/check.html" >/dev/null && fail_code=0 || fail_code=$?
[ "$fail_code" = 3 ] || { echo "html_browser_test: check exited $fail_code, expected 3"; exit 1; }

fail() { echo "html_browser_test: $*"; exit 1; }
render() {  # render NAME: screenshot, DOM, console log, net log of NAME.html
  local n=$1 flags=(--headless --no-sandbox --disable-gpu --user-data-dir="$work/profile-$1"
    --disable-background-networking --disable-component-update --disable-sync --no-first-run
    --disable-default-apps --disable-extensions --metrics-recording-only --hide-scrollbars
    --enable-logging=stderr --v=0 --log-net-log="$work/$1.netlog.json" --window-size=1000,2600)
  timeout 120 chromium "${flags[@]}" --screenshot="$work/$n.png" "file://$work/$n.html" \
    >"$work/$n.shot.log" 2>&1 || fail "$n: chromium --screenshot failed: $(tail -5 "$work/$n.shot.log")"
  timeout 120 chromium "${flags[@]}" --dump-dom "file://$work/$n.html" >"$work/$n.dom.html" \
    2>"$work/$n.dom.log" || fail "$n: chromium --dump-dom failed"
}
# A control page that does ask for a remote image: the net-log check must see it.
echo '<!DOCTYPE html><img src="http://127.0.0.1:9/x.png">' >"$work/control.html"
render control
for n in compare fidelity check; do
  render "$n"
  /usr/bin/python3 - "$work" "$n" <<'PY' || fail "$n: see above"
import json, re, struct, sys, zlib
work, name = sys.argv[1], sys.argv[2]
# The DOM as Chromium built it: the charts are there, each with its width and height.
dom = open(f"{work}/{name}.dom.html", encoding="utf-8").read()
charts = re.findall(r'<svg[^>]*class="chart"[^>]*>', dom)
want = {"compare": 3, "fidelity": 2, "check": 0}[name]
assert len(charts) >= want, f"{len(charts)} charts in the DOM, expected at least {want}"
for c in charts:
    w, h = re.search(r'width="(\d+)"', c), re.search(r'height="(\d+)"', c)
    assert w and h and int(w.group(1)) > 100 and int(h.group(1)) > 100, c
if name != "check":
    assert dom.count('class="point"') + dom.count('class="bar"') >= 4, "no points or bars"
else:
    # Every status in colour and with its symbol, the verdict marked as failed.
    for cls, symbol, word in (("pass", "✓", "pass"), ("fail", "✗", "FAIL"),
                              ("not-evaluated", "–", "skipped")):
        cell = f'<td class="{cls}"><span class="mark" aria-hidden="true">{symbol}</span> {word}</td>'
        assert cell in dom, f"no {cls} cell: {cell}"
    assert '<p class="fail">' in dom and "POLICY FAILED" in dom, "the verdict is not marked"
if name == "compare":
    # The decision drawn: the recommended point ringed and named, the budget on both memory
    # charts and the error criterion as lines.
    assert "6bit (recommended)" in dom, "the recommended variant is not marked"
    assert dom.count('class="limit"') >= 3, "the budget and error criterion lines are missing"
# No console message at error level, no CSP violation.
for log in (f"{work}/{name}.shot.log", f"{work}/{name}.dom.log"):
    for line in open(log, errors="replace"):
        if "CONSOLE" in line or "Refused to" in line or "Uncaught" in line:
            raise SystemExit(f"console: {line.strip()}")
# Every URL the page asked for (an initiator that is an origin: the browser's own update and
# account requests say "not an origin") is the page itself or inline data.
def page_requests(path):
    net = json.load(open(path))
    found = set()
    for e in net.get("events", []):
        p = e.get("params") or {}
        if "url" in p and p.get("initiator") not in (None, "not an origin"):
            if not p["url"].startswith(("file:", "data:", "about:")):
                found.add(p["url"])
    return sorted(found)
remote = page_requests(f"{work}/{name}.netlog.json")
assert not remote, f"network requests attempted: {remote}"
# The detector itself finds a request when a page makes one (a control page, no CSP).
control = page_requests(f"{work}/control.netlog.json")
assert any(u.startswith("http://127.0.0.1:9/") for u in control), f"control: {control}"
# The screenshot: decode the PNG (8-bit RGB/RGBA, no interlace) and look at its pixels.
png = open(f"{work}/{name}.png", "rb").read()
assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, w = 8, b"", 0
while pos < len(png):
    n, kind = struct.unpack(">I4s", png[pos:pos + 8])
    body = png[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
        assert depth == 8 and ctype in (2, 6), (depth, ctype)
        bpp = 3 if ctype == 2 else 4
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
raw = zlib.decompress(idat)
stride = w * bpp
prev = bytearray(stride)
nonwhite, colours = 0, set()
for y in range(h):
    f = raw[y * (stride + 1)]
    line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    for x in range(0, stride, bpp * 2):
        px = tuple(line[x:x + 3])
        if px != (255, 255, 255):
            nonwhite += 1
            colours.add(px)
    prev = line
share = nonwhite / (w * h / 2)
palette = {(0x00, 0x72, 0xB2), (0xD5, 0x5E, 0x00), (0x00, 0x9E, 0x73)}
assert share > 0.01, f"the screenshot is blank ({share:.4f} of pixels not white)"
assert palette & colours, "none of the charts' colours is on the screenshot"
print(f"{name}: {len(charts)} charts, {share:.3f} of the screenshot drawn, {len(colours)} colours, no request, no console error")
PY
done
[ -n "$keep" ] && cp "$work/compare.png" "$keep"
echo "html_browser_test: the three reports render in $(chromium --version 2>/dev/null | head -1)"
