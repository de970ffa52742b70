// JavaScript entry points of the packed self-attention (native/cpu/attention.cc, native/cuda/attention.cu).
#include "napi/kernels/common.h"

namespace seqcore {
namespace {

// D and heads of an attention call: D a positive multiple of heads.
void attention_dims(const Args& a, size_t d_i, size_t h_i, int64_t* D, int64_t* heads) {
  *D = a.size(d_i, "D");
  *heads = a.size(h_i, "heads");
  if (*heads < 1 || *D < 1 || *D % *heads)
    a.fail("D (" + std::to_string(*D) + ") must be a positive multiple of heads (" + std::to_string(*heads) + ")");
}

// Floats of the qkv (total × 3D) and out (total × D) buffers, and of the attention
// probabilities: heads × Σ Lᵢ² over the sequences, which is at most heads × total × T.
struct AttentionSizes {
  int64_t qkv, out, probs;
};
AttentionSizes attention_sizes(const Args& a, const PackedLayout& l, int64_t D, int64_t heads) {
  a.mul(heads, l.total, l.T, "heads × total × T");
  const int64_t out = a.mul(l.total, D, "total × D");
  return {a.mul(out, 3, "total × 3D"), out, backend::attention_prob_floats(l, heads)};
}

// attention(qkv, D, heads, causal, batchSizes, sortedIndices, dropout, seed, out, probs)
Napi::Value Attention(Info info) {
  Args a(info, "attention", 10);
  int64_t D, heads;
  attention_dims(a, 1, 2, &D, &heads);
  PackedLayout l = layout(a, info, 4, 5);
  if (a.id(8, "out") == a.id(0, "qkv") || a.id(9, "probs") == a.id(0, "qkv"))
    a.fail("out and probs must not share storage with qkv");
  const AttentionSizes n = attention_sizes(a, l, D, heads);
  backend::attention_forward(a.buf<float>(0, "qkv", n.qkv), l, D, heads, a.flag(3, "causal"), a.dropout(6, "dropout"),
                             a.seed(7), a.buf<float>(8, "out", n.out), a.buf<float>(9, "probs", n.probs));
  return info.Env().Undefined();
}

// attentionGrad(qkv, probs, dout, D, heads, causal, batchSizes, sortedIndices, dropout, seed, dqkv)
Napi::Value AttentionGrad(Info info) {
  Args a(info, "attentionGrad", 11);
  int64_t D, heads;
  attention_dims(a, 3, 4, &D, &heads);
  PackedLayout l = layout(a, info, 6, 7);
  const double out = a.id(10, "dqkv");
  if (out == a.id(0, "qkv") || out == a.id(1, "probs") || out == a.id(2, "dout"))
    a.fail("dqkv must not share storage with an input");
  const AttentionSizes n = attention_sizes(a, l, D, heads);
  backend::attention_backward(a.buf<float>(0, "qkv", n.qkv), a.buf<float>(1, "probs", n.probs),
                              a.buf<float>(2, "dout", n.out), l, D, heads, a.flag(5, "causal"), a.dropout(8, "dropout"),
                              a.seed(9), a.buf<float>(10, "dqkv", n.qkv));
  return info.Env().Undefined();
}

}  // namespace

void register_attention(Napi::Env env, Napi::Object exports) {
  export_fn<Attention>(env, exports, "attention");
  export_fn<AttentionGrad>(env, exports, "attentionGrad");
}

}  // namespace seqcore
