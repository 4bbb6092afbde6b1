// medq-synth: writes MLX-layout checkpoints (and transformers-layout originals) to test and demo
// medq on (tiny real-weight models, full-size sparse replicas of medgemma-4b-it, injected
// defects). Options in, files out; the
// work is in the medq_synth library. See docs/generator.md.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "arch.hpp"
#include "checkpoint.hpp"
#include "defects.hpp"
#include "files.hpp"
#include "quant_plan.hpp"
#include "shards.hpp"

namespace fs = std::filesystem;
using namespace medq::synth;

namespace {

void report(const fs::path& dir, const Summary& s, double seconds) {
  std::printf("%s: %zu tensors, %llu parameters, %llu bytes in %zu shard(s)%s, %.2f s\n",
              dir.string().c_str(), s.tensors, static_cast<unsigned long long>(s.parameters),
              static_cast<unsigned long long>(s.total_size), s.shards.size(),
              s.real_tokenizer ? ", real tokenizer" : "", seconds);
}

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"medq-synth: write MLX-layout checkpoints (tiny, full-size sparse, defective)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "medq-synth " MEDQ_SYNTH_VERSION);
  bool force = false;
  uint64_t seed = 0;

  // tiny
  auto* tiny = app.add_subcommand("tiny", "tiny random-weight model, bf16 or quantized");
  std::string arch_name = "gemma3", mode, mixed;
  unsigned bits = 0, group = 64;
  std::vector<std::string> skip;
  fs::path tiny_out;
  tiny->add_option("--arch", arch_name,
                   "gemma3 (multimodal), gemma3_text, llama (tied embeddings), mistral, qwen2, "
                   "qwen3")
      ->check(CLI::IsMember({"gemma3", "gemma3_text", "llama", "mistral", "qwen2", "qwen3"}));
  // Attention and RoPE settings, for the forward-pass tests (medq quality).
  uint64_t sliding_window = 0, sliding_pattern = 0;
  bool llama3_rope = false, untied = false;
  tiny->add_option("--sliding-window", sliding_window,
                   "sliding_window of the config (gemma3, gemma3_text, mistral)");
  tiny->add_option("--sliding-window-pattern", sliding_pattern,
                   "Gemma 3: every Nth layer global (default 6)");
  tiny->add_flag("--llama3-rope", llama3_rope, "llama family: rope_scaling of type llama3");
  tiny->add_flag("--untied", untied,
                 "llama family: a separate lm_head (tie_word_embeddings false)");
  tiny->add_option("--bits", bits, "affine bits: 2, 3, 4, 5, 6 or 8 (default: bf16)");
  tiny->add_option("--group-size", group, "affine group size: 32, 64 or 128")
      ->capture_default_str();
  tiny->add_option("--mode", mode, "mxfp4, mxfp8 or nvfp4");
  tiny->add_option("--mixed", mixed, "mixed recipe: mixed_2_6, mixed_3_4, ..., mixed_4_8");
  tiny->add_option("--skip", skip, "module path to leave unquantized (written as false)");
  uint64_t max_shard = 5ull << 30;
  CLI::Option* max_shard_opt =
      tiny->add_option("--max-shard-size", max_shard,
                       "shard size limit in bytes (mlx-lm: 5 GiB; transformers layout: 5 GB)")
          ->capture_default_str();
  std::string layout_name = "mlx";
  const auto layouts = CLI::IsMember({"mlx", "transformers"});
  tiny->add_option("--layout", layout_name,
                   "mlx (mlx-lm / mlx-vlm names) or transformers (save_pretrained's: PyTorch "
                   "names, OIHW convolution, tied lm_head left out, bf16 only)")
      ->check(layouts)
      ->capture_default_str();
  // Scaled-up text dimensions, for benchmarks that need real data in quantity (the vocabulary
  // stays that of the tiny tokenizer).
  uint64_t hidden = 0, layers = 0, heads = 0, kv_heads = 0, head_dim = 0, intermediate = 0;
  tiny->add_option("--hidden", hidden, "text hidden size (benchmarks; default: the tiny one)");
  tiny->add_option("--layers", layers, "text layers (benchmarks)");
  tiny->add_option("--heads", heads, "attention heads (benchmarks)");
  tiny->add_option("--kv-heads", kv_heads, "key/value heads (benchmarks)");
  tiny->add_option("--head-dim", head_dim, "head dimension (benchmarks)");
  tiny->add_option("--intermediate", intermediate, "MLP intermediate size (benchmarks)");
  tiny->add_option("--seed", seed, "random seed")->capture_default_str();
  tiny->add_flag("--force", force, "write into a non-empty directory");
  tiny->add_option("OUT", tiny_out, "output directory")->required();

