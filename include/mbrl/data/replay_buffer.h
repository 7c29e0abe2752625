#pragma once
// Append-only storage of real transitions, saved atomically.
#include <cstdint>
#include <string>
#include <vector>

namespace mbrl::data {

/// Transitions (obs, action, reward, next_obs, terminated) stored row-major as float32.
class ReplayBuffer {
 public:
  ReplayBuffer(int obs_dim, int action_dim);
  /// Appends one transition. Throws mbrl::Error if a size does not match.
  void Add(const std::vector<double>& obs, const std::vector<double>& action, double reward,
           const std::vector<double>& next_obs, bool terminated);
  /// Number of transitions.
  int64_t Size() const { return static_cast<int64_t>(rewards_.size()); }
  int obs_dim() const { return obs_dim_; }
  int action_dim() const { return action_dim_; }
  /// Observations, Size() x obs_dim, row-major.
  const std::vector<float>& obs() const { return obs_; }
  /// Actions, Size() x action_dim.
  const std::vector<float>& actions() const { return actions_; }
  /// Rewards, Size().
  const std::vector<float>& rewards() const { return rewards_; }
  /// Next observations, Size() x obs_dim.
  const std::vector<float>& next_obs() const { return next_obs_; }
  /// Termination flags (0/1), Size().
  const std::vector<uint8_t>& terminated() const { return terminated_; }
  /// Writes the buffer to `path` (temp file, then rename).
  void Save(const std::string& path) const;
  /// Reads a buffer written by Save. Throws mbrl::Error naming `path` on a bad or truncated file.
  static ReplayBuffer Load(const std::string& path);

 private:
  int obs_dim_;
  int action_dim_;
  std::vector<float> obs_, actions_, rewards_, next_obs_;
  std::vector<uint8_t> terminated_;
};

}  // namespace mbrl::data
