#include "mbrl/experiments/bench_report.h"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <functional>
#include <sstream>

#include "mbrl/core/error.h"

namespace mbrl::experiments {
namespace {

using algorithms::PlannerBenchResult;

std::string Fixed(double v, int digits) {
  if (std::isnan(v)) return "";
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(digits);
  out << v;
  return out.str();
}

// a / b with two decimals; empty when b is 0 (unknown).
std::string Ratio(double a, double b) { return b > 0 ? Fixed(a / b, 2) : std::string(); }

// "name=value;name=value" (values with one decimal), for a CSV cell.
std::string Joined(const std::map<std::string, double>& values) {
  std::string out;
  for (const auto& [name, value] : values) {
    out += (out.empty() ? "" : ";") + name + "=" + Fixed(value, 1);
  }
  return out;
}

// One column of the reports: its CSV and Markdown headers (an empty Markdown header leaves it out
// of the Markdown table) and its cell.
struct Column {
  std::string csv, markdown;
  std::function<std::string(const PlannerBenchResult&, const std::optional<PaperNumbers>&)> csv_cell;
  // The Markdown cell, where it differs from the CSV's (seconds instead of milliseconds).
  std::function<std::string(const PlannerBenchResult&, const std::optional<PaperNumbers>&)> md_cell;
};

const std::vector<Column>& Columns() {
  using R = const PlannerBenchResult&;
  using P = const std::optional<PaperNumbers>&;
  const auto seconds = [](double ms) { return Fixed(ms / 1000, 3); };
  static const std::vector<Column> kColumns = {
      {"task", "task", [](R r, P) { return r.task; }, {}},
      {"planner", "planner", [](R r, P) { return r.label; }, {}},
      {"type", "", [](R r, P) { return r.planner; }, {}},
      {"device", "", [](R r, P) { return r.device; }, {}},
      {"horizon", "", [](R r, P) { return std::to_string(r.horizon); }, {}},
      {"steps", "", [](R r, P) { return std::to_string(r.steps); }, {}},
      {"first_ms", "t=0 step (s)", [](R r, P) { return Fixed(r.first_ms, 1); },
       [=](R r, P) { return seconds(r.first_ms); }},
      {"mean_ms", "", [](R r, P) { return Fixed(r.mean_ms, 1); }, {}},
      {"median_ms", "median (s)", [](R r, P) { return Fixed(r.median_ms, 1); },
       [=](R r, P) { return seconds(r.median_ms); }},
      {"later_mean_ms", "later steps, mean (s)", [](R r, P) { return Fixed(r.later_mean_ms, 1); },
       [=](R r, P) { return seconds(r.later_mean_ms); }},
      {"episode_length", "", [](R r, P) { return std::to_string(r.episode_length); }, {}},
      {"episode_mean_s", "per step over an episode (s)",
       [=](R r, P) { return seconds(r.episode_mean_ms); }, {}},
      {"peak_mb", "peak memory (MB)", [](R r, P) { return Fixed(r.peak_mb, 1); }, {}},
      {"peak_rss_mb", "peak RSS (MB)", [](R r, P) { return Fixed(r.peak_rss_mb, 1); },
       [](R r, P) { return r.memory_probe == "cuda" ? "" : Fixed(r.peak_rss_mb, 1); }},
      {"ops_per_step", "ops per step", [](R r, P) { return Fixed(r.ops_per_step, 0); }, {}},
      {"syncs_per_step", "host syncs per step", [](R r, P) { return Fixed(r.syncs_per_step, 0); },
       {}},
      {"sync_ops", "", [](R r, P) { return Joined(r.sync_ops); }, {}},
      {"memory_probe", "", [](R r, P) { return r.memory_probe; }, {}},
      {"paper_time_s", "paper time (s)",
       [](R, P p) { return p ? Fixed(p->time_s, 2) : std::string(); }, {}},
      {"paper_memory_mb", "paper memory (MB)",
       [](R, P p) { return p ? Fixed(p->memory_mb, 1) : std::string(); }, {}},
      {"later_stats", "", [](R r, P) { return Joined(r.later_stats); }, {}},
      // The arithmetic floor (algorithms::FloorMs) and each step's time over it.
      {"first_gflop", "", [](R r, P) { return Fixed(r.first_gflop, 2); }, {}},
      {"later_gflop", "", [](R r, P) { return Fixed(r.later_gflop, 2); }, {}},
      {"gemm_gflops", "GEMM (GFLOP/s)", [](R r, P) { return Fixed(r.gemm_gflops, 0); },
       [](R r, P) { return r.gemm_gflops > 0 ? Fixed(r.gemm_gflops, 0) : std::string(); }},
      {"first_floor_ms", "", [](R r, P) { return Fixed(algorithms::FloorMs(r, r.first_gflop), 1); },
       {}},
      {"first_x_floor", "t=0 / floor", [](R r, P) { return Ratio(r.first_ms, algorithms::FloorMs(r, r.first_gflop)); },
       {}},
      {"later_floor_ms", "later floor (s)",
       [](R r, P) { return Fixed(algorithms::FloorMs(r, r.later_gflop), 1); },
       [=](R r, P) {
         return r.gemm_gflops > 0 ? seconds(algorithms::FloorMs(r, r.later_gflop)) : std::string();
       }},
      {"later_x_floor", "later / floor",
       [](R r, P) { return Ratio(r.later_mean_ms, algorithms::FloorMs(r, r.later_gflop)); }, {}},
  };
  return kColumns;
}

std::optional<PaperNumbers> PaperFor(const PlannerBenchResult& r, const PaperTables* paper) {
  return paper ? paper->Find(r.task, r.label, r.horizon) : std::nullopt;
}

}  // namespace

std::optional<PaperNumbers> PaperTables::Find(const std::string& task, const std::string& label,
                                              int at_horizon) const {
  if (at_horizon != horizon) return std::nullopt;
  const auto t = time_s.find(label);
  const auto m = memory_mb.find(label);
  if (t == time_s.end() || m == memory_mb.end()) return std::nullopt;
  const auto tt = t->second.find(task);
  const auto mm = m->second.find(task);
  if (tt == t->second.end() || mm == m->second.end()) return std::nullopt;
  return PaperNumbers{tt->second, mm->second};
}

PaperTables LoadPaperTables(const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    throw ConfigError(path + ": cannot open the paper's tables");
  } catch (const YAML::Exception& e) {
    throw ConfigError(path + ": not valid YAML (" + e.msg + ")");
  }
  PaperTables tables;
  const auto table = [&](const std::string& key,
                         std::map<std::string, std::map<std::string, double>>& into) {
    const YAML::Node node = root[key];
    if (!node || !node.IsMap()) {
      throw ConfigError(path + ": " + key + ": expected a map {label: {task: number}}");
    }
    for (const auto& label : node) {
      for (const auto& task : label.second) {
        try {
          into[label.first.as<std::string>()][task.first.as<std::string>()] =
              task.second.as<double>();
        } catch (const YAML::Exception&) {
          throw ConfigError(path + ": " + key + "." + label.first.as<std::string>() + "." +
                            task.first.as<std::string>() + ": expected a number");
        }
      }
    }
  };
  try {
    tables.horizon = root["horizon"].as<int>();
  } catch (const YAML::Exception&) {
    throw ConfigError(path + ": horizon: expected an integer");
  }
  table("time_s", tables.time_s);
  table("memory_mb", tables.memory_mb);
  return tables;
}

