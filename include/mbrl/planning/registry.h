#pragma once
// The one registry of planners: adding a planner is one line in registry.cc plus its files.
#include <memory>
#include <string>
#include <vector>

#include "mbrl/config/config.h"
#include "mbrl/planning/planner.h"

namespace mbrl::planning {

/// Names accepted by MakePlanner, sorted.
std::vector<std::string> PlannerNames();
/// Builds the planner named by `config.type`. Throws ConfigError listing the valid names.
std::unique_ptr<Planner> MakePlanner(const config::PlannerConfig& config, PlanSpace space,
                                     const torch::Device& device, uint64_t seed);

}  // namespace mbrl::planning
