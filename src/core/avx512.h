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

// Exp of 16 lanes, step for step as Exp(float): the same clamps, n, r and polynomial, and 2^n
// applied by scalef (exact, as the exponent bits are).
__attribute__((target("avx512f"), always_inline)) inline __m512 Exp16(__m512 x) {
  x = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(-87.0f)), _mm512_set1_ps(88.0f));
  const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
  __m512 p = _mm512_set1_ps(1.9875691500e-4f);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
  p = _mm512_fmadd_ps(p, _mm512_mul_ps(r, r), r);
  p = _mm512_add_ps(p, _mm512_set1_ps(1.0f));
  return _mm512_scalef_ps(p, n);
}

// silu(v) = v / (1 + exp(-v)). The plain loop's division costs two divisions per vector as GCC
// compiles it (one per clamp branch); a reciprocal estimate (14 bits) and one Newton step cost
// three cheap instructions.
__attribute__((target("avx512f"), always_inline)) inline __m512 Silu16(__m512 v) {
  const __m512 d =
      _mm512_add_ps(_mm512_set1_ps(1.0f), Exp16(_mm512_sub_ps(_mm512_setzero_ps(), v)));
  const __m512 y = _mm512_rcp14_ps(d);
  return _mm512_mul_ps(v, _mm512_mul_ps(y, _mm512_fnmadd_ps(d, y, _mm512_set1_ps(2.0f))));
}
#endif

}  // namespace avx512
}  // namespace mbrl
