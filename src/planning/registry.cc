#include "mbrl/planning/registry.h"

#include <functional>
#include <map>

#include "mbrl/core/error.h"
#include "mbrl/core/strings.h"
#include "mbrl/planning/cem.h"
#include "mbrl/planning/cem_gd.h"
#include "mbrl/planning/dcem.h"
#include "mbrl/planning/grad.h"
#include "mbrl/planning/icem.h"
#include "mbrl/planning/mppi.h"

namespace mbrl::planning {
namespace {
using Factory = std::function<std::unique_ptr<Planner>(const config::PlannerConfig&, PlanSpace,
                                                       const torch::Device&, uint64_t)>;

const std::map<std::string, Factory>& Factories() {
  static const std::map<std::string, Factory> kFactories = {
      {"cem",
       [](const config::PlannerConfig& c, PlanSpace s, const torch::Device& d, uint64_t seed) {
         return std::make_unique<CemPlanner>(c.cem, std::move(s), d, seed);
       }},
      {"cem-gd",
       [](const config::PlannerConfig& c, PlanSpace s, const torch::Device& d, uint64_t seed) {
         return std::make_unique<CemGdPlanner>(c.cem_gd, std::move(s), d, seed);
       }},
      {"grad",
       [](const config::PlannerConfig& c, PlanSpace s, const torch::Device& d, uint64_t seed) {
         return std::make_unique<GradPlanner>(c.grad, std::move(s), d, seed);
       }},
      {"grad-mpc",
       [](const config::PlannerConfig& c, PlanSpace s, const torch::Device& d, uint64_t seed) {
         return std::make_unique<GradMpcPlanner>(c.grad_mpc, std::move(s), d, seed);
       }},
      {"dcem",
       [](const config::PlannerConfig& c, PlanSpace s, const torch::Device& d, uint64_t seed) {
         return std::make_unique<DcemPlanner>(c.dcem, std::move(s), d, seed);
       }},
      {"icem",
       [](const config::PlannerConfig& c, PlanSpace s, const torch::Device& d, uint64_t seed) {
         return std::make_unique<IcemPlanner>(c.icem, std::move(s), d, seed);
       }},
      {"mppi",
       [](const config::PlannerConfig& c, PlanSpace s, const torch::Device& d, uint64_t seed) {
         return std::make_unique<MppiPlanner>(c.mppi, std::move(s), d, seed);
       }},
  };
  return kFactories;
}
}  // namespace

std::vector<std::string> PlannerNames() {
  std::vector<std::string> names;
  for (const auto& kv : Factories()) names.push_back(kv.first);
  return names;
}

std::unique_ptr<Planner> MakePlanner(const config::PlannerConfig& config, PlanSpace space,
                                     const torch::Device& device, uint64_t seed) {
  const auto& factories = Factories();
  const auto it = factories.find(config.type);
  if (it == factories.end()) {
    throw ConfigError("planner.type: unknown planner '" + config.type +
                      "' (valid: " + Join(PlannerNames()) + ")");
  }
  return it->second(config, std::move(space), device, seed);
}

}  // namespace mbrl::planning
