/**
 * gs.gradCheck: the hand-written gradient (or a student's backward) against tf autograd and
 * central differences, per block, with the seeds' verdict bands (seeds 000-002):
 *   relative error = ||a - b||_2 / (||a||_2 + ||b||_2),  1e-7 great / 1e-5 ok / 1e-3 worry (float64).
 * The public function validates its input and delegates: the model's exact paths (or loop64.ts)
 * compute the differences; entries.ts, directional.ts and joint.ts the modes; judge.ts and kinks.ts
 * the verdicts; report.ts the table.
 */
import type { Tensor, Tensor2D } from '@tensorflow/tfjs';
import { tf } from '../core/backend';
import { GradscopeError, invalid, knownKeys, number, oneOf, optionalFunction, ON_PROGRESS } from '../core/errors';
import { displayable } from '../core/jupyter';
import { isModel, type Model } from '../nn/model';
import { familyList } from '../nn/registry';
import { ATOL_FACTOR } from '../nn/numeric';
import { progress as showProgress, DEFAULT_DELAY } from '../display/progress';
import { FLOAT32_EPS, MIN_EPS } from './eps';
import { BANDS, formatReport, relativeError, worstVerdict, type CheckReport } from './report';
import { finite } from './judge';
import { gradients, timed, type Checked, type Context, type GradCheckOptions, type Settings } from './context';
import { loopPaths } from './loop64';
import { entryCheck, sparseIndices } from './entries';
import { directionalCheck } from './directional';
import { jointCheck } from './joint';
import { checkWork } from '../core/limits';
import { simd } from '../core/gemm64';

export { ATOL_FACTOR, MIN_EPS };
export type { BackwardFn, CacheOf, CheckMode, GradCheckOptions } from './context';

const KEYS = ['eps', 'precision', 'mode', 'samples', 'directions', 'backward', 'seed', 'onProgress', 'progress'];

