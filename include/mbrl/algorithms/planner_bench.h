#pragma once
// Planning time, peak memory, operators and host syncs per MPC step, per task and planner, on a
// randomly initialised ensemble and real environment states; the ensemble forward pass in GFLOP/s.
#include <torch/torch.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "mbrl/config/config.h"

namespace mbrl::algorithms {

/// Whether a --tasks item is a config file (it ends in .yaml: a task from files, or any config)
/// rather than a task name.
bool IsTaskConfigFile(const std::string& task);
/// `config_dir`/<task>.yaml, or `task` itself when it is a config file; throws ConfigError naming
/// --config-dir (or --tasks) when it is missing.
std::string TaskConfigPath(const std::string& config_dir, const std::string& task);
/// The planner names that have a file in `planner_dir` (a file cem_gd.yaml is the name cem-gd),
/// sorted; empty for an empty or missing directory.
std::vector<std::string> PlannerFileNames(const std::string& planner_dir);

/// The config of one bench cell: `config_dir`/<task>.yaml with the planner section of `planner`
/// (`planner_dir`/<planner>.yaml when that file exists, else planner `planner` as --planner
/// takes it), horizon `horizon` (0: the task config's), then `overrides`.
config::Config BenchCellConfig(const std::string& config_dir, const std::string& task,
                               const std::string& planner, const std::string& planner_dir,
                               int horizon, const std::vector<std::string>& overrides);

/// One cell of the table.
struct PlannerBenchResult {
  std::string task, label, planner, device;
  int horizon = 0;
  int steps = 0;               ///< timed MPC steps (the first is an episode's t = 0)
  double first_ms = 0;         ///< the t = 0 step
  double mean_ms = 0;          ///< mean over the timed steps
  double median_ms = 0;        ///< median over the timed steps
  double later_mean_ms = 0;    ///< mean over steps t > 0 (= first_ms when steps == 1)
  int episode_length = 0;      ///< the task's episode length
  double episode_mean_ms = 0;  ///< (first + (L - 1) * later_mean) / L: per step over an episode
  /// Peak memory of a t = 0 planning step (MB): the tensor bytes allocated at its peak, counted
  /// by memory_probe "cuda" (the caching allocator's max_memory_allocated) or "cpu_tensors"
  /// (CpuTensorBytes).
  double peak_mb = 0;
  std::string memory_probe;
  double peak_rss_mb = 0;  ///< CPU: the step's increase of the process's peak RSS (MB); 0 on CUDA
  /// ATen operators dispatched in one later step (counted in an untimed step after the timed
  /// ones; on a GPU, about the kernel launches) and, of those, host synchronisations (reading a
  /// value, data-dependent shapes: mbrl::IsHostSyncOp), with the synchronising ops by name.
  double ops_per_step = 0;
  double syncs_per_step = 0;
  std::map<std::string, double> sync_ops;
  /// The arithmetic floor: the matrix products' GFLOP of a t = 0 step and of a later step (counted
  /// by OpCounter in the untimed warm-up t = 0 plan and in an untimed later step after the timed
  /// ones; backward passes included), and the large-GEMM rate (GemmProbe, kGemmSize) right after
  /// each timed step, their harmonic mean: the step times and the rate come from the same
  /// moments of a machine whose speed drifts. A step cannot run faster than its GFLOP at that
  /// rate.
  double first_gflop = 0;
  double later_gflop = 0;
  double gemm_gflops = 0;
  /// The planner's own time splits (its stats named *_ms, e.g. CEM-GD's cem_ms and refine_ms),
  /// averaged over steps t > 0 (over all steps when steps == 1).
  std::map<std::string, double> later_stats;
};

/// Times `steps` MPC steps of `config`'s planner from real states of its task (the env executes
/// each plan's first action), on a randomly initialised ensemble. Before timing, one untimed t = 0
/// plan warms up and measures peak memory; the planner is then reset. `on_step(done, total)`
/// reports progress. Run it in a fresh process per cell: the RSS probe sees the process's peak.
/// `floor`: time the large GEMM after each timed step (gemm_gflops); off, it stays 0.
PlannerBenchResult BenchPlanner(const config::Config& config, const std::string& label, int steps,
                                const torch::Device& device,
                                const std::function<void(int, int)>& on_step = {},
                                bool floor = true);

/// The floor of a step of `gflop` GFLOP at `r`'s GEMM rate (ms); 0 when either is unknown.
double FloorMs(const PlannerBenchResult& r, double gflop);

/// One result as a JSON object and back (bench cells run in child processes).
std::string BenchResultToJson(const PlannerBenchResult& result);
PlannerBenchResult BenchResultFromJson(const std::string& text);

/// Speed of the ensemble forward pass used in planning.
struct ForwardBenchResult {
  int64_t rows_per_member = 0;  ///< rows each member sees in one call ([E, rows, in])
  double ms_per_call = 0;
  double gflops = 0;            ///< 2 * E * rows * sum(in_l * out_l) per call, per second
  /// The same rows as a split sampling rollout runs them (CPU, models::SplitRolloutParts with
  /// the config's particles > 1): in `parts` parts side by side in threads. 0 when not split.
  int64_t parts = 0;
  double parts_ms_per_call = 0;
  double parts_gflops = 0;
};

/// Times `model config`'s ensemble forward (random weights, no autograd) on [E, rows, in] inputs
/// for at least `min_seconds`: ms per call in the fastest of three equal windows.
ForwardBenchResult BenchEnsembleForward(const config::Config& config, int64_t rows_per_member,
                                        const torch::Device& device, double min_seconds = 1.0);
/// The default n of the large GEMM: large enough for a CPU's and a GPU's GEMM to reach speed.
constexpr int64_t kGemmSize = 2048;

/// The machine's large-GEMM rate at one moment, the practical limit of its matrix products: on
/// the CPU, one torch::mm of two [n, n] float matrices on each thread the rollouts use
/// (models::InferenceThreads()), side by side, each with single-threaded BLAS, as a split
/// rollout's parts run theirs (RunTasksOnThreads); on a GPU, 8 products in a row. Where RowGemm
/// runs (core/row_gemm.h), also kRowGemmProducts of its products at a split part's hidden layer
/// ([512, 200] x [200, 200], in cache: it does no cache blocking) on each thread, and the faster
/// of the two rates counts. The inputs are made, and one untimed round run, at construction.
class GemmProbe {
 public:
  GemmProbe(int64_t n, const torch::Device& device);
  /// GFLOP/s of one timed round (of each kind, the faster).
  double Gflops();
  static constexpr int kRowGemmProducts = 64;
  /// RowGemm's products: a split part's rows per member (at most 512) through a hidden layer of
  /// the default ensemble, [kRowRows, kRowWidth] x [kRowWidth, kRowWidth].
  static constexpr int64_t kRowRows = 512, kRowWidth = 200;

 private:
  torch::Device device_;
  int64_t n_;
  int products_;                          // per round: one per thread (CPU), or 8 (GPU)
  std::vector<torch::Tensor> a_, b_, c_;  // per thread (CPU) or one (GPU)
  std::vector<torch::Tensor> row_x_, row_w_, row_out_;  // per thread, where RowGemm runs
  void Round();
  void RowGemmRound();
};

/// GFLOP/s of the fastest of GemmProbe's rounds over at least `min_seconds` (3 rounds or more).
double BenchLargeGemm(int64_t n, const torch::Device& device, double min_seconds = 1.0);

}  // namespace mbrl::algorithms
