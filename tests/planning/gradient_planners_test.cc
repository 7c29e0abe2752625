#include <gtest/gtest.h>

#include "mbrl/planning/cem.h"
#include "mbrl/planning/cem_gd.h"
#include "mbrl/planning/grad.h"
#include "mbrl/planning/grad_mpc.h"
#include "mbrl/planning/gradient_refiner.h"
#include "mbrl/planning/registry.h"
#include "planning/test_objectives.h"

namespace mbrl::planning {
namespace {

using testing::Quadratic;
using testing::Space;

torch::Tensor Target() { return torch::tensor({0.5f, -0.4f, 0.3f, 0.0f, -0.7f, 0.2f}).view({3, 2}); }

TEST(GradPlanner, ReachesTheOptimumOfAConcaveObjective) {
  Quadratic objective(Target());
  config::GradConfig c;
  c.line_search.step = "gradient";  // the paper's Eq. 3, whose step size scales with the gradient
  c.line_search.grad_steps = 60;
  c.line_search.eta_init = 0.3;
  GradPlanner planner(c, Space(3, 2, 1.0), torch::kCPU, 1);
  const auto result = planner.Plan(torch::zeros({1}), objective);
  EXPECT_LT((result.actions - Target()).abs().max().item<double>(), 1e-3);
  EXPECT_GT(result.stats.at("return_after_refine"), result.stats.at("return_before_refine"));
}

TEST(CemGdPlanner, ReachesTheOptimumOfAConcaveObjective) {
  Quadratic objective(Target());
  config::CemGdConfig c;
  c.n_init = 200;
  c.line_search.step = "gradient";
  c.line_search.eta_init = 0.3;
  CemGdPlanner planner(c, Space(3, 2, 1.0), torch::kCPU, 2);
  const auto result = planner.Plan(torch::zeros({1}), objective);
  EXPECT_LT((result.actions - Target()).abs().max().item<double>(), 1e-2);
  EXPECT_EQ(result.stats.at("samples"), 200);
  // Later steps use n_r samples around the warm start.
  planner.SetPrevious(result.actions);
  EXPECT_EQ(planner.Plan(torch::zeros({1}), objective).stats.at("samples"), 50);
  planner.Reset();
  EXPECT_EQ(planner.Plan(torch::zeros({1}), objective).stats.at("samples"), 200);
}

TEST(GradMpcPlanner, ReachesTheOptimumOfAConcaveObjective) {
  Quadratic objective(Target());
  for (const std::string opt : {"adam", "sgd"}) {
    config::GradMpcConfig c;
    c.candidates = 16;
    c.iterations = 200;
    c.optimizer = opt;
    c.learning_rate = opt == "adam" ? 0.05 : 0.1;
    GradMpcPlanner planner(c, Space(3, 2, 1.0), torch::kCPU, 3);
    const auto result = planner.Plan(torch::zeros({1}), objective);
    EXPECT_LT((result.actions - Target()).abs().max().item<double>(), 1e-2) << opt;
  }
}

// A wavy objective where big steps overshoot: sum of cos(3 a) - a^2.
class Wavy : public TrajectoryObjective {
 public:
  torch::Tensor Evaluate(const torch::Tensor&, const torch::Tensor& a) override {
    return (torch::cos(3 * a) - a.square()).sum({1, 2});
  }
};

TEST(LineSearch, NeverAcceptsAWorseReturnAndEachRowKeepsItsOwnStep) {
  Wavy objective;
  torch::manual_seed(0);
  const auto start = torch::rand({32, 4, 2}) * 4 - 2;  // [k, H, A]
  config::LineSearchConfig c;
  c.eta_init = 2.0;  // far too big: the search must shrink it
  c.grad_steps = 5;
  const auto low = torch::full({2}, -2.0), high = torch::full({2}, 2.0);
  auto previous = objective.Evaluate({}, start);
  auto actions = start;
  for (int step = 0; step < 5; ++step) {
    c.grad_steps = 1;
    const auto r = RefineWithLineSearch(objective, torch::zeros({1}), actions, c, low, high);
    EXPECT_TRUE((r.returns >= previous).all().item<bool>()) << "step " << step;
    EXPECT_TRUE(torch::allclose(r.returns, objective.Evaluate({}, r.actions)));
    previous = r.returns;
    actions = r.actions;
  }
  EXPECT_GT((previous - objective.Evaluate({}, start)).max().item<double>(), 0.1);
}

TEST(LineSearch, BatchedTrialsMatchTheSequentialBacktrackingSearch) {
  // A plain sequential implementation of G = 3 updates per row, as in the paper. eta 1.5: rows
  // reject the first step size, so all J are scored in batches; eta 0.01: every row accepts the
  // first, which is scored alone and whose recorded pass gives the next gradient; eta 0.3: a
  // mix; k = 1 and k = 16.
  // Step "adam": the same search along Adam's direction, with torch.optim.Adam's moments
  // advanced only when a row accepts.
  for (const std::string step : {"gradient", "adam"}) {
  for (const double eta_init : {1.5, 0.3, 0.01}) {
    for (const int64_t k : {1, 16}) {
      Wavy objective;
      torch::manual_seed(1);
      const auto start = torch::rand({k, 3, 2}) * 4 - 2;  // [k, H, A]
      config::LineSearchConfig c;
      c.eta_init = eta_init;
      c.grad_steps = 3;
      c.step = step;
      const auto low = torch::full({2}, -2.0), high = torch::full({2}, 2.0);
      const auto r = RefineWithLineSearch(objective, torch::zeros({1}), start, c, low, high);
      int64_t trials = 0;
      for (int64_t row = 0; row < k; ++row) {
        auto current = start.narrow(0, row, 1).clone();
        auto m = torch::zeros_like(current), v = torch::zeros_like(current);
        int adam_steps = 0;
        for (int update = 0; update < c.grad_steps; ++update) {
          auto leaf = current.clone().requires_grad_(true);
          const auto grad =
              torch::autograd::grad({objective.Evaluate({}, leaf).sum()}, {leaf})[0];
          torch::NoGradGuard no_grad;
          auto direction = grad;
          const auto m_next = 0.9 * m + 0.1 * grad;
          const auto v_next = 0.999 * v + 0.001 * grad.square();
          if (step == "adam") {
            const int n = adam_steps + 1;
            direction = (m_next / (1 - std::pow(0.9, n))) /
                        ((v_next / (1 - std::pow(0.999, n))).sqrt() + 1e-8);
          }
          const double before = objective.Evaluate({}, current).item<double>();
          bool moved = false;
          double eta = c.eta_init;
          for (int j = 0; j < c.line_search_trials && !moved; ++j, eta *= c.rho) {
            ++trials;
            const auto cand = torch::max(torch::min(current + eta * direction, high), low);
            if (objective.Evaluate({}, cand).item<double>() > before) {
              current = cand;
              moved = true;
            }
          }
          if (!moved) break;  // this row has finished
          m = m_next;
          v = v_next;
          ++adam_steps;
        }
        EXPECT_TRUE(torch::allclose(r.actions.narrow(0, row, 1), current, 1e-5, 1e-6))
            << step << " eta " << eta_init << " k " << k << " row " << row << "\n"
            << (r.actions.narrow(0, row, 1) - current).abs().max().item<double>();
      }
      EXPECT_EQ(r.trials.item<int64_t>(), trials) << step << " eta " << eta_init << " k " << k;
      if (eta_init < 0.1) {
        EXPECT_EQ(trials, 3 * k);  // the first step size was accepted by every row every time
      } else if (k > 1 && (step == "gradient" || eta_init > 1)) {
        EXPECT_GT(trials, 3 * k);  // some row needed smaller steps
      }
    }
  }
  }
}

TEST(LineSearch, AdamStepsMoveActionsByEtaWhateverTheReturnsScale) {
  // Scaling the return by 1000 scales a gradient step 1000-fold but leaves Adam's step (about
  // eta per action at the first update) unchanged: the reason the paper's eta 0.01 depends on
  // which step its code took.
  class Scaled : public Wavy {
   public:
    explicit Scaled(double s) : s_(s) {}
    torch::Tensor Evaluate(const torch::Tensor& obs, const torch::Tensor& a) override {
      return s_ * Wavy::Evaluate(obs, a);
    }
    double s_;
  };
  torch::manual_seed(3);
  const auto start = torch::rand({4, 3, 2}) - 0.5;
  const auto low = torch::full({2}, -2.0), high = torch::full({2}, 2.0);
  config::LineSearchConfig c;
  c.eta_init = 0.001;
  c.grad_steps = 1;
  const auto moved = [&](const std::string& step, double scale) {
    c.step = step;
    Scaled objective(scale);
    const auto r = RefineWithLineSearch(objective, torch::zeros({1}), start, c, low, high);
    return (r.actions - start).abs().max().item<double>();
  };
  EXPECT_NEAR(moved("adam", 1.0), 0.001, 1e-6);
  EXPECT_NEAR(moved("adam", 1000.0), 0.001, 1e-6);
  EXPECT_GT(moved("gradient", 1000.0), 100 * moved("gradient", 1.0));
}

// Counts evaluations and how many of them record a graph for autograd.
class CountingWavy : public Wavy {
 public:
  torch::Tensor Evaluate(const torch::Tensor& obs, const torch::Tensor& a) override {
    ++calls;
    if (torch::GradMode::is_enabled() && a.requires_grad()) ++recorded;
    return Wavy::Evaluate(obs, a);
  }
  int calls = 0, recorded = 0;
};

TEST(LineSearch, AnAcceptedFirstStepSizeGivesTheNextGradientWithoutAnotherForwardPass) {
  // eta 0.01 on this objective: every row accepts the first size at each of the G updates. The
  // initial evaluation and each accepted candidate's evaluation (but the last) are recorded and
  // reused for the next gradient: G + 1 forward passes, not 2G + 1.
  CountingWavy objective;
  torch::manual_seed(2);
  config::LineSearchConfig c;
  c.eta_init = 0.01;
  c.grad_steps = 6;
  const auto r = RefineWithLineSearch(objective, torch::zeros({1}), torch::rand({4, 3, 2}) - 0.5,
                                      c, torch::full({2}, -2.0), torch::full({2}, 2.0));
  ASSERT_EQ(r.accepted.item<int64_t>(), 6 * 4);
  EXPECT_EQ(objective.calls, c.grad_steps + 1);
  EXPECT_EQ(objective.recorded, c.grad_steps);
}

TEST(LineSearch, ProjectionKeepsEveryActionWithinBounds) {
  Quadratic objective(torch::full({4, 2}, 5.0f));  // optimum far outside [-1, 1]
  config::LineSearchConfig c;
  c.eta_init = 1.0;
  const auto r = RefineWithLineSearch(objective, torch::zeros({1}), torch::zeros({3, 4, 2}), c,
                                      torch::full({2}, -1.0), torch::full({2}, 1.0));
  EXPECT_GE(objective.lo, -1.0);
  EXPECT_LE(objective.hi, 1.0);
  EXPECT_TRUE(torch::allclose(r.actions, torch::ones({3, 4, 2})));
}

TEST(Planners, EveryPlannerKeepsItsPlanWithinBoundsOnRandomObjectives) {
  // 100 random concave objectives per planner, optimum often outside the bounds, random bound
  // width; small sizes so the whole loop stays fast.
  for (const auto& name : config::PlannerNames()) {
    for (int seed = 0; seed < 100; ++seed) {
      torch::manual_seed(seed);
      const double bound = 0.2 + 2.0 * torch::rand({1}).item<double>();
      Quadratic objective(torch::randn({4, 2}) * 3);
      config::PlannerConfig c = config::PlannerConfig::Named(name);
      using namespace config;  // NOLINT: the settings structs
      if (auto* s = std::get_if<CemConfig>(&c.settings)) {
        s->population = 30;
        s->iterations = 3;
      } else if (auto* s = std::get_if<CemGdConfig>(&c.settings)) {
        s->n_init = 60;
        s->line_search.grad_steps = 3;
      } else if (auto* s = std::get_if<GradConfig>(&c.settings)) {
        s->line_search.grad_steps = 3;
      } else if (auto* s = std::get_if<GradMpcConfig>(&c.settings)) {
        s->candidates = 10;
        s->iterations = 5;
        s->learning_rate = 0.5;
      } else if (auto* s = std::get_if<DcemConfig>(&c.settings)) {
        s->samples = 20;
        s->elites = 5;
        s->iterations = 3;
      } else if (auto* s = std::get_if<IcemConfig>(&c.settings)) {
        s->population = 30;
        s->min_population = 10;
        s->elites = 5;
      } else if (auto* s = std::get_if<MppiConfig>(&c.settings)) {
        s->population = 20;
        s->iterations = 3;
      }
      auto planner = MakePlanner(c, Space(4, 2, bound), torch::kCPU, seed);
      for (int step = 0; step < 2; ++step) {  // the second plan warm-starts from the first
        const auto result = planner->Plan(torch::zeros({1}), objective);
        ASSERT_TRUE(torch::isfinite(result.actions).all().item<bool>()) << name;
        ASSERT_LE(result.actions.abs().max().item<double>(), bound + 1e-6) << name << " " << seed;
        planner->SetPrevious(result.actions);
      }
      ASSERT_GE(objective.lo, -bound - 1e-6) << name << " " << seed;
      ASSERT_LE(objective.hi, bound + 1e-6) << name << " " << seed;
    }
  }
}

}  // namespace
}  // namespace mbrl::planning
