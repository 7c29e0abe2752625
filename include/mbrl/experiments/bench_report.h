#pragma once
// The planner bench's reports, as CSV and Markdown from one column list, with a paper's reference
// numbers (its time and memory per planner label and task, read from a YAML file such as
// configs/paper/tables.yaml) beside the measured ones.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "mbrl/algorithms/planner_bench.h"

namespace mbrl::experiments {

/// A paper's numbers for one task and planner label.
struct PaperNumbers {
  double time_s;     ///< average planning time per step (s)
  double memory_mb;  ///< peak memory (MB)
};

/// A paper's planning-time and peak-memory tables, which hold at its horizon only.
struct PaperTables {
  int horizon = 0;
  std::map<std::string, std::map<std::string, double>> time_s;     ///< [label][task]
  std::map<std::string, std::map<std::string, double>> memory_mb;  ///< [label][task]
  /// Both numbers of `label` on `task` at `horizon`; nullopt when the paper has no such cell.
  std::optional<PaperNumbers> Find(const std::string& task, const std::string& label,
                                   int horizon) const;
};

/// Reads `path` (keys horizon, time_s and memory_mb: {label: {task: number}}); throws ConfigError
/// naming the file and key when it cannot.
PaperTables LoadPaperTables(const std::string& path);

/// CSV (header + one row per result) and a Markdown table of the same columns; the paper's
/// columns (paper_time_s, paper_memory_mb) are empty without `paper` and for cells it lacks.
std::string BenchCsv(const std::vector<algorithms::PlannerBenchResult>& results,
                     const PaperTables* paper = nullptr);
std::string BenchMarkdown(const std::vector<algorithms::PlannerBenchResult>& results,
                          const PaperTables* paper = nullptr);

}  // namespace mbrl::experiments
