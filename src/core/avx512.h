#pragma once
// The one CPU check and the shared pieces of core's AVX-512 paths (vector_math.cc, row_gemm.cc).
// Private to src/core: callers ask the public functions (RowGemmAvailable,
// detail::BiasSiluRowsIsVectorised), not this header.
#include <cstdint>

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#define MBRL_AVX512_INTRINSICS 1
#endif

namespace mbrl {
namespace avx512 {

/// Whether this build has the AVX-512 paths and this CPU runs AVX-512F (asked once).
bool Available();

#ifdef MBRL_AVX512_INTRINSICS
/// The mask of a vector's first n of 16 lanes, 0 <= n <= 16.
inline __mmask16 FirstLanes(int64_t n) {
  return n >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << n) - 1);
}
#endif

}  // namespace avx512
}  // namespace mbrl
