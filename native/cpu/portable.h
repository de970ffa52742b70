// What differs between compilers and processors, in one place: whether the x86 SIMD paths
// exist, the GCC/Clang attributes that select them, and 64-byte-aligned allocation (MSVC has
// no std::aligned_alloc). Off x86 only the scalar paths are built (detect_isa() says Scalar).
#pragma once
#include <cstddef>
#include <cstdlib>
#if defined(_MSC_VER)
#include <malloc.h>
#endif

#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__) || defined(_M_IX86)
#define SEQCORE_X86 1
#else
#define SEQCORE_X86 0
#endif

// A function compiled for one ISA inside a file built for baseline x86-64 (GCC, Clang; MSVC
// compiles any intrinsic without it).
#if SEQCORE_X86 && (defined(__GNUC__) || defined(__clang__))
#define SEQCORE_TARGET(isa) __attribute__((target(isa)))
#else
#define SEQCORE_TARGET(isa)
#endif

// A function compiled once per ISA and chosen when the library loads: GCC and Clang on x86
// ELF targets (it needs the loader's ifunc); elsewhere one baseline copy.
#if SEQCORE_X86 && (defined(__GNUC__) || defined(__clang__)) && defined(__ELF__)
#define SEQCORE_TARGET_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define SEQCORE_TARGET_CLONES
#endif

namespace seqcore {

// bytes rounded up to a multiple of 64, 64-byte aligned; null when out of memory. Free with
// aligned_free.
inline void* aligned_alloc64(size_t bytes) {
  bytes = (bytes + 63) / 64 * 64;
#if defined(_MSC_VER)
  return _aligned_malloc(bytes, 64);
#else
  return std::aligned_alloc(64, bytes);
#endif
}

inline void aligned_free(void* p) {
#if defined(_MSC_VER)
  _aligned_free(p);
#else
  std::free(p);
#endif
}

}  // namespace seqcore
