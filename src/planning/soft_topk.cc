#include "mbrl/planning/soft_topk.h"

#include "mbrl/core/shape.h"

namespace mbrl::planning {
namespace {

// Solves sum_i sigmoid((x_i + nu) / tau) = k per row by bisection on nu; returns y [B, N].
torch::Tensor Project(const torch::Tensor& x, int64_t k, double tau, double tolerance,
                      int max_iterations) {
  const auto xd = x.to(torch::kDouble);  // [B, N]
  // At nu = -max - 40 tau every y < sigmoid(-40) (sum < k); at nu = -min + 40 tau every
  // y > sigmoid(40) (sum > k), for 1 <= k < N.
  auto lo = -std::get<0>(xd.max(1, /*keepdim=*/true)) - 40.0 * tau;  // [B, 1]
  auto hi = -std::get<0>(xd.min(1, /*keepdim=*/true)) + 40.0 * tau;  // [B, 1]
  auto nu = (lo + hi) / 2;
  const double target = static_cast<double>(k);
  for (int it = 0; it < max_iterations; ++it) {
    nu = (lo + hi) / 2;
    const auto sum = torch::sigmoid((xd + nu) / tau).sum(1, /*keepdim=*/true);  // [B, 1]
    if (tolerance > 0 && (sum - target).abs().max().item<double>() < tolerance) break;
    const auto too_big = sum > target;
    hi = torch::where(too_big, nu, hi);
    lo = torch::where(too_big, lo, nu);
  }
  // Two Newton steps, kept inside the bracket, take nu from the bisection tolerance to near
  // machine precision, so y is a smooth function of x (finite differences of a DCEM plan agree
  // with its gradient).
  for (int polish = 0; polish < 2; ++polish) {
    const auto y = torch::sigmoid((xd + nu) / tau);
    const auto slope = (y * (1 - y)).sum(1, /*keepdim=*/true) / tau;
    const auto step = (y.sum(1, /*keepdim=*/true) - target) / slope.clamp_min(1e-300);
    nu = torch::max(torch::min(nu - step, torch::max(lo, hi)), torch::min(lo, hi));
  }
  return torch::sigmoid((xd + nu) / tau).to(x.scalar_type());
}

class SoftTopKFunction : public torch::autograd::Function<SoftTopKFunction> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x,
                               int64_t k, double tau, double tolerance, int64_t max_iterations) {
    const auto y = Project(x.detach(), k, tau, tolerance, static_cast<int>(max_iterations));
    ctx->save_for_backward({y});
    ctx->saved_data["tau"] = tau;
    return y;
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grad_outputs) {
    const auto y = ctx->get_saved_variables()[0];
    const double tau = ctx->saved_data["tau"].toDouble();
    const auto g = grad_outputs[0];                                          // [B, N]
    const auto h = y * (1 - y) / tau;                                        // [B, N]
    const auto h_sum = h.sum(1, /*keepdim=*/true).clamp_min(1e-30);          // [B, 1]
    const auto grad_x = h * (g - (g * h).sum(1, /*keepdim=*/true) / h_sum);  // [B, N]
    return {grad_x, torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor SoftTopK(const torch::Tensor& scores, int64_t k, double tau, double tolerance,
                       int max_iterations) {
  CheckShape(scores, {-1, -1}, "SoftTopK scores");
  TORCH_CHECK(k >= 1 && k < scores.size(1), "SoftTopK needs 1 <= k < N, got k = ", k,
              " for N = ", scores.size(1));
  TORCH_CHECK(tau > 0, "SoftTopK needs tau > 0");
  return SoftTopKFunction::apply(scores, k, tau, tolerance, static_cast<int64_t>(max_iterations));
}

}  // namespace mbrl::planning
