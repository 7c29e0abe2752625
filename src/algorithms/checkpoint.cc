#include "mbrl/algorithms/checkpoint.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "mbrl/config/loader.h"
#include "mbrl/core/atomic_file.h"
#include "mbrl/core/error.h"
#include "mbrl/core/strings.h"
#include "mbrl/models/gaussian_ensemble.h"
#include "mbrl/models/model_rollout.h"
#include "mbrl/algorithms/run_directory.h"

namespace mbrl::algorithms {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;

json MetricsToJson(const EpisodeMetrics& m) {
  return {{"episode", m.episode},
          {"env_steps", m.env_steps},
          {"return", m.episode_return},
          {"steps", m.steps},
          {"random", m.random},
          {"train_loss", m.train_loss},
          {"holdout_loss", m.holdout_loss},
          {"model_epochs", m.model_epochs},
          {"train_s", m.train_s},
          {"plan_ms", m.plan_ms},
          {"wall_s", m.wall_s},
          {"interrupted", m.interrupted},
          {"plan_stats", m.plan_stats}};
}

EpisodeMetrics MetricsFromJson(const json& j) {
  EpisodeMetrics m;
  m.episode = j.at("episode").get<int>();
  m.env_steps = j.at("env_steps").get<int64_t>();
  m.episode_return = j.at("return").get<double>();
  m.steps = j.at("steps").get<int>();
  m.random = j.at("random").get<bool>();
  m.train_loss = j.at("train_loss").get<double>();
  m.holdout_loss = j.at("holdout_loss").get<double>();
  m.model_epochs = j.at("model_epochs").get<int>();
  m.train_s = j.at("train_s").get<double>();
  m.plan_ms = j.at("plan_ms").get<double>();
  m.wall_s = j.at("wall_s").get<double>();
  m.interrupted = j.at("interrupted").get<bool>();
  m.plan_stats = j.at("plan_stats").get<std::map<std::string, double>>();
  return m;
}

template <class Engine>
std::string EngineText(const Engine& e) {
  std::ostringstream out;
  out << e;
  return out.str();
}

template <class Engine>
void EngineFromText(const std::string& text, Engine& e, const std::string& what) {
  std::istringstream in(text);
  in >> e;
  if (!in) throw ConfigError(what + ": not a random engine state");
}

// The generators a run draws from after its start, in a fixed order: the rollout's, then the
// planner's.
std::vector<at::Generator> RunGenerators(Stack& stack) {
  std::vector<at::Generator> gens = {stack.rollout->generator()};
  for (auto& g : stack.planner().generators()) gens.push_back(g);
  return gens;
}

// The complete checkpoint folders under `root`, oldest first (names sort by episode).
std::vector<std::string> CheckpointNames(const fs::path& root) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    const auto name = entry.path().filename().string();
    if (entry.is_directory() && name.rfind("episode_", 0) == 0 &&
        name.find(".tmp") == std::string::npos) {
      names.push_back(name);
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

// The checkpoint folder LATEST names under `root` ("" when there is no LATEST or it is empty).
std::string LatestName(const fs::path& root) {
  std::ifstream in(root / "LATEST");
  std::string name;
  in >> name;
  return name;
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path + ": cannot open (no such file)");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

void SaveCheckpoint(const std::string& run_dir, const LoopState& state, Stack& stack,
                    const models::ModelTrainer& trainer, const data::ReplayBuffer& buffer) {
  const fs::path root = fs::path(run_dir) / "checkpoint";
  const std::string name = EpisodeFileName(state.episode);
  const fs::path tmp = root / (name + ".tmp");
  std::error_code ec;
  fs::remove_all(tmp, ec);  // a half-written one from a killed run
  fs::create_directories(tmp, ec);
  if (ec) throw Error("cannot create " + tmp.string() + ": " + ec.message());

  json j;
  j["format"] = kCheckpointFormat;
  j["episode"] = state.episode;
  j["wall_s"] = state.wall_s;
  j["last_train"] = {{"train_loss", state.last_train.train_loss},
                     {"holdout_mse", state.last_train.holdout_mse},
                     {"epochs", state.last_train.epochs}};
  j["stat_names"] = state.stat_names;
  j["env_rng"] = EngineText(state.env_rng);
  j["action_rng"] = EngineText(state.action_rng);
  j["buffer_size"] = buffer.Size();
  json rows = json::array();
  for (const auto& m : state.metrics) rows.push_back(MetricsToJson(m));
  j["metrics"] = rows;
  WriteTextAtomically((tmp / "state.json").string(), j.dump(1) + "\n");
  models::SaveEnsemble(stack.model, (tmp / "model.pt").string());
  trainer.SaveState((tmp / "trainer.pt").string());
  {
    torch::serialize::OutputArchive archive;
    const auto gens = RunGenerators(stack);
    for (size_t i = 0; i < gens.size(); ++i) {
      archive.write("generator_" + std::to_string(i), gens[i].get_state());
    }
    WriteAtomically((tmp / "generators.pt").string(),
                    [&](const std::string& path) { archive.save_to(path); });
  }
  buffer.Save((tmp / "replay_buffer.bin").string());

  const fs::path final_dir = root / name;
  fs::remove_all(final_dir, ec);
  fs::rename(tmp, final_dir, ec);
  if (ec) throw Error("cannot rename " + tmp.string() + ": " + ec.message());
  WriteTextAtomically((root / "LATEST").string(), name + "\n");
  // Only now the older checkpoints go, but for the one before this (a fallback should a file of
  // this one be damaged later).
  for (const auto& old : CheckpointNames(root)) {
    if (old < EpisodeFileName(state.episode - 1)) fs::remove_all(root / old, ec);
  }
}

const std::vector<std::string>& ResumableKeys() {
  static const std::vector<std::string> kKeys = {"pets.episodes"};
  return kKeys;
}

config::Config LoadResumeConfig(const std::string& dir, const std::vector<std::string>& overrides) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw ConfigError("--resume " + dir + ": no such directory");
  }
  if (!HasCheckpoint(dir)) {
    throw ConfigError("--resume " + dir + ": no checkpoint here (" + dir +
                      "/checkpoint/LATEST is missing): a run writes one after its first complete "
                      "episode");
  }
  const auto& keys = ResumableKeys();
  for (const auto& o : overrides) {
    const std::string key = o.substr(0, o.find('='));
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
      throw ConfigError("--set " + key + ": cannot change when resuming (it would change what the "
                        "finished episodes mean); a resumed run may change only: " +
                        Join(keys));
    }
  }
  config::LoadOptions load{dir + "/config.yaml", "", overrides};
  load.written_by_a_run = true;
  return config::LoadConfig(load);
}

