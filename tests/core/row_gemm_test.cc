#include "mbrl/core/row_gemm.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

namespace mbrl {
namespace {

TEST(RowGemm, EqualsAPlainLoopOfFusedMultiplyAddsBitForBitAndWritesOnlyItsOutput) {
  if (!RowGemmAvailable()) GTEST_SKIP() << "this CPU has no AVX-512";
  std::mt19937 gen(3);
  std::normal_distribution<float> normal;
  // Row counts around the 6-row tiles (5, 11, 20 and 40 in tiles of 5 and 6; every rest of 1 to
  // 4 rows), widths around the 16-float vectors and 64-column tiles.
  for (const int64_t n : {1, 2, 3, 4, 5, 6, 7, 9, 11, 13, 20, 40}) {
    for (const int64_t k : {1, 5, 200}) {
      for (const int64_t m : {1, 8, 15, 16, 17, 36, 64, 65, 90, 200}) {
        std::vector<float> x(n * k), w(k * m);
        for (auto& v : x) v = normal(gen);
        for (auto& v : w) v = normal(gen);
        constexpr float kUntouched = 12345.0f;
        std::vector<float> dst(n * m + 32, kUntouched);  // 32 more: nothing lands past the end
        RowGemm(x.data(), w.data(), n, k, m, dst.data());
        for (int64_t r = 0; r < n; ++r) {
          for (int64_t c = 0; c < m; ++c) {
            float want = 0.0f;
            for (int64_t i = 0; i < k; ++i) want = std::fmaf(x[r * k + i], w[i * m + c], want);
            const float got = dst[r * m + c];
            ASSERT_EQ(std::memcmp(&got, &want, sizeof got), 0)
                << "n " << n << " k " << k << " m " << m << " at " << r << ", " << c << ": "
                << got << " against " << want;
          }
        }
        for (size_t j = n * m; j < dst.size(); ++j) ASSERT_EQ(dst[j], kUntouched) << j;
      }
    }
  }
}

}  // namespace
}  // namespace mbrl
