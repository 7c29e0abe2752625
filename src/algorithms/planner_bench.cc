#include "mbrl/algorithms/planner_bench.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <random>

#include "mbrl/algorithms/stack.h"
#include "mbrl/config/loader.h"
#include "mbrl/core/blas_threads.h"
#include "mbrl/core/error.h"
#include "mbrl/core/memory.h"
#include "mbrl/core/op_counter.h"
#include "mbrl/core/row_gemm.h"
#include "mbrl/core/timer.h"
#include "mbrl/env/registry.h"
#include "mbrl/planning/graphed_planner.h"

namespace mbrl::algorithms {
namespace {

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

}  // namespace

std::string TaskConfigPath(const std::string& config_dir, const std::string& task) {
  std::error_code ec;
  if (IsTaskConfigFile(task)) {
    if (!std::filesystem::is_regular_file(task, ec)) {
      throw ConfigError("--tasks: " + task + ": no such config file");
    }
    return task;
  }
  const std::string path = config_dir + "/" + task + ".yaml";
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw ConfigError("--config-dir: no config for task '" + task + "' (expected " + path + ")");
  }
  return path;
}

bool IsTaskConfigFile(const std::string& task) {
  return task.size() > 5 && task.compare(task.size() - 5, 5, ".yaml") == 0;
}

std::vector<std::string> PlannerFileNames(const std::string& planner_dir) {
  std::vector<std::string> names;
  std::error_code ec;
  if (planner_dir.empty() || !std::filesystem::is_directory(planner_dir, ec)) return names;
  for (std::string f : config::PlannerFilesIn(planner_dir)) {
    std::replace(f.begin(), f.end(), '_', '-');  // cem_gd.yaml is the name cem-gd
    names.push_back(f);
  }
  return names;
}

config::Config BenchCellConfig(const std::string& config_dir, const std::string& task,
                               const std::string& planner, const std::string& planner_dir,
                               int horizon, const std::vector<std::string>& overrides) {
  config::LoadOptions options{TaskConfigPath(config_dir, task), planner, overrides};
  const auto in_dir = PlannerFileNames(planner_dir);
  if (std::find(in_dir.begin(), in_dir.end(), planner) != in_dir.end()) {
    options.planner_dir = planner_dir;
  }
  if (horizon > 0) {
    options.overrides.insert(options.overrides.begin(), "agent.horizon=" + std::to_string(horizon));
  }
  return config::LoadConfig(options);
}

