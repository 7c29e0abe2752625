#include "mbrl/algorithms/evaluate.h"

#include <cstdio>
#include <random>

#include "mbrl/algorithms/stack.h"
#include "mbrl/core/error.h"
#include "mbrl/models/gaussian_ensemble.h"

namespace mbrl::algorithms {

void LoadTrainedModel(Stack& stack, const std::string& model_path) {
  try {
    models::LoadEnsemble(stack.model, model_path);
  } catch (const Error& e) {
    throw ConfigError(std::string(e.what()) +
                      " (is it this run's model? its config.yaml must match it)");
  }
  stack.model->eval();
}

std::vector<EvalEpisode> EvaluateModel(const config::Config& config, const torch::Device& device,
                                       const std::string& model_path, int episodes,
                                       const EvalStepHook& on_step,
                                       const EvalFrameHook& on_frame,
                                       std::optional<data::ReplayBuffer>* transitions) {
  if (episodes < 1) {
    throw ConfigError("--episodes: expected an integer >= 1, got " + std::to_string(episodes));
  }
  Stack stack = BuildStack(config, device);
  LoadTrainedModel(stack, model_path);
  if (transitions) transitions->emplace(stack.env->ObsDim(), stack.env->ActionDim());
  std::mt19937_64 env_rng(StreamSeed(config.seed, SeedStream::kEnv));
  std::vector<EvalEpisode> out;
  for (int ep = 1; ep <= episodes; ++ep) {
    EvalEpisode e;
    e.episode = ep;
    auto obs = stack.env->Reset(env_rng);
    stack.agent->Reset();
    if (on_frame) on_frame(*stack.env);
    double plan_ms = 0;
    for (int t = 0; t < stack.episode_length; ++t) {
      const auto action = stack.agent->Act(obs);
      plan_ms += stack.agent->last_plan_ms();
      const auto step = stack.env->Step(action);
      if (transitions) (*transitions)->Add(obs, action, step.reward, step.obs, step.terminated);
      e.episode_return += step.reward;
      ++e.steps;
      obs = step.obs;
      if (on_frame) on_frame(*stack.env);
      if (on_step) on_step(ep, t + 1, stack.episode_length, e.episode_return);
      if (step.terminated) break;
    }
    e.plan_ms = e.steps > 0 ? plan_ms / e.steps : 0;
    out.push_back(e);
  }
  return out;
}

std::string EvalCsv(const std::vector<EvalEpisode>& episodes) {
  std::string csv = "episode,return,steps,plan_ms_per_step\n";
  char buf[160];
  for (const auto& e : episodes) {
    std::snprintf(buf, sizeof(buf), "%d,%.6f,%d,%.3f\n", e.episode, e.episode_return, e.steps,
                  e.plan_ms);
    csv += buf;
  }
  return csv;
}

}  // namespace mbrl::algorithms
