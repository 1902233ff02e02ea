/**
 * The gated recurrent unit (Cho et al. 2014) in the deeplearning.ai course's form, its hand-written
 * backpropagation through time and its float64 mirror, side by side. Rows are examples; X is
 * [m, T, nx], x^(t) = X[:, t-1, :]; [p, q] concatenates columns; * is elementwise.
 *
 * Forward, t = 1..T (a^(0) = a0, zeros by default), h = [a^(t-1), x^(t)]:
 *   Gamma_u = sigmoid(h Wu + bu)                              update gate (bu starts at updateBias)
 *   Gamma_r = sigmoid(h Wr + br)                              reset (relevance) gate
 *   a~      = tanh([Gamma_r * a^(t-1), x^(t)] Wa + ba)        candidate
 *   a^(t)   = Gamma_u * a~ + (1 - Gamma_u) * a^(t-1)
 * Every W is [na + nx, na], every b [na]; the output layer reads a^(t) (src/recurrent/sequence.ts).
 *
 * This is the course's GRU, with Gamma_r inside the candidate's matrix product. torch.nn.GRU applies
 * its reset gate after the product, n = tanh(W_in x + b_in + r * (W_hn h + b_hn)), and writes
 * h = (1 - z) n + z h_prev (its z is 1 - Gamma_u here), so its numbers differ from these.
 *
 * Backward, one step (da = dJ/da^(t) in total), hr = [Gamma_r * a^(t-1), x^(t)]:
 *   delta_u  = da * (a~ - a^(t-1)) * Gamma_u (1 - Gamma_u)      (dGamma_u through the sigmoid)
 *   delta_a  = da * Gamma_u * (1 - a~^2)
 *   dhr      = delta_a Wa^T,   its first na columns: dJ/d(Gamma_r * a^(t-1))
 *   delta_r  = dhr[:, :na] * a^(t-1) * Gamma_r (1 - Gamma_r)
 *   dWu = h^T delta_u,  dWr = h^T delta_r,  dWa = hr^T delta_a,  db_k = sum_i delta_k,i
 *   da_prev  = da * (1 - Gamma_u) + dhr[:, :na] * Gamma_r + delta_u Wu[:na]^T + delta_r Wr[:na]^T
 * gradscope loops the step from t = T down to 1: da^(t) = the output's share + da_prev of step t+1.
 */
import { sigmoid64 } from '../nn/activations';
import type { Tensor, Tensor2D, Tensor3D, TensorContainerObject, Variable } from '@tensorflow/tfjs';
import { tf } from '../core/backend';
import { invalid, knownKeys, number } from '../core/errors';
import { drawWeights, initLabel, type Init } from '../nn/init';
import { OUTPUTS, type Output } from '../nn/losses';
import type { Grads, Loss64, Model, NumericPaths, PathOptions } from '../nn/model';
import { recurrentPaths } from '../recurrent/paths64';
import { gruCell } from './delta64';
import { rng } from '../core/random';
import { registerFamily } from '../nn/registry';
import {
  SequenceNet, cacheDims, checkNetSize, float32Weights, initOption, checkX, concatAffine, costTensor, initialState, initSuffix, makeParams,
  outputBackward, outputForward, outputLoss64, outputOption, outputsOption, outputTensor, seq64, size, stepGrads, steps,
  sum, targets, views, type SequenceCache, type SequenceOutputs, type SequenceShape,
} from '../recurrent/sequence';
import { frobenius, overflowAt, type StepNorm, type ThroughTimeModel } from '../recurrent/throughTime';

registerFamily({ name: 'gru', factory: 'gs.gru', order: 4, recurrent: true });

