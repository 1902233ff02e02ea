/**
 * What the recurrent families (gs.rnn, gs.lstm, gs.gru) check at their boundary, before any work:
 * sizes, the init's work and float32's range (checkNetSize, float32Weights, float32Number), the
 * forward pass's time and memory (checkSequenceWork), X [m, T, nx] (checkX), a0 / c0 (initialState),
 * a backward's cache and step (cacheDims) and what a step returned at every t (stepGrads).
 * Every failure is a GradscopeError naming the argument, what it got and what was expected.
 */
import type { Tensor, Tensor2D } from '@tensorflow/tfjs';
import { tf } from '../core/backend';
import { GradscopeError, firstNonFinite, fmt, invalid, number, show } from '../core/errors';
import { checkInitWork, normalizeInit, type Init } from '../nn/init';
import { checkMemory, checkSeconds } from '../core/limits';

/** The largest float32. */
export const FLOAT32_MAX = 3.4028234663852886e38;

/** An `init` option: left out (undefined) gives `byDefault`; null and anything else unknown is refused. */
export function initOption(value: unknown, byDefault: Init): Init {
  return normalizeInit('init', value === undefined ? byDefault : value);
}

/**
 * Refuses, before anything is allocated, a net whose parameters exceed the memory budget (16 bytes a
 * parameter while it is built: float64 draws, a float32 copy, the tf.Variable) or whose init would
 * run for minutes (orthogonal: O(n^3)). `gates`: the [na + nx, na] matrices (rnn 1, gru 3, lstm 4).
 */
export function checkNetSize(family: string, shape: { nx: number; na: number; ny: number }, gates: number, init: Init): void {
  const { nx, na, ny } = shape;
  const params = gates * ((na + nx) * na + na) + na * ny + ny;
  checkMemory('na', na, 16 * params, `${params.toExponential(2)} parameters of a ${family} with nx ${nx}, na ${na}, ny ${ny}, 16 bytes each while the net is built`);
  checkInitWork(init, na + nx, na, gates);
}

/** A finite number float32 can hold (|x| <= 3.4e38), else a GradscopeError naming `argument`. */
export function float32Number(argument: string, value: unknown): number {
  const x = number(argument, value);
  if (Math.abs(x) > FLOAT32_MAX) throw new GradscopeError(argument, `invalid ${argument}: ${show(x)} is beyond float32's range (expected |${argument}| <= 3.4e38: the parameters are float32)`);
  return x;
}

/** Throws naming `argument` when a drawn weight (times a scale) is beyond float32's range. */
export function float32Weights(argument: string, value: unknown, W: Float64Array, name: string): Float64Array {
  const bad = W.findIndex((w) => !(Math.abs(w) <= FLOAT32_MAX));
  if (bad >= 0) throw new GradscopeError(argument, `invalid ${argument}: ${show(value)} gives ${name} entry ${bad} = ${W[bad]}, beyond float32's range (expected weights below 3.4e38: a smaller ${argument})`);
  return W;
}

/**
 * tf seconds of a forward pass over T steps of m rows: per step STEP_SECONDS (tf.unstack, tidy and
 * dispatch), `ops` tf ops at OP_SECONDS each and `madds` multiply-adds a row at TF_MADDS a second
 * (measured on wasm, nx 3, na 16, m 4, T 250-4000: rnn 0.7-1.1 ms a step, lstm 0.5-0.8 ms, gru
 * 0.4-0.8 ms); the cache keeps `kept` tensors a step (~TENSOR_BYTES each plus their data). Refuses
 * what would run for hours (GRADSCOPE_MAX_SECONDS) or not fit (GRADSCOPE_MAX_MEMORY), naming X.
 */
export function checkSequenceWork(family: string, X: Tensor, ops: number, madds: number, kept: number, na: number): void {
  const [m, T] = X.shape;
  const seconds = T * (STEP_SECONDS + ops * OP_SECONDS + (m * madds) / TF_MADDS);
  checkSeconds('X', X.shape, seconds, `a ${family} forward pass over T = ${T} steps of m = ${m} rows, ${ops} tf ops a step`);
  checkMemory('X', X.shape, T * kept * (TENSOR_BYTES + 4 * m * na), `the forward cache: ${kept} tensors [${m}, ${na}] a step over T = ${T} steps`);
}
const STEP_SECONDS = 5e-4, OP_SECONDS = 2e-5, TF_MADDS = 5e9, TENSOR_BYTES = 1000;

