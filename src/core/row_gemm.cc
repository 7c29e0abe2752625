#include "mbrl/core/row_gemm.h"

#include <stdexcept>

#include "avx512.h"

namespace mbrl {
namespace {
#ifdef MBRL_AVX512_INTRINSICS
// R rows of dst, columns [c0, c0 + 16 V): V vectors of 16, the last one under `last`. R x V
// accumulators (at most 24) plus V vectors of w stay in the 32 registers for the whole sum.
template <int R, int V>
__attribute__((target("avx512f"), always_inline)) inline void Tile(
    const float* __restrict x, const float* __restrict w, const float* __restrict b, int64_t k,
    int64_t m, int64_t c0, __mmask16 last, float* __restrict dst) {
  __m512 acc[R][V];
  for (int r = 0; r < R; ++r) {
    for (int v = 0; v < V; ++v) acc[r][v] = _mm512_setzero_ps();
  }
  const float* wi = w + c0;
  for (int64_t i = 0; i < k; ++i, wi += m) {
    __m512 wv[V];
    for (int v = 0; v < V; ++v) {
      wv[v] = v + 1 < V ? _mm512_loadu_ps(wi + 16 * v) : _mm512_maskz_loadu_ps(last, wi + 16 * v);
    }
    for (int r = 0; r < R; ++r) {
      const __m512 xr = _mm512_set1_ps(x[r * k + i]);
      for (int v = 0; v < V; ++v) acc[r][v] = _mm512_fmadd_ps(xr, wv[v], acc[r][v]);
    }
  }
  // With b: silu(sum + b), as BiasSiluRows computes it, before the store. Every loop over the
  // tile is unrolled so that the accumulators stay in registers: a loop left rolled indexes them,
  // which keeps them in memory, stored on every step of the sum (twice as slow).
  __m512 bv[V];
#pragma GCC unroll 4
  for (int v = 0; v < V; ++v) {
    bv[v] = b == nullptr ? _mm512_setzero_ps()
            : v + 1 < V  ? _mm512_loadu_ps(b + c0 + 16 * v)
                         : _mm512_maskz_loadu_ps(last, b + c0 + 16 * v);
  }
#pragma GCC unroll 6
  for (int r = 0; r < R; ++r) {
    float* d = dst + r * m + c0;
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v) {
      const __m512 out = b == nullptr ? acc[r][v] : avx512::Silu16(_mm512_add_ps(acc[r][v], bv[v]));
      if (v + 1 < V) {
        _mm512_storeu_ps(d + 16 * v, out);
      } else {
        _mm512_mask_storeu_ps(d + 16 * v, last, out);
      }
    }
  }
}

// R rows of dst, all m columns: tiles of 64 columns, then one of the 1 to 4 vectors left.
template <int R>
__attribute__((target("avx512f"))) void Rows(const float* x, const float* w, const float* b,
                                             int64_t k, int64_t m, float* dst) {
  int64_t c = 0;
  for (; c + 64 <= m; c += 64) Tile<R, 4>(x, w, b, k, m, c, 0xFFFF, dst);
  const int64_t left = m - c;
  const __mmask16 last = avx512::FirstLanes((left - 1) % 16 + 1);  // 1 to 16 lanes
  switch ((left + 15) / 16) {
    case 1: Tile<R, 1>(x, w, b, k, m, c, last, dst); break;
    case 2: Tile<R, 2>(x, w, b, k, m, c, last, dst); break;
    case 3: Tile<R, 3>(x, w, b, k, m, c, last, dst); break;
    case 4: Tile<R, 4>(x, w, b, k, m, c, last, dst); break;
    default: break;
  }
}

// b == nullptr: the products alone; else silu(product + b).
__attribute__((target("avx512f"))) void RowGemmAvx512(const float* x, const float* w,
                                                      const float* b, int64_t n, int64_t k,
                                                      int64_t m, float* dst) {
  static_assert(kRowGemmRows == 6, "the tiles below are of 5 and 6 rows, the rest 1 to 4");
  // Where the rows fill ceil(n / 6) tiles of 5 and 6 rows, they do: a tile of 1 or 2 rows reads
  // the weights as often as one of 6 for a third of the work or less (20 rows, a CEM 50 part's
  // per member: 5, 5, 5, 5 rather than 6, 6, 6, 2). Otherwise tiles of 6 and one of the rest,
  // which is then 1 to 4 rows (5 left over always fills: 6 t - 1 rows >= 5 t for t >= 1).
  const int64_t tiles = (n + kRowGemmRows - 1) / kRowGemmRows;
  int64_t fives = n % kRowGemmRows == 0 || n < 5 * tiles ? 0 : kRowGemmRows * tiles - n;
  int64_t r = 0;
  for (; fives > 0; --fives, r += 5) Rows<5>(x + r * k, w, b, k, m, dst + r * m);
  for (; r + kRowGemmRows <= n; r += kRowGemmRows) Rows<6>(x + r * k, w, b, k, m, dst + r * m);
  x += r * k;
  dst += r * m;
  switch (n - r) {
    case 1: Rows<1>(x, w, b, k, m, dst); break;
    case 2: Rows<2>(x, w, b, k, m, dst); break;
    case 3: Rows<3>(x, w, b, k, m, dst); break;
    case 4: Rows<4>(x, w, b, k, m, dst); break;
    default: break;
  }
}

// y[i, i + R) += their rows of w [n, m] times g, each row with one accumulator of 16 lanes (lane
// l sums the columns j = l mod 16 in order), reduced at the end.
template <int R>
__attribute__((target("avx512f"), always_inline)) inline void Dots(const float* __restrict w,
                                                                   const float* __restrict g,
                                                                   int64_t m, __mmask16 last,
                                                                   float* __restrict y) {
  const int64_t whole = m / 16 * 16;
  __m512 acc[R];
  for (int r = 0; r < R; ++r) acc[r] = _mm512_setzero_ps();
  for (int64_t j = 0; j < whole; j += 16) {
    const __m512 gv = _mm512_loadu_ps(g + j);
    for (int r = 0; r < R; ++r) {
      acc[r] = _mm512_fmadd_ps(_mm512_loadu_ps(w + r * m + j), gv, acc[r]);
    }
  }
  if (whole < m) {
    const __m512 gv = _mm512_maskz_loadu_ps(last, g + whole);
    for (int r = 0; r < R; ++r) {
      acc[r] = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(last, w + r * m + whole), gv, acc[r]);
    }
  }
  for (int r = 0; r < R; ++r) y[r] += _mm512_reduce_add_ps(acc[r]);
}