std::string BenchCsv(const std::vector<PlannerBenchResult>& results, const PaperTables* paper) {
  std::string out;
  for (const auto& c : Columns()) out += (out.empty() ? "" : ",") + c.csv;
  out += "\n";
  for (const auto& r : results) {
    const auto numbers = PaperFor(r, paper);
    std::string row;
    for (const auto& c : Columns()) row += (row.empty() ? "" : ",") + c.csv_cell(r, numbers);
    out += row + "\n";
  }
  return out;
}

std::string BenchMarkdown(const std::vector<PlannerBenchResult>& results,
                          const PaperTables* paper) {
  std::string header = "|", rule = "|";
  for (const auto& c : Columns()) {
    if (c.markdown.empty()) continue;
    header += " " + c.markdown + " |";
    rule += (c.csv == "task" || c.csv == "planner") ? "---|" : "---:|";
  }
  std::string out = header + "\n" + rule + "\n";
  for (const auto& r : results) {
    const auto numbers = PaperFor(r, paper);
    out += "|";
    for (const auto& c : Columns()) {
      if (c.markdown.empty()) continue;
      out += " " + (c.md_cell ? c.md_cell(r, numbers) : c.csv_cell(r, numbers)) + " |";
    }
    out += "\n";
  }
  return out;
}

}  // namespace mbrl::experiments
