/**
 * What the two recurrent families (gs.rnn, gs.lstm) share: the input X [m, T, nx] cut into steps
 * x^(t), the output layer on a^(t) and its loss, theta in and out, and the float64 helpers of the
 * mirrors. Each family's own maths (its step forward, step backward, float64 step) lives in its
 * folder: src/rnn/rnn.ts, src/lstm/lstm.ts.
 *
 * Output layer (the MLP's losses, src/nn/losses.ts), at t = T ('last') or at every t ('every'):
 *   z_y^(t) = a^(t) Wy + by,   y-hat^(t) = g_out(z_y^(t))
 *   J = (1/m) sum_i L(y-hat_i^(T), y_i)                   ('last', Y [m, ny])
 *   J = (1/m) sum_i sum_t L(y-hat_i^(t), y_i^(t))          ('every', Y [m, T, ny])
 * Its backward, for every step with an output (delta_y = dJ/dz_y, so 1/m is already in it):
 *   delta_y^(t) = (y-hat^(t) - y^(t)) / m
 *   dWy = sum_t a^(t)^T delta_y^(t),   dby = sum_t sum_i delta_y^(t)_i,   da^(t) += delta_y^(t) Wy^T
 * Unlike the MLP's delta (which dW divides by m), every d-quantity of a recurrent net is the
 * gradient of J itself: da^(t) = dJ/da^(t), so gs.gradientThroughTime reads it directly.
 */
import type { Tensor, Tensor2D, Tensor3D, Variable } from '@tensorflow/tfjs';
import { tf } from '../core/backend';
import { GradscopeError, firstNonFinite, invalid, number, oneOf, show } from '../core/errors';
import { labels as labels2d, outputs, OUTPUTS, type Output } from '../nn/losses';
import type { Grads, ModelCache } from '../nn/model';
import { paramBlock, type ParamBlock } from '../nn/block';
import { initLabel, type Init } from '../nn/init';
import { dot, transpose } from '../core/math64';
import { checkSequenceWork, checkX } from './checks';

export {
  FLOAT32_MAX, cacheDims, checkNetSize, checkSequenceWork, checkX, float32Number, float32Weights, initOption, initialState, stepGrads,
} from './checks';

export const SEQUENCE_OUTPUTS = ['last', 'every'] as const;
/**
 * Where the output layer reads the hidden state: `'last'`, only at t = T (y-hat from a^(T), labels
 * [m, ny]), or `'every'`, at every step (labels [m, T, ny], J summed over t).
 *
 * @useDeclaredType
 */
export type SequenceOutputs = (typeof SEQUENCE_OUTPUTS)[number];

/** Sizes and output of a recurrent net. */
export interface SequenceShape {
  /** Inputs per step (the width of x^(t)). */
  nx: number;
  /** Hidden units (the width of a^(t)). */
  na: number;
  /** Outputs (the width of y-hat). */
  ny: number;
  /** Output layer and its loss, as in gs.mlp. */
  output: Output;
  /** Where the output layer reads a^(t): at t = T only, or at every step. */
  outputs: SequenceOutputs;
}

/** The tensors every recurrent cache has (index t = 0..T; x[0], yhat[t] undefined where there is none). */
export interface SequenceCache extends ModelCache {
  /** x[t] = X[:, t-1, :], [m, nx], t = 1..T (x[0] undefined). */
  x: (Tensor2D | undefined)[];
  /** a[t], [m, na], t = 0..T, a[0] = a0 (zeros by default). */
  a: Tensor2D[];
  /** y-hat^(t) [m, ny] where the output layer reads a^(t): t = T ('last') or every t ('every'). */
  yhat: (Tensor2D | undefined)[];
  /** The family whose forward pass made it: 'rnn', 'lstm', 'gru'. */
  family: string;
  /** Batch size m. */
  m: number;
  /** Number of steps T. */
  T: number;
}

/** One parameter to create: name, shape, backward layer (2: output, 1: recurrent), float64 values. */
export interface ParamDef { name: string; shape: number[]; layer: number; values: Float64Array }

let uid = 0;

/** Whole-number option >= 1. */
export const size = (name: string, value: unknown): number => number(name, value, { min: 1, integer: true });

export function outputOption(value: unknown): Output {
  return oneOf('output', value, OUTPUTS);
}

export function outputsOption(value: unknown): SequenceOutputs {
  return oneOf('outputs', value, SEQUENCE_OUTPUTS);
}

