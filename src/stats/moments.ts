/**
 * Float64 summaries of tensor data (read once with dataSync, summed in float64 so that tiny
 * gradients, whose squares underflow float32 below ~1e-45, keep their size).
 */

/** mean, std, mean |x|, ||x||_2, min and max of the entries, in float64. */
export interface Moments {
  mean: number;
  /** sqrt(mean((x - mean)^2)), the population standard deviation */
  std: number;
  meanAbs: number;
  /** ||x||_2 = sqrt(sum x^2) */
  norm: number;
  min: number;
  max: number;
}

export function moments(x: ArrayLike<number>): Moments {
  const n = x.length;
  let s = 0, sa = 0, sq = 0, min = Infinity, max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    s += v;
    sa += Math.abs(v);
    sq += v * v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = s / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (x[i] - mean) ** 2; // two-pass: no cancellation
  return { mean, std: Math.sqrt(ss / n), meanAbs: sa / n, norm: Math.sqrt(sq), min, max };
}