bool HasCheckpoint(const std::string& run_dir) {
  std::error_code ec;
  return fs::exists(fs::path(run_dir) / "checkpoint" / "LATEST", ec);
}

namespace {
LoopState LoadCheckpointFrom(const fs::path& root, Stack& stack, models::ModelTrainer& trainer,
                             data::ReplayBuffer& buffer) {
  const std::string name = LatestName(root);
  if (name.empty()) throw ConfigError((root / "LATEST").string() + ": cannot open (no such file)");
  const fs::path dir = root / name;
  if (name.rfind("episode_", 0) != 0 || !fs::is_directory(dir)) {
    throw ConfigError((root / "LATEST").string() + ": names '" + name +
                      "', which is not a checkpoint directory beside it");
  }
  const std::string state_path = (dir / "state.json").string();
  json j;
  try {
    j = json::parse(ReadText(state_path));
  } catch (const json::exception& e) {
    throw ConfigError(state_path + ": not a complete checkpoint state (" + e.what() + ")");
  }
  LoopState state;
  try {
    const int format = j.at("format").get<int>();
    if (format != kCheckpointFormat) {
      throw ConfigError(state_path + ": checkpoint format " + std::to_string(format) +
                        ", this mbrl reads format " + std::to_string(kCheckpointFormat) +
                        " (resume it with the mbrl version that wrote it)");
    }
    state.episode = j.at("episode").get<int>();
    state.wall_s = j.at("wall_s").get<double>();
    state.last_train.train_loss = j.at("last_train").at("train_loss").get<double>();
    state.last_train.holdout_mse = j.at("last_train").at("holdout_mse").get<double>();
    state.last_train.epochs = j.at("last_train").at("epochs").get<int>();
    state.stat_names = j.at("stat_names").get<std::vector<std::string>>();
    EngineFromText(j.at("env_rng").get<std::string>(), state.env_rng, state_path + ": env_rng");
    EngineFromText(j.at("action_rng").get<std::string>(), state.action_rng,
                   state_path + ": action_rng");
    for (const auto& row : j.at("metrics")) state.metrics.push_back(MetricsFromJson(row));
  } catch (const json::exception& e) {
    throw ConfigError(state_path + ": missing or malformed field (" + e.what() + ")");
  }
  if (static_cast<int>(state.metrics.size()) != state.episode) {
    throw ConfigError(state_path + ": " + std::to_string(state.metrics.size()) +
                      " metrics rows for " + std::to_string(state.episode) + " episodes");
  }
  // Read everything before changing anything, so a bad file leaves the stack as it was.
  data::ReplayBuffer loaded_buffer = data::ReplayBuffer::Load((dir / "replay_buffer.bin").string());
  const int64_t expected = j.value("buffer_size", int64_t{-1});
  if (loaded_buffer.Size() != expected) {
    throw ConfigError((dir / "replay_buffer.bin").string() + ": holds " +
                      std::to_string(loaded_buffer.Size()) + " transitions, state.json says " +
                      std::to_string(expected));
  }
  std::vector<torch::Tensor> gen_states;
  const std::string gen_path = (dir / "generators.pt").string();
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(gen_path);
    for (size_t i = 0; i < RunGenerators(stack).size(); ++i) {
      torch::Tensor s;
      archive.read("generator_" + std::to_string(i), s);
      gen_states.push_back(s);
    }
  } catch (const c10::Error& e) {
    throw ConfigError(gen_path + ": cannot read the generator states: " + e.msg());
  }
  try {
    models::LoadEnsemble(stack.model, (dir / "model.pt").string());
    trainer.LoadState((dir / "trainer.pt").string());
  } catch (const Error& e) {
    throw ConfigError(e.what());
  }
  auto gens = RunGenerators(stack);
  try {
    for (size_t i = 0; i < gens.size(); ++i) gens[i].set_state(gen_states[i]);
  } catch (const c10::Error& e) {
    throw ConfigError(gen_path + ": random generator states of another kind (written on another "
                      "device?); resume on the device the run used: " + e.msg());
  }
  buffer = std::move(loaded_buffer);
  return state;
}
}  // namespace

