#pragma once
// Process memory probes (Linux /proc).
#include <cstdint>

namespace mbrl {

/// Resident set size of this process now, in bytes (0 where unknown).
int64_t CurrentRssBytes();
/// Peak resident set size of this process so far, in bytes (0 where unknown).
int64_t PeakRssBytes();

/// Makes glibc keep freed memory for reuse instead of returning it to the kernel after every
/// large tensor: planning allocates and frees the same multi-megabyte tensors thousands of times
/// per step, and the default policy turned that into ~5M page faults per episode (4x slower).
/// Call once at program start. No effect on other C libraries.
void KeepFreedMemoryForReuse();

}  // namespace mbrl
