#include "files.hpp"

#include <fstream>
#include <stdexcept>
#include <vector>

namespace medq::synth {

void write_text(const std::filesystem::path& path, std::string_view text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) throw std::runtime_error(path.string() + ": cannot create");
  f.write(text.data(), static_cast<std::streamsize>(text.size()));
  if (!f) throw std::runtime_error(path.string() + ": write failed");
}

void prepare_out_dir(const std::filesystem::path& dir, bool force) {
  namespace fs = std::filesystem;
  if (!fs::exists(dir)) {
    fs::create_directories(dir);
    return;
  }
  if (!fs::is_directory(dir)) throw std::runtime_error(dir.string() + ": not a directory");
  if (fs::is_empty(dir)) return;
  if (!force)
    throw std::runtime_error(dir.string() +
                             ": directory is not empty (use --force to write into it)");
  std::vector<fs::path> doomed;
  for (const fs::directory_entry& e : fs::directory_iterator(dir)) {
    const std::string n = e.path().filename().string();
    const bool ours = (n.rfind("model", 0) == 0 && e.path().extension() == ".safetensors") ||
                      e.path().extension() == ".json" || n == "tokenizer.model" || n == ".cache";
    if (ours) doomed.push_back(e.path());
  }
  for (const fs::path& p : doomed) fs::remove_all(p);
}

}  // namespace medq::synth
