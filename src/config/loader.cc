#include "mbrl/config/loader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <map>
#include <set>

#include "mbrl/core/error.h"
#include "mbrl/core/strings.h"

namespace mbrl::config {
namespace {

namespace fs = std::filesystem;

// Which file or flag supplied each key path; errors name the longest matching prefix's source.
class Sources {
 public:
  explicit Sources(std::string fallback) : fallback_(std::move(fallback)) {}
  void Set(const std::string& path, const std::string& source) { by_path_[path] = source; }
  void RecordTree(const YAML::Node& node, const std::string& prefix, const std::string& source) {
    if (!prefix.empty()) Set(prefix, source);
    if (!node.IsMap()) return;
    for (const auto& kv : node) {
      const std::string key = kv.first.Scalar();
      RecordTree(kv.second, prefix.empty() ? key : prefix + "." + key, source);
    }
  }
  void EraseUnder(const std::string& prefix) {
    for (auto it = by_path_.begin(); it != by_path_.end();) {
      if (it->first == prefix || it->first.rfind(prefix + ".", 0) == 0) {
        it = by_path_.erase(it);
      } else {
        ++it;
      }
    }
  }
  const std::string& Of(const std::string& path) const {
    std::string p = path;
    while (!p.empty()) {
      auto it = by_path_.find(p);
      if (it != by_path_.end()) return it->second;
      const auto dot = p.rfind('.');
      p = dot == std::string::npos ? std::string() : p.substr(0, dot);
    }
    return fallback_;
  }

 private:
  std::string fallback_;
  std::map<std::string, std::string> by_path_;
};

[[noreturn]] void Fail(const Sources& sources, const std::string& path, const std::string& msg) {
  throw ConfigError(sources.Of(path) + ": " + path + ": " + msg);
}

std::string Describe(const YAML::Node& n) {
  if (n.IsScalar()) return "'" + n.Scalar() + "'";
  if (n.IsMap()) return "a mapping";
  if (n.IsSequence()) return "a list";
  return "nothing";
}

bool ParseInt64(const std::string& s, int64_t* out) {
  if (s.empty()) return false;
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(s.c_str(), &end, 10);
  if (errno != 0 || *end != '\0') return false;
  *out = v;
  return true;
}

bool ParseDouble(const std::string& s, double* out) {
  if (s.empty()) return false;
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (errno != 0 || *end != '\0' || !std::isfinite(v)) return false;
  *out = v;
  return true;
}

template <class T>
const char* TypeName();
template <>
const char* TypeName<int>() { return "an integer"; }
template <>
const char* TypeName<int64_t>() { return "an integer"; }
template <>
const char* TypeName<double>() { return "a number"; }
template <>
const char* TypeName<bool>() { return "true or false"; }
template <>
const char* TypeName<std::string>() { return "a string"; }

bool Convert(const YAML::Node& n, int* out) {
  int64_t v;
  if (!n.IsScalar() || !ParseInt64(n.Scalar(), &v)) return false;
  if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max()) return false;
  *out = static_cast<int>(v);
  return true;
}
bool Convert(const YAML::Node& n, int64_t* out) {
  return n.IsScalar() && ParseInt64(n.Scalar(), out);
}
bool Convert(const YAML::Node& n, double* out) {
  return n.IsScalar() && ParseDouble(n.Scalar(), out);
}
bool Convert(const YAML::Node& n, bool* out) {
  if (!n.IsScalar()) return false;
  const std::string& s = n.Scalar();
  if (s == "true" || s == "True" || s == "yes") {
    *out = true;
  } else if (s == "false" || s == "False" || s == "no") {
    *out = false;
  } else {
    return false;
  }
  return true;
}
bool Convert(const YAML::Node& n, std::string* out) {
  if (!n.IsScalar()) return false;
  *out = n.Scalar();
  return true;
}

// Reads fields out of a YAML mapping; unknown keys are reported by Finish().
class Reader {
 public:
  Reader(YAML::Node node, std::string prefix, const Sources& sources)
      : node_(std::move(node)), prefix_(std::move(prefix)), sources_(sources) {
    if (node_.IsDefined() && !node_.IsNull() && !node_.IsMap()) {
      Fail(sources_, prefix_.empty() ? "(top level)" : prefix_,
           "expected a mapping of keys, got " + Describe(node_));
    }
  }