/** Options of {@link gru}. */
export interface GruOptions {
  /** Inputs per step. */
  nx: number;
  /** Hidden units (the width of a^(t)). */
  na: number;
  /** Outputs. */
  ny: number;
  /** Output layer and loss, as in gs.mlp: 'sigmoid' (default), 'softmax', 'linear'. */
  output?: Output;
  /** Initialisation of Wu, Wr, Wa and Wy (fan-in na + nx for the gates). Default 'xavier'. */
  init?: Init;
  /** Multiplies the drawn Wa, the candidate's matrix (as gs.rnn's scale multiplies its Wa). Default 1. */
  scale?: number;
  /** Seed of the weights. Default 0. */
  seed?: number;
  /** 'last' (default) or 'every', as in gs.rnn. */
  outputs?: SequenceOutputs;
  /**
   * The update gate's initial bias bu. Default 0 (Gamma_u starts near 0.5). A negative bu (-2: Gamma_u
   * near sigmoid(-2) = 0.12) makes a^(t) mostly carry a^(t-1): the GRU's counterpart of the LSTM's
   * forgetBias, and what keeps its gradient alive through time.
   */
  updateBias?: number;
}

/** The architecture, fixed at construction. */
export interface GruSpec extends SequenceShape {
  /** The initialisation the matrices were drawn with. */
  init: Init;
  /** The factor the drawn Wa was multiplied by. */
  scale: number;
  /** The seed of the weights. */
  seed: number;
  /** The update gate's initial bias bu. */
  updateBias: number;
}

/** The GRU forward's tensors per step t = 1..T (index 0 undefined, except a[0]). */
export interface GruCache extends SequenceCache {
  /** Gamma_u[t] = sigmoid(h Wu + bu), [m, na]. */
  Gu: (Tensor2D | undefined)[];
  /** Gamma_r[t] = sigmoid(h Wr + br), [m, na]. */
  Gr: (Tensor2D | undefined)[];
  /** a~[t] = tanh([Gamma_r * a^(t-1), x^(t)] Wa + ba), [m, na]. */
  aTilde: (Tensor2D | undefined)[];
}

/** What step t's backward reads: views into the cache and the parameters (do not dispose them). */
export interface GruStep {
  /** The step, 1..T. */
  t: number;
  /** a^(t-1), [m, na]. */
  aPrev: Tensor2D;
  /** x^(t), [m, nx]. */
  x: Tensor2D;
  /** Gamma_u, [m, na]. */
  Gu: Tensor2D;
  /** Gamma_r, [m, na]. */
  Gr: Tensor2D;
  /** a~, [m, na]. */
  aTilde: Tensor2D;
  /** a^(t) = Gamma_u * a~ + (1 - Gamma_u) * a^(t-1), [m, na]. */
  a: Tensor2D;
  /** The update gate's W, [na + nx, na]: the first na rows act on a^(t-1). */
  Wu: Tensor2D;
  /** The reset gate's W, [na + nx, na]. */
  Wr: Tensor2D;
  /** The candidate's W, [na + nx, na]: the first na rows act on Gamma_r * a^(t-1). */
  Wa: Tensor2D;
}

/** A step's gradients: its shares of the six gate blocks and daPrev = dJ/da^(t-1) through this step. */
export interface GruStepGrads {
  /** h^T delta_u. */
  dWu: Tensor;
  /** h^T delta_r. */
  dWr: Tensor;
  /** [Gamma_r * a^(t-1), x^(t)]^T delta_a. */
  dWa: Tensor;
  /** The sum over rows of delta_u. */
  dbu: Tensor;
  /** The sum over rows of delta_r. */
  dbr: Tensor;
  /** The sum over rows of delta_a. */
  dba: Tensor;
  /** da * (1 - Gamma_u) + dhr[:, :na] * Gamma_r + delta_u Wu[:na]^T + delta_r Wr[:na]^T. */
  daPrev: Tensor;
}

/** A step backward: (step t, da = dJ/da^(t)) -> its gradients and da_prev. */
export type GruStepBackward = (step: GruStep, da: Tensor2D) => GruStepGrads;

