#pragma once
// Loading a run's configuration: a YAML file (or the built-in defaults), an optional planner file
// that replaces the `planner` section, then `key=value` overrides; validated into Config.
#include <string>
#include <utility>
#include <vector>

#include "mbrl/config/config.h"

namespace mbrl::config {

/// Where a run's configuration comes from.
struct LoadOptions {
  LoadOptions() = default;
  LoadOptions(std::string config_path_, std::string planner_ = "",
              std::vector<std::string> overrides_ = {})
      : config_path(std::move(config_path_)),
        planner(std::move(planner_)),
        overrides(std::move(overrides_)) {}

  std::string config_path;             ///< YAML file; empty = built-in defaults
  std::string planner;                 ///< a planner name (at its defaults or planner_dir's file)
  std::vector<std::string> overrides;  ///< "path.to.key=value", applied last in order
  /// Where `<planner>.yaml` preset files are; empty = the configs/planner folder beside
  /// config_path (else ./configs/planner), where there is one.
  std::string planner_dir;
  /// config_path is a run's config.yaml: a key it lacks because it was added to mbrl after the
  /// run was written takes the value in effect before (KeysAddedLater), not today's default, so
  /// that an old run resumes as it started.
  bool written_by_a_run = false;
};

/// The keys added to the config after runs were first written, each with the value that was in
/// effect before it existed ("trainer.min_updates" -> "0").
const std::vector<std::pair<std::string, std::string>>& KeysAddedLater();

/// Loads, merges and validates. Throws ConfigError with one line naming the file or flag, the
/// key path and what was expected.
Config LoadConfig(const LoadOptions& options);

/// Parses a YAML document given as text (`source` names it in errors).
Config ParseConfigText(const std::string& yaml, const std::string& source);

/// `config` with `key=value` overrides applied in order, as LoadConfig applies --set (the same
/// checks and messages). Setting planner.type to another planner starts from its defaults.
Config ApplyOverrides(const Config& config, const std::vector<std::string>& overrides);

/// The fully resolved configuration as YAML (every field, defaults included).
std::string ConfigToYaml(const Config& config);

/// The planner names that have a file under `dir` (sorted), e.g. configs/planner.
std::vector<std::string> PlannerFilesIn(const std::string& dir);

}  // namespace mbrl::config
