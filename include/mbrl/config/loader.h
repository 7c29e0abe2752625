#pragma once
// Loading a run's configuration: a YAML file (or the built-in defaults), an optional planner file
// that replaces the `planner` section, then `key=value` overrides; validated into Config.
#include <string>
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
  std::string planner;                 ///< planner name for configs/planner/<name>.yaml; empty = keep
  std::vector<std::string> overrides;  ///< "path.to.key=value", applied last in order
  /// Where `<planner>.yaml` files are; empty = the configs/planner folder beside config_path
  /// (else ./configs/planner).
  std::string planner_dir;
};

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
