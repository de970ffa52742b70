// A backend has every kernel of the cpu backend (the complete one) and no other, except those
// its skip list (./skips.ts) names with a reason.
import { hasKernel, kernelNames, type KernelName } from '../../ts/index.js';
import type { Case } from './case.js';
import { SKIPS, type SkipList } from './skips.js';

export function coverageCase(backend: string, skips: SkipList = SKIPS[backend] ?? {}): Case {
  return {
    name: 'has every kernel of the cpu backend, or a reason not to',
    async run() {
      const cpu = kernelNames('cpu');
      const missing = cpu.filter((k) => !hasKernel(k, backend) && skips[k] === undefined);
      const extra = kernelNames(backend).filter((k) => !hasKernel(k, 'cpu'));
      const stale = (Object.keys(skips) as KernelName[]).filter((k) => hasKernel(k, backend));
      const problems = [
        missing.length ? `lacks ${missing.join(', ')} (implement, or name each in test/conformance/skips.ts with the reason)` : '',
        extra.length ? `has ${extra.join(', ')}, which the cpu backend lacks` : '',
        stale.length ? `has ${stale.join(', ')}, which test/conformance/skips.ts still says it lacks` : '',
      ].filter(Boolean);
      if (problems.length) throw new Error(`${backend} backend: ${problems.join('; ')}`);
    },
  };
}
