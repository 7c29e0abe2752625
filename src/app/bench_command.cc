// `mbrl bench planners`: planning time and peak memory per task and planner, a paper's numbers
// beside them where a tables file gives them; `mbrl bench forward`: the ensemble forward pass in
// GFLOP/s against the GEMM rate (algorithms::GemmProbe: a large GEMM, or RowGemm's products where
// they run faster).
#include <cstdio>
#include <string>
#include <vector>

#include "commands.h"
#include "mbrl/algorithms/planner_bench.h"
#include "mbrl/config/loader.h"
#include "mbrl/core/atomic_file.h"
#include "mbrl/core/blas_threads.h"
#include "mbrl/core/device.h"
#include "mbrl/core/error.h"
#include "mbrl/core/process.h"
#include "mbrl/core/progress.h"
#include "mbrl/core/strings.h"
#include "mbrl/core/timer.h"
#include "mbrl/experiments/bench_grid.h"
#include "mbrl/experiments/bench_report.h"

namespace mbrl::app {
namespace {

struct BenchOptions {
  experiments::PlannerBenchOptions planners;  // bench planners
  std::string cell_json;  // internal: run one cell in this process and write its result here
  // bench forward
  std::string tasks = "cartpole_swingup,half_cheetah,humanoid_standup,pusher";
  std::string config_dir = "configs";
  std::string device = "cpu";
  std::vector<std::string> overrides;
  std::string rows = "40,200,1600,6553";
  int64_t gemm_n = algorithms::kGemmSize;
};

torch::Device PickDevice(const std::string& name) {
  const DeviceChoice device = ResolveDevice(name, "--device");
  if (!device.warning.empty()) std::fprintf(stderr, "warning: %s\n", device.warning.c_str());
  return device.device;
}

// Child mode: one task and planner in this (fresh) process.
int RunCell(const BenchOptions& opt) {
  const auto& p = opt.planners;
  const std::string task = experiments::BenchTasks(p)[0];
  const std::string label = experiments::BenchPlanners(p)[0];
  const auto config = experiments::BenchCell(p, task, label, nullptr);
  Progress progress(stderr, !p.quiet);
  const auto result = algorithms::BenchPlanner(
      config, label, p.steps, PickDevice(p.device),
      [&](int done, int total) {
        progress.Update("bench: " + task + " " + label + "  step " + std::to_string(done) + "/" +
                        std::to_string(total));
      },
      p.floor);
  progress.Clear();
  WriteTextAtomically(opt.cell_json, algorithms::BenchResultToJson(result));
  return 0;
}

int RunPlanners(const BenchOptions& opt) {
  if (!opt.cell_json.empty()) return RunCell(opt);
  experiments::BenchGridHooks hooks;
  Stopwatch timer;
  hooks.on_start = [](size_t i, size_t n, const std::string& t, const std::string& p) {
    std::fprintf(stderr, "[%zu/%zu] %s %s ...\n", i, n, t.c_str(), p.c_str());
  };
  hooks.on_done = [&](const experiments::BenchCellOutcome& outcome) {
    if (!outcome.result) return;
    const auto& r = *outcome.result;
    std::fprintf(stderr, "      t=0 %.3f s, later %.3f s/step, peak %.1f MB  (%s elapsed)\n",
                 r.first_ms / 1000, r.later_mean_ms / 1000, r.peak_mb,
                 FormatDuration(timer.Seconds()).c_str());
  };
  const auto paper = experiments::BenchPaperTables(opt.planners);
  const experiments::PaperTables* tables = paper ? &*paper : nullptr;
  std::string stem;
  const auto grid = experiments::RunPlannerBench(opt.planners, tables,
                                                 PickDevice(opt.planners.device), SelfPath(), hooks,
                                                 &stem);
  std::printf("%s", experiments::BenchMarkdown(grid.results, tables).c_str());
  std::printf("\nwritten: %s.csv, %s.md\n", stem.c_str(), stem.c_str());
  if (!grid.failed.empty()) {
    std::fprintf(stderr, "error: %zu cell(s) failed: %s\n", grid.failed.size(),
                 Join(grid.failed).c_str());
    return 1;
  }
  return 0;
}

std::vector<int64_t> ParseRows(const std::string& text) {
  std::vector<int64_t> rows;
  const auto items = SplitList(text);
  if (items.empty()) throw ConfigError("--rows: expected a comma-separated list");
  for (const auto& item : items) {
    try {
      size_t used = 0;
      const long long v = std::stoll(item, &used);
      if (used != item.size() || v < 1) throw std::invalid_argument("");
      rows.push_back(v);
    } catch (const std::exception&) {
      throw ConfigError("--rows: expected positive integers, got '" + item + "'");
    }
  }
  return rows;
}

// On a GPU: ms per forward (launch-bound for small row counts) and TFLOP/s against a large
// torch::mm on the same device; the CPU's BLAS threads and rollout parts do not apply there.
int RunForwardCuda(const BenchOptions& opt, const std::vector<std::string>& tasks,
                   const std::vector<int64_t>& rows, const torch::Device& device) {
  std::printf("device %s\n\n", device.str().c_str());
  std::printf("| task | rows per member | ms per forward | TFLOP/s | %% of large mm | large mm "
              "(TFLOP/s) |\n|---|---:|---:|---:|---:|---:|\n");
  for (const auto& t : tasks) {
    const auto config =
        config::LoadConfig({algorithms::TaskConfigPath(opt.config_dir, t), "", opt.overrides});
    for (const int64_t r : rows) {
      const double mm = algorithms::BenchLargeGemm(opt.gemm_n, device) / 1000.0;
      const auto f = algorithms::BenchEnsembleForward(config, r, device);
      std::printf("| %s | %lld | %.3f | %.3f | %.1f%% | %.1f (%lldx%lld) |\n", t.c_str(),
                  static_cast<long long>(r), f.ms_per_call, f.gflops / 1000.0,
                  100.0 * f.gflops / 1000.0 / mm, mm, static_cast<long long>(opt.gemm_n),
                  static_cast<long long>(opt.gemm_n));
      std::fflush(stdout);
    }
  }
  return 0;
}

int RunForward(const BenchOptions& opt) {
  experiments::PlannerBenchOptions names;
  names.tasks = opt.tasks;
  const auto tasks = experiments::BenchTasks(names);
  const auto rows = ParseRows(opt.rows);
  const torch::Device device = PickDevice(opt.device);
  if (device.is_cuda()) return RunForwardCuda(opt, tasks, rows, device);
  std::printf("torch threads %d, OpenBLAS thread control %s, OpenBLAS kernels %s\n\n",
              at::get_num_threads(), CanControlBlasThreads() ? "yes" : "no",
              BlasCoreName().empty() ? "(not OpenBLAS)" : BlasCoreName().c_str());
  std::printf("GEMM rate: the faster of a %lldx%lld product per thread and, where RowGemm runs, "
              "its [%lld, %lld] x [%lld, %lld] products per thread (the arithmetic floor's rate "
              "in bench planners)\n\n",
              static_cast<long long>(opt.gemm_n), static_cast<long long>(opt.gemm_n),
              static_cast<long long>(algorithms::GemmProbe::kRowRows),
              static_cast<long long>(algorithms::GemmProbe::kRowWidth),
              static_cast<long long>(algorithms::GemmProbe::kRowWidth),
              static_cast<long long>(algorithms::GemmProbe::kRowWidth));
  std::printf(
      "| task | rows per member | ms per forward | GFLOP/s | %% of GEMM rate | rollout parts | "
      "ms in parts | GFLOP/s in parts | %% of GEMM rate | GEMM rate (GFLOP/s) |\n");
  std::printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (const auto& t : tasks) {
    const auto config =
        config::LoadConfig({algorithms::TaskConfigPath(opt.config_dir, t), "", opt.overrides});
    for (const int64_t r : rows) {
      // Measured beside the GEMM each time, so the ratio is from one moment of the machine.
      const double gemm = algorithms::BenchLargeGemm(opt.gemm_n, device);
      const auto f = algorithms::BenchEnsembleForward(config, r, device);
      std::string parts = "| 1 | — | — | — ";
      if (f.parts > 1) {
        char buf[160];
        std::snprintf(buf, sizeof buf, "| %lld | %.3f | %.1f | %.0f%% ",
                      static_cast<long long>(f.parts), f.parts_ms_per_call, f.parts_gflops,
                      100.0 * f.parts_gflops / gemm);
        parts = buf;
      }
      std::printf("| %s | %lld | %.3f | %.1f | %.0f%% %s| %.1f |\n", t.c_str(),
                  static_cast<long long>(r), f.ms_per_call, f.gflops, 100.0 * f.gflops / gemm,
                  parts.c_str(), gemm);
      std::fflush(stdout);
    }
  }
  return 0;
}

}  // namespace

std::function<int()> AddBenchCommand(CLI::App& app) {
  auto opt = std::make_shared<BenchOptions>();
  auto* bench = app.add_subcommand("bench", "Benchmarks: planning steps per planner and task, the ensemble forward pass");
  bench->require_subcommand(1);

  auto* planners = bench->add_subcommand(
      "planners", "Planning time and peak memory per MPC step, per task and planner, with a "
                  "paper's numbers beside ours (CSV and Markdown into --out)");
  experiments::PlannerBenchOptions& p = opt->planners;
  planners->add_option("--tasks", p.tasks,
                       "Comma-separated tasks: names (their <config-dir>/NAME.yaml) or config "
                       "files (PATH.yaml, e.g. a task from files)")
      ->capture_default_str();
  planners->add_option("--planners", p.planners,
                       "Comma-separated planners: any planner name at its defaults, or a file of "
                       "--planner-dir (default: every planner)");
  planners->add_option("--planner-dir", p.planner_dir,
                       "Where preset NAME.yaml files are, e.g. configs/paper/planners: the CEM-GD "
                       "paper's cem50, cem500, cem5000, cem-gd");
  planners->add_option("--paper-tables", p.paper_tables,
                       "A paper's time and memory per planner and task to set beside ours "
                       "(default: tables.yaml beside --planner-dir where it exists, e.g. "
                       "configs/paper/tables.yaml; none: no such columns' values)");
  planners->add_option("--steps", p.steps, "Timed MPC steps per cell (the first is t = 0)")
      ->capture_default_str();
  planners->add_option("--horizon", p.horizon,
                       "Planning horizon (default: the paper tables' where there are any, e.g. "
                       "45, else each task config's)");
  planners->add_option("--config-dir", p.config_dir, "Where <task>.yaml are")
      ->capture_default_str();
  planners->add_option("--out", p.out, "Output directory")->capture_default_str();
  planners->add_option("--device", p.device, "cpu or cuda")->capture_default_str();
  planners->add_option("--set", p.overrides, "Config override key=value (repeatable)");
  planners->add_option("--cell-json", opt->cell_json, "Internal: run one cell, write JSON here")
      ->group("");
  planners->add_flag("--quiet", p.quiet, "No progress line");
  planners->add_flag("!--no-floor", p.floor,
                     "No large GEMM after each timed step, so no floor columns (e.g. to profile "
                     "the steps alone: scripts/profile_step.sh)");

  auto* forward = bench->add_subcommand(
      "forward", "GFLOP/s of the ensemble forward pass used in planning, against the GEMM rate");
  forward->add_option("--tasks", opt->tasks, "Comma-separated tasks")->capture_default_str();
  forward->add_option("--rows", opt->rows,
                      "Rows per member per call (x 5 members = sequences x 20 particles; 40: CEM "
                      "50; 200: CEM-GD at t > 0; 1600: PETS CEM 400; 6553: one block of CEM-GD's "
                      "t = 0, which rolls out in blocks of 32768 rows)")
      ->capture_default_str();
  forward->add_option("--gemm", opt->gemm_n, "Size n of the reference n x n GEMM")
      ->capture_default_str();
  forward->add_option("--config-dir", opt->config_dir, "Where <task>.yaml are")
      ->capture_default_str();
  forward->add_option("--device", opt->device, "cpu or cuda")->capture_default_str();
  forward->add_option("--set", opt->overrides, "Config override key=value (repeatable)");

  return [opt, planners, forward]() {
    if (planners->parsed()) return RunPlanners(*opt);
    if (forward->parsed()) return RunForward(*opt);
    return 2;
  };
}

}  // namespace mbrl::app
