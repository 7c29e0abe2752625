#include "mbrl/env/cartpole_swingup.h"

#include <cmath>

#include "mbrl/core/error.h"

namespace mbrl::env {

CartpoleSwingupEnv::CartpoleSwingupEnv() : TaskEnv("cartpole_swingup.xml", 2) {
  if (sim_.model()->nq != 2 || sim_.model()->nv != 2 || sim_.model()->nu != 1) {
    throw Error("cartpole_swingup.xml: expected nq = nv = 2 and nu = 1");
  }
}

std::vector<double> CartpoleSwingupEnv::Reset(std::mt19937_64& rng) {
  std::normal_distribution<double> noise(0.0, 0.1);
  const mjModel* m = sim_.model();
  double qpos[2], qvel[2];
  for (int i = 0; i < 2; ++i) qpos[i] = m->qpos0[i] + noise(rng);
  for (int i = 0; i < 2; ++i) qvel[i] = noise(rng);
  sim_.SetState(qpos, qvel);
  return Observe();
}

StepResult CartpoleSwingupEnv::DoStep(const std::vector<double>& action) {
  const auto before = Observe();
  Advance(action);
  return Scored(before, action, Observe());
}

std::vector<double> CartpoleSwingupEnv::Observe() const {
  const mjData* d = sim_.data();
  return {d->qpos[0], d->qpos[1], d->qvel[0], d->qvel[1]};
}

torch::Tensor CartpoleSwingupTask::Reward(const torch::Tensor& obs, const torch::Tensor& action,
                                          const torch::Tensor& next_obs) const {
  const auto x = next_obs.select(1, 0);      // [B]
  const auto theta = next_obs.select(1, 1);  // [B]
  const auto tip_x = x - kCartpolePoleLength * torch::sin(theta);
  const auto tip_y = -kCartpolePoleLength * torch::cos(theta);
  const auto dist2 = tip_x.square() + (tip_y - kCartpolePoleLength).square();
  return torch::exp(-dist2 / (kCartpolePoleLength * kCartpolePoleLength)) -
         0.01 * action.square().sum(1);
}

torch::Tensor CartpoleSwingupTask::PreprocessObs(const torch::Tensor& obs) const {
  const auto theta = obs.narrow(-1, 1, 1);  // [B, 1]
  return torch::cat(
      {torch::sin(theta), torch::cos(theta), obs.narrow(-1, 0, 1), obs.narrow(-1, 2, 2)},
      -1);  // [B, 5]
}

std::optional<ObsFeatures> CartpoleSwingupTask::ModelInputFeatures() const {
  using Kind = ObsFeatures::Feature::Kind;
  return ObsFeatures{
      1,
      1,
      {{Kind::kSin, 1}, {Kind::kCos, 1}, {Kind::kCopy, 0}, {Kind::kCopy, 2}, {Kind::kCopy, 3}}};
}

}  // namespace mbrl::env