  // replica
  auto* replica = app.add_subcommand("replica", "full-size sparse medgemma replica");
  std::string quant = "4";
  std::string replica_model = "medgemma-4b-it";
  replica->add_option("--model", replica_model, "medgemma-4b-it or medgemma-27b-it")
      ->check(CLI::IsMember({"medgemma-4b-it", "medgemma-27b-it"}))
      ->capture_default_str();
  std::string tokenizer_dir = MEDQ_SYNTH_DEFAULT_TOKENIZER;
  fs::path replica_out;
  CLI::Option* quant_opt = replica->add_option("--quant", quant, "bf16, 4, 6 or 8")
                               ->check(CLI::IsMember({"bf16", "4", "6", "8"}))
                               ->capture_default_str();
  replica
      ->add_option("--layout", layout_name,
                   "mlx (mlx-community's conversion) or transformers (the original as "
                   "google/medgemma-4b-it publishes it: 883 bf16 tensors in two shards)")
      ->check(layouts)
      ->capture_default_str();
  replica->add_option("--group-size", group, "affine group size")->capture_default_str();
  CLI::Option* tokenizer_opt =
      replica->add_option("--tokenizer", tokenizer_dir,
                          "folder with the real tokenizer.json + tokenizer_config.json ('none' to "
                          "synthesize one)");
  tokenizer_opt->capture_default_str();
  bool dense = false;
  replica->add_flag("--dense", dense,
                    "real random weights, written tensor by tensor (medgemma-4b-it: 9.9 GB at "
                    "bf16), instead of sparse holes; for the quality benchmark");
  replica->add_flag("--force", force, "write into a non-empty directory");
  replica->add_option("OUT", replica_out, "output directory")->required();

  // defect
  auto* defect = app.add_subcommand("defect", "one defective checkpoint per directory");
  std::string defect_name;
  fs::path defect_out;
  bool list = false;
  defect->add_flag("--list", list, "list the defects and exit");
  defect->add_option("--seed", seed, "random seed")->capture_default_str();
  defect->add_flag("--force", force, "write into a non-empty directory");
  defect->add_option("NAME", defect_name, "defect name");
  defect->add_option("OUT", defect_out, "output directory");

