#include "checkpoint.hpp"

#include <nlohmann/json.hpp>

#include <stdexcept>
#include <system_error>

#include "config_json.hpp"
#include "files.hpp"
#include "shards.hpp"
#include "tokenizer_synth.hpp"
#include "weights.hpp"

namespace medq::synth {

namespace {

using nlohmann::json;

json generation_config(const Arch& a) {
  if (a.family == Family::Gemma3)
    return {{"bos_token_id", a.ids.bos},
            {"cache_implementation", "hybrid"},
            {"do_sample", true},
            {"eos_token_id", {a.ids.eos, a.ids.end_of_turn}},
            {"pad_token_id", a.ids.pad},
            {"top_k", 64},
            {"top_p", 0.95},
            {"transformers_version", "4.50.0"}};
  return {{"bos_token_id", a.ids.bos},
          {"eos_token_id", a.ids.eos},
          {"pad_token_id", a.ids.pad},
          {"transformers_version", "4.50.0"}};
}

json preprocessor_config(const Arch& a) {
  const uint64_t image = a.vision->image;
  return {{"do_convert_rgb", nullptr},
          {"do_normalize", true},
          {"do_pan_and_scan", nullptr},
          {"do_rescale", true},
          {"do_resize", true},
          {"image_mean", {0.5, 0.5, 0.5}},
          {"image_processor_type", "Gemma3ImageProcessor"},
          {"image_seq_length", a.mm_tokens_per_image},
          {"image_std", {0.5, 0.5, 0.5}},
          {"pan_and_scan_max_num_crops", nullptr},
          {"pan_and_scan_min_crop_size", nullptr},
          {"pan_and_scan_min_ratio_to_activate", nullptr},
          {"processor_class", "Gemma3Processor"},
          {"resample", 2},
          {"rescale_factor", 1.0 / 255.0},
          {"size", {{"height", image}, {"width", image}}}};
}

bool copy_real_tokenizer(const std::filesystem::path& from, const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  if (from.empty()) return false;
  const fs::path tj = from / "tokenizer.json", tc = from / "tokenizer_config.json";
  // Asked for a real tokenizer that is not there: an error, never a synthetic one in its place.
  if (!has_real_tokenizer(from)) {
    throw std::invalid_argument("no tokenizer.json and tokenizer_config.json in " + from.string());
  }
  fs::copy_file(tj, dir / "tokenizer.json", fs::copy_options::overwrite_existing);
  fs::copy_file(tc, dir / "tokenizer_config.json", fs::copy_options::overwrite_existing);
  return true;
}

}  // namespace

bool has_real_tokenizer(const std::filesystem::path& from) {
  namespace fs = std::filesystem;
  std::error_code ec;
  return fs::is_regular_file(from / "tokenizer.json", ec) &&
         fs::is_regular_file(from / "tokenizer_config.json", ec);
}

Summary write_checkpoint(const std::filesystem::path& dir, const Arch& arch, const QuantPlan& plan,
                         const GenerateOptions& opts) {
  const std::vector<OutTensor> tensors =
      materialize(arch, plan, opts.seed, opts.sparse ? Data::kNone : Data::kStreamed);
  Summary s;
  s.tensors = tensors.size();
  s.parameters = logical_parameters(build_params(arch));
  const bool hf = arch.layout == Layout::Transformers;
  const WrittenWeights w =
      write_weights(dir, tensors, opts.max_shard_bytes, opts.sparse, s.parameters, arch.layout,
                    !hf || !arch.transformers_version.starts_with("4."));
  s.total_size = w.total_size;
  s.shards = w.shard_files;

  write_json(dir / "config.json", make_config(arch, plan), hf ? 2 : 4);
  write_json(dir / "generation_config.json", generation_config(arch), 2);
  write_json(dir / "special_tokens_map.json", special_tokens_map_json(arch), 2);
  s.real_tokenizer = copy_real_tokenizer(opts.real_tokenizer_dir, dir);
  if (!s.real_tokenizer) {
    const Vocab v = build_vocab(arch, opts.seed);
    write_json(dir / "tokenizer.json", tokenizer_json(v, arch), 2);
    write_json(dir / "tokenizer_config.json", tokenizer_config_json(v, arch), 2);
    write_text(dir / "tokenizer.model", sentencepiece_model(v, arch));
  }
  if (arch.vision) {
    write_json(dir / "processor_config.json",
               json{{"image_seq_length", arch.mm_tokens_per_image},
                    {"processor_class", "Gemma3Processor"}},
               2);
    write_json(dir / "preprocessor_config.json", preprocessor_config(arch), 2);
  }
  return s;
}

}  // namespace medq::synth
