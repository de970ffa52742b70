// c (M×N) = alpha·op(a)·op(b) + beta·c, float32, row-major; a is M×K (K×M when ta),
// b is K×N (N×K when tb), lda/ldb their row lengths. beta = 0 never reads c.
// A workgroup of 128 invocations computes a BM×BN tile of c, each invocation a TM×TN block
// held in registers, over K in slices of BK staged through workgroup memory. The tile shape
// is chosen per pipeline by override constants (ts/backend/webgpu/gemm.ts: GEMM_TILES);
// (BM/TM)·(BN/TN) must be 128 and TM·TN ≤ 64. Slices wholly inside a, b and c are loaded
// without bounds checks; each operand is read along its contiguous axis by consecutive
// invocations (k for a row-major a, m for a transposed one; n for b, k for a transposed b).
//   gemm:    a, b, c start at element 0 of their buffers.
//   gemm_at: a, b, c start at elements oa, ob, oc (views into larger buffers, e.g. a step's
//            rows of a packed sequence); c is still dense (row length N) from oc.
struct Params { M: u32, N: u32, K: u32, ta: u32, tb: u32, lda: u32, ldb: u32, oa: u32, alpha: f32, beta: f32, ob: u32, oc: u32 }
@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read_write> C: array<f32>;

override BM: u32 = 32u;
override BN: u32 = 32u;
override TM: u32 = 4u;
override TN: u32 = 2u;
const BK: u32 = 16u;
const THREADS: u32 = 128u;
var<workgroup> As: array<f32, BK * BM>; // [k][m]
var<workgroup> Bs: array<f32, BK * BN>; // [k][n]
// The offsets of this invocation's entry point (0 for gemm, which ignores oa, ob and oc).
var<private> off_a: u32;
var<private> off_b: u32;

fn at_a(m: u32, k: u32) -> u32 {
  if (P.ta == 1u) { return off_a + k * P.lda + m; }
  return off_a + m * P.lda + k;
}

fn at_b(k: u32, n: u32) -> u32 {
  if (P.tb == 1u) { return off_b + n * P.ldb + k; }
  return off_b + k * P.ldb + n;
}

@compute @workgroup_size(THREADS)
fn gemm(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  tile(wid, lid, 0u);
}

@compute @workgroup_size(THREADS)
fn gemm_at(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  off_a = P.oa;
  off_b = P.ob;
  tile(wid, lid, P.oc);
}

// Stages the BK×BM slice of op(a) from k0 into As and the BK×BN slice of op(b) into Bs.
fn stage(row0: u32, col0: u32, k0: u32, lid: u32) {
  let inside = row0 + BM <= P.M && col0 + BN <= P.N && k0 + BK <= P.K;
  for (var e = lid; e < BK * BM; e += THREADS) {
    var kk = e / BM;
    var mm = e % BM;
    if (P.ta == 0u) { // row-major a: consecutive invocations walk k
      kk = e % BK;
      mm = e / BK;
    }
    let m = row0 + mm;
    let k = k0 + kk;
    var v = 0.0;
    if (inside || (m < P.M && k < P.K)) { v = A[at_a(m, k)]; }
    As[kk * BM + mm] = v;
  }
  for (var e = lid; e < BK * BN; e += THREADS) {
    var kk = e / BN;
    var nn = e % BN;
    if (P.tb == 1u) { // transposed b: consecutive invocations walk k
      kk = e % BK;
      nn = e / BK;
    }
    let n = col0 + nn;
    let k = k0 + kk;
    var v = 0.0;
    if (inside || (k < P.K && n < P.N)) { v = B[at_b(k, n)]; }
    Bs[kk * BN + nn] = v;
  }
}

fn tile(wid: vec3u, lid: u32, off_c: u32) {
  let row0 = wid.y * BM;
  let col0 = wid.x * BN;
  let tx = lid % (BN / TN);
  let ty = lid / (BN / TN);
  var acc: array<f32, 64>;
  var a: array<f32, 8>;
  var b: array<f32, 8>;
  for (var k0 = 0u; k0 < P.K; k0 += BK) {
    stage(row0, col0, k0, lid);
    workgroupBarrier();
    for (var kk = 0u; kk < BK; kk++) {
      for (var i = 0u; i < TM; i++) { a[i] = As[kk * BM + ty * TM + i]; }
      for (var j = 0u; j < TN; j++) { b[j] = Bs[kk * BN + tx * TN + j]; }
      for (var i = 0u; i < TM; i++) {
        for (var j = 0u; j < TN; j++) { acc[i * TN + j] += a[i] * b[j]; }
      }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < TM; i++) {
    for (var j = 0u; j < TN; j++) {
      let m = row0 + ty * TM + i;
      let n = col0 + tx * TN + j;
      if (m < P.M && n < P.N) {
        let idx = off_c + m * P.N + n;
        var v = P.alpha * acc[i * TN + j];
        if (P.beta != 0.0) { v += P.beta * C[idx]; }
        C[idx] = v;
      }
    }
  }
}
