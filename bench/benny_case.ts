import b from 'benny';
import { quietStdout, type SuiteOptions } from './report.js';

/** Operations per second of fn, measured by benny as a one-case suite. */
export async function bennyCase(name: string, fn: () => void, opts: SuiteOptions): Promise<number> {
  let ops = 0;
  await quietStdout(true, () => b.suite(
    name,
    b.add(name, () => fn, { minSamples: 5, maxTime: opts.seconds }),
    b.complete((s) => { ops = s.results[0]!.ops; }),
  ));
  return ops;
}
