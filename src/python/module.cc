// The `mbrl._core` extension module: the C++ library for Python (the package `mbrl`,
// src/python/mbrl/__init__.py, wraps it). torch.Tensor crosses as at::Tensor through LibTorch's
// own type caster (torch/csrc/utils/pybind.h): the same tensor, no copy. Each Bind* is in the
// file named after what it binds.
#include <pybind11/pybind11.h>

#include "bindings.h"
#include "mbrl/core/error.h"

PYBIND11_MODULE(_core, m) {
  using namespace mbrl;
  m.doc() = "mbrl's C++ library: configs, planners, runs (use the package `mbrl`)";

  // Bad input raises ValueError with the CLI's message; other failures RuntimeError.
  pybind11::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const ConfigError& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const Error& e) {
      PyErr_SetString(PyExc_RuntimeError, e.what());
    }
  });
  python::BindConfig(m);
  python::BindPlanners(m);
  python::BindModel(m);
  python::BindRun(m);
  python::BindTraining(m);
  python::BindTaskEnv(m);
}
