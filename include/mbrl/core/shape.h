#pragma once
// Shape checks for tensors at module edges.
#include <torch/torch.h>

#include <initializer_list>
#include <string>

namespace mbrl {

/// Formats a tensor's sizes as "[2, 3]".
std::string ShapeString(const torch::Tensor& t);

/// Checks that `t` has exactly the given sizes; -1 matches any size. Throws mbrl::Error naming
/// `what` and the expected and actual shapes.
void CheckShape(const torch::Tensor& t, std::initializer_list<int64_t> expected,
                const std::string& what);

}  // namespace mbrl
