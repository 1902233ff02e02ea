/**
 * gs.mlp: the MLP family's entry. `Mlp` is the network of net.ts (forward, hand-written backward,
 * autograd, theta in and out) with its offer of exact fast numeric paths to the checker (exact.ts);
 * `Net` is its older name. The family registers itself (nn/registry.ts).
 */
import type { Tensor } from '@tensorflow/tfjs';
import { GradscopeError, invalid, knownKeys, number, oneOf } from '../core/errors';
import { checkMemory } from '../core/limits';
import { rng } from '../core/random';
import { activation, type Activation } from '../nn/activations';
import { drawWeights, initLabel, normalizeInit, type Init } from '../nn/init';
import { OUTPUTS, type Output } from '../nn/losses';
import type { NumericPaths, PathOptions } from '../nn/model';
import { registerFamily } from '../nn/registry';
import { MlpCore, type Cache, type NetSpec } from './net';
import { exactPaths } from './exact';

export { cost, type Block, type Cache, type Grads, type NetSpec } from './net';

registerFamily({ name: 'mlp', factory: 'gs.mlp', order: 1 });

/**
 * A fully connected network built by {@link mlp} (see `MlpCore` for its members), offering the
 * checker its exact fast numeric paths (`exactPaths`: cached layers, float32 rows, the joint direction).
 *
 * @example
 * ```ts
 * const net = gs.mlp({ sizes: [4, 16, 3], output: 'softmax', seed: 1 });
 * net instanceof gs.Mlp && net instanceof gs.Net; // true: Net is Mlp's older name
 * ```
 */
export class Mlp extends MlpCore {
  /**
   * The MLP's exact numeric paths for one gs.gradCheck (nn/model.ts NumericPaths).
   *
   * @example
   * ```ts
   * const paths = net.exactPaths(X, Y, { seed: 0, precision: 'float64', autograd: false, notes: [] });
   * paths.dispose();
   * ```
   */
  exactPaths(X: Tensor, Y: Tensor, options: PathOptions): NumericPaths<Cache> {
    return exactPaths(this, X, Y, options);
  }
}

/** The MLP's class under its older name. */
export const Net = Mlp;
/** The MLP's class under its older name. */
export type Net = Mlp;

/** Options of {@link mlp}. */
export interface MlpOptions {
  /** Layer widths [n0, n1, ..., nL]: n0 inputs, nL outputs. At least two entries. */
  sizes: number[];
  /** Hidden activation g. Default `'relu'`. */
  hidden?: Activation;
  /** Output layer and its loss: `'sigmoid'` (binary cross-entropy, default), `'softmax'` (categorical cross-entropy) or `'linear'` (MSE). */
  output?: Output;
  /** Weight initialisation, see {@link Init}. Default `'he'` for relu/leakyRelu, `'xavier'` otherwise. */
  init?: Init;
  /** Seed for every random draw (weights and dropout masks). Default 0. */
  seed?: number;
  /** Add identity skips a^l = g(z^l) + a^(l-1) between equal-width hidden layers. Default false. */
  residual?: boolean;
  /** Keep probability of inverted dropout on hidden layers (1 = no dropout). Default 1. */
  keepProb?: number;
  /** L2 strength lambda: J += (lambda / 2m) sum_l ||W^l||^2. Default 0. */
  l2?: number;
}

/**
 * Builds a fully connected network. Same options and seed, same weights. Defaults: `hidden` relu,
 * `output` sigmoid, `init` he for relu/leakyRelu and xavier otherwise, `seed` 0, no residual skips,
 * no dropout, no L2. gradscope's seeds, 0 included, always give the same numbers. TensorFlow.js's
 * own random ops do not for seed 0: `tf.randomNormal(shape, 0, 1, 'float32', 0)` draws new numbers
 * on every call (tfjs reads seed 0 as "no seed"), so seed your data from 1.
 *
 * @example
 * ```ts
 * import * as gs from 'gradscope';
 * const net = gs.mlp({ sizes: [4, 8, 8, 1], hidden: 'tanh', output: 'sigmoid', init: 'xavier', seed: 1 });
 * net.params.W1.shape;  // [4, 8]
 * ```
 */
export function mlp(options: MlpOptions): Mlp {
  knownKeys('options', options, ['sizes', 'hidden', 'output', 'init', 'seed', 'residual', 'keepProb', 'l2']);
  if (!options || typeof options !== 'object') throw invalid('options', options, 'an object like { sizes: [2, 3, 1] }');
  const { sizes, hidden = 'relu', output = 'sigmoid', seed = 0, residual = false, keepProb = 1, l2 = 0 } = options;
  if (!Array.isArray(sizes) || sizes.length < 2) throw invalid('sizes', sizes, 'at least two layer widths [n0, ..., nL], e.g. [2, 3, 1]');
  sizes.forEach((n, i) => number(`sizes[${i}]`, n, { min: 1, integer: true }));
  const params = sizes.slice(1).reduce((s, n, l) => s + sizes[l] * n + n, 0);
  // float32 variables, their float64 draws and one float32 copy: 16 bytes a parameter while building
  checkMemory('sizes', sizes, 16 * params, `${params.toExponential(2)} parameters, 16 bytes each while the net is built`);
  const spec: NetSpec = {
    sizes: [...sizes],
    hidden: activation('hidden', hidden),
    output: oneOf('output', output, OUTPUTS),
    init: normalizeInit('init', options.init ?? (hidden === 'relu' || hidden === 'leakyRelu' ? 'he' : 'xavier')),
    seed: number('seed', seed, { integer: true }),
    residual: [],
    keepProb: number('keepProb', keepProb, { min: 0, max: 1, openMin: true }),
    l2: number('l2', l2, { min: 0 }),
  };
  if (typeof residual !== 'boolean') throw invalid('residual', residual, 'true or false');
  const L = sizes.length - 1;
  for (let l = 0; l <= L; l++) spec.residual[l] = residual && l >= 2 && l < L && sizes[l] === sizes[l - 1];
  if (output === 'softmax' && sizes[L] < 2) throw invalid('sizes', sizes, 'at least 2 output units for a softmax output');
  const r = rng(spec.seed);
  const weights: Float64Array[] = [];
  for (let l = 1; l <= L; l++) {
    const W = drawWeights(spec.init, sizes[l - 1], sizes[l], r, l);
    const bad = W.findIndex((w) => !Number.isFinite(Math.fround(w)));
    if (bad >= 0) throw new GradscopeError('init', `invalid init: ${initLabel(spec.init)} gives W${l} entry ${bad} = ${W[bad]}, beyond float32's range (expected weights below 3.4e38: a smaller gain or scale)`);
    weights.push(W);
  }
  return new Mlp(spec, weights);
}
