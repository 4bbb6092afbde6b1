// The decoder layer of both families, after transformers:
// - LlamaDecoderLayer.forward (modeling_llama.py; MistralDecoderLayer, Qwen2DecoderLayer and
//   Qwen3DecoderLayer are copies): h += o_proj(attn(input_layernorm(h)));
//   h += mlp(post_attention_layernorm(h)). Qwen3Attention adds q_norm/k_norm per head before
//   RoPE; Qwen2Attention has q/k/v biases (every stored `.bias` is applied).
// - Gemma3DecoderLayer.forward (modeling_gemma3.py): four norms,
//   h += post_attention_layernorm(attn(input_layernorm(h)));
//   h += post_feedforward_layernorm(mlp(pre_feedforward_layernorm(h))), q_norm/k_norm,
//   scaling = query_pre_attn_scalar^-0.5, sliding layers with their own RoPE base, the
//   embedding times sqrt(hidden_size) (Gemma3TextScaledWordEmbedding, the scale cast to the
//   weights' dtype: float32 here).
#include "medq/quality/forward.hpp"

#include <algorithm>
#include <cmath>

#include "medq/quality/kernels.hpp"
#include "medq/util/parallel.hpp"

namespace medq {
namespace {

struct Linear {
  EncodedRows w;         ///< [out, in] as stored, decoded tile by tile in the product
  std::vector<float> b;  ///< [out] (empty without bias)
  uint64_t out = 0, in = 0;
};

struct LayerWeights {
  Linear q, k, v, o, gate, up, down;
  std::vector<float> in_norm, post_attn_norm, pre_ff_norm, post_ff_norm, q_norm, k_norm;
};

/// Reads one layer's tensors (the linear maps as stored, the vectors decoded), several at a
/// time over the threads.
bool load_layer(const ForwardConfig& c, const ModelWeights& w, uint64_t layer, unsigned threads,
                LayerWeights& L, std::string* err) {
  const std::string p = "layers." + std::to_string(layer) + ".";
  const uint64_t qd = c.heads * c.head_dim, kvd = c.kv_heads * c.head_dim;
  struct Job {
    std::string name;
    uint64_t rows, cols;
    std::vector<float>* out;  ///< a decoded vector, or
    EncodedRows* matrix;      ///< a matrix as stored
  };
  std::vector<Job> jobs;
  auto linear = [&](Linear& l, const std::string& m, uint64_t out, uint64_t in) {
    l.out = out;
    l.in = in;
    jobs.push_back({p + m + ".weight", out, in, nullptr, &l.w});
    l.b.clear();
    if (w.has(p + m + ".bias")) jobs.push_back({p + m + ".bias", 1, out, &l.b, nullptr});
  };
  auto vec = [&](std::vector<float>& v, const std::string& m, uint64_t n) {
    jobs.push_back({p + m + ".weight", 1, n, &v, nullptr});
  };
  // Largest first, so the threads finish together.
  linear(L.gate, "mlp.gate_proj", c.intermediate, c.hidden);
  linear(L.up, "mlp.up_proj", c.intermediate, c.hidden);
  linear(L.down, "mlp.down_proj", c.hidden, c.intermediate);
  linear(L.q, "self_attn.q_proj", qd, c.hidden);
  linear(L.o, "self_attn.o_proj", c.hidden, qd);
  linear(L.k, "self_attn.k_proj", kvd, c.hidden);
  linear(L.v, "self_attn.v_proj", kvd, c.hidden);
  vec(L.in_norm, "input_layernorm", c.hidden);
  vec(L.post_attn_norm, "post_attention_layernorm", c.hidden);
  if (c.family == ForwardFamily::kGemma3) {
    vec(L.pre_ff_norm, "pre_feedforward_layernorm", c.hidden);
    vec(L.post_ff_norm, "post_feedforward_layernorm", c.hidden);
  }
  if (c.qk_norm) {
    vec(L.q_norm, "self_attn.q_norm", c.head_dim);
    vec(L.k_norm, "self_attn.k_norm", c.head_dim);
  }
  std::vector<std::string> errors(jobs.size());
  parallel_for(jobs.size(), threads, [&](size_t i) {
    const Job& j = jobs[i];
    if (j.out) {
      w.read(j.name, j.rows, j.cols, *j.out, &errors[i]);
      return;
    }
    w.read_encoded(j.name, j.rows, j.cols, *j.matrix, &errors[i]);
  });
  for (const auto& e : errors) {
    if (!e.empty()) {
      *err = e;
      return false;
    }
  }
  return true;
}

/// The product's kernel, threads and scratch, shared by every linear map of a pass.
struct Gemm {
  GemmKernel kernel;
  unsigned threads;
  GemmScratch scratch;
};

void apply_linear(const Linear& l, const float* x, size_t n, float* y, Gemm& g) {
  matmul_encoded(x, n, l.w, y, l.out, g.threads, g.kernel, g.scratch);
  if (l.b.empty()) return;
  for (size_t r = 0; r < n; ++r)
    for (size_t j = 0; j < l.out; ++j) y[r * l.out + j] += l.b[j];
}

/// Scratch of one chunk's layer computation.
struct Scratch {
  std::vector<float> x, q, k, v, a, o, g, u;
};

/// fn(first, last) on each of `threads` equal parts of [0, n), in parallel.
template <typename Fn>
void split(size_t n, unsigned threads, Fn fn) {
  parallel_for(threads, threads, [&](size_t t) { fn(n * t / threads, n * (t + 1) / threads); });
}

/// rms_norm of `rows` rows of `dim` values, the rows split over the threads.
void rms_norm_rows(float* x, size_t rows, size_t dim, const float* w, double eps, bool one_plus,
                   unsigned threads) {
  split(rows, threads,
        [&](size_t a, size_t b) { rms_norm(x + a * dim, b - a, dim, dim, w, eps, one_plus); });
}

/// h += o over n values.
void add_into(float* h, const float* o, size_t n, unsigned threads) {
  split(n, threads, [&](size_t a, size_t b) {
    for (size_t i = a; i < b; ++i) h[i] += o[i];
  });
}

/// One decoder layer over a chunk's `len` hidden states `h`, in place. Only rows from
/// `keep_from` on are needed after it (the last layer: the scored positions): the earlier rows
/// give their keys and values and are not carried further.
void run_layer(const ForwardConfig& c, const LayerWeights& L, bool sliding,
               const std::vector<float>& inv_freq, Gemm& gemm, float* h, size_t len,
               size_t keep_from, Scratch& s) {
  const unsigned threads = gemm.threads;
  const bool gemma = c.family == ForwardFamily::kGemma3;
  const size_t H = c.hidden, hd = c.head_dim, qd = c.heads * hd, kvd = c.kv_heads * hd;
  const double eps = c.rms_norm_eps;
  s.x.assign(h, h + len * H);
  rms_norm_rows(s.x.data(), len, H, L.in_norm.data(), eps, gemma, threads);
  const size_t nq = len - std::min(keep_from, len);  // rows carried on
  const size_t q0 = len - nq;
  s.q.resize(nq * qd);
  s.k.resize(len * kvd);
  s.v.resize(len * kvd);
  apply_linear(L.q, s.x.data() + q0 * H, nq, s.q.data(), gemm);
  apply_linear(L.k, s.x.data(), len, s.k.data(), gemm);
  apply_linear(L.v, s.x.data(), len, s.v.data(), gemm);
  if (c.qk_norm) {
    rms_norm_rows(s.q.data(), nq * c.heads, hd, L.q_norm.data(), eps, gemma, threads);
    rms_norm_rows(s.k.data(), len * c.kv_heads, hd, L.k_norm.data(), eps, gemma, threads);
  }
  split(len, threads, [&](size_t a, size_t b) {
    for (size_t i = a; i < b; ++i) {
      if (i >= q0) apply_rope(s.q.data() + (i - q0) * qd, c.heads, hd, inv_freq.data(), i);
      apply_rope(s.k.data() + i * kvd, c.kv_heads, hd, inv_freq.data(), i);
    }
  });
  // Heads in parallel, each sgemm on one thread.
  s.a.resize(nq * qd);
  const size_t group = c.heads / c.kv_heads;  // repeat_kv
  const std::optional<uint64_t> window = sliding ? c.sliding_window : std::nullopt;
  set_blas_threads(1);
  parallel_for(c.heads, threads, [&](size_t head) {
    std::vector<float> scores(nq * len);
    const size_t kvh = head / group;
    attend(s.q.data() + head * hd, qd, s.k.data() + kvh * hd, s.v.data() + kvh * hd, kvd,
           s.a.data() + head * hd, qd, q0, len, hd, c.attention_scale, window, scores.data());
  });
  set_blas_threads(threads);
  float* hq = h + q0 * H;
  s.o.resize(nq * H);
  apply_linear(L.o, s.a.data(), nq, s.o.data(), gemm);
  if (gemma) rms_norm_rows(s.o.data(), nq, H, L.post_attn_norm.data(), eps, true, threads);
  add_into(hq, s.o.data(), nq * H, threads);

  s.x.assign(hq, hq + nq * H);
  rms_norm_rows(s.x.data(), nq, H, gemma ? L.pre_ff_norm.data() : L.post_attn_norm.data(), eps,
                gemma, threads);
  s.g.resize(nq * c.intermediate);
  s.u.resize(nq * c.intermediate);
  apply_linear(L.gate, s.x.data(), nq, s.g.data(), gemm);
  apply_linear(L.up, s.x.data(), nq, s.u.data(), gemm);
  split(s.g.size(), threads, [&](size_t a, size_t b) {
    if (gemma) {
      gelu_tanh_mul(s.g.data() + a, s.u.data() + a, b - a);
    } else {
      silu_mul(s.g.data() + a, s.u.data() + a, b - a);
    }
  });
  apply_linear(L.down, s.g.data(), nq, s.o.data(), gemm);
  if (gemma) rms_norm_rows(s.o.data(), nq, H, L.post_ff_norm.data(), eps, true, threads);
  add_into(hq, s.o.data(), nq * H, threads);
}

}  // namespace

bool run_forward(const ForwardConfig& c, const ModelWeights& w, std::span<const uint32_t> tokens,
                 std::span<const Chunk> chunks, const LogitSink& sink, const ForwardOptions& o,
                 std::string* err) {
  const unsigned threads =
      o.threads ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  set_blas_threads(threads);
  Gemm gemm{o.kernel, threads, {}};
  const size_t H = c.hidden;
  // Row offset of each chunk in the hidden states.
  std::vector<uint64_t> offset(chunks.size() + 1, 0);
  for (size_t i = 0; i < chunks.size(); ++i) {
    if (chunks[i].begin + chunks[i].length > tokens.size() ||
        chunks[i].score_from > chunks[i].length) {
      *err = "chunk outside the token sequence";
      return false;
    }
    offset[i + 1] = offset[i] + chunks[i].length;
  }
  const uint64_t total_rows = offset.back();
  uint64_t scored = 0;
  for (const Chunk& ch : chunks) scored += ch.length - ch.score_from;
  const uint64_t lm_rows = c.vocab;
  // lm_head rows read at once: 2^24 values (32 MiB as bf16).
  const uint64_t block_rows = std::clamp<uint64_t>((uint64_t{1} << 24) / std::max<size_t>(H, 1), 1,
                                                   std::max<uint64_t>(lm_rows, 1));
  const uint64_t per_group =
      std::max<uint64_t>(1, o.max_logit_floats / std::max<uint64_t>(lm_rows, 1));
  const uint64_t groups = (scored + per_group - 1) / per_group;
  const uint64_t steps = c.layers + groups * ((lm_rows + block_rows - 1) / block_rows) + 1;
  uint64_t done = 0;
  auto step = [&] {
    if (o.progress) o.progress(++done, steps);
  };

  // Embedding, row by row.
  std::vector<float> h(total_rows * H);
  {
    auto r = w.reader("embed_tokens.weight", err);
    if (!r) return false;
    if (r->cols() != H || r->rows() < c.vocab) {
      *err = "embed_tokens.weight: logical shape " + std::to_string(r->rows()) + " x " +
             std::to_string(r->cols()) + ", the config implies " + std::to_string(c.vocab) + " x " +
             std::to_string(H);
      return false;
    }
    // Gemma3TextScaledWordEmbedding: embed_scale = hidden_size ** 0.5, cast to float32.
    const float scale = c.family == ForwardFamily::kGemma3
                            ? static_cast<float>(std::sqrt(static_cast<double>(H)))
                            : 1.0f;
    std::vector<float> row;
    for (size_t ci = 0; ci < chunks.size(); ++ci) {
      for (uint64_t i = 0; i < chunks[ci].length; ++i) {
        const uint32_t id = tokens[chunks[ci].begin + i];
        if (id >= r->rows()) {
          *err = "token id " + std::to_string(id) + " is not below the vocabulary size " +
                 std::to_string(r->rows());
          return false;
        }
        if (!r->read_rows(id, 1, row, err)) return false;
        float* dst = h.data() + (offset[ci] + i) * H;
        for (size_t j = 0; j < H; ++j) dst[j] = row[j] * scale;
      }
    }
  }
  step();

  const std::vector<float> inv_global = rope_inv_freq(c.rope_global, c.head_dim);
  const std::vector<float> inv_sliding = rope_inv_freq(c.rope_sliding, c.head_dim);
  {
    LayerWeights L;
    Scratch s;
    for (uint64_t layer = 0; layer < c.layers; ++layer) {
      if (!load_layer(c, w, layer, threads, L, err)) return false;
      const bool sliding = c.sliding_layers[layer];
      for (size_t ci = 0; ci < chunks.size(); ++ci) {
        const bool last = layer + 1 == c.layers;
        run_layer(c, L, sliding, sliding ? inv_sliding : inv_global, gemm,
                  h.data() + offset[ci] * H, chunks[ci].length, last ? chunks[ci].score_from : 0,
                  s);
      }
      step();
    }
  }

  // Final norm on the scored rows only, gathered in order.
  std::vector<float> x(scored * H);
  {
    std::vector<float> norm;
    if (!w.read("norm.weight", 1, H, norm, err)) return false;
    uint64_t k = 0;
    for (size_t ci = 0; ci < chunks.size(); ++ci) {
      for (uint64_t i = chunks[ci].score_from; i < chunks[ci].length; ++i, ++k) {
        const float* src = h.data() + (offset[ci] + i) * H;
        std::copy(src, src + H, x.begin() + static_cast<ptrdiff_t>(k * H));
      }
    }
    rms_norm(x.data(), scored, H, H, norm.data(), c.rms_norm_eps,
             c.family == ForwardFamily::kGemma3);
  }
  h.clear();
  h.shrink_to_fit();

  // Output projection: per group of positions, the vocabulary in row blocks.
  {
    auto r = w.reader(w.lm_head(), err);
    if (!r) return false;
    if (r->rows() < lm_rows || r->cols() != H) {
      *err = w.lm_head() + ": logical shape does not match vocab_size x hidden_size";
      return false;
    }
    std::vector<float> logits;
    EncodedRows block;
    for (uint64_t g0 = 0; g0 < scored; g0 += per_group) {
      const uint64_t n = std::min(per_group, scored - g0);
      logits.resize(n * lm_rows);
      for (uint64_t v0 = 0; v0 < lm_rows; v0 += block_rows) {
        const uint64_t nb = std::min(block_rows, lm_rows - v0);
        if (!r->read_encoded(v0, nb, block, err)) {
          *err = w.lm_head() + ": " + *err;
          return false;
        }
        matmul_encoded(x.data() + g0 * H, n, block, logits.data() + v0, lm_rows, threads, o.kernel,
                       gemm.scratch);
        step();
      }
      if (!sink(g0, n, logits.data(), err)) return false;
    }
  }
  return true;
}

}  // namespace medq
