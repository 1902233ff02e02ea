/**
 * What a gradient check reports, and the seeds' verdict bands.
 * relative error = ||a - b||_2 / (||a||_2 + ||b||_2)   (seed 000; 0 when both are zero)
 */
import { sci, sig } from '../core/format';

/**
 * What a check concludes, from best to worst:
 * - 'great' / 'ok' / 'worry' / 'wrong': the seeds' bands of the relative error (raised to the float32 floor);
 * - 'inconclusive' (ranks between 'ok' and 'worry'): the check could not tell a right gradient from a
 *   wrong one here (the gradient is about 0 next to its round-off, or the loss overflowed); the report's
 *   `reason` says why. A grader never passes on it.
 */
export type Verdict = 'great' | 'ok' | 'inconclusive' | 'worry' | 'wrong';
/**
 * The precision of the numerical gradient: `float64` re-evaluates J(theta) in float64 with a
 * mirror of the forward pass (TensorFlow.js has no float64), so the lectures' eps = 1e-7 gives
 * errors around 4e-8 on correct networks; `float32` differences the tf forward pass itself, with
 * eps = 1e-2 and bands 1e-3 / 1e-2 / 5e-2 (in float32 at eps = 1e-7 every difference is round-off).
 */
export type Precision = 'float64' | 'float32';

/** Upper bounds of the verdict bands: error < great -> 'great', < ok -> 'ok', < worry -> 'worry', else 'wrong'. */
export interface Bands {
  /** Below this: 'great' (float64: 1e-7). */
  great: number;
  /** Below this: 'ok' (float64: 1e-5). */
  ok: number;
  /** Below this: 'worry', at or above it: 'wrong' (float64: 1e-3). */
  worry: number;
}

/**
 * The bands by precision. float64: the seeds' 1e-7 great / 1e-5 maybe / 1e-3 worry.
 * float32: central differences in float32 cannot resolve below ~1e-4 (round-off ~ u/eps with
 * u = 6e-8 plus truncation ~ eps^2), so every band is moved up accordingly: 1e-3 / 1e-2 / 5e-2.
 *
 * @example
 * ```ts
 * verdictOf(report.relativeError, BANDS[report.precision]); // the seeds' reading, without the float32 floor
 * ```
 */
export const BANDS: Record<Precision, Bands> = {
  float64: { great: 1e-7, ok: 1e-5, worry: 1e-3 },
  float32: { great: 1e-3, ok: 1e-2, worry: 5e-2 },
};

/**
 * How far above the float32 floor a correct gradient may land. The checked gradient is float32
 * (tf has no float64), and so is tf autograd: measured over random correct nets, the hand-written
 * error stays within FLOOR_FACTOR times the autograd one (see BENCHMARKS.md / the tests).
 */
export const FLOOR_FACTOR = 4;

/**
 * The bands a verdict uses when the analytic side can only be trusted to `floor`
 * (autograd vs numeric): each threshold is raised to FLOOR_FACTOR * floor when that is larger.
 *
 * @example
 * ```ts
 * floorBands(BANDS.float64, 4e-8);  // { great: 1.6e-7, ok: 1e-5, worry: 1e-3 }
 * ```
 */
export function floorBands(bands: Bands, floor: number): Bands {
  const f = Number.isFinite(floor) ? FLOOR_FACTOR * floor : 0;
  return { great: Math.max(bands.great, f), ok: Math.max(bands.ok, f), worry: Math.max(bands.worry, f) };
}

/** Verdicts from best to worst. */
export const VERDICTS: readonly Verdict[] = ['great', 'ok', 'inconclusive', 'worry', 'wrong'];
const ORDER = VERDICTS;

/**
 * The worse of some verdicts.
 *
 * @example
 * ```ts
 * worstVerdict(['great', 'worry', 'ok']); // 'worry'
 * ```
 */
export function worstVerdict(verdicts: Verdict[]): Verdict {
  return verdicts.reduce<Verdict>((w, v) => (ORDER.indexOf(v) > ORDER.indexOf(w) ? v : w), 'great');
}

/**
 * The band an error falls in. NaN counts as 'wrong'.
 *
 * @example
 * ```ts
 * verdictOf(3e-8, BANDS.float64); // 'great'
 * verdictOf(2e-4, BANDS.float64); // 'worry'
 * ```
 */
