/**
 * A simple recurrent network (lecture 002), its backpropagation through time and its float64 mirror,
 * side by side. Rows are examples; X is [m, T, nx], x^(t) = X[:, t-1, :]; [p, q] concatenates columns.
 *
 * Forward, t = 1..T (a^(0) = a0, zeros by default):
 *   z^(t) = [a^(t-1), x^(t)] Wa + ba,   a^(t) = g(z^(t))          Wa [na + nx, na], ba [na]
 *   y-hat^(t) = g_out(a^(t) Wy + by) at t = T ('last') or every t ('every')   (src/recurrent/sequence.ts)
 * Backward through time, t = T..1 (every d is dJ/d of that quantity; da^(T+1) path = 0):
 *   da^(t)    = delta_y^(t) Wy^T + da_prev from step t+1
 *   delta^(t) = da^(t) * g'(z^(t))
 *   dWa += [a^(t-1), x^(t)]^T delta^(t),   dba += sum_i delta^(t)_i
 *   da_prev   = delta^(t) Wa[:na]^T        (the first na rows of Wa act on a^(t-1))
 */
import type { Tensor, Tensor2D, Tensor3D, Variable } from '@tensorflow/tfjs';
import { tf } from '../core/backend';
import { activations, activation, type Activation } from '../nn/activations';
import { invalid, knownKeys, number } from '../core/errors';
import { drawWeights, initLabel, type Init } from '../nn/init';
import { OUTPUTS, type Output } from '../nn/losses';
import type { Grads, Loss64, Model, NumericPaths, PathOptions } from '../nn/model';
import { recurrentPaths } from '../recurrent/paths64';
import { rnnCell } from './delta64';
import { rng } from '../core/random';
import {
  SequenceNet, cacheDims, checkNetSize, float32Weights, initOption, initSuffix, stepGrads, sum, checkX, concatAffine, costTensor, initialState, makeParams,
  outputBackward, outputForward, outputLoss64, outputOption, outputsOption, outputTensor, seq64, size, steps,
  targets, views, type SequenceCache, type SequenceOutputs, type SequenceShape,
} from '../recurrent/sequence';
import { registerFamily } from '../nn/registry';
import { frobenius, overflowAt, type StepNorm, type ThroughTimeModel } from '../recurrent/throughTime';

registerFamily({ name: 'rnn', factory: 'gs.rnn', order: 2, recurrent: true });

/** Options of {@link rnn}. */
export interface RnnOptions {
  /** Inputs per step. */
  nx: number;
  /** Hidden units (the width of a^(t)). */
  na: number;
  /** Outputs. */
  ny: number;
  /** Output layer and loss, as in gs.mlp: 'sigmoid' (default, binary cross-entropy), 'softmax', 'linear' (MSE). */
  output?: Output;
  /** g of the recurrence. Default 'tanh'. */
  hidden?: 'tanh' | 'relu';
  /** Initialisation of Wa and Wy (gs.mlp's inits; fan-in of Wa is na + nx). Default 'xavier' for tanh, 'he' for relu. */
  init?: Init;
  /** Multiplies the drawn Wa (e.g. 3 to make the gradient through time explode). Default 1. */
  scale?: number;
  /** Seed of the weights. Default 0. */
  seed?: number;
  /** 'last' (default): one output at t = T, Y [m, ny]. 'every': an output at every step, Y [m, T, ny], J summed over t. */
  outputs?: SequenceOutputs;
}

/** The architecture, fixed at construction. */
export interface RnnSpec extends SequenceShape {
  /** g of the recurrence. */
  hidden: 'tanh' | 'relu';
  /** The initialisation Wa and Wy were drawn with (the default resolved). */
  init: Init;
  /** The factor the drawn Wa was multiplied by. */
  scale: number;
  /** The seed of the weights. */
  seed: number;
}

