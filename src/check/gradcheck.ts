/**
 * gs.gradCheck: the hand-written gradient (or a student's backward) against tf autograd and
 * central differences, per block, with the seeds' verdict bands (seeds 000-002):
 *   relative error = ||a - b||_2 / (||a||_2 + ||b||_2),  1e-7 great / 1e-5 ok / 1e-3 worry (float64).
 * The public function validates its input and delegates: numeric/ computes the differences,
 * report.ts the verdicts and the table.
 */
import type { Tensor, Tensor2D } from '@tensorflow/tfjs';
import { tf } from '../core/backend';
import { GradscopeError, firstNonFinite, fmt, invalid, knownKeys, matrix, number, oneOf, optionalFunction, ON_PROGRESS } from '../core/errors';
import { Net, type Cache, type Grads } from '../mlp/mlp';
import type { Model, ModelCache, ParamBlock } from '../nn/model';
import { lossDirectional, lossGrad, type LossFn } from './loop64';
import { batch64, type Batch64 } from '../mlp/mirror64';
import { rng, sampleIndices, unitVector } from '../core/random';
import {
  BANDS, FLOOR_FACTOR, WORST, floorBands, formatReport, relativeError, verdictOf, worstVerdict,
  type Bands, type BlockResult, type CheckReport, type EntryResult, type Precision, type Verdict,
} from './report';
import { along, directional64, joint64, type Direction, type RankOne } from '../mlp/directional64';
import { fastGrad64 } from '../mlp/fast64';
import { base64, type Base64 } from '../mlp/propagate';
import { directional32, FLOAT32_EPS, float32Grad } from '../mlp/float32';
import { entryIndex, layout, slotOf, type Slot } from '../mlp/layout';
import { ticker, type OnProgress, type Ticker } from '../core/progress';
import { progress as showProgress, DEFAULT_DELAY } from '../display/progress';
import type { NumericResult } from '../nn/numeric';
import { activations } from '../nn/activations';
import { displayable } from '../core/jupyter';
import { ATOL_FACTOR, U32, alongMagnitudes64, magnitudes64 } from '../mlp/roundoff';

/** float64 unit round-off, 2^-53. */
const U64 = 2 ** -53;

export { ATOL_FACTOR };

/**
 * The smallest eps each precision can difference with: below it the round-off of J(theta +- eps),
 * about u |J| / eps (u = 1.1e-16 in float64, 6e-8 in float32), swamps any gradient.
 */
export const MIN_EPS: Record<Precision, number> = { float64: 1e-12, float32: 1e-4 };

/**
 * How much of theta a check differences:
 * - `full` (default): every entry, by exact fast paths (cached layers, only the change carried
 *   downstream, a fitted odd difference per row and column) that give the numbers of the seeds'
 *   loop (perturb one entry, re-run the whole forward pass) 187-251x faster on BENCHMARKS.md's
 *   8,970-parameter net;
 * - `sparse`: a seeded sample of `samples` entries per block;
 * - `directional`: v . grad against (J(theta + eps v) - J(theta - eps v)) / 2 eps. In float64 it first
 *   tries one joint direction u over all blocks (each block's part weighted by 1 / its float32
 *   round-off bound, so no block is diluted; two evaluations, no autograd: the noise allowed is that
 *   bound plus the numbers' own round-off); only when that does not settle the check does each block
 *   get `directions` random unit directions of its own. A failing block is confirmed entry by entry
 *   before the network is called wrong: first on the entries where your gradient and autograd differ
 *   most (so the report names the wrong entries), then, if those agree with the numbers, on random
 *   ones too.
 */
export type CheckMode = 'full' | 'sparse' | 'directional';

/**
 * The cache type of a model's forward pass: {@link Cache} for gs.mlp, {@link RnnCache} for gs.rnn,
 * {@link LstmCache} for gs.lstm.
 */
export type CacheOf<M> = M extends Model<infer C> ? C : ModelCache;

/** A backward pass to check: gets the net, the cache of its forward pass and the labels y as a float tensor (one-hot for softmax). */
export type BackwardFn<M extends Model<any> = Net> = (net: M, cache: CacheOf<M>, Y: Tensor2D) => Grads | Record<string, Tensor> | undefined | void; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Options of {@link gradCheck}. */
export interface GradCheckOptions<M extends Model<any> = Net> { // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Step of the central differences. Default 1e-7 in float64 (the seeds'), 1e-2 in float32. */
  eps?: number;
  /** 'float64' (default): the loss re-evaluated by the float64 mirror. 'float32': tf forward passes. */
  precision?: Precision;
  /** 'full' (default): every entry. 'sparse': `samples` random entries per block. 'directional': `directions` random directions per block, a failing block confirmed entry by entry. */
  mode?: CheckMode;
  /** Entries per block in sparse mode (default 20). Directional mode (default 4): a failing block is confirmed on the half of them where the checked gradient and autograd differ most, and if those agree with the numbers, on all of them (the rest random). */
  samples?: number;
  /** Random unit directions per block in directional mode. Default 1 (a bug of relative size rho escapes the 'ok' band along one random direction with probability about 1e-5 / rho). */
  directions?: number;
  /** The backward pass to check; default `(net, cache, Y) => net.backward(cache, Y)`. */
  backward?: BackwardFn<M>;
  /** Seed of the sampled entries, directions and the dropout mask. Default 0. */
  seed?: number;
  /** Called with `{ done, total, phase }`, at most ~20 times a second. */
  onProgress?: OnProgress;
  /** false: no progress calls; a function: same as onProgress. Default true (onProgress if given). */
  progress?: boolean | OnProgress;
}

const KEYS = ['eps', 'precision', 'mode', 'samples', 'directions', 'backward', 'seed', 'onProgress', 'progress'];

