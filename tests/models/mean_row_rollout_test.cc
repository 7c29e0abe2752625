#include "mbrl/models/mean_row_rollout.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <optional>
#include <string>

#include "mbrl/env/registry.h"

namespace mbrl::models {
namespace {

GaussianEnsemble Model(const env::Task& task, int members, int hidden, int layers) {
  config::EnsembleConfig c;
  c.ensemble_size = members;
  c.hidden_size = hidden;
  c.num_layers = layers;
  torch::manual_seed(3);
  GaussianEnsemble model(c, task.ModelObsDim() + task.ActionDim(), task.ObsDim());
  model->normalizer()->Fit(torch::randn({40, task.ModelObsDim() + task.ActionDim()}) * 2);
  return model;
}

TEST(MeanRowRollout, GivesTheSameBitsOnOneThreadOrTwo) {
  // Two threads each take a fixed part of the members and their sums add up the way one thread
  // adds them: states and gradients equal bit for bit, also with one member (part 1 empty) and
  // two, over several passes of one rollout (the helper thread waits in between).
  for (const std::string name : {"cartpole_swingup", "half_cheetah"}) {
    const auto task = env::MakeTask(name);
    for (const int members : {1, 2, 5}) {
      const RolloutDynamics dynamics(Model(*task, members, 24, 2), *task);
      MeanRowRollout one(dynamics, nullptr, 1), two(dynamics, nullptr, 2);
      ASSERT_EQ(one.threads(), 1);
      ASSERT_EQ(two.threads(), 2);
      const int64_t O = task->ObsDim(), A = task->ActionDim(), H = 9;
      for (int pass = 0; pass < 3; ++pass) {
        const auto obs = torch::randn({O}) * 0.5;
        const auto actions = torch::rand({H, A}) * 2 - 1;
        const auto g_states = torch::randn({H + 1, O});
        const auto s1 = one.Forward(obs, actions), s2 = two.Forward(obs, actions);
        EXPECT_TRUE(torch::equal(s1, s2)) << name << " members " << members << " pass " << pass;
        const auto g1 = one.Backward(g_states), g2 = two.Backward(g_states);
        EXPECT_TRUE(torch::equal(g1, g2)) << name << " members " << members << " pass " << pass;
        EXPECT_GT(g1.abs().max().item<double>(), 0) << name;
      }
    }
  }
}

TEST(MeanRowRollout, RefusesAThreadCountOtherThanOneOrTwo) {
  const auto task = env::MakeTask("cartpole_swingup");
  const RolloutDynamics dynamics(Model(*task, 2, 8, 1), *task);
  try {
    MeanRowRollout rollout(dynamics, nullptr, 3);
    FAIL() << "threads 3 was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("threads"), std::string::npos) << e.what();
  }
}

// Sets OMP_NUM_THREADS for the scope and restores it afterwards.
class ScopedOmpThreads {
 public:
  explicit ScopedOmpThreads(const char* value) {
    if (const char* old = std::getenv("OMP_NUM_THREADS")) old_ = old;
    setenv("OMP_NUM_THREADS", value, 1);
  }
  ~ScopedOmpThreads() {
    if (old_) {
      setenv("OMP_NUM_THREADS", old_->c_str(), 1);
    } else {
      unsetenv("OMP_NUM_THREADS");
    }
  }

 private:
  std::optional<std::string> old_;
};

TEST(MeanRowRollout, SharesOnlyAModelWorthSharingAndOnlyWhereTwoThreadsAreAllowed) {
  const auto task = env::MakeTask("cartpole_swingup");
  const MemberMeanMlp large(Model(*task, 5, 200, 3));  // the default ensemble
  const MemberMeanMlp small(Model(*task, 5, 16, 2));
  const MemberMeanMlp single(Model(*task, 1, 400, 3));
  ASSERT_GE(large.RowWeightFloats(), MeanRowRollout::kMinSplitWeightFloats);
  ASSERT_LT(small.RowWeightFloats(), MeanRowRollout::kMinSplitWeightFloats);
  ASSERT_GE(single.RowWeightFloats(), MeanRowRollout::kMinSplitWeightFloats);
  {
    ScopedOmpThreads two("2");
    EXPECT_EQ(MeanRowRollout::DefaultThreads(large), 2);
    EXPECT_EQ(MeanRowRollout::DefaultThreads(small), 1);
    EXPECT_EQ(MeanRowRollout::DefaultThreads(single), 1);
  }
  ScopedOmpThreads one("1");
  EXPECT_EQ(MeanRowRollout::DefaultThreads(large), 1);
}

}  // namespace
}  // namespace mbrl::models
