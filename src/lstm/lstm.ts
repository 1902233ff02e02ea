/**
 * The LSTM of lecture 002 ("Change your architecture - LSTM"): its forward pass, its hand-written
 * backpropagation through time and its float64 mirror, side by side. Rows are examples; X is
 * [m, T, nx], x^(t) = X[:, t-1, :]; [p, q] concatenates columns; * is elementwise.
 *
 * Forward, t = 1..T (a^(0) = a0, c^(0) = c0, zeros by default), h = [a^(t-1), x^(t)]:
 *   c~      = tanh(h Wc + bc)
 *   Gamma_u = sigmoid(h Wu + bu)                        update gate
 *   Gamma_f = sigmoid(h' Wf + bf)                       forget gate (bf starts at forgetBias)
 *   Gamma_o = sigmoid(h' Wo + bo)                       output gate
 *   c^(t)   = Gamma_u * c~ + Gamma_f * c^(t-1)
 *   a^(t)   = Gamma_o * tanh(c^(t))
 * with h' = h (variant 'standard') or h' = [c^(t-1), x^(t)] (variant 'lecture': the lecture's slide
 * feeds the forget and output gates the previous cell instead of the previous hidden state).
 * Every W is [na + nx, na], every b [na]; the output layer reads a^(t) (src/recurrent/sequence.ts).
 *
 * Backward, one step (da = dJ/da^(t) in total; dc = dJ/dc^(t) through step t+1 only):
 *   dc_total = dc + da * Gamma_o * (1 - tanh^2(c^(t)))
 *   delta_o  = da * tanh(c^(t)) * Gamma_o (1 - Gamma_o)
 *   delta_c  = dc_total * Gamma_u * (1 - c~^2)
 *   delta_u  = dc_total * c~ * Gamma_u (1 - Gamma_u)
 *   delta_f  = dc_total * c^(t-1) * Gamma_f (1 - Gamma_f)
 *   dW_k = h_k^T delta_k,  db_k = sum_i delta_k,i       (h_k = h, or h' for f and o)
 *   da_prev  = (delta_c Wc^T + delta_u Wu^T + delta_f Wf^T + delta_o Wo^T)[:, :na]      ('standard')
 *   dc_prev  = dc_total * Gamma_f
 * In the 'lecture' variant delta_f Wf^T + delta_o Wo^T goes to dc_prev instead of da_prev.
 * gradscope loops the step from t = T down to 1: da^(t) = the output's share + da_prev of step t+1.
 */
import { sigmoid64 } from '../nn/activations';
import type { Tensor, Tensor2D, Tensor3D, Variable } from '@tensorflow/tfjs';
import { tf } from '../core/backend';
import { invalid, knownKeys, number, oneOf } from '../core/errors';
import { drawWeights, initLabel, type Init } from '../nn/init';
import { OUTPUTS, type Output } from '../nn/losses';
import type { Grads, Loss64, Model, NumericPaths, PathOptions } from '../nn/model';
import { recurrentPaths } from '../recurrent/paths64';
import { lstmCell } from './delta64';
import { rng } from '../core/random';
import { dot } from '../core/math64';
import {
  SequenceNet, cacheDims, checkNetSize, float32Weights, float32Number, initOption, initSuffix, stepGrads, sum, checkX, costTensor, initialState, makeParams,
  outputBackward, outputForward, outputLoss64, outputOption, outputsOption, outputTensor, seq64, size, steps,
  targets, views, type SequenceCache, type SequenceOutputs, type SequenceShape,
} from '../recurrent/sequence';
import { registerFamily } from '../nn/registry';
import { frobenius, overflowAt, type StepNorm, type ThroughTimeModel } from '../recurrent/throughTime';

registerFamily({ name: 'lstm', factory: 'gs.lstm', order: 3, recurrent: true });