/**
 * Checks a network's backward pass against tf autograd and central differences.
 * Synchronous; leaves tf.memory().numTensors unchanged.
 *
 * Three gradients per block: the checked one (`net.backward`, or your `backward` option), tf
 * autograd's, and the numerical one: central differences of J(theta) re-evaluated in float64 by a
 * mirror of the forward pass (default; eps 1e-7 gives errors around 4e-8 on correct networks) or in
 * float32 on tf. Each block gets the seeds' relative error and a verdict (see {@link Verdict},
 * {@link BANDS}); the report's verdict is the worst block's. It takes `gs.rnn` and `gs.lstm`
 * networks too (any {@link Model}): every mode and precision.
 *
 * - **floor and ratio**: the checked gradient is float32 (tf code), so each block is judged twice:
 *   by its relative error, with the bands raised to {@link FLOOR_FACTOR} x autograd's own error
 *   (`floor`) where autograd cannot get closer than 1e-7, and by `ratio` = |checked - numeric| /
 *   noise, where noise is the larger of |autograd - numeric| and the round-off a correct float32
 *   backward pass can leave (a float64 bound from the magnitudes it carries, so that a net fitted to
 *   its batch, whose delta^L = a^L - y cancels in float32, is not a false alarm). Ratio <= 4 is `great`.
 * - **ReLU kinks**: an entry whose +-eps perturbation moves a pre-activation across 0 is flagged
 *   (`kink: true`), counted per block, and compared with autograd instead of the numbers (either
 *   one-sided derivative accepted where z = 0 exactly: g'(0) = 0, tf's, or 1, `z >= 0`). In
 *   directional mode such coordinates are left out of the direction and compared the same way; a
 *   direction that still crosses a kink is replaced by an entry-by-entry check of that block.
 * - **Dropout** (lecture 001: "doesn't work with dropout"): with keepProb < 1 one mask is drawn
 *   from `seed` and held fixed for every evaluation, and the report says so.
 * - **eps**: below {@link MIN_EPS} (1e-12 in float64, 1e-4 in float32) the difference is pure
 *   round-off, and gradCheck refuses it with the smallest eps that works. A backward that throws,
 *   or is `async`, gets a {@link GradscopeError} naming the backward and tf's message.
 * - **Time**: `report.time` splits `report.seconds` into `analytic` (tf: forward pass, your
 *   backward, autograd) and `numeric`. Long checks show progress (in place in a notebook, a bar in
 *   a terminal, nothing otherwise; `progress: false` turns it off).
 *
 * Speed (BENCHMARKS.md, [64, 64, 64, 10], batch 64, 8,970 parameters, one run): the seeds' loop
 * (perturb one entry, re-run the whole float64 forward pass) takes 7-10 s; the full check gives the
 * same numbers in about 0.04 s (187x relu, 251x tanh); a directional check settles a correct net in
 * 2 evaluations (about 3-8 ms a call) and flags every catalogued bug in 12-16 ms, naming its block
 * and entries. A 784-128-10 net (101,770 parameters): full about 0.15 s, directional about 11 ms.
 * Against `torch.autograd.gradcheck` (`npm run bench -- peers`: same nets, weights and data, torch
 * on one thread, wall-clock medians) the full check is 64x (relu) and 60x (tanh) faster on wasm and
 * 52x / 53x on tensorflow for the 8,970-parameter nets (30-51 ms against 2.0-2.7 s), 816x (wasm)
 * and 857x (tensorflow) for the 784-128-10 net (0.12-0.13 s against 103 s). The directional check
 * runs level with torch's `fast_mode` (3-12 ms against 4-11 ms; from 1.6x faster to 1.9x slower
 * across runs: within 2x, not reliably ahead), but fast mode only says pass or fail, where gradscope
 * runs autograd, names the block and confirms it entry by entry. `jax.test_util.check_grads` at its
 * default eps 1e-4 fails on both relu nets although the gradient is right (its step crosses kinks).
 *
 * Measured (BENCHMARKS.md, "Trust"): over 208 correct nets, 48 of them trained to fit their batch,
 * no `worry` or `wrong` in any mode; over 600 default-init relu nets with db2 doubled, no silent
 * pass in any mode; each bug in the catalogue (test/bugs.ts) gives `wrong` with relative errors
 * from 6e-2 to 8e-1.
 *
 * @param model a network from gs.mlp (or another gradscope model: gs.rnn, gs.lstm)
 * @param X inputs [m, n0]
 * @param Y labels [m, nL] (or class indices [m] for softmax)
 * @param options see {@link GradCheckOptions}
 * @example
 * ```ts
 * const net = gs.mlp({ sizes: [4, 5, 3], hidden: 'tanh', output: 'softmax', seed: 1 });
 * const report = gs.gradCheck(net, X, Y);                 // float64, full, eps 1e-7
 * report.verdict;                                        // 'great'
 * gs.gradCheck(net, X, Y, { backward: myBackward, mode: 'sparse', samples: 10 });
 * console.log(report.toString());
 * ```
 */
