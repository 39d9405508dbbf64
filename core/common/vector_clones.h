#pragma once

// GRIDS_VECTOR_CLONES before a function: GCC builds one copy of it per instruction set
// (AVX-512, AVX2, the baseline) and picks one at load. No copy may fuse a multiply and an add
// (AVX-512 and AVX2 have fused instructions), so every copy gives the same numbers. Elsewhere
// (clang, the fuzzing build; other processors) the function is built once.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define GRIDS_VECTOR_CLONES \
    __attribute__((target_clones("avx512f", "avx2", "default"), optimize("fp-contract=off")))
#else
#define GRIDS_VECTOR_CLONES
#endif