/**
 * The GRU step backward of the module header, one step t (da = dJ/da^(t) in total):
 *   delta_u = da * (a~ - a_prev) * Gamma_u (1 - Gamma_u),   delta_a = da * Gamma_u * (1 - a~^2),
 *   dhr = delta_a Wa^T,   delta_r = dhr[:, :na] * a_prev * Gamma_r (1 - Gamma_r),
 *   dW_k = h_k^T delta_k,  db_k = sum_i delta_k,
 *   da_prev = da * (1 - Gamma_u) + dhr[:, :na] * Gamma_r + delta_u Wu[:na]^T + delta_r Wr[:na]^T.
 * It is the default `step` of {@link Gru.backward}; wrap it to plant a bug or compare your own.
 *
 * @example
 * ```ts
 * const net = gs.gru({ nx: 3, na: 4, ny: 1, seed: 1 });
 * const X = gs.tf.randomNormal([2, 5, 3], 0, 1, 'float32', 1), Y = gs.tf.tensor2d([[1], [0]]);
 * // a planted bug: the (1 - Gamma_u) carry forgotten in da_prev
 * const buggy: gs.GruStepBackward = (step, da) => {
 *   const g = gs.gruStepBackward(step, da);
 *   return { ...g, daPrev: g.daPrev.sub(da.mul(gs.tf.scalar(1).sub(step.Gu))) };
 * };
 * gs.gradCheck(net, X, Y, { backward: (n, cache, y) => n.backward(cache, y, buggy) }).verdict;   // 'wrong'
 * ```
 */
export const gruStepBackward: GruStepBackward = (s, da) => {
  const na = s.aPrev.shape[1];
  const one = tf.scalar(1);
  const top = (W: Tensor2D) => W.slice([0, 0], [na, na]).transpose(); // W[:na]^T, the rows acting on a_prev
  const deltaU = da.mul(s.aTilde.sub(s.aPrev)).mul(s.Gu.mul(one.sub(s.Gu))); // delta_u = da * (a~ - a_prev) * Gamma_u (1 - Gamma_u)
  const deltaA = da.mul(s.Gu).mul(one.sub(s.aTilde.square())); // delta_a = da * Gamma_u * (1 - a~^2)
  const dRa = deltaA.matMul(top(s.Wa)); // dhr[:, :na] = dJ/d(Gamma_r * a_prev)
  const deltaR = dRa.mul(s.aPrev).mul(s.Gr.mul(one.sub(s.Gr))); // delta_r = dhr[:, :na] * a_prev * Gamma_r (1 - Gamma_r)
  const h = tf.concat([s.aPrev, s.x], 1); // h = [a_prev, x]
  const hr = tf.concat([s.Gr.mul(s.aPrev), s.x], 1); // hr = [Gamma_r * a_prev, x]
  return {
    dWu: h.transpose().matMul(deltaU), dWr: h.transpose().matMul(deltaR), dWa: hr.transpose().matMul(deltaA), // dW_k = h_k^T delta_k
    dbu: deltaU.sum(0), dbr: deltaR.sum(0), dba: deltaA.sum(0), // db_k = sum_i delta_k
    daPrev: da.mul(one.sub(s.Gu)) // the carry: da * (1 - Gamma_u)
      .add(dRa.mul(s.Gr)) // through the candidate: dhr[:, :na] * Gamma_r
      .add(deltaU.matMul(top(s.Wu))).add(deltaR.matMul(top(s.Wr))), // through the gates: delta_k Wk[:na]^T
  };
};

/** tf ops, [na + nx, na] matrix products and cached tensors per step of the forward pass (for the up-front time estimate). */
const STEP_COST = { ops: 16, gates: 3, kept: 7 };
const KEYS = ['nx', 'na', 'ny', 'output', 'init', 'scale', 'seed', 'outputs', 'updateBias'];
const STEP_GRADS = ['dWu', 'dWr', 'dWa', 'dbu', 'dbr', 'dba'] as const;

