// Planners for Python: any registered planner on an objective written in Python.
#include "mbrl/config/planners.h"

#include <pybind11/stl.h>
#include <torch/csrc/autograd/python_variable.h>
#include <torch/csrc/utils/pybind.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "bindings.h"
#include "mbrl/core/error.h"
#include "mbrl/core/shape.h"
#include "mbrl/core/trajectory_objective.h"
#include "mbrl/planning/planner.h"
#include "mbrl/planning/registry.h"

namespace mbrl::python {
namespace {

// A Python callable objective(actions [B, H, A]) -> returns [B] as the planners' objective. It
// holds the GIL only while Python runs: planning itself runs with the GIL released.
class PythonObjective : public TrajectoryObjective {
 public:
  explicit PythonObjective(py::function fn) : fn_(std::move(fn)) {}
  ~PythonObjective() override {
    py::gil_scoped_acquire gil;
    fn_ = py::function();
  }

  torch::Tensor Evaluate(const torch::Tensor& obs, const torch::Tensor& actions) override {
    torch::Tensor returns;
    const auto start = std::chrono::steady_clock::now();
    {
      py::gil_scoped_acquire gil;
      py::object out = fn_(actions);
      if (!THPVariable_Check(out.ptr())) {
        throw Error("objective: expected it to return a torch.Tensor of returns [" +
                    std::to_string(actions.size(0)) + "], got " +
                    std::string(py::str(py::type::of(out).attr("__name__"))));
      }
      returns = out.cast<torch::Tensor>();
    }
    ++calls_;
    seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    CheckReturns(returns, actions.size(0), actions.requires_grad() && torch::GradMode::is_enabled(),
                 "objective");
    return returns.to(actions.device(), actions.scalar_type());
  }

  int64_t calls_ = 0;   ///< Evaluate calls so far
  double seconds_ = 0;  ///< spent in them: taking the GIL, the Python call, its result's cast

 private:
  py::function fn_;
};

// A planner with its bounds, built from a config's planner section and agent.horizon.
class PyPlanner {
 public:
  PyPlanner(const config::Config& config, const torch::Tensor& low, const torch::Tensor& high,
            uint64_t seed, const std::string& device)
      : device_(device) {
    if (low.dim() != 1 || high.dim() != 1 || low.size(0) != high.size(0) || low.size(0) < 1) {
      throw ConfigError("low, high: expected two 1-D tensors of the same size (the action bounds)");
    }
    if (!(low < high).all().item<bool>()) {
      throw ConfigError("low, high: expected low < high in every action dimension");
    }
    planning::PlanSpace space{low.to(device_, torch::kFloat32), high.to(device_, torch::kFloat32),
                              config.agent.horizon};
    planner_ = planning::MakePlanner(config.planner, space, device_, seed);
  }

  torch::Tensor Plan(const torch::Tensor& obs, py::function objective) {
    auto wrapped = std::make_shared<PythonObjective>(std::move(objective));
    planning::PlanResult result;
    {
      py::gil_scoped_release release;
      result = planner_->Plan(obs.defined() ? obs.to(device_) : torch::zeros({0}), *wrapped);
      planner_->SetPrevious(result.actions);
    }
    last_stats_ = result.stats;
    last_stats_["expected_return"] = result.expected_return;
    last_stats_["objective_calls"] = static_cast<double>(wrapped->calls_);
    last_stats_["objective_ms"] = wrapped->seconds_ * 1e3;
    return result.actions;
  }

  void Reset() { planner_->Reset(); }
  int64_t horizon() const { return planner_->horizon(); }
  int64_t action_dim() const { return planner_->action_dim(); }
  torch::Tensor low() const { return planner_->low(); }
  torch::Tensor high() const { return planner_->high(); }
  const std::map<std::string, double>& last_stats() const { return last_stats_; }

 private:
  torch::Device device_;
  std::unique_ptr<planning::Planner> planner_;
  std::map<std::string, double> last_stats_;
};

}  // namespace

void CheckReturns(const torch::Tensor& returns, int64_t rows, bool grad, const std::string& who) {
  if (returns.dim() != 1 || returns.size(0) != rows) {
    throw Error(who + ": expected returns of shape [" + std::to_string(rows) + "], got " +
                ShapeString(returns));
  }
  if (!returns.is_floating_point()) {
    throw Error(who + ": expected floating-point returns (float32 or float64), got " +
                std::string(c10::toString(returns.scalar_type())) +
                ": compute them from the actions with torch operations");
  }
  if (grad && !returns.requires_grad()) {
    throw Error(who +
                ": a gradient planner differentiates the returns in the actions, but these "
                "do not depend on them through autograd (computed outside torch, detached, or "
                "under no_grad?)");
  }
}

void BindPlanners(py::module_& m) {
  m.def("planner_names", &config::PlannerNames, "The values of planner.type.");

  py::class_<PyPlanner>(m, "Planner")
      .def(py::init<const config::Config&, const torch::Tensor&, const torch::Tensor&, uint64_t,
                    const std::string&>(),
           py::arg("config"), py::arg("low"), py::arg("high"), py::arg("seed"), py::arg("device"))
      .def("plan", &PyPlanner::Plan, py::arg("obs"), py::arg("objective"))
      .def("reset", &PyPlanner::Reset)
      .def_property_readonly("horizon", &PyPlanner::horizon)
      .def_property_readonly("action_dim", &PyPlanner::action_dim)
      .def_property_readonly("low", &PyPlanner::low)
      .def_property_readonly("high", &PyPlanner::high)
      .def_property_readonly("last_stats", &PyPlanner::last_stats);
}

}  // namespace mbrl::python
