#include "medq/report/quality_json.hpp"

#include <fmt/format.h>

#include <cmath>
#include <string>

namespace medq {
namespace {

using ojson = nlohmann::ordered_json;

ojson distribution_json(const Distribution& d, bool with_se) {
  ojson j;
  j["mean"] = quality_sig6(d.mean);
  if (with_se) {
    j["standard_error"] = d.standard_error ? ojson(quality_sig6(*d.standard_error)) : ojson();
  }
  j["median"] = quality_sig6(d.median);
  j["min"] = quality_sig6(d.min);
  j["max"] = quality_sig6(d.max);
  j["rms"] = quality_sig6(d.rms);
  ojson p = ojson::object();
  for (const auto& [q, v] : d.percentiles) p[fmt::format("{:g}", q)] = quality_sig6(v);
  j["percentiles"] = std::move(p);
  j["count"] = d.count;
  return j;
}

}  // namespace

double quality_sig6(double v) {
  if (v == 0 || !std::isfinite(v)) return v;
  return std::stod(fmt::format("{:.6g}", v));
}

ojson variant_quality_json(const VariantQuality& v) {
  ojson j;
  j["kld"] = distribution_json(v.kld, true);
  j["top1_agreement"] = quality_sig6(v.top1_agreement);
  j["top1_same"] = v.top1_same;
  j["ppl"] = quality_sig6(v.ppl);
  j["ppl_ratio"] = quality_sig6(v.ppl_ratio);
  j["ln_ppl_ratio"] = quality_sig6(v.ln_ppl_ratio);
  j["delta_p"] = distribution_json(v.delta_p, true);
  return j;
}

void quality_run_json(ojson& j, const QualityResult& q, const std::optional<QualityText>& text) {
  j["model_type"] = q.model_type;
  j["vocab_size"] = q.vocab;
  j["tokens"] = q.tokens;
  j["context"] = q.context;
  j["score_from"] = q.score_from;
  j["chunks"] = q.chunks;
  j["tokens_evaluated"] = q.tokens_evaluated;
  j["scored_positions"] = q.scored;
  j["next_token_positions"] = q.with_next;
  if (text) {
    const QualityText& t = *text;
    j["text"] = {
        {"source", t.source}, {"bundled", t.bundled}, {"sha256", t.sha256}, {"bytes", t.bytes}};
    j["tokenizer"] = {{"file", t.tokenizer_file}, {"fingerprint", t.tokenizer_fingerprint}};
  } else {
    j["text"] = nullptr;  // token ids given (--tokens)
    j["tokenizer"] = nullptr;
  }
}

}  // namespace medq
