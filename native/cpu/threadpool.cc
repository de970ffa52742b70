#include "cpu/threadpool.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "cpu/portable.h"
#if SEQCORE_X86
#include <immintrin.h>
#endif

namespace seqcore {
namespace {

inline void cpu_relax() {
#if SEQCORE_X86
  _mm_pause();
#elif defined(__aarch64__) && (defined(__GNUC__) || defined(__clang__))
  __asm__ __volatile__("yield");
#endif
}

thread_local bool t_in_job = false;

class Pool {
 public:
  Pool() { resize(std::min(2u, std::max(1u, std::thread::hardware_concurrency()))); }
  ~Pool() { stop_workers(); }

  int size() const { return size_; }

  void resize(int n) {
    n = std::max(1, std::min(n, 64));
    if (n == size_) return;
    stop_workers();
    size_ = n;
    stop_ = false;
    // New workers start at the current generation: a job that ran before they existed is
    // not theirs to run.
    const uint64_t now = generation_.load();
    for (int i = 1; i < n; ++i) workers_.emplace_back([this, i, now] { loop(i, now); });
  }

  void run(const std::function<void(int, int)>& fn, int nt) {
    if (nt <= 0 || nt > size_) nt = size_;
    if (nt == 1 || t_in_job) {
      fn(0, 1);
      return;
    }
    std::lock_guard<std::mutex> serial(run_mutex_);  // one job at a time
    job_ = &fn;
    job_threads_ = nt;
    // Every worker acknowledges every job (those beyond nt run nothing), so no worker can
    // lag behind into the next job's parameters.
    pending_.store(size_ - 1, std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lk(m_);
      generation_.fetch_add(1, std::memory_order_release);
    }
    cv_.notify_all();
    t_in_job = true;
    fn(0, nt);
    t_in_job = false;
    while (pending_.load(std::memory_order_acquire) != 0) cpu_relax();
  }

 private:
  void loop(int id, uint64_t seen) {
    for (;;) {
      uint64_t g;
      int spins = 0;
      while ((g = generation_.load(std::memory_order_acquire)) == seen && !stop_.load()) {
        if (++spins < 40000) {
          cpu_relax();
          continue;
        }
        std::unique_lock<std::mutex> lk(m_);
        cv_.wait(lk, [&] { return generation_.load() != seen || stop_.load(); });
      }
      if (stop_.load()) return;
      seen = g;
      if (id < job_threads_) {
        t_in_job = true;
        (*job_)(id, job_threads_);
        t_in_job = false;
      }
      pending_.fetch_sub(1, std::memory_order_acq_rel);
    }
  }

  void stop_workers() {
    {
      std::lock_guard<std::mutex> lk(m_);
      stop_ = true;
    }
    cv_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
  }

  int size_ = 0;
  std::vector<std::thread> workers_;
  std::mutex m_, run_mutex_;
  std::condition_variable cv_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> pending_{0};
  std::atomic<bool> stop_{false};
  const std::function<void(int, int)>* job_ = nullptr;
  int job_threads_ = 1;
};

Pool& pool() {
  static Pool p;
  return p;
}

}  // namespace

void set_num_threads(int n) { pool().resize(n); }
int num_threads() { return pool().size(); }
void parallel_run(const std::function<void(int, int)>& fn, int nthreads) { pool().run(fn, nthreads); }

}  // namespace seqcore
