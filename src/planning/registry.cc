#include "mbrl/planning/registry.h"

#include <type_traits>

#include "mbrl/planning/cem.h"
#include "mbrl/planning/cem_gd.h"
#include "mbrl/planning/dcem.h"
#include "mbrl/planning/grad.h"
#include "mbrl/planning/grad_mpc.h"
#include "mbrl/planning/icem.h"
#include "mbrl/planning/mppi.h"
#include "mbrl/planning/random_shooting.h"

namespace mbrl::planning {
namespace {

template <class SettingsT, class PlannerT>
struct Row {
  using Settings = SettingsT;
  using Planner = PlannerT;
};
template <class... Rows>
struct Table {
  static constexpr size_t kSize = sizeof...(Rows);
};

// The one table of planners: each settings struct (config/planners.h, whose kName is the
// planner's name) beside the class built from it with (settings, space, device, seed).
// clang-format off: one row per line
using Planners = Table<Row<config::CemConfig, CemPlanner>, Row<config::CemGdConfig, CemGdPlanner>,
                       Row<config::DcemConfig, DcemPlanner>, Row<config::GradConfig, GradPlanner>,
                       Row<config::GradMpcConfig, GradMpcPlanner>,
                       Row<config::IcemConfig, IcemPlanner>, Row<config::MppiConfig, MppiPlanner>,
                       Row<config::RandomShootingConfig, RandomShootingPlanner>>;
// clang-format on

// The row of settings S (a compile error names the missing row).
template <class S, class T>
struct RowOf;
template <class S>
struct RowOf<S, Table<>> {
  static_assert(sizeof(S) == 0, "a config::PlannerSettings alternative has no row in Planners");
};
template <class S, class R, class... Rs>
struct RowOf<S, Table<R, Rs...>>
    : std::conditional_t<std::is_same_v<S, typename R::Settings>, R, RowOf<S, Table<Rs...>>> {};

static_assert(Planners::kSize == std::variant_size_v<config::PlannerSettings>,
              "every config::PlannerSettings alternative needs exactly one row in Planners");

}  // namespace

std::unique_ptr<Planner> MakePlanner(const config::PlannerConfig& config, PlanSpace space,
                                     const torch::Device& device, uint64_t seed) {
  return std::visit(
      [&](const auto& settings) -> std::unique_ptr<Planner> {
        using S = std::decay_t<decltype(settings)>;
        using P = typename RowOf<S, Planners>::Planner;
        return std::make_unique<P>(settings, std::move(space), device, seed);
      },
      config.settings);
}

}  // namespace mbrl::planning
