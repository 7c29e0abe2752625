// The `cuda` label (ctest -L cuda): every planner planning and training on the GPU. Skipped, with
// a message, where LibTorch has no CUDA device.
#include <gtest/gtest.h>

#include <filesystem>

#include "mbrl/algorithms/pets.h"
#include "mbrl/algorithms/stack.h"
#include "mbrl/config/loader.h"
#include "mbrl/core/op_counter.h"
#include "test_paths.h"

namespace mbrl {
namespace {

using testing::SourcePath;

#define SKIP_WITHOUT_CUDA()                                                             \
  if (!torch::cuda::is_available()) {                                                   \
    GTEST_SKIP() << "no CUDA device (LibTorch without CUDA, or no GPU): these tests need one"; \
  }

// Tiny sizes for every planner, so each runs in seconds.
std::vector<std::string> SmallPlanner(const std::string& name) {
  std::vector<std::string> sets = {"model.hidden_size=32", "agent.horizon=8",
                                   "rollout.particles=5"};
  if (name == "cem") sets.insert(sets.end(), {"planner.population=50", "planner.iterations=2"});
  if (name == "cem-gd") sets.insert(sets.end(), {"planner.n_init=200", "planner.grad_steps=2"});
  if (name == "grad") sets.push_back("planner.grad_steps=2");
  if (name == "grad-mpc") sets.insert(sets.end(), {"planner.candidates=20", "planner.iterations=2"});
  if (name == "dcem") sets.insert(sets.end(), {"planner.samples=30", "planner.iterations=2"});
  if (name == "icem") sets.insert(sets.end(), {"planner.population=40", "planner.iterations=2"});
  if (name == "mppi") sets.insert(sets.end(), {"planner.population=40", "planner.iterations=2"});
  if (name == "random") sets.push_back("planner.population=100");
  return sets;
}

TEST(Cuda, EveryPlannerPlansOnTheGpuWithinBoundsCaptureReadyOrNot) {
  SKIP_WITHOUT_CUDA();
  const torch::Device device(torch::kCUDA);
  for (const auto& name : config::PlannerNames()) {
    for (const std::string mode : {"on", "off"}) {
      auto sets = SmallPlanner(name);
      sets.push_back("planner.capture_ready=" + mode);
      config::LoadOptions options{SourcePath("configs/cartpole_swingup.yaml"), name, sets};
      options.planner_dir = SourcePath("configs/planner");
      const auto config = config::LoadConfig(options);
      algorithms::Stack stack = algorithms::BuildStack(config, device);
      std::mt19937_64 rng(0);
      auto obs = stack.env->Reset(rng);
      for (int t = 0; t < 3; ++t) {
        const auto action = stack.agent->Act(obs);
        const auto& plan = stack.agent->last_plan().actions;
        ASSERT_TRUE(plan.is_cuda()) << name << " " << mode;
        EXPECT_TRUE((plan >= stack.space.low).all().item<bool>()) << name << " " << mode;
        EXPECT_TRUE((plan <= stack.space.high).all().item<bool>()) << name << " " << mode;
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

TEST(Cuda, EveryPlannerRunsAShortPetsTrainingOnTheGpu) {
  SKIP_WITHOUT_CUDA();
  for (const auto& name : config::PlannerNames()) {
    auto sets = SmallPlanner(name);
    sets.insert(sets.end(), {"pets.episodes=2", "env.episode_length=15", "trainer.max_epochs=3"});
    config::LoadOptions options{SourcePath("configs/cartpole_swingup.yaml"), name, sets};
    options.planner_dir = SourcePath("configs/planner");
    auto config = config::LoadConfig(options);
    config.device = "cuda";
    const std::string dir = testing::TempDir() + "/" + name;
    const auto metrics = algorithms::RunPets(config, torch::Device(torch::kCUDA), dir);
    ASSERT_EQ(metrics.size(), 2u) << name;
    EXPECT_EQ(metrics[1].steps, 15) << name;  // every action passed the env's bounds check
    EXPECT_TRUE(std::filesystem::exists(dir + "/model.pt")) << name;
  }
}

}  // namespace
}  // namespace mbrl
