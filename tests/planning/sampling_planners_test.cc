// DCEM, iCEM, MPPI and random shooting, and the noise and update functions they are built from.
#include <gtest/gtest.h>

#include "mbrl/core/error.h"
#include "mbrl/core/seeding.h"
#include "mbrl/planning/cem.h"
#include "mbrl/planning/dcem.h"
#include "mbrl/planning/icem.h"
#include "mbrl/planning/mppi.h"
#include "mbrl/planning/random_shooting.h"
#include "planning/test_objectives.h"

namespace mbrl::planning {
namespace {

using testing::Quadratic;
using testing::DistanceFromOptimum;
using testing::Space;

double Lag1Correlation(const torch::Tensor& x) {  // x [N, H, A], correlation along H
  const auto a = x.narrow(1, 0, x.size(1) - 1), b = x.narrow(1, 1, x.size(1) - 1);
  return ((a * b).mean() / (a.square().mean() * b.square().mean()).sqrt()).item<double>();
}

TEST(ColoredNoise, UnitVarianceWhiteAtBetaZeroAndCorrelatedAtBetaTwo) {
  auto gen = MakeGenerator(torch::kCPU, 1);
  const auto opts = torch::TensorOptions().dtype(torch::kDouble);
  const auto white = ColoredNoise(4000, 30, 2, 0.0, gen, opts);
  EXPECT_EQ(white.sizes(), (std::vector<int64_t>{4000, 30, 2}));
  EXPECT_NEAR(white.var().item<double>(), 1.0, 0.02);
  EXPECT_NEAR(Lag1Correlation(white), 0.0, 0.02);
  for (const int64_t H : {30, 25}) {  // even and odd horizons
    const auto brown = ColoredNoise(4000, H, 2, 2.0, gen, opts);
    EXPECT_NEAR(brown.square().mean().item<double>(), 1.0, 0.03) << H;
    EXPECT_GT(Lag1Correlation(brown), 0.6) << H;
    // Action dimensions stay independent.
    const auto c = (brown.select(2, 0) * brown.select(2, 1)).mean().item<double>();
    EXPECT_NEAR(c, 0.0, 0.05) << H;
  }
}

TEST(FilteredNoise, BetaOneIsWhiteAndSmallBetaSmooths) {
  auto gen = MakeGenerator(torch::kCPU, 2);
  const auto sigma = torch::tensor({0.5, 2.0}, torch::kDouble);
  const auto white = FilteredNoise(5000, 20, sigma, 1.0, gen);
  EXPECT_NEAR(white.select(2, 0).std().item<double>(), 0.5, 0.01);
  EXPECT_NEAR(white.select(2, 1).std().item<double>(), 2.0, 0.04);
  EXPECT_NEAR(Lag1Correlation(white), 0.0, 0.02);
  const auto smooth = FilteredNoise(5000, 20, sigma, 0.3, gen);
  EXPECT_GT(Lag1Correlation(smooth), 0.6);
}

TEST(SoftEliteMoments, TinyTemperatureGivesCemsEliteUpdateOnTheSameSamples) {
  torch::manual_seed(3);
  const auto samples = torch::randn({100, 5, 2}, torch::kDouble);
  const auto returns = torch::randn({100}, torch::kDouble);
  const auto [cem_mean, cem_var] = EliteMoments(samples, returns, 10);
  const auto [soft_mean, soft_var] = SoftEliteMoments(samples, returns, 10, 1e-4);
  EXPECT_LT((soft_mean - cem_mean).abs().max().item<double>(), 1e-4);
  EXPECT_LT((soft_var - cem_var).abs().max().item<double>(), 1e-4);
  // At tau = 1 the update differs: every sample gets some weight.
  const auto [warm_mean, warm_var] = SoftEliteMoments(samples, returns, 10, 1.0);
  EXPECT_GT((warm_mean - cem_mean).abs().max().item<double>(), 1e-2);
}

TEST(DcemPlanner, ReachesTheOptimumOfAConcaveObjective) {
  config::DcemConfig c;
  c.iterations = 40;
  DcemPlanner planner(c, Space(3, 2, 3.0), torch::kCPU, 1);
  PlanResult result;
  EXPECT_LT(DistanceFromOptimum(planner, &result), 0.05);
  EXPECT_FALSE(result.actions.requires_grad());  // differentiable: false runs without autograd
}

TEST(IcemPlanner, ReachesTheOptimumOfAConcaveObjective) {
  config::IcemConfig c;
  c.iterations = 15;
  c.population_decay = 1.0;
  c.noise_beta = 0.0;  // a 3-step horizon has no time structure to exploit
  IcemPlanner planner(c, Space(3, 2, 3.0), torch::kCPU, 1);
  EXPECT_LT(DistanceFromOptimum(planner), 0.05);
}

TEST(IcemPlanner, ShrinksThePopulationAndCarriesElitesAcrossIterationsAndSteps) {
  Quadratic objective(torch::zeros({6, 1}));
  config::IcemConfig c;  // 300 / 1.25^i, 10 elites, 3 of them kept
  IcemPlanner planner(c, Space(6, 1, 1.0), torch::kCPU, 4);
  EXPECT_EQ(planner.PopulationAt(0), 300);
  EXPECT_EQ(planner.PopulationAt(1), 240);
  EXPECT_EQ(planner.PopulationAt(2), 192);
  EXPECT_EQ(planner.PopulationAt(30), 20);  // the floor
  planner.SetPrevious(planner.Plan(torch::zeros({1}), objective).actions);
  // Step 1: no elites yet; kept elites join iterations 2 and 3; the mean joins the last.
  // Step 2: the previous step's kept elites join its first iteration.
  planner.Plan(torch::zeros({1}), objective);
  EXPECT_EQ(objective.batch_sizes, (std::vector<int64_t>{300, 243, 196, 303, 243, 196}));
  planner.Reset();
  objective.batch_sizes.clear();
  planner.Plan(torch::zeros({1}), objective);
  EXPECT_EQ(objective.batch_sizes.front(), 300);
}

TEST(IcemPlanner, RejectsAPopulationFloorNotAboveTheElites) {
  config::IcemConfig c;
  c.min_population = 10;
  EXPECT_THROW(IcemPlanner(c, Space(3, 1, 1.0), torch::kCPU, 0), ConfigError);
}

TEST(MppiPlanner, ReachesTheOptimumOfAConcaveObjective) {
  config::MppiConfig c;
  c.population = 1000;
  c.iterations = 60;
  c.sigma = 0.05;  // MPPI keeps its noise fixed, so its precision is set by sigma
  MppiPlanner planner(c, Space(3, 2, 3.0), torch::kCPU, 1);
  PlanResult result;
  EXPECT_LT(DistanceFromOptimum(planner, &result), 0.05);
  EXPECT_GT(result.stats.at("effective_samples"), 1.0);
}

// -||a - theta||^2: the optimum is the parameter theta [H, A].
class ParameterTarget : public TrajectoryObjective {
 public:
  explicit ParameterTarget(torch::Tensor theta) : theta(std::move(theta)) {}
  torch::Tensor Evaluate(const torch::Tensor&, const torch::Tensor& actions) override {
    return -(actions - theta).square().sum({1, 2});
  }
  torch::Tensor theta;
};

TEST(DcemPlanner, DifferentiablePlanMatchesFiniteDifferencesInTheObjectivesParameter) {
  const auto opts = torch::TensorOptions().dtype(torch::kDouble);
  const PlanSpace space{torch::full({2}, -3.0, opts), torch::full({2}, 3.0, opts), 3};
  config::DcemConfig c;
  c.samples = 50;
  c.elites = 5;
  c.iterations = 4;
  c.differentiable = true;
  const auto theta0 = torch::tensor({0.3, -0.5, 0.8, 0.1, -0.2, 0.6}, opts).view({3, 2});
  const auto probe = torch::tensor({1.0, -2.0, 0.5, 3.0, -1.0, 2.0}, opts).view({3, 2});
  // Same seed every call, so the reparameterised noise is identical.
  auto plan = [&](const torch::Tensor& theta) {
    ParameterTarget objective(theta);
    DcemPlanner planner(c, space, torch::kCPU, 11);
    return planner.Plan(torch::zeros({1}, opts), objective).actions;
  };
  auto theta = theta0.clone().requires_grad_(true);
  const auto actions = plan(theta);
  ASSERT_TRUE(actions.requires_grad());
  (actions * probe).sum().backward();
  const auto grad = theta.grad();
  torch::NoGradGuard no_grad;
  const double h = 1e-5;
  for (int64_t i = 0; i < theta0.numel(); ++i) {
    auto up = theta0.clone(), down = theta0.clone();
    up.view({-1})[i] += h;
    down.view({-1})[i] -= h;
    const double fd =
        ((plan(up) * probe).sum().item<double>() - (plan(down) * probe).sum().item<double>()) /
        (2 * h);
    EXPECT_NEAR(grad.view({-1})[i].item<double>(), fd, 1e-5 * std::max(1.0, std::abs(fd))) << i;
  }
  EXPECT_GT(grad.abs().sum().item<double>(), 0.1);  // the plan does depend on theta
}

TEST(DcemPlanner, RejectsAsManyElitesAsSamples) {
  config::DcemConfig c;
  c.samples = 10;
  c.elites = 10;
  EXPECT_THROW(DcemPlanner(c, Space(3, 1, 1.0), torch::kCPU, 0), ConfigError);
}

TEST(SamplingPlanners, SameSeedGivesTheSamePlan) {
  Quadratic objective(torch::full({4, 2}, 0.3f));
  for (int which = 0; which < 3; ++which) {
    auto make = [&]() -> std::unique_ptr<Planner> {
      if (which == 0) return std::make_unique<DcemPlanner>(config::DcemConfig{}, Space(4, 2, 1.0), torch::kCPU, 5);
      if (which == 1) return std::make_unique<IcemPlanner>(config::IcemConfig{}, Space(4, 2, 1.0), torch::kCPU, 5);
      return std::make_unique<MppiPlanner>(config::MppiConfig{}, Space(4, 2, 1.0), torch::kCPU, 5);
    };
    auto a = make(), b = make();
    EXPECT_TRUE(torch::equal(a->Plan(torch::zeros({1}), objective).actions,
                             b->Plan(torch::zeros({1}), objective).actions)) << which;
  }
}


TEST(RandomShooting, ReturnsTheBestScoredSequenceAndKeepsAWarmStartNoSampleBeats) {
  // A constant optimum survives the warm-start shift, so with warm_start the plan is exactly it.
  const auto target = torch::full({4, 2}, 0.5f);  // [H, A]
  config::RandomShootingConfig c;
  c.population = 200;
  RandomShootingPlanner warm(c, Space(4, 2, 1.0), torch::kCPU, 0);
  Quadratic objective(target);
  warm.SetPrevious(target);
  const auto kept = warm.Plan(torch::zeros({1}), objective);
  EXPECT_TRUE(torch::equal(kept.actions, target));
  EXPECT_DOUBLE_EQ(kept.expected_return, 0.0);

  c.warm_start = false;
  RandomShootingPlanner cold(c, Space(4, 2, 1.0), torch::kCPU, 0);
  cold.SetPrevious(target);
  const auto drawn = cold.Plan(torch::zeros({1}), objective);
  EXPECT_FALSE(torch::equal(drawn.actions, target));
  EXPECT_LE(drawn.actions.abs().max().item<double>(), 1.0);
  // The returned sequence is the one whose return it reports, the best of the batch.
  const double ret = objective.Evaluate(torch::zeros({1}), drawn.actions.unsqueeze(0)).item<double>();
  EXPECT_NEAR(drawn.expected_return, ret, 1e-5);
  EXPECT_EQ(objective.batch_sizes.back(), 1);
  EXPECT_EQ(objective.batch_sizes[objective.batch_sizes.size() - 2], 200);
}

}  // namespace
}  // namespace mbrl::planning
