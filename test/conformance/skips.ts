// The kernels of the cpu backend that a backend may lack, each with the reason: the one place
// that says so (coverageCase fails on any other missing kernel, and on a reason left here for a
// kernel the backend has since gained).
import type { KernelName } from '../../ts/index.js';

export type SkipList = Partial<Record<KernelName, string>>;

export const SKIPS: Record<string, SkipList> = {
  cpu: {},
  reference: {},
  webgpu: {
    firstNonFinite: 'returns an index to the host within the call (setCheckFinite scans every op output with it), and webgpu reads only asynchronously',
    alsHalfStep:
      'the ALS members (ts/ubp/members.ts) run on the cpu only: implicitAls makes its factors on the default backend, ' +
      'which no command sets to webgpu, and reads them back with the synchronous toArray()',
  },
  cuda: {},
};
