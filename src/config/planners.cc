#include "mbrl/config/planners.h"

#include <utility>

#include "mbrl/core/error.h"
#include "mbrl/core/strings.h"

namespace mbrl::config {
namespace {
template <size_t... I>
std::vector<std::string> NamesOf(std::index_sequence<I...>) {
  return {std::variant_alternative_t<I, PlannerSettings>::kName...};
}
template <size_t... I>
std::optional<PlannerSettings> DefaultsOf(const std::string& name, std::index_sequence<I...>) {
  std::optional<PlannerSettings> out;
  // The alternative whose kName is `name`, default-constructed.
  ((name == std::variant_alternative_t<I, PlannerSettings>::kName
        ? (void)out.emplace(std::in_place_index<I>)
        : (void)0),
   ...);
  return out;
}
constexpr auto kAlternatives = std::make_index_sequence<std::variant_size_v<PlannerSettings>>();
}  // namespace

const std::vector<std::string>& PlannerNames() {
  static const std::vector<std::string> kNames = NamesOf(kAlternatives);
  return kNames;
}

std::optional<PlannerSettings> DefaultPlannerSettings(const std::string& name) {
  return DefaultsOf(name, kAlternatives);
}

PlannerConfig PlannerConfig::Named(const std::string& name) {
  auto settings = DefaultPlannerSettings(name);
  if (!settings) {
    throw ConfigError("planner.type: unknown planner '" + name +
                      "' (valid: " + Join(PlannerNames()) + ")");
  }
  PlannerConfig config;
  config.settings = std::move(*settings);
  return config;
}

void PlannerConfig::ThrowWrongPlanner(const char* wanted) const {
  throw ConfigError("planner: the settings are " + type() + "'s, not " + wanted + "'s");
}

}  // namespace mbrl::config
