#pragma once
// Plain loops compiled for AVX-512, AVX2 and the baseline, the one for this CPU picked at load
// time (GCC's target_clones): hand-written CPU paths that would otherwise run one ATen operator
// per small step. Elsewhere the macros are empty and the loops are compiled once.

#if defined(__GNUC__) && defined(__x86_64__)
#define MBRL_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#define MBRL_INLINE inline __attribute__((always_inline))
#else
#define MBRL_VECTOR_CLONES
#define MBRL_INLINE inline
#endif