/**
 * The LSTM variants: `'standard'` (every gate reads h = [a^(t-1), x^(t)]) and `'lecture'` (Gamma_f
 * and Gamma_o read [c^(t-1), x^(t)], as on lecture 002's slide).
 *
 * @example
 * ```ts
 * gs.LSTM_VARIANTS;   // ['standard', 'lecture']
 * ```
 */
import { LSTM_VARIANTS, type LstmVariant, type LstmStep, type LstmStepBackward, type LstmStepGrads, lstmStepBackward } from './step';

export { LSTM_VARIANTS, lstmStepBackward, type LstmVariant, type LstmStep, type LstmStepBackward, type LstmStepGrads };

/** The four gates in theta's order, with what they are called in messages. */
export const GATES = [
  { key: 'f', gamma: 'Gamma_f', name: 'the forget gate' },
  { key: 'u', gamma: 'Gamma_u', name: 'the update gate' },
  { key: 'c', gamma: 'c~', name: 'the candidate cell c~' },
  { key: 'o', gamma: 'Gamma_o', name: 'the output gate' },
] as const;

/** Options of {@link lstm}. */
export interface LstmOptions {
  /** Inputs per step. */
  nx: number;
  /** Hidden units (the width of a^(t) and c^(t)). */
  na: number;
  /** Outputs. */
  ny: number;
  /** Output layer and loss, as in gs.mlp: 'sigmoid' (default), 'softmax', 'linear'. */
  output?: Output;
  /** Initialisation of the gate matrices and Wy (fan-in na + nx). Default 'xavier'. */
  init?: Init;
  /** Seed of the weights. Default 0. */
  seed?: number;
  /** The forget gate's initial bias bf: Gamma_f starts near sigmoid(forgetBias) (0.73 at 1). Default 1. */
  forgetBias?: number;
  /** 'last' (default) or 'every', as in gs.rnn. */
  outputs?: SequenceOutputs;
  /** 'standard' (default) or 'lecture'. */
  variant?: LstmVariant;
}

/** The architecture, fixed at construction. */
export interface LstmSpec extends SequenceShape {
  /** The initialisation the gate matrices and Wy were drawn with. */
  init: Init;
  /** The seed of the weights. */
  seed: number;
  /** The forget gate's initial bias bf. */
  forgetBias: number;
  /** Which gates read [c^(t-1), x^(t)]: see {@link LstmVariant}. */
  variant: LstmVariant;
}

/** The LSTM forward's tensors per step t = 1..T (index 0 undefined, except a[0], c[0]). */
export interface LstmCache extends SequenceCache {
  /** c[t], [m, na], t = 0..T, c[0] = c0. */
  c: Tensor2D[];
  /** c~[t] = tanh(h Wc + bc), the candidate cell, [m, na], t = 1..T. */
  cTilde: (Tensor2D | undefined)[];
  /** Gamma_u[t], the update gate, [m, na], t = 1..T. */
  Gu: (Tensor2D | undefined)[];
  /** Gamma_f[t], the forget gate, [m, na], t = 1..T. */
  Gf: (Tensor2D | undefined)[];
  /** Gamma_o[t], the output gate, [m, na], t = 1..T. */
  Go: (Tensor2D | undefined)[];
  /** The variant the forward pass ran. */
  variant: LstmVariant;
}

/** tf ops, [na + nx, na] matrix products and cached tensors per step of the forward pass (for the up-front time estimate). */
const STEP_COST = { ops: 20, gates: 4, kept: 9 };
const KEYS = ['nx', 'na', 'ny', 'output', 'init', 'seed', 'forgetBias', 'outputs', 'variant'];
const STEP_GRADS = ['dWf', 'dWu', 'dWc', 'dWo', 'dbf', 'dbu', 'dbc', 'dbo'] as const;

