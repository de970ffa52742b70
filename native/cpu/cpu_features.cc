#include "cpu/cpu_features.h"

namespace seqcore {

Isa detect_isa() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl")) return Isa::Avx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return Isa::Avx2;
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
    case Isa::Avx512: return "avx512";
    case Isa::Avx2: return "avx2";
    default: return "scalar";
  }
}

}  // namespace seqcore
