/**
 * What the five step functions share: the state they carry between steps, the options, and the
 * checks at their boundary. Every optimiser is elementwise, so a step works on the whole of theta
 * (`net.toVector()`) or on any one block alike.
 */
import type { Tensor } from '@tensorflow/tfjs';
import { tf } from '../core/backend';
import { firstNonFinite, fmt, GradscopeError, invalid, knownKeys, number } from '../core/errors';

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
  /** Added to the square root, as in the papers: lr g / (sqrt(cache) + eps). Default 1e-8. */
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
  /** The same step on tf tensors. */
  stepTensor(w: Tensor, dw: Tensor, state?: TensorState, options?: StepOptions): TensorStepResult;
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

/** w and dw as Float64Arrays of one length with finite entries. */
export function vectors(w: ArrayLike<number>, dw: ArrayLike<number>): [Float64Array, Float64Array] {
  const arr = (name: string, a: unknown): Float64Array => {
    if (a instanceof tf.Tensor) throw invalid(name, a, 'a plain array or Float64Array (use stepTensor for tensors)');
    if (!a || typeof a !== 'object' || typeof (a as ArrayLike<number>).length !== 'number') throw invalid(name, a, 'an array of numbers');
    const out = Float64Array.from(a as ArrayLike<number>);
    const bad = firstNonFinite(out);
    if (bad >= 0) throw new GradscopeError(name, `invalid ${name}: entry ${bad} is ${fmt(out[bad])} (expected finite numbers)`);
    return out;
  };
  const [a, b] = [arr('w', w), arr('dw', dw)];
  if (a.length !== b.length) throw new GradscopeError('dw', `invalid dw: length ${b.length} (expected ${a.length}, the length of w)`);
  return [a, b];
}

/** A state field as a Float64Array of length n (zeros when missing), copied. */
export function field(state: OptimizerState | undefined, key: 'dTheta' | 'cache' | 'm' | 'v', n: number): Float64Array {
  const s = state?.[key];
  if (s === undefined) return new Float64Array(n);
  if (!s || typeof s !== 'object' || s.length !== n) throw invalid(`state.${key}`, s, `an array of length ${n} (one entry per parameter) or undefined`);
  return Float64Array.from(s);
}

/** Adam's step counter: an integer >= 0. */
export function steps(state: OptimizerState | TensorState | undefined): number {
  return number('state.t', state?.t ?? 0, { min: 0, integer: true });
}

export function checkState(state: unknown): void {
  if (state !== undefined && (state === null || typeof state !== 'object')) throw invalid('state', state, 'a state object from the previous step, or undefined');
  if (state !== undefined) knownKeys('state', state as object, ['dTheta', 'cache', 'm', 'v', 't']);
}

/** Checks the tensor form's inputs: w and dw tensors of one shape; state tensors of that shape. */
export function tensors(w: Tensor, dw: Tensor, state: TensorState | undefined, keys: readonly (keyof TensorState)[]): void {
  if (!(w instanceof tf.Tensor)) throw invalid('w', w, 'a tf.Tensor (use step for plain arrays)');
  if (!(dw instanceof tf.Tensor)) throw invalid('dw', dw, 'a tf.Tensor of the shape of w');
  const same = (a: number[], b: number[]) => a.length === b.length && a.every((d, i) => d === b[i]);
  if (!same(w.shape, dw.shape)) throw new GradscopeError('dw', `invalid dw: shape [${dw.shape.join(', ')}] (expected [${w.shape.join(', ')}], the shape of w)`);
  checkState(state);
  for (const k of keys) {
    const s = state?.[k];
    if (k === 't' || s === undefined) continue;
    if (!(s instanceof tf.Tensor) || !same(s.shape, w.shape)) throw invalid(`state.${k}`, s, `a tensor of shape [${w.shape.join(', ')}] or undefined`);
  }
}
