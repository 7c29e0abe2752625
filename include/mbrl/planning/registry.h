#pragma once
// The one registry of planners (planning/registry.cc): each planner's settings struct beside its
// class. The names come from the settings (config::PlannerNames()).
#include <memory>

#include "mbrl/config/planners.h"
#include "mbrl/planning/planner.h"

namespace mbrl::planning {

/// Builds the planner whose settings `config` holds.
std::unique_ptr<Planner> MakePlanner(const config::PlannerConfig& config, PlanSpace space,
                                     const torch::Device& device, uint64_t seed);

}  // namespace mbrl::planning
