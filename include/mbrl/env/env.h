#pragma once
// The environment interface: the real system the agent acts in (no torch here).
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace mbrl::env {

/// What one environment step returns.
struct StepResult {
  std::vector<double> obs;  ///< next observation [O]
  double reward = 0;        ///< reward of the transition
  bool terminated = false;  ///< the episode ended for a reason other than the time limit
  /// The environment ended the episode at a limit of its own (Gymnasium's `truncated`): the
  /// transition is not terminal, but no step follows it.
  bool truncated = false;
  /// No step follows this one in the episode.
  bool Ended() const { return terminated || truncated; }
};

/// A simulated system. Step() validates the action before anything reaches the simulator.
class Env {
 public:
  virtual ~Env() = default;
  /// Task name, e.g. "cartpole_swingup".
  virtual std::string Name() const = 0;
  /// Observation size O.
  virtual int ObsDim() const = 0;
  /// Action size A.
  virtual int ActionDim() const = 0;
  /// Lower action bounds [A].
  virtual std::vector<double> ActionLow() const = 0;
  /// Upper action bounds [A].
  virtual std::vector<double> ActionHigh() const = 0;
  /// Default episode length in steps.
  virtual int EpisodeLength() const = 0;
  /// Starts an episode with noise drawn from `rng`; returns the first observation [O].
  virtual std::vector<double> Reset(std::mt19937_64& rng) = 0;
  /// Checks `action` (size A, finite, within bounds) then advances the system one control step.
  /// Throws mbrl::Error on a bad action.
  StepResult Step(const std::vector<double>& action);

 protected:
  /// Advances the system; `action` is already validated.
  virtual StepResult DoStep(const std::vector<double>& action) = 0;
};

}  // namespace mbrl::env
