#include "mbrl/env/half_cheetah.h"

#include "mbrl/core/error.h"

namespace mbrl::env {

HalfCheetahEnv::HalfCheetahEnv() : TaskEnv("half_cheetah.xml", 5) {
  const mjModel* m = sim_.model();
  if (m->nq != 9 || m->nv != 9 || m->nu != 6) {
    throw Error("half_cheetah.xml: expected nq = nv = 9 and nu = 6");
  }
}

std::vector<double> HalfCheetahEnv::Reset(std::mt19937_64& rng) {
  std::normal_distribution<double> noise(0.0, 0.001);
  const mjModel* m = sim_.model();
  std::vector<double> qpos(m->nq), qvel(m->nv);
  for (int i = 0; i < m->nq; ++i) qpos[i] = m->qpos0[i] + noise(rng);
  for (int i = 0; i < m->nv; ++i) qvel[i] = noise(rng);
  sim_.SetState(qpos.data(), qvel.data());
  obs_ = Observe(0.0);
  return obs_;
}

StepResult HalfCheetahEnv::DoStep(const std::vector<double>& action) {
  const double x_before = sim_.data()->qpos[0];
  const std::vector<double> before = obs_;
  Advance(action);
  obs_ = Observe((sim_.data()->qpos[0] - x_before) / dt());
  return Scored(before, action, obs_);
}

std::vector<double> HalfCheetahEnv::Observe(double x_velocity) const {
  const mjData* d = sim_.data();
  std::vector<double> obs = {x_velocity};
  obs.insert(obs.end(), d->qpos + 1, d->qpos + 9);
  obs.insert(obs.end(), d->qvel, d->qvel + 9);
  return obs;
}

torch::Tensor HalfCheetahTask::Reward(const torch::Tensor& obs, const torch::Tensor& action,
                                      const torch::Tensor& next_obs) const {
  return next_obs.select(1, 0) - 0.1 * action.square().sum(1);
}

torch::Tensor HalfCheetahTask::PreprocessObs(const torch::Tensor& obs) const {
  const auto angle = obs.narrow(-1, 2, 1);  // [B, 1] torso pitch
  return torch::cat(
      {obs.narrow(-1, 1, 1), torch::sin(angle), torch::cos(angle), obs.narrow(-1, 3, 15)},
      -1);  // [B, 18]
}

torch::Tensor HalfCheetahTask::TargetFromTransition(const torch::Tensor& obs,
                                                    const torch::Tensor& next_obs) const {
  return torch::cat(
      {next_obs.narrow(-1, 0, 1), next_obs.narrow(-1, 1, 17) - obs.narrow(-1, 1, 17)}, -1);
}

torch::Tensor HalfCheetahTask::NextObsFromPrediction(const torch::Tensor& obs,
                                                     const torch::Tensor& pred) const {
  // The forward velocity (entry 0) is predicted as such, the rest as changes.
  auto next = obs + pred;
  next.narrow(-1, 0, 1).copy_(pred.narrow(-1, 0, 1));
  return next;
}

std::optional<ObsFeatures> HalfCheetahTask::ModelInputFeatures() const {
  using Kind = ObsFeatures::Feature::Kind;
  ObsFeatures f{2, 1, {{Kind::kCopy, 1}, {Kind::kSin, 2}, {Kind::kCos, 2}}};
  for (int i = 3; i < 18; ++i) f.features.push_back({Kind::kCopy, i});
  return f;
}

}  // namespace mbrl::env
