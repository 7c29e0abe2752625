#include "mbrl/algorithms/planner_bench.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "mbrl/config/loader.h"
#include "mbrl/core/blas_threads.h"
#include "mbrl/core/error.h"
#include "mbrl/core/memory.h"
#include "mbrl/core/seeding.h"
#include "mbrl/core/timer.h"
#include "mbrl/env/registry.h"
#include "mbrl/models/gaussian_ensemble.h"
#include "mbrl/models/model_rollout.h"
#include "mbrl/planning/registry.h"

namespace mbrl::algorithms {
namespace {

struct LabelSettings {
  std::string planner;                 // registry name
  std::vector<std::string> overrides;  // planner.* settings
};

// The paper's planner settings per label (paper.md): CEM with N = n samples x m iterations.
const std::map<std::string, LabelSettings>& PaperSettings() {
  static const std::map<std::string, LabelSettings> kSettings = {
      {"cem50", {"cem", {"planner.population=10", "planner.iterations=5", "planner.min_variance=0"}}},
      {"cem500", {"cem", {"planner.population=100", "planner.iterations=5", "planner.min_variance=0"}}},
      {"cem5000", {"cem", {"planner.population=100", "planner.iterations=50", "planner.min_variance=0"}}},
      {"cem-gd",
       {"cem-gd",
        {"planner.n_init=15000", "planner.n_r=50", "planner.top_k=1", "planner.grad_steps=10",
         "planner.eta_init=0.01", "planner.rho=0.67", "planner.line_search_trials=8"}}},
  };
  return kSettings;
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// Waits for queued CUDA work, so a timer read after it sees the work done (no-op on the CPU).
void Sync(const torch::Device& device) {
  if (device.is_cuda()) torch::zeros({1}, torch::TensorOptions().device(device)).item<float>();
}

std::string Fixed(double v, int digits) {
  if (std::isnan(v)) return "";
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(digits);
  out << v;
  return out.str();
}

}  // namespace

std::optional<PaperNumbers> PaperPlannerNumbers(const std::string& task, const std::string& label) {
  // Columns: cartpole, half-cheetah, humanoid, pusher (paper.md, Tables 1 and 2).
  static const std::vector<std::string> kTasks = {"cartpole_swingup", "half_cheetah",
                                                  "humanoid_standup", "pusher"};
  static const std::map<std::string, std::vector<PaperNumbers>> kNumbers = {
      {"cem50", {{0.36, 7.2}, {0.36, 8.1}, {0.39, 9.9}, {0.36, 8.3}}},
      {"cem500", {{0.39, 12.9}, {0.39, 14.3}, {0.41, 17.3}, {0.38, 14.4}}},
      {"cem5000", {{3.35, 12.9}, {3.38, 14.3}, {3.44, 17.3}, {3.33, 14.4}}},
      {"cem-gd", {{2.18, 11.4}, {2.63, 12.2}, {2.59, 14.3}, {2.58, 12.4}}},
  };
  const auto row = kNumbers.find(label);
  const auto col = std::find(kTasks.begin(), kTasks.end(), task);
  if (row == kNumbers.end() || col == kTasks.end()) return std::nullopt;
  return row->second[static_cast<size_t>(col - kTasks.begin())];
}

const std::vector<std::string>& PaperPlannerLabels() {
  static const std::vector<std::string> kLabels = {"cem50", "cem500", "cem5000", "cem-gd"};
  return kLabels;
}

config::Config BenchCellConfig(const std::string& task_config, const std::string& label,
                               int horizon, const std::vector<std::string>& overrides) {
  config::LoadOptions options{task_config, label, {}};
  const auto paper = PaperSettings().find(label);
  if (paper != PaperSettings().end()) {
    options.planner = paper->second.planner;
    options.overrides = paper->second.overrides;
  }
  options.overrides.push_back("agent.horizon=" + std::to_string(horizon));
  options.overrides.insert(options.overrides.end(), overrides.begin(), overrides.end());
  return config::LoadConfig(options);
}

PlannerBenchResult BenchPlanner(const config::Config& config, const std::string& label, int steps,
                                const torch::Device& device,
                                const std::function<void(int, int)>& on_step) {
  if (steps < 1) throw ConfigError("--steps: expected an integer >= 1, got " + std::to_string(steps));
  const uint64_t seed = static_cast<uint64_t>(config.seed);
  SeedTorchGlobal(seed);
  auto env = env::MakeEnv(config.task);
  auto task = env::MakeTask(config.task);
  // Random initial weights: timing and memory do not depend on what the model learned.
  models::GaussianEnsemble model(config.model, task->ModelObsDim() + env->ActionDim(),
                                 env->ObsDim());
  model->to(device);
  model->eval();
  models::ModelRollout rollout(model, *task, config.rollout, device, DeriveSeed(seed, 1));
  const auto low = env->ActionLow(), high = env->ActionHigh();
  planning::PlanSpace space{
      torch::tensor(std::vector<float>(low.begin(), low.end())).to(device),
      torch::tensor(std::vector<float>(high.begin(), high.end())).to(device),
      config.agent.horizon};
  auto planner = planning::MakePlanner(config.planner, space, device, DeriveSeed(seed, 2));
  std::mt19937_64 env_rng(DeriveSeed(seed, 3));
  auto obs = env->Reset(env_rng);
  const auto to_tensor = [&](const std::vector<double>& o) {
    return torch::tensor(std::vector<float>(o.begin(), o.end())).to(device);
  };
  const auto sync = [&] { Sync(device); };

  PlannerBenchResult r;
  r.task = config.task;
  r.label = label;
  r.planner = config.planner.type;
  r.device = device.str();
  r.horizon = config.agent.horizon;
  r.steps = steps;
  r.episode_length = config.env.episode_length > 0 ? config.env.episode_length : env->EpisodeLength();

  // Warm-up: lazy initialisation (thread pools, kernels) on one sequence, then one full t = 0
  // plan, whose peak memory increase is the table's number.
  {
    torch::NoGradGuard no_grad;
    rollout.Evaluate(to_tensor(obs), space.low.unsqueeze(0).unsqueeze(0).expand(
                                         {1, config.agent.horizon, space.low.size(0)}));
  }
  sync();
  const int cuda_index = device.is_cuda() ? std::max<int>(0, device.index()) : 0;
  const int64_t rss_before = CurrentRssBytes();
  ResetPeakRss();
  int64_t cuda_before = 0;
  if (device.is_cuda()) {
    cuda_before = CudaAllocatedBytes(cuda_index);
    ResetCudaPeak(cuda_index);
  }
  planner->Reset();
  planner->Plan(to_tensor(obs), rollout);
  sync();
  if (device.is_cuda() && HaveCudaMemoryStats()) {
    r.memory_probe = "cuda";
    r.peak_mb = static_cast<double>(CudaPeakAllocatedBytes(cuda_index) - cuda_before) / (1 << 20);
  } else {
    r.memory_probe = "rss";
    r.peak_mb = static_cast<double>(std::max<int64_t>(0, PeakRssBytes() - rss_before)) / (1 << 20);
  }

  // Timed: an episode's first `steps` MPC steps from real states.
  planner->Reset();
  std::vector<double> ms;
  std::map<std::string, double> stat_sums;
  for (int t = 0; t < steps; ++t) {
    Stopwatch watch;
    const auto plan = planner->Plan(to_tensor(obs), rollout);
    sync();
    ms.push_back(watch.Seconds() * 1000.0);
    if (t > 0 || steps == 1) {
      for (const auto& [name, value] : plan.stats) {
        // Time splits, and how much the line search worked (trials against accepted steps).
        const bool is_ms = name.size() > 3 && name.compare(name.size() - 3, 3, "_ms") == 0;
        if (is_ms || name == "line_search_trials" || name == "steps_accepted") {
          stat_sums[name] += value;
        }
      }
    }
    planner->SetPrevious(plan.actions);
    const auto first = plan.actions[0].to(torch::kCPU, torch::kDouble).contiguous();
    const auto step = env->Step(std::vector<double>(first.data_ptr<double>(),
                                                    first.data_ptr<double>() + first.numel()));
    obs = step.terminated ? env->Reset(env_rng) : step.obs;
    if (on_step) on_step(t + 1, steps);
  }
  r.first_ms = ms.front();
  double sum = 0;
  for (double v : ms) sum += v;
  r.mean_ms = sum / ms.size();
  r.median_ms = Median(ms);
  r.later_mean_ms = ms.size() > 1 ? (sum - ms.front()) / (ms.size() - 1) : ms.front();
  const double L = std::max(1, r.episode_length);
  r.episode_mean_ms = (r.first_ms + (L - 1) * r.later_mean_ms) / L;
  for (const auto& [name, sum] : stat_sums) r.later_stats[name] = sum / std::max(1, steps - 1);
  return r;
}

namespace {
// Runs `call` repeatedly for at least `min_seconds` (after one untimed call); ms per call.
double TimePerCall(const std::function<void()>& call, const torch::Device& device,
                   double min_seconds) {
  const auto sync = [&] { Sync(device); };
  call();
  sync();
  Stopwatch watch;
  int calls = 0;
  do {
    call();
    ++calls;
    if (calls % 4 == 0) sync();
  } while (watch.Seconds() < min_seconds || calls % 4 != 0);
  sync();
  return watch.Seconds() * 1000.0 / calls;
}
}  // namespace

ForwardBenchResult BenchEnsembleForward(const config::Config& config, int64_t rows_per_member,
                                        const torch::Device& device, double min_seconds) {
  torch::NoGradGuard no_grad;
  auto env = env::MakeEnv(config.task);
  auto task = env::MakeTask(config.task);
  const int64_t in = task->ModelObsDim() + env->ActionDim(), out = env->ObsDim();
  models::GaussianEnsemble model(config.model, in, out);
  model->to(device);
  model->eval();
  const int64_t E = model->ensemble_size();
  const auto x = torch::randn({E, rows_per_member, in}, torch::TensorOptions().device(device));
  ForwardBenchResult r;
  r.rows_per_member = rows_per_member;
  r.ms_per_call = TimePerCall([&] { model->forward(x); }, device, min_seconds);
  // Multiply-adds of the layers: in -> hidden -> ... -> hidden -> 2 * out.
  double macs = 0;
  int64_t prev = in;
  for (int l = 0; l < config.model.num_layers; ++l) {
    macs += static_cast<double>(prev) * config.model.hidden_size;
    prev = config.model.hidden_size;
  }
  macs += static_cast<double>(prev) * 2 * out;
  r.gflops = 2.0 * macs * E * rows_per_member / (r.ms_per_call * 1e6);
  // As a split sampling rollout runs it: the rows in parts, each through ForwardRows in one
  // thread with single-threaded BLAS.
  const int64_t P = config.rollout.particles;
  const int64_t parts = models::SplitRolloutParts(E * rows_per_member / P, P);
  if (device.is_cpu() && parts > 1) {
    const int64_t per = (rows_per_member + parts - 1) / parts;
    r.parts = parts;
    r.parts_ms_per_call = TimePerCall(
        [&] {
          RunTasksOnThreads(parts, models::InferenceThreads(), [&](int64_t k) {
            torch::NoGradGuard no_grad_here;  // grad mode is per thread
            const int64_t start = k * per, len = std::min(per, rows_per_member - start);
            if (len > 0) model->ForwardRows(x.narrow(1, start, len));
          });
        },
        device, min_seconds);
    r.parts_gflops = 2.0 * macs * E * rows_per_member / (r.parts_ms_per_call * 1e6);
  }
  return r;
}

double BenchLargeGemm(int64_t n, const torch::Device& device, double min_seconds) {
  torch::NoGradGuard no_grad;
  const auto opts = torch::TensorOptions().device(device);
  const auto a = torch::randn({n, n}, opts), b = torch::randn({n, n}, opts);
  auto c = torch::empty({n, n}, opts);
  const double ms = TimePerCall([&] { torch::mm_out(c, a, b); }, device, min_seconds);
  return 2.0 * static_cast<double>(n) * n * n / (ms * 1e6);
}

namespace {
// The paper's numbers apply to its horizon only.
std::optional<PaperNumbers> PaperFor(const PlannerBenchResult& r) {
  if (r.horizon != 45) return std::nullopt;
  return PaperPlannerNumbers(r.task, r.label);
}
}  // namespace

std::string BenchCsv(const std::vector<PlannerBenchResult>& results) {
  std::string out =
      "task,planner,type,device,horizon,steps,first_ms,mean_ms,median_ms,later_mean_ms,"
      "episode_length,episode_mean_s,peak_mb,memory_probe,paper_time_s,paper_memory_mb,"
      "later_stats\n";
  for (const auto& r : results) {
    const auto paper = PaperFor(r);
    out += r.task + "," + r.label + "," + r.planner + "," + r.device + "," +
           std::to_string(r.horizon) + "," + std::to_string(r.steps) + "," + Fixed(r.first_ms, 1) +
           "," + Fixed(r.mean_ms, 1) + "," + Fixed(r.median_ms, 1) + "," +
           Fixed(r.later_mean_ms, 1) + "," + std::to_string(r.episode_length) + "," +
           Fixed(r.episode_mean_ms / 1000.0, 3) + "," + Fixed(r.peak_mb, 1) + "," +
           r.memory_probe + "," + (paper ? Fixed(paper->time_s, 2) : "") + "," +
           (paper ? Fixed(paper->memory_mb, 1) : "") + ",";
    std::string stats;
    for (const auto& [name, value] : r.later_stats) {
      stats += (stats.empty() ? "" : ";") + name + "=" + Fixed(value, 1);
    }
    out += stats + "\n";
  }
  return out;
}

std::string BenchMarkdown(const std::vector<PlannerBenchResult>& results) {
  std::string out =
      "| task | planner | t=0 step (s) | later steps, mean (s) | median (s) | per step over an "
      "episode (s) | paper time (s) | peak memory (MB) | paper memory (MB) |\n"
      "|---|---|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& r : results) {
    const auto paper = PaperFor(r);
    out += "| " + r.task + " | " + r.label + " | " + Fixed(r.first_ms / 1000, 3) + " | " +
           Fixed(r.later_mean_ms / 1000, 3) + " | " + Fixed(r.median_ms / 1000, 3) + " | " +
           Fixed(r.episode_mean_ms / 1000, 3) + " | " + (paper ? Fixed(paper->time_s, 2) : "") +
           " | " + Fixed(r.peak_mb, 1) + " | " + (paper ? Fixed(paper->memory_mb, 1) : "") +
           " |\n";
  }
  return out;
}

std::string BenchResultToJson(const PlannerBenchResult& r) {
  nlohmann::json j = {{"task", r.task},
                      {"label", r.label},
                      {"planner", r.planner},
                      {"device", r.device},
                      {"horizon", r.horizon},
                      {"steps", r.steps},
                      {"first_ms", r.first_ms},
                      {"mean_ms", r.mean_ms},
                      {"median_ms", r.median_ms},
                      {"later_mean_ms", r.later_mean_ms},
                      {"episode_length", r.episode_length},
                      {"episode_mean_ms", r.episode_mean_ms},
                      {"peak_mb", r.peak_mb},
                      {"memory_probe", r.memory_probe},
                      {"later_stats", r.later_stats}};
  return j.dump();
}

PlannerBenchResult BenchResultFromJson(const std::string& text) {
  try {
    const auto j = nlohmann::json::parse(text);
    PlannerBenchResult r;
    r.task = j.at("task");
    r.label = j.at("label");
    r.planner = j.at("planner");
    r.device = j.at("device");
    r.horizon = j.at("horizon");
    r.steps = j.at("steps");
    r.first_ms = j.at("first_ms");
    r.mean_ms = j.at("mean_ms");
    r.median_ms = j.at("median_ms");
    r.later_mean_ms = j.at("later_mean_ms");
    r.episode_length = j.at("episode_length");
    r.episode_mean_ms = j.at("episode_mean_ms");
    r.peak_mb = j.at("peak_mb");
    r.memory_probe = j.at("memory_probe");
    if (j.contains("later_stats")) {
      r.later_stats = j.at("later_stats").get<std::map<std::string, double>>();
    }
    return r;
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string("bench cell result is not valid JSON: ") + e.what());
  }
}

}  // namespace mbrl::algorithms
