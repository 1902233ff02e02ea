/** One LSTM step's backward pass, the hook gs.lstm's BPTT calls at each t (and students write). */
import type { Tensor, Tensor2D } from '@tensorflow/tfjs';
import { tf } from '../core/backend';

/** The LSTM's gate variants, as gs.lstm's `variant` option takes them (see LstmVariant). */
export const LSTM_VARIANTS = ['standard', 'lecture'] as const;
/** 'standard': every gate reads [a^(t-1), x^(t)]. 'lecture': Gamma_f and Gamma_o read [c^(t-1), x^(t)], as on lecture 002's slide. */
export type LstmVariant = (typeof LSTM_VARIANTS)[number];

/** What step t's backward reads: the step's inputs, gates and outputs, and the gate matrices. */
export interface LstmStep {
  /** The step, 1..T. */
  t: number;
  /** The variant: which gates read [c^(t-1), x^(t)]. */
  variant: LstmVariant;
  /** a^(t-1), [m, na]. */
  aPrev: Tensor2D;
  /** c^(t-1), [m, na]. */
  cPrev: Tensor2D;
  /** x^(t), [m, nx]. */
  x: Tensor2D;
  /** c~ = tanh(h Wc + bc), [m, na]. */
  cTilde: Tensor2D;
  /** Gamma_u = sigmoid(h Wu + bu), [m, na]. */
  Gu: Tensor2D;
  /** Gamma_f = sigmoid(h' Wf + bf), [m, na]. */
  Gf: Tensor2D;
  /** Gamma_o = sigmoid(h' Wo + bo), [m, na]. */
  Go: Tensor2D;
  /** c^(t) = Gamma_u * c~ + Gamma_f * c^(t-1), [m, na]. */
  c: Tensor2D;
  /** a^(t) = Gamma_o * tanh(c^(t)), [m, na]. */
  a: Tensor2D;
  /** The forget gate's W, [na + nx, na]: the first na rows act on a^(t-1) (c^(t-1) in 'lecture'). */
  Wf: Tensor2D;
  /** The update gate's W, [na + nx, na]. */
  Wu: Tensor2D;
  /** The candidate cell's W, [na + nx, na]. */
  Wc: Tensor2D;
  /** The output gate's W, [na + nx, na]: the first na rows act on a^(t-1) (c^(t-1) in 'lecture'). */
  Wo: Tensor2D;
}

/** A step's gradients: its shares of the eight gate blocks, and daPrev = dJ/da^(t-1), dcPrev = dJ/dc^(t-1) through this step. */
export interface LstmStepGrads {
  /** h'^T delta_f, delta_f = dc_total * c^(t-1) * Gamma_f (1 - Gamma_f). */
  dWf: Tensor;
  /** h^T delta_u, delta_u = dc_total * c~ * Gamma_u (1 - Gamma_u). */
  dWu: Tensor;
  /** h^T delta_c, delta_c = dc_total * Gamma_u * (1 - c~^2). */
  dWc: Tensor;
  /** h'^T delta_o, delta_o = da * tanh(c^(t)) * Gamma_o (1 - Gamma_o). */
  dWo: Tensor;
  /** The sum over rows of delta_f. */
  dbf: Tensor;
  /** The sum over rows of delta_u. */
  dbu: Tensor;
  /** The sum over rows of delta_c. */
  dbc: Tensor;
  /** The sum over rows of delta_o. */
  dbo: Tensor;
  /** dJ/da^(t-1) through this step: (delta_c Wc^T + delta_u Wu^T + delta_f Wf^T + delta_o Wo^T)[:, :na] ('standard'). */
  daPrev: Tensor;
  /** dJ/dc^(t-1) through this step: dc_total * Gamma_f (+ the f and o shares in 'lecture'). */
  dcPrev: Tensor;
}

/** A step backward: (step t, da = dJ/da^(t), dc = dJ/dc^(t) through step t+1) -> its gradients and da_prev, dc_prev. */
export type LstmStepBackward = (step: LstmStep, da: Tensor2D, dc: Tensor2D) => LstmStepGrads;