export function verdictOf(error: number, bands: Bands): Verdict {
  if (!(error >= 0)) return 'wrong';
  return error < bands.great ? 'great' : error < bands.ok ? 'ok' : error < bands.worry ? 'worry' : 'wrong';
}

/**
 * ||a - b||_2 / (||a||_2 + ||b||_2) over the given indices (all when omitted); 0 when both are 0.
 *
 * @example
 * ```ts
 * relativeError([1, 2], [1, 2.000001]); // ~2.2e-7
 * ```
 */
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
  /** ||checked - numeric|| / (||checked|| + ||numeric||) over the block's checked entries. */
  relativeError: number;
  /** The block's verdict: its relative error in its bands, or the ratio test, or 'inconclusive'. */
  verdict: Verdict;
  /** Entries compared (all of them in full mode, a sample in sparse mode). */
  checked: number;
  /** Entries in the block. */
  size: number;
  /**
   * Entries whose perturbation crossed a ReLU kink: their differences are not derivatives, so they
   * are compared with autograd instead (accepting either one-sided derivative where z = 0 exactly).
   */
  kinks: number;
  /**
   * What the verdict rests on: 'numeric' (central differences), 'numeric+autograd' (some entries at a
   * kink compared with autograd), 'autograd' (every checked entry at a kink: never 'great', at best
   * 'ok' with the label saying so).
   */
  basis?: 'numeric' | 'numeric+autograd' | 'autograd';
  /** A plain-language qualifier, e.g. "6/6 at a kink: compared with autograd only". */
  label?: string;
  /** Why the verdict is 'inconclusive'. */
  reason?: string;
  /** The same error for tf autograd vs numeric: how closely any float32 gradient can match here. */
  floor?: number;
  /** The thresholds this block's verdict used (the precision's bands, raised to FLOOR_FACTOR * floor). */
  bands?: Bands;
  /**
   * ||checked - numeric|| / noise, with noise = max(||autograd - numeric||, the float32 round-off a correct
   * backward can leave here): <= FLOOR_FACTOR is as close as a float32 gradient can get.
   */
  ratio?: number;
  /** The noise of that ratio: how far from the numbers any correct float32 gradient may land (absolute, over the block). */
  noise?: number;
}

/** One compared entry. */
export interface EntryResult {
  /** Block name, e.g. 'dW2'. */
  block: string;
  /** Position in the block: [row, col] for W, [unit] for b. */
  index: number[];
  /** The checked gradient's value (hand-written, or your backward's). */
  analytic: number;
  /** The central difference (NaN where a directional check did not evaluate the entry). */
  numeric: number;
  /** At a kink: the autograd value (or the right-sided one where z = 0 exactly) the entry was compared with. */
  autograd?: number;
  /** analytic - numeric; at a kink, analytic - autograd (the difference quotient is not a derivative there). */
  difference: number;
  /** True when theta +- eps moved some relu/leakyRelu pre-activation across 0. */
  kink: boolean;
}

/** The result of gs.gradCheck and gs.checkGradients. */
export interface CheckReport {
  /** Relative error between the checked gradient (hand-written or the user's backward) and the numerical one. */
  relativeError: number;
  /** The same error for each pair of the three gradients (autograd pairs are NaN when not computed). */
  pairs: {
    /** The checked gradient against tf autograd. */
    handVsAutograd: number;
    /** The checked gradient against the numerical one (= relativeError). */
    handVsNumeric: number;
    /** tf autograd against the numerical gradient: the float32 floor of any analytic gradient. */
    autogradVsNumeric: number;
  };
  /** One result per parameter block (dW1, db1, ...) in theta's order. */
  blocks: BlockResult[];
  /** Largest |analytic - numeric| entries, worst first. */
  worst: EntryResult[];
  /** The worst of the blocks' verdicts: wrong > worry > inconclusive > ok > great. */
  verdict: Verdict;
  /** Why the verdict is 'inconclusive' (undefined otherwise). */
  reason?: string;
  /** The thresholds the verdict used. */
  bands: Bands;
  /** The precision of the numerical gradient. */
  precision: Precision;
  /** The step of the central differences (or of the directional ones). */
  eps: number;
  /** Every entry, a seeded sample per block, or directional derivatives (see {@link CheckMode}). */
  mode: 'full' | 'sparse' | 'directional';
  /** The tf backend the analytic side ran on, e.g. `wasm`. */
  backend: string;
  /** Loss evaluations made for the numerical gradient. */
  evaluations: number;
  /** Wall time of the whole check. */
  seconds: number;
  /**
   * Where `seconds` went: `analytic` = tf (forward pass, the checked backward, autograd, reading
   * them back), `numeric` = the numerical gradient (float64 base pass, perturbations, confirmation).
   * The rest is validation and comparison.
   */
  time: {
    /** Seconds in tf: forward pass, the checked backward, autograd, reading them back. */
    analytic: number;
    /** Seconds computing the numerical gradient. */
    numeric: number;
  };
  /** Plain-language remarks: dropout held fixed, kinks excluded, directional failure confirmed, ... */
  notes: string[];
  /** autograd vs numeric over the entries the verdict used: the float32 floor of the analytic side. */
  floor?: number;
  /** Entries (or directions) compared, and how many of them crossed a kink (compared with autograd instead). */
  checked?: number;
  /** How many of the compared entries (or directions) crossed a kink. */
  kinks?: number;
  /** A readable table. */
  toString(): string;
}

