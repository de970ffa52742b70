// Embedding lookups, the CUDA side of native/cpu/embedding.cc.
//
// The ids live on the device, so the check the CPU bindings make up front happens in the
// kernels: an id outside [0, V) raises a device fault (kIdOutOfRange against V) naming the
// first bad position; the gather writes zeros for its row, scatter_add skips it.
//
// scatter_add is deterministic without float atomics: (id, position) pairs are radix-sorted
// (stable, so the positions of one id stay in increasing order), the runs of equal ids are
// found, and one group per run adds that id's rows to dtable one after another in position
// order, starting from dtable's value: each float of dtable sees the CPU's exact sequence of
// additions, however many times an id (padding, say) repeats.
#include <cub/device/device_radix_sort.cuh>
#include <cub/device/device_select.cuh>

#include "cuda/kernels.h"
#include "cuda/reduce.cuh"

namespace seqcore {
namespace cuda {
namespace {

// G threads per row (a warp for E ≤ kWarpRowMax, else the block), grid-stride over the n
// rows: copies table row ids[r] to out row r, or zeros if the id is outside [0, V) (noted
// for the fault).
template <int G>
__global__ void __launch_bounds__(kThreads) gather_kernel(const float* table, int64_t V, const int32_t* ids, float* out,
                                                          int64_t n, int64_t E, unsigned long long* bad_slot) {
  using R = RowGroup<G>;
  const int lane = R::lane();
  unsigned long long bad = kNoBad;
  for (int64_t r = R::first(); r < n; r += R::stride()) {
    const int32_t id = ids[r];
    float* o = out + r * E;
    if (id >= 0 && id < V) {
      const float* src = table + static_cast<int64_t>(id) * E;
      for (int64_t j = lane; j < E; j += G) o[j] = src[j];
    } else {
      if (bad == kNoBad) bad = static_cast<unsigned long long>(r);  // rows increase: the first is the least
      for (int64_t j = lane; j < E; j += G) o[j] = 0.f;
    }
  }
  note_first_bad(bad_slot, bad);
}

// 1-D: kThreads per block, grid_for(n) blocks, grid-stride over the ids: the sort's keys (the
// id, or `sentinel` for an id outside [0, V), noted for the fault) and values (positions).
template <class Pos>
__global__ void __launch_bounds__(kThreads)
    scatter_keys_kernel(const int32_t* ids, int64_t n, int64_t V, uint32_t sentinel, uint32_t* keys, Pos* pos,
                        unsigned long long* bad_slot) {
  unsigned long long bad = kNoBad;
  for (int64_t i = global_index(); i < n; i += global_stride()) {
    const int32_t id = ids[i];
    const bool ok = id >= 0 && id < V;
    keys[i] = ok ? static_cast<uint32_t>(id) : sentinel;
    pos[i] = static_cast<Pos>(i);
    if (!ok && bad == kNoBad) bad = static_cast<unsigned long long>(i);
  }
  note_first_bad(bad_slot, bad);
}

// Selects the sorted positions where a run of equal keys starts.
template <class Pos>
struct IsRunHead {
  const uint32_t* keys;
  __device__ bool operator()(const Pos& i) const { return i == 0 || keys[i] != keys[i - 1]; }
};

// G threads per run (a warp for E ≤ kWarpRowMax, else the block), grid-stride over the
// *num_runs runs: for each column, dtable[id, j] += dy[p, j] for the run's positions p in
// increasing order, in float, as the CPU's loop over i does. The sentinel's run is skipped.
template <int G, class Pos>
__global__ void __launch_bounds__(kThreads)
    scatter_runs_kernel(const float* dy, const uint32_t* keys, const Pos* pos, const Pos* starts, const Pos* num_runs,
                        float* dtable, int64_t n, int64_t E, uint32_t sentinel) {
  using R = RowGroup<G>;
  const int lane = R::lane();
  const int64_t runs = static_cast<int64_t>(*num_runs);
  for (int64_t b = R::first(); b < runs; b += R::stride()) {
    const int64_t s = static_cast<int64_t>(starts[b]);
    const int64_t e = b + 1 < runs ? static_cast<int64_t>(starts[b + 1]) : n;
    const uint32_t id = keys[s];
    if (id == sentinel) continue;
    float* dst = dtable + static_cast<int64_t>(id) * E;
    for (int64_t j = lane; j < E; j += G) {
      float acc = dst[j];
#pragma unroll 4
      for (int64_t k = s; k < e; ++k) acc += dy[static_cast<int64_t>(pos[k]) * E + j];
      dst[j] = acc;
    }
  }
}

template <class Pos>
void scatter_add(const float* dy, const int32_t* ids, float* dtable, int64_t n, int64_t E, int64_t V) {
  // Valid ids are < min(V, 2^31); the sentinel sorts after all of them.
  const uint32_t sentinel = V < (int64_t{1} << 31) ? static_cast<uint32_t>(V) : (uint32_t{1} << 31);
  FirstBad bad;
  Scratch keys_in(n * sizeof(uint32_t)), pos_in(n * sizeof(Pos));
  scatter_keys_kernel<Pos><<<grid_for(n, kThreads), kThreads, 0, stream()>>>(
      ids, n, V, sentinel, keys_in.as<uint32_t>(), pos_in.as<Pos>(), bad.slot());
  check_launch("embedding_scatter_add");

  if (E > 0 && V > 0) {
    int end_bit = 0;
    while (end_bit < 32 && (sentinel >> end_bit) != 0) ++end_bit;  // bits of the largest key
    Scratch keys_out(n * sizeof(uint32_t)), pos_out(n * sizeof(Pos)), starts(n * sizeof(Pos)), num_runs(sizeof(Pos));
    const IsRunHead<Pos> head{keys_out.as<const uint32_t>()};
    size_t sort_bytes = 0, select_bytes = 0;
    check(cub::DeviceRadixSort::SortPairs(nullptr, sort_bytes, keys_in.as<const uint32_t>(), keys_out.as<uint32_t>(),
                                          pos_in.as<const Pos>(), pos_out.as<Pos>(), static_cast<Pos>(n), 0, end_bit,
                                          stream()),
          "cub::DeviceRadixSort::SortPairs (size)");
    check(cub::DeviceSelect::If(nullptr, select_bytes, pos_in.as<const Pos>(), starts.as<Pos>(), num_runs.as<Pos>(), n,
                                head, stream()),
          "cub::DeviceSelect::If (size)");
    Scratch temp(sort_bytes > select_bytes ? sort_bytes : select_bytes);
    check(cub::DeviceRadixSort::SortPairs(temp.as<void>(), sort_bytes, keys_in.as<const uint32_t>(),
                                          keys_out.as<uint32_t>(), pos_in.as<const Pos>(), pos_out.as<Pos>(),
                                          static_cast<Pos>(n), 0, end_bit, stream()),
          "cub::DeviceRadixSort::SortPairs");
    // pos_in still holds 0, 1, …, n − 1 (SortPairs does not write its inputs): the selected
    // items are the positions in the sorted order where a run starts.
    check(cub::DeviceSelect::If(temp.as<void>(), select_bytes, pos_in.as<const Pos>(), starts.as<Pos>(),
                                num_runs.as<Pos>(), n, head, stream()),
          "cub::DeviceSelect::If");
    if (E <= kWarpRowMax)
      scatter_runs_kernel<32, Pos><<<row_blocks(n, 32), kThreads, 0, stream()>>>(
          dy, keys_out.as<const uint32_t>(), pos_out.as<const Pos>(), starts.as<const Pos>(), num_runs.as<const Pos>(),
          dtable, n, E, sentinel);
    else
      scatter_runs_kernel<kThreads, Pos><<<row_blocks(n, kThreads), kThreads, 0, stream()>>>(
          dy, keys_out.as<const uint32_t>(), pos_out.as<const Pos>(), starts.as<const Pos>(), num_runs.as<const Pos>(),
          dtable, n, E, sentinel);
    check_launch("embedding_scatter_add");
  }
  bad.raise(fault_site("embeddingScatterAdd", kIdOutOfRange, V), ids);
}

}  // namespace

void embedding_gather(const float* table, int64_t V, const int32_t* ids, float* out, int64_t n, int64_t E) {
  if (n <= 0) return;
  FirstBad bad;
  if (E <= kWarpRowMax)
    gather_kernel<32><<<row_blocks(n, 32), kThreads, 0, stream()>>>(table, V, ids, out, n, E, bad.slot());
  else
    gather_kernel<kThreads><<<row_blocks(n, kThreads), kThreads, 0, stream()>>>(table, V, ids, out, n, E, bad.slot());
  check_launch("embedding_gather");
  bad.raise(fault_site("embeddingGather", kIdOutOfRange, V), ids);
}

void embedding_scatter_add(const float* dy, const int32_t* ids, float* dtable, int64_t n, int64_t E, int64_t V) {
  if (n <= 0) return;
  if (n <= static_cast<int64_t>(UINT32_MAX))
    scatter_add<uint32_t>(dy, ids, dtable, n, E, V);
  else
    scatter_add<uint64_t>(dy, ids, dtable, n, E, V);
}

}  // namespace cuda
}  // namespace seqcore
