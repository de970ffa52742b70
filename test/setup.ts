// Runs before every test file: kernels tuned on this machine (SEQCORE_CACHE, by default
// ~/.cache/seqcore: `seqcore doctor --tune`) would change which tiles the tests run and
// could warn in their output, so the tests get an empty cache folder of their own, which the
// CLI commands they start inherit.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

process.env.SEQCORE_CACHE = mkdtempSync(join(tmpdir(), 'seqcore-test-cache-'));
