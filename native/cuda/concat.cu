// Concatenation along the last axis and its inverse, the CUDA side of native/cpu/concat.cc.
// The parts' pointers (host array of device pointers) and widths are uploaded as one table,
// with each part's column offset in the output, so one kernel moves every part.
#include <vector>

#include "cuda/kernels.h"
#include "cuda/reduce.cuh"

namespace seqcore {
namespace cuda {
namespace {

template <class Ptr>
struct Part {
  Ptr data;               // rows × width
  int64_t width, offset;  // offset: first column in the rows × W side
};

// Uploads the parts' table (pointer, width, column offset of each part).
template <class Ptr>
void upload_parts(Scratch& into, Ptr const* parts, const int64_t* widths, int64_t count) {
  std::vector<Part<Ptr>> table(static_cast<size_t>(count));
  int64_t offset = 0;
  for (int64_t p = 0; p < count; ++p) {
    table[p] = Part<Ptr>{parts[p], widths[p], offset};
    offset += widths[p];
  }
  upload(into, table.data(), table.size());
}

// G threads per row (a warp for W ≤ kWarpRowMax, else the block), grid-stride over the rows:
// for each part in order, the group copies that part's row into its columns of the wide row
// (Concat) or back (split).
template <int G, bool Concat, class Ptr>
__global__ void __launch_bounds__(kThreads) concat_kernel(const Part<Ptr>* parts, int64_t count, float* wide_out,
                                                          const float* wide_in, int64_t rows, int64_t W) {
  using R = RowGroup<G>;
  const int lane = R::lane();
  for (int64_t r = R::first(); r < rows; r += R::stride()) {
    for (int64_t p = 0; p < count; ++p) {
      const Part<Ptr> part = parts[p];
      const int64_t base = r * part.width, wide = r * W + part.offset;
      for (int64_t j = lane; j < part.width; j += G) {
        if constexpr (Concat)
          wide_out[wide + j] = part.data[base + j];
        else
          part.data[base + j] = wide_in[wide + j];
      }
    }
  }
}

template <bool Concat, class Ptr>
void launch(Ptr const* parts, const int64_t* widths, int64_t count, float* wide_out, const float* wide_in, int64_t rows,
            const char* name) {
  if (rows <= 0 || count <= 0) return;
  int64_t W = 0;
  for (int64_t p = 0; p < count; ++p) W += widths[p];
  if (W <= 0) return;
  Scratch table(static_cast<size_t>(count) * sizeof(Part<Ptr>));
  upload_parts(table, parts, widths, count);
  const Part<Ptr>* t = table.as<const Part<Ptr>>();
  if (W <= kWarpRowMax)
    concat_kernel<32, Concat, Ptr>
        <<<row_blocks(rows, 32), kThreads, 0, stream()>>>(t, count, wide_out, wide_in, rows, W);
  else
    concat_kernel<kThreads, Concat, Ptr>
        <<<row_blocks(rows, kThreads), kThreads, 0, stream()>>>(t, count, wide_out, wide_in, rows, W);
  check_launch(name);
}

}  // namespace

void concat_last(const float* const* parts, const int64_t* widths, int64_t count, float* out, int64_t rows) {
  launch<true, const float*>(parts, widths, count, out, nullptr, rows, "concat_last");
}

void split_last(const float* x, float* const* parts, const int64_t* widths, int64_t count, int64_t rows) {
  launch<false, float*>(parts, widths, count, nullptr, x, rows, "split_last");
}

}  // namespace cuda
}  // namespace seqcore