/**
 * Throws unless X is a finite 3-D tensor [m, T, nx] with m, T >= 1; returns m and T.
 * The message names what was wrong: the rank (a 2-D X is one step of an MLP, not a sequence) or the width.
 */
export function checkX(X: unknown, nx: number, beforeScan?: (X: Tensor) => void): { m: number; T: number } {
  const expected = `a 3-D tensor [m, T, ${nx}]: m sequences of T steps of ${nx} inputs`;
  if (!(X instanceof tf.Tensor)) throw invalid('X', X, expected);
  if (X.isDisposed) throw new GradscopeError('X', 'invalid X: a disposed tensor (expected a live tensor)');
  if (X.dtype === 'bool' || X.dtype === 'string' || X.dtype === 'complex64') throw new GradscopeError('X', `invalid X: a ${X.dtype} tensor of shape [${X.shape.join(', ')}] (expected float32 numbers: ${expected})`);
  if (X.rank !== 3) {
    const hint = X.rank === 2 ? `; a single step is [m, 1, ${nx}] (X.expandDims(1))` : '';
    throw new GradscopeError('X', `invalid X: rank ${X.rank}, shape [${X.shape.join(', ')}] (expected ${expected}${hint})`);
  }
  const [m, T, n] = X.shape;
  if (n !== nx) throw new GradscopeError('X', `invalid X: shape [${X.shape.join(', ')}], ${n} inputs per step (expected [m, T, ${nx}]: the net has nx = ${nx})`);
  if (m === 0 || T === 0) throw new GradscopeError('X', `invalid X: shape [${X.shape.join(', ')}] (expected at least one sequence and one step)`);
  beforeScan?.(X); // a size check before reading every entry
  const data = X.dataSync();
  const bad = firstNonFinite(data);
  if (bad >= 0) {
    const [i, t, k] = [Math.floor(bad / (T * n)), Math.floor(bad / n) % T, bad % n];
    throw new GradscopeError('X', `invalid X: entry [${i}, ${t}, ${k}] is ${fmt(data[bad])} (expected finite numbers)`);
  }
  return { m, T };
}

/** a0 / c0: undefined (zeros) or a finite [m, na] tensor. Returns a new tensor the caller owns. */
export function initialState(name: string, value: unknown, m: number, na: number): Tensor2D {
  if (value === undefined) return tf.zeros([m, na]);
  if (value instanceof tf.Tensor && value.isDisposed) throw new GradscopeError(name, `invalid ${name}: a disposed tensor of shape [${value.shape.join(', ')}] (expected a live tensor [${m}, ${na}]: it was disposed, by tf.dispose, tf.tidy or an earlier call)`);
  if (value instanceof tf.Tensor && value.dtype !== 'float32') throw new GradscopeError(name, `invalid ${name}: a ${value.dtype} tensor (expected a float32 tensor [${m}, ${na}])`);
  if (!(value instanceof tf.Tensor) || value.rank !== 2 || value.shape[0] !== m || value.shape[1] !== na) {
    throw invalid(name, value, `a tensor [${m}, ${na}] (one row per sequence of X, na = ${na} columns), or leave it out for zeros`);
  }
  const bad = firstNonFinite(value.dataSync());
  if (bad >= 0) throw new GradscopeError(name, `invalid ${name}: entry ${bad} is not finite (expected finite numbers)`);
  return tf.cast(value, 'float32') as Tensor2D;
}


/**
 * Checks what a step backward (the family's own, or a user's `step` passed to backward) returned at
 * step t: an object (not a Promise) with a live tensor of the expected shape under every name, and,
 * for a user's step (`reference`: the family's step on the same inputs), finite values wherever the
 * family's own step gives finite ones (where it overflows too, the forward pass is the cause). Returns
 * it typed; throws a GradscopeError naming the step, the output and the shape expected.
 */
