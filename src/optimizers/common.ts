/**
 * What the five step functions share: the state they carry between steps, the options, and the
 * checks at their boundary. Every optimiser is elementwise, so a step works on the whole of theta
 * (`net.toVector()`) or on any one block alike.
 */
import type { Tensor } from '@tensorflow/tfjs';
import { tf } from '../core/backend';
import { firstNonFinite, fmt, GradscopeError, invalid, knownKeys, number, show } from '../core/errors';

/** 'sgd' | 'momentum' | 'adagrad' | 'rmsprop' | 'adam' */
export type OptimizerName = 'sgd' | 'momentum' | 'adagrad' | 'rmsprop' | 'adam';
/** The five optimisers, in the order the lecture introduces them. */
export const OPTIMIZER_NAMES: readonly OptimizerName[] = ['sgd', 'momentum', 'adagrad', 'rmsprop', 'adam'];

/**
 * What an optimiser carries from one step to the next (float64 form). Each optimiser uses only
 * its own fields; a missing field starts at 0.
 */
export interface OptimizerState {
  /** Momentum: the lecture's Delta theta (the step taken last time; `delta` stays backprop's delta^l). */
  dTheta?: Float64Array;
  /** AdaGrad: the sum of squared gradients; RMSProp: their running mean. */
  cache?: Float64Array;
  /** Adam: running mean of the gradients (first moment). */
  m?: Float64Array;
  /** Adam: running mean of the squared gradients (second moment). */
  v?: Float64Array;
  /** Adam: the number of steps taken before this one (this step's bias correction uses t + 1). */
  t?: number;
}

/** The same state as tf tensors (the tensor form gs.train uses); the caller owns them. */
export interface TensorState {
  /** Momentum: Delta theta. */
  dTheta?: Tensor;
  /** AdaGrad: the sum of squared gradients; RMSProp: their running mean. */
  cache?: Tensor;
  /** Adam: the first moment. */
  m?: Tensor;
  /** Adam: the second moment. */
  v?: Tensor;
  /** Adam: the number of steps taken before this one. */
  t?: number;
}

/** Options of the step functions; each optimiser accepts only the ones it uses. */
export interface StepOptions {
  /** Learning rate alpha. */
  lr?: number;
  /** Momentum coefficient eta (the lecture's eta in [0, 1]). */
  beta?: number;
  /** RMSProp: weight of the old running mean (Tieleman and Hinton: 0.9). */
  decay?: number;
  /** Adam: decay of the first moment (0.9). */
  beta1?: number;
  /** Adam: decay of the second moment (0.999). */
  beta2?: number;
  /**
   * Added to the square root, as in the papers: lr g / (sqrt(cache) + eps). Default 1e-8; >= 0.
   * With eps = 0, an entry whose cache (Adam: v-hat) is 0 has seen no gradient and takes no step
   * (0 / 0 is defined as 0); `step` refuses a non-zero numerator over 0 (an infinite step, e.g.
   * Adam with beta2 = 0 after a zero gradient).
   */
  eps?: number;
}

/** The float64 result of a step: new parameters and the state for the next step (inputs untouched). */
export interface StepResult {
  /** The parameters after the step. */
  w: Float64Array;
  /** The state to pass to the next step. */
  state: OptimizerState;
}

/** The tensor result of a step: new tensors the caller owns (inputs untouched, not disposed). */
export interface TensorStepResult {
  /** The parameters after the step (a new tensor). */
  w: Tensor;
  /** The state to pass to the next step (new tensors). */
  state: TensorState;
}

/** One optimiser: its defaults, a float64 step and a tensor step with the same formula. */
export interface Optimizer {
  /** Its name, as gs.train's `optimizer` option and tf.train's function call it. */
  readonly name: OptimizerName;
  /** The options it takes, with their defaults. */
  readonly defaults: Readonly<Required<Pick<StepOptions, 'lr'>> & StepOptions>;
  /** Which state fields it uses. */
  readonly stateFields: readonly (keyof OptimizerState)[];
  /** One step on plain arrays in float64. */
  step(w: ArrayLike<number>, dw: ArrayLike<number>, state?: OptimizerState, options?: StepOptions): StepResult;
  /** The same step on tf tensors; refuses what `step` refuses (one readback checks dw and the state are finite). */
  stepTensor(w: Tensor, dw: Tensor, state?: TensorState, options?: StepOptions): TensorStepResult;
  /**
   * The tensor step without the value checks (no readback): what gs.train calls once per block and update.
   *
   * @internal
   */
  readonly updateTensor: TensorUpdate;
}

