// Writing a whole file so that readers see the old file or the new one, never half of it:
// the data goes to `${path}.tmp-${pid}`, which is then renamed over path (atomic on one
// filesystem); the temporary file is removed if anything fails.
import { renameSync, rmSync, writeFileSync } from 'node:fs';

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    try { rmSync(tmp, { force: true }); } catch { /* keep the original error */ }
    throw e;
  }
}
