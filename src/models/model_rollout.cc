#include "mbrl/models/model_rollout.h"

#include <optional>

#include "mbrl/core/blas_threads.h"
#include "mbrl/core/error.h"
#include "mbrl/core/seeding.h"
#include "mbrl/core/shape.h"

namespace mbrl::models {

ModelRollout::ModelRollout(GaussianEnsemble model, const env::Task& task,
                           const config::RolloutConfig& config, const torch::Device& device,
                           uint64_t seed)
    : dynamics_(model, task),
      executors_(DefaultRolloutExecutors(/*capture_ready=*/false)),
      propagation_(ParsePropagation(config.propagation)),
      particles_(propagation_ == Propagation::kMean ? 1 : config.particles),
      block_rows_(config.block_rows),
      generator_(MakeGenerator(device, seed)) {
  const int64_t E = model->ensemble_size();
  if (propagation_ == Propagation::kTsInf && particles_ % E != 0) {
    throw ConfigError("rollout.particles: tsinf needs a multiple of model.ensemble_size (" +
                      std::to_string(E) + "), got " + std::to_string(particles_));
  }
}

void ModelRollout::SetCaptureReady(bool on) {
  capture_ready_ = on;
  executors_ = DefaultRolloutExecutors(on);
}

torch::Tensor ModelRollout::Evaluate(const torch::Tensor& obs, const torch::Tensor& actions) {
  return Rollout(obs, actions, propagation_, particles_);
}

torch::Tensor ModelRollout::EvaluateDeterministic(const torch::Tensor& obs,
                                                  const torch::Tensor& actions) {
  return Rollout(obs, actions, Propagation::kMean, 1);
}

torch::Tensor ModelRollout::Rollout(const torch::Tensor& obs, const torch::Tensor& actions,
                                    Propagation mode, int64_t particles) {
  const auto& task = dynamics_.task();
  CheckShape(obs, {task.ObsDim()}, "ModelRollout obs");
  CheckShape(actions, {-1, -1, task.ActionDim()}, "ModelRollout actions");
  RolloutJob job;
  job.obs = obs;
  job.actions = actions;
  job.mode = mode;
  job.particles = particles;
  job.gen = generator_;
  job.block_rows = block_rows_;
  // A one-sequence mean rollout reuses the prepared ensemble mean and its rollout (and so its
  // helper thread), as the hand-written gradient does; capture-ready planning runs no mean_row.
  if (!capture_ready_) job.mean_row = [this] { return MeanRow(); };
  // Without autograd a CPU rollout runs in cpu_split's parts (single-threaded BLAS in each) or is
  // too small to split (under 200 rows), so OpenBLAS's own threads would not help it, and waking
  // them costs: after a multi-threaded call they spin (sched_yield) for about 0.1 s, beside the
  // next parts on the same cores. One small rollout per CEM step (its expected return) woke them
  // on humanoid_standup, where the step then took 25% more CPU time (docs/performance.md).
  std::optional<ScopedBlasThreads> single_blas;
  if (!torch::GradMode::is_enabled() && actions.device().is_cpu()) single_blas.emplace(1);
  const auto returns =
      RunRollout(executors_, 0, dynamics_, job).view({actions.size(0), particles}).mean(1);  // [B]
  return torch::where(torch::isfinite(returns), returns, torch::full_like(returns, -1e10));
}

}  // namespace mbrl::models