/** The three gradients flattened in theta's order; `bad` names blocks the checked backward got wrong in shape. */
export interface Analytic {
  hand: Float64Array;
  auto: Float64Array;
  bad: Map<string, string>;
}

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
 * @param net a network from gs.mlp (or gs.rnn, gs.lstm)
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
export function gradCheck(net: Net, X: Tensor2D, Y: Tensor, options?: GradCheckOptions<Net>): CheckReport;
export function gradCheck<M extends Model<any>>(model: M, X: Tensor, Y: Tensor, options?: GradCheckOptions<M>): CheckReport; // eslint-disable-line @typescript-eslint/no-explicit-any
export function gradCheck(net: Model<any>, X: Tensor, Y: Tensor, options: GradCheckOptions<any> = {}): CheckReport { // eslint-disable-line @typescript-eslint/no-explicit-any
  const started = performance.now();
  if (!isModel(net)) throw invalid('net', net, 'a network from gs.mlp, gs.rnn or gs.lstm');
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

  const settings = { eps, precision, mode, samples, directions, seed, backward, report };
  try {
    const body = net instanceof Net ? checkNet(net, X as Tensor2D, Y, settings) : checkModel(net, X, Y, settings);
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

/** What gradCheck settled before the work starts. */
interface Settings {
  eps: number;
  precision: Precision;
  mode: CheckMode;
  samples: number;
  directions: number;
  seed: number;
  backward?: BackwardFn<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  report?: OnProgress;
}

type Checked = Body & { notes: string[]; time: { analytic: number; numeric: number }; alt?: Float64Array };

/** True for anything that offers the model contract (src/nn/model.ts). */
function isModel(m: unknown): m is Model<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const x = m as Partial<Model>;
  return !!x && typeof x === 'object' && Array.isArray(x.blocks) && typeof x.size === 'number' &&
    ['forwardAndAutograd', 'backward', 'mirror64', 'toVector', 'fromVector', 'gradsToVector', 'labels', 'assertUsable'].every((k) => typeof (x as Record<string, unknown>)[k] === 'function');
}

/** The slots of theta from a model's blocks (2-D blocks index [row, col], others [entry]). */
function slotsOf(blocks: ParamBlock[]): Slot[] {
  return blocks.map((b) => ({ name: b.grad, layer: b.layer, kind: b.shape.length === 2 ? 'W' as const : 'b' as const, rows: b.shape.length === 2 ? b.shape[0] : 1, cols: b.shape[b.shape.length - 1] ?? 1, offset: b.offset, size: b.size }));
}

/**
 * Any model: the exact float64 loop over its mirror (or tf in float32), its own blocks; kinks from
 * the mirror's signs, the round-off bound from the size of the per-example terms.
 */
function checkModel(model: Model<any>, X: Tensor, Y: Tensor, s: Settings): Checked { // eslint-disable-line @typescript-eslint/no-explicit-any
  model.assertUsable();
  const notes: string[] = [];
  const y = model.labels(Y, X);
  let cache: ModelCache | undefined;
  const theta = model.toVector();
  let touched = false;
  try {
    const analyticStart = performance.now();
    let autoGrads: Grads;
    ({ cache, grads: autoGrads } = model.forwardAndAutograd(X, y));
    const analytic = gradients(model, cache!, y as Tensor2D, autoGrads, s.backward);
    const time = { analytic: (performance.now() - analyticStart) / 1000, numeric: 0 };
    const J64 = model.mirror64(X, y, cache!);
    const loss = (model as { loss?: (X: Tensor, Y: Tensor) => number }).loss;
    if (s.precision === 'float32' && typeof loss !== 'function') throw invalid('precision', 'float32', `'float64' for ${model} (it offers no tf loss to difference)`);
    const J32 = (t: Float64Array) => { touched = true; model.fromVector(t); const J = loss!.call(model, X, y); return { J, rows: new Float64Array([J]), reg: 0 }; };
    const ctx: Context = { model, theta, mag: new Float64Array(model.size), slots: slotsOf(model.blocks), eps: s.eps, precision: s.precision, samples: s.samples, seed: s.seed, notes, analytic, report: s.report, time, J: s.precision === 'float64' ? J64 : J32, signs: J64 };
    notes.push(s.precision === 'float64'
      ? `numeric: central differences of J re-evaluated in float64 by ${model.family}'s mirror of the forward pass (every entry: two whole evaluations), eps ${s.eps}; the checked gradient and autograd are float32 (tf)`
      : `numeric: central differences of J in float32 on tf (the parameters set to theta +- eps, two tf forward passes per entry), eps ${s.eps}`);
    const body = s.mode === 'directional' ? directionalCheck(ctx, s.directions) : entryCheck(ctx, s.mode === 'full' ? undefined : sparseIndices(ctx.slots, s.samples, s.seed), s.mode);
    return { ...body, notes, time };
  } finally {
    if (touched) model.fromVector(theta);
    cache?.dispose();
    y.dispose();
  }
}

/** The MLP: its fast exact paths (fast64, float32 rows, directional64) and its round-off bound. */
function checkNet(net: Net, X: Tensor2D, Y: Tensor, s: Settings): Checked {
  const { eps, precision, mode, samples, directions, seed, backward, report } = s;
  net.assertFinite();
  matrix('X', X, net.spec.sizes[0]);
  const m = X.shape[0];
  const y = net.labels(Y, m);
  const notes: string[] = [];
  let cache: Cache | undefined;
  const D = checkMasks(net, m, seed);
  try {
    const analyticStart = performance.now();
    if (D.length) notes.push(`dropout: one mask D (keepProb ${net.spec.keepProb}) drawn with the check's seed ${seed} (options.seed) and held fixed for the hand-written gradient, autograd and every numeric evaluation`);
    // float64 directional tries one joint direction first, which needs no autograd: a plain forward pass
    let autoGrads: Grads | undefined;
    if (mode === 'directional' && precision === 'float64') {
      cache = net.forward(X, D.length ? { masks: D } : {}).cache; // its output is cache.a[L]
    } else {
      ({ cache, grads: autoGrads } = net.forwardAndAutograd(X, y, D)); // one tf forward pass for both
    }
    const analytic = gradients(net, cache, y, autoGrads, backward);
    const alt = rightSided(net, cache, y);
    const time = { analytic: (performance.now() - analyticStart) / 1000, numeric: 0 };
    const batch = batch64(net.spec, X, y, cache.D);
    const slots = layout(net.spec);
    const theta = net.toVector();
    // one cached float64 base pass, shared by the sign check, the round-off bound, the kink screen,
    // the numeric gradient and the confirmation
    const base = timed(time, () => base64(net.spec, theta, batch));
    if (precision === 'float64') mirrorSigns(net, cache, base.z, notes);
    const joint = mode === 'directional' && precision === 'float64' && !alt;
    const ctx: Context = { model: net, mlp: { net, cache, y, batch, base }, theta, mag: joint ? new Float64Array(0) : magnitudes64(base), alt, slots, eps, precision, samples, seed, notes, analytic, report, time };
    notes.push(precision === 'float64'
      ? `numeric: central differences of J re-evaluated in float64 by the mirror of the forward pass (cached layers, only the change carried downstream), eps ${eps}; the checked gradient and autograd are float32 (tf)`
      : `numeric: central differences of J in float32 on tf (the parameters set to theta +- eps, two tf forward passes per entry), eps ${eps}`);
    let spent = 0;
    if (joint) {
      const first = jointCheck(ctx, directions);
      if (typeof first !== 'number') return { ...first, notes, time, alt };
      spent = first;
      ctx.mag = magnitudes64(base); // the per-entry round-off bound, for per-block directions and entries
    }
    if (!autoGrads) { // the joint direction did not settle it (or could not run): autograd for the per-block check
      const t0 = performance.now();
      const own = net.forwardAndAutograd(X, y, D);
      own.cache.dispose();
      analytic.auto = net.gradsToVector(own.grads);
      tf.dispose(Object.values(own.grads));
      time.analytic += (performance.now() - t0) / 1000;
    }
    const body = mode === 'directional' ? directionalCheck(ctx, directions, spent) : entryCheck(ctx, mode === 'full' ? undefined : sparseIndices(slots, samples, seed), mode);
    return { ...body, notes, time, alt };
  } finally {
    tf.dispose(D.filter(Boolean) as Tensor[]);
    cache?.dispose();
    y.dispose();
  }
}

interface Context {
  model: Model<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** The MLP's own offer: its fast exact numeric paths, kink screen and round-off bound. */
  mlp?: { net: Net; cache: Cache; y: Tensor2D; batch: Batch64; base: Base64 };
  /** Other models: the loss the numbers difference (float64 mirror or float32 tf) and the mirror for kink signs. */
  J?: LossFn;
  signs?: LossFn;
  theta: Float64Array;
  /** Per theta entry: the size of the terms a correct backward sums (mlp/roundoff.ts). */
  mag: Float64Array;
  /** The reference gradient with g'(0) = 1 at kinks, when some hidden z is exactly 0 (else undefined). */
  alt?: Float64Array;
  slots: Slot[];
  eps: number;
  precision: Precision;
  samples: number;
  seed: number;
  notes: string[];
  analytic: Analytic;
  report?: OnProgress;
  /** Seconds spent so far; the numeric part accumulates in time.numeric. */
  time: { analytic: number; numeric: number };
}

/**
 * The dropout masks D^l a check holds fixed: drawn from the check's seed (the net's own mask
 * stream is left alone); [] without dropout. The caller disposes them.
 *
 * @example
 * ```ts
 * const D = checkMasks(net, 6, 0); // what gs.gradCheck(net, X, Y) uses for 6 examples
 * ```
 */
export function checkMasks(net: Net, m: number, seed: number): (Tensor2D | undefined)[] {
  return net.spec.keepProb < 1 ? net.sampleMasks(m, rng(seed + 104729)) : [];
}

/** Runs f, adding its seconds to time.numeric. */
function timed<T>(time: { numeric: number }, f: () => T): T {
  const t0 = performance.now();
  try {
    return f();
  } finally {
    time.numeric += (performance.now() - t0) / 1000;
  }
}

type Body = Omit<CheckReport, 'precision' | 'eps' | 'mode' | 'backend' | 'seconds' | 'time' | 'notes' | 'toString'>;

/** The checked gradient (user's backward or net.backward) and autograd's (NaN when not run yet), as theta-ordered vectors; disposes autoGrads. */
function gradients(net: Model<any>, cache: ModelCache, Y: Tensor2D, autoGrads: Grads | undefined, backward: BackwardFn<any> | undefined): Analytic { // eslint-disable-line @typescript-eslint/no-explicit-any
  const bad = new Map<string, string>();
  const auto = autoGrads ? net.gradsToVector(autoGrads) : new Float64Array(net.size).fill(NaN);
  if (autoGrads) tf.dispose(Object.values(autoGrads));
  const grads = tf.tidy(() => {
    let g: unknown;
    try {
      g = backward ? backward(net, cache, Y) : net.backward(cache, Y);
    } catch (e) {
      if (e instanceof GradscopeError && !backward) throw e;
      throw new GradscopeError('backward', `invalid backward: it threw: ${(e as Error)?.message ?? String(e)} (the backward pass given to gradCheck; expected it to return { ${net.blocks.map((b) => b.grad).join(', ')} } with the shapes of ${net.blocks.map((b) => `${b.name} [${b.shape}]`).join(', ')})`);
    }
    if (g instanceof Promise) {
      g.catch(() => undefined);
      throw new GradscopeError('backward', 'invalid backward: a Promise (an async function) (expected a synchronous backward that returns the gradients { dW1, db1, ... }: drop async/await)');
    }
    if (!g || typeof g !== 'object') throw invalid('backward', g, 'backward(net, cache, Y) to return { dW1, db1, ... }');
    return g as unknown as import('@tensorflow/tfjs').TensorContainerObject;
  }) as unknown as Grads;
  const hand = new Float64Array(net.size);
  try {
    for (const blk of net.blocks) {
      const g = grads[blk.grad];
      if (!(g instanceof tf.Tensor)) {
        bad.set(blk.grad, `${blk.grad} is missing from what backward returned (expected a tensor of shape [${blk.shape}])`);
        continue;
      }
      if (!tf.util.arraysEqual(g.shape, blk.shape)) {
        bad.set(blk.grad, `${blk.grad} has shape [${g.shape}] (expected [${blk.shape}], the shape of ${blk.name})`);
        continue;
      }
      hand.set(g.dataSync(), blk.offset);
    }
  } finally {
    tf.dispose(Object.values(grads).filter((g) => g instanceof tf.Tensor) as Tensor[]);
  }
  return { hand, auto, bad };
}

/**
 * The reference gradient with the right-sided g'(0) = 1 at relu kinks (net.backward with `right`),
 * when some kept hidden pre-activation is exactly 0 in tf's pass; undefined otherwise.
 */
function rightSided(net: Net, cache: Cache, y: Tensor2D): Float64Array | undefined {
  if (!activations[net.spec.hidden].kink) return undefined;
  let zero = false;
  for (let l = 1; l < net.depth && !zero; l++) {
    const z = cache.z[l]!.dataSync(), D = cache.D[l]?.dataSync();
    for (let i = 0; i < z.length; i++) if (z[i] === 0 && (!D || D[i] !== 0)) { zero = true; break; }
  }
  if (!zero) return undefined;
  const g = net.backward(cache, y, { right: true });
  try {
    return net.gradsToVector(g);
  } finally {
    tf.dispose(Object.values(g));
  }
}

/** Notes relu units whose z has a different sign in tf's float32 forward pass and the float64 mirror. */
function mirrorSigns(net: Net, cache: Cache, z: Float64Array[], notes: string[]): void {
  if (!activations[net.spec.hidden].kink) return;
  let differ = 0;
  for (let l = 1; l < net.depth; l++) {
    const zt = cache.z[l]!.dataSync();
    for (let i = 0; i < zt.length; i++) if ((zt[i] > 0) !== (z[l][i] > 0)) differ++;
  }
  if (differ) notes.push(`${differ} pre-activation(s) sit so close to the relu kink that float32 and float64 disagree on their sign; gradients through them can differ`);
}

/** `samples` seeded entries per block, as sorted theta indices. */
function sparseIndices(slots: Slot[], samples: number, seed: number): Int32Array {
  const r = rng(seed + 15485863);
  const out: number[] = [];
  for (const s of slots) for (const e of sampleIndices(s.size, samples, r)) out.push(s.offset + e);
  return Int32Array.from(out);
}

/**
 * The entries to confirm a failing block on, `total` per block: the `suspects`
 * where the checked gradient and autograd differ most (where a bug shows, and the entries the
 * report's worst list should name), then seeded random ones (a bug autograd shares, or a
 * numeric-side failure, shows there too), as sorted theta indices.
 */
export function suspectIndices(slots: Slot[], { hand, auto }: Analytic, suspects: number, total: number, seed: number): Int32Array {
  const r = rng(seed + 15485863);
  const out: number[] = [];
  for (const s of slots) {
    const picked = new Set<number>();
    for (let t = 0; t < Math.min(suspects, s.size); t++) {
      let best = -1, gap = -1; // the next largest |hand - auto| (one scan each: suspects is small)
      for (let e = 0; e < s.size; e++) {
        const d = Math.abs(hand[s.offset + e] - auto[s.offset + e]);
        if (d > gap && !picked.has(e)) [best, gap] = [e, d];
      }
      picked.add(best);
    }
    const rest: number[] = [];
    for (let e = 0; e < s.size; e++) if (!picked.has(e)) rest.push(e);
    for (const e of sampleIndices(rest.length, Math.max(0, total - picked.size), r)) picked.add(rest[e]);
    for (const e of picked) out.push(s.offset + e);
  }
  return Int32Array.from(out.sort((p, q) => p - q));
}

/** Runs the numeric gradient for the given entries in the chosen precision. */
function numeric(ctx: Context, indices: Int32Array | undefined, t: Ticker, offset = 0): NumericResult {
  const tick = (done: number): void => t.tick(offset + done);
  const { mlp } = ctx;
  return timed(ctx.time, () => {
    if (mlp) {
      return ctx.precision === 'float64'
        ? fastGrad64(mlp.net.spec, ctx.theta, mlp.batch, { eps: ctx.eps, indices, tick, base: mlp.base })
        : float32Grad(mlp.net, mlp.cache, mlp.y, { eps: ctx.eps, indices, tick });
    }
    const r = lossGrad(ctx.J!, ctx.theta, ctx.eps, indices, tick, ctx.signs, ctx.precision === 'float32');
    r.indices.forEach((i, k) => { ctx.mag[i] = r.scale[k]; }); // the size of its terms: the round-off bound's input
    return r;
  });
}

const distance = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s);
};
const norm = (a: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] ** 2;
  return Math.sqrt(s);
};
const finite = (a: ArrayLike<number>): boolean => firstNonFinite(a) < 0;

