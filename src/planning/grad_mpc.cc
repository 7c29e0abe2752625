#include "mbrl/planning/grad_mpc.h"

#include "mbrl/core/seeding.h"

namespace mbrl::planning {

GradMpcPlanner::GradMpcPlanner(const config::GradMpcConfig& config, PlanSpace space,
                               const torch::Device& device, uint64_t seed)
    : Planner(std::move(space)), config_(config), generator_(MakeGenerator(device, seed)) {}

PlanResult GradMpcPlanner::Plan(const torch::Tensor& obs, TrajectoryObjective& objective) {
  const int64_t H = horizon(), A = action_dim(), J = config_.candidates;
  auto init = Clamp(torch::randn({J, H, A}, generator_, low().options()));  // [J, H, A]
  if (config_.warm_start && previous_.defined()) init[0] = WarmStart(previous_);
  auto actions = init.clone().requires_grad_(true);  // the only tensor with gradients
  std::unique_ptr<torch::optim::Optimizer> optimizer;
  if (config_.optimizer == "adam") {
    optimizer = std::make_unique<torch::optim::Adam>(
        std::vector<torch::Tensor>{actions}, torch::optim::AdamOptions(config_.learning_rate));
  } else {
    optimizer = std::make_unique<torch::optim::SGD>(
        std::vector<torch::Tensor>{actions}, torch::optim::SGDOptions(config_.learning_rate));
  }
  double initial_best = 0;
  {
    torch::AutoGradMode enable(true);
    for (int i = 0; i < config_.iterations; ++i) {
      optimizer->zero_grad();
      const auto returns = objective.EvaluateDeterministic(obs, actions);  // [J]
      if (i == 0) initial_best = returns.max().item<double>();
      (-returns.sum()).backward();
      optimizer->step();
      torch::NoGradGuard no_grad;
      actions.copy_(Clamp(actions));
    }
  }
  torch::NoGradGuard no_grad;
  const auto final_actions = actions.detach();
  const auto returns = objective.EvaluateDeterministic(obs, final_actions);  // [J]
  const int64_t best = returns.argmax().item<int64_t>();
  PlanResult result;
  result.actions = final_actions[best].clone();
  result.initial_actions = init[best];
  result.expected_return = returns[best].item<double>();
  result.stats["return_before_refine"] =
      config_.iterations > 0 ? initial_best : result.expected_return;
  result.stats["return_after_refine"] = result.expected_return;
  return result;
}

}  // namespace mbrl::planning
