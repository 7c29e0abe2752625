// The `cuda` label (ctest -L cuda): every planner planning and training on the GPU. Skipped, with
// a message, where LibTorch has no CUDA device.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "mbrl/algorithms/pets.h"
#include "mbrl/algorithms/stack.h"
#include "mbrl/config/loader.h"
#include "mbrl/core/op_counter.h"
#include "mbrl/planning/graphed_planner.h"
#include "test_paths.h"

namespace mbrl {
namespace {

using testing::SourcePath;

#define SKIP_WITHOUT_CUDA()                                                                    \
  if (!torch::cuda::is_available()) {                                                          \
    GTEST_SKIP() << "no CUDA device (LibTorch without CUDA, or no GPU): these tests need one"; \
  }

// Tiny sizes for every planner, so each runs in seconds.
std::vector<std::string> SmallPlanner(const std::string& name) {
  std::vector<std::string> sets = {"model.hidden_size=32", "agent.horizon=8",
                                   "rollout.particles=5"};
  if (name == "cem") sets.insert(sets.end(), {"planner.population=50", "planner.iterations=2"});
  if (name == "cem-gd") sets.insert(sets.end(), {"planner.n_init=200", "planner.grad_steps=2"});
  if (name == "grad") sets.push_back("planner.grad_steps=2");
  if (name == "grad-mpc")
    sets.insert(sets.end(), {"planner.candidates=20", "planner.iterations=2"});
  if (name == "dcem") sets.insert(sets.end(), {"planner.samples=30", "planner.iterations=2"});
  if (name == "icem") sets.insert(sets.end(), {"planner.population=40", "planner.iterations=2"});
  if (name == "mppi") sets.insert(sets.end(), {"planner.population=40", "planner.iterations=2"});
  if (name == "random") sets.push_back("planner.population=100");
  return sets;
}

// A small cartpole stack on the GPU with planner `name`, and `sets` added.
algorithms::Stack GpuStack(const std::string& name, std::vector<std::string> sets) {
  auto all = SmallPlanner(name);
  all.insert(all.end(), sets.begin(), sets.end());
  config::LoadOptions options{SourcePath("configs/cartpole_swingup.yaml"), name, all};
  return algorithms::BuildStack(config::LoadConfig(options), torch::Device(torch::kCUDA));
}

TEST(Cuda, EveryPlannerPlansOnTheGpuWithinBoundsCaptureReadyOrNotGraphedOrNot) {
  SKIP_WITHOUT_CUDA();
  const torch::Device device(torch::kCUDA);
  for (const auto& name : config::PlannerNames()) {
    for (const std::string mode : {"off", "on", "graph"}) {
      algorithms::Stack stack =
          GpuStack(name, {"planner.capture_ready=" + std::string(mode == "off" ? "off" : "on"),
                          "planner.cuda_graph=" + std::string(mode == "graph" ? "on" : "off")});
      auto* graphed = dynamic_cast<planning::GraphedPlanner*>(&stack.planner());
      ASSERT_EQ(graphed != nullptr, mode == "graph") << name << " " << mode;
      std::mt19937_64 rng(0);
      auto obs = stack.env->Reset(rng);
      for (int t = 0; t < 4; ++t) {
        const auto action = stack.agent->Act(obs);
        const auto& plan = stack.agent->last_plan().actions;
        ASSERT_TRUE(plan.is_cuda()) << name << " " << mode;
        EXPECT_TRUE((plan >= stack.space.low).all().item<bool>()) << name << " " << mode;
        EXPECT_TRUE((plan <= stack.space.high).all().item<bool>()) << name << " " << mode;
        // The first step has no warm start and runs eagerly; the second captures; later replay.
        if (graphed) {
          EXPECT_FALSE(graphed->failed()) << name;
          EXPECT_EQ(graphed->replayed(), t >= 1) << name << " step " << t;
        }
        obs = stack.env->Step(action).obs;
      }
      if (mode == "on") {  // a later step on the GPU reads nothing on the host either
        const auto obs_t = torch::tensor(std::vector<float>(obs.begin(), obs.end())).to(device);
        OpCounter counter;
        stack.planner().PlanStep(obs_t, *stack.rollout);
        EXPECT_EQ(counter.syncs(), 0) << name;
      }
    }
  }
}

// Plans `steps` warm-started steps from a fixed sequence of observations; returns the plans.
std::vector<torch::Tensor> GpuPlans(algorithms::Stack& stack, int steps) {
  std::mt19937_64 rng(5);
  std::vector<torch::Tensor> plans;
  auto& planner = stack.planner();
  planner.Reset();
  for (int t = 0; t < steps; ++t) {
    const auto o = stack.env->Reset(rng);
    const auto obs = torch::tensor(std::vector<float>(o.begin(), o.end())).to(torch::kCUDA);
    auto result = planner.Plan(obs, *stack.rollout);
    plans.push_back(result.actions.cpu());
    planner.SetPrevious(result.actions);
  }
  return plans;
}

TEST(Cuda, GraphReplaysGiveTheEagerPlansOfADeterministicPlanner) {
  SKIP_WITHOUT_CUDA();
  // grad plans on the ensemble mean from its warm start: no random draws.
  auto eager = GpuStack("grad", {"planner.capture_ready=on", "planner.cuda_graph=off"});
  auto graphed = GpuStack("grad", {"planner.capture_ready=on", "planner.cuda_graph=on"});
  const auto want = GpuPlans(eager, 5);
  const auto got = GpuPlans(graphed, 5);
  for (size_t t = 0; t < want.size(); ++t) {
    EXPECT_TRUE(torch::allclose(got[t], want[t], 1e-4, 1e-5))
        << "step " << t << ": largest difference " << (got[t] - want[t]).abs().max().item<float>();
  }
  EXPECT_TRUE(dynamic_cast<planning::GraphedPlanner&>(graphed.planner()).replayed());
}

TEST(Cuda, SuccessiveGraphReplaysDrawNewSamples) {
  SKIP_WITHOUT_CUDA();
  for (const std::string name : {"cem", "cem-gd", "mppi"}) {
    auto stack = GpuStack(name, {"planner.capture_ready=on", "planner.cuda_graph=on"});
    auto& planner = dynamic_cast<planning::GraphedPlanner&>(stack.planner());
    const auto obs = torch::zeros({stack.env->ObsDim()}, torch::kCUDA);
    planner.Reset();
    const auto first = planner.Plan(obs, *stack.rollout).actions;
    // The same observation and warm start three times: a replay that repeated its noise would
    // give the same plan each time.
    std::vector<torch::Tensor> plans;
    for (int i = 0; i < 3; ++i) {
      planner.SetPrevious(first);
      plans.push_back(planner.Plan(obs, *stack.rollout).actions.cpu());
      ASSERT_TRUE(planner.replayed() || i == 0) << name << " replay " << i;
    }
    EXPECT_FALSE(torch::equal(plans[1], plans[2])) << name << ": two replays gave the same plan";
  }
}

TEST(Cuda, EveryPlannerRunsAShortPetsTrainingOnTheGpuGraphedOrNot) {
  SKIP_WITHOUT_CUDA();
  for (const auto& name : config::PlannerNames()) {
    for (const std::string graph : {"on", "off"}) {
      auto sets = SmallPlanner(name);
      sets.insert(sets.end(), {"pets.episodes=2", "env.episode_length=15", "trainer.max_epochs=3",
                               "planner.cuda_graph=" + graph});
      config::LoadOptions options{SourcePath("configs/cartpole_swingup.yaml"), name, sets};
      auto config = config::LoadConfig(options);
      config.device = "cuda";
      const std::string dir = testing::TempDir() + "/" + name + "_graph_" + graph;
      const auto metrics = algorithms::RunPets(config, torch::Device(torch::kCUDA), dir);
      ASSERT_EQ(metrics.size(), 2u) << name << " graph " << graph;
      EXPECT_EQ(metrics[1].steps, 15) << name;  // every action passed the env's bounds check
      EXPECT_TRUE(std::filesystem::exists(dir + "/model.pt")) << name;
    }
  }
}

}  // namespace
}  // namespace mbrl
