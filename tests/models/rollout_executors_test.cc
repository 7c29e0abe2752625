#include "mbrl/models/rollout_executors.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "mbrl/core/seeding.h"
#include "mbrl/env/cartpole_down.h"
#include "mbrl/env/registry.h"
#include "mbrl/models/fused_ensemble_step.h"

namespace mbrl::models {
namespace {

const std::vector<std::pair<std::string, Propagation>> kModes = {
    {"tsinf", Propagation::kTsInf},
    {"ts1", Propagation::kTs1},
    {"expectation", Propagation::kExpectation},
    {"mean", Propagation::kMean}};

// Two members of 8 units in 3 layers, normalisation fitted (so that folding it matters).
// `tiny_variance`: log-variance bounded at -40, so the sampling noise is ~1e-9 and a particle's
// return depends only on its member. `same_members`: every member has member 0's weights, so
// that it does not even depend on that.
GaussianEnsemble Model(const env::Task& task, bool tiny_variance, bool same_members = false,
                       int hidden = 8) {
  config::EnsembleConfig c;
  c.ensemble_size = 2;
  c.hidden_size = hidden;
  c.num_layers = 3;
  torch::manual_seed(0);
  const int64_t in = task.ModelObsDim() + task.ActionDim();
  GaussianEnsemble model(c, in, task.ObsDim());
  model->normalizer()->Fit(torch::randn({50, in}) * 2 + 0.5);
  torch::NoGradGuard no_grad;
  if (tiny_variance) {
    model->named_parameters()["max_logvar"].fill_(-40);
    model->named_parameters()["min_logvar"].fill_(-40);
  }
  if (same_members) {
    for (auto& p : model->parameters()) {
      if (p.dim() == 3) p.copy_(p.narrow(0, 0, 1).expand_as(p));
    }
  }
  return model;
}

RolloutJob Job(const env::Task& task, Propagation mode, int64_t B, int64_t P, int64_t H,
               uint64_t seed) {
  torch::manual_seed(static_cast<int64_t>(seed));
  RolloutJob job;
  job.obs = torch::randn({task.ObsDim()}) * 0.3;
  job.actions = torch::rand({B, H, task.ActionDim()}) * 2 - 1;
  job.mode = mode;
  job.particles = mode == Propagation::kMean ? 1 : P;
  job.gen = MakeGenerator(torch::kCPU, seed);
  return job;
}

// The executor's returns and the reference's for the same job, each from a fresh generator with
// the same seed. The executor runs the pieces it splits off with the reference.
std::pair<torch::Tensor, torch::Tensor> RunBoth(const RolloutExecutor& executor,
                                                const RolloutDynamics& dynamics,
                                                const RolloutJob& job) {
  EXPECT_TRUE(executor.Handles(job)) << executor.name();
  auto a = job, b = job;
  a.gen = MakeGenerator(torch::kCPU, 11);
  b.gen = MakeGenerator(torch::kCPU, 11);
  const auto reference = [&](const RolloutJob& piece) { return dynamics.ReferenceReturns(piece); };
  return {executor.Run(a, dynamics, reference), dynamics.ReferenceReturns(b)};
}

void ExpectClose(const torch::Tensor& got, const torch::Tensor& want, const std::string& what) {
  ASSERT_EQ(got.sizes(), want.sizes()) << what;
  EXPECT_TRUE(torch::allclose(got, want, 1e-4, 1e-4))
      << what << ": largest difference " << (got - want).abs().max().item<double>();
}

TEST(RolloutExecutors, EachEqualsTheReferenceForEveryModeItHandles) {
  // cartpole_down starts some sequences near its track limit, so terminations happen mid-horizon
  // (scored in one batch by some executors, step by step by the reference).
  env::CartpoleDownTask task;
  torch::NoGradGuard no_grad;
  struct Case {
    std::string executor;
    int64_t B, P, H;
  };
  const std::vector<Case> cases = {
      {"blocks", 1700, 20, 2},  // 34000 rows > one block of 32768
      {"cpu_split", 64, 4, 5},  // 256 rows: 2 parts
      {"tsinf", 6, 4, 5},
      {"tsinf", 5300, 4, 100},  // 21200 rows x 100 steps x 1 action > 2^21: step by step
      {"tsinf-ops", 6, 4, 5},
      {"mean_row", 1, 1, 5},
      {"batched", 6, 4, 5},
  };
  const RolloutDynamics distinct(Model(task, /*tiny_variance=*/true), task);
  const RolloutDynamics same(Model(task, true, /*same_members=*/true), task);
  for (const auto& c : cases) {
    const auto executor = MakeRolloutExecutor(c.executor);
    for (const auto& [name, mode] : kModes) {
      auto job = Job(task, mode, c.B, c.P, c.H, 3);
      job.obs[0] = env::CartpoleDownPhysics::kXLimit - 0.05;
      job.actions = job.actions * 20;
      if (!executor->Handles(job)) continue;  // e.g. cpu_split takes sampling modes only
      // A TS1 job split into pieces draws other members for its rows than the whole job:
      // members that are all the same make the returns comparable.
      const bool splits = c.executor == "blocks" || c.executor == "cpu_split";
      const auto& dynamics = (mode == Propagation::kTs1 && splits) ? same : distinct;
      const auto [got, want] = RunBoth(*executor, dynamics, job);
      ExpectClose(got, want, c.executor + " " + name);
    }
  }
}

TEST(RolloutExecutors, TheSplittingOnesHandleWhatTheyAreFor) {
  env::CartpoleDownTask task;
  torch::NoGradGuard no_grad;
  EXPECT_TRUE(MakeRolloutExecutor("blocks")->Handles(Job(task, Propagation::kTs1, 1700, 20, 2, 1)));
  EXPECT_FALSE(MakeRolloutExecutor("blocks")->Handles(Job(task, Propagation::kTs1, 100, 20, 2, 1)));
  for (const auto& [name, mode] : kModes) {
    const bool sampling = mode == Propagation::kTsInf || mode == Propagation::kExpectation;
    EXPECT_EQ(MakeRolloutExecutor("cpu_split")->Handles(Job(task, mode, 64, 4, 5, 1)), sampling)
        << name;
  }
  {
    torch::AutoGradMode grad(true);  // autograd rollouts run whole
    EXPECT_FALSE(
        MakeRolloutExecutor("blocks")->Handles(Job(task, Propagation::kMean, 40000, 1, 2, 1)));
  }
  // Capture-ready: no host-seeded CPU split, no one-row plain loops.
  std::vector<std::string> names;
  for (const auto& e : DefaultRolloutExecutors(/*capture_ready=*/true)) names.push_back(e->name());
  EXPECT_EQ(names, (std::vector<std::string>{"blocks", "tsinf", "batched"}));
  EXPECT_EQ(DefaultRolloutExecutors(false).size(), 5u);
}

TEST(RolloutExecutors, APieceOfALargeJobBatchesItsRewardsOnlyWhenItsStatesAreFew) {
  // Scoring all steps' rewards in one batch keeps every step's states. The parts of a split job
  // roll out side by side, so a part batches only while the states it keeps are few.
  env::CartpoleDownTask task;  // 4 observations
  torch::NoGradGuard no_grad;
  const auto batched = MakeRolloutExecutor("batched");
  const auto large = Job(task, Propagation::kTsInf, 800, 4, 25, 1);  // 3200 rows x 25 steps
  EXPECT_FALSE(batched->Handles(large));
  const auto part = large.Slice(0, 700);  // 2800 x 25 steps x 4 = 280000 numbers kept
  EXPECT_EQ(part.whole_job_rows(), 3200);
  EXPECT_EQ(part.Slice(0, 10).whole_job_rows(), 3200);
  EXPECT_FALSE(batched->Handles(part));
  EXPECT_TRUE(batched->Handles(large.Slice(0, 100)));  // 40000 numbers
  // The same part with humanoid's 45 observations keeps 450000: not batched, though its 400 rows
  // x 25 steps alone would be.
  auto wide = large;
  wide.obs = torch::zeros({45});
  EXPECT_FALSE(batched->Handles(wide.Slice(0, 100)));
  // A whole job is judged by its rows x steps alone.
  EXPECT_FALSE(batched->Handles(Job(task, Propagation::kTsInf, 700, 4, 25, 1)));
  EXPECT_TRUE(batched->Handles(Job(task, Propagation::kTsInf, 64, 4, 5, 1)));
}

TEST(RolloutExecutors, BatchedDrawsExactlyAsTheReferenceWithFullVariance) {
  // The batched executor takes the same steps from the same generator, so with sampling at full
  // variance its returns equal the reference's, in every mode.
  env::CartpoleDownTask task;
  torch::NoGradGuard no_grad;
  const RolloutDynamics dynamics(Model(task, /*tiny_variance=*/false), task);
  const auto executor = MakeRolloutExecutor("batched");
  for (const auto& [name, mode] : kModes) {
    const auto [got, want] = RunBoth(*executor, dynamics, Job(task, mode, 6, 4, 5, 2));
    ExpectClose(got, want, name);
  }
}

TEST(RolloutExecutors, TsInfSamplesTheReferencesDistributionWithFullVariance) {
  // One step of one sequence with 200000 particles: the executor's folded weights and its
  // variance formula give the same distribution of returns as the reference (other draws).
  for (const auto& task_name : env::TaskNames()) {
    const auto task = env::MakeTask(task_name);
    torch::NoGradGuard no_grad;
    auto model = Model(*task, /*tiny_variance=*/false);
    {
      // A wide spread of log-variances between the bounds.
      model->named_parameters()["max_logvar"].fill_(0.5);
      model->named_parameters()["min_logvar"].fill_(-6);
    }
    const RolloutDynamics dynamics(model, *task);
    const auto [got, want] = RunBoth(*MakeRolloutExecutor("tsinf"), dynamics,
                                     Job(*task, Propagation::kTsInf, 1, 200000, 1, 4));
    // Per member (row p belongs to member p % 2): mean and spread agree within sampling error.
    for (int64_t e = 0; e < 2; ++e) {
      const auto g = got.view({-1, 2}).select(1, e), w = want.view({-1, 2}).select(1, e);
      const double sd = w.std().item<double>();
      ASSERT_GT(sd, 0) << task_name;
      EXPECT_NEAR(g.mean().item<double>(), w.mean().item<double>(), 0.05 * sd + 1e-6)
          << task_name << " member " << e;
      EXPECT_NEAR(g.std().item<double>(), sd, 0.05 * sd) << task_name << " member " << e;
    }
  }
}

TEST(RolloutExecutors, TsInfsFusedCpuStepEqualsItsOperatorsWithFullVariance) {
  // The same draws from the same generator: the fused CPU step (plain loops around sgemm) and
  // LibTorch's operators give the same returns within float rounding, on every task, with
  // rewards batched (few rows) and step by step (2800 rows x 25 steps), at 200 hidden units.
  if (!FusedEnsembleStep::Available()) GTEST_SKIP() << "OpenBLAS is not loaded";
  torch::NoGradGuard no_grad;
  for (const auto& task_name : env::TaskNames()) {
    const auto task = env::MakeTask(task_name);
    auto model = Model(*task, /*tiny_variance=*/false, /*same_members=*/false, /*hidden=*/200);
    {
      model->named_parameters()["max_logvar"].fill_(0.5);
      model->named_parameters()["min_logvar"].fill_(-6);
    }
    const RolloutDynamics dynamics(model, *task);
    for (const auto& [B, H] : std::vector<std::pair<int64_t, int64_t>>{{6, 5}, {700, 25}}) {
      if (B > 6 && task_name != "cartpole_swingup") continue;  // one long case is enough
      const auto job = Job(*task, Propagation::kTsInf, B, 4, H, 5);
      auto a = job, b = job;
      a.gen = MakeGenerator(torch::kCPU, 11);
      b.gen = MakeGenerator(torch::kCPU, 11);
      const auto none = [](const RolloutJob&) -> torch::Tensor { throw std::logic_error("split"); };
      const auto fused = MakeRolloutExecutor("tsinf")->Run(a, dynamics, none);
      const auto ops = MakeRolloutExecutor("tsinf-ops")->Run(b, dynamics, none);
      ExpectClose(fused, ops, task_name + " B " + std::to_string(B));
    }
  }
}

TEST(TaskTargets, DeclaredTargetsAgreeWithTheTaskFunctionsOnEveryTask) {
  for (const auto& name : env::TaskNames()) {
    const auto task = env::MakeTask(name);
    const auto targets = task->ModelTargets();
    if (!targets) continue;
    torch::manual_seed(2);
    const auto obs = torch::randn({5, task->ObsDim()}), next = torch::randn({5, task->ObsDim()});
    auto absolute = torch::zeros({task->ObsDim()}, torch::kBool);
    for (const int i : targets->absolute) absolute[i] = true;
    EXPECT_TRUE(torch::allclose(task->TargetFromTransition(obs, next),
                                torch::where(absolute, next, next - obs)))
        << name;
    const auto pred = torch::randn({5, task->ObsDim()});
    EXPECT_TRUE(torch::allclose(task->NextObsFromPrediction(obs, pred),
                                torch::where(absolute, pred, obs + pred)))
        << name;
  }
}

TEST(TaskFeatures, DeclaredFeaturesAgreeWithPreprocessObsOnEveryTask) {
  using Kind = env::ObsFeatures::Feature::Kind;
  for (const auto& name : env::TaskNames()) {
    const auto task = env::MakeTask(name);
    const auto features = task->ModelInputFeatures();
    torch::manual_seed(1);
    const auto obs = torch::randn({7, task->ObsDim()}) * 2;
    const auto pre = task->PreprocessObs(obs);
    ASSERT_EQ(pre.size(1), task->ModelObsDim()) << name;
    // Any leading dimensions: the rollout keeps its state as [members, rows, O].
    EXPECT_TRUE(torch::allclose(task->PreprocessObs(obs.view({7, 1, -1})).view({7, -1}), pre))
        << name;
    if (!features) continue;
    ASSERT_EQ(static_cast<int>(features->features.size()), task->ModelObsDim()) << name;
    for (size_t k = 0; k < features->features.size(); ++k) {
      const auto& f = features->features[k];
      const auto x = obs.select(1, f.index);
      const auto expected = f.kind == Kind::kCopy ? x : f.kind == Kind::kSin ? x.sin() : x.cos();
      if (f.kind != Kind::kCopy) {
        EXPECT_GE(f.index, features->angle_begin) << name;
        EXPECT_LT(f.index, features->angle_begin + features->angle_count) << name;
      }
      EXPECT_TRUE(torch::allclose(pre.select(1, static_cast<int64_t>(k)), expected))
          << name << " feature " << k;
    }
  }
}

}  // namespace
}  // namespace mbrl::models
