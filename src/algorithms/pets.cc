#include "mbrl/algorithms/pets.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <random>
#include <set>
#include <sstream>

#include "mbrl/agent/mpc_agent.h"
#include "mbrl/algorithms/stack.h"
#include "mbrl/config/loader.h"
#include "mbrl/core/atomic_file.h"
#include "mbrl/core/error.h"
#include "mbrl/core/logging.h"
#include "mbrl/core/strings.h"
#include "mbrl/core/timer.h"
#include "mbrl/env/registry.h"
#include "mbrl/algorithms/checkpoint.h"
#include "mbrl/algorithms/run_directory.h"
#include "mbrl/data/replay_buffer.h"
#include "mbrl/models/gaussian_ensemble.h"
#include "mbrl/models/model_trainer.h"

namespace mbrl::algorithms {
namespace {

std::string MetricsRow(const EpisodeMetrics& m, const std::vector<std::string>& stat_names) {
  char buf[512];
  std::snprintf(buf, sizeof(buf), "%d,%lld,%d,%.6f,%d,%.6f,%.6f,%d,%.3f,%.3f,%.3f,%d", m.episode,
                static_cast<long long>(m.env_steps), m.steps, m.episode_return, m.random ? 1 : 0,
                m.train_loss, m.holdout_loss, m.model_epochs, m.train_s, m.plan_ms, m.wall_s,
                m.interrupted ? 1 : 0);
  std::string row = buf;
  for (const auto& name : stat_names) {
    row += ",";
    const auto it = m.plan_stats.find(name);
    if (it != m.plan_stats.end()) {
      std::snprintf(buf, sizeof(buf), "%.6g", it->second);
      row += buf;
    }
  }
  return row;
}

// Model inputs and targets from every stored transition.
std::pair<torch::Tensor, torch::Tensor> TrainingData(const data::ReplayBuffer& buffer,
                                                     const env::Task& task) {
  const auto t = ToTensors(buffer);
  return {torch::cat({task.PreprocessObs(t.obs), t.actions}, 1),
          task.TargetFromTransition(t.obs, t.next_obs)};
}

// The plans of one MPC episode: each replanning step's index, planned actions and predicted
// return (run_directory.h's PlansPath).
struct EpisodePlans {
  std::vector<int64_t> steps;
  std::vector<torch::Tensor> actions;  // [H, A] each
  std::vector<double> predicted;
};

void SavePlans(const EpisodePlans& plans, const std::string& path) {
  c10::Dict<std::string, torch::Tensor> dict;
  dict.insert("step", torch::tensor(plans.steps, torch::kInt64));
  dict.insert("predicted_return", torch::tensor(plans.predicted, torch::kFloat64));
  dict.insert("actions", plans.actions.empty() ? torch::zeros({0})
                                               : torch::stack(plans.actions).to(torch::kCPU));
  const std::vector<char> bytes = torch::pickle_save(dict);
  WriteTextAtomically(path, std::string(bytes.begin(), bytes.end()));
}

// pets.keep_models: keeps the model that planned `episode` under models/, and drops those beyond
// the last N kept.
void KeepModel(const std::string& keep, models::GaussianEnsemble& model, const std::string& run_dir,
               int episode) {
  namespace fs = std::filesystem;
  if (keep == "last") return;
  const fs::path dir = fs::path(run_dir) / "models";
  std::error_code ec;
  fs::create_directories(dir, ec);
  models::SaveEnsemble(model, KeptModelPath(run_dir, episode));
  if (keep == "all") return;
  std::vector<std::string> kept;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".pt") kept.push_back(it->path().filename().string());
  }
  std::sort(kept.begin(), kept.end());
  const size_t n = std::stoul(keep);
  for (size_t i = 0; i + n < kept.size(); ++i) fs::remove(dir / kept[i], ec);
}

}  // namespace

TransitionTensors ToTensors(const data::ReplayBuffer& buffer) {
  const int64_t n = buffer.Size();
  const auto copy = [n](const std::vector<float>& v, std::vector<int64_t> shape) {
    shape.insert(shape.begin(), n);
    return torch::from_blob(const_cast<float*>(v.data()), shape).clone();
  };
  return {copy(buffer.obs(), {buffer.obs_dim()}), copy(buffer.actions(), {buffer.action_dim()}),
          copy(buffer.rewards(), {}), copy(buffer.next_obs(), {buffer.obs_dim()})};
}

