#pragma once
// The planner bench's loop over its cells (task x planner): each cell runs through the caller's
// function (`mbrl bench planners` starts a fresh process per cell, so that no cell's peak memory
// or allocator state carries into the next), and the CSV and Markdown reports are rewritten after
// every cell, so that an interrupted bench keeps what it has measured.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "mbrl/algorithms/planner_bench.h"
#include "mbrl/experiments/bench_report.h"

namespace mbrl::experiments {

/// What one cell gave: its result, or the exit code of the run that failed (0 with a result).
struct BenchCellOutcome {
  int exit_code = 0;
  std::optional<algorithms::PlannerBenchResult> result;
};

/// The bench's cells, the measured ones in order, and the ones that failed ("task planner (exit
/// N)"); `stopped` when a cell was ended by SIGINT or SIGTERM (the loop stops there).
struct BenchGridResult {
  std::vector<algorithms::PlannerBenchResult> results;
  std::vector<std::string> failed;
  bool stopped = false;
};

struct BenchGridHooks {
  /// Runs one cell (task, planner).
  std::function<BenchCellOutcome(const std::string& task, const std::string& planner)> run_cell;
  /// Called before each cell: its 1-based index, the number of cells, task, planner.
  std::function<void(size_t, size_t, const std::string&, const std::string&)> on_start;
  /// Called after each cell with its outcome.
  std::function<void(const BenchCellOutcome&)> on_done;
};

/// Runs every (task, planner) cell, tasks outermost; after each measured cell writes
/// `stem`.csv and `stem`.md (atomically) with every result so far and `paper`'s numbers beside them.
BenchGridResult RunBenchGrid(const std::vector<std::string>& tasks,
                             const std::vector<std::string>& planners, const std::string& stem,
                             const PaperTables* paper, const BenchGridHooks& hooks);

/// Runs `command` as a child process that writes its cell's result as JSON to `cell_json`
/// (`mbrl bench planners --cell-json FILE`), waits, and reads the result back.
BenchCellOutcome RunBenchCellProcess(const std::vector<std::string>& command,
                                     const std::string& cell_json);

}  // namespace mbrl::experiments

namespace mbrl::experiments {

/// What `mbrl bench planners` takes (its options, by the same names).
struct PlannerBenchOptions {
  std::string tasks = "cartpole_swingup,half_cheetah,humanoid_standup,pusher";  ///< names or PATH.yaml
  std::string planners;      ///< comma-separated labels; empty: every registered planner
  int steps = 10;            ///< timed MPC steps per cell
  /// Time the large GEMM after each timed step, for the arithmetic floor (off: the steps alone,
  /// e.g. under a profiler).
  bool floor = true;
  /// Planning horizon; 0: the paper tables' horizon where there are tables, else each task
  /// config's agent.horizon.
  int horizon = 0;
  std::string config_dir = "configs";  ///< where <task>.yaml are
  /// Where preset NAME.yaml files are (a label is a file's name, e.g. configs/paper/planners'
  /// cem50); empty: each planner by name at its defaults.
  std::string planner_dir;
  /// A paper's numbers to set beside ours; empty: tables.yaml beside planner_dir where it exists
  /// (configs/paper/tables.yaml for configs/paper/planners); "none": none.
  std::string paper_tables;
  std::string out = "results/bench/planners";  ///< where planners_<device>.{csv,md} go
  std::string device = "cpu";
  std::vector<std::string> overrides;  ///< "key=value" for every cell
  bool quiet = false;                  ///< no progress line in the cells
};

/// The tasks and planner labels of `options`, checked: each a known task or a config file, each
/// label a file of planner_dir or a planner name. Throws ConfigError naming --tasks or --planners.
std::vector<std::string> BenchTasks(const PlannerBenchOptions& options);
std::vector<std::string> BenchPlanners(const PlannerBenchOptions& options);

/// The paper tables of `options` (see paper_tables), or nullopt. Throws ConfigError naming
/// --paper-tables when they do not load.
std::optional<PaperTables> BenchPaperTables(const PlannerBenchOptions& options);

/// The horizon of every cell: options.horizon, else `paper`'s, else 0 (each task config's).
int BenchHorizon(const PlannerBenchOptions& options, const PaperTables* paper);

/// The config of one cell: `task`'s config with `planner`'s settings at BenchHorizon and the
/// options' overrides.
config::Config BenchCell(const PlannerBenchOptions& options, const std::string& task,
                         const std::string& planner, const PaperTables* paper);

/// `mbrl bench planners`: checks every cell's config first, then runs each cell in a fresh
/// process of `self` (`self bench planners ... --cell-json FILE`), writing
/// <out>/planners_<device>.{csv,md} after each with `paper`'s numbers (BenchPaperTables; may be
/// null) beside them; `hooks.run_cell` is filled in here.
BenchGridResult RunPlannerBench(const PlannerBenchOptions& options, const PaperTables* paper,
                                const torch::Device& device, const std::string& self,
                                BenchGridHooks hooks, std::string* stem = nullptr);

}  // namespace mbrl::experiments
