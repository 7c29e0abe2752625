#include "mbrl/models/mean_row_rollout.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "mbrl/core/timer.h"
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

TEST(MeanRowRollout, GoesOnOneThreadWhileItsHelperGetsNoCoreAndSharesAgainLater) {
  // Processes that keep every core busy leave the helper without a core for whole time slices: a
  // pass whose steps wait for it too often makes the next passes run alone, with the same bits.
  const auto task = env::MakeTask("cartpole_swingup");
  const RolloutDynamics dynamics(Model(*task, 5, 200, 3), *task);
  MeanRowRollout shared(dynamics, nullptr, 2), alone(dynamics, nullptr, 1);
  const auto obs = torch::zeros({task->ObsDim()});
  const auto actions = torch::rand({45, task->ActionDim()}) * 2 - 1;
  const auto expected = alone.Forward(obs, actions);
  bool went_alone = false;
  {
    // Busy processes, one per core (as other programs on the machine would be).
    std::vector<pid_t> busy;
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    for (unsigned i = 0; i < cores; ++i) {
      const pid_t pid = fork();
      if (pid == 0) {
        for (volatile uint64_t n = 0;; n = n + 1) {
        }
      }
      busy.push_back(pid);
    }
    // At least 60 passes and 5 s: a pass takes a few ms, about one time slice, and beside other
    // tests (ctest -j) the helper's slices can come late rather than never for a while.
    const Stopwatch watch;
    for (int pass = 0; !went_alone && (pass < 60 || watch.Seconds() < 5); ++pass) {
      EXPECT_TRUE(torch::equal(shared.Forward(obs, actions), expected)) << pass;
      went_alone = !shared.last_pass_shared();
    }
    for (const pid_t pid : busy) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
  }
  EXPECT_TRUE(went_alone);
  bool shared_again = false;
  for (int pass = 0; pass <= MeanRowRollout::kSoloPasses && !shared_again; ++pass) {
    EXPECT_TRUE(torch::equal(shared.Forward(obs, actions), expected)) << pass;
    shared_again = shared.last_pass_shared();
  }
  EXPECT_TRUE(shared_again);
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