// Four rows at a time (four independent sums for the FMA units), then one at a time.
__attribute__((target("avx512f"))) void RowDotsAvx512(const float* w, const float* g, int64_t n,
                                                      int64_t m, float* y) {
  const __mmask16 last = avx512::FirstLanes(m % 16);
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) Dots<4>(w + i * m, g, m, last, y + i);
  for (; i < n; ++i) Dots<1>(w + i * m, g, m, last, y + i);
}
#endif
}  // namespace

bool RowGemmAvailable() { return avx512::Available(); }

void RowGemm(const float* x, const float* w, int64_t n, int64_t k, int64_t m, float* dst) {
  if (!RowGemmAvailable()) throw std::logic_error("RowGemm: this CPU has no AVX-512");
#ifdef MBRL_AVX512_INTRINSICS
  RowGemmAvx512(x, w, nullptr, n, k, m, dst);
#endif
}

void RowGemmBiasSilu(const float* x, const float* w, const float* b, int64_t n, int64_t k,
                     int64_t m, float* dst) {
  if (!RowGemmAvailable()) throw std::logic_error("RowGemmBiasSilu: this CPU has no AVX-512");
#ifdef MBRL_AVX512_INTRINSICS
  RowGemmAvx512(x, w, b, n, k, m, dst);
#endif
}

void RowDots(const float* w, const float* g, int64_t n, int64_t m, float* y) {
  if (!RowGemmAvailable()) throw std::logic_error("RowDots: this CPU has no AVX-512");
#ifdef MBRL_AVX512_INTRINSICS
  RowDotsAvx512(w, g, n, m, y);
#endif
}

}  // namespace mbrl
