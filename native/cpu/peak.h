// Measured FP32 peak of this CPU: independent FMA chains on every thread, no memory traffic.
// The benchmarks print kernel speed as a share of it.
#pragma once

namespace seqcore {
// GFLOP/s over `threads` threads (0 = the pool's size) for about `seconds`.
double measure_peak_gflops(double seconds, int threads);
}  // namespace seqcore
