#pragma once
// Element functions for plain loops that the compiler vectorises (core/vector_clones.h): only
// adds, multiplies, divisions and integer conversions, so they need neither -ffast-math nor a
// vector math library. One definition for every hand-written CPU path.
#include <cstdint>
#include <cstring>

#include "mbrl/core/vector_clones.h"

namespace mbrl {

/// exp(x), x clamped to [-87, 88] (a normal float's range): n = round(x / ln 2) by adding and
/// subtracting 1.5 * 2^23, r = x - n ln 2 in two parts, Cephes' degree-6 polynomial for exp(r)
/// (within 2 ulp), times 2^n built in the exponent bits.
MBRL_INLINE float Exp(float x) {
  x = x < -87.0f ? -87.0f : (x > 88.0f ? 88.0f : x);
  constexpr float kRound = 12582912.0f;  // 1.5 * 2^23
  const float n = (x * 1.44269504088896341f + kRound) - kRound;
  float r = x - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  const int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

/// 1 / (1 + exp(-x)).
MBRL_INLINE float Sigmoid(float x) { return 1.0f / (1.0f + Exp(-x)); }

/// x * sigmoid(x), as one division.
MBRL_INLINE float Silu(float x) { return x / (1.0f + Exp(-x)); }

}  // namespace mbrl

namespace mbrl {

/// z = silu(z + b) in place for each row of z [rows, width] (row-major), b [width]: AVX-512
/// intrinsics where the CPU has them (the division replaced by a reciprocal estimate and one
/// Newton step, within 2 ulp of the plain loop's), else the plain loop of Silu.
void BiasSiluRows(float* z, const float* b, int64_t rows, int64_t width);

namespace detail {
/// BiasSiluRows's plain loop, whatever the CPU, and whether BiasSiluRows runs another path.
void BiasSiluRowsPlain(float* z, const float* b, int64_t rows, int64_t width);
bool BiasSiluRowsIsVectorised();
}  // namespace detail

}  // namespace mbrl
