// Run-time choice of the SIMD path, so one build runs on any x86-64.
#pragma once
#include <string>

namespace seqcore {

enum class Isa { Scalar = 0, Avx2 = 1, Avx512 = 2 };

// Best ISA this CPU supports (AVX-512F+VL, AVX2+FMA, or scalar).
Isa detect_isa();
// ISA in use; defaults to detect_isa(). set_isa() may only lower it (tests use it to run
// the scalar and AVX2 paths on an AVX-512 machine); returns false if the CPU lacks it.
Isa active_isa();
bool set_isa(Isa isa);
const char* isa_name(Isa isa);

}  // namespace seqcore