/**
 * An LSTM built by {@link lstm} (lecture 002's gates). X is [m, T, nx]; with h = [a^(t-1), x^(t)]:
 * c~ = tanh(h Wc + bc), Gamma_u = sigmoid(h Wu + bu), Gamma_f = sigmoid(h Wf + bf),
 * Gamma_o = sigmoid(h Wo + bo), c^(t) = Gamma_u * c~ + Gamma_f * c^(t-1), a^(t) = Gamma_o * tanh(c^(t));
 * variant 'lecture': Gamma_f and Gamma_o read [c^(t-1), x^(t)], as on the slide. The output layer
 * (the MLP's losses) reads a^(T) ('last') or every a^(t) ('every', J summed over t). Parameters:
 * Wf, Wu, Wc, Wo [na + nx, na]; bf, bu, bc, bo [na]; Wy, by. {@link gradCheck}, {@link train} and
 * {@link gradientThroughTime} take it like an MLP; `backward(cache, Y, step)` loops your own step
 * backward through time (see {@link lstmStepBackward}).
 *
 * @example
 * ```ts
 * const lstmNet = gs.lstm({ nx: 3, na: 16, ny: 1, forgetBias: 1, seed: 1 });
 * const Xs = gs.tf.randomNormal([8, 20, 3], 0, 1, 'float32', 1);          // [m, T, nx]
 * const Ys = gs.tf.tidy(() => gs.tf.randomUniform([8, 1], 0, 1, 'float32', 2).round());
 * console.log(lstmNet.params.Wf.shape);   // [ 19, 16 ]
 * const seq = lstmNet.forward(Xs);        // seq.cache.a[t], c[t] for t = 0..T; Gu, Gf, Go, cTilde for t = 1..T
 * const bptt = lstmNet.backward(seq.cache, Ys);       // { dWf, dWu, dWc, dWo, dbf, dbu, dbc, dbo, dWy, dby }
 * const viaTf = lstmNet.autogradGrads(Xs, Ys);        // the same by tf.variableGrads
 * console.log(gs.gradCheck(lstmNet, Xs, Ys).verdict);  // great (hand vs autograd vs float64, lstmNet.mirror64)
 * gs.tf.dispose([seq.output, bptt, viaTf]); seq.cache.dispose();
 * ```
 */
