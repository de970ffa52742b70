// One small pool of worker threads shared by every kernel. The calling thread is worker 0.
// Workers spin briefly after a job (kernels come in quick succession during training),
// then sleep, so an idle process uses no CPU.
#pragma once
#include <algorithm>
#include <cstdint>
#include <functional>

namespace seqcore {

void set_num_threads(int n);  // total threads including the caller; 1..64
int num_threads();

// Runs fn(tid, nthreads) once on each of nthreads threads and returns when all are done.
// A call made from inside a job runs fn(0, 1) inline (no nested parallelism).
void parallel_run(const std::function<void(int, int)>& fn, int nthreads = 0);

// Splits [0, n) into one contiguous range per thread; ranges smaller than `grain` items
// are not split further (small problems stay on the calling thread).
template <class F>
void parallel_for(int64_t n, int64_t grain, F&& fn) {
  if (n <= 0) return;
  int64_t parts = std::min<int64_t>(num_threads(), std::max<int64_t>(1, n / std::max<int64_t>(grain, 1)));
  if (parts <= 1) {
    fn(int64_t(0), n);
    return;
  }
  parallel_run(
      [&](int tid, int nt) {
        int64_t b = n * tid / nt, e = n * (tid + 1) / nt;
        if (b < e) fn(b, e);
      },
      static_cast<int>(parts));
}

}  // namespace seqcore
