// The diagnosis of a model on real episodes (algorithms/diagnose.h): a model that is the true
// dynamics has no error at any step ahead; a model whose variance is the true noise's is
// calibrated one step ahead; plans on the true dynamics, executed open loop, get what they
// predicted; and the members' spread ranks the errors when it is what makes them.
#include <gtest/gtest.h>

#include <random>

#include "mbrl/algorithms/diagnose.h"
#include "mbrl/algorithms/stack.h"
#include "mbrl/config/config.h"
#include "mbrl/env/toy_barrier.h"

namespace mbrl::algorithms {
namespace {

// x' = A x + B u (+ noise), O = 2, A = 1.
const torch::Tensor kA = torch::tensor({{0.9, 0.2}, {-0.1, 0.95}}, torch::kFloat64);
const torch::Tensor kB = torch::tensor({{0.5}, {-0.3}}, torch::kFloat64);

EpisodeData LinearEpisode(int steps, double noise, uint64_t seed) {
  torch::manual_seed(seed);
  auto x = torch::tensor({1.0, -0.5}, torch::kFloat64);
  EpisodeData ep;
  const auto u = torch::rand({steps, 1}, torch::kFloat64) * 2 - 1;
  std::vector<torch::Tensor> xs = {x};
  for (int t = 0; t < steps; ++t) {
    x = kA.matmul(x) + kB.matmul(u[t]) + noise * torch::randn({2}, torch::kFloat64);
    xs.push_back(x);
  }
  ep.obs = torch::stack(xs).to(torch::kFloat32);
  ep.actions = u.to(torch::kFloat32);
  ep.rewards = torch::zeros({steps});
  return ep;
}

// Every member the true mean; the given variance.
MemberStep LinearModel(double variance) {
  return [variance](const torch::Tensor& obs, const torch::Tensor& act) {
    const auto x = obs.to(torch::kFloat64), u = act.to(torch::kFloat64);
    const auto next = x.matmul(kA.t()) + u.matmul(kB.t()).unsqueeze(0);
    return std::make_pair(next.to(torch::kFloat32), torch::full_like(next, variance).to(torch::kFloat32));
  };
}

TEST(Diagnose, TheTrueDynamicsHaveNoErrorAtAnyStepAhead) {
  const auto ep = LinearEpisode(50, 0.0, 1);
  const auto d = DiagnoseModel(LinearModel(1e-4), 3, ep, 10, torch::ones({2}));
  ASSERT_EQ(d.mean_error.size(), 10u);
  ASSERT_EQ(d.member_error.size(), 3u);
  for (size_t k = 0; k < 10; ++k) {
    EXPECT_LT(d.mean_error[k], 1e-5) << "step " << k + 1;
    for (const auto& m : d.member_error) EXPECT_LT(m[k], 1e-5);
    EXPECT_EQ(d.starts[k], 50 - static_cast<int64_t>(k));
  }
}

TEST(Diagnose, AModelWithTheNoisesVarianceIsCalibratedOneStepAhead) {
  const double sigma = 0.1;
  const auto ep = LinearEpisode(4000, sigma, 2);
  const auto d = DiagnoseModel(LinearModel(sigma * sigma), 2, ep, 3, torch::ones({2}));
  EXPECT_NEAR(d.within_1sigma[0], 0.6827, 0.02);
  EXPECT_NEAR(d.within_2sigma[0], 0.9545, 0.01);
  for (int o = 0; o < 2; ++o) EXPECT_NEAR(d.within_1sigma_dim[0][o], 0.6827, 0.03);
  // A variance 4 times too small puts far fewer within "1 sigma".
  const auto over = DiagnoseModel(LinearModel(sigma * sigma / 4), 2, ep, 1, torch::ones({2}));
  EXPECT_LT(over.within_1sigma[0], 0.45);
  EXPECT_GT(over.nll[0], d.nll[0]);
}

TEST(Diagnose, TheMembersSpreadRanksTheErrorsItCauses) {
  // Member m's mean is off by m * c(x), c growing with |x0|: where they disagree most, their
  // mean is most wrong.
  const auto ep = LinearEpisode(300, 0.0, 3);
  const MemberStep step = [](const torch::Tensor& obs, const torch::Tensor& act) {
    auto [mean, var] = LinearModel(1e-4)(obs, act);
    const auto off = torch::arange(obs.size(0), torch::kFloat32).view({-1, 1, 1}) *
                     obs.select(2, 0).abs().unsqueeze(2) * 0.3;
    return std::make_pair(mean + off, var);
  };
  const auto d = DiagnoseModel(step, 4, ep, 1, torch::ones({2}));
  EXPECT_GT(d.rank_correlation[0], 0.9);
  EXPECT_NEAR(SpearmanCorrelation({1, 2, 3, 4}, {10, 20, 30, 40}), 1.0, 1e-12);
  EXPECT_NEAR(SpearmanCorrelation({1, 2, 3}, {3, 2, 1}), -1.0, 1e-12);
  EXPECT_EQ(SpearmanCorrelation({1, 1, 1}, {1, 2, 3}), 0.0);
}

TEST(Diagnose, PlansOnTheTrueDynamicsExecutedOpenLoopGetWhatTheyPredicted) {
  const int horizon = 6;
  config::Config config;
  config.task = "toy_barrier";
  config::CemConfig cem;
  cem.population = 40;
  cem.iterations = 3;
  config.planner.settings = cem;
  config.agent.horizon = horizon;
  config.agent.replan_freq = horizon;  // each plan runs to its end: the real steps are the plan's
  env::ToyBarrierObjective objective;
  Stack stack = BuildStack(config, torch::kCPU, objective);
  std::mt19937_64 rng(0);
  auto obs = stack.env->Reset(rng);
  stack.agent->Reset();
  std::vector<int64_t> steps;
  std::vector<double> predicted, rewards;
  for (int t = 0; t < 4 * horizon; ++t) {
    const auto action = stack.agent->Act(obs);
    if (stack.agent->replanned()) {
      steps.push_back(t);
      predicted.push_back(stack.agent->last_plan().expected_return);
    }
    const auto step = stack.env->Step(action);
    rewards.push_back(step.reward);
    obs = step.obs;
  }
  const auto rows = PlannerOptimism(steps, predicted, torch::tensor(rewards), horizon);
  ASSERT_EQ(rows.size(), 4u);
  for (const auto& r : rows) {
    EXPECT_NEAR(r.predicted, r.real, 1e-4 * (1 + std::abs(r.real))) << "plan at step " << r.step;
  }
  // A plan whose horizon runs past the episode's end is left out.
  EXPECT_EQ(PlannerOptimism({20}, {0.0}, torch::tensor(rewards), horizon + 1).size(), 0u);
}

}  // namespace
}  // namespace mbrl::algorithms