int CheckpointEpisode(const std::string& run_dir) {
  const fs::path root = fs::path(run_dir) / "checkpoint";
  std::error_code ec;
  if (!fs::exists(root / "LATEST", ec)) return -1;
  const std::string name = LatestName(root);
  int episode = -1;
  if (std::sscanf(name.c_str(), "episode_%d", &episode) != 1 || episode < 0 ||
      !fs::is_directory(root / name, ec)) {
    throw ConfigError((root / "LATEST").string() + ": names '" + name +
                      "', which is not a checkpoint directory beside it (a damaged checkpoint)");
  }
  return episode;
}

LoopState LoadCheckpoint(const std::string& run_dir, Stack& stack, models::ModelTrainer& trainer,
                         data::ReplayBuffer& buffer) {
  const fs::path root = fs::path(run_dir) / "checkpoint";
  try {
    return LoadCheckpointFrom(root, stack, trainer, buffer);
  } catch (const Error& e) {
    // Name the last good state the user can go back to: the checkpoint before the newest.
    const auto names = CheckpointNames(root);
    std::string hint;
    if (names.size() >= 2) {
      hint = "; the checkpoint before it, " + (root / names[names.size() - 2]).string() +
             ", may be whole: to resume from it, write its name into " +
             (root / "LATEST").string();
    }
    throw ConfigError(std::string(e.what()) + hint);
  }
}

}  // namespace mbrl::algorithms