/** What the RNN's forward pass keeps: x^(t), z^(t), a^(t) (a[0] = a0) and the outputs y-hat^(t). */
export interface RnnCache extends SequenceCache {
  /** z[t] = [a^(t-1), x^(t)] Wa + ba, [m, na], t = 1..T (z[0] undefined). */
  z: (Tensor2D | undefined)[];
}

/** One step of backpropagation through time: what step t's backward reads. */
export interface RnnStep {
  /** The step, 1..T. */
  t: number;
  /** g of the recurrence. */
  hidden: 'tanh' | 'relu';
  /** a^(t-1), [m, na]. */
  aPrev: Tensor2D;
  /** x^(t), [m, nx]. */
  x: Tensor2D;
  /** z^(t) = [a^(t-1), x^(t)] Wa + ba, [m, na]. */
  z: Tensor2D;
  /** a^(t) = g(z^(t)), [m, na]. */
  a: Tensor2D;
  /** Wa, [na + nx, na]: the first na rows act on a^(t-1), the last nx on x^(t). */
  Wa: Tensor2D;
}

/** A step's gradients: its shares of dWa and dba, and dJ/da^(t-1) through this step. */
export interface RnnStepGrads {
  /** This step's share of dWa: [a^(t-1), x^(t)]^T delta^(t), [na + nx, na]. */
  dWa: Tensor;
  /** This step's share of dba: the sum over rows of delta^(t), [na]. */
  dba: Tensor;
  /** dJ/da^(t-1) through this step: delta^(t) Wa[:na]^T, [m, na]. */
  daPrev: Tensor;
}

/** A step backward: (step t, da = dJ/da^(t)) -> its gradients and da_prev. */
export type RnnStepBackward = (step: RnnStep, da: Tensor2D) => RnnStepGrads;

/**
 * The RNN's step backward, as the header writes it:
 *   delta = da * g'(z),  dWa = [a_prev, x]^T delta,  dba = sum_i delta,  da_prev = delta Wa[:na]^T
 * It is the default `step` of {@link Rnn.backward}; wrap it to plant a bug or compare your own.
 *
 * @example
 * ```ts
 * const net = gs.rnn({ nx: 3, na: 4, ny: 1, seed: 1 });
 * const X = gs.tf.randomNormal([2, 5, 3], 0, 1, 'float32', 1), Y = gs.tf.tensor2d([[1], [0]]);
 * // a planted bug: dba doubled at every step
 * const buggy: gs.RnnStepBackward = (step, da) => {
 *   const g = gs.rnnStepBackward(step, da);
 *   return { ...g, dba: g.dba.mul(2) };
 * };
 * gs.gradCheck(net, X, Y, { backward: (n, cache, y) => n.backward(cache, y, buggy) }).verdict;   // 'wrong'
 * ```
 */
export const rnnStepBackward: RnnStepBackward = ({ hidden, aPrev, x, z, Wa }, da) => {
  const na = aPrev.shape[1];
  const delta = da.mul(activations[hidden].dg(z)); // delta = da * g'(z)
  return {
    dWa: tf.concat([aPrev, x], 1).transpose().matMul(delta), // dWa = [a_prev, x]^T delta
    dba: delta.sum(0), // dba = sum_i delta_i
    daPrev: delta.matMul(Wa.slice([0, 0], [na, na]).transpose()), // da_prev = delta Wa[:na]^T
  };
};

/** tf ops, [na + nx, na] matrix products and cached tensors per step of the forward pass (for the up-front time estimate). */
const STEP_COST = { ops: 4, gates: 1, kept: 3 };
const KEYS = ['nx', 'na', 'ny', 'output', 'hidden', 'init', 'scale', 'seed', 'outputs'];

