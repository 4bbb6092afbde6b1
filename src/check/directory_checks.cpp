#include "medq/check/directory_checks.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "medq/diag/quote.hpp"
#include "medq/util/units.hpp"

namespace medq {
namespace {

// A required file that is present as a link medq does not follow (out of the folder, a loop,
// broken) is reported by the link's error, not a second time as missing. A link to a directory
// or a device is not the file: that one is missing.
bool unfollowed_link(const ModelDir& d, std::string_view name) {
  const DirEntry* e = d.find(name);
  return e && e->kind == EntryKind::kSymlink &&
         (e->link == LinkStatus::kOutside || e->link == LinkStatus::kLoop ||
          e->link == LinkStatus::kBroken);
}

void require(Findings& out, const ModelDir& d, EntryKind kind, const char* file, std::string code,
             Severity sev, const char* why) {
  if (!d.has(kind) && !unfollowed_link(d, file))
    out.push_back(
        file_finding(std::move(code), sev, file, fmt::format("{} is missing: {}", file, why)));
}

// A leftover download folder names what it holds, so the user knows what to delete: its largest
// files, largest first, with their sizes.
std::string leftover_contents(const DirEntry& e) {
  constexpr size_t kNamed = 5;
  if (e.kind != EntryKind::kPartialDownload || e.file_count == 0) return "";
  std::string s =
      e.file_count == 1 ? "; it holds " : fmt::format("; it holds {} files: ", e.file_count);
  const size_t named = std::min(kNamed, e.largest_files.size());
  for (size_t i = 0; i < named; ++i) {
    if (i > 0) s += ", ";
    s += fmt::format("{} ({} bytes)", e.largest_files[i].first,
                     group_digits(e.largest_files[i].second));
  }
  if (e.file_count > named) s += fmt::format(" and {} more", e.file_count - named);
  return s;
}

// How to proceed with links out of the folder. Links that look like a cache snapshot's
// (../../blobs/...) in a folder that is not one: the snapshot, or its repository id, is read
// without the flag.
std::string outside_hint(std::string_view target, bool several) {
  std::string hint = several ? "pass --follow-symlinks to check the files they point to, if you "
                               "trust where they lead"
                             : "pass --follow-symlinks to check the file it points to, if you "
                               "trust where it leads";
  if (target.substr(0, 12) == "../../blobs/" || target.substr(0, 15) == "../../../blobs/") {
    hint +=
        "; a Hugging Face cache snapshot inside its repository folder "
        "(models--ORG--NAME/snapshots/COMMIT), or its repository id ORG/NAME, is read "
        "without the flag";
  }
  return hint;
}

}  // namespace

Findings skipped_entry_findings(const std::vector<const DirEntry*>& skipped) {
  Findings out;
  std::vector<const DirEntry*> outside;
  for (const DirEntry* e : skipped) {
    if (e->kind == EntryKind::kSymlink && e->link == LinkStatus::kOutside) {
      outside.push_back(e);
    } else {
      out.push_back(skipped_entry_finding(*e));
    }
  }
  if (outside.size() == 1) out.push_back(skipped_entry_finding(*outside.front()));
  if (outside.size() < 2) return out;
  constexpr size_t kNamed = 5;
  bool loader_file = false;
  std::string named;
  for (size_t i = 0; i < outside.size(); ++i) {
    loader_file = loader_file || loader_reads(classify_file_name(outside[i]->name));
    if (i < kNamed) named += (i ? ", " : "") + display_text(outside[i]->name, 80);
  }
  if (outside.size() > kNamed) named += fmt::format(" and {} more", outside.size() - kNamed);
  // The first target, shortened (quoted then): enough to see where they lead.
  const std::string first = display_text(outside.front()->symlink_target, 40);
  out.push_back(file_finding(
      "directory.symlinks_outside", loader_file ? Severity::kError : Severity::kWarning, "",
      fmt::format("{} symbolic links lead out of the model folder and are not followed, so not "
                  "checked: {} (the first to {}); {}",
                  outside.size(), named, first,
                  outside_hint(outside.front()->symlink_target, true))));
  return out;
}

Finding skipped_entry_finding(const DirEntry& e) {
  if (e.kind == EntryKind::kSpecial) {
    return file_finding("directory.special_file", Severity::kWarning, e.name,
                        "not a regular file (FIFO, socket or device); skipped, never opened");
  }
  const Severity sev =
      loader_reads(classify_file_name(e.name)) ? Severity::kError : Severity::kWarning;
  switch (e.link) {
    case LinkStatus::kOutside:
      return file_finding(
          "directory.symlink_outside", sev, e.name,
          fmt::format("symbolic link to '{}', outside the model folder: not followed, so "
                      "not checked ({})",
                      e.symlink_target, outside_hint(e.symlink_target, false)));
    case LinkStatus::kLoop:
      return file_finding("directory.symlink_loop", sev, e.name,
                          fmt::format("symbolic link to '{}' leads round in a loop; not followed",
                                      e.symlink_target));
    case LinkStatus::kDirectory:
      return file_finding(
          "directory.symlink_directory", Severity::kInfo, e.name,
          fmt::format("symbolic link to the directory '{}'; never followed (loaders "
                      "ignore subdirectories)",
                      e.symlink_target));
    case LinkStatus::kSpecial:
      return file_finding("directory.special_file", Severity::kWarning, e.name,
                          fmt::format("symbolic link to '{}', not a regular file (FIFO, socket or "
                                      "device); skipped, never opened",
                                      e.symlink_target));
    default:
      return file_finding(
          "directory.symlink_broken", sev, e.name,
          fmt::format("symbolic link to '{}', which does not exist", e.symlink_target));
  }
}

Findings check_directory(const DirectoryCheckInputs& in) {
  Findings out;
  const ModelDir& d = *in.dir;

  // 1. What a loader needs. Weights: directory.no_weights comes from the checkpoint loader.
  require(out, d, EntryKind::kConfig, "config.json", "config.missing", Severity::kError,
          "no loader can build the model without it");
  if (!d.has(EntryKind::kTokenizerJson) && !d.has(EntryKind::kTokenizerModel) &&
      !unfollowed_link(d, "tokenizer.json") && !unfollowed_link(d, "tokenizer.model")) {
    out.push_back(
        file_finding("tokenizer.missing", Severity::kError, "tokenizer.json",
                     "neither tokenizer.json nor tokenizer.model is present: the tokenizer "
                     "cannot be loaded"));
  }
  require(out, d, EntryKind::kTokenizerConfig, "tokenizer_config.json", "tokenizer.missing_config",
          Severity::kWarning, "special tokens and the chat template fall back to defaults");
  require(out, d, EntryKind::kSpecialTokensMap, "special_tokens_map.json",
          "tokenizer.missing_special_tokens_map", Severity::kInfo,
          "loaders take special tokens from tokenizer_config.json instead");
  require(out, d, EntryKind::kGenerationConfig, "generation_config.json",
          "config.missing_generation_config", Severity::kWarning,
          "generation falls back to default end-of-sequence ids and sampling settings");
  if (in.vision_model) {
    if (!in.processor_has_image_processor) {
      require(out, d, EntryKind::kPreprocessorConfig, "preprocessor_config.json",
              "config.missing_preprocessor_config", Severity::kError,
              "the config describes a vision model and its image processor cannot be built");
    }
    require(out, d, EntryKind::kProcessorConfig, "processor_config.json",
            "config.missing_processor_config", Severity::kWarning,
            "the processor falls back to defaults (e.g. image_seq_length)");
  }

  // 2. Hygiene.
  uint64_t stray_bytes = 0;
  std::vector<std::string> stray;
  std::vector<const DirEntry*> skipped;  // links not followed, special files
  for (const auto& e : d.entries) {
    switch (e.kind) {
      case EntryKind::kPartialDownload:
        out.push_back(
            file_finding("directory.partial_download", Severity::kWarning, e.name,
                         fmt::format("leftover download data, not part of the model: {}{}",
                                     byte_size(e.bytes), leftover_contents(e))));
        stray_bytes += e.bytes;
        stray.push_back(e.name);
        break;
      case EntryKind::kOther:
        out.push_back(file_finding(
            "directory.unreferenced_file",
            e.bytes >= (1u << 20) ? Severity::kWarning : Severity::kInfo, e.name,
            fmt::format("nothing in the model refers to this file ({})", byte_size(e.bytes))));
        stray_bytes += e.bytes;
        stray.push_back(e.name);
        break;
      case EntryKind::kDirectory:
        out.push_back(file_finding(
            "directory.subdirectory", Severity::kInfo, e.name,
            fmt::format("subdirectory holding {}; loaders ignore it", byte_size(e.bytes))));
        stray_bytes += e.bytes;
        stray.push_back(e.name);
        break;
      case EntryKind::kSymlink:
      case EntryKind::kSpecial:
        skipped.push_back(&e);
        break;
      default:
        break;
    }
    // A cache snapshot's links into its blobs are the cache's structure, not worth a line each.
    if (e.link == LinkStatus::kFollowed && !e.target_in_store) {
      out.push_back(file_finding(
          "directory.symlink", Severity::kInfo, e.name,
          e.target_outside ? fmt::format("symbolic link to '{}', outside the model folder; "
                                         "followed (--follow-symlinks)",
                                         e.symlink_target)
                           : fmt::format("symbolic link to '{}', inside the model folder; "
                                         "followed",
                                         e.symlink_target)));
    }
    if (e.lfs_pointer) {
      out.push_back(
          file_finding("directory.lfs_pointer", Severity::kError, e.name,
                       fmt::format("a {}-byte Git LFS pointer in place of the file's content "
                                   "(run `git lfs pull`)",
                                   e.bytes)));
    }
  }

  for (Finding& f : skipped_entry_findings(skipped)) out.push_back(std::move(f));

  // 3. Weight files present twice (Checkpoint::duplicate_files decides which).
  const auto shared = in.checkpoint->duplicate_files();
  for (const auto& [dup, others] : shared) {
    const DirEntry* e = d.find(dup);
    uint64_t bytes = e ? e->bytes : 0;
    std::string with;
    size_t total = 0;
    for (const auto& [other, count] : others) {
      with += fmt::format("{}'{}' ({})", with.empty() ? "" : ", ", other, count);
      total += count;
    }
    out.push_back(
        file_finding("directory.duplicate_weights", Severity::kError, dup,
                     fmt::format("{} of its tensors are also in {}: a duplicated weight file ({}) "
                                 "that loaders would read twice",
                                 total, with, byte_size(bytes))));
    stray_bytes += bytes;
    stray.push_back(dup);
  }

  // 4. The size explanation.
  if (d.total_bytes > 0 && stray_bytes * 10 >= d.total_bytes) {
    std::string list;
    for (size_t i = 0; i < stray.size() && i < 5; ++i) list += (i ? ", " : "") + stray[i];
    if (stray.size() > 5) list += ", ...";
    out.push_back(file_finding(
        "directory.size_overhead", Severity::kWarning, "",
        fmt::format("{} of the directory's {} ({:.0f}%) is not the model: {}",
                    byte_size(stray_bytes), byte_size(d.total_bytes),
                    100.0 * static_cast<double>(stray_bytes) / static_cast<double>(d.total_bytes),
                    list)));
  }
  return out;
}

}  // namespace medq
