// Math shared by the CPU and CUDA kernels, so that both backends compute the same thing and
// the CPU tests exercise the code the GPU runs: exp, the GRU gates, the dropout hash and the
// float16/bfloat16 conversions. Compiled by g++ (inline) and by nvcc (__host__ __device__).
#pragma once
#include <cstdint>
#include <cstring>

#if defined(__CUDACC__)
#define SEQCORE_HD __host__ __device__ __forceinline__
#else
#define SEQCORE_HD inline
#endif

namespace seqcore {

SEQCORE_HD uint32_t float_bits(float f) {
  uint32_t x;
  memcpy(&x, &f, 4);
  return x;
}

SEQCORE_HD float bits_float(uint32_t x) {
  float f;
  memcpy(&f, &x, 4);
  return f;
}

// exp without libm, written so the compiler vectorises CPU loops that call it. Cephes-style:
// x = k·ln2 + r with k rounded to nearest by the 1.5·2²³ trick (no floor, so it vectorises on
// plain SSE2 too), then a degree-6 polynomial for e^r; about 2 ulp on [-87, 88], inputs
// outside clamped.
SEQCORE_HD float fast_exp(float x) {
  x = x < -87.f ? -87.f : (x > 88.f ? 88.f : x);
  const float k = (x * 1.44269504088896341f + 12582912.f) - 12582912.f;
  const float r = x - k * 0.693359375f + k * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.f;
  return p * bits_float(static_cast<uint32_t>((static_cast<int32_t>(k) + 127) << 23));
}

// erf without libm, so that the GELU loops vectorise (glibc's erff does not): Abramowitz and
// Stegun 7.1.26, |error| ≤ 1.5e-7, the approximation PyTorch's vectorised CPU erf uses too.
SEQCORE_HD float fast_erf(float x) {
  const float ax = x < 0.f ? -x : x;
  const float t = 1.f / (1.f + 0.3275911f * ax);
  const float p = ((((1.061405429f * t - 1.453152027f) * t + 1.421413741f) * t - 0.284496736f) * t + 0.254829592f) * t;
  const float y = 1.f - p * fast_exp(-ax * ax);
  return x < 0.f ? -y : y;
}

SEQCORE_HD float fast_sigmoid(float x) { return 1.f / (1.f + fast_exp(-x)); }
SEQCORE_HD float fast_tanh(float x) { return 2.f / (1.f + fast_exp(-2.f * x)) - 1.f; }

// ---- GRU cell (PyTorch/cuDNN gate order r, z, n; "reset after") for one unit of one row ----
//   a_r = x·W_irᵀ + b_ir + h·W_hrᵀ + b_hr, a_z likewise, xn = x·W_inᵀ + b_in, ghn = h·W_hnᵀ + b_hn
//   r = σ(a_r), z = σ(a_z), n = tanh(xn + r·ghn), h' = (1 − z)·n + z·h
struct GruGates {
  float r, z, n;
};

SEQCORE_HD GruGates gru_gates(float a_r, float a_z, float xn, float ghn) {
  GruGates g;
  g.r = fast_sigmoid(a_r);
  g.z = fast_sigmoid(a_z);
  g.n = fast_tanh(xn + g.r * ghn);
  return g;
}

SEQCORE_HD float gru_output(const GruGates& g, float hprev) { return (1.f - g.z) * g.n + g.z * hprev; }

// Gradients of h' w.r.t. the pre-activations, from dh = ∂L/∂h' and the saved r, z, n, ghn:
//   dar, daz: w.r.t. a_r and a_z (the same for the x and the h projections);
//   dan: w.r.t. xn (the x projection of n); dan·r is w.r.t. ghn; dhp = dh·z, the direct
//   part of ∂L/∂h.
struct GruGateGrads {
  float dar, daz, dan, dhp;
};

SEQCORE_HD GruGateGrads gru_gate_grads(float dh, float hprev, float r, float z, float n, float ghn) {
  GruGateGrads d;
  d.dan = dh * (1.f - z) * (1.f - n * n);
  d.dar = d.dan * ghn * r * (1.f - r);
  d.daz = dh * (hprev - n) * z * (1.f - z);
  d.dhp = dh * z;
  return d;
}

// Stores unit j's gradients in a row of dgi (w.r.t. x·W_ihᵀ + b_ih: dar, daz, dan) and of dgh
// (w.r.t. h·W_hhᵀ + b_hh: dar, daz, dan·r), each 3H wide.
SEQCORE_HD void gru_store_gate_grads(const GruGateGrads& q, float r, int64_t H, int64_t j, float* dgi, float* dgh) {
  dgi[j] = q.dar;
  dgi[H + j] = q.daz;
  dgi[2 * H + j] = q.dan;
  dgh[j] = q.dar;
  dgh[H + j] = q.daz;
  dgh[2 * H + j] = q.dan * r;
}

// ---- dropout ----
// Counter-based: element i's draw depends only on (seed, i), so every backend (and the
// TypeScript reference, ts/backend/reference/dropout.ts) produces the same mask. Element i is
// kept iff dropout_uniform(seed, i) >= p.
SEQCORE_HD float dropout_uniform(uint32_t seed, uint64_t i) {
  uint32_t h = seed ^ static_cast<uint32_t>(i * 0x9E3779B9u) ^ static_cast<uint32_t>(i >> 32);
  h ^= h >> 16;
  h *= 0x85EBCA6Bu;
  h ^= h >> 13;
  h *= 0xC2B2AE35u;
  h ^= h >> 16;
  return static_cast<float>(h >> 8) * (1.0f / 16777216.0f);
}

// ---- float16 / bfloat16 ----
// float → float16, round to nearest even, overflow to ±Inf, NaN kept.
SEQCORE_HD uint16_t f32_to_f16(float f) {
  const uint32_t x = float_bits(f);
  const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000u);
  const uint32_t ax = x & 0x7FFFFFFFu;
  if (ax >= 0x7F800000u) return sign | (ax > 0x7F800000u ? 0x7E00u : 0x7C00u);  // NaN / Inf
  if (ax >= 0x477FF000u) return sign | 0x7C00u;                                 // rounds to ≥ 65520: overflow to Inf
  if (ax < 0x38800000u) {                                                       // below 2^-14: subnormal half or zero
    if (ax < 0x33000000u) return sign;                                          // below 2^-25: rounds to zero
    const uint32_t e = ax >> 23, mant = (ax & 0x7FFFFFu) | 0x800000u;
    const uint32_t shift = 126 - e;  // 14..24
    uint32_t h = mant >> shift;
    const uint32_t rem = mant & ((1u << shift) - 1), half = 1u << (shift - 1);
    if (rem > half || (rem == half && (h & 1u))) ++h;
    return sign | static_cast<uint16_t>(h);
  }
  uint32_t h = ((ax >> 13) - (112u << 10));  // rebias exponent 127 → 15
  const uint32_t rem = ax & 0x1FFFu;
  if (rem > 0x1000u || (rem == 0x1000u && (h & 1u))) ++h;
  return sign | static_cast<uint16_t>(h);
}

SEQCORE_HD float f16_to_f32(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  uint32_t e = (h >> 10) & 0x1Fu, m = h & 0x3FFu, x;
  if (e == 0x1F)
    x = sign | 0x7F800000u | (m << 13);
  else if (e != 0)
    x = sign | ((e + 112u) << 23) | (m << 13);
  else if (m == 0)
    x = sign;
  else {  // subnormal: normalise
    e = 113;
    while (!(m & 0x400u)) {
      m <<= 1;
      --e;
    }
    x = sign | (e << 23) | ((m & 0x3FFu) << 13);
  }
  return bits_float(x);
}

// float → bfloat16 (the top 16 bits), round to nearest even, NaN kept quiet.
SEQCORE_HD uint16_t f32_to_bf16(float f) {
  const uint32_t x = float_bits(f);
  if ((x & 0x7FFFFFFFu) > 0x7F800000u) return static_cast<uint16_t>((x >> 16) | 0x40u);
  return static_cast<uint16_t>((x + 0x7FFFu + ((x >> 16) & 1u)) >> 16);
}

SEQCORE_HD float bf16_to_f32(uint16_t h) { return bits_float(static_cast<uint32_t>(h) << 16); }

}  // namespace seqcore