/**
 * A recurrent net built by {@link rnn}: a^(t) = g([a^(t-1), x^(t)] Wa + ba), t = 1..T, with
 * a^(0) = a0 (zeros by default) and an output layer y-hat = g_out(a Wy + by) on a^(T) ('last') or on
 * every a^(t) ('every'). X is [m, T, nx]. Backward through time, t = T..1:
 * da^(t) = delta_y^(t) Wy^T + da_prev from step t+1, delta^(t) = da^(t) * g'(z^(t)),
 * dWa += [a^(t-1), x^(t)]^T delta^(t), dba += sum_i delta^(t)_i, da_prev = delta^(t) Wa[:na]^T.
 * Every d-quantity is the gradient of J itself (the 1/m is already in da). {@link gradCheck},
 * {@link train} and {@link gradientThroughTime} take it like an MLP.
 *
 * @example
 * ```ts
 * const net = gs.rnn({ nx: 3, na: 16, ny: 1, seed: 1 });
 * const X = gs.tf.randomNormal([8, 20, 3], 0, 1, 'float32', 1);    // [m, T, nx]
 * const Y = gs.tf.tidy(() => gs.tf.randomUniform([8, 1], 0, 1, 'float32', 2).round());
 * const { output, cache } = net.forward(X, { a0: gs.tf.zeros([8, 16]) });   // output: y-hat^(T) [8, 1]
 * const grads = net.backward(cache, Y);     // { dWa, dba, dWy, dby }, by hand through time
 * console.log(gs.gradCheck(net, X, Y).verdict);   // great
 * gs.tf.dispose([output, grads]); cache.dispose();
 * ```
 */
