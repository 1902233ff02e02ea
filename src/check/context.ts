/**
 * What one gs.gradCheck shares between its modes: the settings, the checked and autograd gradients
 * as theta-ordered vectors, and the numeric paths (the family's offer or the generic loop).
 */
import type { Tensor, Tensor2D } from '@tensorflow/tfjs';
import { tf } from '../core/backend';
import { GradscopeError, invalid } from '../core/errors';
import type { OnProgress, Ticker } from '../core/progress';
import type { Grads, Model, ModelCache, NumericPaths } from '../nn/model';
import { ATOL_FACTOR, U32, type NumericResult } from '../nn/numeric';
import type { ParamBlock } from '../nn/block';
import type { CheckReport, Precision } from './report';

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
 * The cache type of a model's forward pass: `Cache` for gs.mlp, `RnnCache` for gs.rnn,
 * `LstmCache` for gs.lstm.
 */
export type CacheOf<M> = M extends Model<infer C> ? C : ModelCache;

/** A backward pass to check: gets the net, the cache of its forward pass and the labels y as a float tensor (one-hot for softmax). */
export type BackwardFn<M extends Model<any> = Model<any>> = (net: M, cache: CacheOf<M>, Y: Tensor2D) => Grads | Record<string, Tensor> | undefined | void; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Options of {@link gradCheck}. */
export interface GradCheckOptions<M extends Model<any> = Model<any>> { // eslint-disable-line @typescript-eslint/no-explicit-any
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

/** What gradCheck settled before the work starts. */
export interface Settings {
  eps: number;
  precision: Precision;
  mode: CheckMode;
  samples: number;
  directions: number;
  seed: number;
  backward?: BackwardFn<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  report?: OnProgress;
}

export type Checked = Body & { notes: string[]; time: { analytic: number; numeric: number }; alt?: Float64Array };

/** The three gradients flattened in theta's order; `bad` names blocks the checked backward got wrong in shape. */
export interface Analytic {
  hand: Float64Array;
  auto: Float64Array;
  bad: Map<string, string>;
}

export interface Context {
  model: Model<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** The numbers: the family's exact fast paths when it offers them, else the generic loop (loop64.ts). */
  paths: NumericPaths;
  theta: Float64Array;
  /** Per theta entry: the size of the terms a correct backward sums (mlp/roundoff.ts). */
  mag: Float64Array;
  /** The reference gradient with g'(0) = 1 at kinks, when some hidden z is exactly 0 (else undefined). */
  alt?: Float64Array;
  slots: ParamBlock[];
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

/** Runs f, adding its seconds to time.numeric. */
export function timed<T>(time: { numeric: number }, f: () => T): T {
  const t0 = performance.now();
  try {
    return f();
  } finally {
    time.numeric += (performance.now() - t0) / 1000;
  }
}

export type Body = Omit<CheckReport, 'precision' | 'eps' | 'mode' | 'backend' | 'seconds' | 'time' | 'notes' | 'toString'>;

/** The checked gradient (user's backward or net.backward) and autograd's (NaN when not run yet), as theta-ordered vectors; disposes autoGrads. */
export function gradients(net: Model<any>, cache: ModelCache, Y: Tensor2D, autoGrads: Grads | undefined, backward: BackwardFn<any> | undefined): Analytic { // eslint-disable-line @typescript-eslint/no-explicit-any
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
      if (g.isDisposed) throw new GradscopeError('backward', `invalid backward: its ${blk.grad} is a disposed tensor of shape [${g.shape}] (expected a live tensor: the backward given to gradCheck must not dispose what it returns)`);
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

/** Round-off bound of a correct float32 backward per theta entry: ATOL_FACTOR * u32 * mag (mlp/roundoff.ts). */
export function atolAt(ctx: Context, i: number): number {
  return ATOL_FACTOR * U32 * ctx.mag[i];
}

/** Runs the numeric gradient for the given entries (the paths fill in the magnitudes they size). */
export function numeric(ctx: Context, indices: Int32Array | undefined, t: Ticker, offset = 0): NumericResult {
  return timed(ctx.time, () => ctx.paths.entries(indices, ctx.eps, (done: number): void => t.tick(offset + done)));
}