/** The result of {@link judge}. */
interface Judgement {
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
function judge(hand: ArrayLike<number>, auto: ArrayLike<number>, num: ArrayLike<number>, atol: number, raw: Bands, atLeast = 0): Judgement {
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
function judgeKinks(hand: ArrayLike<number>, auto: ArrayLike<number>, alt: ArrayLike<number> | undefined, atol: ArrayLike<number>): { error: number; verdict: Verdict; right: number; vacuous?: boolean } {
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

function pick(v: ArrayLike<number>, idx: ArrayLike<number>): Float64Array {
  const out = new Float64Array(idx.length);
  for (let k = 0; k < idx.length; k++) out[k] = v[idx[k]];
  return out;
}

/** Full or sparse: entry-by-entry comparison. */
function entryCheck(ctx: Context, indices: Int32Array | undefined, mode: CheckMode, phase = 'numeric'): Body {
  const { notes } = ctx;
  const total = indices ? indices.length : ctx.model.size;
  const t = ticker(ctx.report, total, phase);
  const num = numeric(ctx, indices, t);
  t.finish();
  return compareEntries(ctx, num, mode, notes);
}

/** Round-off bound of a correct float32 backward per theta entry: ATOL_FACTOR * u32 * mag (mlp/roundoff.ts). */
function atolAt(ctx: Context, i: number): number {
  return ATOL_FACTOR * U32 * ctx.mag[i];
}

/** The reference an entry at a kink is compared with: autograd, or the right-sided gradient where that is closer to hand. */
function kinkRef(ctx: Context, i: number): number {
  const { hand, auto } = ctx.analytic, alt = ctx.alt;
  return alt && Math.abs(hand[i] - alt[i]) < Math.abs(hand[i] - auto[i]) ? alt[i] : auto[i];
}

/** A worst-list entry at a kink: compared with autograd (numeric is the difference quotient, not a derivative there). */
function kinkEntry(ctx: Context, s: Slot, i: number, numeric: number): EntryResult {
  const ref = kinkRef(ctx, i), h = ctx.analytic.hand[i];
  return { block: s.name, index: entryIndex(s, i), analytic: h, numeric, autograd: ref, difference: h - ref, kink: true };
}

/** The block result for entries at a kink only, or the kink part merged into a numeric one. */
function withKinks(ctx: Context, b: BlockResult, th: number[], autogradOnly = b.checked === th.length): BlockResult {
  if (!th.length) return { ...b, basis: 'numeric' };
  const { hand, auto } = ctx.analytic;
  const k = judgeKinks(pick(hand, th), pick(auto, th), ctx.alt && pick(ctx.alt, th), th.map((i) => atolAt(ctx, i)));
  const sided = k.right && k.verdict === 'great' ? ` (${k.right} with g'(0) = 1, the other valid one-sided derivative)` : '';
  if (autogradOnly) {
    // every entry at a kink: autograd alone decides, and a match is 'ok', never 'great'; a match
    // with an autograd about 0 is 'inconclusive' (a zero gradient would match it too)
    const verdict: Verdict = k.vacuous ? 'inconclusive' : k.verdict === 'great' ? 'ok' : k.verdict;
    const reason = k.vacuous ? 'every entry sits at a kink and autograd is about 0 there: a zero gradient would match it too' : undefined;
    return { ...b, relativeError: k.error, verdict, basis: 'autograd', label: `${th.length}/${b.checked} at a kink: compared with autograd only${sided}`, floor: undefined, bands: undefined, ratio: undefined, reason };
  }
  const verdict = worstVerdict([b.verdict, k.verdict]);
  const label = k.verdict === 'great' ? (sided ? `kinks match autograd${sided}` : undefined) : `${th.length} entries at a kink differ from autograd (relative error ${fmt(k.error)})`;
  return { ...b, verdict, basis: 'numeric+autograd', ...(label ? { label } : {}) };
}

function compareEntries(ctx: Context, num: NumericResult, mode: CheckMode, notes: string[]): Body {
  const { slots, analytic } = ctx;
  const raw = BANDS[ctx.precision];
  const { hand, auto, bad } = analytic;
  const { indices, values, kinks: isKink } = num;
  // the positions k of num in each block (a counting sort by block: typed arrays, no per-entry objects)
  const blockOf = new Int32Array(indices.length), start = new Int32Array(slots.length + 1);
  for (let k = 0, s = 0; k < indices.length; k++) {
    if (indices[k] < slots[s].offset) s = 0;
    while (indices[k] >= slots[s].offset + slots[s].size) s++;
    blockOf[k] = s;
    start[s + 1]++;
  }
  for (let s = 0; s < slots.length; s++) start[s + 1] += start[s];
  const order = new Int32Array(indices.length), fill = start.slice(0, slots.length);
  for (let k = 0; k < indices.length; k++) order[fill[blockOf[k]]++] = k;
  const byBlock = slots.map((_, s) => order.subarray(start[s], start[s + 1]));
  const isBad = slots.map((s) => bad.has(s.name));
  const keptAll = new Int32Array(indices.length), everything = new Int32Array(indices.length); // kept: not at a kink, in a well-shaped block
  let nKept = 0, nAll = 0;
  for (let s = 0; s < slots.length; s++) if (!isBad[s]) for (const k of byBlock[s]) { everything[nAll++] = indices[k]; if (!isKink[k]) keptAll[nKept++] = k; }
  const kept = keptAll.subarray(0, nKept);
  const overall = (() => {
    const r = relativeError(pickAt(auto, indices, kept), pick(values, kept));
    return Number.isFinite(r) ? r : 0;
  })();
  const blocks: BlockResult[] = [];
  const saturated: string[] = [];
  const top = new TopK(WORST); // the largest |difference|s, earliest first on ties
  let kinkTotal = 0;
  const magAtol = (use: ArrayLike<number>): number => { let q = 0; for (let p = 0; p < use.length; p++) q += atolAt(ctx, indices[use[p]]) ** 2; return Math.sqrt(q); };
  slots.forEach((s, si) => {
    const pos = byBlock[si];
    const at: number[] = [];
    const use = new Int32Array(pos.length);
    let nUse = 0;
    for (const k of pos) if (isKink[k]) at.push(k); else use[nUse++] = k;
    kinkTotal += at.length;
    if (isBad[si]) {
      blocks.push({ name: s.name, relativeError: 1, verdict: 'wrong', checked: pos.length, size: s.size, kinks: at.length });
      notes.push(`${bad.get(s.name)}: reported wrong`);
      return;
    }
    let b: BlockResult = { name: s.name, relativeError: 0, verdict: 'great', checked: pos.length, size: s.size, kinks: at.length };
    if (nUse) {
      const u = use.subarray(0, nUse);
      const j = judge(pickAt(hand, indices, u), pickAt(auto, indices, u), pick(values, u), magAtol(u), raw, overall);
      if (j.bands.great >= raw.worry) saturated.push(s.name);
      b = { ...b, relativeError: j.error, verdict: j.verdict, floor: j.floor, bands: j.bands, ratio: j.ratio, noise: j.noise, ...(j.reason ? { reason: j.reason } : {}) };
    }
    const th = at.map((k) => indices[k]);
    blocks.push(withKinks(ctx, b, th));
    for (const k of pos) {
      const i = indices[k];
      top.offer(Math.abs(hand[i] - (isKink[k] ? kinkRef(ctx, i) : values[k])), k);
    }
  });
  const worst: EntryResult[] = top.items().map((k) => {
    const i = indices[k], s = slotOf(slots, i);
    return isKink[k] ? kinkEntry(ctx, s, i, values[k]) : { block: s.name, index: entryIndex(s, i), analytic: hand[i], numeric: values[k], difference: hand[i] - values[k], kink: false };
  });
  const all = judge(pickAt(hand, indices, kept), pickAt(auto, indices, kept), pick(values, kept), magAtol(kept), raw);
  if (kinkTotal) {
    notes.push(`${kinkTotal} of ${indices.length} entries crossed a relu kink: their differences are not derivatives, so they were compared with autograd (either one-sided derivative accepted where z = 0 exactly); error of the others ${all.error.toExponential(2)}`);
  }
  if (all.bands.great > raw.great) {
    notes.push(`float32 floor: the checked gradient is float32 (tf has no float64); autograd vs numeric is ${all.floor.toExponential(1)} here, so the bands start at ${all.bands.great.toExponential(1)} (${FLOOR_FACTOR}x that) instead of ${raw.great}`);
  }
  if (saturated.length) {
    notes.push(`${saturated.join(', ')}: float32 round-off swamps these blocks (autograd itself is ${FLOOR_FACTOR}x-floor >= the worry band away from the numbers); judged by how much further the checked gradient is than autograd (ratio column)`);
  }
  if (mode === 'sparse') notes.push(`sparse: ${indices.length} of ${ctx.model.size} entries checked (up to ${ctx.samples} per block, seed ${ctx.seed})`);
  const verdicts = [bad.size ? 'wrong' as const : kept.length ? all.verdict : 'great' as const, ...blocks.map((b) => b.verdict)];
  return {
    relativeError: all.error,
    pairs: {
      handVsAutograd: relativeError(pick(hand, everything.subarray(0, nAll)), pick(auto, everything.subarray(0, nAll))),
      handVsNumeric: all.error,
      autogradVsNumeric: all.floor,
    },
    blocks,
    worst,
    verdict: worstVerdict(verdicts),
    bands: all.bands,
    evaluations: num.evaluations,
    floor: all.floor,
    checked: indices.length,
    kinks: kinkTotal,
    ...(all.reason && kept.length ? { reason: all.reason } : {}),
  };
}

/** v at idx[pos[k]] for each k: the values of entries given by their positions in idx. */
function pickAt(v: ArrayLike<number>, idx: ArrayLike<number>, pos: ArrayLike<number>): Float64Array {
  const out = new Float64Array(pos.length);
  for (let k = 0; k < pos.length; k++) out[k] = v[idx[pos[k]]];
  return out;
}

/** The k largest keys offered (NaN counts as the largest), earliest first among equal keys. */
class TopK {
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

/**
 * Coordinates of theta whose own +-eps step can move a hidden pre-activation across a relu kink:
 * W^l[i, c] and b^l[c] where some kept unit has |z^l[r, c]| <= 2 eps (||a^(l-1)_r|| + 1) (for W, only
 * rows with a^(l-1)[r, i] != 0). A unit direction moves z^l[r, c] by at most eps (||a^(l-1)_r|| + 1).
 * Directional mode leaves them out of its directions and compares them with autograd.
 */
function nearKinks(ctx: Context): Uint8Array {
  const near = new Uint8Array(ctx.model.size);
  const B = ctx.mlp?.base;
  if (!B || !B.kinky) return near;
  const { n, L, m, z, a, batch } = B;
  for (let l = 1; l < L; l++) { // the output layer has no kink
    const sW = ctx.slots.find((s) => s.layer === l && s.kind === 'W'), sb = ctx.slots.find((s) => s.layer === l && s.kind === 'b');
    if (!sW && !sb) continue;
    const nIn = n[l - 1], nl = n[l], D = batch.D[l], A = a[l - 1], Z = z[l];
    for (let r = 0; r < m; r++) {
      let sq = 0;
      for (let i = 0; i < nIn; i++) sq += A[r * nIn + i] ** 2;
      const tau = 2 * ctx.eps * (Math.sqrt(sq) + 1);
      for (let c = 0; c < nl; c++) {
        if (Math.abs(Z[r * nl + c]) > tau || (D && D[r * nl + c] === 0)) continue;
        if (sb) near[sb.offset + c] = 1;
        if (sW) for (let i = 0; i < nIn; i++) if (A[r * nIn + i] !== 0) near[sW.offset + i * nl + c] = 1;
      }
    }
  }
  return near;
}

/** x . (alpha beta^T) over a W block of a theta-ordered x: sum_i alpha_i sum_c x[i, c] beta_c. */
function alongRankOne(x: ArrayLike<number>, slot: Slot, alpha: Float64Array, beta: Float64Array): number {
  let s = 0;
  for (let i = 0; i < slot.rows; i++) {
    let q = 0;
    const row = slot.offset + i * slot.cols;
    for (let c = 0; c < slot.cols; c++) q += x[row + c] * beta[c];
    s += alpha[i] * q;
  }
  return s;
}

/**
 * A block's part of a joint direction must stand this far above its round-off bound (|hand . v_s| >
 * JOINT_GATE * blocks * atol_s): then a wrong block moves the joint difference by more than FLOOR_FACTOR
 * x the joint noise (for a doubled or sign-flipped block, and a zeroed one fails the gate), where a
 * direction of its own would. Below it, per-block directions decide.
 */
const JOINT_GATE = 2 * FLOOR_FACTOR;

/**
 * Float64 directional, first look: one joint random direction u over every block at once, two loss
 * evaluations and no autograd. u's part on block s is a random unit vector v_s (rank one, alpha beta^T,
 * on a W block) weighted by 1 / atol_s, its round-off bound along v_s (mlp/roundoff.ts
 * alongMagnitudes64: no per-entry bound needed), so every block weighs the same in
 *   u . hand  vs  (J(theta + eps u) - J(theta - eps u)) / 2 eps.
 * The noise allowed is the round-off bound of a correct float32 backward along u plus the numbers'
 * own (u64 sum_r |L_r(+) - L_r(-)| / eps); without autograd nothing else is needed. They must agree
 * to FLOOR_FACTOR x that noise, the numeric value must stand above it, and every block's part above
 * its own (JOINT_GATE). Returns the report body when all that holds; else the evaluations spent (0 when
 * nothing ran: a kink nearby, a bad shape, a block too small to see), and the per-block check decides.
 */
function jointCheck(ctx: Context, K: number): Body | number {
  const { mlp, slots, analytic, eps, notes } = ctx;
  if (!mlp || analytic.bad.size || !finite(analytic.hand) || nearKinks(ctx).some(Boolean)) return 0;
  // v_s: a random unit vector, rank one on a W block (alpha beta^T, both Gaussian, never formed), so
  // the round-off bound along it needs no per-entry bound (roundoff.ts alongMagnitudes64)
  const r = rng(ctx.seed + 49979687);
  const parts = Array.from({ length: K }, () => slots.map((slot) => {
    if (slot.kind === 'b') return { slot, v: unitVector(slot.size, r) };
    const alpha = unitVector(slot.rows, r), beta = unitVector(slot.cols, r);
    return { slot, v: new Float64Array(0), alpha, beta };
  }));
  const atol = parts.map((ds) => Array.from(alongMagnitudes64(mlp.base, ds), (x) => ATOL_FACTOR * U32 * x));
  const hand = parts.map((ds) => ds.map((d) => d.alpha ? alongRankOne(analytic.hand, d.slot, d.alpha, d.beta) : along(analytic.hand, d)));
  if (atol.some((row, k) => row.some((x, i) => !(x > 0) || !(Math.abs(hand[k][i]) > JOINT_GATE * slots.length * x)))) return 0;
  const t = ticker(ctx.report, K, 'directional');
  const H: number[] = [], N: number[] = [], noise: number[] = [];
  let spent = 0;
  for (let k = 0; k < K; k++) {
    const w = atol[k].map((x) => 1 / x);
    const wn = Math.hypot(...w);
    const u = new Float64Array(ctx.model.size); // u's b parts; its W parts are the factors
    const factors: RankOne[] = [];
    parts[k].forEach((d, i) => {
      if (d.alpha && d.beta) factors[d.slot.layer] = { alpha: d.alpha, beta: d.beta, scale: w[i] / wn };
      else for (let e = 0; e < d.slot.size; e++) u[d.slot.offset + e] = (w[i] / wn) * d.v[e];
    });
    const num = timed(ctx.time, () => joint64(mlp.base, ctx.theta, u, eps, factors));
    spent += num.evaluations;
    t.tick(k + 1);
    const h = hand[k].reduce((q, x, i) => q + (w[i] / wn) * x, 0);
    const bound = atol[k].reduce((q, x, i) => q + (w[i] / wn) * x, 0) + (2 * mlp.batch.m * U64 * num.scale); // u64 sum_r |rows| / eps
    const ratio = Math.abs(h - num.value) / bound;
    const fails = num.kink ? 'crossed a relu kink' : !Number.isFinite(num.value) ? 'is not finite'
      : ratio > FLOOR_FACTOR ? `differs from u . checked by ${ratio.toExponential(1)} x the noise` : Math.abs(num.value) <= FLOOR_FACTOR * bound ? 'is about 0 next to the noise' : '';
    if (fails) {
      t.finish();
      notes.push(`directional: one joint direction over all ${slots.length} blocks first: its difference ${fails}, so each block got a direction of its own`);
      return spent;
    }
    H.push(h); N.push(num.value); noise.push(bound);
  }
  t.finish();
  const error = relativeError(H, N);
  const dist = Math.sqrt(H.reduce((q, h, k) => q + (h - N[k]) ** 2, 0)), bound = Math.sqrt(noise.reduce((q, x) => q + x * x, 0));
  const ratio = dist / bound;
  const raw = BANDS.float64;
  const relNoise = bound / (Math.hypot(...H) + Math.hypot(...N));
  if (error > raw.great) notes.push(`float32 round-off: the checked gradient is float32 (tf has no float64); along u a correct one may miss the numbers by ${relNoise.toExponential(1)} relative (the noise), so a relative error of ${error.toExponential(1)} is great by its ratio ${ratio.toExponential(1)} <= ${FLOOR_FACTOR}`);
  notes.push(`directional: ${K} joint random direction(s) u over all ${slots.length} blocks (each block's part weighted by 1 / its float32 round-off bound, so none is diluted), u . grad compared with (J(theta + eps u) - J(theta - eps u)) / 2 eps: within ${ratio.toExponential(1)} x the noise (the round-off bound of a correct float32 backward along u plus the numbers' own), so no block needed a direction of its own and autograd was not run`);
  return {
    relativeError: error,
    pairs: { handVsAutograd: NaN, handVsNumeric: error, autogradVsNumeric: NaN },
    blocks: slots.map((s) => ({ name: s.name, relativeError: error, verdict: 'great' as const, checked: K, size: s.size, kinks: 0, bands: raw, ratio, noise: bound, basis: 'numeric' as const })),
    worst: [],
    verdict: 'great',
    bands: raw,
    evaluations: spent,
    checked: K,
    kinks: 0,
  };
}

/**
 * Directional: a few random unit directions per block, with the coordinates next to a kink left out
 * (compared with autograd instead). A block whose direction still crosses a kink, or that fails, is
 * checked entry by entry before the report calls it anything.
 */
function directionalCheck(ctx: Context, K: number, spent = 0): Body {
  const { mlp, slots, analytic, notes, precision, eps } = ctx;
  const raw = BANDS[precision];
  const r = rng(ctx.seed + 32452843);
  const near = nearKinks(ctx);
  const dirs: Direction[] = [];
  const kinkCoords = new Map<Slot, number[]>();
  for (const s of slots) {
    const th: number[] = [];
    for (let e = 0; e < s.size; e++) if (near[s.offset + e]) th.push(s.offset + e);
    kinkCoords.set(s, th);
    for (let k = 0; k < K && th.length < s.size; k++) {
      const v = unitVector(s.size, r);
      if (th.length) {
        for (const i of th) v[i - s.offset] = 0;
        const nv = norm(v);
        for (let e = 0; e < s.size; e++) v[e] /= nv;
      }
      dirs.push({ slot: s, v });
    }
  }
  const t = ticker(ctx.report, dirs.length, 'directional');
  const num = timed(ctx.time, () => !mlp ? lossDirectional(ctx.J!, ctx.theta, dirs, eps, (d) => t.tick(d), ctx.signs)
    : precision === 'float64'
      ? directional64(mlp.net.spec, ctx.theta, mlp.batch, dirs, eps, (d) => t.tick(d), mlp.base)
      : directional32(mlp.net, mlp.cache, mlp.y, dirs, eps));
  t.finish();
  const blocks: BlockResult[] = [];
  const failing: Slot[] = [];
  const kinked: Slot[] = [];
  const H: number[] = [], A: number[] = [], N: number[] = [];
  let atolAll = 0;
  const alongAtol = (d: Direction): number => { let s = 0; for (let e = 0; e < d.slot.size; e++) s += Math.abs(d.v[e]) * atolAt(ctx, d.slot.offset + e); return s; };
  let kinkTotal = 0;
  const usable = dirs.map((d, i) => [d, i] as const).filter(([d, i]) => !num.kinks[i] && !analytic.bad.has(d.slot.name));
  const overall0 = relativeError(usable.map(([d]) => along(analytic.auto, d)), usable.map(([, i]) => num.values[i]));
  const overall = Number.isFinite(overall0) ? overall0 : 0;
  for (const s of slots) {
    const ds = dirs.map((d, i) => [d, i] as const).filter(([d]) => d.slot === s);
    const coords = kinkCoords.get(s)!;
    kinkTotal += coords.length;
    if (analytic.bad.has(s.name)) {
      blocks.push({ name: s.name, relativeError: 1, verdict: 'wrong', checked: ds.length, size: s.size, kinks: coords.length });
      notes.push(`${analytic.bad.get(s.name)}: reported wrong`);
      continue;
    }
    if (ds.some(([, i]) => num.kinks[i])) {
      kinked.push(s);
      blocks.push({ name: s.name, relativeError: NaN, verdict: 'inconclusive', checked: 0, size: s.size, kinks: coords.length });
      continue;
    }
    let b: BlockResult = { name: s.name, relativeError: 0, verdict: 'great', checked: ds.length + coords.length, size: s.size, kinks: coords.length };
    if (ds.length) {
      const h = ds.map(([d]) => along(analytic.hand, d)), a = ds.map(([d]) => along(analytic.auto, d)), n = ds.map(([, i]) => num.values[i]);
      H.push(...h); A.push(...a); N.push(...n);
      const da = Math.sqrt(ds.reduce((q, [d, i]) => q + Math.max(alongAtol(d), mlp ? 0 : ATOL_FACTOR * U32 * num.scale[i]) ** 2, 0));
      atolAll = Math.sqrt(atolAll ** 2 + da ** 2);
      const j = judge(h, a, n, da, raw, overall);
      b = { ...b, relativeError: j.error, verdict: j.verdict, floor: j.floor, bands: j.bands, ratio: j.ratio, noise: j.noise, ...(j.reason ? { reason: j.reason } : {}) };
      if (j.verdict === 'worry' || j.verdict === 'wrong') failing.push(s);
    }
    blocks.push(withKinks(ctx, b, coords, ds.length === 0));
  }
  const all = judge(H, A, N, atolAll, raw);
  // the coordinates at a kink were compared with autograd: the worst of them are named too
  let worst: EntryResult[] = slots.flatMap((s) => kinkCoords.get(s)!.map((i) => kinkEntry(ctx, s, i, NaN)))
    .sort((p, q) => Math.abs(q.difference) - Math.abs(p.difference)).slice(0, WORST);
  let evaluations = num.evaluations + spent;
  notes.push(`directional: ${K} random unit direction(s) v per block, v . grad compared with (J(theta + eps v) - J(theta - eps v)) / 2 eps`);
  if (kinkTotal) notes.push(`${kinkTotal} coordinate(s) sit next to a relu kink: left out of the directions and compared with autograd (either one-sided derivative accepted where z = 0 exactly)`);
  if (failing.length || kinked.length) {
    // PyTorch's fast-mode lesson: confirm entry by entry before calling the gradient wrong. First the
    // ceil(samples/2) entries where hand and autograd differ most; a block they do not confirm gets
    // its full `samples` (the same suspects and random entries) before it is called not confirmed.
    // A block whose direction crossed a kink anyway is checked on its full `samples` straight away.
    const k = ctx.samples, first = Math.ceil(k / 2);
    const confirmOn = (on: Slot[], total: number): Body => {
      const idx = suspectIndices(on, analytic, first, total, ctx.seed);
      const t2 = ticker(ctx.report, idx.length, 'confirm');
      const entries = numeric(ctx, idx, t2);
      t2.finish();
      evaluations += entries.evaluations;
      return compareEntries({ ...ctx, slots: on }, entries, 'sparse', []);
    };
    const agreed = (b: BlockResult): boolean => b.verdict === 'worry' || b.verdict === 'wrong';
    const sub = failing.length ? confirmOn(failing, first) : undefined;
    const retry = [...kinked, ...(first < k && sub ? failing.filter((s) => !agreed(sub.blocks.find((b) => b.name === s.name)!)) : [])];
    const again = retry.length ? confirmOn(retry, k) : undefined;
    const results = [...(sub?.blocks ?? []).filter((b) => !again?.blocks.some((x) => x.name === b.name)), ...(again?.blocks ?? [])];
    worst = [...worst, ...(sub?.worst ?? []).filter((w) => !retry.some((s) => s.name === w.block)), ...(again?.worst ?? [])]
      .sort((p, q) => Math.abs(q.difference) - Math.abs(p.difference)).slice(0, WORST);
    for (const b of results) {
      const i = blocks.findIndex((x) => x.name === b.name);
      const wasKinked = kinked.some((s) => s.name === b.name);
      notes.push(wasKinked
        ? `${b.name}: its direction crossed a relu kink; checked on ${b.checked} entries instead: ${b.verdict}`
        : agreed(b)
          ? `${b.name}: directional error ${blocks[i].relativeError.toExponential(1)} confirmed on ${b.checked} entries (error ${b.relativeError.toExponential(1)}): ${b.verdict}`
          : `${b.name}: directional error ${blocks[i].relativeError.toExponential(1)} NOT confirmed: ${b.checked} entries agree (error ${b.relativeError.toExponential(1)}); run mode 'full' to be sure`);
      blocks[i] = wasKinked ? b : { ...b, checked: blocks[i].checked + b.checked, kinks: blocks[i].kinks + b.kinks };
    }
  }
  const verdicts = [analytic.bad.size ? 'wrong' as const : failing.length || kinked.length || !H.length ? 'great' as const : all.verdict, ...blocks.map((b) => b.verdict)];
  return {
    relativeError: all.error,
    pairs: { handVsAutograd: relativeError(analytic.hand, analytic.auto), handVsNumeric: all.error, autogradVsNumeric: all.floor },
    blocks,
    worst,
    verdict: worstVerdict(verdicts),
    bands: all.bands,
    evaluations,
    floor: all.floor,
    checked: dirs.length,
    kinks: kinkTotal,
    ...(all.reason && H.length && !failing.length ? { reason: all.reason } : {}),
  };
}

/** The numerical gradient itself, by block (see {@link numericGrads}). */
export interface NumericGrads {
  /** d theta_approx in theta's order (the seeds' gradapprox): W1 row-major, b1, W2, ... */
  vector: Float64Array;
  /** The same by gradient name, each block row-major: `{ dW1, db1, ... }`. */
  grads: Record<string, Float64Array>;
  /** 1 where theta +- eps moved a relu pre-activation across 0 (the entry is not a derivative there). */
  kinks: Uint8Array;
  /** The step the differences used. */
  eps: number;
  /** The precision the loss was evaluated in. */
  precision: Precision;
}

/**
 * The seeds' d theta_approx: central differences (J(theta + eps e_i) - J(theta - eps e_i)) / 2 eps of
 * every parameter, in float64 by the mirror of the forward pass (default) or in float32 on tf, with
 * dropout masks drawn from `seed` and held fixed as gradCheck does. Synchronous; leaves
 * tf.memory().numTensors unchanged.
 *
 * @example
 * ```ts
 * const approx = gs.numericGrads(net, X, Y);         // float64, eps 1e-7
 * approx.grads.dW1;                                  // Float64Array, W1's shape row-major
 * gs.relativeError(net.gradsToVector(grads), approx.vector);
 * ```
 */
export function numericGrads(net: Net, X: Tensor2D, Y: Tensor, options: { eps?: number; precision?: Precision; seed?: number } = {}): NumericGrads {
  if (!(net instanceof Net)) throw invalid('net', net, 'a network from gs.mlp(...)');
  knownKeys('options', options, ['eps', 'precision', 'seed']);
  const { precision = 'float64', seed = 0 } = options ?? {};
  oneOf('precision', precision, ['float64', 'float32']);
  const eps = number('eps', options.eps ?? (precision === 'float64' ? 1e-7 : FLOAT32_EPS), { min: MIN_EPS[precision], max: 1 });
  number('seed', seed, { integer: true });
  net.assertFinite();
  matrix('X', X, net.spec.sizes[0]);
  const y = net.labels(Y, X.shape[0]);
  const D = checkMasks(net, X.shape[0], seed);
  const { output, cache } = net.forward(X, D.length ? { masks: D } : {});
  try {
    const num = precision === 'float64'
      ? fastGrad64(net.spec, net.toVector(), batch64(net.spec, X, y, cache.D), { eps })
      : float32Grad(net, cache, y, { eps });
    const grads: Record<string, Float64Array> = {};
    for (const b of net.blocks) grads[b.grad] = num.values.slice(b.offset, b.offset + b.size);
    return { vector: num.values, grads, kinks: num.kinks, eps, precision };
  } finally {
    tf.dispose([output, y, ...(D.filter(Boolean) as Tensor[])]);
    cache.dispose();
  }
}
