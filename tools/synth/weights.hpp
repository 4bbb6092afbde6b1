// Turns a recipe and a quantization plan into the tensors of a checkpoint: random bf16 values
// (seeded, per tensor name) that are saved as bf16 or quantized (affine or fp modes); or, for
// sparse replicas, only names, dtypes and shapes.
#pragma once

#include <cstdint>
#include <vector>

#include "arch.hpp"
#include "quant_plan.hpp"
#include "st_writer.hpp"

namespace medq::synth {

/// The random values of one unquantized tensor, already rounded to bf16.
std::vector<float> random_values(const Param& p, uint64_t seed);

/// Every tensor of the checkpoint, sorted by name. With `sparse`, no data is generated.
std::vector<OutTensor> materialize(const Arch& arch, const QuantPlan& plan, uint64_t seed,
                                   bool sparse);

/// Logical parameter count (mlx-lm's get_total_parameters: a quantized weight counts as the
/// weights it stands for; scales and biases are not parameters).
uint64_t logical_parameters(const std::vector<Param>& params);

}  // namespace medq::synth