/**
 * The LSTM step backward of the module header, one step t (da = dJ/da^(t) in total, dc = dJ/dc^(t)
 * through step t+1 only):
 *   dc_total = dc + da * Gamma_o * (1 - tanh^2(c^(t))),
 *   delta_o = da * tanh(c^(t)) * Gamma_o (1 - Gamma_o),  delta_c = dc_total * Gamma_u * (1 - c~^2),
 *   delta_u = dc_total * c~ * Gamma_u (1 - Gamma_u),      delta_f = dc_total * c^(t-1) * Gamma_f (1 - Gamma_f),
 *   dW_k = h_k^T delta_k,  db_k = sum_i delta_k,  dc_prev = dc_total * Gamma_f,
 *   da_prev = (delta_c Wc^T + delta_u Wu^T + delta_f Wf^T + delta_o Wo^T)[:, :na]
 * (in 'lecture', the f and o shares go to dc_prev instead). It is the default `step` of
 * {@link Lstm.backward}; the homework of notebooks/homework/lstm-step writes the same function.
 *
 * @example
 * ```ts
 * const net = gs.lstm({ nx: 3, na: 4, ny: 1, seed: 1 });
 * const X = gs.tf.randomNormal([2, 5, 3], 0, 1, 'float32', 1), Y = gs.tf.tensor2d([[1], [0]]);
 * const { output, cache } = net.forward(X);
 * const same = net.backward(cache, Y, gs.lstmStepBackward);   // = net.backward(cache, Y)
 * // one step by hand: step 5's gradients from da = dJ/da^(5), dc = 0 (nothing after the last step)
 * const g = gs.lstmStepBackward(net.stepOf(cache, 5), gs.tf.onesLike(cache.a[5]), gs.tf.zerosLike(cache.c[5]));
 * ```
 */
export const lstmStepBackward: LstmStepBackward = (s, da, dc) => {
  const na = s.aPrev.shape[1];
  const one = tf.scalar(1);
  const tc = tf.tanh(s.c);
  const dcTotal = dc.add(da.mul(s.Go).mul(one.sub(tc.square()))); // dc_total = dc + da * Gamma_o * (1 - tanh^2 c)
  const deltaO = da.mul(tc).mul(s.Go.mul(one.sub(s.Go))); // delta_o = da * tanh(c) * Gamma_o (1 - Gamma_o)
  const deltaC = dcTotal.mul(s.Gu).mul(one.sub(s.cTilde.square())); // delta_c = dc_total * Gamma_u * (1 - c~^2)
  const deltaU = dcTotal.mul(s.cTilde).mul(s.Gu.mul(one.sub(s.Gu))); // delta_u = dc_total * c~ * Gamma_u (1 - Gamma_u)
  const deltaF = dcTotal.mul(s.cPrev).mul(s.Gf.mul(one.sub(s.Gf))); // delta_f = dc_total * c_prev * Gamma_f (1 - Gamma_f)
  const h = tf.concat([s.aPrev, s.x], 1); // [a_prev, x]
  const hFO = s.variant === 'lecture' ? tf.concat([s.cPrev, s.x], 1) : h; // what Gamma_f and Gamma_o read
  const top = (W: Tensor2D) => W.slice([0, 0], [na, na]).transpose(); // W[:na]^T, the rows acting on a_prev (or c_prev)
  const viaA = deltaC.matMul(top(s.Wc)).add(deltaU.matMul(top(s.Wu))); // through c~ and Gamma_u
  const viaFO = deltaF.matMul(top(s.Wf)).add(deltaO.matMul(top(s.Wo))); // through Gamma_f and Gamma_o
  let dcPrev = dcTotal.mul(s.Gf); // dc_prev = dc_total * Gamma_f
  let daPrev = viaA;
  if (s.variant === 'lecture') dcPrev = dcPrev.add(viaFO);
  else daPrev = daPrev.add(viaFO);
  return {
    dWf: hFO.transpose().matMul(deltaF), dWu: h.transpose().matMul(deltaU), // dW_k = h_k^T delta_k
    dWc: h.transpose().matMul(deltaC), dWo: hFO.transpose().matMul(deltaO),
    dbf: deltaF.sum(0), dbu: deltaU.sum(0), dbc: deltaC.sum(0), dbo: deltaO.sum(0), // db_k = sum_i delta_k
    daPrev, dcPrev,
  };
};

