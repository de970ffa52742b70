import { describe, expect, it } from 'vitest';
import { EarlyStopping } from '../ts/train/run.js';

describe('EarlyStopping', () => {
  it('a loss: lower is better; the patience counts the epochs since the best', () => {
    const s = new EarlyStopping(2, 'min');
    expect([3, 2, 2.5, 1, 1.5, 1.2].map((v, e) => s.record(v, e))).toEqual([true, true, false, true, false, false]);
    expect({ best: s.best, bestEpoch: s.bestEpoch, bad: s.bad }).toEqual({ best: 1, bestEpoch: 3, bad: 2 });
    expect(s.stop).toBe(true);
  });

  it('a score: higher is better; epochs that do not count leave the patience as it was', () => {
    const s = new EarlyStopping(1, 'max');
    expect(s.record(0.1, 0)).toBe(true);
    expect(s.record(0.05, 1, false)).toBe(false);
    expect(s.stop).toBe(false);
    expect(s.record(0.05, 2)).toBe(false);
    expect(s.stop).toBe(true);
  });

  it('resumes from a saved state, a best of null (an older checkpoint) meaning no validation yet', () => {
    const s = new EarlyStopping(3, 'min', { best: null as unknown as number, bad: 0 });
    expect(s.record(5, 0)).toBe(true);
    const t = new EarlyStopping(3, 'max', { best: 0.4, bestEpoch: 2, bad: 2 });
    expect(t.record(0.3, 3)).toBe(false);
    expect(t.stop).toBe(true);
  });
});