/** Option `key` of `options` (or its default), checked. */
export function resolve<K extends keyof StepOptions>(
  optimizer: OptimizerName,
  defaults: Partial<Record<keyof StepOptions, number>>,
  options: StepOptions | undefined,
): Required<StepOptions> {
  knownKeys('options', options, Object.keys(defaults));
  const o = { ...defaults, ...(options ?? {}) } as Required<StepOptions>;
  number('lr', o.lr, { min: 0, openMin: true });
  for (const k of ['beta', 'decay', 'beta1', 'beta2'] as const) {
    if (k in defaults) number(k, o[k], { min: 0, max: 1, openMin: false });
  }
  for (const k of ['beta1', 'beta2'] as const) {
    if (k in defaults && o[k] >= 1) throw invalid(k, o[k], `a number in [0, 1) (${optimizer}'s bias correction divides by 1 - ${k}^(t+1))`);
  }
  if ('eps' in defaults) number('eps', o.eps, { min: 0 });
  return o;
}

/** A plain array of numbers as a Float64Array: numbers only (no string, boolean or null coerced), all finite. */
function numbers(name: string, a: unknown, expected: string): Float64Array {
  if (a instanceof tf.Tensor) throw invalid(name, a, 'a plain array or Float64Array (use stepTensor for tensors)');
  if (!a || typeof a !== 'object' || typeof (a as ArrayLike<number>).length !== 'number') throw invalid(name, a, expected);
  const src = a as ArrayLike<unknown>;
  if (!ArrayBuffer.isView(src)) {
    for (let i = 0; i < src.length; i++) {
      if (typeof src[i] !== 'number') throw new GradscopeError(name, `invalid ${name}: entry ${i} is ${show(src[i])} (expected finite numbers; a ${src[i] === null ? 'null' : typeof src[i]} is not converted)`);
    }
  }
  const out = Float64Array.from(src as ArrayLike<number>);
  const bad = firstNonFinite(out);
  if (bad >= 0) throw new GradscopeError(name, `invalid ${name}: entry ${bad} is ${fmt(out[bad])} (expected finite numbers)`);
  return out;
}

/** w and dw as Float64Arrays of one length with finite entries. */
export function vectors(w: ArrayLike<number>, dw: ArrayLike<number>): [Float64Array, Float64Array] {
  const [a, b] = [numbers('w', w, 'an array of numbers'), numbers('dw', dw, 'an array of numbers')];
  if (a.length !== b.length) throw new GradscopeError('dw', `invalid dw: length ${b.length} (expected ${a.length}, the length of w)`);
  return [a, b];
}

/** The state fields that are sums or running means of squares: never negative. */
const SQUARES: readonly string[] = ['cache', 'v'];

/** A state field as a Float64Array of length n (zeros when missing), copied; finite, and >= 0 for `cache` and `v` (a state no step can reach is refused). */
export function field(state: OptimizerState | undefined, key: 'dTheta' | 'cache' | 'm' | 'v', n: number): Float64Array {
  const s = state?.[key];
  if (s === undefined) return new Float64Array(n);
  if (!s || typeof s !== 'object' || s.length !== n) throw invalid(`state.${key}`, s, `an array of length ${n} (one entry per parameter) or undefined`);
  const out = numbers(`state.${key}`, s, `an array of length ${n}`);
  const neg = SQUARES.includes(key) ? out.findIndex((x) => x < 0) : -1;
  if (neg >= 0) throw new GradscopeError(`state.${key}`, `invalid state.${key}: entry ${neg} is ${fmt(out[neg])} (expected >= 0: ${key} sums or averages squared gradients, so no step makes it negative)`);
  return out;
}

/** Adam's step counter: an integer >= 0. */
export function steps(state: OptimizerState | TensorState | undefined): number {
  return number('state.t', state?.t ?? 0, { min: 0, integer: true });
}

/**
 * num / den for one entry of lr g / (sqrt(s) + eps). With eps = 0 and s = 0 the parameter has seen
 * no gradient: 0 / 0 is defined as no step (0). A non-zero numerator over 0 (an infinite step) is refused.
 */
export function ratio(num: number, den: number, i: number, what: string): number {
  if (den > 0) return num / den;
  if (num === 0) return 0;
  throw new GradscopeError('eps', `invalid eps: 0 gives an infinite step at entry ${i}: ${what} is 0 while the numerator is ${fmt(num)} (expected eps > 0 for this state)`);
}

