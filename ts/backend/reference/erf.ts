// erf and erfc in float64, accurate to a few 1e-15 relative (erfc keeps its relative accuracy
// in the far tail, where 1 - erf would cancel). Used by the reference GELU.

const TWO_OVER_SQRT_PI = 1.1283791670955126; // 2/√π
const INV_SQRT_PI = 0.5641895835477563; // 1/√π
/** erf: the series below, 1 − the continued fraction above. */
const ERF_SPLIT = 2.5;
/** erfc: 1 − erf below, the continued fraction above (where erfc < 0.16 and 1 − erf would cancel). */
const ERFC_SPLIT = 1;

/** erf(x) = 2/√π·e^{-x²}·Σ 2ⁿx^{2n+1}/(2n+1)!! — every term positive, so no cancellation. */
function erfSeries(x: number): number {
  const x2 = 2 * x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= x2 / (2 * n + 1);
    sum += term;
    if (Math.abs(term) <= 1e-17 * Math.abs(sum)) break;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-x * x) * sum;
}

/**
 * erfc(x) for x >= 1: e^{-x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), evaluated
 * backwards from 300 terms (converged to 1e-17 from x = 1 up).
 */
function erfcFraction(x: number): number {
  if (x === Infinity) return 0;
  let k = x;
  for (let n = 300; n >= 1; n--) k = x + n / 2 / k;
  return (INV_SQRT_PI * Math.exp(-x * x)) / k;
}

export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax < ERF_SPLIT) return erfSeries(x);
  const r = 1 - erfcFraction(ax);
  return x < 0 ? -r : r;
}

export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x >= ERFC_SPLIT) return erfcFraction(x);
  if (x <= -ERFC_SPLIT) return 2 - erfcFraction(-x);
  return 1 - erfSeries(x);
}
