#include "mbrl/models/model_rollout.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mbrl/core/blas_threads.h"
#include "mbrl/core/error.h"
#include "mbrl/core/op_counter.h"
#include "mbrl/core/seeding.h"
#include "mbrl/env/cartpole_down.h"
#include "mbrl/env/cartpole_swingup.h"
#include "mbrl/env/registry.h"
#include "mbrl/models/fused_ensemble_step.h"
#include "mbrl/models/rollout_executors.h"

namespace mbrl::models {
namespace {

GaussianEnsemble TinyModel(const env::Task& task) {
  config::EnsembleConfig c;
  c.ensemble_size = 2;
  c.hidden_size = 8;
  c.num_layers = 1;
  torch::manual_seed(0);
  return GaussianEnsemble(c, task.ModelObsDim() + task.ActionDim(), task.ObsDim());
}

// Mean propagation: the gradient planners' rollout. `task` must outlive it.
ModelRollout MeanRollout(GaussianEnsemble model, const env::Task& task) {
  config::RolloutConfig rc;
  rc.propagation = "mean";
  return ModelRollout(std::move(model), task, rc, torch::kCPU, 1);
}

// Each sequence's return computed by hand: state -> ensemble mean delta -> reward, counted while
// no earlier step has terminated; and whether it is still alive after the last step. [B] each.
struct ByHand {
  torch::Tensor returns, alive;
};
ByHand ByHandMeanReturns(GaussianEnsemble model, const env::Task& task,
                                const torch::Tensor& obs, const torch::Tensor& actions) {
  torch::NoGradGuard no_grad;
  const int64_t B = actions.size(0);
  auto state = obs.unsqueeze(0).expand({B, obs.size(0)});
  auto alive = torch::ones({B});
  auto returns = torch::zeros({B});
  for (int64_t t = 0; t < actions.size(1); ++t) {
    const auto a = actions.select(1, t);
    const auto in = torch::cat({task.PreprocessObs(state), a}, 1);
    const auto next = state + model->ForwardShared(in).first.mean(0);
    returns += alive * task.Reward(state, a, next);
    alive = alive * (1 - task.Terminated(next).to(torch::kFloat));
    state = next;
  }
  return {returns, alive};
}

TEST(ModelRollout, EveryPropagationReturnsOneFiniteValuePerSequence) {
  env::CartpoleSwingupTask task;
  auto model = TinyModel(task);
  for (const std::string mode : {"tsinf", "ts1", "expectation", "mean"}) {
    config::RolloutConfig rc;
    rc.propagation = mode;
    rc.particles = 4;
    ModelRollout rollout(model, task, rc, torch::kCPU, 1);
    torch::NoGradGuard no_grad;
    const auto returns = rollout.Evaluate(torch::zeros({4}), torch::rand({6, 5, 1}) * 6 - 3);
    EXPECT_EQ(returns.sizes(), (std::vector<int64_t>{6})) << mode;
    EXPECT_TRUE(torch::isfinite(returns).all().item<bool>()) << mode;
  }
}

TEST(ModelRollout, MeanPropagationIsDeterministicAndDifferentiable) {
  env::CartpoleSwingupTask task;
  auto model = TinyModel(task);
  auto rollout = MeanRollout(model, task);
  auto actions = (torch::rand({3, 4, 1}) * 2 - 1).requires_grad_(true);
  const auto r1 = rollout.Evaluate(torch::zeros({4}), actions);
  const auto r2 = rollout.Evaluate(torch::zeros({4}), actions);
  EXPECT_TRUE(torch::equal(r1, r2));
  r1.sum().backward();
  ASSERT_TRUE(actions.grad().defined());
  EXPECT_GT(actions.grad().abs().sum().item<double>(), 0);
}

TEST(ModelRollout, LargePopulationsRollOutInBlocksWithTheSameReturns) {
  // Without autograd, more than 32768 rows roll out in blocks of sequences; with autograd in one
  // batch. Mean propagation is deterministic, so both must give the same returns, in order.
  env::CartpoleSwingupTask task;
  auto model = TinyModel(task);
  auto rollout = MeanRollout(model, task);
  torch::manual_seed(2);
  const auto actions = torch::rand({40000, 2, 1}) * 6 - 3;  // 40000 rows > one block
  torch::Tensor whole;
  {
    torch::AutoGradMode grad(true);
    whole = rollout.Evaluate(torch::zeros({4}), actions).detach();
  }
  torch::NoGradGuard no_grad;
  const auto blocked = rollout.Evaluate(torch::zeros({4}), actions);
  ASSERT_EQ(blocked.sizes(), whole.sizes());
  EXPECT_TRUE(torch::allclose(blocked, whole, 1e-5, 1e-5));
}

TEST(ModelRollout, BlockRowsSetsTheBlocksAndTheSequencesPerPass) {
  env::CartpoleSwingupTask task;
  auto model = TinyModel(task);
  config::RolloutConfig rc;
  rc.particles = 20;
  EXPECT_EQ(ModelRollout(model, task, rc, torch::kCPU, 1).SequencesPerPass(), 1638);  // 32768 / 20
  rc.block_rows = 10;
  EXPECT_EQ(ModelRollout(model, task, rc, torch::kCPU, 1).SequencesPerPass(), 1);  // at least one
  rc.propagation = "mean";  // one particle
  rc.block_rows = 64;
  ModelRollout small_blocks(model, task, rc, torch::kCPU, 1);
  EXPECT_EQ(small_blocks.SequencesPerPass(), 64);
  auto rollout = MeanRollout(model, task);
  torch::manual_seed(3);
  const auto actions = torch::rand({300, 3, 1}) * 6 - 3;
  torch::NoGradGuard no_grad;
  EXPECT_TRUE(torch::allclose(small_blocks.Evaluate(torch::zeros({4}), actions),
                              rollout.Evaluate(torch::zeros({4}), actions), 1e-5, 1e-5));
}

// Without autograd on CPU, sampling rollouts of 200 to 8192 rows are split by sequences into
// parts with their own random streams, rolled out side by side in threads.
constexpr int64_t kSplitSequences = 256;  // x 4 particles = 1024 rows: 2 parts

TEST(ModelRollout, SplitPartsArePowersOfTwoOfAtMost512RowsWithinOneBlock) {
  EXPECT_EQ(SplitRolloutParts(5, 20), 1);      // 100 rows: too few
  EXPECT_EQ(SplitRolloutParts(10, 20), 2);     // CEM 50: 200 rows
  EXPECT_EQ(SplitRolloutParts(50, 20), 2);     // CEM-GD at t > 0: 1000 rows
  EXPECT_EQ(SplitRolloutParts(100, 20), 4);    // CEM 500: 2000 rows
  EXPECT_EQ(SplitRolloutParts(1638, 20), 64);  // one block of CEM-GD's t = 0
  EXPECT_EQ(SplitRolloutParts(15000, 20), 1);  // more than a block: blocks first
  EXPECT_EQ(SplitRolloutParts(3, 400), 2);     // as many parts as sequences at most
  EXPECT_EQ(SplitRolloutParts(1, 400), 1);
}

TEST(ModelRollout, SplitSamplingRolloutsKeepEachSequencesReturnInPlace) {
  // With the log-variance bounded near -40 the sampling noise is ~1e-9, so a sequence's TS-inf
  // return is the same whether it is rolled out alone (one part) or in a split population: any
  // mix-up of parts, rows or members between the two shows as a different return.
  env::CartpoleSwingupTask task;
  auto model = TinyModel(task);
  {
    torch::NoGradGuard no_grad;
    model->named_parameters()["max_logvar"].fill_(-40);
    model->named_parameters()["min_logvar"].fill_(-40);
  }
  for (const std::string mode : {"tsinf", "expectation"}) {
    config::RolloutConfig rc;
    rc.propagation = mode;
    rc.particles = 4;
    ModelRollout rollout(model, task, rc, torch::kCPU, 1);
    torch::NoGradGuard no_grad;
    torch::manual_seed(5);
    const auto obs = torch::tensor({0.1f, 0.2f, 0.0f, -0.1f});
    const auto actions = torch::rand({kSplitSequences, 5, 1}) * 6 - 3;
    const auto split = rollout.Evaluate(obs, actions);
    ASSERT_EQ(split.sizes(), (std::vector<int64_t>{kSplitSequences})) << mode;
    for (const int64_t b : {int64_t{0}, int64_t{1}, kSplitSequences / 2, kSplitSequences - 1}) {
      const double alone = rollout.Evaluate(obs, actions.narrow(0, b, 1)).item<double>();
      EXPECT_NEAR(split[b].item<double>(), alone, 1e-4) << mode << " sequence " << b;
    }
    // The sequences differ, so a copy of one part's returns into another's rows would show.
    EXPECT_GT((split.narrow(0, 0, 8) - split.narrow(0, kSplitSequences / 2, 8)).abs().max()
                  .item<double>(), 1e-3) << mode;
  }
}

TEST(ModelRollout, SplitSamplingRolloutsAreReproducibleWhateverTheThreadCount) {
  env::CartpoleSwingupTask task;
  auto model = TinyModel(task);
  config::RolloutConfig rc;
  rc.propagation = "tsinf";
  rc.particles = 4;
  torch::manual_seed(6);
  const auto actions = torch::rand({kSplitSequences, 5, 1}) * 6 - 3;
  torch::NoGradGuard no_grad;
  const auto run = [&] {
    ModelRollout rollout(model, task, rc, torch::kCPU, 3);
    return rollout.Evaluate(torch::zeros({4}), actions);
  };
  const auto first = run();
  EXPECT_TRUE(torch::equal(first, run()));
  // One thread (OMP_NUM_THREADS limits the rollout's threads): the same parts in turn.
  const int torch_threads = at::get_num_threads();
  const char* omp = std::getenv("OMP_NUM_THREADS");
  const std::string saved = omp ? omp : "";
  setenv("OMP_NUM_THREADS", "1", 1);
  at::set_num_threads(1);
  const auto one_thread = run();
  if (omp) {
    setenv("OMP_NUM_THREADS", saved.c_str(), 1);
  } else {
    unsetenv("OMP_NUM_THREADS");
  }
  at::set_num_threads(torch_threads);
  EXPECT_TRUE(torch::allclose(one_thread, first, 1e-5, 1e-5));
  // Sampling is on: another seed gives other returns.
  ModelRollout other(model, task, rc, torch::kCPU, 4);
  EXPECT_FALSE(torch::allclose(other.Evaluate(torch::zeros({4}), actions), first, 1e-5, 1e-5));
}

TEST(ModelRollout, TsInfRejectsParticlesNotAMultipleOfMembers) {
  env::CartpoleSwingupTask task;
  config::RolloutConfig rc;
  rc.propagation = "tsinf";
  rc.particles = 3;
  EXPECT_THROW(ModelRollout(TinyModel(task), task, rc, torch::kCPU, 1), ConfigError);
}

TEST(ModelRollout, ReturnEqualsSumOfTaskRewardsAlongTheMeanTrajectory) {
  env::CartpoleSwingupTask task;
  auto model = TinyModel(task);
  auto rollout = MeanRollout(model, task);
  torch::NoGradGuard no_grad;
  const auto obs = torch::tensor({0.1f, 0.2f, 0.0f, -0.1f});
  const auto actions = torch::tensor({0.5f, -1.0f, 2.0f}).view({1, 3, 1});
  const double expected = ByHandMeanReturns(model, task, obs, actions).returns.item<double>();
  EXPECT_NEAR(rollout.Evaluate(obs, actions).item<double>(), expected, 1e-5);
}

TEST(ModelRollout, TerminatedSequencesStopCountingRewardsInSmallAndLargeRollouts) {
  // Small rollouts score all steps' rewards in one batch after the model steps; large ones score
  // them step by step. Both must count a sequence's rewards only up to its terminating step.
  env::CartpoleDownTask task;
  auto model = TinyModel(task);
  auto rollout = MeanRollout(model, task);
  torch::NoGradGuard no_grad;
  const double x0 = env::CartpoleDownPhysics::kXLimit - 0.05;
  const auto obs = torch::tensor({static_cast<float>(x0), 0.0f, 0.3f, 0.0f});
  const int64_t H = 6, small = 64, large = 12000;  // 12000 x 6 rows: scored step by step
  torch::manual_seed(4);
  const auto actions = torch::rand({large, H, 1}) * 40 - 20;
  const auto [expected, alive] = ByHandMeanReturns(model, task, obs, actions.narrow(0, 0, small));
  // The case under test happens: some sequences end early, some run the whole horizon.
  ASSERT_GT(alive.sum().item<double>(), 0);
  ASSERT_LT(alive.sum().item<double>(), small);
  const auto from_small = rollout.Evaluate(obs, actions.narrow(0, 0, small));
  const auto from_large = rollout.Evaluate(obs, actions).narrow(0, 0, small);
  EXPECT_TRUE(torch::allclose(from_small, expected, 1e-5, 1e-5));
  EXPECT_TRUE(torch::allclose(from_large, expected, 1e-5, 1e-5));
}

TEST(ModelRollout, MeanGradientsMatchFiniteDifferences) {
  env::CartpoleSwingupTask task;
  auto model = TinyModel(task);
  model->to(torch::kDouble);
  model->normalizer()->Fit(torch::randn({50, 6}, torch::kDouble));
  config::RolloutConfig rc;
  rc.propagation = "tsinf";  // EvaluateDeterministic ignores it and uses the mean
  rc.particles = 2;
  ModelRollout rollout(model, task, rc, torch::kCPU, 1);
  const auto obs = torch::tensor({0.1, 2.5, -0.3, 0.4}, torch::kDouble);
  torch::manual_seed(3);
  const auto actions = torch::rand({2, 4, 1}, torch::kDouble) * 2 - 1;
  auto leaf = actions.clone().requires_grad_(true);
  const auto grad = torch::autograd::grad({rollout.EvaluateDeterministic(obs, leaf).sum()}, {leaf})[0];
  torch::NoGradGuard no_grad;
  const double h = 1e-6;
  for (int64_t b = 0; b < 2; ++b) {
    for (int64_t t = 0; t < 4; ++t) {
      auto plus = actions.clone(), minus = actions.clone();
      plus[b][t][0] += h;
      minus[b][t][0] -= h;
      const double fd = (rollout.EvaluateDeterministic(obs, plus)[b].item<double>() -
                         rollout.EvaluateDeterministic(obs, minus)[b].item<double>()) /
                        (2 * h);
      EXPECT_NEAR(grad[b][t][0].item<double>(), fd, 1e-6 * std::max(1.0, std::abs(fd)))
          << b << "," << t;
    }
  }
}

// cartpole_swingup with its input features and targets undeclared, as a task from files with its
// own preprocess or target functions: the hand-written gradient's general path (the task's
// Jacobians by autograd) instead of MeanRowRollout's closed forms.
class UndeclaredCartpole : public env::CartpoleSwingupTask {
 public:
  std::optional<env::ObsFeatures> ModelInputFeatures() const override { return std::nullopt; }
  std::optional<env::ObsTargets> ModelTargets() const override { return std::nullopt; }
};

TEST(ModelRollout, HandWrittenMeanGradientMatchesAutogradOnEveryTask) {
  // One float sequence on CPU takes the hand-written backward pass; TrajectoryObjective's default
  // records the same rollout with autograd. Normalisation fitted, so the first layer is not
  // plain; cartpole_down starts near its track limit, so some sequences terminate mid-horizon.
  std::vector<std::pair<std::string, std::unique_ptr<env::Task>>> tasks;
  for (const auto& name : env::TaskNames()) tasks.emplace_back(name, env::MakeTask(name));
  tasks.emplace_back("undeclared cartpole", std::make_unique<UndeclaredCartpole>());
  for (const auto& [name, task] : tasks) {
    const int64_t O = task->ObsDim(), A = task->ActionDim(), H = 7;
    auto model = TinyModel(*task);
    model->normalizer()->Fit(torch::randn({50, task->ModelObsDim() + A}) * 2);
    auto rollout = MeanRollout(model, *task);
    torch::manual_seed(5);
    auto obs = torch::randn({O}) * 0.3;
    double scale = 1.0;
    if (name == "cartpole_down") {
      obs[0] = env::CartpoleDownPhysics::kXLimit - 0.05;
      scale = 20.0;
    }
    int ended = 0;
    for (int row = 0; row < 6; ++row) {
      const auto actions = (torch::rand({1, H, A}) * 2 - 1) * scale;
      const auto pass = rollout.EvaluateDeterministicWithGradient(obs, actions);
      const auto reference =
          rollout.TrajectoryObjective::EvaluateDeterministicWithGradient(obs, actions);
      torch::Tensor plain;
      {
        torch::NoGradGuard no_grad;
        plain = rollout.EvaluateDeterministic(obs, actions);
      }
      EXPECT_TRUE(torch::equal(pass.returns, plain)) << name << " row " << row;
      const auto grad = pass.gradient(), expected = reference.gradient();
      ASSERT_EQ(grad.sizes(), actions.sizes()) << name;
      EXPECT_TRUE(torch::allclose(grad, expected, 1e-4, 1e-5))
          << name << " row " << row << "\n" << grad << "\n" << expected;
      EXPECT_GT(expected.abs().max().item<double>(), 0) << name << " row " << row;
      if (name == "cartpole_down") {
        ended += ByHandMeanReturns(model, *task, obs, actions).alive.item<double>() == 0;
      }
    }
    if (name == "cartpole_down") {
      EXPECT_GT(ended, 0);
      EXPECT_LT(ended, 6);
    }
  }
}

TEST(ModelRollout, PassesHeldAtOnceKeepTheirOwnGradients) {
  // The one-sequence rollout behind a pass is reused by the next pass only once nothing holds it:
  // two passes held at once, their gradients taken in reverse order, each equals autograd's.
  env::CartpoleSwingupTask task;
  auto rollout = MeanRollout(TinyModel(task), task);
  torch::manual_seed(11);
  const auto obs = torch::randn({4}) * 0.3;
  const auto a1 = torch::rand({1, 6, 1}) * 2 - 1, a2 = torch::rand({1, 6, 1}) * 2 - 1;
  torch::Tensor g1, g2;
  {
    const auto first = rollout.EvaluateDeterministicWithGradient(obs, a1);
    const auto second = rollout.EvaluateDeterministicWithGradient(obs, a2);
    g2 = second.gradient();
    g1 = first.gradient();
  }
  const auto r1 = rollout.TrajectoryObjective::EvaluateDeterministicWithGradient(obs, a1);
  const auto r2 = rollout.TrajectoryObjective::EvaluateDeterministicWithGradient(obs, a2);
  EXPECT_TRUE(torch::allclose(g1, r1.gradient(), 1e-4, 1e-5));
  EXPECT_TRUE(torch::allclose(g2, r2.gradient(), 1e-4, 1e-5));
  EXPECT_FALSE(torch::allclose(g1, g2, 1e-3, 1e-3));
  // Once both are gone, a third pass (reusing the rollout) is still right.
  const auto a3 = torch::rand({1, 6, 1}) * 2 - 1;
  const auto third = rollout.EvaluateDeterministicWithGradient(obs, a3);
  const auto r3 = rollout.TrajectoryObjective::EvaluateDeterministicWithGradient(obs, a3);
  EXPECT_TRUE(torch::allclose(third.gradient(), r3.gradient(), 1e-4, 1e-5));
}

// cartpole_swingup whose rewards note OpenBLAS's thread count while they are scored.
class BlasThreadsSeen : public env::CartpoleSwingupTask {
 public:
  torch::Tensor Reward(const torch::Tensor& obs, const torch::Tensor& action,
                       const torch::Tensor& next_obs) const override {
    seen = BlasThreads();
    return env::CartpoleSwingupTask::Reward(obs, action, next_obs);
  }
  mutable int seen = -1;
};

TEST(ModelRollout, RollsOutWithSingleThreadedBlasOnTheCpuWithoutAutograd) {
  // OpenBLAS's threads spin for a while after every multi-threaded product, on the cores the next
  // split rollout's parts need: a rollout without autograd (here one sequence, too few rows to
  // split) runs its products single-threaded, and the setting comes back afterwards. Under
  // autograd (the gradient planners' batches) OpenBLAS keeps its threads.
  if (!CanControlBlasThreads()) GTEST_SKIP() << "OpenBLAS is not loaded";
  BlasThreadsSeen task;
  config::RolloutConfig rc;
  rc.propagation = "tsinf";
  rc.particles = 2;
  ModelRollout rollout(TinyModel(task), task, rc, torch::kCPU, 1);
  const auto obs = torch::zeros({4});
  const auto actions = torch::zeros({1, 5, 1});
  ScopedBlasThreads two(2);
  {
    torch::NoGradGuard no_grad;
    rollout.Evaluate(obs, actions);
    EXPECT_EQ(task.seen, 1);
    EXPECT_EQ(BlasThreads(), 2);
  }
  rollout.Evaluate(obs, actions.clone().requires_grad_(true));
  EXPECT_EQ(task.seen, 2);
}

// A tiny cartpole model, its mean rollout, a start and a sequence of actions, and the two changes a
// model goes through between plans.
struct ChangingModel {
  explicit ChangingModel(uint64_t seed) {
    torch::manual_seed(seed);
    obs = torch::randn({4}) * 0.3;
    actions = torch::rand({1, 6, 1}) * 2 - 1;
  }
  // value(what) on the model as built, after a parameter update and after a normaliser refit:
  // each change must change it.
  void ExpectFollowedBy(const std::function<torch::Tensor(const std::string&)>& value) {
    const auto before = value("as built");
    {
      torch::NoGradGuard no_grad;
      for (auto& p : model->parameters()) p.add_(0.2 * torch::randn_like(p));
    }
    const auto trained = value("after a parameter update");
    EXPECT_FALSE(torch::allclose(before, trained, 1e-3, 1e-3));
    model->normalizer()->Fit(torch::randn({50, task.ModelObsDim() + 1}) * 3);
    EXPECT_FALSE(torch::allclose(trained, value("after a normaliser refit"), 1e-3, 1e-3));
  }
  env::CartpoleSwingupTask task;
  GaussianEnsemble model = TinyModel(task);
  ModelRollout rollout = MeanRollout(model, task);
  torch::Tensor obs, actions;
};

TEST(ModelRollout, HandWrittenMeanGradientFollowsChangesToTheModel) {
  // The hand-written gradient reuses the ensemble mean it prepared until a parameter or buffer of
  // the model changes (training steps, a normaliser refit): after each change its returns and
  // gradient are autograd's for the new model, not the old one's.
  ChangingModel m(7);
  m.ExpectFollowedBy([&](const std::string& what) {
    const auto pass = m.rollout.EvaluateDeterministicWithGradient(m.obs, m.actions);
    const auto reference =
        m.rollout.TrajectoryObjective::EvaluateDeterministicWithGradient(m.obs, m.actions);
    EXPECT_TRUE(torch::allclose(pass.returns, reference.returns, 1e-5, 1e-5)) << what;
    const auto grad = pass.gradient();
    EXPECT_TRUE(torch::allclose(grad, reference.gradient(), 1e-4, 1e-5)) << what;
    return grad;
  });
}

TEST(ModelRollout, OneSequenceMeanReturnsFollowChangesToTheModel) {
  // A no-grad one-sequence mean rollout (the mean_row executor, e.g. a line search's last trial)
  // reuses the rollout's prepared ensemble mean: after each change to the model its return is a
  // new rollout's, built from the changed model, and the same as the gradient pass's.
  ChangingModel m(8);
  const auto returns = [&](const std::string& what) {
    torch::NoGradGuard no_grad;
    const auto r = m.rollout.EvaluateDeterministic(m.obs, m.actions);
    const auto fresh = MeanRollout(m.model, m.task).EvaluateDeterministic(m.obs, m.actions);
    EXPECT_TRUE(torch::equal(r, fresh)) << what;
    EXPECT_TRUE(
        torch::equal(r, m.rollout.EvaluateDeterministicWithGradient(m.obs, m.actions).returns))
        << what;
    return r;
  };
  EXPECT_TRUE(torch::equal(returns("as built"), returns("again")));
  m.ExpectFollowedBy(returns);
}

}  // namespace
}  // namespace mbrl::models