/** How many of the largest |analytic - numeric| entries a report lists. */
export const WORST = 8;

const num = (x: number): string => sig(x, 4);

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')).join('\n');
}

/**
 * A readable table of a report (what `report.toString()` returns).
 *
 * @example
 * ```ts
 * console.log(formatReport(report));
 * // gradient check: GREAT  relative error 3.1e-08  (float64, eps 1e-07, full, 13 parameters) ...
 * ```
 */
export function formatReport(r: Omit<CheckReport, 'toString'>): string {
  const worstBlock = r.blocks.reduce<BlockResult | undefined>((w, b) => (b.relativeError >= (w?.relativeError ?? -1) ? b : w), undefined);
  const head = `gradient check: ${r.verdict.toUpperCase()}  relative error ${num(r.relativeError)}${worstBlock && worstBlock.relativeError > r.relativeError ? ` (worst block ${worstBlock.name}: ${num(worstBlock.relativeError)})` : ''}  ` +
    `(${r.precision}, eps ${num(r.eps)}, ${r.mode}, ${r.evaluations} evaluations, ${r.seconds.toFixed(2)} s, ${r.backend})`;
  const e = sci;
  const bands = `bands: great < ${e(r.bands.great)} <= ok < ${e(r.bands.ok)} <= worry < ${e(r.bands.worry)} <= wrong` +
    `; floor = autograd vs numeric, ratio = |checked - numeric| / |what a correct float32 gradient may miss by| (<= ${FLOOR_FACTOR}: as close as float32 gets)`;
  const reason = r.reason ? `inconclusive: ${r.reason}` : '';
  const pairs = `pairs: hand vs autograd ${num(r.pairs.handVsAutograd)}, hand vs numeric ${num(r.pairs.handVsNumeric)}, autograd vs numeric ${num(r.pairs.autogradVsNumeric)}`;
  const blocks = table([
    ['block', 'rel. error', 'verdict', 'floor', 'ratio', 'checked', 'kinks'],
    ...r.blocks.map((b) => [b.name, num(b.relativeError), b.verdict, b.floor === undefined ? '-' : num(b.floor), b.ratio === undefined ? '-' : num(b.ratio), `${b.checked}/${b.size}`, String(b.kinks)]),
  ]) + r.blocks.filter((b) => b.label || b.reason).map((b) => `\n  ${b.name}: ${[b.label, b.reason].filter(Boolean).join('; ')}`).join('');
  const worst = r.worst.length
    ? 'worst entries:\n' + table([
      ['block', 'index', 'analytic', 'numeric', 'difference', 'kink'],
      ...r.worst.map((w) => [w.block, `[${w.index.join(', ')}]`, num(w.analytic), w.kink ? `${num(w.autograd ?? NaN)} (autograd)` : num(w.numeric), num(w.difference), w.kink ? 'yes' : '']),
    ])
    : '';
  const notes = r.notes.length ? 'notes:\n' + r.notes.map((n) => `- ${n}`).join('\n') : '';
  return [head, reason, bands, pairs, blocks, worst, notes].filter(Boolean).join('\n');
}