/** The tf.Variables and theta's layout, from the definitions in theta's order. */
export function makeParams(defs: ParamDef[]): { params: Record<string, Variable>; blocks: ParamBlock[]; size: number } {
  const params: Record<string, Variable> = {};
  const blocks: ParamBlock[] = [];
  let offset = 0;
  const id = uid++;
  for (const d of defs) {
    const n = d.shape.reduce((p, q) => p * q, 1);
    const init = tf.tensor(Float32Array.from(d.values), d.shape);
    params[d.name] = tf.variable(init, true, `gs_${d.name}_${id}`);
    init.dispose();
    blocks.push(paramBlock(d.name, d.shape, offset, d.layer));
    offset += n;
  }
  return { params, blocks, size: offset };
}

/**
 * Validates Y against the output layer and returns float labels the caller disposes:
 * [m, ny] ('last') or [m, T, ny] ('every'); a softmax output also takes class indices [m] / [m, T].
 */
export function targets(shape: SequenceShape, Y: unknown, m: number, T: number): Tensor {
  const { output, outputs: where, ny } = shape;
  if (where === 'last') return labels2d(output, Y, m, ny);
  const expected = `[${m}, ${T}, ${ny}]${output === 'softmax' ? ` (or class indices [${m}, ${T}])` : ''}: with outputs 'every', one label row per sequence and step`;
  if (!(Y instanceof tf.Tensor)) throw invalid('Y', Y, `a tf.Tensor ${expected}`);
  const indices = output === 'softmax' && Y.rank === 2 && Y.shape[0] === m && Y.shape[1] === T;
  if (!indices && (Y.rank !== 3 || Y.shape[0] !== m || Y.shape[1] !== T || Y.shape[2] !== ny)) {
    throw new GradscopeError('Y', `invalid Y: shape [${Y.shape.join(', ')}] (expected ${expected})`);
  }
  const flat = tf.reshape(Y, indices ? [m * T] : [m * T, ny]);
  try {
    const y = labels2d(output, flat, m * T, ny);
    const out = y.reshape([m, T, ny]);
    y.dispose();
    return out;
  } catch (e) {
    // the 2-D validation names rows of the flattened [m T, ny] labels: name [i, t] instead
    if (e instanceof GradscopeError) throw new GradscopeError('Y', e.message.replace(/row (\d+)|\[(\d+), (\d+)\]/, (s, r1, r2, c) => {
      const r = Number(r1 ?? r2);
      return `[${Math.floor(r / T)}, ${r % T}${c !== undefined ? `, ${c}` : ''}] (sequence, step${c !== undefined ? ', unit' : ''})`;
    }));
    throw e;
  } finally {
    flat.dispose();
  }
}

/** x^(t) = X[:, t-1, :] for t = 1..T (index 0 undefined). Call inside a tidy. */
export function steps(X: Tensor3D): (Tensor2D | undefined)[] {
  return [undefined, ...(tf.unstack(X, 1) as Tensor2D[])];
}

/** The steps t at which the output layer reads a^(t). */
export function outputSteps(where: SequenceOutputs, T: number): number[] {
  return where === 'last' ? [T] : Array.from({ length: T }, (_, i) => i + 1);
}

/** y-hat^(t) = g_out(a^(t) Wy + by) at the output steps. Call inside a tidy. */
export function outputForward(shape: SequenceShape, a: Tensor2D[], Wy: Tensor, by: Tensor): (Tensor2D | undefined)[] {
  const T = a.length - 1;
  const yhat: (Tensor2D | undefined)[] = new Array(T + 1).fill(undefined);
  for (const t of outputSteps(shape.outputs, T)) yhat[t] = outputs[shape.output].a(a[t].matMul(Wy).add(by) as Tensor2D);
  return yhat;
}

/** The tf output: y-hat^(T) [m, ny] ('last') or every y-hat^(t) stacked [m, T, ny] ('every'); a new tensor. */
export function outputTensor(shape: SequenceShape, yhat: (Tensor2D | undefined)[]): Tensor {
  if (shape.outputs === 'last') return yhat[yhat.length - 1]!.clone();
  return tf.stack(yhat.slice(1) as Tensor2D[], 1);
}

/** J (scalar tensor) from the hidden states: (1/m) sum_i sum_(output steps t) L(z_y^(t)_i, y_i^(t)). Call inside a tidy. */
export function costTensor(shape: SequenceShape, a: Tensor2D[], y: Tensor, Wy: Tensor, by: Tensor): Tensor {
  const T = a.length - 1;
  const m = a[0].shape[0];
  const loss = outputs[shape.output];
  if (shape.outputs === 'last') return loss.lossRows(a[T].matMul(Wy).add(by) as Tensor2D, y as Tensor2D).mean();
  const A = tf.stack(a.slice(1), 1).reshape([m * T, shape.na]);
  const zy = A.matMul(Wy).add(by) as Tensor2D;
  return loss.lossRows(zy, y.reshape([m * T, shape.ny]) as Tensor2D).sum().div(m);
}