namespace mbrl::models {
namespace {
// ATen operators one more model step adds to a no-grad rollout of 5 sequences x 20 particles,
// run by the executor `executor` alone (too few rows for the CPU's split path).
int64_t OpsPerModelStep(const std::string& task_name, const std::string& executor) {
  const auto task = env::MakeTask(task_name);
  config::EnsembleConfig ec;
  ec.ensemble_size = 5;
  ec.hidden_size = 8;
  ec.num_layers = 3;
  const RolloutDynamics dynamics(
      GaussianEnsemble(ec, task->ModelObsDim() + task->ActionDim(), task->ObsDim()), *task);
  RolloutExecutors executors;
  executors.push_back(MakeRolloutExecutor(executor));
  torch::NoGradGuard no_grad;
  const auto count = [&](int64_t H) {
    RolloutJob job;
    job.obs = torch::zeros({task->ObsDim()});
    job.actions = torch::zeros({5, H, task->ActionDim()});
    job.mode = Propagation::kTsInf;
    job.particles = 20;
    job.gen = MakeGenerator(torch::kCPU, 1);
    OpCounter counter;
    RunRollout(executors, 0, dynamics, job);
    return counter.ops();
  };
  return count(10) - count(9);
}

TEST(ModelRollout, TsInfModelStepTakesAtMostHalfTheReferenceOperators) {
  // The reference step (RolloutDynamics::Step) takes 36 operators on cartpole_swingup and 40 on
  // half_cheetah: preprocess, concatenation, transposes, normalisation, four products, the
  // log-variance bounds, a draw, and the next state. The GPU's path (LibTorch's operators only):
  EXPECT_LE(OpsPerModelStep("cartpole_swingup", "tsinf-ops"), 18);
  EXPECT_LE(OpsPerModelStep("half_cheetah", "tsinf-ops"), 20);
  // The CPU's, where a task that declares its input features and targets has the whole model
  // step fused: one operator, the next state's buffer.
  if (FusedEnsembleStep::Available()) {
    EXPECT_LE(OpsPerModelStep("cartpole_swingup", "tsinf"), 1);
    EXPECT_LE(OpsPerModelStep("half_cheetah", "tsinf"), 1);
  }
}

TEST(ModelRollout, EveryConfigPropagationNameParsesToItsMode) {
  EXPECT_EQ(ParsePropagation("tsinf"), Propagation::kTsInf);
  EXPECT_EQ(ParsePropagation("ts1"), Propagation::kTs1);
  EXPECT_EQ(ParsePropagation("expectation"), Propagation::kExpectation);
  EXPECT_EQ(ParsePropagation("mean"), Propagation::kMean);
  EXPECT_EQ(config::PropagationModes().size(), 4u);
  EXPECT_THROW(ParsePropagation("ts2"), ConfigError);
}

}  // namespace
}  // namespace mbrl::models
