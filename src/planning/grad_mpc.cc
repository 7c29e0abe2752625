#include "mbrl/planning/grad_mpc.h"

#include "mbrl/core/seeding.h"

namespace mbrl::planning {

GradMpcPlanner::GradMpcPlanner(const config::GradMpcConfig& config, PlanSpace space,
                               const torch::Device& device, uint64_t seed)
    : Planner(std::move(space)), config_(config), generator_(MakeGenerator(device, seed)) {}

PlanResult GradMpcPlanner::PlanStep(const torch::Tensor& obs, TrajectoryObjective& objective) {
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
  torch::Tensor initial_best;  // []
  {
    torch::AutoGradMode enable(true);
    for (int i = 0; i < config_.iterations; ++i) {
      optimizer->zero_grad();
      const auto returns = objective.EvaluateDeterministic(obs, actions);  // [J]
      if (i == 0) initial_best = returns.detach().max();
      (-returns.sum()).backward();
      optimizer->step();
      torch::NoGradGuard no_grad;
      actions.copy_(Clamp(actions));
    }
  }
  torch::NoGradGuard no_grad;
  const auto final_actions = actions.detach();
  const auto returns = objective.EvaluateDeterministic(obs, final_actions);  // [J]
  const auto best = returns.argmax().view({1});                              // stays on the device
  PlanResult result;
  result.actions = final_actions.index_select(0, best)[0];
  result.initial_actions = init.index_select(0, best)[0];
  const auto best_return = returns.index_select(0, best)[0];
  result.device_stats["expected_return"] = best_return;
  result.device_stats["return_before_refine"] = config_.iterations > 0 ? initial_best : best_return;
  result.device_stats["return_after_refine"] = best_return;
  return result;
}

}  // namespace mbrl::planning
