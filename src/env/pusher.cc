#include "mbrl/env/pusher.h"

#include <cmath>

#include "mbrl/core/error.h"

namespace mbrl::env {

PusherEnv::PusherEnv() : TaskEnv("pusher.xml", 4) {
  const mjModel* m = sim_.model();
  if (m->nq != 11 || m->nv != 11 || m->nu != 7) {
    throw Error("pusher.xml: expected nq = nv = 11 and nu = 7");
  }
  tips_body_ = mj_name2id(m, mjOBJ_BODY, "tips_arm");
  object_body_ = mj_name2id(m, mjOBJ_BODY, "object");
  if (tips_body_ < 0 || object_body_ < 0) throw Error("pusher.xml: missing tips_arm or object body");
}

std::vector<double> PusherEnv::Reset(std::mt19937_64& rng) {
  const mjModel* m = sim_.model();
  std::normal_distribution<double> object_noise(0.0, 0.025);
  std::uniform_real_distribution<double> vel_noise(-0.005, 0.005);
  std::vector<double> qpos(m->qpos0, m->qpos0 + m->nq), qvel(m->nv, 0.0);
  qpos[7] = -0.25 + object_noise(rng);  // obj_slidey
  qpos[8] = 0.15 + object_noise(rng);   // obj_slidex
  qpos[9] = qpos[10] = 0.0;             // goal fixed
  for (int i = 0; i < 7; ++i) qvel[i] = vel_noise(rng);
  sim_.SetState(qpos.data(), qvel.data());
  return Observe();
}

StepResult PusherEnv::DoStep(const std::vector<double>& action) {
  const auto before = Observe();
  Advance(action);
  return Scored(before, action, Observe());
}

std::vector<double> PusherEnv::Observe() const {
  const mjData* d = sim_.data();
  std::vector<double> obs(d->qpos, d->qpos + 7);
  obs.insert(obs.end(), d->qvel, d->qvel + 7);
  obs.insert(obs.end(), d->xpos + 3 * tips_body_, d->xpos + 3 * tips_body_ + 3);
  obs.insert(obs.end(), d->xpos + 3 * object_body_, d->xpos + 3 * object_body_ + 3);
  return obs;
}

torch::Tensor PusherTask::Reward(const torch::Tensor& obs, const torch::Tensor& action,
                                 const torch::Tensor& next_obs) const {
  const auto tip = next_obs.narrow(1, 14, 3);  // [B, 3]
  const auto obj = next_obs.narrow(1, 17, 3);  // [B, 3]
  const auto goal = torch::tensor({kPusherGoal[0], kPusherGoal[1], kPusherGoal[2]}, next_obs.options());
  return -(0.5 * (tip - obj).abs().sum(1) + 1.25 * (goal - obj).abs().sum(1) +
           0.1 * action.square().sum(1));
}

}  // namespace mbrl::env
