/**
 * RMSProp (Tieleman and Hinton 2012, Coursera lecture 6.5): AdaGrad with a running mean of the
 * squared gradients instead of their sum, so the step size does not only shrink:
 *   cache <- decay cache + (1 - decay) g^2
 *   w     <- w - alpha g / (sqrt(cache) + eps)
 * tf.train.rmsprop divides by sqrt(cache + eps) (eps inside the root, default 1e-7).
 */
import { tf } from '../core/backend';
import { checkedStepTensor, checkState, field, ratio, ratioTensor, resolve, vectors, type Optimizer, type OptimizerState, type StepOptions, type TensorUpdate } from './common';

const defaults = { lr: 0.001, decay: 0.9, eps: 1e-8 } as const;

const updateTensor: TensorUpdate = (w, dw, state, { lr, decay, eps }) => tf.tidy(() => {
  const g2 = dw.square().mul(1 - decay);
  const cache = state.cache ? state.cache.mul(decay).add(g2) : g2;
  return { w: w.sub(ratioTensor(dw.mul(lr), cache.sqrt().add(eps), eps)), state: { cache } };
});

/**
 * RMSProp: cache <- decay cache + (1 - decay) dw^2, w <- w - lr dw / (sqrt(cache) + eps).
 *
 * @example
 * ```ts
 * gs.optimizers.rmsprop.step([1], [2], {}, { lr: 0.01, decay: 0.9 });
 * // cache [0.4], w [1 - 0.01 * 2 / (sqrt(0.4) + 1e-8)] = [0.96838]
 * ```
 */
export const rmsprop: Optimizer & {
  /** The effective step size: lr / (sqrt(cache) + eps), per parameter, from the state after a step (what gs.charts.stepSizes draws). */
  stepSize(state: OptimizerState, options?: StepOptions): Float64Array;
} = {
  name: 'rmsprop',
  defaults,
  stateFields: ['cache'],
  step(w, dw, state, options) {
    checkState(state);
    const { lr, decay, eps } = resolve('rmsprop', defaults, options);
    const [w0, g] = vectors(w, dw);
    const cache = field(state, 'cache', w0.length);
    const out = new Float64Array(w0.length);
    for (let i = 0; i < out.length; i++) {
      cache[i] = decay * cache[i] + (1 - decay) * g[i] * g[i]; // cache = decay cache + (1 - decay) g^2
      out[i] = w0[i] - ratio(lr * g[i], Math.sqrt(cache[i]) + eps, i, 'sqrt(cache)'); // w - alpha g / (sqrt(cache) + eps)
    }
    return { w: out, state: { cache } };
  },
  stepTensor: checkedStepTensor('rmsprop', defaults, ['cache'], updateTensor),
  updateTensor,
  /** The effective step size of each parameter after a step: lr / (sqrt(cache) + eps). */
  stepSize(state, options) {
    const { lr, eps } = resolve('rmsprop', defaults, options);
    const cache = state.cache ?? new Float64Array(0);
    return Float64Array.from(cache, (c) => lr / (Math.sqrt(c) + eps));
  },
};