  template <class T>
  void Field(const char* key, T& out, const Check<T>& check) {
    known_.push_back(key);
    if (!node_.IsMap()) return;
    const YAML::Node n = node_[key];
    if (!n.IsDefined()) return;
    const std::string path = Path(key);
    T value{};
    if (!Convert(n, &value) || !check.ok(value)) {
      std::string expect = TypeName<T>();
      if (!check.expect.empty()) {
        expect = std::is_same_v<T, std::string> ? check.expect : expect + " " + check.expect;
      }
      Fail(sources_, path, "expected " + expect + ", got " + Describe(n));
    }
    out = value;
  }

  template <class S>
  void Section(const char* key, S& section) {
    known_.push_back(key);
    YAML::Node child;
    if (node_.IsMap() && node_[key].IsDefined()) child = node_[key];
    Reader reader(child, Path(key), sources_);
    section.Visit(reader);
    reader.Finish();
  }

  void Finish() const {
    if (!node_.IsMap()) return;
    for (const auto& kv : node_) {
      const std::string key = kv.first.Scalar();
      if (std::find(known_.begin(), known_.end(), key) != known_.end()) continue;
      Fail(sources_, Path(key), "unknown key (valid keys here: " + Join(known_) + ")");
    }
  }

 private:
  std::string Path(const std::string& key) const {
    return prefix_.empty() ? key : prefix_ + "." + key;
  }
  YAML::Node node_;
  std::string prefix_;
  const Sources& sources_;
  std::vector<std::string> known_;
};

std::string FormatValue(int v) { return std::to_string(v); }
std::string FormatValue(int64_t v) { return std::to_string(v); }
std::string FormatValue(bool v) { return v ? "true" : "false"; }
std::string FormatValue(const std::string& v) { return v; }
std::string FormatValue(double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.10g", v);
  std::string s = buf;
  if (s.find_first_of(".eE") == std::string::npos) s += ".0";
  return s;
}

// Writes fields as YAML.
class Writer {
 public:
  explicit Writer(YAML::Emitter& out) : out_(out) {}
  template <class T>
  void Field(const char* key, T& value, const Check<T>&) {
    out_ << YAML::Key << key << YAML::Value << FormatValue(value);
  }
  template <class S>
  void Section(const char* key, S& section) {
    out_ << YAML::Key << key << YAML::Value << YAML::BeginMap;
    section.Visit(*this);
    out_ << YAML::EndMap;
  }

 private:
  YAML::Emitter& out_;
};

YAML::Node LoadYamlFile(const std::string& path, const std::string& what) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    throw ConfigError(path + ": cannot open " + what + " (" +
                      (fs::exists(path, ec) ? "not a regular file" : "no such file") + ")");
  }
  try {
    YAML::Node node = YAML::LoadFile(path);
    if (node.IsNull()) return YAML::Node(YAML::NodeType::Map);
    return node;
  } catch (const YAML::ParserException& e) {
    throw ConfigError(path + ":" + std::to_string(e.mark.line + 1) + ":" +
                      std::to_string(e.mark.column + 1) + ": invalid YAML: " + e.msg);
  } catch (const YAML::Exception& e) {
    throw ConfigError(path + ": cannot read " + what + ": " + e.msg);
  }
}

Config Parse(const YAML::Node& root, const Sources& sources) {
  Config config;
  Reader reader(root, "", sources);
  config.Visit(reader);
  reader.Finish();
  return config;
}

