// Every test file first runs test/setup.ts (isolation from the user's own seqcore folders).
import { defineConfig } from 'vitest/config';

export default defineConfig({ test: { setupFiles: ['test/setup.ts'] } });
