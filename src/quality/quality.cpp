#include "medq/quality/quality.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <thread>

#include "medq/util/parallel.hpp"

namespace medq {
namespace {

/// Log-probability rows of the reference, in an anonymous temporary file (deleted on close).
class RowStore {
 public:
  explicit RowStore(uint64_t cols) : cols_(cols), file_(std::tmpfile(), &std::fclose) {}
  bool ok() const { return file_ != nullptr; }
  bool write(const float* rows, uint64_t count) {
    return std::fwrite(rows, sizeof(float), count * cols_, file_.get()) == count * cols_;
  }
  bool read(uint64_t first, uint64_t count, std::vector<float>& out) {
    out.resize(count * cols_);
    if (std::fflush(file_.get()) != 0) return false;
    if (fseeko(file_.get(), static_cast<off_t>(first * cols_ * sizeof(float)), SEEK_SET) != 0)
      return false;
    const bool got = std::fread(out.data(), sizeof(float), out.size(), file_.get()) == out.size();
    return fseeko(file_.get(), 0, SEEK_END) == 0 && got;
  }

 private:
  uint64_t cols_;
  std::unique_ptr<FILE, int (*)(FILE*)> file_;
};

/// In place: logits -> log-softmax (the sum of exponentials in double). Returns the argmax of
/// the logits (the first, on ties).
uint64_t log_softmax(float* x, uint64_t n) {
  uint64_t best = 0;
  for (uint64_t i = 1; i < n; ++i)
    if (x[i] > x[best]) best = i;
  const double mx = x[best];
  double sum = 0;
  for (uint64_t i = 0; i < n; ++i) sum += std::exp(static_cast<double>(x[i]) - mx);
  const double lse = mx + std::log(sum);
  for (uint64_t i = 0; i < n; ++i) x[i] = static_cast<float>(static_cast<double>(x[i]) - lse);
  return best;
}

struct Prepared {
  ForwardConfig config;
  std::optional<ModelWeights> weights;
};

bool prepare(const QualityModel& m, Prepared& p, QualityError* kind, std::string* msg) {
  std::string why;
  if (!m.config || !m.tensors) {
    *kind = QualityError::kRead;
    *msg = m.label + ": config.json could not be read";
    return false;
  }
  auto c = parse_forward_config(*m.config, &why);
  if (!c) {
    *kind = QualityError::kUnsupported;
    *msg = m.label + ": " + why;
    return false;
  }
  p.config = *c;
  p.weights = ModelWeights::open(m.storage, *m.tensors, p.config, &why);
  if (!p.weights) {
    *kind = QualityError::kRead;
    *msg = m.label + ": " + why;
    return false;
  }
  return true;
}

QualityOutcome fail(QualityError e, std::string msg) {
  QualityOutcome o;
  o.error = e;
  o.message = std::move(msg);
  return o;
}

}  // namespace

std::vector<Chunk> plan_chunks(uint64_t tokens, uint64_t context, uint64_t score_from) {
  std::vector<Chunk> out;
  if (context == 0) return out;
  for (uint64_t b = 0; b < tokens; b += context) {
    const uint64_t len = std::min(context, tokens - b);
    if (len > score_from) out.push_back({b, len, score_from});
  }
  return out;
}

QualityOutcome evaluate_quality(const QualityModel& reference,
                                std::span<const QualityModel> variants,
                                std::span<const uint32_t> tokens, const QualityOptions& o) {
  QualityError kind = QualityError::kNone;
  std::string msg;
  Prepared ref;
  if (!prepare(reference, ref, &kind, &msg)) return fail(kind, msg);
  std::vector<Prepared> vars(variants.size());
  for (size_t i = 0; i < variants.size(); ++i) {
    if (!prepare(variants[i], vars[i], &kind, &msg)) return fail(kind, msg);
    if (vars[i].config.vocab != ref.config.vocab)
      return fail(QualityError::kUsage,
                  variants[i].label + ": vocabulary of " + std::to_string(vars[i].config.vocab) +
                      " tokens, the reference has " + std::to_string(ref.config.vocab));
  }
  const uint64_t V = ref.config.vocab;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (tokens[i] >= V)
      return fail(QualityError::kUsage, "token " + std::to_string(i + 1) + " is " +
                                            std::to_string(tokens[i]) +
                                            ", not below the vocabulary size " + std::to_string(V));
  }
  if (o.context == 0) return fail(QualityError::kUsage, "--context must be positive");
  const uint64_t score_from = o.score_from.value_or(o.context / 2);
  if (score_from >= o.context)
    return fail(QualityError::kUsage, "--score-from " + std::to_string(score_from) +
                                          " leaves nothing to score in chunks of " +
                                          std::to_string(o.context) + " tokens");
  const std::vector<Chunk> chunks = plan_chunks(tokens.size(), o.context, score_from);
  QualityResult r;
  r.model_type = ref.config.model_type;
  r.vocab = V;
  r.tokens = tokens.size();
  r.context = o.context;
  r.score_from = score_from;
  r.chunks = chunks.size();
  // The next token of every scored position, -1 at a chunk's last position.
  std::vector<int64_t> next;
  for (const Chunk& ch : chunks) {
    r.tokens_evaluated += ch.length;
    for (uint64_t i = ch.score_from; i < ch.length; ++i)
      next.push_back(i + 1 < ch.length ? int64_t{tokens[ch.begin + i + 1]} : -1);
  }
  r.scored = next.size();
  r.with_next = static_cast<uint64_t>(
      std::count_if(next.begin(), next.end(), [](int64_t t) { return t >= 0; }));
  if (r.scored == 0)
    return fail(QualityError::kUsage, std::to_string(tokens.size()) +
                                          " tokens leave no position to score with --context " +
                                          std::to_string(o.context) + " and --score-from " +
                                          std::to_string(score_from));

