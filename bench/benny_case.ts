import b from 'benny';
import { quietStdout, type SuiteOptions } from './report.js';

/**
 * Operations per second of fn, measured by benny as a one-case suite (from the mean time per
 * operation: benny rounds its own ops/s to an integer, too coarse for second-long steps).
 */
export async function bennyCase(name: string, fn: () => void, opts: SuiteOptions): Promise<number> {
  let ops = 0;
  await quietStdout(true, () =>
    b.suite(
      name,
      b.add(name, () => fn, { minSamples: 5, maxTime: opts.seconds }),
      b.complete((s) => {
        ops = 1 / s.results[0]!.details.mean;
      }),
    ),
  );
  return ops;
}
