#!/usr/bin/env bash
# The benchmark of medq quality (docs/benchmarks.md): a dense full-size 4B model (the
# medgemma-4b-it layout with real random weights, bf16 and 4-bit), 512 tokens of the bundled
# evaluation text in one chunk, the 4-bit variant measured against bf16; next to the machine's
# float32 matrix-product peak (OpenBLAS sgemm, best of five) and to the same job written with
# PyTorch's own ops (bench/torch_quality.py, Debian's python3-torch), in the same run.
#
#   scripts/bench_quality.sh [RUNS]     (default 3; each medq run is ~2 passes of ~3.7 TFLOP)
#
# Writes the two models under build-bench/models/dense-4b (13 GB of real disk, kept between
# runs; delete to regenerate) with a release medq from build-rel.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
./scripts/setup.sh
dpkg -s python3-torch >/dev/null 2>&1 || {
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get install -y -qq --no-install-recommends python3-torch >/dev/null
}
cmake -S . -B build-rel -DCMAKE_BUILD_TYPE=Release -DMEDQ_BUILD_TESTS=OFF -DMEDQ_BUILD_BENCH=ON \
  >/dev/null
cmake --build build-rel -j"$(nproc)" >/dev/null
medq=build-rel/src/medq
synth=build-rel/tools/synth/medq-synth
d=build-bench/models/dense-4b
mkdir -p "$d"
for q in bf16 4; do
  [ -f "$d/$q/config.json" ] || "$synth" replica --dense --quant "$q" --force "$d/$q" >/dev/null
done
# 512 ids of the bundled text, with the model's own (Gemma 3) tokenizer.
tokens=$d/tokens512.txt
"$medq" tokenize --format json --text data/eval/clinical_en.txt "$d/bf16" |
  /usr/bin/python3 -c 'import json, sys; print(" ".join(map(str, json.load(sys.stdin)["ids"][:512])))' \
    >"$tokens"
[ "$(wc -w <"$tokens")" -eq 512 ] || { echo "bench_quality: fewer than 512 tokens"; exit 1; }

# FLOPs of one pass: the layers' linear maps at every position, causal attention, and lm_head
# at the scored positions (the second half of the chunk); the last layer past its keys and
# values runs on the scored positions only.
flop=$(/usr/bin/python3 - "$d/bf16/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))["text_config"]
T, S = 512, 256
H, L, I, V = c["hidden_size"], c["num_hidden_layers"], c["intermediate_size"], c["vocab_size"]
q, kv = c["num_attention_heads"] * c["head_dim"], c["num_key_value_heads"] * c["head_dim"]
linear = H * q + 2 * H * kv + q * H + 3 * H * I
last = T * 2 * H * kv + S * (H * q + q * H + 3 * H * I)
attention = 2 * 2 * (T * (T + 1) // 2) * q
last_attention = 2 * 2 * sum(i + 1 for i in range(T - S, T)) * q
print(2 * T * (L - 1) * linear + 2 * last + (L - 1) * attention + last_attention + 2 * S * V * H)
PY
)

cat "$d"/bf16/*.safetensors "$d"/4/*.safetensors >/dev/null  # the page cache, for every run
# shellcheck source=scripts/bench_lib.sh
source scripts/bench_lib.sh
warmup=0  # one run costs a minute or more: no warm-up run

echo "medq quality benchmark: $runs runs each (median, range, peak RSS); $(nproc) cores, $(uname -m)"
echo "model: medgemma-4b-it layout, dense random weights; bf16 $(du -sh "$d/bf16" | cut -f1), 4-bit $(du -sh "$d/4" | cut -f1); 512 tokens, one chunk, 256 scored"
echo
echo "== the limit: float32 matrix product (OpenBLAS sgemm, $(nproc) threads)"
peak_line=$(build-rel/bench/medq-bench-matmul 512 2560 10240 0 blas)
big_line=$(build-rel/bench/medq-bench-matmul 2048 4096 4096 0 blas)
echo "  $peak_line"
echo "  $big_line"
echo "  the forward pass's own product from stored weights, interleaved with sgemm on float32:"
build-rel/bench/medq-bench-matmul 512 2560 10240 0 encoded | sed 's/^/  /'
sgemm=$(echo "$peak_line $big_line" | grep -o 'sgemm [0-9.]*' | awk '{if ($2 > m) m = $2} END {print m}')
echo
echo "== medq quality --reference bf16 4bit (one chunk of 512)"
run_median "medq quality" "$medq" quality --reference "$d/bf16" "$d/4" --tokens "$tokens" --format json --quiet
t_medq=$median rss_medq=$peak
medq_kld=$(/usr/bin/python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))["variants"][0]; print(v["kld"]["mean"], v["top1_agreement"])' "$timing.out")
echo "  mean KLD, top-1 agreement: $medq_kld"
echo
echo "== the same job with PyTorch's own ops (bench/torch_quality.py, float32, layer by layer)"
run_median "python3 bench/torch_quality.py" /usr/bin/python3 bench/torch_quality.py "$d/bf16" "$d/4" "$tokens"
t_torch=$median rss_torch=$peak
torch_kld=$(/usr/bin/python3 -c 'import json,sys; v=json.load(open(sys.argv[1])); print(v["torch"], v["kld_mean"], v["top1_agreement"])' "$timing.out")
echo "  torch version, mean KLD, top-1 agreement: $torch_kld"
echo

gflops=$(awk -v f="$flop" -v t="$t_medq" 'BEGIN {printf "%.1f", 2 * f / t * 1e-9}')
echo "== figures (same run)"
echo "  FLOP per pass: $(awk -v f="$flop" 'BEGIN {printf "%.2f T", f * 1e-12}'); two passes at the sgemm figure would take $(awk -v f="$flop" -v g="$sgemm" 'BEGIN {printf "%.1f s", 2 * f / (g * 1e9)}')"
target "medq quality, seconds" "$t_medq" "<=" 60
target "medq quality, peak RSS GB" "$(awk -v r="$rss_medq" 'BEGIN {printf "%.2f", r / 1048576}')" "<=" 4
target "medq GFLOP/s (both passes, all work) / sgemm GFLOP/s" "$(awk -v g="$gflops" -v s="$sgemm" 'BEGIN {printf "%.2f", g / s}')" ">=" 0.5
target "torch time / medq time (tokens per second, medq / torch)" "$(awk -v a="$t_torch" -v b="$t_medq" 'BEGIN {printf "%.2f", a / b}')" ">=" 2
target "medq peak RSS / torch peak RSS" "$(awk -v a="$rss_medq" -v b="$rss_torch" 'BEGIN {printf "%.2f", a / b}')" "<=" 0.5
echo "  medq: $gflops GFLOP/s; sgemm: $sgemm GFLOP/s"