// A file a config names, relative to the file that names it (a --set value: relative to the
// working directory), made absolute so that the run's config.yaml still finds it from elsewhere.
void ResolveFilePath(std::string& value, const std::string& key, const Sources& sources) {
  if (value.empty() || fs::path(value).is_absolute()) return;
  const std::string& source = sources.Of(key);
  std::error_code ec;
  const fs::path base = source == "--set" || !fs::is_regular_file(source, ec)
                            ? fs::current_path()
                            : fs::absolute(fs::path(source)).parent_path();
  value = (base / value).lexically_normal().string();
}

// configs/planner for a config file at configs/x.yaml or configs/bench/x.yaml; else ./configs/planner.
std::string PlannerDirFor(const std::string& config_path) {
  if (!config_path.empty()) {
    fs::path dir = fs::path(config_path).parent_path();
    for (int up = 0; up < 3; ++up) {
      std::error_code ec;
      if (fs::is_directory(dir / "planner", ec)) return (dir / "planner").string();
      if (!dir.has_parent_path() || dir.parent_path() == dir) break;
      dir = dir.parent_path();
    }
  }
  return "configs/planner";
}

void SetIn(YAML::Node node, const std::vector<std::string>& parts, size_t i,
           const YAML::Node& value, const std::string& flag) {
  if (i + 1 == parts.size()) {
    node[parts[i]] = value;
    return;
  }
  if (!node[parts[i]].IsDefined() || node[parts[i]].IsNull()) {
    node[parts[i]] = YAML::Node(YAML::NodeType::Map);
  } else if (!node[parts[i]].IsMap()) {
    throw ConfigError(flag + ": '" + parts[i] + "' is a value, not a section");
  }
  SetIn(node[parts[i]], parts, i + 1, value, flag);
}

// "a.b.c" -> {"a", "b", "c"}.
std::vector<std::string> SplitKey(const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t dot = path.find('.', start);
    parts.push_back(path.substr(start, dot == std::string::npos ? dot : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return parts;
}

void SetPath(YAML::Node root, const std::string& path, const YAML::Node& value,
             const std::string& flag) {
  const std::vector<std::string> parts = SplitKey(path);
  for (const auto& p : parts) {
    if (p.empty()) throw ConfigError(flag + ": empty key in path '" + path + "'");
  }
  SetIn(root, parts, 0, value, flag);
}

// Whether `node` holds the key path parts[i:] (const access: nothing is created).
bool HasPath(const YAML::Node& node, const std::vector<std::string>& parts, size_t i = 0) {
  if (!node.IsMap()) return false;
  const YAML::Node child = node[parts[i]];
  if (!child.IsDefined()) return false;
  return i + 1 == parts.size() || HasPath(child, parts, i + 1);
}

// Applies `key=value` overrides to root, in order, recording each key's source as --set.
void ApplySetItems(YAML::Node& root, const std::vector<std::string>& overrides, Sources& sources) {
  for (const auto& item : overrides) {
    const std::string flag = "--set " + item;
    const auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw ConfigError("--set '" + item + "': expected key=value (e.g. planner.population=200)");
    }
    const std::string path = item.substr(0, eq);
    YAML::Node value;
    try {
      value = YAML::Load(item.substr(eq + 1));
    } catch (const YAML::Exception& e) {
      throw ConfigError(flag + ": the value is not valid YAML: " + e.msg);
    }
    if (value.IsNull()) value = YAML::Node(item.substr(eq + 1));
    SetPath(root, path, value, flag);
    sources.EraseUnder(path);
    sources.Set(path, "--set");
  }
}

}  // namespace

const std::vector<std::pair<std::string, std::string>>& KeysAddedLater() {
  static const std::vector<std::pair<std::string, std::string>> kKeys = {
      {"trainer.min_updates", "0"},  // early stopping could stop after any number of updates
  };
  return kKeys;
}