/** The same division on tensors without a readback: where the denominator is 0 (eps = 0, s = 0) the step is 0. */
export function ratioTensor(num: Tensor, den: Tensor, eps: number): Tensor {
  if (eps > 0) return num.div(den);
  return tf.where(den.greater(0), num.div(den), tf.zerosLike(num));
}

export function checkState(state: unknown): void {
  if (state !== undefined && (state === null || typeof state !== 'object')) throw invalid('state', state, 'a state object from the previous step, or undefined');
  if (state !== undefined) knownKeys('state', state as object, ['dTheta', 'cache', 'm', 'v', 't']);
}

/** Checks the tensor form's inputs: live w and dw tensors of one shape; live state tensors of that shape. */
export function tensors(w: Tensor, dw: Tensor, state: TensorState | undefined, keys: readonly (keyof TensorState)[]): void {
  const live = (name: string, t: unknown, expected: string): void => {
    if (!(t instanceof tf.Tensor)) throw invalid(name, t, expected);
    if (t.isDisposed) throw new GradscopeError(name, `invalid ${name}: a disposed tensor of shape [${t.shape.join(', ')}] (expected a live tensor: it was disposed, by tf.dispose, tf.tidy or an earlier step)`);
    if (t.dtype !== 'float32') throw new GradscopeError(name, `invalid ${name}: a ${t.dtype} tensor (expected float32)`);
  };
  live('w', w, 'a tf.Tensor (use step for plain arrays)');
  live('dw', dw, 'a tf.Tensor of the shape of w');
  const same = (a: number[], b: number[]) => a.length === b.length && a.every((d, i) => d === b[i]);
  if (!same(w.shape, dw.shape)) throw new GradscopeError('dw', `invalid dw: shape [${dw.shape.join(', ')}] (expected [${w.shape.join(', ')}], the shape of w)`);
  checkState(state);
  for (const k of keys) {
    const s = state?.[k];
    if (k === 't' || s === undefined) continue;
    if (!(s instanceof tf.Tensor) || !same(s.shape, w.shape)) throw invalid(`state.${k}`, s, `a tensor of shape [${w.shape.join(', ')}] or undefined`);
    live(`state.${k}`, s, 'a tensor');
  }
}

/**
 * What step refuses, on tensors, with one readback: dw and every state tensor finite, cache and v
 * >= 0. Public stepTensor calls it; gs.train does not (it checks its parameters once per epoch,
 * where it reads the loss), so training makes no extra readback per step.
 */
export function tensorValues(dw: Tensor, state: TensorState | undefined, keys: readonly (keyof TensorState)[]): void {
  const named: [string, Tensor][] = [['dw', dw], ...keys.filter((k) => k !== 't' && state?.[k] !== undefined).map((k): [string, Tensor] => [`state.${k}`, state![k] as Tensor])];
  const flags = tf.tidy(() => tf.stack(named.map(([name, t]) => {
    const finite = tf.isFinite(t).all();
    return SQUARES.includes(name.slice(6)) ? finite.logicalAnd(t.min().greaterEqual(0)) : finite;
  })).dataSync());
  const bad = flags.findIndex((f) => !f);
  if (bad < 0) return;
  const [name, t] = named[bad];
  const data = t.dataSync();
  const i = data.findIndex((x) => !Number.isFinite(x) || (SQUARES.includes(name.slice(6)) && x < 0));
  throw new GradscopeError(name, `invalid ${name}: entry ${i} is ${fmt(data[i])} (expected finite numbers${SQUARES.includes(name.slice(6)) ? ', >= 0' : ''}: the step would write NaN or Infinity into w)`);
}

/** The internal tensor update (no value checks), as gs.train calls it. */
export type TensorUpdate = (w: Tensor, dw: Tensor, state: TensorState, o: Required<StepOptions>) => TensorStepResult;

/**
 * An optimiser's public stepTensor from its update: inputs checked (shapes, live tensors, finite dw
 * and state with one readback) before the update runs.
 */
export function checkedStepTensor(name: OptimizerName, defaults: Partial<Record<keyof StepOptions, number>>, keys: readonly (keyof TensorState)[], update: TensorUpdate): Optimizer['stepTensor'] {
  return (w, dw, state, options) => {
    tensors(w, dw, state, keys);
    const o = resolve(name, defaults, options);
    steps(state);
    tensorValues(dw, state, keys);
    return update(w, dw, state ?? {}, o);
  };
}
