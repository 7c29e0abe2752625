// Configs for Python: fields as dicts or one at a time, loading and overrides as the CLI does.
#include <pybind11/stl.h>

#include <string>
#include <vector>

#include "bindings.h"
#include "mbrl/algorithms/checkpoint.h"
#include "mbrl/config/loader.h"

namespace mbrl::python {
namespace {

// Writes a config's fields into nested Python dicts, with their C++ types.
class DictWriter {
 public:
  explicit DictWriter(py::dict out) : out_(std::move(out)) {}
  template <class T, class C>
  void Field(const char* key, T& value, const C&) {
    out_[key] = py::cast(value);
  }
  template <class S>
  void Section(const char* key, S& section) {
    py::dict child;
    DictWriter writer(child);
    section.Visit(writer);
    out_[key] = child;
  }

 private:
  py::dict out_;
};

py::dict ConfigDict(const config::Config& config) {
  py::dict out;
  DictWriter writer(out);
  config::Config copy = config;
  copy.Visit(writer);
  return out;
}

// Finds one field or section by its dotted path ("planner.population", "planner"), visiting
// only the sections on the way.
class PathReader {
 public:
  explicit PathReader(std::vector<std::string> parts) : parts_(std::move(parts)) {}
  template <class T, class C>
  void Field(const char* key, T& value, const C&) {
    if (depth_ + 1 == parts_.size() && parts_[depth_] == key) found_ = py::cast(value);
  }
  template <class S>
  void Section(const char* key, S& section) {
    if (found_ || parts_[depth_] != key) return;
    if (depth_ + 1 == parts_.size()) {
      py::dict child;
      DictWriter writer(child);
      section.Visit(writer);
      found_ = child;
      return;
    }
    ++depth_;
    section.Visit(*this);
    --depth_;
  }
  py::object found() const { return found_; }

 private:
  std::vector<std::string> parts_;
  size_t depth_ = 0;
  py::object found_;
};

py::object ConfigGet(const config::Config& config, const std::string& key) {
  std::vector<std::string> parts;
  for (size_t start = 0;;) {
    const size_t dot = key.find('.', start);
    parts.push_back(key.substr(start, dot == std::string::npos ? dot : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  PathReader reader(parts);
  config::Config copy = config;
  copy.Visit(reader);
  if (!reader.found()) throw py::key_error("config has no key '" + key + "'");
  return reader.found();
}

}  // namespace

void BindConfig(py::module_& m) {
  py::class_<config::Config>(m, "Config")
      .def("to_dict", &ConfigDict, "Every field as nested dicts.")
      .def("get", &ConfigGet, py::arg("key"),
           "One field, or a section as a dict, by its dotted key (KeyError when there is none).")
      .def("to_yaml", &config::ConfigToYaml, "Every field as YAML (as a run's config.yaml).")
      .def(
          "with_overrides",
          [](const config::Config& c, const std::vector<std::string>& overrides) {
            return config::ApplyOverrides(c, overrides);
          },
          py::arg("overrides"), "A copy with key=value overrides applied (as --set).");

  m.def(
      "load_config",
      [](const std::string& path, const std::vector<std::string>& overrides,
         const std::string& planner, bool written_by_a_run) {
        config::LoadOptions load(path, planner, overrides);
        load.written_by_a_run = written_by_a_run;
        return config::LoadConfig(load);
      },
      py::arg("path") = "", py::arg("overrides") = std::vector<std::string>{},
      py::arg("planner") = "", py::arg("written_by_a_run") = false,
      "Loads a YAML config (empty: the built-in defaults), a planner, then overrides. "
      "written_by_a_run: a run's config.yaml, whose keys added later take the value it ran with.");
  m.def(
      "load_resume_config",
      [](const std::string& dir, const std::vector<std::string>& overrides) {
        return algorithms::LoadResumeConfig(dir, overrides);
      },
      py::arg("dir"), py::arg("overrides"));
}

}  // namespace mbrl::python
