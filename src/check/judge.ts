/**
 * The judge: one comparison of float32 analytic values with numeric ones gives an error and a verdict
 * (the seeds' bands, raised to the float32 floor; the ratio to the noise); entries at a kink are
 * compared with autograd instead (judgeKinks).
 */
import { firstNonFinite } from '../core/errors';
import { BANDS, FLOOR_FACTOR, floorBands, relativeError, verdictOf, worstVerdict, type Bands, type Verdict } from './report';

export const distance = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s);
};
export const norm = (a: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] ** 2;
  return Math.sqrt(s);
};
export const finite = (a: ArrayLike<number>): boolean => firstNonFinite(a) < 0;

/** The result of {@link judge}. */
export interface Judgement {
  error: number;
  floor: number;
  ratio: number;
  noise: number;
  bands: Bands;
  verdict: Verdict;
  reason?: string;
}

/**
 * Error and verdict of one comparison of float32 analytic values with numeric ones.
 * - error = ||hand - num|| / (||hand|| + ||num||), the seeds' relative error (what is shown).
 * - floor = the same for autograd (never below `atLeast`, the whole check's floor: a block of three
 *   entries can show a floor far below its real round-off by chance). tf autograd is float32 too, so
 *   this is how closely any correct float32 gradient can match here; the bands are raised to
 *   FLOOR_FACTOR * floor (report.floorBands).
 * - noise = max(||autograd - num||, atol): how far from the numbers a correct float32 gradient may land;
 *   atol is the round-off bound of a correct backward pass (mlp/roundoff.ts: the magnitudes it
 *   carries, so a fitted net's cancelling delta^L = a^L - y is allowed for).
 * - ratio = ||hand - num|| / noise: ratio <= FLOOR_FACTOR is as good as a float32 gradient gets.
 * - 'inconclusive' when the check cannot tell: ||num|| <= FLOOR_FACTOR * noise (a zero gradient would
 *   pass too), or the numbers or autograd are not finite (the loss overflowed).
 * When FLOOR_FACTOR * floor reaches the worry band, relative error says nothing more and the ratio
 * alone decides: 'worry' up to 10 FLOOR_FACTOR, 'wrong' beyond.
 */
export function judge(hand: ArrayLike<number>, auto: ArrayLike<number>, num: ArrayLike<number>, atol: number, raw: Bands, atLeast = 0): Judgement {
  const error = relativeError(hand, num);
  if (!finite(num) || !finite(auto)) {
    const what = !finite(num) ? 'the numerical gradient' : 'tf autograd';
    return { error, floor: NaN, ratio: NaN, noise: NaN, bands: raw, verdict: 'inconclusive', reason: `${what} is not finite here (the loss overflows or is NaN at these inputs and weights)` };
  }
  const floor = Math.max(relativeError(auto, num), atLeast);
  const bands = floorBands(raw, floor);
  if (!finite(hand)) return { error: NaN, floor, ratio: Infinity, noise: NaN, bands, verdict: 'wrong', reason: undefined };
  const noise = Math.max(distance(auto, num), atol, Number.MIN_VALUE);
  const dh = distance(hand, num);
  const ratio = dh === 0 ? 0 : dh / noise;
  const resolvable = norm(num) > FLOOR_FACTOR * noise;
  let verdict: Verdict;
  if (ratio <= FLOOR_FACTOR) verdict = 'great';
  else if (bands.great < raw.worry) verdict = verdictOf(error, bands);
  else verdict = ratio <= 10 * FLOOR_FACTOR ? 'worry' : 'wrong';
  if (!resolvable && (verdict === 'great' || verdict === 'ok')) {
    const size = norm(num) === 0 ? 'the gradient is exactly 0 here (symmetric or inactive units)' : `the gradient is about 0 next to its float32 round-off (|numeric| ${norm(num).toExponential(1)} <= ${FLOOR_FACTOR} x noise ${noise.toExponential(1)})`;
    return { error, floor, ratio, noise, bands, verdict: 'inconclusive', reason: `${size}: a zero gradient would pass too` };
  }
  return { error, floor, ratio, noise, bands, verdict };
}

/**
 * Entries at a kink, compared with autograd instead of the numbers (the differences are not
 * derivatives there; autograd needs none). Where z = 0 exactly, g'(0) = 0 (tf's) and g'(0) = 1
 * (`z >= 0`) are both valid: each entry is compared with whichever of autograd and the right-sided
 * reference (`alt`) is closer. Matches when ||hand - ref|| <= FLOOR_FACTOR * the round-off bound.
 */
export function judgeKinks(hand: ArrayLike<number>, auto: ArrayLike<number>, alt: ArrayLike<number> | undefined, atol: ArrayLike<number>): { error: number; verdict: Verdict; right: number; vacuous?: boolean } {
  const ref = Float64Array.from(auto);
  let right = 0;
  if (alt) for (let k = 0; k < ref.length; k++) if (Math.abs(hand[k] - alt[k]) < Math.abs(hand[k] - auto[k])) { ref[k] = alt[k]; right++; }
  if (!finite(ref)) return { error: NaN, verdict: 'inconclusive', right };
  if (!finite(hand)) return { error: NaN, verdict: 'wrong', right };
  const tol = norm(atol);
  const error = relativeError(hand, ref);
  const ratio = distance(hand, ref) / Math.max(tol, Number.MIN_VALUE);
  const verdict: Verdict = ratio <= FLOOR_FACTOR || error < BANDS.float64.great ? 'great' : worstVerdict(['worry', verdictOf(error, BANDS.float64)]);
  // a reference about 0 cannot tell a right gradient from a zero one (a symmetric or dead layer at z = 0)
  const vacuous = verdict === 'great' && norm(ref) <= FLOOR_FACTOR * Math.max(tol, Number.MIN_VALUE);
  return { error, verdict, right, vacuous };
}

export function pick(v: ArrayLike<number>, idx: ArrayLike<number>): Float64Array {
  const out = new Float64Array(idx.length);
  for (let k = 0; k < idx.length; k++) out[k] = v[idx[k]];
  return out;
}

/** v at idx[pos[k]] for each k: the values of entries given by their positions in idx. */
export function pickAt(v: ArrayLike<number>, idx: ArrayLike<number>, pos: ArrayLike<number>): Float64Array {
  const out = new Float64Array(pos.length);
  for (let k = 0; k < pos.length; k++) out[k] = v[idx[pos[k]]];
  return out;
}

/** The k largest keys offered (NaN counts as the largest), earliest first among equal keys. */
export class TopK {
  private keys: number[] = [];
  private ids: number[] = [];
  constructor(private readonly k: number) {}
  offer(key: number, id: number): void {
    const x = Number.isNaN(key) ? Infinity : key;
    const { keys, ids } = this;
    if (keys.length === this.k && !(x > keys[keys.length - 1])) return;
    let p = keys.length;
    while (p > 0 && x > keys[p - 1]) p--;
    keys.splice(p, 0, x); ids.splice(p, 0, id);
    if (keys.length > this.k) { keys.pop(); ids.pop(); }
  }
  items(): number[] {
    return this.ids;
  }
}

