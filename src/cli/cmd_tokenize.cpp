// `medq tokenize DIR (--text FILE | STRING) [--no-special] [--format text|json]`: the ids the
// model's own tokenizer gives a text (docs/tokenize.md), for users checking what the model sees
// and for tests.
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "medq/report/tokenize_report.hpp"
#include "medq/tokenize/tokenize_error.hpp"
#include "medq/tokenize/tokenizer.hpp"

namespace medq::cli {
namespace {

struct TokenizeCliOptions {
  std::string dir;
  std::string text;
  std::string text_file;
  bool no_special = false;
  OutputFormat format = OutputFormat::kText;
  std::optional<std::string> revision;
  bool follow_symlinks = false;
};

constexpr uintmax_t kMaxTextBytes = uintmax_t{1} << 30;

int run_tokenize(const TokenizeCliOptions& o) {
  const std::optional<ModelLocation> loc = model_dir(o.dir, o.revision);
  if (!loc) return kExitToolError;
  std::string text = o.text;
  if (!o.text_file.empty()) {
    std::error_code ec;
    const uintmax_t size = std::filesystem::file_size(o.text_file, ec);
    std::ifstream in(o.text_file, std::ios::binary);
    if (ec || !in) {
      print_error("cannot read '" + o.text_file + "'");
      return kExitToolError;
    }
    if (size > kMaxTextBytes) {
      print_error("'" + o.text_file + "' is larger than 1 GiB");
      return kExitToolError;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }
  try {
    const Tokenizer tok = Tokenizer::load(loc->dir, o.follow_symlinks);
    TokenizeReport r;
    // A repository's file by its name in the repository, not its place in the cache.
    r.tokenizer_file =
        loc->hub ? o.dir + "/" + tok.file().filename().string() : tok.file().string();
    r.tokenizer = tok.describe();
    r.add_special_tokens = !o.no_special;
    r.text_bytes = text.size();
    r.ids = tok.encode(text, !o.no_special);
    for (const uint32_t id : r.ids) {
      r.pieces.push_back(tok.token(id));
      r.decoded.push_back(tok.decode_piece(id));
    }
    print(render(r, o.format));
  } catch (const TokenizeError& e) {
    print_error(o.dir + ": " + e.what());
    return kExitToolError;
  }
  return kExitOk;
}

}  // namespace

void register_tokenize(CLI::App& app, CommandFn* selected) {
  auto opts = std::make_shared<TokenizeCliOptions>();
  auto* sub = app.add_subcommand(
      "tokenize", "Encode a text with a model's own tokenizer (tokenizer.json or tokenizer.model)");
  sub->add_option("dir", opts->dir,
                  "A model directory, any folder with the tokenizer files, or a Hugging Face "
                  "repository id ORG/NAME in the cache")
      ->required();
  add_revision_option(sub, &opts->revision);
  auto* text = sub->add_option("string", opts->text, "The text to encode");
  auto* file = sub->add_option("--text", opts->text_file, "Read the text from FILE (UTF-8)")
                   ->type_name("FILE");
  text->excludes(file);
  file->excludes(text);
  sub->add_flag("--no-special", opts->no_special,
                "Leave out the tokens the post-processor adds (add_special_tokens=False)");
  add_format_option(sub, &opts->format, "text");
  add_follow_symlinks_flag(sub, &opts->follow_symlinks);
  sub->callback([opts, selected, text, file] {
    if (text->count() == 0 && file->count() == 0) {
      throw CLI::ValidationError("give the text as STRING or --text FILE");
    }
    *selected = [opts] { return run_tokenize(*opts); };
  });
}

}  // namespace medq::cli
