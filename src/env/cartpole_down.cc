#include "mbrl/env/cartpole_down.h"

#include <cmath>

namespace mbrl::env {
namespace {
using P = CartpoleDownPhysics;
}  // namespace

double CartpoleDownPhysics::Energy(const std::vector<double>& s) {
  const double x_dot = s[1], th = s[2], th_dot = s[3];
  const double m = kMassPole, l = kHalfLength;
  const double kinetic = 0.5 * kMassCart * x_dot * x_dot +
                         0.5 * m * (x_dot * x_dot + 2 * x_dot * l * std::cos(th) * th_dot +
                                    l * l * th_dot * th_dot) +
                         0.5 * (m * l * l / 3.0) * th_dot * th_dot;
  return kinetic + m * kGravity * l * std::cos(th);
}

std::vector<double> CartpoleDownEnv::Reset(std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(-0.05, 0.05);
  for (auto& v : state_) v = u(rng);
  state_[2] += M_PI;
  return state_;
}

StepResult CartpoleDownEnv::DoStep(const std::vector<double>& action) {
  const std::vector<double> before = state_;
  const double force = P::kForceScale * action[0];
  double x = state_[0], x_dot = state_[1], th = state_[2], th_dot = state_[3];
  const double total = P::kMassCart + P::kMassPole;
  const double pml = P::kMassPole * P::kHalfLength;
  const double c = std::cos(th), s = std::sin(th);
  const double temp = (force + pml * th_dot * th_dot * s) / total;
  const double th_acc = (P::kGravity * s - c * temp) /
                        (P::kHalfLength * (4.0 / 3.0 - P::kMassPole * c * c / total));
  const double x_acc = temp - pml * th_acc * c / total;
  x += P::kTau * x_dot;
  x_dot += P::kTau * x_acc;
  th += P::kTau * th_dot;
  th_dot += P::kTau * th_acc;
  state_ = {x, x_dot, th, th_dot};
  return Scored(before, action, state_);
}

torch::Tensor CartpoleDownTask::Reward(const torch::Tensor& obs, const torch::Tensor& action,
                                       const torch::Tensor& next_obs) const {
  const auto x = next_obs.select(1, 0), th = next_obs.select(1, 2);  // [B]
  return 0.5 * (torch::cos(th) + 1.0) * torch::sigmoid(20 * (x + 2.2)) *
         torch::sigmoid(20 * (2.2 - x));
}

torch::Tensor CartpoleDownTask::Terminated(const torch::Tensor& next_obs) const {
  return next_obs.select(1, 0).abs() > CartpoleDownPhysics::kXLimit;
}

torch::Tensor CartpoleDownTask::PreprocessObs(const torch::Tensor& obs) const {
  const auto th = obs.narrow(-1, 2, 1);
  return torch::cat({obs.narrow(-1, 0, 2), torch::sin(th), torch::cos(th), obs.narrow(-1, 3, 1)},
                    -1);
}

std::optional<ObsFeatures> CartpoleDownTask::ModelInputFeatures() const {
  using Kind = ObsFeatures::Feature::Kind;
  return ObsFeatures{
      2,
      1,
      {{Kind::kCopy, 0}, {Kind::kCopy, 1}, {Kind::kSin, 2}, {Kind::kCos, 2}, {Kind::kCopy, 3}}};
}

}  // namespace mbrl::env
