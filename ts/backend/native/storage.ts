import type { Storage } from '../backend.js';
import type { Tensor } from '../../tensor.js';

/** Memory of a native addon (cpu: host memory; cuda: device memory), addressed by id. */
export interface NativeStorage extends Storage {
  readonly id: number;
}

/** The native storage id of a tensor on a native backend. */
export function sid(t: Tensor): number {
  return (t.storage as NativeStorage).id;
}
