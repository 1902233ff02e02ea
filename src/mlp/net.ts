/**
 * A fully connected network on tf tensors, with its hand-written backward pass.
 *
 * Rows are examples: X is [m, n0], W^l is [n(l-1), n(l)], b^l is [n(l)], and
 *   z^l = a^(l-1) W^l + b^l,   a^l = g(z^l),   a^0 = X.
 * The seeds write the same thing with examples as columns (z = W x + b, W of shape [n(l), n(l-1)]);
 * our W^l is the transpose of theirs and every formula transposes with it.
 */
import type { Tensor, Tensor1D, Tensor2D, Variable } from '@tensorflow/tfjs';
import { tf } from '../core/backend';
import { activations, activation, type Activation } from '../nn/activations';
import { GradscopeError, firstNonFinite, invalid, knownKeys, matrix, number, oneOf, show } from '../core/errors';
import { drawWeights, initLabel, normalizeInit, type Init } from '../nn/init';
import { labels, outputs, OUTPUTS, type Output } from '../nn/losses';
import { rng, type Rng } from '../core/random';
import { batch64, cost64 } from './mirror64';
import type { Loss64, Model } from '../nn/model';
import { paramBlock, type ParamBlock } from '../nn/block';
import { checkMemory } from '../core/limits';

export type { NetSpec } from './spec';
import type { NetSpec } from './spec';

/** @deprecated The MLP's name of {@link ParamBlock} (W1, b1, W2, b2, ...: the seeds' dictionary_to_vector order). */
export type Block = ParamBlock;

/** Everything forward computes, kept for backward: z^l and a^l per layer and the dropout masks D^l. */
export interface Cache {
  /** z[l] for l = 1..L (z[0] is undefined). */
  z: (Tensor2D | undefined)[];
  /** a[l] for l = 0..L, a[0] = X. */
  a: Tensor2D[];
  /** D[l], 0/1 dropout masks for hidden layers when forward ran with `training` and keepProb < 1. */
  D: (Tensor2D | undefined)[];
  /** Frees every tensor in the cache. */
  dispose(): void;
}

type Layers = Omit<Cache, 'dispose'>;
type TensorMap = import('@tensorflow/tfjs').TensorContainerObject;

/** Gradients by name: `{ dW1, db1, dW2, db2, ... }`. */
export type { Grads } from '../nn/model';
import type { Grads } from '../nn/model';

/** A forward pass's tensors as a Cache that disposes them. */
function cacheOf({ z, a, D }: Layers): Cache {
  return { z, a, D, dispose: () => tf.dispose([...z, ...a, ...D].filter(Boolean) as Tensor[]) };
}

/**
 * The MLP without its numeric offer (mlp.ts adds it: class Mlp): a fully connected network built by {@link mlp}: its parameters as tf.Variables, the forward
 * pass, the hand-written backward pass, tf autograd's gradients of the same J, theta as one
 * float64 vector, and the float64 mirror of the loss that {@link gradCheck} differences. Rows are
 * examples: X is [m, n0], W^l is [n(l-1), n(l)], z^l = a^(l-1) W^l + b^l, a^l = g(z^l).
 * Methods that return tensors hand them to you; `net.dispose()` frees the variables.
 *
 * @example
 * ```ts
 * const net = gs.mlp({ sizes: [4, 16, 3], output: 'softmax', seed: 1 });
 * const X = gs.tf.randomNormal([32, 4], 0, 1, 'float32', 1) as gs.tf.Tensor2D;
 * const Y = gs.tf.tensor1d([...Array(32)].map((_, i) => i % 3), 'int32');   // class indices
 * const { output, cache } = net.forward(X);
 * const grads = net.backward(cache, Y);   // { dW2, db2, dW1, db1 }: dW^l = a^(l-1)^T delta^l / m
 * console.log(String(net), net.size);     // mlp [4, 16, 3] relu/softmax, init he, 131 parameters 131
 * gs.tf.dispose([output, grads]); cache.dispose(); net.dispose();
 * ```
 */
