#include "mbrl/algorithms/stack.h"

#include <iostream>

#include "mbrl/core/error.h"
#include "mbrl/core/seeding.h"
#include "mbrl/core/step_graph.h"
#include "mbrl/env/registry.h"
#include "mbrl/planning/graphed_planner.h"
#include "mbrl/planning/registry.h"

namespace mbrl::algorithms {

int EpisodeLength(const config::Config& config, const env::Env& env) {
  return config.env.episode_length > 0 ? config.env.episode_length : env.EpisodeLength();
}

namespace {

// Env, task, bounds and episode length; the objective and agent are added by the callers.
// `task`: the caller's, or null for the config's.
Stack BuildEnvPart(const config::Config& config, const torch::Device& device,
                   const env::TaskEntry* task = nullptr) {
  Stack s;
  s.env = task ? task->make_env() : env::MakeEnv(config);
  s.task = task ? task->make_task() : env::MakeTask(config);
  s.episode_length = EpisodeLength(config, *s.env);
  const auto low = s.env->ActionLow(), high = s.env->ActionHigh();
  s.space = planning::PlanSpace{
      torch::tensor(std::vector<float>(low.begin(), low.end())).to(device),    // [A]
      torch::tensor(std::vector<float>(high.begin(), high.end())).to(device),  // [A]
      config.agent.horizon};
  return s;
}

// `objective_generators`: the objective's random streams, which a CUDA graph must advance.
// `graphs`: a stand-in for CUDA graphs, or unset.
void AddAgent(Stack& s, const config::Config& config, const torch::Device& device,
              TrajectoryObjective& objective, std::vector<at::Generator> objective_generators,
              StepGraphFactory graphs = nullptr) {
  std::unique_ptr<planning::Planner> planner = planning::MakePlanner(
      config.planner, s.space, device, StreamSeed(config.seed, SeedStream::kPlan));
  planner->SetCaptureReady(CaptureReady(config.planner, device));
  s.graph_generators = planner->generators();
  s.graph_generators.insert(s.graph_generators.end(), objective_generators.begin(),
                            objective_generators.end());
  if (graphs && !planner->capture_ready()) {
    throw ConfigError("planner.capture_ready: stand-in graphs need capture-ready planning ('on')");
  }
  if (!graphs && UseCudaGraph(config.planner, device)) {
    graphs = [device, generators = s.graph_generators]() {
      return MakeCudaStepGraph(device, generators);
    };
  }
  if (graphs) {
    planner = std::make_unique<planning::GraphedPlanner>(
        std::move(planner), std::move(graphs), config.planner.type(),
        [](const std::string& line) { std::cerr << "warning: " << line << "\n"; });
  }
  s.agent = std::make_unique<agent::MpcAgent>(std::move(planner), objective,
                                              config.agent.replan_freq, device);
}

}  // namespace

bool CaptureReady(const config::PlannerConfig& planner, const torch::Device& device) {
  if (planner.capture_ready == "auto") return device.is_cuda();
  return planner.capture_ready == "on";
}

bool UseCudaGraph(const config::PlannerConfig& planner, const torch::Device& device) {
  const bool ready = CaptureReady(planner, device);
  if (planner.cuda_graph == "auto") return device.is_cuda() && ready && CudaGraphsAvailable();
  if (planner.cuda_graph == "off") return false;
  if (!device.is_cuda()) throw ConfigError("planner.cuda_graph: 'on' needs --device cuda");
  if (!CudaGraphsAvailable()) {
    throw ConfigError(
        "planner.cuda_graph: 'on' needs mbrl built against a CUDA LibTorch 2.4 or "
        "later (older ones advance only the default generator inside a graph)");
  }
  if (!ready) {
    throw ConfigError(
        "planner.cuda_graph: 'on' needs capture-ready planning "
        "(planner.capture_ready auto or on)");
  }
  return true;
}

uint64_t StreamSeed(int64_t seed, SeedStream stream) {
  return DeriveSeed(static_cast<uint64_t>(seed), static_cast<uint64_t>(stream));
}

Stack BuildStack(const config::Config& config, const torch::Device& device,
                 const StepGraphFactory& graphs, const env::TaskEntry* task) {
  SeedTorchGlobal(StreamSeed(config.seed, SeedStream::kInit));
  Stack s = BuildEnvPart(config, device, task);
  s.model = models::GaussianEnsemble(config.model, s.task->ModelObsDim() + s.env->ActionDim(),
                                     s.env->ObsDim());
  s.model->to(device);
  s.rollout = std::make_unique<models::ModelRollout>(s.model, *s.task, config.rollout, device,
                                                     StreamSeed(config.seed, SeedStream::kRollout));
  s.rollout->SetCaptureReady(CaptureReady(config.planner, device));
  AddAgent(s, config, device, *s.rollout, {s.rollout->generator()}, graphs);
  return s;
}

Stack BuildStack(const config::Config& config, const torch::Device& device,
                 TrajectoryObjective& objective) {
  Stack s = BuildEnvPart(config, device);
  AddAgent(s, config, device, objective, {});
  return s;
}

}  // namespace mbrl::algorithms