PlannerBenchResult BenchPlanner(const config::Config& config, const std::string& label, int steps,
                                const torch::Device& device,
                                const std::function<void(int, int)>& on_step, bool floor) {
  if (steps < 1) throw ConfigError("--steps: expected an integer >= 1, got " + std::to_string(steps));
  // Random initial weights: timing and memory do not depend on what the model learned.
  Stack stack = BuildStack(config, device);
  stack.model->eval();
  env::Env& env = *stack.env;
  models::ModelRollout& rollout = *stack.rollout;
  planning::Planner& planner = stack.planner();
  const auto* graphed = dynamic_cast<const planning::GraphedPlanner*>(&planner);
  const planning::PlanSpace& space = stack.space;
  std::mt19937_64 env_rng(StreamSeed(config.seed, SeedStream::kEnv));
  auto obs = env.Reset(env_rng);
  const auto to_tensor = [&](const std::vector<double>& o) {
    return torch::tensor(std::vector<float>(o.begin(), o.end())).to(device);
  };
  const auto sync = [&] { Sync(device); };

  PlannerBenchResult r;
  r.task = env::TaskLabel(config);
  r.label = label;
  r.planner = config.planner.type();
  r.device = device.str();
  r.horizon = config.agent.horizon;
  r.steps = steps;
  r.episode_length = stack.episode_length;

  // Warm-up: lazy initialisation (thread pools, kernels) on one sequence, then one full t = 0
  // plan, whose peak memory increase is the table's number and whose matrix products are counted
  // (the counter keeps no tensors).
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
  constexpr double kMb = 1 << 20;
  {
    std::optional<CpuTensorBytes> cpu_tensors;  // CUDA has its own count
    if (!device.is_cuda()) cpu_tensors.emplace();
    planner.Reset();
    OpCounter counter;
    planner.Plan(to_tensor(obs), rollout);
    sync();
    r.first_gflop = counter.matmul_flops() / 1e9;
    if (device.is_cuda()) {
      r.memory_probe = "cuda";
      r.peak_mb = static_cast<double>(CudaPeakAllocatedBytes(cuda_index) - cuda_before) / kMb;
    } else {
      r.memory_probe = "cpu_tensors";
      r.peak_mb = static_cast<double>(cpu_tensors->PeakBytes()) / kMb;
      r.peak_rss_mb = static_cast<double>(std::max<int64_t>(0, PeakRssBytes() - rss_before)) / kMb;
    }
  }

  // Timed: an episode's first `steps` MPC steps from real states, each followed by a round of
  // the large GEMM (untimed for the step).
  std::optional<GemmProbe> gemm;
  if (floor) gemm.emplace(kGemmSize, device);
  double inverse_rate_sum = 0;
  planner.Reset();
  std::vector<double> ms;
  std::map<std::string, double> stat_sums;
  for (int t = 0; t < steps; ++t) {
    Stopwatch watch;
    const auto plan = planner.Plan(to_tensor(obs), rollout);
    sync();
    ms.push_back(watch.Seconds() * 1000.0);
    if (gemm) inverse_rate_sum += 1.0 / gemm->Gflops();
    if (t > 0 || steps == 1) {
      for (const auto& [name, value] : plan.stats) {
        // Time splits, and how much the line search worked (trials against accepted steps).
        const bool is_ms = name.size() > 3 && name.compare(name.size() - 3, 3, "_ms") == 0;
        if (is_ms || name == "line_search_trials" || name == "steps_accepted") {
          stat_sums[name] += value;
        }
      }
    }
    planner.SetPrevious(plan.actions);
    if (t == 0 && graphed) {
      // The first warm-started step captures the CUDA graph (warm-up runs and the capture):
      // timed apart, untimed here, so that the later steps are replays.
      Stopwatch capture;
      planner.Plan(to_tensor(obs), rollout);
      sync();
      r.later_stats["graph_capture_ms"] = capture.Seconds() * 1000.0;
      planner.SetPrevious(plan.actions);
    }
    const auto first = plan.actions[0].to(torch::kCPU, torch::kDouble).contiguous();
    const auto step = env.Step(std::vector<double>(first.data_ptr<double>(),
                                                    first.data_ptr<double>() + first.numel()));
    obs = step.Ended() ? env.Reset(env_rng) : step.obs;
    if (on_step) on_step(t + 1, steps);
  }
  if (gemm) r.gemm_gflops = static_cast<double>(steps) / inverse_rate_sum;  // harmonic mean
  // One more later step, untimed, with its operators, host synchronisations and matrix products
  // counted.
  {
    OpCounter counter;
    planner.PlanStep(to_tensor(obs), rollout);  // the step; its device stats are not read
    r.ops_per_step = static_cast<double>(counter.ops());
    r.syncs_per_step = static_cast<double>(counter.syncs());
    for (const auto& [name, n] : counter.SyncsByName()) r.sync_ops[name] = static_cast<double>(n);
    r.later_gflop = counter.matmul_flops() / 1e9;
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
// Runs `call` repeatedly for at least `min_seconds` (after one untimed call), in kTimingWindows
// windows of equal length; ms per call in the fastest window. A shared or frequency-scaling
// machine's slow spells only lengthen the other windows.
constexpr int kTimingWindows = 3;
double TimePerCall(const std::function<void()>& call, const torch::Device& device,
                   double min_seconds) {
  const auto sync = [&] { Sync(device); };
  call();
  sync();
  double best = std::numeric_limits<double>::infinity();
  for (int w = 0; w < kTimingWindows; ++w) {
    Stopwatch watch;
    int calls = 0;
    do {
      call();
      ++calls;
      if (calls % 4 == 0) sync();
    } while (watch.Seconds() < min_seconds / kTimingWindows || calls % 4 != 0);
    sync();
    best = std::min(best, watch.Seconds() * 1000.0 / calls);
  }
  return best;
}
}  // namespace

ForwardBenchResult BenchEnsembleForward(const config::Config& config, int64_t rows_per_member,
                                        const torch::Device& device, double min_seconds) {
  torch::NoGradGuard no_grad;
  Stack stack = BuildStack(config, device);
  auto& model = stack.model;
  model->eval();
  const int64_t in = stack.task->ModelObsDim() + stack.env->ActionDim(), out = stack.env->ObsDim();
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
            const int64_t start = k * per, len = std::min(per, rows_per_member - start);
            if (len > 0) model->ForwardRows(x.narrow(1, start, len));
          });
        },
        device, min_seconds);
    r.parts_gflops = 2.0 * macs * E * rows_per_member / (r.parts_ms_per_call * 1e6);
  }
  return r;
}

