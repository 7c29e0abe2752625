#pragma once
// The one stack builder: from a config, the environment, its task functions, the ensemble, the
// model rollout and an MPC agent with the configured planner, each seeded from its named stream.
// `mbrl train`, `mbrl bench` and `mbrl toy` all build their objects here.
#include <torch/torch.h>

#include <cstdint>
#include <memory>

#include "mbrl/agent/mpc_agent.h"
#include "mbrl/config/config.h"
#include "mbrl/core/step_graph.h"
#include "mbrl/core/trajectory_objective.h"
#include "mbrl/env/env.h"
#include "mbrl/env/registry.h"
#include "mbrl/env/task.h"
#include "mbrl/models/gaussian_ensemble.h"
#include "mbrl/models/model_rollout.h"
#include "mbrl/planning/planner.h"

namespace mbrl::algorithms {

/// The random streams of a run. Each component seeds itself with StreamSeed(run seed, stream),
/// so no two components share a stream and adding one leaves the others unchanged.
enum class SeedStream : uint64_t {
  kEnv = 0,      ///< environment resets
  kAction = 1,   ///< random actions of the seed episodes
  kInit = 2,     ///< the global torch generator: the ensemble's initial weights
  kTrain = 3,    ///< model training (holdout split, bootstrap, batches)
  kRollout = 4,  ///< model rollout noise (particles, member assignment)
  kPlan = 5,     ///< the planner's samples
};

/// The seed of `stream` for run seed `seed`.
uint64_t StreamSeed(int64_t seed, SeedStream stream);

/// Steps per episode of a run of `config` on `env`: env.episode_length, or the task's own.
int EpisodeLength(const config::Config& config, const env::Env& env);

/// Whether planning on `device` is capture-ready (planner.capture_ready; auto: on CUDA).
bool CaptureReady(const config::PlannerConfig& planner, const torch::Device& device);

/// Whether planning steps on `device` replay CUDA graphs (planner.cuda_graph; auto: on a CUDA
/// device with capture-ready planning). Throws ConfigError for `on` without a CUDA device or with
/// planner.capture_ready off.
bool UseCudaGraph(const config::PlannerConfig& planner, const torch::Device& device);

/// Everything one MPC run acts with. Moving a Stack keeps its internal references valid.
struct Stack {
  std::unique_ptr<env::Env> env;
  std::unique_ptr<env::Task> task;
  models::GaussianEnsemble model{nullptr};        ///< undefined when planning on a given objective
  std::unique_ptr<models::ModelRollout> rollout;  ///< the model as an objective (uses *task)
  planning::PlanSpace space;                      ///< the env's action bounds, agent.horizon
  std::unique_ptr<agent::MpcAgent> agent;         ///< the configured planner on the objective
  int episode_length = 0;                         ///< env.episode_length, or the task's own
  /// The random generators a CUDA graph of a planning step advances on each replay: the
  /// planner's and the objective's (the device's default one always advances).
  std::vector<at::Generator> graph_generators;

  planning::Planner& planner() { return agent->planner(); }
};

/// Builds the stack of `config` on `device`, in this order: the global torch generator seeded
/// from kInit, env, task, ensemble (random initial weights), rollout (kRollout), planner (kPlan).
/// Throws ConfigError for an unknown task or planner, or an invalid rollout set-up.
/// `graphs`, when set, wraps the planner so that its steps replay the graphs it makes instead of
/// CUDA graphs (a stand-in for tests; planner.capture_ready must be on). `task`, when given, is
/// the caller's environment and torch functions (an environment written in Python), used instead
/// of the config's task; it must outlive the call.
Stack BuildStack(const config::Config& config, const torch::Device& device,
                 const StepGraphFactory& graphs = nullptr, const env::TaskEntry* task = nullptr);

/// The same stack planning on `objective` (which must outlive it) instead of a learned model:
/// no ensemble and no rollout are built. The toy study plans on the true dynamics this way.
Stack BuildStack(const config::Config& config, const torch::Device& device,
                 TrajectoryObjective& objective);

}  // namespace mbrl::algorithms
