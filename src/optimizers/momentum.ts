/**
 * Momentum (Polyak 1964; Rumelhart, Hinton and Williams 1986), in lecture 003's notation:
 *   Delta theta_k = eta Delta theta_(k-1) + alpha grad l(w_k)
 *   theta_(k+1)   = theta_k - Delta theta_k
 * tf.train.momentum keeps alpha outside its accumulator (acc = eta acc + grad, theta -= alpha acc):
 * its state is Delta theta / alpha, and with a fixed alpha the parameters are the same.
 */
import { tf } from '../core/backend';
import { checkedStepTensor, checkState, field, resolve, vectors, type Optimizer, type TensorUpdate } from './common';

const defaults = { lr: 0.01, beta: 0.9 } as const;

const updateTensor: TensorUpdate = (w, dw, state, { lr, beta }) => tf.tidy(() => {
  const dTheta = state.dTheta ? state.dTheta.mul(beta).add(dw.mul(lr)) : dw.mul(lr);
  return { w: w.sub(dTheta), state: { dTheta } };
});

/**
 * Momentum: dTheta <- beta dTheta + lr dw, w <- w - dTheta (state `dTheta`, the lecture's Delta theta).
 *
 * @example
 * ```ts
 * let s = gs.optimizers.momentum.step([1], [1], {}, { lr: 0.1, beta: 0.9 });   // w [0.9], dTheta [0.1]
 * s = gs.optimizers.momentum.step(s.w, [1], s.state, { lr: 0.1, beta: 0.9 });  // dTheta [0.19], w [0.71]
 * ```
 */
export const momentum: Optimizer = {
  name: 'momentum',
  defaults,
  stateFields: ['dTheta'],
  step(w, dw, state, options) {
    checkState(state);
    const { lr, beta } = resolve('momentum', defaults, options);
    const [w0, g] = vectors(w, dw);
    const dTheta = field(state, 'dTheta', w0.length);
    const out = new Float64Array(w0.length);
    for (let i = 0; i < out.length; i++) {
      dTheta[i] = beta * dTheta[i] + lr * g[i]; // Delta theta_k = eta Delta theta_(k-1) + alpha grad
      out[i] = w0[i] - dTheta[i]; //               theta_(k+1) = theta_k - Delta theta_k
    }
    return { w: out, state: { dTheta } };
  },
  stepTensor: checkedStepTensor('momentum', defaults, ['dTheta'], updateTensor),
  updateTensor,
};