std::vector<std::string> PlannerFilesIn(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".yaml") names.push_back(it->path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

Config LoadConfig(const LoadOptions& options) {
  const std::string base_source =
      options.config_path.empty() ? std::string("<built-in defaults>") : options.config_path;
  Sources sources(base_source);
  YAML::Node root(YAML::NodeType::Map);
  if (!options.config_path.empty()) {
    root = LoadYamlFile(options.config_path, "config file");
    if (!root.IsMap()) {
      throw ConfigError(options.config_path + ": expected a mapping of keys at the top level");
    }
    sources.RecordTree(root, "", options.config_path);
    if (options.written_by_a_run) {
      for (const auto& [key, before] : KeysAddedLater()) {
        if (!HasPath(root, SplitKey(key))) {
          SetPath(root, key, YAML::Load(before), options.config_path);
        }
      }
    }
  }

  if (!options.planner.empty()) {
    const std::string dir =
        options.planner_dir.empty() ? PlannerDirFor(options.config_path) : options.planner_dir;
    // Planner names use '-', their files '_' (cem-gd -> cem_gd.yaml); either spelling works.
    std::string file_stem = options.planner;
    std::replace(file_stem.begin(), file_stem.end(), '-', '_');
    std::string type_name = options.planner;
    std::replace(type_name.begin(), type_name.end(), '_', '-');
    const std::string file = dir + "/" + file_stem + ".yaml";
    std::error_code ec;
    YAML::Node planner;
    if (fs::is_regular_file(file, ec)) {
      planner = LoadYamlFile(file, "planner config");
      sources.EraseUnder("planner");
      sources.RecordTree(planner, "planner", file);
      sources.Set("planner", file);
    } else {
      const auto& types = PlannerNames();
      if (std::find(types.begin(), types.end(), type_name) == types.end()) {
        std::vector<std::string> valid = types;
        for (std::string f : PlannerFilesIn(dir)) {
          std::replace(f.begin(), f.end(), '_', '-');
          if (std::find(valid.begin(), valid.end(), f) == valid.end()) valid.push_back(f);
        }
        std::sort(valid.begin(), valid.end());
        throw ConfigError("--planner: unknown planner '" + options.planner +
                          "' (valid: " + Join(valid) + ")");
      }
      // A built-in type without a file: its defaults.
      planner = YAML::Node(YAML::NodeType::Map);
      planner["type"] = type_name;
      sources.EraseUnder("planner");
      sources.Set("planner", "--planner " + options.planner);
    }
    if (!planner.IsMap()) throw ConfigError(file + ": expected a mapping of planner keys");
    if (!planner["type"].IsDefined()) planner["type"] = type_name;
    root["planner"] = planner;
  }

  ApplySetItems(root, options.overrides, sources);
  Config config = Parse(root, sources);
  ResolveFilePath(config.env.model, "env.model", sources);
  ResolveFilePath(config.env.functions, "env.functions", sources);
  return config;
}

Config ParseConfigText(const std::string& yaml, const std::string& source) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::ParserException& e) {
    throw ConfigError(source + ":" + std::to_string(e.mark.line + 1) + ": invalid YAML: " + e.msg);
  }
  Sources sources(source);
  return Parse(root.IsNull() ? YAML::Node(YAML::NodeType::Map) : root, sources);
}

Config ApplyOverrides(const Config& config, const std::vector<std::string>& overrides) {
  YAML::Node root = YAML::Load(ConfigToYaml(config));
  Sources sources("<config>");
  // A new planner.type starts from that planner's defaults: the old type's keys would not fit.
  for (const auto& item : overrides) {
    const auto eq = item.find('=');
    if (eq != std::string::npos && item.substr(0, eq) == "planner.type" &&
        item.substr(eq + 1) != config.planner.type()) {
      root["planner"] = YAML::Node(YAML::NodeType::Map);
    }
  }
  ApplySetItems(root, overrides, sources);
  Config out = Parse(root, sources);
  ResolveFilePath(out.env.model, "env.model", sources);
  ResolveFilePath(out.env.functions, "env.functions", sources);
  return out;
}

std::string ConfigToYaml(const Config& config) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  Writer writer(out);
  Config copy = config;
  copy.Visit(writer);
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace mbrl::config