/** y^(t) [m, ny] out of the float labels ([m, ny] for 'last', [m, T, ny] for 'every'). Call inside a tidy. */
export function targetAt(shape: SequenceShape, y: Tensor, t: number): Tensor2D {
  if (shape.outputs === 'last') return y as Tensor2D;
  const [m, , ny] = y.shape;
  return y.slice([0, t - 1, 0], [m, 1, ny]).reshape([m, ny]);
}

/**
 * The output layer's backward: dWy, dby and the output's share of da^(t) (undefined where no output).
 *   delta_y^(t) = (y-hat^(t) - y^(t)) / m,  dWy = sum_t a^(t)^T delta_y^(t),  dby = sum_t sum_i delta_y^(t)_i,
 *   da^(t) = delta_y^(t) Wy^T.   Call inside a tidy.
 */
export function outputBackward(shape: SequenceShape, cache: SequenceCache, y: Tensor, Wy: Tensor): { dWy: Tensor; dby: Tensor; daOut: (Tensor2D | undefined)[] } {
  const { m, T } = cache;
  let dWy: Tensor = tf.zeros(Wy.shape);
  let dby: Tensor = tf.zeros([shape.ny]);
  const daOut: (Tensor2D | undefined)[] = new Array(T + 1).fill(undefined);
  for (const t of outputSteps(shape.outputs, T)) {
    const deltaY = cache.yhat[t]!.sub(targetAt(shape, y, t)).div(m); // delta_y = (y-hat - y) / m
    dWy = dWy.add(cache.a[t].transpose().matMul(deltaY)); // dWy += a^T delta_y
    dby = dby.add(deltaY.sum(0)); // dby += sum_i delta_y
    daOut[t] = deltaY.matMul(Wy.transpose()) as Tensor2D; // da^(t) = delta_y Wy^T
  }
  return { dWy, dby, daOut };
}

/** theta: every block flattened in `blocks` order. */
export function toVector(params: Record<string, Variable>, blocks: ParamBlock[], n: number): Float64Array {
  const theta = new Float64Array(n);
  for (const b of blocks) theta.set(params[b.name].dataSync(), b.offset);
  return theta;
}

/** Sets every block from theta, after checking its length and values. */
export function fromVector(params: Record<string, Variable>, blocks: ParamBlock[], n: number, theta: ArrayLike<number>): void {
  if (!theta || typeof theta.length !== 'number' || theta.length !== n) {
    throw new GradscopeError('theta', `invalid theta: length ${theta?.length} (expected ${n}, the number of parameters)`);
  }
  const bad = firstNonFinite(theta);
  if (bad >= 0) throw new GradscopeError('theta', `invalid theta: entry ${bad} is ${theta[bad]} (expected finite numbers)`);
  for (const b of blocks) {
    const values = Float32Array.from(Array.prototype.slice.call(theta, b.offset, b.offset + b.size));
    tf.tidy(() => params[b.name].assign(tf.tensor(values, b.shape)));
  }
}

/** `{ dWa, ... }` flattened in theta's order, each checked for its shape. */
export function gradsToVector(blocks: ParamBlock[], n: number, grads: Grads): Float64Array {
  const v = new Float64Array(n);
  for (const b of blocks) {
    const g = grads?.[b.grad];
    if (!(g instanceof tf.Tensor) || !tf.util.arraysEqual(g.shape, b.shape)) {
      throw new GradscopeError('grads', `invalid grads.${b.grad}: ${g instanceof tf.Tensor ? `shape [${g.shape}]` : show(g)} (expected a tensor of shape [${b.shape}], the shape of ${b.name})`);
    }
    v.set(g.dataSync(), b.offset);
  }
  return v;
}

function disposedNet(family: string): GradscopeError {
  return new GradscopeError('net', `invalid net: this ${family} was disposed (expected a live network; build a new one)`);
}

/** Throws naming a disposed parameter or one that holds NaN / Infinity. */
export function assertUsable(family: string, params: Record<string, Variable>, blocks: ParamBlock[]): void {
  for (const b of blocks) {
    const p = params[b.name];
    if (p.isDisposed) throw disposedNet(family);
    const data = p.dataSync();
    const bad = firstNonFinite(data);
    if (bad >= 0) throw new GradscopeError(b.name, `invalid ${b.name}: entry ${bad} is ${data[bad]} (expected finite parameters; training diverged or a value was set by hand)`);
  }
}

