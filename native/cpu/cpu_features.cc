#include "cpu/cpu_features.h"

#include "cpu/portable.h"
#if SEQCORE_X86 && defined(_MSC_VER)
#include <immintrin.h>
#include <intrin.h>
#endif

namespace seqcore {

Isa detect_isa() {
#if SEQCORE_X86 && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl")) return Isa::Avx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return Isa::Avx2;
#elif SEQCORE_X86 && defined(_MSC_VER)
  // CPUID says what the processor has, XGETBV what the OS saves on a context switch.
  int r[4];
  __cpuid(r, 0);
  if (r[0] < 7) return Isa::Scalar;  // no leaf 7: no AVX2 either
  __cpuid(r, 1);
  const bool fma = (r[2] >> 12) & 1, osxsave = (r[2] >> 27) & 1;
  if (!osxsave) return Isa::Scalar;
  const unsigned long long xcr0 = _xgetbv(0);
  __cpuidex(r, 7, 0);
  const bool avx2 = (r[1] >> 5) & 1, avx512f = (r[1] >> 16) & 1, avx512vl = (static_cast<unsigned>(r[1]) >> 31) & 1;
  const bool ymm = (xcr0 & 0x6) == 0x6, zmm = (xcr0 & 0xe6) == 0xe6;
  if (avx512f && avx512vl && zmm) return Isa::Avx512;
  if (avx2 && fma && ymm) return Isa::Avx2;
#endif
  return Isa::Scalar;
}

static Isa g_isa = detect_isa();

Isa active_isa() { return g_isa; }

bool set_isa(Isa isa) {
  if (static_cast<int>(isa) > static_cast<int>(detect_isa())) return false;
  g_isa = isa;
  return true;
}

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::Avx512:
      return "avx512";
    case Isa::Avx2:
      return "avx2";
    default:
      return "scalar";
  }
}

}  // namespace seqcore