export class MlpCore implements Model<Cache> {
  /** The model family, for the checker and reports. */
  readonly family = 'mlp';
  /** The architecture (sizes, activations, init, seed, residual skips, keepProb, l2). */
  readonly spec: NetSpec;
  /** The parameters as tf.Variables: `{ W1, b1, W2, b2, ... }`. */
  readonly params: Record<string, Variable>;
  /** The layout of theta, see `net.toVector`. */
  readonly blocks: ParamBlock[];
  /** Number of parameters (length of theta). */
  readonly size: number;
  private readonly maskRng: Rng;

  constructor(spec: NetSpec, weights: Float64Array[]) {
    this.spec = spec;
    this.maskRng = rng(spec.seed + 7919);
    this.params = {};
    this.blocks = [];
    let offset = 0;
    for (let l = 1; l < spec.sizes.length; l++) {
      const [nIn, nOut] = [spec.sizes[l - 1], spec.sizes[l]];
      this.params[`W${l}`] = variable(tf.tensor2d(Float32Array.from(weights[l - 1]), [nIn, nOut]), `gs_W${l}_${uid}`);
      this.params[`b${l}`] = variable(tf.zeros([nOut]), `gs_b${l}_${uid++}`);
      this.blocks.push(paramBlock(`W${l}`, [nIn, nOut], offset, l));
      offset += nIn * nOut;
      this.blocks.push(paramBlock(`b${l}`, [nOut], offset, l));
      offset += nOut;
    }
    this.size = offset;
  }

  /** Number of layers L (weight matrices). */
  get depth(): number {
    return this.spec.sizes.length - 1;
  }

  /** W^l, [n(l-1), n(l)], for l = 1..L (the variable itself, not a copy). */
  W(l: number): Variable { return this.params[`W${l}`]; }
  /** b^l, [n(l)], for l = 1..L (the variable itself, not a copy). */
  b(l: number): Variable { return this.params[`b${l}`]; }

  /**
   * Forward pass: z^l = a^(l-1) W^l + b^l, a^l = g(z^l) (output: sigmoid / softmax / identity).
   * With `training: true` and keepProb < 1, hidden a^l is multiplied by a fresh mask D^l / keepProb;
   * pass `masks` (e.g. `cache.D` from an earlier pass) to reuse fixed masks.
   * The caller owns `output` and `cache`: `cache.dispose()` when done.
   *
   * @example
   * ```ts
   * const net = gs.mlp({ sizes: [2, 3, 1] });
   * const { output, cache } = net.forward(gs.tf.tensor2d([[1, 2]]));
   * output.print(); cache.dispose();
   * ```
   */
  forward(X: Tensor2D, { training = false, masks }: { training?: boolean; masks?: (Tensor2D | undefined)[] } = {}): {
    /** a^L, [m, nL]: the output layer's activations (probabilities for sigmoid and softmax). */
    output: Tensor2D;
    /** z^l, a^l and the dropout masks D^l per layer, for `net.backward`. */
    cache: Cache;
  } {
    this.assertUsable();
    matrix('X', X, this.spec.sizes[0]);
    if (masks !== undefined) this.checkMasks(masks, X.shape[0]);
    const dropout = masks !== undefined || (training && this.spec.keepProb < 1);
    const D = dropout ? masks ?? this.sampleMasks(X.shape[0]) : [];
    const layers = tf.tidy(() => this.forwardTensors(X, D) as unknown as TensorMap) as unknown as Layers;
    if (dropout && !masks) tf.dispose(D.filter(Boolean) as Tensor[]);
    return { output: layers.a[this.depth], cache: cacheOf(layers) };
  }

  /** Forward pass as a plain tensor map, inside a tidy. */
  private forwardTensors(X: Tensor2D, D: (Tensor2D | undefined)[]): Layers {
    const { hidden, output, residual, keepProb } = this.spec;
    const L = this.depth;
    const z: (Tensor2D | undefined)[] = [undefined];
    const a: Tensor2D[] = [X.clone()];
    const keptD: (Tensor2D | undefined)[] = [undefined];
    for (let l = 1; l <= L; l++) {
      z[l] = a[l - 1].matMul(this.W(l)).add(this.b(l)) as Tensor2D; // z^l = a^(l-1) W^l + b^l
      if (l === L) {
        a[l] = outputs[output].a(z[l]!);
        break;
      }
      let al = activations[hidden].g(z[l]!) as Tensor2D; // a^l = g(z^l)
      if (D[l]) {
        al = al.mul(D[l]!).div(keepProb); // inverted dropout: a^l = D^l * a^l / keepProb
        keptD[l] = D[l]!.clone();
      }
      if (residual[l]) al = al.add(a[l - 1]); // residual: a^l += a^(l-1)
      a[l] = al;
    }
    return { z, a, D: keptD };
  }

