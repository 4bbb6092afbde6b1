// The names reports give the variants they set side by side (compare, fidelity, quality,
// check's reference): short, and unique among the folders compared. A model from the Hugging
// Face cache is its repository id; a folder is the shortest suffix of its path that no other
// folder shares ("4bit", not "/home/me/models/medgemma/4bit"). And the name of the model
// they are variants of, for the report's title.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace medq {

struct LabelInput {
  std::string given;          ///< the argument as typed
  std::filesystem::path dir;  ///< the folder read
  std::string repo_id;        ///< when it is a cache snapshot ("" otherwise)
  std::string commit;         ///< the snapshot's commit, with repo_id
};

/// One label per input, in order. Inputs that are the same folder get the same label. Cache
/// snapshots: the repository id, with "@" and the commit's first 7 characters when two
/// snapshots of one repository are compared. Other folders: the last component of the path as
/// typed (made absolute, "." and ".." resolved in the text), and more components for those that
/// would otherwise share a label, until they differ.
std::vector<std::string> variant_labels(const std::vector<LabelInput>& inputs);

/// The model the inputs are variants of: the repository id when every input is one repository;
/// else the longest common start of their names (repository names and last path components)
/// that ends where a word does and has at least 3 characters ("medgemma-4b-it" for
/// medgemma-4b-it-bf16 and medgemma-4b-it-4bit), trailing '-', '_', '.' and ' ' dropped; else
/// the name of the folder every path as typed lies in ("samples" for build/samples/4bit and
/// build/samples/bf16); else "".
std::string model_name(const std::vector<LabelInput>& inputs);

}  // namespace medq