/**
 * A GRU built by {@link gru} (the course's gates). X is [m, T, nx]; with h = [a^(t-1), x^(t)]:
 * Gamma_u = sigmoid(h Wu + bu), Gamma_r = sigmoid(h Wr + br), a~ = tanh([Gamma_r * a^(t-1), x^(t)] Wa + ba),
 * a^(t) = Gamma_u * a~ + (1 - Gamma_u) * a^(t-1). This is the course's GRU with Gamma_r inside the
 * candidate's matrix product; torch.nn.GRU applies its reset gate after the product
 * (n = tanh(W_in x + b_in + r * (W_hn h + b_hn))) and writes h = (1 - z) n + z h_prev, so its numbers
 * differ. Parameters: Wu, Wr, Wa [na + nx, na]; bu, br, ba [na]; Wy, by. {@link gradCheck},
 * {@link train} and {@link gradientThroughTime} take it like gs.rnn and gs.lstm;
 * `backward(cache, Y, step)` loops your own step backward through time (see {@link gruStepBackward}).
 *
 * @example
 * ```ts
 * const gruNet = gs.gru({ nx: 3, na: 16, ny: 1, seed: 1 });
 * const Xg = gs.tf.randomNormal([8, 20, 3], 0, 1, 'float32', 1);
 * const Yg = gs.tf.tidy(() => gs.tf.randomUniform([8, 1], 0, 1, 'float32', 2).round());
 * const run = gruNet.forward(Xg);                  // run.cache.Gu[t], Gr[t], aTilde[t], a[t]
 * const byHand = gruNet.backward(run.cache, Yg);   // { dWu, dWr, dWa, dbu, dbr, dba, dWy, dby }
 * console.log(gs.gradCheck(gruNet, Xg, Yg).verdict);   // great
 * gs.tf.dispose([run.output, byHand]); run.cache.dispose();
 * ```
 */
