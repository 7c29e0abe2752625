#include "mbrl/env/humanoid_standup.h"

#include "mbrl/core/error.h"

namespace mbrl::env {
namespace {
constexpr double kHeightScale = 0.003;  // gym divides the height by the MuJoCo timestep
}

HumanoidStandupEnv::HumanoidStandupEnv() : TaskEnv("humanoid_standup.xml", 5) {
  const mjModel* m = sim_.model();
  if (m->nq != 24 || m->nv != 23 || m->nu != 17) {
    throw Error("humanoid_standup.xml: expected nq = 24, nv = 23, nu = 17");
  }
}

std::vector<double> HumanoidStandupEnv::Reset(std::mt19937_64& rng) {
  std::uniform_real_distribution<double> noise(-0.01, 0.01);
  const mjModel* m = sim_.model();
  std::vector<double> qpos(m->nq), qvel(m->nv);
  for (int i = 0; i < m->nq; ++i) qpos[i] = m->qpos0[i] + noise(rng);
  for (int i = 0; i < m->nv; ++i) qvel[i] = noise(rng);
  sim_.SetState(qpos.data(), qvel.data());
  return Observe();
}

StepResult HumanoidStandupEnv::DoStep(const std::vector<double>& action) {
  const auto before = Observe();
  Advance(action);
  return Scored(before, action, Observe());
}

std::vector<double> HumanoidStandupEnv::Observe() const {
  const mjData* d = sim_.data();
  std::vector<double> obs(d->qpos + 2, d->qpos + 24);
  obs.insert(obs.end(), d->qvel, d->qvel + 23);
  return obs;
}

torch::Tensor HumanoidStandupTask::Reward(const torch::Tensor& obs, const torch::Tensor& action,
                                          const torch::Tensor& next_obs) const {
  return next_obs.select(1, 0) / kHeightScale - 0.1 * action.square().sum(1) + 1.0;
}

}  // namespace mbrl::env
