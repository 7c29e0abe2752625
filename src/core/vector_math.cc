#include "mbrl/core/vector_math.h"

#include "avx512.h"

namespace mbrl {
namespace {

MBRL_VECTOR_CLONES void BiasSiluPlain(float* __restrict z, const float* __restrict b,
                                      int64_t rows, int64_t width) {
  for (int64_t r = 0; r < rows; ++r) {
    float* __restrict row = z + r * width;
    for (int64_t j = 0; j < width; ++j) row[j] = Silu(row[j] + b[j]);
  }
}

#ifdef MBRL_AVX512_INTRINSICS
// Exp of 16 lanes, step for step as Exp(float): the same clamps, n, r and polynomial, and 2^n
// applied by scalef (exact, as the exponent bits are).
__attribute__((target("avx512f"))) inline __m512 Exp16(__m512 x) {
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
__attribute__((target("avx512f"))) inline __m512 Silu16(__m512 v) {
  const __m512 d =
      _mm512_add_ps(_mm512_set1_ps(1.0f), Exp16(_mm512_sub_ps(_mm512_setzero_ps(), v)));
  const __m512 y = _mm512_rcp14_ps(d);
  return _mm512_mul_ps(v, _mm512_mul_ps(y, _mm512_fnmadd_ps(d, y, _mm512_set1_ps(2.0f))));
}

// Four vectors at a time along the row (independent chains for the out-of-order core: 25%
// faster than one at a time here), then the rest one at a time, the last one masked.
__attribute__((target("avx512f"))) void BiasSiluAvx512(float* z, const float* b, int64_t rows,
                                                       int64_t width) {
  for (int64_t r = 0; r < rows; ++r) {
    float* row = z + r * width;
    int64_t j = 0;
    for (; j + 64 <= width; j += 64) {
      __m512 v[4];
      for (int k = 0; k < 4; ++k) {
        v[k] = _mm512_add_ps(_mm512_loadu_ps(row + j + 16 * k), _mm512_loadu_ps(b + j + 16 * k));
      }
      for (int k = 0; k < 4; ++k) _mm512_storeu_ps(row + j + 16 * k, Silu16(v[k]));
    }
    for (; j < width; j += 16) {
      const __mmask16 m = avx512::FirstLanes(width - j);
      const __m512 v =
          _mm512_add_ps(_mm512_maskz_loadu_ps(m, row + j), _mm512_maskz_loadu_ps(m, b + j));
      _mm512_mask_storeu_ps(row + j, m, Silu16(v));
    }
  }
}
#endif

}  // namespace

bool avx512::Available() {
#ifdef MBRL_AVX512_INTRINSICS
  static const bool has = __builtin_cpu_supports("avx512f");
  return has;
#else
  return false;
#endif
}

void BiasSiluRows(float* z, const float* b, int64_t rows, int64_t width) {
#ifdef MBRL_AVX512_INTRINSICS
  if (avx512::Available()) {
    BiasSiluAvx512(z, b, rows, width);
    return;
  }
#endif
  BiasSiluPlain(z, b, rows, width);
}

namespace detail {

void BiasSiluRowsPlain(float* z, const float* b, int64_t rows, int64_t width) {
  BiasSiluPlain(z, b, rows, width);
}

bool BiasSiluRowsIsVectorised() { return avx512::Available(); }

}  // namespace detail
}  // namespace mbrl
