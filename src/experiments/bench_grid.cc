#include "mbrl/experiments/bench_grid.h"

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "mbrl/core/atomic_file.h"
#include "mbrl/core/error.h"
#include "mbrl/core/process.h"
#include "mbrl/core/strings.h"
#include "mbrl/env/registry.h"

namespace mbrl::experiments {

BenchGridResult RunBenchGrid(const std::vector<std::string>& tasks,
                             const std::vector<std::string>& planners, const std::string& stem,
                             const PaperTables* paper, const BenchGridHooks& hooks) {
  BenchGridResult grid;
  const size_t total = tasks.size() * planners.size();
  size_t index = 0;
  for (const auto& task : tasks) {
    for (const auto& planner : planners) {
      ++index;
      if (hooks.on_start) hooks.on_start(index, total, task, planner);
      const BenchCellOutcome outcome = hooks.run_cell(task, planner);
      if (hooks.on_done) hooks.on_done(outcome);
      if (!outcome.result) {
        const int code = outcome.exit_code;
        grid.failed.push_back(task + " " + planner + " (exit " + std::to_string(code) + ")");
        if (code == 130 || code == 128 + SIGINT || code == 128 + SIGTERM) {
          grid.stopped = true;
          return grid;
        }
        continue;
      }
      grid.results.push_back(*outcome.result);
      WriteTextAtomically(stem + ".csv", BenchCsv(grid.results, paper));
      WriteTextAtomically(stem + ".md", BenchMarkdown(grid.results, paper));
    }
  }
  return grid;
}

BenchCellOutcome RunBenchCellProcess(const std::vector<std::string>& command,
                                     const std::string& cell_json) {
  std::error_code ec;
  std::filesystem::remove(cell_json, ec);
  BenchCellOutcome outcome;
  outcome.exit_code = WaitChild(StartChild(command));
  if (outcome.exit_code != 0) return outcome;
  std::ifstream in(cell_json);
  if (!in) throw Error("bench cell: " + cell_json + " was not written by its process");
  std::stringstream text;
  text << in.rdbuf();
  outcome.result = algorithms::BenchResultFromJson(text.str());
  std::filesystem::remove(cell_json, ec);
  return outcome;
}

}  // namespace mbrl::experiments

namespace mbrl::experiments {
namespace {

// The items of a comma-separated option; an empty list is an error naming the flag.
std::vector<std::string> ListOption(const std::string& text, const std::string& flag) {
  const auto items = SplitList(text);
  if (items.empty()) throw ConfigError(flag + ": expected a comma-separated list, got '" + text + "'");
  return items;
}

}  // namespace

std::vector<std::string> BenchTasks(const PlannerBenchOptions& options) {
  const auto tasks = ListOption(options.tasks, "--tasks");
  const auto names = env::TaskNames();
  for (const auto& t : tasks) {
    if (algorithms::IsTaskConfigFile(t)) continue;  // checked when its config loads
    if (std::find(names.begin(), names.end(), t) == names.end()) {
      throw ConfigError("--tasks: unknown task '" + t + "' (valid: " + Join(names) +
                        ", or a config file NAME.yaml)");
    }
  }
  return tasks;
}

std::vector<std::string> BenchPlanners(const PlannerBenchOptions& options) {
  const auto planners = options.planners.empty() ? config::PlannerNames()
                                                 : ListOption(options.planners, "--planners");
  std::vector<std::string> labels = algorithms::PlannerFileNames(options.planner_dir);
  for (const auto& p : config::PlannerNames()) {
    if (std::find(labels.begin(), labels.end(), p) == labels.end()) labels.push_back(p);
  }
  for (const auto& p : planners) {
    if (std::find(labels.begin(), labels.end(), p) == labels.end()) {
      throw ConfigError("--planners: unknown planner label '" + p + "' (valid: " + Join(labels) +
                        (options.planner_dir.empty() ? "; --planner-dir adds a folder's presets"
                                                     : "") + ")");
    }
  }
  return planners;
}

std::optional<PaperTables> BenchPaperTables(const PlannerBenchOptions& options) {
  if (options.paper_tables == "none") return std::nullopt;
  std::string path = options.paper_tables;
  if (path.empty()) {
    if (options.planner_dir.empty()) return std::nullopt;
    std::error_code ec;
    const auto beside = std::filesystem::path(options.planner_dir).lexically_normal();
    path = (beside.has_filename() ? beside.parent_path() : beside.parent_path().parent_path())
               .append("tables.yaml")
               .string();
    if (!std::filesystem::exists(path, ec)) return std::nullopt;
  }
  try {
    return LoadPaperTables(path);
  } catch (const ConfigError& e) {
    throw ConfigError(std::string("--paper-tables: ") + e.what());
  }
}

int BenchHorizon(const PlannerBenchOptions& options, const PaperTables* paper) {
  return options.horizon > 0 ? options.horizon : paper ? paper->horizon : 0;
}

config::Config BenchCell(const PlannerBenchOptions& options, const std::string& task,
                         const std::string& planner, const PaperTables* paper) {
  try {
    return algorithms::BenchCellConfig(options.config_dir, task, planner, options.planner_dir,
                                       BenchHorizon(options, paper), options.overrides);
  } catch (const ConfigError& e) {
    // A --set key can belong to one planner of the list (planner.n_init is cem-gd's).
    throw ConfigError("planner " + planner + " on " + task + ": " + e.what());
  }
}

BenchGridResult RunPlannerBench(const PlannerBenchOptions& options, const PaperTables* paper,
                                const torch::Device& device, const std::string& self,
                                BenchGridHooks hooks, std::string* stem_out) {
  const auto tasks = BenchTasks(options);
  const auto planners = BenchPlanners(options);
  if (options.steps < 1) throw ConfigError("--steps: expected an integer >= 1");
  // Every cell's config is checked before minutes go into the first one.
  for (const auto& t : tasks) {
    for (const auto& p : planners) BenchCell(options, t, p, paper);
  }
  std::error_code ec;
  std::filesystem::create_directories(options.out, ec);
  if (ec) throw Error("cannot create " + options.out + ": " + ec.message());
  const std::string stem = options.out + "/planners_" + (device.is_cuda() ? "cuda" : "cpu");
  if (stem_out) *stem_out = stem;
  const std::string cell_file = stem + ".cell.json";
  const int horizon = BenchHorizon(options, paper);
  // Each cell in a fresh process (`--cell-json`), with the horizon resolved here.
  hooks.run_cell = [&](const std::string& t, const std::string& p) {
    std::vector<std::string> command = {self, "bench", "planners", "--tasks", t, "--planners", p,
                                        "--steps", std::to_string(options.steps),
                                        "--horizon", std::to_string(horizon),
                                        "--config-dir", options.config_dir,
                                        "--paper-tables", "none",
                                        "--device", device.is_cuda() ? "cuda" : "cpu",
                                        "--cell-json", cell_file};
    if (!options.planner_dir.empty()) {
      command.insert(command.end(), {"--planner-dir", options.planner_dir});
    }
    if (options.quiet) command.push_back("--quiet");
    if (!options.floor) command.push_back("--no-floor");
    for (const auto& o : options.overrides) command.insert(command.end(), {"--set", o});
    return RunBenchCellProcess(command, cell_file);
  };
  return RunBenchGrid(tasks, planners, stem, paper, hooks);
}

}  // namespace mbrl::experiments