export class Rnn extends SequenceNet<{
  /** a^(0), [m, na]; zeros when left out. */
  a0?: Tensor;
}> implements Model<RnnCache>, ThroughTimeModel {
  /** The model family: 'rnn'. */
  readonly family = 'rnn';
  /** The architecture (sizes, output, hidden, init, scale, seed). */
  readonly spec: RnnSpec;

  constructor(spec: RnnSpec, Wa: Float64Array, Wy: Float64Array) {
    const { nx, na, ny } = spec;
    super(makeParams([
      { name: 'Wa', shape: [na + nx, na], layer: 1, values: Wa },
      { name: 'ba', shape: [na], layer: 1, values: new Float64Array(na) },
      { name: 'Wy', shape: [na, ny], layer: 2, values: Wy },
      { name: 'by', shape: [ny], layer: 2, values: new Float64Array(ny) },
    ]));
    this.spec = spec;
  }

  /**
   * Forward pass through time: z^(t) = [a^(t-1), x^(t)] Wa + ba, a^(t) = g(z^(t)); `output` is
   * y-hat^(T) [m, ny] ('last') or y-hat [m, T, ny] ('every'). The caller disposes output and cache.
   *
   * @example
   * ```ts
   * const net = gs.rnn({ nx: 3, na: 5, ny: 1, seed: 1 });
   * const X = gs.tf.randomNormal([4, 10, 3]);
   * const { output, cache } = net.forward(X);   // cache.a[t]: [4, 5], t = 0..10
   * output.dispose(); cache.dispose();
   * ```
   */
  forward(X: Tensor, options: { a0?: Tensor } = {}): {
    /** y-hat^(T), [m, ny] ('last'), or y-hat, [m, T, ny] ('every'). */
    output: Tensor;
    /** x^(t), z^(t), a^(t) and y-hat^(t), for {@link Rnn.backward}. */
    cache: RnnCache;
  } {
    knownKeys('options', options, ['a0']);
    const { m, T } = this.begin(X, STEP_COST);
    const a0 = initialState('a0', options?.a0, m, this.spec.na);
    const cache = this.run(X as Tensor3D, a0, m, T);
    return { output: tf.tidy(() => outputTensor(this.spec, cache.yhat)), cache };
  }

  /** The forward tensors as a cache; takes ownership of a0. */
  private run(X: Tensor3D, a0: Tensor2D, m: number, T: number): RnnCache {
    const layers = tf.tidy(() => {
      const { Wa, ba, Wy, by } = this.params;
      const x = steps(X);
      const a: Tensor2D[] = [a0];
      const z: (Tensor2D | undefined)[] = [undefined];
      const g = activations[this.spec.hidden].g;
      for (let t = 1; t <= T; t++) {
        z[t] = tf.concat([a[t - 1], x[t]!], 1).matMul(Wa).add(ba) as Tensor2D; // z = [a_prev, x] Wa + ba
        a[t] = g(z[t]!) as Tensor2D; // a = g(z)
      }
      const yhat = outputForward(this.spec, a, Wy, by);
      return { x, a, z, yhat } as unknown as import('@tensorflow/tfjs').TensorContainerObject;
    }) as unknown as Pick<RnnCache, 'x' | 'a' | 'z' | 'yhat'>;
    return cacheOf(layers, m, T);
  }

  /** Float labels for Y after validating X and Y: [m, ny] ('last') or [m, T, ny] ('every'); the caller disposes them. */
  labels(Y: Tensor, X: Tensor): Tensor {
    const { m, T } = checkX(X, this.spec.nx);
    return targets(this.spec, Y, m, T);
  }

  /**
   * Backpropagation through time, by hand (the module header's formulas): `{ dWa, dba, dWy, dby }`.
   * `step` replaces the step backward (homework and planted bugs); gradscope loops through time.
   *
   * @example
   * ```ts
   * const { output, cache } = net.forward(X);
   * const grads = net.backward(cache, Y);   // { dWa, dba, dWy, dby }
   * ```
   */
  backward(cache: RnnCache, Y: Tensor, step: RnnStepBackward = rnnStepBackward): Grads {
    this.live();
    const { m, T } = cacheDims(cache, 'rnn', step);
    const y = targets(this.spec, Y, m, T);
    try {
      return tf.tidy(() => {
        const { Wa, Wy } = this.params;
        const { dWy, dby, daOut } = outputBackward(this.spec, cache, y, Wy);
        let dWa: Tensor = tf.zeros(Wa.shape), dba: Tensor = tf.zeros([this.spec.na]);
        const shapes = { dWa: Wa.shape, dba: [this.spec.na], daPrev: [m, this.spec.na] };
        let daNext: Tensor | undefined; // dJ/da^(t) through step t+1
        for (let t = T; t >= 1; t--) {
          const da = sum(daOut[t], daNext) ?? tf.zeros([m, this.spec.na]); // da^(t) = output's share + da_prev of step t+1
          const s: RnnStep = { t, hidden: this.spec.hidden, aPrev: cache.a[t - 1], x: cache.x[t]!, z: cache.z[t]!, a: cache.a[t], Wa: Wa as Tensor2D };
          const out = step(s, da as Tensor2D);
          const g = stepGrads<RnnStepGrads>(out, t, shapes, step === rnnStepBackward ? undefined : () => rnnStepBackward(s, da as Tensor2D));
          dWa = dWa.add(g.dWa);
          dba = dba.add(g.dba);
          daNext = g.daPrev;
        }
        return { dWa, dba, dWy, dby };
      });
    } finally {
      y.dispose();
    }
  }

  /**
   * One forward pass on tf autograd's tape: the cache (for a hand-written backward) and tf.variableGrads'
   * gradients of the same J, so a check runs the forward pass once. `y`: labels as for backward. The caller
   * disposes both.
   *
   * @example
   * ```ts
   * const { cache, grads } = net.forwardAndAutograd(X, Y);
   * const hand = net.backward(cache, Y);   // compare with grads
   * ```
   */
  forwardAndAutograd(X: Tensor, y: Tensor, options: { a0?: Tensor } = {}): {
    /** The forward pass's cache, as {@link Rnn.forward} gives it. */
    cache: RnnCache;
    /** tf autograd's `{ dWa, dba, dWy, dby }` of J. */
    grads: Grads;
  } {
    const { m, T } = this.begin(X, STEP_COST);
    const yy = targets(this.spec, y, m, T);
    const a0 = initialState('a0', options?.a0, m, this.spec.na);
    let cache: RnnCache | undefined;
    try {
      const { value, grads } = tf.variableGrads(() => {
        cache = this.run(X as Tensor3D, tf.keep(a0.clone()), m, T);
        for (const t of tensorsOf(cache)) tf.keep(t);
        return costTensor(this.spec, cache.a, yy, this.params.Wy, this.params.by) as import('@tensorflow/tfjs').Scalar;
      }, Object.values(this.params));
      value.dispose();
      const out: Grads = {};
      for (const b of this.blocks) out[b.grad] = grads[this.params[b.name].name];
      return { cache: cache!, grads: out };
    } finally {
      tf.dispose([yy, a0]);
    }
  }

  /**
   * The loss of this batch in float64 as a function of theta: the forward pass again on
   * Float64Arrays, step by step, with the cache's a0. `rows[i]` is sequence i's share of J;
   * `signs` (relu): z^(t) > 0 per step, example and unit, so a difference across a kink is seen.
   *
   * @example
   * ```ts
   * const J = net.mirror64(X, net.labels(Y, X), cache);
   * J(net.toVector()).J;   // = net.loss(X, Y) to float32 round-off
   * ```
   */
  mirror64(X: Tensor, y: Tensor, cache: RnnCache): Loss64 {
    const { m, T } = checkX(X, this.spec.nx);
    const yy = targets(this.spec, y, m, T);
    const s = seq64(this.spec, X, yy, cache.a[0]);
    yy.dispose();
    const { nx, na, hidden } = this.spec;
    const g = activations[hidden].g64;
    const relu = hidden === 'relu';
    return (theta: Float64Array) => {
      const { v, T: WT } = views(this.blocks, theta, ['Wa']);
      const a: Float64Array[] = [s.a0];
      const signs = relu ? new Uint8Array(T * m * na) : undefined;
      for (let t = 1; t <= T; t++) {
        const z = concatAffine(a[t - 1], s.x[t], WT.Wa, v.ba, m, na, nx, na); // z = [a_prev, x] Wa + ba
        if (signs) for (let j = 0; j < z.length; j++) signs[(t - 1) * m * na + j] = z[j] > 0 ? 1 : 0;
        a[t] = z.map(g); // a = g(z)
      }
      const { J, rows } = outputLoss64(this.spec, s, a, v.Wy, v.by);
      return { J, rows, reg: 0, signs };
    };
  }


  /**
   * The exact float64 paths gs.gradCheck uses (recurrent/paths64.ts): the mirror's central differences,
   * each perturbation's change carried through time from one cached base pass; undefined for float32.
   *
   * @internal
   */
  exactPaths(X: Tensor, Y: Tensor, options: PathOptions): NumericPaths<RnnCache> | undefined {
    return recurrentPaths(this, X, Y, options, (s, theta) => rnnCell(this.spec, this.blocks, s, theta), { module: require.resolve('./delta64'), name: 'rnnCell' }) as NumericPaths<RnnCache> | undefined;
  }

  /** 'rnn tanh', 'rnn relu x 3', 'rnn tanh orthogonal' (the init when not the default): a series name for charts. */
  seriesName(): string {
    const s = this.spec;
    return `rnn ${s.hidden}${initSuffix(s.init, s.hidden === 'relu' ? 'he' : 'xavier')}${s.scale !== 1 ? ` x ${s.scale}` : ''}`;
  }

  /** ||dJ/da^(t)|| for t = 1..T from the hand-written backward (see gs.gradientThroughTime). */
  normsThroughTime(X: Tensor, Y: Tensor, state: { a0?: Tensor; c0?: Tensor }): StepNorm[] {
    if (state.c0 !== undefined) throw invalid('c0', state.c0, 'nothing: an rnn has no cell state');
    const rows: StepNorm[] = [];
    const { output, cache } = this.forward(X, { a0: state.a0 });
    try {
      tf.dispose(this.backward(cache, Y, (step, da) => {
        rows.push({ t: step.t, gradNorm: frobenius(da), ...overflowAt(step.a) });
        return rnnStepBackward(step, da);
      }));
    } finally {
      output.dispose();
      cache.dispose();
    }
    return rows;
  }

  /** `rnn tanh nx 3 na 5 ny 1 sigmoid, outputs last, init xavier, 46 parameters` */
  toString(): string {
    const s = this.spec;
    return `rnn ${s.hidden} nx ${s.nx} na ${s.na} ny ${s.ny} ${s.output}, outputs ${s.outputs}, init ${initLabel(s.init)}${s.scale !== 1 ? ` x ${s.scale}` : ''}, ${this.size} parameters`;
  }
}