GemmProbe::GemmProbe(int64_t n, const torch::Device& device)
    : device_(device), n_(n), products_(device.is_cpu() ? models::InferenceThreads() : 8) {
  torch::NoGradGuard no_grad;
  const auto opts = torch::TensorOptions().device(device);
  for (int k = 0; k < (device.is_cpu() ? products_ : 1); ++k) {
    a_.push_back(torch::randn({n, n}, opts));
    b_.push_back(torch::randn({n, n}, opts));
    c_.push_back(torch::empty({n, n}, opts));
    if (device.is_cpu() && RowGemmAvailable()) {
      row_x_.push_back(torch::randn({kRowRows, kRowWidth}));
      row_w_.push_back(torch::randn({kRowWidth, kRowWidth}));
      row_out_.push_back(torch::empty({kRowRows, kRowWidth}));
    }
  }
  Round();
  if (!row_x_.empty()) RowGemmRound();
}

void GemmProbe::RowGemmRound() {
  RunTasksOnThreads(products_, products_, [&](int64_t k) {
    for (int i = 0; i < kRowGemmProducts; ++i) {
      RowGemm(row_x_[k].data_ptr<float>(), row_w_[k].data_ptr<float>(), kRowRows,
              kRowWidth, kRowWidth, row_out_[k].data_ptr<float>());
    }
  });
}

void GemmProbe::Round() {
  torch::NoGradGuard no_grad;
  if (device_.is_cpu()) {
    RunTasksOnThreads(products_, products_,
                      [&](int64_t k) { torch::mm_out(c_[k], a_[k], b_[k]); });
  } else {
    for (int k = 0; k < products_; ++k) torch::mm_out(c_[0], a_[0], b_[0]);
    Sync(device_);
  }
}

double GemmProbe::Gflops() {
  Stopwatch watch;
  Round();
  const double flop = 2.0 * static_cast<double>(n_) * n_ * n_ * products_;
  const double gemm = flop / (watch.Seconds() * 1e9);
  if (row_x_.empty()) return gemm;
  Stopwatch row_watch;
  RowGemmRound();
  const double row_flop = 2.0 * kRowRows * kRowWidth * kRowWidth *
                          static_cast<double>(kRowGemmProducts) * products_;
  return std::max(gemm, row_flop / (row_watch.Seconds() * 1e9));
}

double BenchLargeGemm(int64_t n, const torch::Device& device, double min_seconds) {
  GemmProbe probe(n, device);
  Stopwatch watch;
  double best = 0;
  for (int round = 0; round < 3 || watch.Seconds() < min_seconds; ++round) {
    best = std::max(best, probe.Gflops());
  }
  return best;
}

double FloorMs(const PlannerBenchResult& r, double gflop) {
  return r.gemm_gflops > 0 ? 1000.0 * gflop / r.gemm_gflops : 0.0;
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
                      {"peak_rss_mb", r.peak_rss_mb},
                      {"ops_per_step", r.ops_per_step},
                      {"syncs_per_step", r.syncs_per_step},
                      {"sync_ops", r.sync_ops},
                      {"first_gflop", r.first_gflop},
                      {"later_gflop", r.later_gflop},
                      {"gemm_gflops", r.gemm_gflops},
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
    if (j.contains("peak_rss_mb")) r.peak_rss_mb = j.at("peak_rss_mb");
    if (j.contains("ops_per_step")) r.ops_per_step = j.at("ops_per_step");
    if (j.contains("syncs_per_step")) r.syncs_per_step = j.at("syncs_per_step");
    if (j.contains("sync_ops")) r.sync_ops = j.at("sync_ops").get<std::map<std::string, double>>();
    for (const auto& [key, field] : {std::pair{"first_gflop", &r.first_gflop},
                                     std::pair{"later_gflop", &r.later_gflop},
                                     std::pair{"gemm_gflops", &r.gemm_gflops}}) {
      if (j.contains(key)) *field = j.at(key);
    }
    if (j.contains("later_stats")) {
      r.later_stats = j.at("later_stats").get<std::map<std::string, double>>();
    }
    return r;
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string("bench cell result is not valid JSON: ") + e.what());
  }
}

}  // namespace mbrl::algorithms
