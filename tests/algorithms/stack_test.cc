#include "mbrl/algorithms/stack.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "mbrl/config/loader.h"
#include "mbrl/core/error.h"
#include "mbrl/env/registry.h"
#include "test_paths.h"

namespace mbrl::algorithms {
namespace {

using testing::SourcePath;

// Every registered task has configs/<task>.yaml; it loads, builds its stack and steps its env.
TEST(Stack, EveryTaskHasAConfigThatBuildsItsStackAndStepsItsEnv) {
  for (const auto& name : env::TaskNames()) {
    const auto config =
        config::LoadConfig({SourcePath("configs/" + name + ".yaml"), "", {"model.hidden_size=8"}});
    EXPECT_EQ(config.task, name);
    Stack stack = BuildStack(config, torch::kCPU);
    ASSERT_EQ(stack.space.low.size(0), stack.env->ActionDim()) << name;
    EXPECT_EQ(stack.planner().horizon(), config.agent.horizon) << name;
    EXPECT_GT(stack.episode_length, 0) << name;
    std::mt19937_64 rng(0);
    const auto obs = stack.env->Reset(rng);
    ASSERT_EQ(static_cast<int>(obs.size()), stack.env->ObsDim()) << name;
    const auto low = stack.env->ActionLow(), high = stack.env->ActionHigh();
    std::vector<double> mid(low.size());
    for (size_t i = 0; i < low.size(); ++i) mid[i] = (low[i] + high[i]) / 2;
    const auto step = stack.env->Step(mid);
    ASSERT_EQ(static_cast<int>(step.obs.size()), stack.env->ObsDim()) << name;
    for (double v : step.obs) EXPECT_TRUE(std::isfinite(v)) << name;
  }
}

// A caller's environment and task (as the Python module hands over one written in Python) build
// the stack without any registration: the name alone still builds nothing.
TEST(Stack, BuildsFromTheTaskItsCallerHandsIt) {
  config::Config config;
  config.task = env::kPythonTaskName;
  config.model.hidden_size = 8;
  int made = 0;
  const env::TaskEntry given{env::kPythonTaskName,
                             [&] {
                               ++made;
                               return env::MakeEnv("toy_barrier");
                             },
                             [] { return env::MakeTask("toy_barrier"); }};
  Stack stack = BuildStack(config, torch::kCPU, nullptr, &given);
  EXPECT_EQ(made, 1);
  EXPECT_EQ(stack.env->ObsDim(), env::MakeEnv("toy_barrier")->ObsDim());
  EXPECT_EQ(stack.model->in_dim(), stack.task->ModelObsDim() + stack.env->ActionDim());
  EXPECT_THROW(BuildStack(config, torch::kCPU), ConfigError);
}

// The same config gives the same initial weights and the same first plan; another seed does not.
TEST(Stack, SameSeedGivesTheSameWeightsAndFirstPlan) {
  auto config = config::LoadConfig({SourcePath("configs/cartpole_swingup.yaml"),
                                    "",
                                    {"model.hidden_size=16", "planner.population=20",
                                     "planner.iterations=2", "agent.horizon=4"}});
  const auto first_plan = [](const config::Config& c) {
    Stack s = BuildStack(c, torch::kCPU);
    std::mt19937_64 rng(StreamSeed(c.seed, SeedStream::kEnv));
    const auto obs = s.env->Reset(rng);
    const auto action = s.agent->Act(obs);
    return std::make_pair(s.model->parameters()[0].clone(), action);
  };
  const auto a = first_plan(config), b = first_plan(config);
  EXPECT_TRUE(torch::equal(a.first, b.first));
  EXPECT_EQ(a.second, b.second);
  config.seed = 1;
  const auto c = first_plan(config);
  EXPECT_FALSE(torch::equal(a.first, c.first));
  EXPECT_NE(a.second, c.second);
}

TEST(Stack, StreamsAreDistinctAndDependOnTheRunSeed) {
  EXPECT_NE(StreamSeed(0, SeedStream::kEnv), StreamSeed(0, SeedStream::kPlan));
  EXPECT_NE(StreamSeed(0, SeedStream::kPlan), StreamSeed(1, SeedStream::kPlan));
  EXPECT_EQ(StreamSeed(7, SeedStream::kTrain), StreamSeed(7, SeedStream::kTrain));
}

}  // namespace
}  // namespace mbrl::algorithms