function tensorsOf(c: Pick<RnnCache, 'x' | 'a' | 'z' | 'yhat'>): Tensor[] {
  return [...c.x, ...c.a, ...c.z, ...c.yhat].filter(Boolean) as Tensor[];
}

function cacheOf(layers: Pick<RnnCache, 'x' | 'a' | 'z' | 'yhat'>, m: number, T: number): RnnCache {
  return { ...layers, family: 'rnn', m, T, dispose: () => tf.dispose(tensorsOf(layers)) };
}

/**
 * Builds a recurrent network a^(t) = g([a^(t-1), x^(t)] Wa + ba) with an output layer on a^(T)
 * (or on every a^(t)). Same options and seed, same weights.
 *
 * @example
 * ```ts
 * const net = gs.rnn({ nx: 3, na: 16, ny: 1, hidden: 'tanh', seed: 1 });
 * net.params.Wa.shape;   // [19, 16]: rows 0..15 act on a^(t-1), rows 16..18 on x^(t)
 * ```
 */
export function rnn(options: RnnOptions): Rnn {
  if (!options || typeof options !== 'object') throw invalid('options', options, 'an object like { nx: 3, na: 16, ny: 1 }');
  knownKeys('options', options, KEYS);
  const { hidden = 'tanh', output = 'sigmoid', seed = 0, scale = 1, outputs = 'last' } = options;
  const h = activation('hidden', hidden);
  if (h !== 'tanh' && h !== 'relu') throw invalid('hidden', hidden, 'one of tanh, relu');
  const spec: RnnSpec = {
    nx: size('nx', options.nx),
    na: size('na', options.na),
    ny: size('ny', options.ny),
    output: outputOption(output),
    outputs: outputsOption(outputs),
    hidden: h as Activation as 'tanh' | 'relu',
    init: initOption(options.init, h === 'relu' ? 'he' : 'xavier'),
    scale: number('scale', scale),
    seed: number('seed', seed, { integer: true }),
  };
  if (spec.output === 'softmax' && spec.ny < 2) throw invalid('ny', spec.ny, `at least 2 outputs for a softmax output (one of ${OUTPUTS.join(', ')})`);
  if (typeof spec.init === 'object' && 'identity' in spec.init) {
    throw invalid('init', spec.init, `a random init (zeros, small, uniform, lecun, xavier, he, orthogonal or { gain: K }): Wa is [na + nx, na] = [${spec.na + spec.nx}, ${spec.na}], not square`);
  }
  checkNetSize('rnn', spec, 1, spec.init);
  const r = rng(spec.seed);
  const drawn = float32Weights('init', spec.init, drawWeights(spec.init, spec.na + spec.nx, spec.na, r, 1), 'Wa');
  const Wa = float32Weights('scale', spec.scale, drawn.map((w) => w * spec.scale), 'Wa');
  const Wy = float32Weights('init', spec.init, drawWeights(spec.init, spec.na, spec.ny, r, 2), 'Wy');
  return new Rnn(spec, Wa, Wy);
}