  /** Throws unless `masks` holds, for each hidden layer l, undefined or a [m, n(l)] tensor. */
  private checkMasks(masks: unknown, m: number): void {
    if (!Array.isArray(masks)) throw invalid('masks', masks, `an array of dropout masks D^l, [m, n(l)] per hidden layer (index 0 unused), e.g. cache.D`);
    for (let l = 1; l < this.depth; l++) {
      const d = masks[l];
      if (d === undefined) continue;
      const want = [m, this.spec.sizes[l]];
      if (!(d instanceof tf.Tensor) || d.isDisposed || !tf.util.arraysEqual(d.shape, want)) {
        throw invalid(`masks[${l}]`, d instanceof tf.Tensor ? (d.isDisposed ? 'a disposed tensor' : `a tensor of shape [${d.shape}]`) : d, `undefined or a 0/1 tensor of shape [${want}] (D^${l})`);
      }
    }
  }

  /** Fresh 0/1 dropout masks D^l ~ Bernoulli(keepProb) for the hidden layers, from the net's seeded stream (or `r`). */
  sampleMasks(m: number, r: Rng = this.maskRng): (Tensor2D | undefined)[] {
    number('m', m, { min: 1, integer: true });
    const D: (Tensor2D | undefined)[] = [undefined];
    for (let l = 1; l < this.depth; l++) {
      const n = this.spec.sizes[l];
      const d = new Float32Array(m * n);
      for (let i = 0; i < d.length; i++) d[i] = r.uniform() < this.spec.keepProb ? 1 : 0;
      D[l] = tf.tensor2d(d, [m, n]);
    }
    return D;
  }

  /**
   * The cost J = (1/m) sum_i L(a^L_i, y_i) + (lambda / 2m) sum_l ||W^l||^2 as a number
   * (no dropout unless `masks` are given).
   *
   * @example
   * ```ts
   * net.loss(X, Y); // 0.6931...
   * ```
   */
  loss(X: Tensor2D, Y: Tensor, { masks }: { masks?: (Tensor2D | undefined)[] } = {}): number {
    matrix('X', X, this.spec.sizes[0]);
    this.assertFinite();
    const y = this.labels(Y, X.shape[0]);
    try {
      const J = this.lossTensor(X, y, masks ?? []);
      const value = J.dataSync()[0];
      J.dispose();
      return value;
    } finally {
      y.dispose();
    }
  }

  /** J as a scalar tensor, differentiable by tf with respect to the variables. */
  lossTensor(X: Tensor2D, y: Tensor2D, D: (Tensor2D | undefined)[]): Tensor {
    return tf.tidy(() => cost(this, this.forwardTensors(X, D).z[this.depth]!, y));
  }

