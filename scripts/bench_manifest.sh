#!/usr/bin/env bash
# Times `medq manifest` against `sha256sum` (and `openssl dgst -sha256`, the SHA-256 medq links)
# over the same files, read from the page cache: each command runs twice and the second run is
# reported. Three model folders are made under WORKDIR (reused when present):
#   random1  one 1.5 GiB safetensors file of random bytes (24 U8 tensors of 64 MiB)
#   random2  1.5 GiB of random bytes in two 768 MiB files (so two threads have a file each)
#   rep4     `medq-synth replica --quant 4`: 3.4 GB of sparse holes plus the real tokenizer
# Usage: scripts/bench_manifest.sh WORKDIR   (after ./scripts/build.sh; needs ~3.2 GB of disk)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
medq="$root/build/src/medq"
synth="$root/build/tools/synth/medq-synth"
work="${1:?usage: $0 WORKDIR}"
mkdir -p "$work"

# A safetensors file of `count` U8 tensors of `mib` MiB each, filled from /dev/urandom.
make_random() {
  local out="$1" count="$2" mib="$3" prefix="$4"
  python3 - "$out" "$count" "$mib" "$prefix" <<'EOF'
import json, struct, sys
out, count, mib, prefix = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
n = mib << 20
header = {"__metadata__": {"format": "mlx"}}
for i in range(count):
    header[f"{prefix}.{i:02d}.weight"] = {"dtype": "U8", "shape": [n], "data_offsets": [i * n, (i + 1) * n]}
h = json.dumps(header, separators=(",", ":")).encode()
with open(out, "wb") as f, open("/dev/urandom", "rb") as rnd:
    f.write(struct.pack("<Q", len(h)) + h)
    for _ in range(count * mib):
        f.write(rnd.read(1 << 20))
EOF
}

if [ ! -f "$work/random1/model.safetensors" ]; then
  mkdir -p "$work/random1"
  make_random "$work/random1/model.safetensors" 24 64 layers
fi
if [ ! -f "$work/random2/model-00002-of-00002.safetensors" ]; then
  mkdir -p "$work/random2"
  make_random "$work/random2/model-00001-of-00002.safetensors" 12 64 first
  make_random "$work/random2/model-00002-of-00002.safetensors" 12 64 second
fi
[ -d "$work/rep4" ] || "$synth" replica --quant 4 "$work/rep4" >/dev/null

# Runs "$@" twice; prints the second run's wall-clock seconds and CPU seconds (user + system,
# children included), then its peak memory in MB. CPU time is what to compare on a busy machine.
second_run() {
  "$@" >/dev/null 2>&1
  /usr/bin/time -f '%e %U %S %M' -o "$work/.time" "$@" >/dev/null 2>&1
  awk '{printf "%.2fs %.2fs %d\n", $1, $2 + $3, $4 / 1024}' "$work/.time"
}

row() {  # folder, label, then the command
  local d="$1" label="$2"
  shift 2
  read -r wall cpu rss < <(second_run "$@")
  printf '%-8s %-22s %8s %8s %6s MB\n' "$d" "$label" "$wall" "$cpu" "$rss"
}

printf '%-8s %-22s %8s %8s %9s\n' folder command wall cpu "peak RSS"
for d in random1 random2 rep4; do
  dir="$work/$d"
  cat "$dir"/* >/dev/null  # into the page cache
  row "$d" "medq manifest" "$medq" manifest "$dir"
  row "$d" "medq manifest -t 1" "$medq" manifest --threads 1 "$dir"
  row "$d" "sha256sum" sh -c "find '$dir' -type f -print0 | xargs -0 sha256sum"
  row "$d" "sha256sum, 2 at once" sh -c "find '$dir' -type f -print0 | xargs -0 -n1 -P2 sha256sum"
  # The SHA-256 medq uses (OpenSSL, SHA-NI where the CPU has it), without the tensor digests.
  row "$d" "openssl dgst -sha256" sh -c "find '$dir' -type f -print0 | xargs -0 openssl dgst -sha256"
done
for d in random1 random2 rep4; do
  echo "$d: $(find "$work/$d" -type f -printf '%s\n' | awk '{s += $1} END {printf "%.0f", s}') bytes"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
