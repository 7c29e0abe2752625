#pragma once
// Soft top-k: the temperature-scaled limited multi-label projection used by DCEM (Amos & Yarats
// 2020, appendix). Given scores x [B, N], it returns y in (0, 1)^N with sum(y) = k per row,
// y_i = sigmoid((x_i + nu) / tau), nu found per row by bisection. As tau -> 0 it becomes the hard
// top-k indicator. The backward pass is the closed-form implicit derivative:
//   dL/dx_j = h_j (g_j - sum_i g_i h_i / sum_i h_i),  h_i = y_i (1 - y_i) / tau,
// not autograd through the bisection loop.
#include <torch/torch.h>

namespace mbrl::planning {

/// Soft top-k of scores [B, N] (1 <= k < N, tau > 0) -> [B, N]; differentiable in `scores`.
/// Bisection runs in double precision until every row's sum is within `tolerance` of k (at most
/// `max_iterations` halvings), so equal or huge scores give no NaN. With tolerance <= 0 it runs
/// all `max_iterations` without reading the sums on the host.
torch::Tensor SoftTopK(const torch::Tensor& scores, int64_t k, double tau, double tolerance = 1e-6,
                       int max_iterations = 200);

}  // namespace mbrl::planning
