// Tensors beyond the machine's memory are refused with an error, not left to the kernel's OOM
// killer (native memory is overcommitted: the allocation itself would succeed).
import { totalmem } from 'node:os';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { memoryLimitBytes } from '../ts/backend/cpu/backend.js';
import { getBackend } from '../ts/backend/registry.js';
import { native, ops, tidy, zeros } from '../ts/index.js';

const cpu = getBackend('cpu');

describe('cpu memory limit', () => {
  afterEach(() => {
    delete process.env.SEQCORE_MEMORY_LIMIT_GB;
  });

  it('refuses a tensor larger than the machine, naming its dtype, size and the limit', () => {
    const before = native.stats().liveCount;
    expect(() => cpu.alloc('float32', 8e12)).toThrow(
      /cpu: a float32 tensor of 8000000000000 elements needs 29802\.32 GiB; .* over the memory limit of [\d.]+ GiB/,
    );
    expect(native.stats().liveCount).toBe(before);
  });

  it("without SEQCORE_MEMORY_LIMIT_GB, 90 % of a container's memory limit (cgroup), not the host's", () => {
    const spy = vi.spyOn(process, 'constrainedMemory').mockReturnValue(2 * 2 ** 30);
    try {
      expect(memoryLimitBytes()).toBe(0.9 * 2 * 2 ** 30);
      expect(() => cpu.alloc('float32', 2 ** 29)).toThrow(
        /needs 2\.00 GiB; .* over the memory limit of 1\.80 GiB \(90 % of this machine's or container's memory/,
      );
      spy.mockReturnValue(2 ** 64); // no limit
      expect(memoryLimitBytes()).toBe(0.9 * totalmem());
    } finally {
      spy.mockRestore();
    }
  });

  it('SEQCORE_MEMORY_LIMIT_GB sets the limit: an op whose output would pass it fails with the error', () => {
    process.env.SEQCORE_MEMORY_LIMIT_GB = '0.1';
    tidy(() => {
      const a = zeros([4096, 1024]); // 16 MiB, under the size that is checked
      expect(() => ops.matmul(a, zeros([1024, 8192]))).toThrow(/over the memory limit of 0\.10 GiB/);
    });
    process.env.SEQCORE_MEMORY_LIMIT_GB = 'lots';
    expect(() => cpu.alloc('float32', 2 ** 25)).toThrow("SEQCORE_MEMORY_LIMIT_GB must be a positive number of GiB, got 'lots'");
  });
});
