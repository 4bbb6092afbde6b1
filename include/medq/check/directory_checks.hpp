// The directory as a whole: the files a loader needs are there, and nothing else is hiding in
// it — partial downloads, Git LFS pointers in place of content, a shard present twice, files
// nothing refers to — each with the bytes it takes, so a folder twice its expected size is
// explained.
#pragma once

#include "medq/diag/finding.hpp"
#include "medq/model/checkpoint.hpp"
#include "medq/model/model_dir.hpp"

namespace medq {

struct DirectoryCheckInputs {
  const ModelDir* dir = nullptr;
  const Checkpoint* checkpoint = nullptr;
  bool vision_model = false;  ///< the config describes a multimodal model (needs processor files)
  /// processor_config.json holds the image processor (an "image_processor" object, as
  /// transformers 5 saves a processor), so no preprocessor_config.json is needed.
  bool processor_has_image_processor = false;
};

Findings check_directory(const DirectoryCheckInputs& in);

/// The finding for an entry the scan skipped: a FIFO, socket or device (directory.special_file)
/// or a symbolic link it did not follow (directory.symlink_outside, _loop, _broken, _directory).
/// A link not followed whose name is a file a loader reads is an error: the model cannot be
/// checked as it will be loaded. Otherwise a warning (an info for a link to a directory).
Finding skipped_entry_finding(const DirEntry& e);

/// The findings for the entries the scan skipped (skipped_entry_finding each), except that links
/// out of the folder are one finding when there are several (directory.symlinks_outside: how
/// many, which, and how to proceed), not one per file.
Findings skipped_entry_findings(const std::vector<const DirEntry*>& skipped);

}  // namespace medq
