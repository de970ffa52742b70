// Prepended to every kernel. 1-D kernels run 128 invocations per workgroup (the
// compatibility-mode limit) and are folded into 2-D grids past 65,535 workgroups.
const WG: u32 = 128u;

// The flat invocation index of a (possibly folded) 1-D dispatch.
fn flat_index(wid: vec3u, nwg: vec3u, lid: u32) -> u32 {
  return (wid.y * nwg.x + wid.x) * WG + lid;
}
