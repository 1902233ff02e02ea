/**
 * The variance recursion of Glorot & Bengio 2010 and He et al. 2015 at initialisation
 * (zero-mean weights, zero biases, inputs with E[x^2] given):
 *   Var(z^l) = n(l-1) Var(W^l) E[(a^(l-1))^2],   a^l = g(z^l),   z^l ~ N(0, Var(z^l))
 * E[g(z)^2] is integrated numerically over the Gaussian (Simpson, 4001 points on +-12 sd), so it is
 * exact for every activation: relu gives Var(z)/2 (He), tanh ~ Var(z) while Var(z) << 1 (Glorot's
 * linear regime) and less once tanh saturates. `linearRegime` gives Glorot's approximation
 * E[tanh(z)^2] ~ Var(z) (and E[sigmoid(z)^2] ~ 1/4 + Var(z)/16) for comparison.
 */
import { activations, activation, type Activation } from '../nn/activations';
import { GradscopeError, invalid, knownKeys, number } from '../core/errors';
import { displayable } from '../core/jupyter';
import { initLabel, initVariance, normalizeInit, type Init } from '../nn/init';

/** One layer of {@link varianceTheory}. */
export interface VarianceRow {
  /** l = 1..L-1 (hidden layers). */
  layer: number;
  /** n(l), the layer's width. */
  units: number;
  /** Var(W^l) of the init. */
  varW: number;
  /** Var(z^l) = n(l-1) Var(W^l) E[(a^(l-1))^2] */
  varZ: number;
  /** E[a^l] for z^l ~ N(0, Var(z^l)) */
  meanA: number;
  /** E[(a^l)^2] for z^l ~ N(0, Var(z^l)): what the next layer's Var(z) multiplies (relu: Var(z^l)/2) */
  meanSquareA: number;
  /** Var(a^l) = E[a^2] - E[a]^2. */
  varA: number;
  /** sqrt(Var(a^l)): what layerStats' activationStd measures. */
  stdA: number;
  /** sqrt(Var(z^l)): what layerStats' zStd measures. */
  stdZ: number;
  /** The init's label ('he', 'gain 1.5', ...). */
  init: string;
  /** The hidden activation. */
  hidden: Activation;
}

/** Options of {@link varianceTheory}. */
export interface VarianceTheoryOptions {
  /** Layer widths [n0, ..., nL] as in gs.mlp. */
  sizes: number[];
  /** Hidden activation. Default 'relu'. */
  hidden?: Activation;
  /** Init (its Var(W) from gs.initVariance). Default 'he' for relu/leakyRelu, 'xavier' otherwise. */
  init?: Init;
  /** E[x^2] of the inputs. Default 1 (standardised inputs). */
  inputMeanSquare?: number;
  /** Use Glorot's linear-regime approximation instead of the Gaussian integral. Default false. */
  linearRegime?: boolean;
}

/** E[f(z)] for z ~ N(0, v): composite Simpson on [-12 sd, 12 sd] (z = 0 is a node, so kinks at 0 integrate exactly). */
export function gaussianMean(f: (z: number) => number, v: number, points = 4001): number {
  if (v === 0) return f(0);
  const sd = Math.sqrt(v), h = (24 * sd) / (points - 1);
  let s = 0;
  for (let k = 0; k < points; k++) {
    const z = -12 * sd + k * h;
    const w = k === 0 || k === points - 1 ? 1 : k % 2 ? 4 : 2;
    s += w * f(z) * Math.exp(-(z * z) / (2 * v));
  }
  return (s * h) / 3 / Math.sqrt(2 * Math.PI * v);
}

/**
 * Predicted per-layer variance of z^l and a^l at initialisation, from
 * Var(z^l) = n(l-1) Var(W^l) E[(a^(l-1))^2] (Glorot 2010, He 2015), to draw beside
 * layerStats' measured activationStd / zStd.
 *
 * @example
 * ```ts
 * const theory = gs.varianceTheory({ sizes: [256, ...Array(10).fill(256), 1], hidden: 'relu', init: 'he' });
 * theory.map((r) => r.varZ);        // [2, 2, 2, ...]: He's n Var(W) = 2 undoes relu's halving
 * gs.varianceTheory({ sizes: [256, 256, 256, 1], hidden: 'relu', init: 'lecun' }).map((r) => r.varZ); // [1, 0.5, 0.25]
 * ```
 */
export function varianceTheory(options: VarianceTheoryOptions): VarianceRow[] {
  knownKeys('options', options, ['sizes', 'hidden', 'init', 'inputMeanSquare', 'linearRegime']);
  if (!options || typeof options !== 'object') throw invalid('options', options, 'an object like { sizes: [256, 256, 1] }');
  const { sizes, linearRegime = false } = options;
  if (!Array.isArray(sizes) || sizes.length < 2) throw invalid('sizes', sizes, 'at least two layer widths [n0, ..., nL]');
  sizes.forEach((n, i) => number(`sizes[${i}]`, n, { min: 1, integer: true }));
  const hidden = activation('hidden', options.hidden ?? 'relu');
  const init = normalizeInit('init', options.init ?? (hidden === 'relu' || hidden === 'leakyRelu' ? 'he' : 'xavier'));
  let meanSquare = number('inputMeanSquare', options.inputMeanSquare ?? 1, { min: 0 });
  if (typeof linearRegime !== 'boolean') throw invalid('linearRegime', linearRegime, 'true or false');
  const g = activations[hidden].g64;
  const rows: VarianceRow[] = [];
  for (let l = 1; l < sizes.length - 1; l++) {
    const varW = initVariance(init, sizes[l - 1], sizes[l]);
    if (!Number.isFinite(varW)) {
      throw new GradscopeError('init', `invalid init: ${initLabel(init)} (expected an init with i.i.d. entries; W = c I has no Var(W), use gs.deepLinear for it)`);
    }
    const varZ = sizes[l - 1] * varW * meanSquare; // Var(z^l) = n(l-1) Var(W^l) E[(a^(l-1))^2]
    let meanA: number, meanSquareA: number;
    if (linearRegime && hidden === 'tanh') [meanA, meanSquareA] = [0, varZ]; // tanh z ~ z
    else if (linearRegime && hidden === 'sigmoid') [meanA, meanSquareA] = [0.5, 0.25 + varZ / 16]; // sigmoid z ~ 1/2 + z/4
    else {
      meanA = gaussianMean(g, varZ);
      meanSquareA = gaussianMean((z) => g(z) ** 2, varZ);
    }
    const varA = Math.max(0, meanSquareA - meanA * meanA);
    rows.push({ layer: l, units: sizes[l], varW, varZ, meanA, meanSquareA, varA, stdA: Math.sqrt(varA), stdZ: Math.sqrt(varZ), init: initLabel(init), hidden });
    meanSquare = meanSquareA;
  }
  return displayable(rows);
}
