// Capture-ready planning reads no tensor value on the host: every planner's later MPC steps
// dispatch no synchronising operator (counted on the CPU through OpCounter, the same operators
// that make a GPU's host wait).
#include <gtest/gtest.h>

#include <random>

#include "mbrl/algorithms/stack.h"
#include "mbrl/config/loader.h"
#include "mbrl/config/planners.h"
#include "mbrl/core/op_counter.h"
#include "test_paths.h"

namespace mbrl::planning {
namespace {

using testing::SourcePath;

// A small cartpole stack (tiny model, horizon 5) with planner `name` at its defaults.
algorithms::Stack SmallStack(const std::string& name, const std::string& capture_ready) {
  const auto config =
      config::LoadConfig({SourcePath("configs/cartpole_swingup.yaml"),
                          name,
                          {"planner.capture_ready=" + capture_ready, "model.hidden_size=8",
                           "agent.horizon=5", "rollout.particles=5"}});
  return algorithms::BuildStack(config, torch::kCPU);
}

std::string g_sync_names;  // the last counted step's synchronising operators
std::string SyncNames() { return g_sync_names; }

// Syncs and operators of the third planning step (a later step, warm-started).
std::pair<int64_t, int64_t> LaterStepSyncsAndOps(algorithms::Stack& stack, PlanResult* out) {
  std::mt19937_64 rng(0);
  const auto obs_v = stack.env->Reset(rng);
  const auto obs = torch::tensor(std::vector<float>(obs_v.begin(), obs_v.end()));
  auto& planner = stack.planner();
  for (int t = 0; t < 2; ++t) planner.SetPrevious(planner.Plan(obs, *stack.rollout).actions);
  OpCounter counter;
  *out = planner.PlanStep(obs, *stack.rollout);
  g_sync_names.clear();
  for (const auto& [op, n] : counter.SyncsByName())
    g_sync_names += op + " x" + std::to_string(n) + " ";
  return {counter.syncs(), counter.ops()};
}

TEST(CaptureReady, NoPlannersLaterStepReadsATensorOnTheHost) {
  for (const auto& name : config::PlannerNames()) {
    auto stack = SmallStack(name, "on");
    EXPECT_TRUE(stack.planner().capture_ready()) << name;
    EXPECT_TRUE(stack.rollout->capture_ready()) << name;
    PlanResult result;
    const auto [syncs, ops] = LaterStepSyncsAndOps(stack, &result);
    EXPECT_EQ(syncs, 0) << name << ": " << SyncNames();
    EXPECT_GT(ops, 10) << name;
    // The plan is whole and within bounds, and its numbers arrive after the step.
    ASSERT_EQ(result.actions.sizes(), (std::vector<int64_t>{5, 1})) << name;
    EXPECT_TRUE((result.actions >= stack.space.low).all().item<bool>()) << name;
    EXPECT_TRUE((result.actions <= stack.space.high).all().item<bool>()) << name;
    ASSERT_TRUE(result.device_stats.count("expected_return")) << name;
    result.ReadDeviceStats();
    EXPECT_TRUE(result.device_stats.empty()) << name;
    EXPECT_TRUE(std::isfinite(result.expected_return)) << name;
  }
}

TEST(CaptureReady, EagerPlanningKeepsItsEarlyExitsAndTheCounterSeesThem) {
  // Off (the CPU default), CEM checks its variance threshold and CEM-GD's line search its
  // early stops every iteration: host reads the counter must see.
  for (const std::string name : {"cem", "cem-gd"}) {
    auto stack = SmallStack(name, "off");
    EXPECT_FALSE(stack.planner().capture_ready()) << name;
    PlanResult result;
    EXPECT_GT(LaterStepSyncsAndOps(stack, &result).first, 0) << name;
  }
}

TEST(CaptureReady, AutoMeansOnForCudaOnly) {
  config::PlannerConfig p;
  EXPECT_EQ(p.capture_ready, "auto");
  EXPECT_FALSE(algorithms::CaptureReady(p, torch::kCPU));
  EXPECT_TRUE(algorithms::CaptureReady(p, torch::Device(torch::kCUDA, 0)));
  p.capture_ready = "on";
  EXPECT_TRUE(algorithms::CaptureReady(p, torch::kCPU));
  p.capture_ready = "off";
  EXPECT_FALSE(algorithms::CaptureReady(p, torch::Device(torch::kCUDA, 0)));
}

}  // namespace
}  // namespace mbrl::planning
