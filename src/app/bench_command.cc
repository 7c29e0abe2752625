// `mbrl bench planners`: planning time and peak memory per task and planner, a paper's numbers
// beside them where a tables file gives them; `mbrl bench forward`: the ensemble forward pass in
// GFLOP/s against a large GEMM.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <optional>
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
#include "mbrl/env/registry.h"
#include "mbrl/experiments/bench_grid.h"
#include "mbrl/experiments/bench_report.h"

namespace mbrl::app {
namespace {

struct BenchOptions {
  std::string tasks = "cartpole_swingup,half_cheetah,humanoid_standup,pusher";
  std::string planners = "cem50,cem500,cem5000,cem-gd";
  int steps = 10;
  int horizon = 45;
  std::string config_dir = "configs";
  std::string planner_dir;   // default: <config_dir>/paper/planners
  std::string paper_tables;  // default: <config_dir>/paper/tables.yaml where it exists
  std::string out = "results/bench/planners";
  std::string device = "cpu";
  std::vector<std::string> overrides;
  std::string cell_json;  // internal: run one cell in this process and write its result here
  bool quiet = false;
  // bench forward
  std::string rows = "40,200,1600,6553";
  int64_t gemm_n = 2048;
};

// The items of a comma-separated option; an empty list is an error naming the flag.
std::vector<std::string> ListOption(const std::string& text, const std::string& flag) {
  const auto items = SplitList(text);
  if (items.empty()) throw ConfigError(flag + ": expected a comma-separated list, got '" + text + "'");
  return items;
}

// Where the planner files are: --planner-dir, else the paper's settings beside the task configs.
std::string PlannerDir(const BenchOptions& opt) {
  return opt.planner_dir.empty() ? opt.config_dir + "/paper/planners" : opt.planner_dir;
}

// The reference numbers to set beside the measured ones: --paper-tables, else
// <config-dir>/paper/tables.yaml where it exists; none with --paper-tables none.
std::optional<experiments::PaperTables> PaperTablesFor(const BenchOptions& opt) {
  if (opt.paper_tables == "none") return std::nullopt;
  const std::string path =
      opt.paper_tables.empty() ? opt.config_dir + "/paper/tables.yaml" : opt.paper_tables;
  std::error_code ec;
  if (opt.paper_tables.empty() && !std::filesystem::exists(path, ec)) return std::nullopt;
  try {
    return experiments::LoadPaperTables(path);
  } catch (const ConfigError& e) {
    throw ConfigError(std::string("--paper-tables: ") + e.what());
  }
}

void CheckNames(const BenchOptions& opt, const std::vector<std::string>& tasks,
                const std::vector<std::string>& planners) {
  const auto task_names = env::TaskNames();
  for (const auto& t : tasks) {
    if (algorithms::IsTaskConfigFile(t)) continue;  // checked when its config loads
    if (std::find(task_names.begin(), task_names.end(), t) == task_names.end()) {
      throw ConfigError("--tasks: unknown task '" + t + "' (valid: " + Join(task_names) +
                        ", or a config file NAME.yaml)");
    }
  }
  std::vector<std::string> labels = algorithms::PlannerFileNames(PlannerDir(opt));
  for (const auto& p : config::PlannerNames()) {
    if (std::find(labels.begin(), labels.end(), p) == labels.end()) labels.push_back(p);
  }
  for (const auto& p : planners) {
    if (std::find(labels.begin(), labels.end(), p) == labels.end()) {
      throw ConfigError("--planners: unknown planner label '" + p + "' (valid: " + Join(labels) + ")");
    }
  }
}

torch::Device PickDevice(const std::string& name) {
  const DeviceChoice device = ResolveDevice(name, "--device");
  if (!device.warning.empty()) std::fprintf(stderr, "warning: %s\n", device.warning.c_str());
  return device.device;
}

// Child mode: one task and planner in this (fresh) process.
int RunCell(const BenchOptions& opt) {
  const auto tasks = ListOption(opt.tasks, "--tasks");
  const auto planners = ListOption(opt.planners, "--planners");
  CheckNames(opt, tasks, planners);
  const auto config =
      algorithms::BenchCellConfig(opt.config_dir, tasks[0], planners[0], PlannerDir(opt),
                                  opt.horizon, opt.overrides);
  Progress progress(stderr, !opt.quiet);
  const auto result = algorithms::BenchPlanner(
      config, planners[0], opt.steps, PickDevice(opt.device), [&](int done, int total) {
        progress.Update("bench: " + tasks[0] + " " + planners[0] + "  step " +
                        std::to_string(done) + "/" + std::to_string(total));
      });
  progress.Clear();
  WriteTextAtomically(opt.cell_json, algorithms::BenchResultToJson(result));
  return 0;
}

int RunPlanners(const BenchOptions& opt) {
  if (!opt.cell_json.empty()) return RunCell(opt);
  const auto tasks = ListOption(opt.tasks, "--tasks");
  const auto planners = ListOption(opt.planners, "--planners");
  CheckNames(opt, tasks, planners);
  if (opt.steps < 1) throw ConfigError("--steps: expected an integer >= 1");
  // Validate every cell's config before spending minutes on the first one.
  for (const auto& t : tasks) {
    for (const auto& p : planners) {
      algorithms::BenchCellConfig(opt.config_dir, t, p, PlannerDir(opt), opt.horizon,
                                  opt.overrides);
    }
  }
  const auto paper = PaperTablesFor(opt);
  const torch::Device device = PickDevice(opt.device);
  std::error_code ec;
  std::filesystem::create_directories(opt.out, ec);
  if (ec) throw Error("cannot create " + opt.out + ": " + ec.message());
  const std::string stem = opt.out + "/planners_" + (device.is_cuda() ? "cuda" : "cpu");
  const std::string cell_file = stem + ".cell.json";

  Stopwatch timer;
  experiments::BenchGridHooks hooks;
  // Each cell in a fresh process of this binary (`--cell-json`).
  hooks.run_cell = [&](const std::string& t, const std::string& p) {
    std::vector<std::string> command = {SelfPath(), "bench", "planners", "--tasks", t,
                                        "--planners", p, "--steps", std::to_string(opt.steps),
                                        "--horizon", std::to_string(opt.horizon),
                                        "--config-dir", opt.config_dir,
                                        "--planner-dir", PlannerDir(opt),
                                        "--device", device.is_cuda() ? "cuda" : "cpu",
                                        "--cell-json", cell_file};
    if (opt.quiet) command.push_back("--quiet");
    for (const auto& o : opt.overrides) {
      command.push_back("--set");
      command.push_back(o);
    }
    return experiments::RunBenchCellProcess(command, cell_file);
  };
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
  const auto grid =
      experiments::RunBenchGrid(tasks, planners, stem, paper ? &*paper : nullptr, hooks);
  std::printf("%s", experiments::BenchMarkdown(grid.results, paper ? &*paper : nullptr).c_str());
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
  for (const auto& item : ListOption(text, "--rows")) {
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
  const auto tasks = ListOption(opt.tasks, "--tasks");
  CheckNames(opt, tasks, {"cem"});
  const auto rows = ParseRows(opt.rows);
  const torch::Device device = PickDevice(opt.device);
  if (device.is_cuda()) return RunForwardCuda(opt, tasks, rows, device);
  std::printf("torch threads %d, OpenBLAS thread control %s, OpenBLAS kernels %s\n\n",
              at::get_num_threads(), CanControlBlasThreads() ? "yes" : "no",
              BlasCoreName().empty() ? "(not OpenBLAS)" : BlasCoreName().c_str());
  std::printf(
      "| task | rows per member | ms per forward | GFLOP/s | %% of large GEMM | rollout parts | "
      "ms in parts | GFLOP/s in parts | %% of large GEMM | large GEMM (GFLOP/s) |\n");
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
      std::printf("| %s | %lld | %.3f | %.1f | %.0f%% %s| %.1f (%lldx%lld) |\n", t.c_str(),
                  static_cast<long long>(r), f.ms_per_call, f.gflops, 100.0 * f.gflops / gemm,
                  parts.c_str(), gemm, static_cast<long long>(opt.gemm_n),
                  static_cast<long long>(opt.gemm_n));
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
  planners->add_option("--tasks", opt->tasks,
                       "Comma-separated tasks: names (their <config-dir>/NAME.yaml) or config "
                       "files (PATH.yaml, e.g. a task from files)")
      ->capture_default_str();
  planners->add_option("--planners", opt->planners,
                       "Comma-separated planners: a file of --planner-dir (cem50, cem500, cem5000, "
                       "cem-gd: the CEM-GD paper's settings) or any planner name (its "
                       "configs/planner file)")
      ->capture_default_str();
  planners->add_option("--planner-dir", opt->planner_dir,
                       "Where the planners' NAME.yaml files are (default: "
                       "<config-dir>/paper/planners)");
  planners->add_option("--paper-tables", opt->paper_tables,
                       "A paper's time and memory per planner and task to set beside ours "
                       "(default: <config-dir>/paper/tables.yaml where it exists; none: no such "
                       "columns' values)");
  planners->add_option("--steps", opt->steps, "Timed MPC steps per cell (the first is t = 0)")
      ->capture_default_str();
  planners->add_option("--horizon", opt->horizon, "Planning horizon (the paper: 45)")
      ->capture_default_str();
  planners->add_option("--config-dir", opt->config_dir, "Where <task>.yaml are")
      ->capture_default_str();
  planners->add_option("--out", opt->out, "Output directory")->capture_default_str();
  planners->add_option("--device", opt->device, "cpu or cuda")->capture_default_str();
  planners->add_option("--set", opt->overrides, "Config override key=value (repeatable)");
  planners->add_option("--cell-json", opt->cell_json, "Internal: run one cell, write JSON here")
      ->group("");
  planners->add_flag("--quiet", opt->quiet, "No progress line");

  auto* forward = bench->add_subcommand(
      "forward", "GFLOP/s of the ensemble forward pass used in planning, against a large GEMM");
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