export function stepGrads<G>(out: unknown, t: number, shapes: Record<string, number[]>, reference?: () => unknown): G {
  const names = Object.keys(shapes);
  const expected = `{ ${names.join(', ')} }`;
  if (out && (typeof out === 'object' || typeof out === 'function') && typeof (out as Promise<unknown>).then === 'function') {
    (out as Promise<unknown>).then(undefined, () => undefined); // an async step's own rejection is not left unhandled
    throw new GradscopeError('step', `invalid step: at t = ${t} the step returned a Promise; steps must be synchronous (expected ${expected} of tensors: drop async/await)`);
  }
  if (!out || typeof out !== 'object') throw new GradscopeError('step', `invalid step: at t = ${t} it returned ${show(out)} (expected ${expected} of tensors)`);
  const missing = names.filter((k) => !((out as Record<string, unknown>)[k] instanceof tf.Tensor));
  if (missing.length) {
    const [k, ...rest] = missing, got = (out as Record<string, unknown>)[k];
    throw new GradscopeError('step', `invalid step: at t = ${t} its ${k} is ${got === undefined ? 'undefined' : Array.isArray(got) ? 'an array, not a tensor' : show(got)}${rest.length ? ` (and ${rest.join(', ')} ${rest.length > 1 ? 'are' : 'is'} not tensors either)` : ''} (expected a tensor of shape [${shapes[k].join(', ')}]${rest.length ? ` and ${rest.map((r) => `${r} [${shapes[r].join(', ')}]`).join(', ')}` : ''})`);
  }
  for (const k of names) {
    const v = (out as Record<string, Tensor>)[k];
    if (v.isDisposed) throw new GradscopeError('step', `invalid step: at t = ${t} its ${k} is a disposed tensor (expected a live tensor [${shapes[k].join(', ')}]; do not dispose what the step returns)`);
    if (!tf.util.arraysEqual(v.shape, shapes[k])) {
      const transposed = v.rank === 2 && shapes[k].length === 2 && v.shape[0] === shapes[k][1] && v.shape[1] === shapes[k][0];
      throw new GradscopeError('step', `invalid step: at t = ${t} its ${k} is shape [${v.shape.join(', ')}] (expected a tensor of shape [${shapes[k].join(', ')}])${transposed ? '; it is transposed' : ''}; nothing is broadcast`);
    }
    if (reference) {
      if (v.dtype !== 'float32') throw new GradscopeError('step', `invalid step: at t = ${t} its ${k} is a ${v.dtype} tensor (expected float32)`);
      const data = v.dataSync();
      const bad = firstNonFinite(data);
      if (bad >= 0 && finiteAt(reference, k)) throw new GradscopeError('step', `invalid step: at t = ${t} its ${k} holds ${fmt(data[bad])} at entry ${bad} (expected finite values: the family's own step gives finite ones here)`);
    }
  }
  return out as G;
}

/** True when the reference step's output `k` is finite (called only when a user's step gave a non-finite one). */
function finiteAt(reference: () => unknown, k: string): boolean {
  const ref = (reference() as Record<string, Tensor>)[k];
  return ref instanceof tf.Tensor && firstNonFinite(ref.dataSync()) < 0;
}

/** m and T of a forward pass's cache, after checking it is one of this family's and still alive, and that `step` is a function. */
export function cacheDims(cache: unknown, family: string, step: unknown): { m: number; T: number } {
  const c = cache as { family?: string; a?: Tensor[]; m: number; T: number } | undefined;
  if (!c || typeof c !== 'object' || !Array.isArray(c.a) || typeof c.T !== 'number' || c.a.length !== c.T + 1) {
    throw invalid('cache', cache, `the cache of this ${family}'s forward pass (net.forward(X).cache)`);
  }
  if (c.family !== family) throw new GradscopeError('cache', `invalid cache: the cache of ${c.family ? `an ${c.family}'s` : 'another model\'s'} forward pass (expected the cache of this ${family}'s forward pass, net.forward(X).cache)`);
  if (c.a!.some((t) => t.isDisposed)) throw new GradscopeError('cache', 'invalid cache: already disposed (expected the cache of a forward pass that is still alive)');
  if (typeof step !== 'function') throw invalid('step', step, `a function (step, da${family === 'lstm' ? ', dc' : ''}) => { ... } like gs.${family}StepBackward, or leave it out`);
  return { m: c.m, T: c.T };
}
