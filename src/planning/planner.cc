#include "mbrl/planning/planner.h"

#include "mbrl/core/shape.h"

namespace mbrl::planning {

Planner::Planner(PlanSpace space) : space_(std::move(space)) {
  CheckShape(space_.high, {space_.low.size(0)}, "PlanSpace high");
  TORCH_CHECK((space_.high > space_.low).all().item<bool>(), "action bounds need high > low");
}

torch::Tensor ShiftPlan(const torch::Tensor& plan) {
  const int64_t t = plan.dim() - 2;  // the time dimension of [..., H, A]
  const int64_t H = plan.size(t);
  if (H == 1) return plan.clone();
  return torch::cat({plan.narrow(t, 1, H - 1), plan.narrow(t, H - 1, 1)}, t);
}

torch::Tensor Planner::WarmStart(const torch::Tensor& fallback) const {
  if (!previous_.defined() || previous_.size(0) != space_.horizon) return fallback;
  return ShiftPlan(previous_);
}

torch::Tensor Planner::CenterPlan() const {
  return ((space_.low + space_.high) / 2).unsqueeze(0).expand({space_.horizon, action_dim()}).clone();
}

torch::Tensor Planner::Clamp(const torch::Tensor& x) const {
  return ClampToBounds(x, space_.low, space_.high);
}

torch::Tensor ClampToBounds(const torch::Tensor& x, const torch::Tensor& low,
                            const torch::Tensor& high) {
  return torch::max(torch::min(x, high), low);
}

}  // namespace mbrl::planning
