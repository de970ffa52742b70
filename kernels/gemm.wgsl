// c (M×N) = alpha·op(a)·op(b) + beta·c, float32, row-major; a is M×K (K×M when ta),
// b is K×N (N×K when tb), lda/ldb their row lengths. beta = 0 never reads c.
// Each 16×8 workgroup computes a 32×32 tile of c (4×2 per invocation) over K in slices of 16
// staged through workgroup memory.
//   gemm:    a, b, c start at element 0 of their buffers.
//   gemm_at: a, b, c start at elements oa, ob, oc (views into larger buffers, e.g. a step's
//            rows of a packed sequence); c is still dense (row length N) from oc.
struct Params { M: u32, N: u32, K: u32, ta: u32, tb: u32, lda: u32, ldb: u32, oa: u32, alpha: f32, beta: f32, ob: u32, oc: u32 }
@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read_write> C: array<f32>;

const TILE: u32 = 32u;
const KT: u32 = 16u;
var<workgroup> As: array<f32, 512>; // [k][m], KT×TILE
var<workgroup> Bs: array<f32, 512>; // [k][n], KT×TILE
// The offsets of this invocation's entry point (0 for gemm, which ignores oa, ob and oc).
var<private> off_a: u32;
var<private> off_b: u32;

fn load_a(m: u32, k: u32) -> f32 {
  if (m >= P.M || k >= P.K) { return 0.0; }
  if (P.ta == 1u) { return A[off_a + k * P.lda + m]; }
  return A[off_a + m * P.lda + k];
}

fn load_b(k: u32, n: u32) -> f32 {
  if (k >= P.K || n >= P.N) { return 0.0; }
  if (P.tb == 1u) { return B[off_b + n * P.ldb + k]; }
  return B[off_b + k * P.ldb + n];
}

@compute @workgroup_size(16, 8)
fn gemm(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  tile(wid, lid, 0u);
}

@compute @workgroup_size(16, 8)
fn gemm_at(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  off_a = P.oa;
  off_b = P.ob;
  tile(wid, lid, P.oc);
}

fn tile(wid: vec3u, lid: vec3u, off_c: u32) {
  let row0 = wid.y * TILE;
  let col0 = wid.x * TILE;
  let tid = lid.y * 16u + lid.x;
  var acc: array<f32, 8>;
  for (var k0 = 0u; k0 < P.K; k0 += KT) {
    for (var i = 0u; i < 4u; i++) {
      let e = tid + i * 128u;
      let kk = e / TILE;
      let mm = e % TILE;
      As[e] = load_a(row0 + mm, k0 + kk);
      Bs[e] = load_b(k0 + kk, col0 + mm);
    }
    workgroupBarrier();
    for (var kk = 0u; kk < KT; kk++) {
      let b0 = Bs[kk * TILE + lid.x * 2u];
      let b1 = Bs[kk * TILE + lid.x * 2u + 1u];
      for (var r = 0u; r < 4u; r++) {
        let a = As[kk * TILE + lid.y * 4u + r];
        acc[r * 2u] += a * b0;
        acc[r * 2u + 1u] += a * b1;
      }
    }
    workgroupBarrier();
  }
  for (var r = 0u; r < 4u; r++) {
    for (var c = 0u; c < 2u; c++) {
      let m = row0 + lid.y * 4u + r;
      let n = col0 + lid.x * 2u + c;
      if (m < P.M && n < P.N) {
        let idx = off_c + m * P.N + n;
        var v = P.alpha * acc[r * 2u + c];
        if (P.beta != 0.0) { v += P.beta * C[idx]; }
        C[idx] = v;
      }
    }
  }
}
