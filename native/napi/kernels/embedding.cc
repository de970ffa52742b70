// JavaScript entry points of the embedding gather and scatter-add (native/cpu/embedding.cc, native/cuda/embedding.cu).
#include "napi/kernels/common.h"

namespace seqcore {
namespace {

// Ids must index the table (host memory only: the CUDA gather faults instead).
void check_ids(const Args& a, const int32_t* ids, int64_t n, int64_t V) {
  for (int64_t i = 0; i < n; ++i)
    if (ids[i] < 0 || ids[i] >= V)
      a.fail("id " + std::to_string(ids[i]) + " at index " + std::to_string(i) + " is outside the table's " +
             std::to_string(V) + " rows");
}

Napi::Value EmbeddingGather(Info info) {  // embeddingGather(table, V, E, ids, n, out)
  Args a(info, "embeddingGather", 6);
  int64_t V = a.size(1, "V"), E = a.size(2, "E"), n = a.size(4, "n");
  const int32_t* ids = a.buf<int32_t>(3, "ids", n);
  if (kHostMemory) check_ids(a, ids, n, V);
  backend::embedding_gather(a.buf<float>(0, "table", a.mul(V, E, "V × E")), V, ids,
                            a.buf<float>(5, "out", a.mul(n, E, "n × E")), n, E);
  return Undef(info);
}

Napi::Value EmbeddingScatterAdd(Info info) {  // embeddingScatterAdd(dy, ids, n, E, dtable, V)
  Args a(info, "embeddingScatterAdd", 6);
  int64_t n = a.size(2, "n"), E = a.size(3, "E"), V = a.size(5, "V");
  const int32_t* ids = a.buf<int32_t>(1, "ids", n);
  if (kHostMemory) check_ids(a, ids, n, V);
  backend::embedding_scatter_add(a.buf<float>(0, "dy", a.mul(n, E, "n × E")), ids,
                                 a.buf<float>(4, "dtable", a.mul(V, E, "V × E")), n, E, V);
  return Undef(info);
}

}  // namespace

void register_embedding(Napi::Env env, Napi::Object exports) {
  export_fn<EmbeddingGather>(env, exports, "embeddingGather");
  export_fn<EmbeddingScatterAdd>(env, exports, "embeddingScatterAdd");
}

}  // namespace seqcore
