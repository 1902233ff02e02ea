/**
 * AdaGrad (Duchi, Hazan and Singer 2011, "Adaptive subgradient methods"): one step size per
 * parameter, shrinking with the sum of its squared gradients:
 *   cache <- cache + g^2
 *   w     <- w - alpha g / (sqrt(cache) + eps)
 * tf.train.adagrad starts cache at 0.1 (initialAccumulatorValue) and divides by sqrt(cache + eps)
 * with eps the backend epsilon (1e-7), not an option.
 */
import { tf } from '../core/backend';
import { checkedStepTensor, checkState, field, ratio, ratioTensor, resolve, vectors, type Optimizer, type OptimizerState, type StepOptions, type TensorUpdate } from './common';

const defaults = { lr: 0.01, eps: 1e-8 } as const;

const updateTensor: TensorUpdate = (w, dw, state, { lr, eps }) => tf.tidy(() => {
  const cache = state.cache ? state.cache.add(dw.square()) : dw.square();
  return { w: w.sub(ratioTensor(dw.mul(lr), cache.sqrt().add(eps), eps)), state: { cache } };
});

/**
 * AdaGrad: cache <- cache + dw^2, w <- w - lr dw / (sqrt(cache) + eps) (Duchi et al. 2011).
 *
 * @example
 * ```ts
 * gs.optimizers.adagrad.step([1], [2], {}, { lr: 0.1 });
 * // cache [4], w [1 - 0.1 * 2 / (2 + 1e-8)] = [0.9]: the first step is lr sign(dw)
 * ```
 */
export const adagrad: Optimizer & {
  /** The effective step size: lr / (sqrt(cache) + eps), per parameter, from the state after a step (what gs.charts.stepSizes draws). */
  stepSize(state: OptimizerState, options?: StepOptions): Float64Array;
} = {
  name: 'adagrad',
  defaults,
  stateFields: ['cache'],
  step(w, dw, state, options) {
    checkState(state);
    const { lr, eps } = resolve('adagrad', defaults, options);
    const [w0, g] = vectors(w, dw);
    const cache = field(state, 'cache', w0.length);
    const out = new Float64Array(w0.length);
    for (let i = 0; i < out.length; i++) {
      cache[i] += g[i] * g[i]; //                        cache = cache + g^2
      out[i] = w0[i] - ratio(lr * g[i], Math.sqrt(cache[i]) + eps, i, 'sqrt(cache)'); // w - alpha g / (sqrt(cache) + eps)
    }
    return { w: out, state: { cache } };
  },
  stepTensor: checkedStepTensor('adagrad', defaults, ['cache'], updateTensor),
  updateTensor,
  /** The effective step size of each parameter after a step: lr / (sqrt(cache) + eps). */
  stepSize(state, options) {
    const { lr, eps } = resolve('adagrad', defaults, options);
    const cache = state.cache ?? new Float64Array(0);
    return Float64Array.from(cache, (c) => lr / (Math.sqrt(c) + eps));
  },
};
