/**
 * What a gradient check reports, and the seeds' verdict bands.
 * relative error = ||a - b||_2 / (||a||_2 + ||b||_2)   (seed 000; 0 when both are zero)
 */

export type Verdict = 'great' | 'ok' | 'worry' | 'wrong';
export type Precision = 'float64' | 'float32';

/** Upper bounds of the verdict bands: error < great -> 'great', < ok -> 'ok', < worry -> 'worry', else 'wrong'. */
export interface Bands {
  great: number;
  ok: number;
  worry: number;
}

/**
 * The bands by precision. float64: the seeds' 1e-7 great / 1e-5 maybe / 1e-3 worry.
 * float32: central differences in float32 cannot resolve below ~1e-4 (round-off ~ u/eps with
 * u = 6e-8 plus truncation ~ eps^2), so every band is moved up accordingly.
 */
export const BANDS: Record<Precision, Bands> = {
  float64: { great: 1e-7, ok: 1e-5, worry: 1e-3 },
  float32: { great: 1e-3, ok: 1e-2, worry: 5e-2 },
};

/** The band an error falls in. NaN counts as 'wrong'. */
export function verdictOf(error: number, bands: Bands): Verdict {
  if (!(error >= 0)) return 'wrong';
  return error < bands.great ? 'great' : error < bands.ok ? 'ok' : error < bands.worry ? 'worry' : 'wrong';
}

/** ||a - b||_2 / (||a||_2 + ||b||_2) over the given indices (all when omitted). */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>, indices?: ArrayLike<number>): number {
  let diff = 0, na = 0, nb = 0;
  const n = indices ? indices.length : a.length;
  for (let k = 0; k < n; k++) {
    const i = indices ? indices[k] : k;
    diff += (a[i] - b[i]) ** 2;
    na += a[i] ** 2;
    nb += b[i] ** 2;
  }
  const den = Math.sqrt(na) + Math.sqrt(nb);
  return den === 0 ? 0 : Math.sqrt(diff) / den;
}

/** Relative error of one parameter block, e.g. dW2. */
export interface BlockResult {
  /** Gradient name: 'dW1', 'db1', ... (or the input name for checkGradients: 'x0', ...) */
  name: string;
  relativeError: number;
  verdict: Verdict;
  /** Entries compared (all of them in full mode, a sample in sparse mode). */
  checked: number;
  /** Entries in the block. */
  size: number;
  /** Entries whose perturbation crossed a ReLU kink (excluded from the verdict). */
  kinks: number;
}

/** One compared entry. */
export interface EntryResult {
  /** Block name, e.g. 'dW2'. */
  block: string;
  /** Position in the block: [row, col] for W, [unit] for b. */
  index: number[];
  analytic: number;
  numeric: number;
  /** analytic - numeric */
  difference: number;
  /** True when theta +- eps moved some relu/leakyRelu pre-activation across 0. */
  kink: boolean;
}

/** The result of gs.gradCheck and gs.checkGradients. */
export interface CheckReport {
  /** Relative error between the checked gradient (hand-written or the user's backward) and the numerical one. */
  relativeError: number;
  /** The same error for each pair of the three gradients (autograd pairs are NaN when not computed). */
  pairs: { handVsAutograd: number; handVsNumeric: number; autogradVsNumeric: number };
  blocks: BlockResult[];
  /** Largest |analytic - numeric| entries, worst first. */
  worst: EntryResult[];
  verdict: Verdict;
  /** The thresholds the verdict used. */
  bands: Bands;
  precision: Precision;
  eps: number;
  mode: 'full' | 'sparse' | 'directional';
  backend: string;
  /** Loss evaluations made for the numerical gradient. */
  evaluations: number;
  seconds: number;
  /** Plain-language remarks: dropout held fixed, kinks excluded, directional failure confirmed, ... */
  notes: string[];
  /** A readable table. */
  toString(): string;
}