export class Lstm extends SequenceNet<{
  /** a^(0), [m, na]; zeros when left out. */
  a0?: Tensor;
  /** c^(0), [m, na]; zeros when left out. */
  c0?: Tensor;
}> implements Model<LstmCache>, ThroughTimeModel {
  /** The model family: 'lstm'. */
  readonly family = 'lstm';
  /** The architecture (sizes, output, init, seed, forgetBias, variant). */
  readonly spec: LstmSpec;

  constructor(spec: LstmSpec, W: Record<'Wf' | 'Wu' | 'Wc' | 'Wo' | 'Wy', Float64Array>) {
    const { nx, na, ny } = spec;
    const k = na + nx;
    super(makeParams([
      ...(['Wf', 'Wu', 'Wc', 'Wo'] as const).map((name) => ({ name, shape: [k, na], layer: 1, values: W[name] })),
      { name: 'bf', shape: [na], layer: 1, values: new Float64Array(na).fill(spec.forgetBias) },
      ...['bu', 'bc', 'bo'].map((name) => ({ name, shape: [na], layer: 1, values: new Float64Array(na) })),
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
   * const net = gs.lstm({ nx: 3, na: 5, ny: 1, seed: 1 });
   * const { output, cache } = net.forward(gs.tf.randomNormal([4, 10, 3]));
   * cache.Gf[10];   // the forget gate at the last step, [4, 5]
   * output.dispose(); cache.dispose();
   * ```
   */
  forward(X: Tensor, options: { a0?: Tensor; c0?: Tensor } = {}): {
    /** y-hat^(T), [m, ny] ('last'), or y-hat, [m, T, ny] ('every'). */
    output: Tensor;
    /** x, a, c, c~ and the gates per step, for {@link Lstm.backward}. */
    cache: LstmCache;
  } {
    knownKeys('options', options, ['a0', 'c0']);
    const { m, T } = this.begin(X, STEP_COST);
    const a0 = initialState('a0', options?.a0, m, this.spec.na);
    let c0: Tensor2D;
    try {
      c0 = initialState('c0', options?.c0, m, this.spec.na);
    } catch (e) {
      a0.dispose();
      throw e;
    }
    const cache = this.run(X as Tensor3D, a0, c0, m, T);
    return { output: tf.tidy(() => outputTensor(this.spec, cache.yhat)), cache };
  }

  /** The forward tensors as a cache; takes ownership of a0 and c0. */
  private run(X: Tensor3D, a0: Tensor2D, c0: Tensor2D, m: number, T: number): LstmCache {
    const variant = this.spec.variant;
    const layers = tf.tidy(() => {
      const { Wf, Wu, Wc, Wo, bf, bu, bc, bo, Wy, by } = this.params;
      const x = steps(X);
      const a: Tensor2D[] = [a0], c: Tensor2D[] = [c0];
      const none = () => [undefined] as (Tensor2D | undefined)[];
      const cTilde = none(), Gu = none(), Gf = none(), Go = none();
      for (let t = 1; t <= T; t++) {
        const h = tf.concat([a[t - 1], x[t]!], 1); // h = [a_prev, x]
        const hFO = variant === 'lecture' ? tf.concat([c[t - 1], x[t]!], 1) : h; // 'lecture': [c_prev, x]
        cTilde[t] = tf.tanh(h.matMul(Wc).add(bc)) as Tensor2D; // c~ = tanh(h Wc + bc)
        Gu[t] = tf.sigmoid(h.matMul(Wu).add(bu)) as Tensor2D; // Gamma_u = sigmoid(h Wu + bu)
        Gf[t] = tf.sigmoid(hFO.matMul(Wf).add(bf)) as Tensor2D; // Gamma_f = sigmoid(h' Wf + bf)
        Go[t] = tf.sigmoid(hFO.matMul(Wo).add(bo)) as Tensor2D; // Gamma_o = sigmoid(h' Wo + bo)
        c[t] = Gu[t]!.mul(cTilde[t]!).add(Gf[t]!.mul(c[t - 1])); // c = Gamma_u * c~ + Gamma_f * c_prev
        a[t] = Go[t]!.mul(tf.tanh(c[t])); // a = Gamma_o * tanh(c)
      }
      const yhat = outputForward(this.spec, a, Wy, by);
      return { x, a, c, cTilde, Gu, Gf, Go, yhat } as unknown as import('@tensorflow/tfjs').TensorContainerObject;
    }) as unknown as Layers;
    return cacheOf(layers, m, T, variant);
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
   * const s = net.stepOf(cache, 3);   // s.aPrev, s.cPrev, s.x, s.cTilde, s.Gu, s.Gf, s.Go, s.c, s.a, s.Wf, ...
   * ```
   */
  stepOf(cache: LstmCache, t: number): LstmStep {
    const { Wf, Wu, Wc, Wo } = this.params as Record<string, Variable> as Record<string, Tensor2D>;
    return {
      t, variant: this.spec.variant, aPrev: cache.a[t - 1], cPrev: cache.c[t - 1], x: cache.x[t]!,
      cTilde: cache.cTilde[t]!, Gu: cache.Gu[t]!, Gf: cache.Gf[t]!, Go: cache.Go[t]!, c: cache.c[t], a: cache.a[t],
      Wf, Wu, Wc, Wo,
    };
  }

  /**
   * Backpropagation through time, by hand: `{ dWf, dWu, dWc, dWo, dbf, dbu, dbc, dbo, dWy, dby }`.
   * `step` replaces the step backward (the homework's, or a planted bug); gradscope loops it
   * from t = T to 1, passing da^(t) (the output's share + da_prev of step t+1) and dc = dc_prev of step t+1.
   *
   * @example
   * ```ts
   * const { output, cache } = net.forward(X);
   * const grads = net.backward(cache, Y);   // grads.dWf: [na + nx, na]
   * ```
   */
  backward(cache: LstmCache, Y: Tensor, step: LstmStepBackward = lstmStepBackward): Grads {
    this.live();
    const { m, T } = cacheDims(cache, 'lstm', step);
    const y = targets(this.spec, Y, m, T);
    try {
      return tf.tidy(() => {
        const { dWy, dby, daOut } = outputBackward(this.spec, cache, y, this.params.Wy);
        const g: Grads = {};
        for (const name of STEP_GRADS) g[name] = tf.zeros(this.params[name.slice(1)].shape);
        const zeros = () => tf.zeros([m, this.spec.na]) as Tensor2D;
        const shapes: Record<string, number[]> = { daPrev: [m, this.spec.na], dcPrev: [m, this.spec.na] };
        for (const name of STEP_GRADS) shapes[name] = this.params[name.slice(1)].shape;
        let daNext: Tensor | undefined;
        let dc: Tensor = zeros(); // dJ/dc^(T) through step T+1: none
        for (let t = T; t >= 1; t--) {
          const da = (sum(daOut[t], daNext) ?? zeros()) as Tensor2D; // da^(t) = output's share + da_prev of step t+1
          const at = this.stepOf(cache, t);
          const s = stepGrads<LstmStepGrads>(step(at, da, dc as Tensor2D), t, shapes, step === lstmStepBackward ? undefined : () => lstmStepBackward(at, da, dc as Tensor2D));
          for (const name of STEP_GRADS) g[name] = g[name].add(s[name]);
          daNext = s.daPrev;
          dc = s.dcPrev;
        }
        return { ...g, dWy, dby };
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
  forwardAndAutograd(X: Tensor, y: Tensor, options: { a0?: Tensor; c0?: Tensor } = {}): {
    /** The forward pass's cache, as {@link Lstm.forward} gives it. */
    cache: LstmCache;
    /** tf autograd's gradients of J, `{ dWf, ..., dby }`. */
    grads: Grads;
  } {
    const { m, T } = this.begin(X, STEP_COST);
    const yy = targets(this.spec, y, m, T);
    const state: Tensor2D[] = [];
    let cache: LstmCache | undefined;
    try {
      state.push(initialState('a0', options?.a0, m, this.spec.na), initialState('c0', options?.c0, m, this.spec.na));
      const { value, grads } = tf.variableGrads(() => {
        cache = this.run(X as Tensor3D, tf.keep(state[0].clone()), tf.keep(state[1].clone()), m, T);
        for (const t of tensorsOf(cache)) tf.keep(t);
        return costTensor(this.spec, cache.a, yy, this.params.Wy, this.params.by) as import('@tensorflow/tfjs').Scalar;
      }, Object.values(this.params));
      value.dispose();
      const out: Grads = {};
      for (const b of this.blocks) out[b.grad] = grads[this.params[b.name].name];
      return { cache: cache!, grads: out };
    } finally {
      tf.dispose([yy, ...state]);
    }
  }

  /**
   * The loss of this batch in float64 as a function of theta: the forward pass of the header on
   * Float64Arrays, with the cache's a0 and c0; `rows[i]` is sequence i's share of J.
   *
   * @example
   * ```ts
   * const J = net.mirror64(X, net.labels(Y, X), cache);
   * J(net.toVector()).J;   // = net.loss(X, Y) to float32 round-off
   * ```
   */
  mirror64(X: Tensor, y: Tensor, cache: LstmCache): Loss64 {
    const { m, T } = checkX(X, this.spec.nx);
    const yy = targets(this.spec, y, m, T);
    const s = seq64(this.spec, X, yy, cache.a[0], cache.c[0]);
    yy.dispose();
    const { nx, na, variant } = this.spec;
    const k = na + nx;
    const order = ['Wc', 'Wu', 'Wf', 'Wo'] as const; // gate g of unit j is row g na + j of the packed W^T
    const h = new Float64Array(k), hFO = new Float64Array(k), z = new Float64Array(4 * na);
    return (theta: Float64Array) => {
      const { v } = views(this.blocks, theta, []);
      // the four W^T packed [4 na, na + nx] and the biases [4 na], so that one dot product is one gate entry
      const WT = new Float64Array(4 * na * k), b = new Float64Array(4 * na);
      order.forEach((name, g) => {
        const W = v[name], bias = v[`b${name[1]}`];
        for (let j = 0; j < na; j++) {
          b[g * na + j] = bias[j];
          for (let r = 0; r < k; r++) WT[(g * na + j) * k + r] = W[r * na + j];
        }
      });
      const a: Float64Array[] = [s.a0];
      const c: Float64Array[] = [s.c0!];
      for (let t = 1; t <= T; t++) {
        const ap = a[t - 1], cp = c[t - 1], x = s.x[t];
        const ct = new Float64Array(m * na), at = new Float64Array(m * na);
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < na; j++) { h[j] = ap[i * na + j]; hFO[j] = variant === 'lecture' ? cp[i * na + j] : h[j]; }
          for (let j = 0; j < nx; j++) h[na + j] = hFO[na + j] = x[i * nx + j];
          for (let r = 0; r < 2 * na; r++) z[r] = b[r] + dot(h, 0, WT, r * k, k); // c~ and Gamma_u read [a_prev, x]
          for (let r = 2 * na; r < 4 * na; r++) z[r] = b[r] + dot(hFO, 0, WT, r * k, k); // Gamma_f, Gamma_o: h' ('lecture': [c_prev, x])
          for (let j = 0; j < na; j++) {
            const cTilde = Math.tanh(z[j]); // c~ = tanh(h Wc + bc)
            const Gu = sigmoid64(z[na + j]), Gf = sigmoid64(z[2 * na + j]), Go = sigmoid64(z[3 * na + j]);
            const q = i * na + j;
            ct[q] = Gu * cTilde + Gf * cp[q]; // c = Gamma_u c~ + Gamma_f c_prev
            at[q] = Go * Math.tanh(ct[q]); // a = Gamma_o tanh(c)
          }
        }
        c.push(ct);
        a.push(at);
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
  exactPaths(X: Tensor, Y: Tensor, options: PathOptions): NumericPaths<LstmCache> | undefined {
    return recurrentPaths(this, X, Y, options, (s, theta) => lstmCell(this.spec, this.blocks, s, theta), { module: require.resolve('./delta64'), name: 'lstmCell' }) as NumericPaths<LstmCache> | undefined;
  }

  /** 'lstm forgetBias 1', 'lstm (lecture) orthogonal forgetBias 0' (the init when not the default): a series name for charts. */
  seriesName(): string {
    const s = this.spec;
    return `lstm${s.variant === 'lecture' ? ' (lecture)' : ''}${initSuffix(s.init, 'xavier')} forgetBias ${s.forgetBias}`;
  }

  /** ||dJ/da^(t)|| and ||dJ/dc^(t)|| (dc_total of step t) for t = 1..T from the hand-written backward (see gs.gradientThroughTime). */
  normsThroughTime(X: Tensor, Y: Tensor, state: { a0?: Tensor; c0?: Tensor }): StepNorm[] {
    const rows: StepNorm[] = [];
    const { output, cache } = this.forward(X, state);
    try {
      tf.dispose(this.backward(cache, Y, (step, da, dc) => {
        const dcTotal = dc.add(da.mul(step.Go).mul(tf.scalar(1).sub(tf.tanh(step.c).square()))); // dJ/dc^(t)
        rows.push({ t: step.t, gradNorm: frobenius(da), cellGradNorm: frobenius(dcTotal), ...overflowAt(step.a) });
        return lstmStepBackward(step, da, dc);
      }));
    } finally {
      output.dispose();
      cache.dispose();
    }
    return rows;
  }

  /** `lstm nx 3 na 5 ny 1 sigmoid, outputs last, forgetBias 1, init xavier, 206 parameters` */
  toString(): string {
    const s = this.spec;
    return `lstm${s.variant === 'lecture' ? ' (lecture variant)' : ''} nx ${s.nx} na ${s.na} ny ${s.ny} ${s.output}, outputs ${s.outputs}, forgetBias ${s.forgetBias}, init ${initLabel(s.init)}, ${this.size} parameters`;
  }
}

type Layers = Pick<LstmCache, 'x' | 'a' | 'c' | 'cTilde' | 'Gu' | 'Gf' | 'Go' | 'yhat'>;


function tensorsOf(c: Layers): Tensor[] {
  return [...c.x, ...c.a, ...c.c, ...c.cTilde, ...c.Gu, ...c.Gf, ...c.Go, ...c.yhat].filter(Boolean) as Tensor[];
}

function cacheOf(layers: Layers, m: number, T: number, variant: LstmVariant): LstmCache {
  return { ...layers, family: 'lstm', m, T, variant, dispose: () => tf.dispose(tensorsOf(layers)) };
}

/**
 * Builds an LSTM with lecture 002's gates. Same options and seed, same weights.
 *
 * @example
 * ```ts
 * const net = gs.lstm({ nx: 3, na: 16, ny: 1, forgetBias: 1, seed: 1 });
 * net.params.Wf.shape;   // [19, 16], acting on [a^(t-1), x^(t)]
 * gs.lstm({ nx: 3, na: 16, ny: 1, variant: 'lecture' });   // Gamma_f, Gamma_o on [c^(t-1), x^(t)]
 * ```
 */
export function lstm(options: LstmOptions): Lstm {
  if (!options || typeof options !== 'object') throw invalid('options', options, 'an object like { nx: 3, na: 16, ny: 1 }');
  knownKeys('options', options, KEYS);
  const { output = 'sigmoid', seed = 0, forgetBias = 1, outputs = 'last', variant = 'standard' } = options;
  const spec: LstmSpec = {
    nx: size('nx', options.nx),
    na: size('na', options.na),
    ny: size('ny', options.ny),
    output: outputOption(output),
    outputs: outputsOption(outputs),
    init: initOption(options.init, 'xavier'),
    seed: number('seed', seed, { integer: true }),
    forgetBias: float32Number('forgetBias', forgetBias),
    variant: oneOf('variant', variant, LSTM_VARIANTS),
  };
  if (spec.output === 'softmax' && spec.ny < 2) throw invalid('ny', spec.ny, `at least 2 outputs for a softmax output (one of ${OUTPUTS.join(', ')})`);
  if (typeof spec.init === 'object' && 'identity' in spec.init) {
    throw invalid('init', spec.init, `a random init (zeros, small, uniform, lecun, xavier, he, orthogonal or { gain: K }): Wf, Wu, Wc and Wo are [na + nx, na] = [${spec.na + spec.nx}, ${spec.na}], not square`);
  }
  checkNetSize('lstm', spec, 4, spec.init);
  const r = rng(spec.seed);
  const k = spec.na + spec.nx;
  const draw = (name: string) => float32Weights('init', spec.init, drawWeights(spec.init, name === 'Wy' ? spec.na : k, name === 'Wy' ? spec.ny : spec.na, r, name === 'Wy' ? 2 : 1), name);
  return new Lstm(spec, { Wf: draw('Wf'), Wu: draw('Wu'), Wc: draw('Wc'), Wo: draw('Wo'), Wy: draw('Wy') });
}
