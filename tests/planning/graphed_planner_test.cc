// GraphedPlanner (planner.cuda_graph) with a recording stand-in for the CUDA graph: the captured
// step runs again on every replay, reading the static inputs the wrapper fills, so a missing
// input copy or an output overwritten by the next replay shows as a plan that differs from the
// eager planner's. What only a GPU can show is in tests/cuda/.
#include "mbrl/planning/graphed_planner.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "mbrl/algorithms/stack.h"
#include "mbrl/config/loader.h"
#include "mbrl/config/planners.h"
#include "mbrl/core/error.h"
#include "mbrl/planning/registry.h"
#include "test_files.h"
#include "test_paths.h"

namespace mbrl::planning {
namespace {

using testing::SourcePath;

// Records the step and runs it on each Replay (a CUDA graph records kernels instead).
struct RecordingGraph : public StepGraph {
  explicit RecordingGraph(bool fail) : fail(fail) {}
  void Capture(const std::function<void()>& s) override {
    if (fail) throw std::runtime_error("operation not permitted when stream is capturing");
    step = s;
  }
  void Replay() override { step(); }
  bool fail;
  std::function<void()> step;
};

struct Counts {
  int graphs = 0;
  std::vector<std::string> warnings;
};

config::Config SmallConfig(const std::string& name) {
  return config::LoadConfig({SourcePath("configs/cartpole_swingup.yaml"),
                             name,
                             {"planner.capture_ready=on", "model.hidden_size=8", "agent.horizon=5",
                              "rollout.particles=5"}});
}

std::unique_ptr<GraphedPlanner> Wrap(const config::Config& config, algorithms::Stack& stack,
                                     Counts& counts, bool fail) {
  auto inner = MakePlanner(config.planner, stack.space, torch::kCPU, 11);
  inner->SetCaptureReady(true);
  return std::make_unique<GraphedPlanner>(
      std::move(inner),
      [&counts, fail]() {
        ++counts.graphs;
        return std::make_unique<RecordingGraph>(fail);
      },
      config.planner.type(), [&counts](const std::string& w) { counts.warnings.push_back(w); });
}

// Plans `steps` MPC steps from different observations with `planner` on `stack`'s model,
// warm-starting each from the last; returns the plans. `replayed`: which steps replayed.
std::vector<torch::Tensor> Episode(Planner& planner, algorithms::Stack& stack, int steps,
                                   std::vector<bool>* replayed = nullptr) {
  std::mt19937_64 rng(3);
  std::vector<torch::Tensor> plans;
  planner.Reset();
  for (int t = 0; t < steps; ++t) {
    const auto o = stack.env->Reset(rng);
    const auto obs = torch::tensor(std::vector<float>(o.begin(), o.end()));
    auto result = planner.Plan(obs, *stack.rollout);
    plans.push_back(result.actions);
    planner.SetPrevious(result.actions);
    if (replayed) replayed->push_back(static_cast<GraphedPlanner&>(planner).replayed());
  }
  return plans;
}

// The same 4-step episode planned by planner `name` on two identical stacks: eagerly, and wrapped
// in a GraphedPlanner whose graphs fail to capture when `fail` is set.
struct EagerAgainstGraphed {
  EagerAgainstGraphed(const std::string& name, bool fail)
      : config(SmallConfig(name)),
        eager_stack(algorithms::BuildStack(config, torch::kCPU)),
        graph_stack(algorithms::BuildStack(config, torch::kCPU)) {
    auto eager = MakePlanner(config.planner, eager_stack.space, torch::kCPU, 11);
    eager->SetCaptureReady(true);
    graphed = Wrap(config, graph_stack, counts, fail);
    want = Episode(*eager, eager_stack, 4);
    got = Episode(*graphed, graph_stack, 4, &replayed);
  }
  config::Config config;
  algorithms::Stack eager_stack, graph_stack;
  Counts counts;
  std::unique_ptr<GraphedPlanner> graphed;
  std::vector<torch::Tensor> want, got;  // the eager and the graphed plans
  std::vector<bool> replayed;            // which graphed steps replayed
};

TEST(GraphedPlanner, ReplaysGiveTheEagerPlansOfEveryPlanner) {
  for (const auto& name : config::PlannerNames()) {
    const EagerAgainstGraphed run(name, /*fail=*/false);
    for (size_t t = 0; t < run.want.size(); ++t) {
      EXPECT_TRUE(torch::equal(run.got[t], run.want[t])) << name << " step " << t;
    }
    // The first step (no warm start) is eager; the second captures; all later ones replay.
    EXPECT_EQ(run.replayed, (std::vector<bool>{false, true, true, true})) << name;
    EXPECT_EQ(run.counts.graphs, 1) << name;
    EXPECT_TRUE(run.counts.warnings.empty()) << name;
  }
}

TEST(GraphedPlanner, ResetDropsTheGraphAndTheNextEpisodeCapturesAgain) {
  const auto config = SmallConfig("cem");
  auto stack = algorithms::BuildStack(config, torch::kCPU);
  Counts counts;
  auto graphed = Wrap(config, stack, counts, false);
  Episode(*graphed, stack, 3);
  EXPECT_EQ(counts.graphs, 1);
  std::vector<bool> replayed;
  Episode(*graphed, stack, 3, &replayed);  // Episode() calls Reset first
  EXPECT_EQ(counts.graphs, 2);
  EXPECT_EQ(replayed, (std::vector<bool>{false, true, true}));
}

TEST(GraphedPlanner, AFailedCaptureWarnsOnceNamingThePlannerAndPlansEagerly) {
  const EagerAgainstGraphed run("cem-gd", /*fail=*/true);
  for (size_t t = 0; t < run.want.size(); ++t) {
    EXPECT_TRUE(torch::equal(run.got[t], run.want[t])) << t;
  }
  EXPECT_EQ(run.replayed, (std::vector<bool>{false, false, false, false}));
  EXPECT_TRUE(run.graphed->failed());
  EXPECT_EQ(run.counts.graphs, 1);  // not tried again
  ASSERT_EQ(run.counts.warnings.size(), 1u);
  const auto& warning = run.counts.warnings[0];
  EXPECT_NE(warning.find("planner cem-gd"), std::string::npos) << warning;
  EXPECT_NE(warning.find("stream is capturing"), std::string::npos);
}

TEST(GraphedPlanner, CudaGraphSettingIsCheckedAgainstTheDevice) {
  auto config = SmallConfig("cem");
  EXPECT_FALSE(algorithms::UseCudaGraph(config.planner, torch::kCPU));  // auto, on the CPU
  config.planner.cuda_graph = "off";
  EXPECT_FALSE(algorithms::UseCudaGraph(config.planner, torch::kCPU));
  config.planner.cuda_graph = "on";
  try {
    algorithms::UseCudaGraph(config.planner, torch::kCPU);
    FAIL() << "planner.cuda_graph=on on the CPU was accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("planner.cuda_graph"), std::string::npos) << e.what();
  }
  try {
    config::LoadConfig(
        {SourcePath("configs/cartpole_swingup.yaml"), "cem", {"planner.cuda_graph=maybe"}});
    FAIL() << "planner.cuda_graph=maybe was accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("cuda_graph"), std::string::npos) << e.what();
  }
  // Without CUDA in the build there is no graph to make, and the error says why.
  if (!CudaGraphsAvailable()) {
    EXPECT_THROW(MakeCudaStepGraph(torch::Device(torch::kCUDA), {}), std::runtime_error);
  }
}

TEST(GraphedPlanner, TrainRefusesCudaGraphsOnTheCpuBeforeMakingARunDirectory) {
  const std::string dir = ::testing::TempDir() + "/cuda_graph_refused";
  std::filesystem::remove_all(dir);
  auto [code, text] =
      testing::RunMbrl("train --quiet --out " + dir + " --set planner.cuda_graph=on");
  EXPECT_EQ(code, 2) << text;
  EXPECT_NE(text.find("planner.cuda_graph: 'on' needs --device cuda"), std::string::npos) << text;
  EXPECT_FALSE(std::filesystem::exists(dir)) << text;
}

}  // namespace
}  // namespace mbrl::planning