export function gradCheck<M extends Model<any>>(model: M, X: Tensor, Y: Tensor, options?: GradCheckOptions<M>): CheckReport; // eslint-disable-line @typescript-eslint/no-explicit-any
export function gradCheck(net: Model<any>, X: Tensor, Y: Tensor, options: GradCheckOptions<any> = {}): CheckReport { // eslint-disable-line @typescript-eslint/no-explicit-any
  const started = performance.now();
  if (!isModel(net)) throw invalid('net', net, `a network from ${familyList()}`);
  knownKeys('options', options, KEYS);
  const {
    precision = 'float64', mode = 'full', directions = 1, backward, seed = 0, onProgress, progress = true,
  } = options ?? {};
  const samples = options.samples ?? (mode === 'directional' ? 4 : 20);
  oneOf('precision', precision, ['float64', 'float32']);
  oneOf('mode', mode, ['full', 'sparse', 'directional']);
  const eps = number('eps', options.eps ?? (precision === 'float64' ? 1e-7 : FLOAT32_EPS), { min: 0, max: 1, openMin: true });
  if (eps < MIN_EPS[precision]) {
    throw new GradscopeError('eps', `invalid eps: ${eps} cannot work in ${precision}: the round-off of the central difference, about ${precision === 'float64' ? '1.1e-16' : '6e-8'} |J| / eps, would swamp any gradient (expected eps >= ${MIN_EPS[precision]}; the default is ${precision === 'float64' ? '1e-7' : FLOAT32_EPS})`);
  }
  number('samples', samples, { min: 1, max: 1e6, integer: true });
  number('directions', directions, { min: 1, max: 1000, integer: true });
  number('seed', seed, { integer: true });
  optionalFunction('backward', backward, 'a function (net, cache, Y) => { dW1, db1, ... }');
  optionalFunction('onProgress', onProgress, ON_PROGRESS);
  if (typeof progress !== 'boolean' && typeof progress !== 'function') throw invalid('progress', progress, 'true, false or a function');
  // default: an indicator (in place in tslab, a bar in a terminal) for checks that last over DEFAULT_DELAY
  const indicator = progress === true && onProgress === undefined ? showProgress('gradCheck', { delay: DEFAULT_DELAY }) : undefined;
  const report = progress === false ? undefined : typeof progress === 'function' ? progress : onProgress ?? indicator;

  checkLoopWork(net, X, mode, samples, directions, precision);
  const settings = { eps, precision, mode, samples, directions, seed, backward, report };
  try {
    const body = run(net, X, Y, settings);
    const { notes, time } = body;
    const alt = body.alt;
    if (alt && body.blocks.some((b) => b.label?.includes("g'(0) = 1"))) notes.push(`where z = 0 exactly, g'(0) = 0 (tf's choice) and g'(0) = 1 (z >= 0) are both valid subgradients: either is accepted`);
    // one line per distinct reason, naming its blocks: "dW1, db1: the gradient is exactly 0 here ..."
    const byReason = new Map<string, string[]>();
    for (const b of body.blocks) if (b.reason) byReason.set(b.reason, [...(byReason.get(b.reason) ?? []), b.name]);
    const reasons = [...(body.reason && !byReason.has(body.reason) ? [body.reason] : []), ...[...byReason].map(([why, names]) => `${names.join(', ')}: ${why}`)];
    const reason = body.verdict === 'inconclusive' ? (reasons.length ? reasons.join('; ') : 'see the blocks') : undefined;
    const seconds = (performance.now() - started) / 1000;
    const { alt: _alt, ...rest } = body;
    const full: Omit<CheckReport, 'toString'> = { ...rest, reason, precision, eps, mode, backend: tf.getBackend(), seconds, time, notes };
    return displayable({ ...full, toString: () => formatReport(full) });
  } finally {
    indicator?.finish();
  }
}

/** Why a block whose float32 gradients hold NaN or Infinity is inconclusive. */
export const OVERFLOW = 'the float32 forward pass overflows (tf autograd holds NaN or Infinity too): no float32 gradient can be checked here; smaller weights, inputs or T';

/**
 * Where tf autograd itself holds NaN or Infinity, the float32 pass overflowed: a 'wrong' block whose
 * checked gradient is not finite where autograd's is not either, or matches autograd's (to the float32
 * worry band) while the float64 numbers, beyond float32's range, do not, is 'inconclusive' with the
 * reason: a correct backward overflows the same way. A block that differs from autograd stays wrong; where autograd is finite
 * everywhere nothing changes.
 */
function overflowed<B extends Omit<Checked, 'notes' | 'time' | 'alt'>>(body: B, hand: Float64Array, auto: Float64Array, model: Model<any>): B { // eslint-disable-line @typescript-eslint/no-explicit-any
  if (finite(auto)) return body;
  const blocks = body.blocks.map((b) => {
    const blk = model.blocks.find((x) => x.grad === b.name || x.name === b.name);
    if (!blk || b.verdict !== 'wrong') return b;
    const h = hand.subarray(blk.offset, blk.offset + blk.size), a = auto.subarray(blk.offset, blk.offset + blk.size);
    const sameOverflow = !finite(h) && !finite(a); // both not finite: the pass overflowed for both
    const sameNumbers = finite(h) && finite(a) && relativeError(h, a) <= BANDS.float32.worry; // autograd's numbers, not the float64 ones
    if (!sameOverflow && !sameNumbers) return b; // it differs from autograd: a bug
    return { ...b, verdict: 'inconclusive' as const, reason: OVERFLOW };
  });
  return { ...body, blocks, verdict: worstVerdict(blocks.map((b) => b.verdict)) };
}

/**
 * Refuses, up front, a check of a model without exact paths (two whole evaluations of its loss per
 * entry or direction, loop64.ts), or of a sequence model (its exact paths carry each perturbation
 * through every step), whose multiply-adds exceed the work budget: each evaluation is about (rows of
 * X, m T for a sequence) x (parameters) multiply-adds, counted 3 times over on the loop (the mirrors'
 * steps, allocation, tanh and sigmoid, the transposes, ran at 1.5e8-4.7e8 multiply-adds a second
 * against the dot products' 7e8) and 1/2 on a sequence's float64 exact paths (their products and the
 * LSTM's step in WebAssembly SIMD: measured 0.09 lstm, 0.16 rnn, 0.24 gru on a quiet machine; nx 8,
 * na 32, m 16, T 20; the margin covers a loaded machine; where the kernels cannot run, 3 as the loop).
 */
