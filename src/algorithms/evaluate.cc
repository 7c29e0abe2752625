#include "mbrl/algorithms/evaluate.h"

#include <cstdio>
#include <filesystem>
#include <memory>
#include <random>

#include "mbrl/algorithms/run_directory.h"
#include "mbrl/algorithms/stack.h"
#include "mbrl/config/loader.h"
#include "mbrl/core/atomic_file.h"
#include "mbrl/core/device.h"
#include "mbrl/core/error.h"
#include "mbrl/core/video.h"
#include "mbrl/env/film.h"
#include "mbrl/models/gaussian_ensemble.h"

namespace mbrl::algorithms {

EvalStepHook EvalProgressHook(Progress& progress, int episodes) {
  return [&progress, episodes](int ep, int step, int length, double ret) {
    char buf[160];
    std::snprintf(buf, sizeof(buf), "eval episode %d/%d  step %d/%d  return %.2f", ep, episodes,
                  step, length, ret);
    progress.Update(buf);
  };
}

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
                                       std::optional<data::ReplayBuffer>* transitions,
                                       const env::TaskEntry* task) {
  if (episodes < 1) {
    throw ConfigError("--episodes: expected an integer >= 1, got " + std::to_string(episodes));
  }
  Stack stack = BuildStack(config, device, nullptr, task);
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
      if (step.Ended()) break;
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

std::pair<int, int> ParseVideoSize(const std::string& text) {
  int width = 0, height = 0;
  char extra = 0;
  if (std::sscanf(text.c_str(), "%dx%d%c", &width, &height, &extra) != 2 || width < 16 ||
      height < 16 || width > 4096 || height > 4096 || width % 2 || height % 2) {
    throw ConfigError("--video-size '" + text + "': expected WIDTHxHEIGHT, even numbers from 16 "
                      "to 4096 (e.g. 640x480)");
  }
  return {width, height};
}

EvalRunResult EvaluateRun(const EvalRunOptions& opt, const EvalStepHook& on_step,
                          const std::function<void(const std::string&)>& on_warning) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(opt.run_dir, ec)) {
    throw ConfigError("eval " + opt.run_dir + ": no such run directory");
  }
  const std::string config_path = opt.run_dir + "/config.yaml";
  if (!fs::exists(config_path, ec)) {
    throw ConfigError("eval " + opt.run_dir + ": no config.yaml here (not a run directory)");
  }
  const std::string model_path = opt.run_dir + "/model.pt";
  if (!fs::exists(model_path, ec)) {
    throw ConfigError("eval " + opt.run_dir + ": no trained model (model.pt) here: a run saves "
                      "it after each episode unless pets.save_model is false");
  }
  std::unique_ptr<env::EpisodeFilm> filming;
  if (!opt.video.empty()) {
    const auto size = ParseVideoSize(opt.video_size);
    if (!(opt.fps >= 0)) throw ConfigError("--fps: expected a positive frame rate");
    const fs::path parent = fs::absolute(opt.video).parent_path();
    if (!fs::is_directory(parent, ec)) {
      throw ConfigError("--video " + opt.video + ": no such directory " + parent.string());
    }
    RequireFfmpeg();
    filming = std::make_unique<env::EpisodeFilm>(opt.video, size, opt.fps);
  }
  config::LoadOptions load{config_path, opt.planner, opt.overrides};
  load.planner_dir = opt.planner_dir;
  load.written_by_a_run = true;
  EvalRunResult result;
  result.config = config::LoadConfig(load);
  config::Config& config = result.config;
  if (opt.task) RequireRunOfTask(opt.run_dir, config, *opt.task);
  if (opt.seed >= 0) config.seed = opt.seed;
  if (!opt.device.empty()) config.device = opt.device;
  const DeviceChoice device =
      ResolveDevice(config.device, opt.device.empty() ? config_path + ": device" : "--device");
  if (!device.warning.empty() && on_warning) on_warning(device.warning);
  // One writer per run: an evaluation writes into it (eval/) and reads its model.pt.
  RunLock lock = RunLock::Take(opt.run_dir, on_warning);
  lock.Announce();

  // Named after --planner when given, so that labels of one type (cem50, cem500) do not
  // overwrite each other. Made before the episodes run, so that a bad --out costs nothing.
  result.out_dir = !opt.out.empty() ? opt.out
                                    : opt.run_dir + "/eval/" +
                                          (opt.planner.empty() ? config.planner.type() : opt.planner);
  const std::string& out_dir = result.out_dir;
  // The outermost directory this creates (empty when out_dir exists already).
  fs::path first_new;
  for (fs::path p = fs::absolute(out_dir, ec); !p.empty() && !fs::exists(p, ec);
       p = p.parent_path()) {
    first_new = p;
    if (p == p.parent_path()) break;
  }
  fs::create_directories(out_dir, ec);
  if (ec || !fs::is_directory(out_dir)) {
    throw ConfigError((opt.out.empty() ? std::string("eval: ") : std::string("--out ")) + out_dir +
                      ": cannot create this directory" + (ec ? " (" + ec.message() + ")" : ""));
  }

  // A refusal during the episodes (e.g. --video on a task without a MuJoCo scene) leaves no
  // empty directory behind.
  struct RemoveIfUnused {
    fs::path dir, first_new;
    ~RemoveIfUnused() {
      std::error_code ignored;
      if (first_new.empty()) return;
      for (fs::path p = dir; fs::is_directory(p, ignored) && fs::is_empty(p, ignored);
           p = p.parent_path()) {
        fs::remove(p, ignored);
        if (p == first_new) break;
      }
    }
  } cleanup{fs::absolute(out_dir, ec), first_new};

  std::optional<data::ReplayBuffer> transitions;
  result.episodes = EvaluateModel(
      config, device.device, model_path, opt.episodes, on_step,
      filming ? EvalFrameHook([&](const env::Env& env) { filming->Frame(env); }) : EvalFrameHook(),
      &transitions, opt.task);
  result.frames = filming ? filming->Close() : 0;
  transitions->Save(out_dir + "/transitions.bin");  // replay_buffer.bin's format
  WriteTextAtomically(out_dir + "/eval.csv", EvalCsv(result.episodes));
  WriteTextAtomically(out_dir + "/config.yaml", config::ConfigToYaml(config));
  return result;
}

}  // namespace mbrl::algorithms
