// WGSL sources from the package's kernels/ directory, each prefixed with kernels/common.wgsl
// (WGSL has no includes).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// ts/backend/webgpu/ and dist/backend/webgpu/ are both three levels below the package root.
const KERNELS = fileURLToPath(new URL('../../../kernels/', import.meta.url));
const cache = new Map<string, string>();

export function shaderSource(file: string): string {
  let s = cache.get(file);
  if (s === undefined) {
    s = `${readFileSync(`${KERNELS}common.wgsl`, 'utf8')}\n${readFileSync(`${KERNELS}${file}.wgsl`, 'utf8')}`;
    cache.set(file, s);
  }
  return s;
}
