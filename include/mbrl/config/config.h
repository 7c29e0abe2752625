#pragma once
// Typed configuration. One plain struct per component; field names equal the YAML keys and each
// struct's Visit() lists its fields once, so reading, validation and writing share one definition.
#include <cstdint>
#include <string>
#include <vector>

#include "mbrl/config/field.h"
#include "mbrl/config/model.h"
#include "mbrl/config/planners.h"

namespace mbrl::config {

/// The environment. `model` to `reset_noise_type` describe a task from files (task: mjcf); a
/// relative path is relative to the config file that names it (to the working directory for a
/// --set), and a run's config.yaml keeps it absolute.
struct EnvConfig {
  int episode_length = 0;  // steps per episode; 0 = the task's own length
  std::string model;       // MJCF file: its sensors are the observation, its actuators the action
  std::string functions;   // TorchScript file: reward(obs, action, next_obs), optional others
  int frame_skip = 1;      // MuJoCo steps per control step
  double reset_noise = 0.1;  // scale of the noise added to qpos0 and to zero velocities at reset
  std::string reset_noise_type = "uniform";  // uniform: in [-s, s]; normal: standard deviation s

  template <class V>
  void Visit(V& v) {
    v.Field("episode_length", episode_length, AtLeast(0));
    v.Field("model", model, Any<std::string>());
    v.Field("functions", functions, Any<std::string>());
    v.Field("frame_skip", frame_skip, AtLeast(1));
    v.Field("reset_noise", reset_noise, AtLeast(0.0));
    v.Field("reset_noise_type", reset_noise_type, OneOf({"uniform", "normal"}));
  }
};

/// The MPC agent (MpcAgent).
struct AgentConfig {
  int horizon = 25;      // planning horizon H
  int replan_freq = 1;   // steps between replans (the plan is followed in between)

  template <class V>
  void Visit(V& v) {
    v.Field("horizon", horizon, InRange(1, 100000));
    v.Field("replan_freq", replan_freq, AtLeast(1));
  }
};

/// The PETS loop.
struct PetsConfig {
  int episodes = 15;        // total episodes, the random seed episodes included
  int seed_episodes = 1;    // random-action episodes before the first model is trained
  bool save_buffer = true;  // write replay_buffer.bin after each episode
  bool save_model = true;   // write model.pt after each episode
  // The models that planned MPC episodes, kept as models/episode_NNNNNN.pt for `mbrl diagnose`:
  // "last" (model.pt only), "all", or N (the last N MPC episodes'). Each is one model.pt's size.
  std::string keep_models = "last";

  template <class V>
  void Visit(V& v) {
    v.Field("episodes", episodes, AtLeast(1));
    v.Field("seed_episodes", seed_episodes, AtLeast(0));
    v.Field("save_buffer", save_buffer, Any<bool>());
    v.Field("save_model", save_model, Any<bool>());
    v.Field("keep_models", keep_models, NameOrCount({"last", "all"}));
  }
};

/// A whole run.
struct Config {
  std::string task = "cartpole_swingup";  // task name
  int64_t seed = 0;                       // run seed; every random stream derives from it
  std::string device = "cpu";             // cpu | cuda
  EnvConfig env;
  EnsembleConfig model;
  TrainerConfig trainer;
  RolloutConfig rollout;
  PlannerConfig planner;
  AgentConfig agent;
  PetsConfig pets;

  template <class V>
  void Visit(V& v) {
    v.Field("task", task, Any<std::string>());
    v.Field("seed", seed, AtLeast<int64_t>(0));
    v.Field("device", device, OneOf({"cpu", "cuda"}));
    v.Section("env", env);
    v.Section("model", model);
    v.Section("trainer", trainer);
    v.Section("rollout", rollout);
    v.Section("planner", planner);
    v.Section("agent", agent);
    v.Section("pets", pets);
  }
};

}  // namespace mbrl::config