export class Gru extends SequenceNet<{
  /** a^(0), [m, na]; zeros when left out. */
  a0?: Tensor;
}> implements Model<GruCache>, ThroughTimeModel {
  /** The model family: 'gru'. */
  readonly family = 'gru';
  /** The architecture (sizes, output, init, scale, seed, updateBias). */
  readonly spec: GruSpec;

  constructor(spec: GruSpec, W: Record<'Wu' | 'Wr' | 'Wa' | 'Wy', Float64Array>) {
    const { nx, na, ny } = spec;
    super(makeParams([
      ...(['Wu', 'Wr', 'Wa'] as const).map((name) => ({ name, shape: [na + nx, na], layer: 1, values: W[name] })),
      { name: 'bu', shape: [na], layer: 1, values: new Float64Array(na).fill(spec.updateBias) },
      ...['br', 'ba'].map((name) => ({ name, shape: [na], layer: 1, values: new Float64Array(na) })),
      { name: 'Wy', shape: [na, ny], layer: 2, values: W.Wy },
      { name: 'by', shape: [ny], layer: 2, values: new Float64Array(ny) },
    ]));
    this.spec = spec;
  }

  /**
   * Forward pass through time with the gates of the module header; `output` is y-hat^(T) [m, ny]
   * ('last') or y-hat [m, T, ny] ('every'). The caller disposes output and cache.
   *
   * @example
   * ```ts
   * const net = gs.gru({ nx: 3, na: 5, ny: 1, seed: 1 });
   * const { output, cache } = net.forward(gs.tf.randomNormal([4, 10, 3]));
   * cache.Gu[10];   // the update gate at the last step, [4, 5]
   * output.dispose(); cache.dispose();
   * ```
   */
  forward(X: Tensor, options: { a0?: Tensor } = {}): {
    /** y-hat^(T), [m, ny] ('last'), or y-hat, [m, T, ny] ('every'). */
    output: Tensor;
    /** x, a, the gates and a~ per step, for {@link Gru.backward}. */
    cache: GruCache;
  } {
    knownKeys('options', options, ['a0']);
    const { m, T } = this.begin(X, STEP_COST);
    const a0 = initialState('a0', options?.a0, m, this.spec.na);
    const cache = this.run(X as Tensor3D, a0, m, T);
    return { output: tf.tidy(() => outputTensor(this.spec, cache.yhat)), cache };
  }

  /** The forward tensors as a cache; takes ownership of a0. */
  private run(X: Tensor3D, a0: Tensor2D, m: number, T: number): GruCache {
    const layers = tf.tidy(() => {
      const { Wu, Wr, Wa, bu, br, ba, Wy, by } = this.params;
      const x = steps(X);
      const a: Tensor2D[] = [a0];
      const none = () => [undefined] as (Tensor2D | undefined)[];
      const Gu = none(), Gr = none(), aTilde = none();
      for (let t = 1; t <= T; t++) {
        const h = tf.concat([a[t - 1], x[t]!], 1); // h = [a_prev, x]
        Gu[t] = tf.sigmoid(h.matMul(Wu).add(bu)) as Tensor2D; // Gamma_u = sigmoid(h Wu + bu)
        Gr[t] = tf.sigmoid(h.matMul(Wr).add(br)) as Tensor2D; // Gamma_r = sigmoid(h Wr + br)
        aTilde[t] = tf.tanh(tf.concat([Gr[t]!.mul(a[t - 1]), x[t]!], 1).matMul(Wa).add(ba)) as Tensor2D; // a~ = tanh([Gamma_r * a_prev, x] Wa + ba)
        a[t] = Gu[t]!.mul(aTilde[t]!).add(tf.scalar(1).sub(Gu[t]!).mul(a[t - 1])); // a = Gamma_u * a~ + (1 - Gamma_u) * a_prev
      }
      const yhat = outputForward(this.spec, a, Wy, by);
      return { x, a, Gu, Gr, aTilde, yhat } as unknown as TensorContainerObject;
    }) as unknown as Layers;
    return cacheOf(layers, m, T);
  }

  /** Float labels for Y after validating X and Y: [m, ny] ('last') or [m, T, ny] ('every'); the caller disposes them. */
  labels(Y: Tensor, X: Tensor): Tensor {
    const { m, T } = checkX(X, this.spec.nx);
    return targets(this.spec, Y, m, T);
  }

  /**
   * The tensors step t's backward reads: views into the cache and the parameters (do not dispose them).
   *
   * @example
   * ```ts
   * const s = net.stepOf(cache, 3);   // s.aPrev, s.x, s.Gu, s.Gr, s.aTilde, s.a, s.Wu, s.Wr, s.Wa
   * ```
   */
  stepOf(cache: GruCache, t: number): GruStep {
    const { Wu, Wr, Wa } = this.params as Record<string, Variable> as Record<string, Tensor2D>;
    return { t, aPrev: cache.a[t - 1], x: cache.x[t]!, Gu: cache.Gu[t]!, Gr: cache.Gr[t]!, aTilde: cache.aTilde[t]!, a: cache.a[t], Wu, Wr, Wa };
  }

  /**
   * Backpropagation through time, by hand: `{ dWu, dWr, dWa, dbu, dbr, dba, dWy, dby }`. `step`
   * replaces the step backward (a planted bug, your own); gradscope loops it from t = T to 1, passing
   * da^(t) = the output's share + da_prev of step t+1.
   *
   * @example
   * ```ts
   * const { output, cache } = net.forward(X);
   * const grads = net.backward(cache, Y);   // grads.dWr: [na + nx, na]
   * ```
   */
  backward(cache: GruCache, Y: Tensor, step: GruStepBackward = gruStepBackward): Grads {
    this.live();
    const { m, T } = cacheDims(cache, 'gru', step);
    const y = targets(this.spec, Y, m, T);
    try {
      return tf.tidy(() => {
        const { dWy, dby, daOut } = outputBackward(this.spec, cache, y, this.params.Wy);
        const g: Grads = {};
        const shapes: Record<string, number[]> = { daPrev: [m, this.spec.na] };
        for (const name of STEP_GRADS) {
          shapes[name] = this.params[name.slice(1)].shape;
          g[name] = tf.zeros(shapes[name]);
        }
        let daNext: Tensor | undefined;
        for (let t = T; t >= 1; t--) {
          const da = (sum(daOut[t], daNext) ?? tf.zeros([m, this.spec.na])) as Tensor2D; // da^(t) = output's share + da_prev of step t+1
          const at = this.stepOf(cache, t);
          const s = stepGrads<GruStepGrads>(step(at, da), t, shapes, step === gruStepBackward ? undefined : () => gruStepBackward(at, da));
          for (const name of STEP_GRADS) g[name] = g[name].add(s[name]);
          daNext = s.daPrev;
        }
        return { ...g, dWy, dby };
      });
    } finally {
      y.dispose();
    }
  }

  /**
   * One forward pass on tf autograd's tape: the cache (for a hand-written backward) and tf.variableGrads'
   * gradients of the same J. `y`: labels as for backward. The caller disposes both.
   *
   * @example
   * ```ts
   * const { cache, grads } = net.forwardAndAutograd(X, Y);
   * const hand = net.backward(cache, Y);   // compare with grads
   * ```
   */
  forwardAndAutograd(X: Tensor, y: Tensor, options: { a0?: Tensor } = {}): {
    /** The forward pass's cache, as {@link Gru.forward} gives it. */
    cache: GruCache;
    /** tf autograd's gradients of J, `{ dWu, ..., dby }`. */
    grads: Grads;
  } {
    const { m, T } = this.begin(X, STEP_COST);
    const yy = targets(this.spec, y, m, T);
    let a0: Tensor2D | undefined;
    let cache: GruCache | undefined;
    try {
      a0 = initialState('a0', options?.a0, m, this.spec.na);
      const { value, grads } = tf.variableGrads(() => {
        cache = this.run(X as Tensor3D, tf.keep(a0!.clone()), m, T);
        for (const t of tensorsOf(cache)) tf.keep(t);
        return costTensor(this.spec, cache.a, yy, this.params.Wy, this.params.by) as import('@tensorflow/tfjs').Scalar;
      }, Object.values(this.params));
      value.dispose();
      const out: Grads = {};
      for (const b of this.blocks) out[b.grad] = grads[this.params[b.name].name];
      return { cache: cache!, grads: out };
    } finally {
      tf.dispose([yy, ...(a0 ? [a0] : [])]);
    }
  }

  /**
   * The loss of this batch in float64 as a function of theta: the forward pass of the header on
   * Float64Arrays, with the cache's a0; `rows[i]` is sequence i's share of J.
   *
   * @example
   * ```ts
   * const J = net.mirror64(X, net.labels(Y, X), cache);
   * J(net.toVector()).J;   // = net.loss(X, Y) to float32 round-off
   * ```
   */
  mirror64(X: Tensor, y: Tensor, cache: GruCache): Loss64 {
    const { m, T } = checkX(X, this.spec.nx);
    const yy = targets(this.spec, y, m, T);
    const s = seq64(this.spec, X, yy, cache.a[0]);
    yy.dispose();
    const { nx, na } = this.spec;
    return (theta: Float64Array) => {
      const { v, T: WT } = views(this.blocks, theta, ['Wu', 'Wr', 'Wa']);
      const a: Float64Array[] = [s.a0];
      for (let t = 1; t <= T; t++) {
        const ap = a[t - 1], x = s.x[t];
        const Gu = concatAffine(ap, x, WT.Wu, v.bu, m, na, nx, na).map(sigmoid64); // Gamma_u = sigmoid([a_prev, x] Wu + bu)
        const Gr = concatAffine(ap, x, WT.Wr, v.br, m, na, nx, na).map(sigmoid64); // Gamma_r = sigmoid([a_prev, x] Wr + br)
        const aTilde = concatAffine(Gr.map((r, q) => r * ap[q]), x, WT.Wa, v.ba, m, na, nx, na).map(Math.tanh); // a~ = tanh([Gamma_r * a_prev, x] Wa + ba)
        a.push(aTilde.map((c, q) => Gu[q] * c + (1 - Gu[q]) * ap[q])); // a = Gamma_u * a~ + (1 - Gamma_u) * a_prev
      }
      const { J, rows } = outputLoss64(this.spec, s, a, v.Wy, v.by);
      return { J, rows, reg: 0 };
    };
  }

  /**
   * The exact float64 paths gs.gradCheck uses (recurrent/paths64.ts): the mirror's central differences,
   * each perturbation's change carried through time from one cached base pass; undefined for float32.
   *
   * @internal
   */
  exactPaths(X: Tensor, Y: Tensor, options: PathOptions): NumericPaths<GruCache> | undefined {
    return recurrentPaths(this, X, Y, options, (s, theta) => gruCell(this.spec, this.blocks, s, theta), { module: require.resolve('./delta64'), name: 'gruCell' }) as NumericPaths<GruCache> | undefined;
  }

  /** 'gru', 'gru orthogonal', 'gru x 3' (the init when not the default): a series name for charts. */
  seriesName(): string {
    const s = this.spec;
    return `gru${initSuffix(s.init, 'xavier')}${s.scale !== 1 ? ` x ${s.scale}` : ''}${s.updateBias !== 0 ? ` updateBias ${s.updateBias}` : ''}`;
  }

  /** ||dJ/da^(t)|| for t = 1..T from the hand-written backward (see gs.gradientThroughTime). */
  normsThroughTime(X: Tensor, Y: Tensor, state: { a0?: Tensor; c0?: Tensor }): StepNorm[] {
    if (state.c0 !== undefined) throw invalid('c0', state.c0, 'nothing: a gru has no cell state');
    const rows: StepNorm[] = [];
    const { output, cache } = this.forward(X, { a0: state.a0 });
    try {
      tf.dispose(this.backward(cache, Y, (step, da) => {
        rows.push({ t: step.t, gradNorm: frobenius(da), ...overflowAt(step.a) });
        return gruStepBackward(step, da);
      }));
    } finally {
      output.dispose();
      cache.dispose();
    }
    return rows;
  }

  /** `gru nx 3 na 5 ny 1 sigmoid, outputs last, init xavier, 146 parameters` */
  toString(): string {
    const s = this.spec;
    return `gru nx ${s.nx} na ${s.na} ny ${s.ny} ${s.output}, outputs ${s.outputs}, init ${initLabel(s.init)}${s.scale !== 1 ? ` x ${s.scale}` : ''}${s.updateBias !== 0 ? `, updateBias ${s.updateBias}` : ''}, ${this.size} parameters`;
  }
}

