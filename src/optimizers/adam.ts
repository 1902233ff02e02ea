/**
 * Adam (Kingma and Ba 2015, "Adam: a method for stochastic optimization", Algorithm 1): momentum on
 * the gradient (m) and RMSProp's running mean of its square (v), both bias-corrected because they
 * start at 0. With t the number of steps taken before this one:
 *   m     <- beta1 m + (1 - beta1) g
 *   v     <- beta2 v + (1 - beta2) g^2
 *   m-hat  = m / (1 - beta1^(t+1)),   v-hat = v / (1 - beta2^(t+1))
 *   w     <- w - alpha m-hat / (sqrt(v-hat) + eps),   t <- t + 1
 * tf.train.adam has the same formula; its eps defaults to 1e-7 (the paper: 1e-8).
 */
import { tf } from '../core/backend';
import { checkedStepTensor, checkState, field, ratio, ratioTensor, resolve, steps, vectors, type Optimizer, type OptimizerState, type StepOptions, type TensorUpdate } from './common';

const defaults = { lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8 } as const;

const updateTensor: TensorUpdate = (w, dw, state, { lr, beta1, beta2, eps }) => {
  const t = state.t ?? 0;
  const c1 = 1 - beta1 ** (t + 1), c2 = 1 - beta2 ** (t + 1);
  return tf.tidy(() => {
    const g1 = dw.mul(1 - beta1), g2 = dw.square().mul(1 - beta2);
    const m = state.m ? state.m.mul(beta1).add(g1) : g1;
    const v = state.v ? state.v.mul(beta2).add(g2) : g2;
    const step = ratioTensor(m.div(c1).mul(lr), v.div(c2).sqrt().add(eps), eps);
    return { w: w.sub(step), state: { m, v, t: t + 1 } };
  });
};

/**
 * Adam: bias-corrected running means of dw and dw^2 (state `m`, `v`, `t`; Kingma and Ba 2015).
 *
 * @example
 * ```ts
 * const s = gs.optimizers.adam.step([1], [2], {}, { lr: 0.1 });
 * // m [0.2], v [0.004], t 1; m-hat 2, v-hat 4: w [1 - 0.1 * 2 / (2 + 1e-8)] = [0.9]
 * ```
 */
export const adam: Optimizer & {
  /** The effective step size: lr / (sqrt(v-hat) + eps) with v-hat = v / (1 - beta2^t), per parameter, from the state after a step (what gs.charts.stepSizes draws). */
  stepSize(state: OptimizerState, options?: StepOptions): Float64Array;
} = {
  name: 'adam',
  defaults,
  stateFields: ['m', 'v', 't'],
  step(w, dw, state, options) {
    checkState(state);
    const { lr, beta1, beta2, eps } = resolve('adam', defaults, options);
    const [w0, g] = vectors(w, dw);
    const m = field(state, 'm', w0.length), v = field(state, 'v', w0.length);
    const t = steps(state);
    const c1 = 1 - beta1 ** (t + 1), c2 = 1 - beta2 ** (t + 1); // bias corrections of this step
    const out = new Float64Array(w0.length);
    for (let i = 0; i < out.length; i++) {
      m[i] = beta1 * m[i] + (1 - beta1) * g[i]; //        m = beta1 m + (1 - beta1) g
      v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i]; // v = beta2 v + (1 - beta2) g^2
      out[i] = w0[i] - ratio(lr * (m[i] / c1), Math.sqrt(v[i] / c2) + eps, i, 'sqrt(v-hat)'); // w - alpha m-hat / (sqrt(v-hat) + eps)
    }
    return { w: out, state: { m, v, t: t + 1 } };
  },
  stepTensor: checkedStepTensor('adam', defaults, ['m', 'v'], updateTensor),
  updateTensor,
  /** The effective step size of each parameter after a step: lr / (sqrt(v-hat) + eps), v-hat = v / (1 - beta2^t). */
  stepSize(state, options) {
    const { lr, beta2, eps } = resolve('adam', defaults, options);
    const t = steps(state);
    const v = state.v ?? new Float64Array(0);
    const c2 = 1 - beta2 ** t;
    return Float64Array.from(v, (x) => lr / (Math.sqrt(x / c2) + eps));
  },
};
