#include "mbrl/env/toy_barrier.h"

#include "mbrl/core/shape.h"

namespace mbrl::env {

torch::Tensor ToyBarrier::Step(const torch::Tensor& pos, const torch::Tensor& action) {
  const auto centre = torch::tensor({kCentreX, kCentreY}, pos.options());  // [2]
  const auto offset = pos - centre;                                       // [B, 2]
  // Guard the direction at the exact centre; the push there is bounded anyway.
  const auto dist = offset.norm(2, 1, /*keepdim=*/true).clamp_min(1e-6);  // [B, 1]
  const auto push = kStrength * torch::relu(1.0 - dist / kRadius).square();  // [B, 1]
  return pos + kDt * (action + push * offset / dist);
}

torch::Tensor ToyBarrier::Reward(const torch::Tensor& next) {
  const auto goal = torch::tensor({kGoalX, kGoalY}, next.options());
  return -(next - goal).norm(2, 1);
}

torch::Tensor ToyBarrierObjective::Positions(const torch::Tensor& obs,
                                             const torch::Tensor& actions) const {
  CheckShape(obs, {2}, "toy obs");
  CheckShape(actions, {-1, -1, 2}, "toy actions");
  auto pos = obs.to(actions.options()).unsqueeze(0).expand({actions.size(0), 2});  // [B, 2]
  std::vector<torch::Tensor> path = {pos};
  for (int64_t t = 0; t < actions.size(1); ++t) {
    pos = ToyBarrier::Step(pos, actions.select(1, t));
    path.push_back(pos);
  }
  return torch::stack(path, 1);  // [B, H + 1, 2]
}

torch::Tensor ToyBarrierObjective::Evaluate(const torch::Tensor& obs, const torch::Tensor& actions) {
  const auto visited = Positions(obs, actions).narrow(1, 1, actions.size(1));  // [B, H, 2]
  return ToyBarrier::Reward(visited.reshape({-1, 2})).view({actions.size(0), -1}).sum(1);  // [B]
}

std::vector<double> ToyBarrierEnv::Reset(std::mt19937_64&) {
  pos_ = {ToyBarrier::kStartX, ToyBarrier::kStartY};
  return pos_;
}

StepResult ToyBarrierEnv::DoStep(const std::vector<double>& action) {
  torch::NoGradGuard no_grad;
  const auto p = torch::tensor(pos_, torch::kDouble).view({1, 2});
  const auto a = torch::tensor(action, torch::kDouble).view({1, 2});
  const auto next = ToyBarrier::Step(p, a);
  const std::vector<double> before = pos_;
  pos_ = {next[0][0].item<double>(), next[0][1].item<double>()};
  return Scored(before, action, pos_);
}

}  // namespace mbrl::env
