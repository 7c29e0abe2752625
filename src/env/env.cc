#include "mbrl/env/env.h"

#include <cmath>
#include <sstream>

#include "mbrl/core/error.h"

namespace mbrl::env {

StepResult Env::Step(const std::vector<double>& action) {
  if (static_cast<int>(action.size()) != ActionDim()) {
    throw Error(Name() + ": action has " + std::to_string(action.size()) + " values, expected " +
                std::to_string(ActionDim()));
  }
  const auto low = ActionLow();
  const auto high = ActionHigh();
  for (size_t i = 0; i < action.size(); ++i) {
    if (!std::isfinite(action[i])) {
      throw Error(Name() + ": action[" + std::to_string(i) + "] is not finite");
    }
    // A tiny tolerance absorbs float rounding of clamped planner output.
    const double tol = 1e-6 * (high[i] - low[i]);
    if (action[i] < low[i] - tol || action[i] > high[i] + tol) {
      std::ostringstream msg;
      msg << Name() << ": action[" << i << "] = " << action[i] << " is outside [" << low[i] << ", "
          << high[i] << "]";
      throw Error(msg.str());
    }
  }
  return DoStep(action);
}

}  // namespace mbrl::env
