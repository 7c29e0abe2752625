#include "mbrl/algorithms/evaluate.h"

#include <gtest/gtest.h>

#include <cmath>
#include <optional>

#include "mbrl/algorithms/pets.h"
#include "mbrl/config/loader.h"
#include "mbrl/core/error.h"
#include "test_paths.h"

namespace mbrl::algorithms {
namespace {

using mbrl::testing::SourcePath;

config::Config Tiny(const std::string& planner, std::vector<std::string> extra = {}) {
  std::vector<std::string> sets = {"model.hidden_size=16", "agent.horizon=5",
                                   "trainer.max_epochs=3", "rollout.particles=5",
                                   "env.episode_length=20", "pets.episodes=2"};
  sets.insert(sets.end(), extra.begin(), extra.end());
  config::LoadOptions load{SourcePath("configs/cartpole_swingup.yaml"), planner, sets};
  return config::LoadConfig(load);
}

TEST(Evaluate, RunsASavedModelWithItsOwnPlannerOrAnotherReproducibly) {
  const std::string dir = mbrl::testing::TempDir() + "/run";
  RunPets(Tiny("cem", {"planner.population=20", "planner.iterations=2"}), torch::kCPU, dir);
  const auto own = Tiny("cem", {"planner.population=20", "planner.iterations=2"});
  const auto a = EvaluateModel(own, torch::kCPU, dir + "/model.pt", 3);
  ASSERT_EQ(a.size(), 3u);
  for (const auto& e : a) {
    EXPECT_EQ(e.steps, 20);
    EXPECT_TRUE(std::isfinite(e.episode_return));
    EXPECT_GT(e.plan_ms, 0);
  }
  // The same seed gives the same episodes; the episodes of one evaluation differ from each other.
  std::optional<data::ReplayBuffer> transitions;
  const auto b = EvaluateModel(own, torch::kCPU, dir + "/model.pt", 3, nullptr, nullptr,
                               &transitions);
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].episode_return, b[i].episode_return);
  // Every step's transition, in order: each episode's rewards add up to its return.
  ASSERT_TRUE(transitions.has_value());
  ASSERT_EQ(transitions->Size(), 60);
  const auto& rewards = transitions->rewards();
  for (int ep = 0; ep < 3; ++ep) {
    double sum = 0;
    for (int t = 0; t < 20; ++t) sum += rewards[ep * 20 + t];
    EXPECT_NEAR(sum, b[ep].episode_return, 1e-3) << "episode " << ep;
  }
  EXPECT_NE(a[0].episode_return, a[1].episode_return);
  // A model trained with CEM, evaluated with CEM-GD.
  const auto gd = EvaluateModel(Tiny("cem-gd", {"planner.n_init=100", "planner.grad_steps=2"}),
                                torch::kCPU, dir + "/model.pt", 1);
  ASSERT_EQ(gd.size(), 1u);
  EXPECT_TRUE(std::isfinite(gd[0].episode_return));
  const std::string csv = EvalCsv(a);
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "episode,return,steps,plan_ms_per_step");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 4);
}

TEST(Evaluate, AModelThatDoesNotFitTheConfigIsRefusedNamingTheFile) {
  const std::string dir = mbrl::testing::TempDir() + "/run";
  RunPets(Tiny("cem", {"planner.population=20", "planner.iterations=2"}), torch::kCPU, dir);
  const auto other = Tiny("cem", {"model.hidden_size=32"});
  try {
    EvaluateModel(other, torch::kCPU, dir + "/model.pt", 1);
    ADD_FAILURE() << "a 16-unit model loaded into a 32-unit config";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("model.pt"), std::string::npos) << e.what();
  }
  EXPECT_THROW(EvaluateModel(other, torch::kCPU, dir + "/model.pt", 0), ConfigError);
}

}  // namespace
}  // namespace mbrl::algorithms