  /**
   * The hand-written backward pass, as the seeds write it (rows are examples):
   *   delta^L = a^L - y
   *   dW^l = a^(l-1)^T delta^l / m + (lambda / m) W^l,   db^l = mean over rows of delta^l
   *   da^(l-1) = delta^l W^l^T (+ da^l through a residual skip)
   *   delta^(l-1) = da^(l-1) * D^(l-1) / keepProb * g'(z^(l-1))
   * Returns `{ dW1, db1, ... }`; the caller disposes them.
   *
   * @example
   * ```ts
   * const { output, cache } = net.forward(X);
   * const grads = net.backward(cache, Y);   // { dW1, db1, dW2, db2 }
   * ```
   */
  backward(cache: Cache, Y: Tensor, { right = false }: { right?: boolean } = {}): Grads {
    this.assertUsable();
    this.checkCache(cache);
    const m = cache.a[0].shape[0];
    const y = this.labels(Y, m);
    try {
      return tf.tidy(() => {
        const { hidden, residual, keepProb, l2 } = this.spec;
        const { z, a, D } = cache;
        const g: Grads = {};
        let delta: Tensor = a[this.depth].sub(y); // delta^L = a^L - y
        let da: Tensor | undefined; // da^l, needed when layer l has a residual skip
        for (let l = this.depth; l >= 1; l--) {
          let dW = a[l - 1].transpose().matMul(delta).div(m); // dW^l = a^(l-1)^T delta^l / m
          if (l2 > 0) dW = dW.add(this.W(l).mul(l2 / m)); // + (lambda / m) W^l
          g[`dW${l}`] = dW;
          g[`db${l}`] = delta.mean(0); // db^l = mean_i delta^l_i
          if (l === 1) break;
          let daPrev = delta.matMul(this.W(l).transpose()); // da^(l-1) = delta^l W^l^T
          if (residual[l] && da) daPrev = daPrev.add(da); // skip: a^l = ... + a^(l-1)
          da = daPrev;
          let dz = da;
          if (D[l - 1]) dz = dz.mul(D[l - 1]!).div(keepProb); // through the dropout mask
          delta = dz.mul(activations[hidden].dg(z[l - 1]!, right)); // delta^(l-1) = da^(l-1) * g'(z^(l-1))
        }
        return g;
      });
    } finally {
      y.dispose();
    }
  }

  /**
   * The same J differentiated by tf (`tf.variableGrads`), as `{ dW1, db1, ... }`.
   * Pass the cache of a training forward pass to use its dropout masks.
   *
   * @example
   * ```ts
   * const auto = net.autogradGrads(X, Y);
   * ```
   */
  autogradGrads(X: Tensor2D, Y: Tensor, cache?: Cache): Grads {
    this.assertUsable();
    matrix('X', X, this.spec.sizes[0]);
    if (cache !== undefined) this.checkCache(cache);
    const y = this.labels(Y, X.shape[0]);
    try {
      const { cache: own, grads } = this.forwardAndAutograd(X, y, cache?.D ?? []);
      own.dispose();
      return grads;
    } finally {
      y.dispose();
    }
  }

  /**
   * One forward pass that gives both the cache (for a hand-written backward) and tf autograd's
   * gradients of J: the pass runs on autograd's tape, so gs.gradCheck does not run it twice.
   * `y`: float labels [m, nL] (`net.labels(Y, m)`); `masks` as in `net.forward`.
   * The caller disposes the cache and the gradients.
   *
   * @example
   * ```ts
   * const { cache, grads } = net.forwardAndAutograd(X, y, []);
   * const hand = net.backward(cache, y);   // compare with grads.dW1, ...
   * ```
   */
  forwardAndAutograd(X: Tensor2D, y: Tensor2D, masks: (Tensor2D | undefined)[] = []): {
    /** The forward pass's z^l, a^l and D^l, as `net.forward` gives them. */
    cache: Cache;
    /** tf autograd's `{ dW1, db1, ... }` of J. */
    grads: Grads;
  } {
    this.assertUsable();
    matrix('X', X, this.spec.sizes[0]);
    this.checkMasks(masks, X.shape[0]);
    matrix('y', y, this.spec.sizes[this.depth]);
    if (y.shape[0] !== X.shape[0]) throw invalid('y', y, `[${X.shape[0]}, ${this.spec.sizes[this.depth]}]: one row per row of X (float labels, one-hot for softmax; see net.labels)`);
    let layers: Layers | undefined;
    const { value, grads } = tf.variableGrads(() => {
      layers = this.forwardTensors(X, masks);
      for (const t of [...layers.z, ...layers.a, ...layers.D]) if (t) tf.keep(t);
      return cost(this, layers.z[this.depth]!, y) as import('@tensorflow/tfjs').Scalar;
    }, Object.values(this.params));
    value.dispose();
    const out: Grads = {};
    for (const block of this.blocks) out[block.grad] = grads[this.params[block.name].name];
    return { cache: cacheOf(layers!), grads: out };
  }

