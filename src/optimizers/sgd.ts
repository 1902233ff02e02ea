/**
 * Plain gradient descent (Cauchy 1847; Robbins and Monro 1951 with a fixed step):
 *   theta_(k+1) = theta_k - alpha grad l(theta_k)
 */
import { tf } from '../core/backend';
import { checkedStepTensor, checkState, resolve, vectors, type Optimizer, type TensorUpdate } from './common';

const defaults = { lr: 0.01 } as const;

const updateTensor: TensorUpdate = (w, dw, _state, { lr }) => ({ w: tf.tidy(() => w.sub(dw.mul(lr))), state: {} });

/**
 * Gradient descent: w <- w - lr dw.
 *
 * @example
 * ```ts
 * gs.optimizers.sgd.step([1, 2], [0.5, -1], {}, { lr: 0.1 }).w;   // Float64Array [0.95, 2.1]
 * ```
 */
export const sgd: Optimizer = {
  name: 'sgd',
  defaults,
  stateFields: [],
  step(w, dw, state, options) {
    checkState(state);
    const { lr } = resolve('sgd', defaults, options);
    const [w0, g] = vectors(w, dw);
    const out = new Float64Array(w0.length);
    for (let i = 0; i < out.length; i++) out[i] = w0[i] - lr * g[i]; // w - alpha dw
    return { w: out, state: {} };
  },
  stepTensor: checkedStepTensor('sgd', defaults, [], updateTensor),
  updateTensor,
};
