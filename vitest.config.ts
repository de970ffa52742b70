import { configDefaults, defineConfig } from 'vitest/config';

// The webgpu suite (test/webgpu.test.ts) runs only when asked: `npm run test:webgpu`. Dawn's
// node binding kills the process after a few hundred awaited GPU promises (reproduced
// without seqcore by bench/dawn_async_crash.mjs), so the suite cannot gate CI yet.
export default defineConfig({
  test: { exclude: [...configDefaults.exclude, ...(process.env.SEQCORE_TEST_WEBGPU ? [] : ['test/webgpu.test.ts'])] },
});
