// A run's trained ensemble for Python: next-state predictions with its task's features.
#include <pybind11/stl.h>
#include <torch/csrc/utils/pybind.h>

#include <string>
#include <tuple>
#include <utility>

#include "bindings.h"
#include "mbrl/core/device.h"
#include "mbrl/core/error.h"
#include "mbrl/models/export_model.h"

namespace mbrl::python {
namespace {

// A trained run's ensemble with its task's input features and targets: next-state predictions.
class PyModel {
 public:
  PyModel(const config::Config& config, const std::string& model_path, const std::string& device,
          py::object env, py::object reward, py::object terminated)
      : device_(ResolveDevice(device, "device").device),
        stack_(RunStack(config, model_path, device_, env, reward, terminated)) {}

  // obs [N, O], action [N, A] -> next-observation means and variances per member [E, N, O].
  std::pair<torch::Tensor, torch::Tensor> Predict(const torch::Tensor& obs,
                                                  const torch::Tensor& action) {
    const int64_t O = stack_.env->ObsDim(), A = stack_.env->ActionDim();
    if (obs.dim() != 2 || obs.size(1) != O || action.dim() != 2 || action.size(1) != A ||
        obs.size(0) != action.size(0)) {
      throw ConfigError("predict: expected obs [N, " + std::to_string(O) + "] and action [N, " +
                        std::to_string(A) + "] with the same N");
    }
    const auto o = obs.to(device_, torch::kFloat32), a = action.to(device_, torch::kFloat32);
    torch::Tensor mean, logvar;
    {
      py::gil_scoped_release release;
      std::tie(mean, logvar) =
          stack_.model->ForwardShared(torch::cat({stack_.task->PreprocessObs(o), a}, 1));
    }
    return {stack_.task->NextObsFromPrediction(o.unsqueeze(0).expand_as(mean), mean), logvar.exp()};
  }
  int64_t ensemble_size() const { return stack_.model->ensemble_size(); }
  void Export(const std::string& path) {
    py::gil_scoped_release release;
    models::ExportModel(stack_.model, *stack_.task, path);
  }

 private:
  torch::Device device_;
  algorithms::Stack stack_;
};

}  // namespace

void BindModel(py::module_& m) {
  py::class_<PyModel>(m, "Model")
      .def(py::init<const config::Config&, const std::string&, const std::string&, py::object,
                    py::object, py::object>(),
           py::arg("config"), py::arg("model_path"), py::arg("device"), py::arg("env") = py::none(),
           py::arg("reward") = py::none(), py::arg("terminated") = py::none())
      .def("predict", &PyModel::Predict, py::arg("obs"), py::arg("action"))
      .def("export", &PyModel::Export, py::arg("path"))
      .def_property_readonly("ensemble_size", &PyModel::ensemble_size);
}

}  // namespace mbrl::python