type Layers = Pick<GruCache, 'x' | 'a' | 'Gu' | 'Gr' | 'aTilde' | 'yhat'>;


function tensorsOf(c: Layers): Tensor[] {
  return [...c.x, ...c.a, ...c.Gu, ...c.Gr, ...c.aTilde, ...c.yhat].filter(Boolean) as Tensor[];
}

function cacheOf(layers: Layers, m: number, T: number): GruCache {
  return { ...layers, family: 'gru', m, T, dispose: () => tf.dispose(tensorsOf(layers)) };
}

/**
 * Builds a GRU with the course's gates (Gamma_r inside the candidate's product; see {@link Gru}).
 * Same options and seed, same weights.
 *
 * @example
 * ```ts
 * const net = gs.gru({ nx: 3, na: 16, ny: 1, seed: 1 });
 * net.params.Wr.shape;   // [19, 16], acting on [a^(t-1), x^(t)]
 * ```
 */
export function gru(options: GruOptions): Gru {
  if (!options || typeof options !== 'object') throw invalid('options', options, 'an object like { nx: 3, na: 16, ny: 1 }');
  knownKeys('options', options, KEYS);
  const { output = 'sigmoid', seed = 0, scale = 1, outputs = 'last' } = options;
  const spec: GruSpec = {
    nx: size('nx', options.nx),
    na: size('na', options.na),
    ny: size('ny', options.ny),
    output: outputOption(output),
    outputs: outputsOption(outputs),
    init: initOption(options.init, 'xavier'),
    scale: number('scale', scale),
    seed: number('seed', seed, { integer: true }),
    updateBias: number('updateBias', options.updateBias ?? 0, { min: -100, max: 100 }),
  };
  if (spec.output === 'softmax' && spec.ny < 2) throw invalid('ny', spec.ny, `at least 2 outputs for a softmax output (one of ${OUTPUTS.join(', ')})`);
  if (typeof spec.init === 'object' && 'identity' in spec.init) {
    throw invalid('init', spec.init, `a random init (zeros, small, uniform, lecun, xavier, he, orthogonal or { gain: K }): Wu, Wr and Wa are [na + nx, na] = [${spec.na + spec.nx}, ${spec.na}], not square`);
  }
  checkNetSize('gru', spec, 3, spec.init);
  const r = rng(spec.seed);
  const draw = (name: string) => float32Weights('init', spec.init, drawWeights(spec.init, spec.na + spec.nx, spec.na, r, 1), name);
  const Wu = draw('Wu'), Wr = draw('Wr'), Wa = float32Weights('scale', spec.scale, draw('Wa').map((w) => w * spec.scale), 'Wa');
  return new Gru(spec, { Wu, Wr, Wa, Wy: float32Weights('init', spec.init, drawWeights(spec.init, spec.na, spec.ny, r, 2), 'Wy') });
}