  /**
   * theta: every parameter in one float64 vector, in the order W1 (row-major), b1, W2, b2, ...
   * (the seeds' dictionary_to_vector). `net.blocks` gives each block's offset.
   *
   * @example
   * ```ts
   * const theta = net.toVector();      // Float64Array of length net.size
   * ```
   */
  toVector(): Float64Array {
    this.assertUsable();
    const theta = new Float64Array(this.size);
    for (const blk of this.blocks) theta.set(this.params[blk.name].dataSync(), blk.offset);
    return theta;
  }

  /**
   * Sets every parameter from theta (the inverse of `net.toVector`).
   *
   * @example
   * ```ts
   * net.fromVector(theta.map((t) => t * 0.5));
   * ```
   */
  fromVector(theta: ArrayLike<number>): void {
    if (!theta || typeof theta.length !== 'number' || theta.length !== this.size) {
      throw new GradscopeError('theta', `invalid theta: length ${theta?.length} (expected ${this.size}, the number of parameters)`);
    }
    this.assertUsable();
    const bad = firstNonFinite(theta);
    if (bad >= 0) throw new GradscopeError('theta', `invalid theta: entry ${bad} is ${theta[bad]} (expected finite numbers)`);
    const big = Array.prototype.findIndex.call(theta, (t: number) => !Number.isFinite(Math.fround(t)));
    if (big >= 0) throw new GradscopeError('theta', `invalid theta: entry ${big} is ${theta[big]}, beyond float32's range (expected |theta| < 3.4e38: the parameters are float32 tf.Variables)`);
    for (const blk of this.blocks) {
      const values = Float32Array.from(Array.prototype.slice.call(theta, blk.offset, blk.offset + blk.size));
      tf.tidy(() => this.params[blk.name].assign(tf.tensor(values, blk.shape)));
    }
  }

  /** Flattens gradients `{ dW1, db1, ... }` into one float64 vector in theta's order. */
  gradsToVector(grads: Grads): Float64Array {
    const v = new Float64Array(this.size);
    for (const blk of this.blocks) {
      const g = grads[blk.grad];
      if (!(g instanceof tf.Tensor) || !tf.util.arraysEqual(g.shape, blk.shape)) {
        throw new GradscopeError('grads', `invalid grads.${blk.grad}: ${g instanceof tf.Tensor ? `shape [${g.shape}]` : show(g)} (expected a tensor of shape [${blk.shape}], the shape of ${blk.name})`);
      }
      v.set(g.dataSync(), blk.offset);
    }
    return v;
  }

  /** Throws if the net was disposed or a parameter holds NaN or Infinity, naming it. */
  assertUsable(): void {
    if (Object.values(this.params).some((v) => v.isDisposed)) throw new GradscopeError('net', `invalid net: ${this.toString()} was disposed (net.dispose()); build it again with gs.mlp(...)`);
  }

  /** Throws unless `cache` is a live cache of this net's forward pass. */
  private checkCache(cache: unknown): asserts cache is Cache {
    const c = cache as Cache | undefined;
    if (!c || typeof c !== 'object' || !Array.isArray(c.a) || !Array.isArray(c.z) || !(c.a[0] instanceof tf.Tensor)) {
      throw invalid('cache', cache, 'the cache of net.forward(X): const { cache } = net.forward(X)');
    }
    if (c.a.length !== this.depth + 1) throw invalid('cache', `a cache with ${c.a.length - 1} layers`, `the cache of this ${this.depth}-layer net's forward pass`);
    if ([...c.a, ...c.z].some((t) => t instanceof tf.Tensor && t.isDisposed)) {
      throw new GradscopeError('cache', 'invalid cache: its tensors were disposed (cache.dispose() ran, or a backward disposed them); run net.forward(X) again');
    }
  }

  /** Throws if a parameter holds NaN or Infinity, naming it (and if the net was disposed). */
  assertFinite(): void {
    this.assertUsable();
    for (const blk of this.blocks) {
      const data = this.params[blk.name].dataSync();
      const bad = firstNonFinite(data);
      if (bad >= 0) throw new GradscopeError(blk.name, `invalid ${blk.name}: entry ${bad} is ${data[bad]} (expected finite parameters; training diverged or a value was set by hand)`);
    }
  }

