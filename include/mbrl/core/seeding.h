#pragma once
// Explicit seeding: every random source is created from the run's seed and passed down.
#include <torch/torch.h>

#include <cstdint>
#include <random>

namespace mbrl {

/// A torch generator for `device`, seeded with `seed` (independent of the global generator).
at::Generator MakeGenerator(const torch::Device& device, uint64_t seed);

/// Derives a sub-seed for component `stream` from a run seed (splitmix64), so components
/// do not share random streams.
uint64_t DeriveSeed(uint64_t seed, uint64_t stream);

/// Seeds the global torch generator (used by parameter initialisation).
void SeedTorchGlobal(uint64_t seed);

}  // namespace mbrl