std::string MetricsCsvHeader(const std::vector<std::string>& stat_names) {
  std::string header =
      "episode,env_steps,steps,return,random,model_train_loss,model_holdout_loss,model_epochs,"
      "train_s,plan_ms_per_step,wall_s,interrupted";
  for (const auto& name : stat_names) header += ",plan_" + name;
  return header;
}

std::string EpisodeLine(const EpisodeMetrics& m, int episodes) {
  char line[256];
  std::snprintf(line, sizeof(line),
                "episode %d/%d  steps %lld  return %8.2f  %s  plan %.1f ms/step  model mse %.5f",
                m.episode, episodes, static_cast<long long>(m.env_steps), m.episode_return,
                m.interrupted ? "(stopped)" : m.random ? "(random)" : "(mpc)   ", m.plan_ms,
                m.holdout_loss);
  return line;
}

std::vector<EpisodeMetrics> RunPets(const config::Config& config, const torch::Device& device,
                                    const std::string& run_dir, const PetsHooks& hooks,
                                    bool resume, const env::TaskEntry* given_task) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(run_dir, ec);
  if (ec) throw Error("cannot create run directory " + run_dir + ": " + ec.message());
  // A resumed run's files change only once its checkpoint has loaded: a refused resume leaves
  // every file of the run as it was.
  if (!resume) WriteTextAtomically(run_dir + "/config.yaml", config::ConfigToYaml(config));
  auto log = MakeRunLogger(run_dir + "/log.txt");
  const auto phase = [&](const std::string& p) {
    if (hooks.on_phase) hooks.on_phase(p);
  };

  Stack stack = BuildStack(config, device, hooks.step_graphs, given_task);
  env::Env& env = *stack.env;
  const env::Task& task = *stack.task;
  agent::MpcAgent& agent = *stack.agent;
  const int obs_dim = env.ObsDim(), act_dim = env.ActionDim();
  const int length = stack.episode_length;
  const auto log_start = [&] {
    log->Info(Format("run %s: task %s (obs %d, action %d, %d steps per episode), planner %s, "
                     "device %s",
                     run_dir.c_str(), env::TaskLabel(config).c_str(), obs_dim, act_dim, length,
                     config.planner.type().c_str(), device.str().c_str()));
  };
  if (!resume) log_start();
  models::ModelTrainer trainer(stack.model, config.trainer,
                               StreamSeed(config.seed, SeedStream::kTrain), log);
  const auto low_v = env.ActionLow(), high_v = env.ActionHigh();

  data::ReplayBuffer buffer(obs_dim, act_dim);
  LoopState state;
  state.env_rng.seed(StreamSeed(config.seed, SeedStream::kEnv));
  state.action_rng.seed(StreamSeed(config.seed, SeedStream::kAction));
  if (resume) {
    state = LoadCheckpoint(run_dir, stack, trainer, buffer);
    WriteTextAtomically(run_dir + "/config.yaml", config::ConfigToYaml(config));
    log_start();
    log->Info(Format("resumed after episode %d (%lld transitions); anything saved of a later, "
                     "unfinished episode is dropped and that episode runs again",
                     state.episode, static_cast<long long>(buffer.Size())));
    if (hooks.on_resume) hooks.on_resume(state.episode, state.wall_s);
  }
  std::mt19937_64& env_rng = state.env_rng;
  std::mt19937_64& action_rng = state.action_rng;
  std::vector<EpisodeMetrics> all = state.metrics;
  std::set<std::string> stat_names(state.stat_names.begin(), state.stat_names.end());
  Stopwatch run_timer;
  const double wall_before = state.wall_s;
  models::TrainStats last_train = state.last_train;

  for (int ep = state.episode + 1; ep <= config.pets.episodes; ++ep) {
    EpisodeMetrics m;
    m.episode = ep;
    m.random = ep <= config.pets.seed_episodes || buffer.Size() == 0;
    if (!m.random) {
      phase("training model");
      Stopwatch train_timer;
      const auto [inputs, targets] = TrainingData(buffer, task);
      last_train = trainer.Train(inputs.to(device), targets.to(device));
      m.train_s = train_timer.Seconds();
      m.model_epochs = last_train.epochs;
    }
    m.train_loss = last_train.train_loss;
    m.holdout_loss = last_train.holdout_mse;

    phase(m.random ? "random actions" : "planning");
    auto obs = env.Reset(env_rng);
    agent.Reset();
    EpisodePlans plans;
    double plan_ms_total = 0;
    std::map<std::string, int> stat_counts;  // plans that reported each stat (a CUDA graph
                                             // replay reports no host timings)
    for (int t = 0; t < length; ++t) {
      std::vector<double> action(act_dim);
      if (m.random) {
        for (int i = 0; i < act_dim; ++i) {
          action[i] = std::uniform_real_distribution<double>(low_v[i], high_v[i])(action_rng);
        }
      } else {
        action = agent.Act(obs);
        if (agent.replanned()) {
          plan_ms_total += agent.last_plan_ms();
          plans.steps.push_back(t);
          plans.actions.push_back(agent.last_plan().actions.detach().to(torch::kCPU).clone());
          plans.predicted.push_back(agent.last_plan().expected_return);
          for (const auto& [name, value] : agent.last_plan().stats) {
            m.plan_stats[name] += value;
            ++stat_counts[name];
          }
        }
      }
      const auto step = env.Step(action);
      buffer.Add(obs, action, step.reward, step.obs, step.terminated);
      m.episode_return += step.reward;
      ++m.steps;
      obs = step.obs;
      if (hooks.on_step) hooks.on_step(ep, t + 1, length, m.episode_return);
      if (step.Ended()) break;
      if (hooks.should_stop && hooks.should_stop()) {
        m.interrupted = true;
        break;
      }
    }
    m.env_steps = buffer.Size();
    m.plan_ms = m.steps > 0 ? plan_ms_total / m.steps : 0;
    for (auto& [name, value] : m.plan_stats) {
      value /= std::max(stat_counts[name], 1);
      stat_names.insert(name);
    }
    m.wall_s = wall_before + run_timer.Seconds();
    all.push_back(m);

    // Persist everything the episode produced before reporting it: first the checkpoint of a
    // complete episode (what a resumed run continues from), then the run directory's files.
    const std::vector<std::string> names(stat_names.begin(), stat_names.end());
    if (!m.interrupted) {
      state.episode = ep;
      state.metrics = all;
      state.stat_names = names;
      state.last_train = last_train;
      state.wall_s = m.wall_s;
      SaveCheckpoint(run_dir, state, stack, trainer, buffer);
    }
    std::string csv = MetricsCsvHeader(names) + "\n";
    for (const auto& row : all) csv += MetricsRow(row, names) + "\n";
    WriteTextAtomically(run_dir + "/metrics.csv", csv);
    if (config.pets.save_buffer) buffer.Save(run_dir + "/replay_buffer.bin");
    if (config.pets.save_model) models::SaveEnsemble(stack.model, run_dir + "/model.pt");
    if (!m.random) {
      fs::create_directories(run_dir + "/plans", ec);
      SavePlans(plans, PlansPath(run_dir, ep));
      KeepModel(config.pets.keep_models, stack.model, run_dir, ep);
    }
    log->Info(Format("episode %d/%d: %d steps, return %.3f, %s, plan %.1f ms/step, model train "
                     "nll %.4f, holdout mse %.6f, wall %.1f s",
                     ep, config.pets.episodes, m.steps, m.episode_return,
                     m.random ? "random" : "mpc", m.plan_ms, m.train_loss, m.holdout_loss,
                     m.wall_s));
    if (hooks.on_episode) hooks.on_episode(m);
    if (m.interrupted) {
      log->Warn(Format("run interrupted during episode %d after %d steps; data saved in %s", ep,
                       m.steps, run_dir.c_str()));
      break;
    }
  }
  return all;
}

}  // namespace mbrl::algorithms
