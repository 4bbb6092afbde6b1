// The shard index against the shards: the weight_map must name exactly the tensors the shards
// hold, in the shards that hold them; every named shard must exist inside the directory; no
// shard on disk may be left out; metadata.total_size must equal the tensor bytes.
#pragma once

#include "medq/diag/finding.hpp"
#include "medq/model/checkpoint.hpp"
#include "medq/model/model_dir.hpp"

namespace medq {

Findings check_index(const ModelDir& dir, const Checkpoint& cp);

}  // namespace medq