/**
 * What the recurrent families share as models: theta in and out, usability, disposal. Each family
 * (gs.rnn, gs.lstm, ...) extends it with its own forward, step backward and float64 mirror.
 */
export abstract class SequenceNet<O extends { a0?: Tensor } = { a0?: Tensor }> {
  abstract readonly family: string;
  abstract readonly spec: SequenceShape;
  abstract forward(X: Tensor, options?: O): { output: Tensor; cache: SequenceCache };
  abstract forwardAndAutograd(X: Tensor, y: Tensor, options?: O): { cache: SequenceCache; grads: Grads };
  /** The parameters as tf.Variables, by name. */
  readonly params: Record<string, Variable>;
  /** theta's layout, in the order the family lists its parameters. */
  readonly blocks: ParamBlock[];
  /** Number of parameters (length of theta). */
  readonly size: number;

  protected constructor(made: { params: Record<string, Variable>; blocks: ParamBlock[]; size: number }) {
    this.params = made.params;
    this.blocks = made.blocks;
    this.size = made.size;
  }

  /**
   * theta: every parameter in one float64 vector, block after block in `net.blocks` order (row-major).
   *
   * @example
   * ```ts
   * const theta = net.toVector();   // Float64Array of length net.size
   * ```
   */
  toVector(): Float64Array { return toVector(this.params, this.blocks, this.size); }

  /**
   * Sets every parameter from theta (the inverse of toVector); checks its length and values.
   *
   * @example
   * ```ts
   * net.fromVector(net.toVector().map((t) => 0.5 * t));
   * ```
   */
  fromVector(theta: ArrayLike<number>): void { fromVector(this.params, this.blocks, this.size, theta); }

  /**
   * Gradients by name flattened in theta's order, each checked for its block's shape.
   *
   * @example
   * ```ts
   * net.gradsToVector(net.backward(cache, Y));   // Float64Array of length net.size
   * ```
   */
  gradsToVector(grads: Grads): Float64Array { return gradsToVector(this.blocks, this.size, grads); }

  /** Throws a GradscopeError naming a parameter that holds NaN or Infinity, or a disposed net. */
  assertUsable(): void { assertUsable(this.family, this.params, this.blocks); }

  /** Throws a GradscopeError naming 'net' when this net was disposed (no readback). */
  protected live(): void {
    if (this.blocks.some((b) => this.params[b.name].isDisposed)) throw disposedNet(this.family);
  }

  /**
   * The checks every forward pass starts with: the net is alive, X is [m, T, nx], and the pass would
   * not run for hours (`cost`: tf ops, [na + nx, na] matrix products and cached tensors per step).
   */
  protected begin(X: unknown, cost: { ops: number; gates: number; kept: number }): {
    /** Batch size m. */
    m: number;
    /** Number of steps T. */
    T: number;
  } {
    this.live();
    const { nx, na, ny } = this.spec;
    return checkX(X, nx, (x) => checkSequenceWork(this.family, x, cost.ops, cost.gates * (na + nx) * na + na * ny, cost.kept, na));
  }

  /** Frees the parameters. */
  dispose(): void { tf.dispose(Object.values(this.params)); }

  /**
   * tf autograd's gradients of J, by gradient name (`{ dWa, dba, dWy, dby }` for gs.rnn).
   *
   * @example
   * ```ts
   * const auto = net.autogradGrads(X, Y);   // compare with net.backward(cache, Y)
   * ```
   */
  autogradGrads(X: Tensor, Y: Tensor, options?: O): Grads {
    const { cache, grads } = this.forwardAndAutograd(X, Y, options);
    cache.dispose();
    return grads;
  }

  /** What node's console.log and a notebook's util.inspect show: the summary line, then each block's shape. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return [this.toString(), ...this.blocks.map((b) => `  ${b.name} [${b.shape.join(', ')}]`)].join('\n');
  }

  /**
   * J as a number: (1/m) sum_i L at t = T ('last') or summed over t ('every').
   *
   * @example
   * ```ts
   * net.loss(X, Y);   // 0.69...
   * ```
   */
  loss(X: Tensor, Y: Tensor, options: O = {} as O): number {
    this.assertUsable();
    const { output, cache } = this.forward(X, options);
    const y = targets(this.spec, Y, cache.m, cache.T);
    try {
      const J = tf.tidy(() => costTensor(this.spec, cache.a, y, this.params.Wy, this.params.by));
      const v = J.dataSync()[0];
      J.dispose();
      return v;
    } finally {
      tf.dispose([output, y]);
      cache.dispose();
    }
  }
}