  /** Checks Y against the output layer (m = X's rows, or X itself); returns a float [m, nL] tensor the caller disposes. */
  labels(Y: Tensor, m: number | Tensor): Tensor2D {
    const rows = typeof m === 'number' ? m : matrix('X', m, this.spec.sizes[0]).shape[0];
    return labels(this.spec.output, Y, rows, this.spec.sizes[this.depth]);
  }

  /**
   * J of the batch `cache` came from, from its z^L (float32 on tf; no second pass): gs.train's loss.
   *
   * @internal
   */
  lossOfPass(cache: Cache, y: Tensor): number {
    const J = tf.tidy(() => cost(this, cache.z[this.depth]!, y as Tensor2D));
    const v = J.dataSync()[0];
    J.dispose();
    return v;
  }

  /**
   * J of this batch in float64 as a function of theta (the mirror of forward, with the cache's
   * dropout masks): the model contract's float64 loss. `signs` marks hidden z > 0 for kink tests.
   *
   * @example
   * ```ts
   * const J64 = net.mirror64(X, y, cache);
   * J64(net.toVector()).J; // ~ net.loss(X, Y)
   * ```
   */
  mirror64(X: Tensor, y: Tensor, cache: Cache): Loss64 {
    const batch = batch64(this.spec, matrix('X', X, this.spec.sizes[0]), y as Tensor2D, cache.D);
    const kinky = activations[this.spec.hidden].kink;
    return (theta) => {
      const { J, rows, l2, z } = cost64(this.spec, theta, batch);
      const out = { J, rows: rows.map((r) => r / batch.m), reg: l2 };
      if (!kinky) return out;
      const signs: number[] = [];
      for (let l = 1; l < this.depth; l++) for (const v of z[l]) signs.push(v > 0 ? 1 : 0);
      return { ...out, signs: Uint8Array.from(signs) };
    };
  }

  /** Frees the variables. */
  dispose(): void {
    tf.dispose(Object.values(this.params));
  }

  /** What `console.log(net)` and a notebook cell ending in `net` show: the summary and each layer's shapes. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    const layers = [];
    for (let l = 1; l <= this.depth; l++) layers.push(`  W${l} [${this.W(l).shape.join(', ')}]  b${l} [${this.b(l).shape.join(', ')}]`);
    return [this.toString(), ...layers].join('\n');
  }

  /** `mlp [2, 3, 1] relu/sigmoid, init he, 13 parameters` */
  toString(): string {
    const s = this.spec;
    const extras = [s.residual.some(Boolean) && 'residual', s.keepProb < 1 && `keepProb ${s.keepProb}`, s.l2 > 0 && `l2 ${s.l2}`].filter(Boolean);
    return `mlp [${s.sizes.join(', ')}] ${s.hidden}/${s.output}, init ${initLabel(s.init)}, ${this.size} parameters${extras.length ? ', ' + extras.join(', ') : ''}`;
  }
}

let uid = 0;

/**
 * J = (1/m) sum_i L_i(z^L_i, y_i) + (lambda / 2m) sum_l ||W^l||^2 from the output pre-activations z^L
 * (of a forward pass already run), as a scalar tensor. Call inside a tidy.
 */
export function cost(net: MlpCore, zL: Tensor2D, y: Tensor2D): Tensor {
  const m = zL.shape[0];
  let J = outputs[net.spec.output].lossRows(zL, y).mean(); // J = (1/m) sum_i L_i
  if (net.spec.l2 > 0) {
    let sq: Tensor = tf.scalar(0);
    for (let l = 1; l <= net.depth; l++) sq = sq.add(net.W(l).square().sum());
    J = J.add(sq.mul(net.spec.l2 / (2 * m))); // + (lambda / 2m) sum ||W||^2
  }
  return J;
}

/** A trainable variable holding `initial`'s values; `initial` is disposed. */
function variable(initial: Tensor, name: string): Variable {
  const v = tf.variable(initial, true, name);
  initial.dispose();
  return v;
}
