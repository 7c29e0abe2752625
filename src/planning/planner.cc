#include "mbrl/planning/planner.h"

#include "mbrl/core/shape.h"

namespace mbrl::planning {

Planner::Planner(PlanSpace space) : space_(std::move(space)) {
  CheckShape(space_.high, {space_.low.size(0)}, "PlanSpace high");
  TORCH_CHECK((space_.high > space_.low).all().item<bool>(), "action bounds need high > low");
}

void PlanResult::ReadDeviceStats() {
  if (device_stats.empty()) return;
  std::vector<torch::Tensor> values;
  for (const auto& [name, value] : device_stats)
    values.push_back(value.reshape({1}).to(torch::kDouble));
  const auto host = torch::cat(values).to(torch::kCPU);  // the one wait for the device
  const double* v = host.data_ptr<double>();
  for (const auto& [name, value] : device_stats) {
    if (name == "expected_return") {
      expected_return = *v++;
    } else {
      stats[name] = *v++;
    }
  }
  device_stats.clear();
}

void BestSample::Offer(const torch::Tensor& candidate, const torch::Tensor& candidate_value) {
  if (!value.defined()) {
    actions = candidate.clone();
    value = candidate_value.clone();
    return;
  }
  const auto better = candidate_value > value;
  actions = torch::where(better, candidate, actions);
  value = torch::where(better, candidate_value, value);
}

PlanResult Planner::Plan(const torch::Tensor& obs, TrajectoryObjective& objective) {
  PlanResult result = PlanStep(obs, objective);
  result.ReadDeviceStats();
  return result;
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
  return ((space_.low + space_.high) / 2)
      .unsqueeze(0)
      .expand({space_.horizon, action_dim()})
      .clone();
}

torch::Tensor Planner::Clamp(const torch::Tensor& x) const {
  return ClampToBounds(x, space_.low, space_.high);
}

void Planner::ClampInPlace(torch::Tensor& x) const {
  torch::minimum_out(x, x, space_.high);  // as ClampToBounds: the upper bound first
  torch::maximum_out(x, x, space_.low);
}

torch::Tensor ClampToBounds(const torch::Tensor& x, const torch::Tensor& low,
                            const torch::Tensor& high) {
  return torch::max(torch::min(x, high), low);
}

}  // namespace mbrl::planning
