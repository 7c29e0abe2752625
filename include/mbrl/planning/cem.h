#pragma once
// The cross-entropy method as in PETS.
#include "mbrl/config/planners.h"
#include "mbrl/planning/planner.h"

namespace mbrl::planning {

/// Mean and (biased) variance [H, A] of the `num_elites` highest-return samples: CEM's update.
/// samples [N, H, A], returns [N].
std::pair<torch::Tensor, torch::Tensor> EliteMoments(const torch::Tensor& samples,
                                                     const torch::Tensor& returns,
                                                     int64_t num_elites);

/// PETS CEM: a Gaussian over [H, A] starting at the warm start with variance (high - low)^2 / 16;
/// samples from a normal truncated at 2 standard deviations (by the inverse CDF, so without
/// redraws), with the variance capped so they
/// stay in bounds; the elite mean and variance are smoothed with `alpha`.
class CemPlanner : public Planner {
 public:
  CemPlanner(const config::CemConfig& config, PlanSpace space, const torch::Device& device,
             uint64_t seed);
  PlanResult PlanStep(const torch::Tensor& obs, TrajectoryObjective& objective) override;
  std::vector<at::Generator> generators() override { return {generator_}; }

  /// What one CEM search found.
  struct Search {
    torch::Tensor best;         ///< best sequence sampled [H, A]
    torch::Tensor best_return;  ///< objective of `best` []
    torch::Tensor mean;         ///< final mean [H, A] (without final_moments: the last sampled)
    int iterations = 0;         ///< iterations run
    torch::Tensor top;          ///< the `keep_top` best samples of the last iteration [k, H, A]
    torch::Tensor top_returns;  ///< their objective values [k], best first
  };
  /// Runs CEM from `mean` [H, A] and `variance` [H, A] with `population` samples per iteration
  /// (composed planners call this with their own sizes). Keeps the `keep_top` best samples of the
  /// last iteration (clamped to the population). With `include_mean`, the current mean replaces
  /// the last sample of every iteration, so a good warm start cannot be lost to sampling noise.
  /// Without `final_moments` the last iteration skips the elite update (the caller does not use
  /// Search::mean). A population larger than objective.SequencesPerPass() is drawn and scored pass
  /// by pass, keeping only the rows each iteration ranks (the elites and the top), with the same
  /// result as all at once.
  Search Run(const torch::Tensor& obs, TrajectoryObjective& objective, torch::Tensor mean,
             torch::Tensor variance, int64_t population, int64_t keep_top = 1,
             bool include_mean = false, bool final_moments = true);

  /// The initial variance [H, A]: (high - low)^2 / 16.
  torch::Tensor InitialVariance() const;

 private:
  // n samples [n, H, A] around mean [H, A] with variance var [H, A], within the bounds.
  torch::Tensor Sample(int64_t n, const torch::Tensor& mean, const torch::Tensor& var);

  config::CemConfig config_;
  torch::Device device_;
  at::Generator generator_;
};

}  // namespace mbrl::planning