/** a + b where either may be missing. */
export function sum(a: Tensor | undefined, b: Tensor | undefined): Tensor | undefined {
  return a && b ? a.add(b) : a ?? b;
}

/** ' <init>' for a series name, or '' when `init` is the family's default. */
export function initSuffix(init: Init, byDefault: string): string {
  return typeof init === 'string' && init === byDefault ? '' : ` ${initLabel(init)}`;
}


// ---------------------------------------------------------------------------------------------
// float64 helpers of the mirrors

/** The data of one float64 evaluation: X as x^(t) rows and the labels of the output steps. */
export interface Seq64 {
  m: number;
  T: number;
  /** x[t] [m, nx] row-major, t = 1..T. */
  x: Float64Array[];
  /** y[t] [m, ny] at the output steps. */
  y: (Float64Array | undefined)[];
  /** a0 and (lstm) c0, [m, na]. */
  a0: Float64Array;
  c0?: Float64Array;
}

/** Copies X, the labels and the initial state out of tf, once per check. */
export function seq64(shape: SequenceShape, X: Tensor, y: Tensor, a0: Tensor, c0?: Tensor): Seq64 {
  const [m, T, nx] = X.shape;
  const Xd = X.dataSync(), yd = y.dataSync();
  const x: Float64Array[] = [new Float64Array(0)];
  const yt: (Float64Array | undefined)[] = new Array(T + 1).fill(undefined);
  for (let t = 1; t <= T; t++) {
    const xt = new Float64Array(m * nx);
    for (let i = 0; i < m; i++) for (let k = 0; k < nx; k++) xt[i * nx + k] = Xd[(i * T + t - 1) * nx + k];
    x.push(xt);
  }
  for (const t of outputSteps(shape.outputs, T)) {
    const ny = shape.ny;
    const v = new Float64Array(m * ny);
    for (let i = 0; i < m; i++) for (let k = 0; k < ny; k++) v[i * ny + k] = shape.outputs === 'last' ? yd[i * ny + k] : yd[(i * T + t - 1) * ny + k];
    yt[t] = v;
  }
  return { m, T, x, y: yt, a0: Float64Array.from(a0.dataSync()), c0: c0 ? Float64Array.from(c0.dataSync()) : undefined };
}

/**
 * z = [p, x] W + b in float64, for p [m, na], x [m, nx], W^T given ([na + nx] per column, row-major
 * [na, na + nx]): the concatenation [a^(t-1), x^(t)] in that order, without building it.
 */
export function concatAffine(p: Float64Array, x: Float64Array, WT: Float64Array, b: Float64Array, m: number, na: number, nx: number, nOut: number): Float64Array {
  const z = new Float64Array(m * nOut);
  const k = na + nx;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < nOut; j++) z[i * nOut + j] = b[j] + dot(p, i * na, WT, j * k, na) + dot(x, i * nx, WT, j * k + na, nx);
  }
  return z;
}

/** Block views of theta by name, and W^T of the [rows, cols] matrices listed in `transposed`. */
export function views(blocks: ParamBlock[], theta: Float64Array, transposed: string[]): { v: Record<string, Float64Array>; T: Record<string, Float64Array> } {
  const v: Record<string, Float64Array> = {};
  const T: Record<string, Float64Array> = {};
  for (const b of blocks) v[b.name] = theta.subarray(b.offset, b.offset + b.size);
  for (const b of blocks) if (transposed.includes(b.name)) T[b.name] = transpose(v[b.name], b.shape[0], b.shape[1]);
  return { v, T };
}

/** The output layer's loss in float64 from a^(t) at the output steps: J and each example's share. */
export function outputLoss64(shape: SequenceShape, s: Seq64, a: Float64Array[], Wy: Float64Array, by: Float64Array): { J: number; rows: Float64Array } {
  const { m } = s;
  const { na, ny } = shape;
  const WyT = transpose(Wy, na, ny);
  const loss = outputs[shape.output];
  const rows = new Float64Array(m);
  const zy = new Float64Array(ny);
  for (const t of outputSteps(shape.outputs, s.T)) {
    for (let i = 0; i < m; i++) {
      for (let k = 0; k < ny; k++) zy[k] = by[k] + dot(a[t], i * na, WyT, k * na, na);
      rows[i] += loss.loss64(zy, s.y[t]!.subarray(i * ny, (i + 1) * ny), 0, ny) / m;
    }
  }
  let J = 0;
  for (let i = 0; i < m; i++) J += rows[i];
  return { J, rows };
}