  ForwardOptions fo;
  fo.threads = o.threads;
  auto progress_for = [&](const std::string& label) {
    return [&o, label](uint64_t d, uint64_t t) {
      if (o.progress) o.progress(label, d, t);
    };
  };

  // The reference: log-probabilities stored, its argmax and ln p(next) kept.
  RowStore store(V);
  if (!store.ok()) return fail(QualityError::kRead, "cannot create a temporary file");
  std::vector<uint64_t> ref_top(r.scored);
  std::vector<double> ref_lp(r.scored, 0.0);
  fo.progress = progress_for(reference.label);
  // Rows of logits are independent: each sink spreads them over the threads.
  const unsigned threads =
      o.threads ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  auto ref_sink = [&](uint64_t first, uint64_t count, float* logits, std::string* err) {
    parallel_for(count, threads, [&](size_t k) {
      float* row = logits + k * V;
      ref_top[first + k] = log_softmax(row, V);
      if (next[first + k] >= 0) ref_lp[first + k] = row[next[first + k]];
    });
    if (!store.write(logits, count)) {
      *err = "cannot write the reference's log-probabilities to a temporary file";
      return false;
    }
    return true;
  };
  std::string err;
  if (!run_forward(ref.config, *ref.weights, tokens, chunks, ref_sink, fo, &err))
    return fail(QualityError::kRead, reference.label + ": " + err);
  double ref_nll = 0;
  for (size_t i = 0; i < next.size(); ++i)
    if (next[i] >= 0) ref_nll -= ref_lp[i];
  r.reference.label = reference.label;
  r.reference.ppl = std::exp(ref_nll / static_cast<double>(std::max<uint64_t>(r.with_next, 1)));

  for (size_t vi = 0; vi < variants.size(); ++vi) {
    std::vector<double> kld(r.scored), dp, lp_diff;
    uint64_t same = 0;
    double nll = 0;
    std::vector<float> ref_rows;
    fo.progress = progress_for(variants[vi].label);
    auto sink = [&](uint64_t first, uint64_t count, float* logits, std::string* e) {
      if (!store.read(first, count, ref_rows)) {
        *e = "cannot read the reference's log-probabilities back";
        return false;
      }
      std::vector<uint64_t> top(count);
      parallel_for(count, threads, [&](size_t k) {
        float* row = logits + k * V;
        const float* rr = ref_rows.data() + k * V;
        top[k] = log_softmax(row, V);
        // KL(P_ref || P_var) = sum_v p_ref(v) (ln p_ref(v) - ln p_var(v)).
        double d = 0;
        for (uint64_t v = 0; v < V; ++v) {
          const double lr = rr[v];
          d += std::exp(lr) * (lr - static_cast<double>(row[v]));
        }
        kld[first + k] = d;
      });
      // In order, so that the sums do not depend on the threads.
      for (uint64_t k = 0; k < count; ++k) {
        const float* row = logits + k * V;
        same += top[k] == ref_top[first + k];
        if (const int64_t t = next[first + k]; t >= 0) {
          const double lv = row[t], lr = ref_lp[first + k];
          nll -= lv;
          lp_diff.push_back(lr - lv);
          dp.push_back(std::exp(lv) - std::exp(lr));
        }
      }
      return true;
    };
    if (!run_forward(vars[vi].config, *vars[vi].weights, tokens, chunks, sink, fo, &err))
      return fail(QualityError::kRead, variants[vi].label + ": " + err);
    VariantQuality q;
    q.label = variants[vi].label;
    q.kld = summarize(kld);
    q.top1_same = same;
    q.top1_agreement = static_cast<double>(same) / static_cast<double>(r.scored);
    const double n = static_cast<double>(std::max<uint64_t>(r.with_next, 1));
    q.ppl = std::exp(nll / n);
    q.ppl_ratio = q.ppl / r.reference.ppl;
    double s = 0;
    for (double x : lp_diff) s += x;
    q.ln_ppl_ratio = s / n;
    q.delta_p = summarize(dp);
    r.variants.push_back(std::move(q));
  }
  QualityOutcome out;
  out.result = std::move(r);
  return out;
}

std::optional<std::vector<float>> chunk_logits(const QualityModel& model,
                                               std::span<const uint32_t> tokens, std::string* err,
                                               QualityError* kind, unsigned threads,
                                               GemmKernel kernel) {
  QualityError k = QualityError::kNone;
  Prepared p;
  if (!prepare(model, p, &k, err)) {
    if (kind) *kind = k;
    return std::nullopt;
  }
  const Chunk chunk{0, tokens.size(), 0};
  std::vector<float> out(tokens.size() * p.config.vocab);
  auto sink = [&](uint64_t first, uint64_t count, float* logits, std::string*) {
    std::copy(logits, logits + count * p.config.vocab,
              out.begin() + static_cast<ptrdiff_t>(first * p.config.vocab));
    return true;
  };
  ForwardOptions fo;
  fo.threads = threads;
  fo.kernel = kernel;
  if (!run_forward(p.config, *p.weights, tokens, std::span(&chunk, 1), sink, fo, err)) {
    if (kind) *kind = QualityError::kRead;
    return std::nullopt;
  }
  return out;
}

}  // namespace medq