function checkLoopWork(model: Model<any>, X: unknown, mode: string, samples: number, directions: number, precision: string): void { // eslint-disable-line @typescript-eslint/no-explicit-any
  if (!(X instanceof tf.Tensor) || X.rank < 2) return;
  // the MLP's exact paths reuse the layers below a perturbed one: far under the count
  if (typeof model.exactPaths === 'function' && X.rank < 3) return;
  const exact = typeof model.exactPaths === 'function' && precision === 'float64' && simd();
  const per = exact ? 0.5 : 3;
  const rows = X.size / X.shape[X.rank - 1];
  const n = model.size, blocks = model.blocks.length;
  const evaluations = 2 * (mode === 'full' ? n : mode === 'sparse' ? Math.min(n, samples * blocks) : Math.min(n, (directions + samples) * blocks));
  const argument = mode === 'full' ? 'mode' : mode === 'sparse' ? 'samples' : 'directions';
  const value = mode === 'full' ? mode : mode === 'sparse' ? samples : directions;
  checkWork(argument, value, per * evaluations * rows * n, `${evaluations} evaluations of the ${model.family}'s float64 loss, each about ${per} x ${rows} rows (m T) x ${n} parameters`,
    mode === 'full' ? "mode 'sparse' or 'directional' evaluates far fewer entries" : 'fewer samples or directions');
}

/**
 * One check: the family's exact paths (or the generic loop), the checked and autograd gradients,
 * then the mode. Directional float64 tries the joint direction first (no autograd) when the paths
 * offer one; autograd is run only if that does not settle it.
 */
function run(model: Model<any>, X: Tensor, Y: Tensor, s: Settings): Checked { // eslint-disable-line @typescript-eslint/no-explicit-any
  const { eps, precision, mode, samples, directions, seed, backward, report } = s;
  const notes: string[] = [];
  const analyticStart = performance.now();
  const options = { seed, precision, autograd: !(mode === 'directional' && precision === 'float64'), notes };
  const paths = model.exactPaths?.(X, Y, options) ?? loopPaths(model, X, Y, options);
  try {
    const analytic = gradients(model, paths.cache, paths.y as Tensor2D, paths.grads, backward);
    let autoDone = !!paths.grads;
    const runAutograd = (): void => {
      const t0 = performance.now();
      const grads = paths.autograd();
      analytic.auto = model.gradsToVector(grads);
      tf.dispose(Object.values(grads));
      time.analytic += (performance.now() - t0) / 1000;
      autoDone = true;
    };
    const alt = paths.rightSided();
    const time = { analytic: (performance.now() - analyticStart) / 1000, numeric: 0 };
    if (!finite(analytic.hand) && !autoDone) runAutograd(); // NaN or Infinity in the checked gradient: did the float32 pass overflow?
    timed(time, () => paths.start(notes));
    const joint = mode === 'directional' && !!paths.joint && !alt;
    const ctx: Context = { model, paths, theta: paths.theta, mag: joint ? new Float64Array(0) : paths.magnitudes(), alt, slots: paths.slots, eps, precision, samples, seed, notes, analytic, report, time };
    notes.push(`${paths.method}, eps ${eps}${precision === 'float64' ? '; the checked gradient and autograd are float32 (tf)' : ''}`);
    let spent = 0;
    if (joint && autoDone) ctx.mag = paths.magnitudes();
    if (joint && !autoDone) {
      const first = jointCheck(ctx, directions);
      if (typeof first !== 'number') return { ...first, notes, time, alt };
      spent = first;
      ctx.mag = paths.magnitudes(); // the per-entry round-off bound, for per-block directions and entries
    }
    if (!autoDone) runAutograd(); // the joint direction did not settle it (or could not run): autograd for the per-block check
    const body = mode === 'directional' ? directionalCheck(ctx, directions, spent) : entryCheck(ctx, mode === 'full' ? undefined : sparseIndices(ctx.slots, samples, seed), mode);
    return { ...overflowed(body, analytic.hand, analytic.auto, model), notes, time, alt };
  } finally {
    paths.dispose();
  }
}
