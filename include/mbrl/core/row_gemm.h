#pragma once
// A single-threaded float matrix product for the fused CPU step's layers, where the weights are
// read in place: OpenBLAS copies ("packs") both operands on every call, which for a few dozen
// rows per member costs a sixth of a small CEM step, and its Haswell kernels, the ones it runs
// on CPUs it does not know, use 256-bit vectors where the CPU has 512-bit ones.
#include <cstdint>

namespace mbrl {

/// Whether RowGemm runs here (x86-64 with AVX-512F).
bool RowGemmAvailable();

/// dst [n, m] = x [n, k] · w [k, m], all row-major and contiguous, dst not overlapping x or w:
/// tiles of up to kRowGemmRows rows × 64 columns held in AVX-512 registers over the whole sum,
/// each step adding one row of w (read in place) times one entry of each of the tile's rows of
/// x. The sums run in order of k, so each entry is rounded as a plain loop's would be, up to
/// fused multiply-adds. Throws std::logic_error where !RowGemmAvailable().
void RowGemm(const float* x, const float* w, int64_t n, int64_t k, int64_t m, float* dst);
inline constexpr int kRowGemmRows = 6;

/// RowGemm, then dst = silu(dst + b) with b [m], applied to each tile in its registers before it
/// is stored: equal bit for bit to RowGemm followed by BiasSiluRows (core/vector_math.h), without
/// that second pass over dst.
void RowGemmBiasSilu(const float* x, const float* w, const float* b, int64_t n, int64_t k,
                     int64_t m, float* dst);

/// y [n] += w [n, m] · g [m], w row-major: a matrix-vector product along w's rows, for a one-row
/// backward pass that reads the forward pass's weights instead of a transposed copy of them. Each
/// row's sum runs in 16 lanes (lane l adds the columns j = l mod 16, in order, by fused
/// multiply-adds), which are then added together: its rounding is not a plain loop's, but it is
/// the same on every call. Throws std::logic_error where !RowGemmAvailable().
void RowDots(const float* w, const float* g, int64_t n, int64_t m, float* y);

}  // namespace mbrl