  // samples
  auto* samples = app.add_subcommand("samples", "the README demo set: tiny gemma3 variants");
  fs::path samples_out;
  samples->add_flag("--force", force, "write into non-empty directories");
  samples->add_option("--seed", seed, "random seed")->capture_default_str();
  samples->add_option("OUT", samples_out, "output directory (one subfolder per variant)")
      ->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);  // --help, --version
  } catch (const CLI::ParseError& e) {
    (void)app.exit(e);  // prints the message; a usage error exits 2, as medq's do
    return 2;
  }

  try {
    const auto t0 = std::chrono::steady_clock::now();
    if (*tiny) {
      Arch a = arch_name == "gemma3"        ? tiny_gemma3()
               : arch_name == "gemma3_text" ? tiny_gemma3_text()
                                            : tiny_text(arch_name);
      if (sliding_window) a.sliding_window = sliding_window;
      if (sliding_pattern) a.sliding_window_pattern = sliding_pattern;
      if ((llama3_rope || untied) && a.family != Family::Llama)
        throw std::invalid_argument("--llama3-rope and --untied are for the llama family");
      a.llama3_rope = llama3_rope;
      a.tie_embeddings = !untied;
      if (layout_name == "transformers") {
        a.layout = Layout::Transformers;
        a.transformers_version = "5.17.0";
        if (max_shard_opt->count() == 0) max_shard = kHfMaxShardBytes;
      }
      for (auto [value, field] : {std::pair{hidden, &a.text.hidden},
                                  {layers, &a.text.layers},
                                  {heads, &a.text.heads},
                                  {kv_heads, &a.text.kv_heads},
                                  {head_dim, &a.text.head_dim},
                                  {intermediate, &a.text.intermediate}}) {
        if (value) *field = value;
      }
      const int chosen = (bits != 0) + !mode.empty() + !mixed.empty();
      if (chosen > 1) throw std::invalid_argument("choose one of --bits, --mode, --mixed");
      if (chosen > 0 && a.layout == Layout::Transformers)
        throw std::invalid_argument(
            "--layout transformers writes bf16 only (quantized checkpoints are MLX's)");
      if (!skip.empty() && chosen == 0)
        throw std::invalid_argument("--skip needs --bits, --mode or --mixed");
      for (const std::string& m : skip) {
        bool found = false;
        for (const Param& p : build_params(a)) found = found || (p.quantizable && p.module == m);
        if (!found)
          throw std::invalid_argument("--skip " + m + ": not a quantizable module of " + a.name);
      }
      QuantPlan plan;
      if (bits) plan = plan_affine(bits, group);
      if (!mode.empty()) plan = plan_fp(mode);
      if (!mixed.empty())
        plan = plan_mixed(mixed, a, skip);
      else
        for (const std::string& s : skip) plan.overrides[s] = std::nullopt;
      GenerateOptions o;
      o.seed = seed;
      o.max_shard_bytes = max_shard;
      prepare_out_dir(tiny_out, force);
      const Summary s = write_checkpoint(tiny_out, a, plan, o);
      report(tiny_out, s, since(t0));
    } else if (*replica) {
      const bool hf = layout_name == "transformers";
      if (hf && quant_opt->count() > 0 && quant != "bf16")
        throw std::invalid_argument("--layout transformers writes bf16 only (--quant bf16)");
      if (hf) quant = "bf16";
      QuantPlan plan;
      if (quant != "bf16") plan = plan_affine(static_cast<unsigned>(std::stoul(quant)), group);
      GenerateOptions o;
      o.sparse = !dense;
      if (hf) o.max_shard_bytes = kHfMaxShardBytes;
      // The built-in default is used when it is there; a folder the user names must be.
      if (tokenizer_dir != "none" &&
          (tokenizer_opt->count() > 0 || has_real_tokenizer(tokenizer_dir))) {
        if (!has_real_tokenizer(tokenizer_dir)) {
          throw std::invalid_argument("--tokenizer " + tokenizer_dir +
                                      ": no tokenizer.json and tokenizer_config.json there "
                                      "('none' synthesizes a tokenizer)");
        }
        o.real_tokenizer_dir = tokenizer_dir;
      }
      prepare_out_dir(replica_out, force);
      Arch a = replica_model == "medgemma-27b-it" ? medgemma_27b_it() : medgemma_4b_it();
      if (hf) a.layout = Layout::Transformers;  // transformers 4.50, as the original was saved
      const Summary s = write_checkpoint(replica_out, a, plan, o);
      report(replica_out, s, since(t0));
    } else if (*defect) {
      if (list) {
        for (const DefectInfo& d : list_defects())
          std::printf("%-24s %s\n", d.name.c_str(), d.description.c_str());
        return 0;
      }
      if (defect_name.empty() || defect_out.empty())
        throw std::invalid_argument("usage: medq-synth defect NAME OUT (or --list)");
      bool known = false;
      for (const DefectInfo& d : list_defects()) known = known || d.name == defect_name;
      if (!known)
        throw std::invalid_argument("unknown defect '" + defect_name +
                                    "' (see medq-synth defect --list)");
      prepare_out_dir(defect_out, force);
      write_defect(defect_name, defect_out, seed);
      std::printf("%s: defect %s, %.2f s\n", defect_out.string().c_str(), defect_name.c_str(),
                  since(t0));
    } else if (*samples) {
      struct Variant {
        const char* dir;
        QuantPlan plan;
      };
      const Arch a = tiny_gemma3();
      const std::vector<Variant> variants = {
          {"bf16", QuantPlan{}},
          {"8bit", plan_affine(8, 64)},
          {"6bit", plan_affine(6, 64)},
          {"4bit", plan_affine(4, 64)},
          {"mixed_4_8",
           plan_mixed("mixed_4_8", a, {"language_model.model.layers.0.self_attn.o_proj"})}};
      for (const Variant& v : variants) {
        const auto t1 = std::chrono::steady_clock::now();
        const fs::path dir = samples_out / v.dir;
        prepare_out_dir(dir, force);
        GenerateOptions o;
        o.seed = seed;
        const Summary s = write_checkpoint(dir, a, v.plan, o);
        report(dir, s, since(t1));
      }
      std::printf("samples: %.2f s total\n", since(t0));
    }
  } catch (const std::invalid_argument& e) {  // a bad option value: a usage error
    std::fprintf(stderr, "medq-synth: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "medq-synth: %s\n", e.what());
    return 1;
  }
  return 0;
}
