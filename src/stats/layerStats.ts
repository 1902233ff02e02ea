/**
 * Per-layer statistics of one forward and one hand-written backward pass (seeds 000-003):
 * how big the gradients dW^l, db^l are, how the activations a^l and pre-activations z^l spread,
 * and how many units sit where g'(z) ~ 0 (saturated sigmoid/tanh, dead ReLU).
 */
import type { Tensor, Tensor2D } from '@tensorflow/tfjs';
import { tf } from '../core/backend';
import { invalid, knownKeys, number } from '../core/errors';
import { displayable } from '../core/jupyter';
import { initLabel } from '../nn/init';
import { Net } from '../mlp/mlp';
import { moments } from './moments';

/** One row of {@link layerStats}: layer l of the network. */
export interface LayerStatsRow {
  /** l = 1..L (L is the output layer). */
  layer: number;
  /** 'hidden' for l < L, 'output' for l = L. */
  kind: 'hidden' | 'output';
  /** n(l), the layer's width. */
  units: number;
  /** The net's init label ('he', 'gain 1.5', ...): with `hidden`, the series of the charts. */
  init: string;
  /** The net's hidden activation. */
  hidden: string;
  /** ||dW^l||_F */
  gradNormW: number;
  /** mean |dW^l_ij| */
  gradMeanAbsW: number;
  /** std of the entries of dW^l */
  gradStdW: number;
  /** ||db^l||_2 */
  gradNormB: number;
  /** mean |db^l_j| */
  gradMeanAbsB: number;
  /** std of the entries of db^l */
  gradStdB: number;
  /** mean of a^l over examples and units */
  activationMean: number;
  /** std of a^l over examples and units */
  activationStd: number;
  /** std of z^l over examples and units */
  zStd: number;
  /**
   * Fraction of the entries a^l_ij (example i, unit j) at a flat end of g:
   * sigmoid a < s or a > 1 - s, tanh |a| > 1 - s, with s = `saturation` (default 0.01).
   * NaN for activations without flat ends (relu, leakyRelu, linear; softmax/linear outputs).
   */
  saturated: number;
  /** Fraction of units j with a^l_ij = 0 for every example i of the batch (relu only; NaN otherwise). */
  dead: number;
}

/** Options of {@link layerStats}. */
export interface LayerStatsOptions {
  /** Distance s from the bounds that counts as saturated. Default 0.01 (sigmoid < 0.01 or > 0.99, |tanh| > 0.99). */
  saturation?: number;
}

/** The statistic names of {@link LayerStatsRow} that hold numbers per layer (what depthSweep lists). */
export const LAYER_STATISTICS = [
  'gradNormW', 'gradMeanAbsW', 'gradStdW', 'gradNormB', 'gradMeanAbsB', 'gradStdB',
  'activationMean', 'activationStd', 'zStd', 'saturated', 'dead',
] as const;
/** One of {@link LAYER_STATISTICS}: a per-layer number of {@link LayerStatsRow}. */
export type LayerStatistic = (typeof LAYER_STATISTICS)[number];

/** Fraction of entries of a at a flat end of `g` (NaN when g has none). */
function saturatedFraction(a: ArrayLike<number>, g: string, s: number): number {
  if (g !== 'sigmoid' && g !== 'tanh') return NaN;
  let k = 0;
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (g === 'sigmoid' ? v < s || v > 1 - s : Math.abs(v) > 1 - s) k++;
  }
  return k / a.length;
}

/** Fraction of the n units (columns of the [m, n] matrix a) that are 0 for every example. */
function deadFraction(a: ArrayLike<number>, m: number, n: number): number {
  let dead = 0;
  for (let j = 0; j < n; j++) {
    let alive = false;
    for (let i = 0; i < m && !alive; i++) alive = a[i * n + j] !== 0;
    if (!alive) dead++;
  }
  return dead / n;
}

/**
 * One forward and one hand-written backward pass (`net.backward`) on the batch X, Y, summarised per
 * layer: gradient norm, mean |g| and std for W^l and b^l; activation mean and std; z^l's std;
 * the fraction of saturated entries (sigmoid < s or > 1 - s, |tanh| > 1 - s, s = 0.01) and of dead
 * ReLU units (0 for every example). Tensors are read once and summed in float64. No dropout.
 *
 * @example
 * ```ts
 * const net = gs.mlp({ sizes: [64, 64, 64, 64, 1], hidden: 'tanh', init: { gain: 3 } });
 * const X = gs.tf.randomNormal([128, 64]), Y = gs.tf.randomUniform([128, 1]).round();
 * const rows = gs.layerStats(net, X, Y);
 * rows.map((r) => r.saturated);     // [0.6, 0.8, 0.8, NaN ...]: tanh units pinned at +-1
 * gs.show(rows);                     // table + gradient-norm chart
 * ```
 */
export function layerStats(net: Net, X: Tensor2D, Y: Tensor, options: LayerStatsOptions = {}): LayerStatsRow[] {
  if (!(net instanceof Net)) throw invalid('net', net, 'a network from gs.mlp(...)');
  knownKeys('options', options, ['saturation']);
  const s = number('saturation', options.saturation ?? 0.01, { min: 0, max: 0.5, openMin: true });
  const { cache } = net.forward(X);
  let grads: Record<string, Tensor> | undefined;
  try {
    grads = net.backward(cache, Y);
    const { sizes, hidden } = net.spec;
    const L = net.depth;
    const m = X.shape[0];
    const rows: LayerStatsRow[] = [];
    for (let l = 1; l <= L; l++) {
      const gW = moments(grads[`dW${l}`].dataSync());
      const gb = moments(grads[`db${l}`].dataSync());
      const a = cache.a[l].dataSync();
      const act = moments(a);
      const z = moments(cache.z[l]!.dataSync());
      const g = l < L ? hidden : net.spec.output; // what produced a^l
      rows.push({
        layer: l,
        kind: l < L ? 'hidden' : 'output',
        units: sizes[l],
        init: initLabel(net.spec.init),
        hidden,
        gradNormW: gW.norm,
        gradMeanAbsW: gW.meanAbs,
        gradStdW: gW.std,
        gradNormB: gb.norm,
        gradMeanAbsB: gb.meanAbs,
        gradStdB: gb.std,
        activationMean: act.mean,
        activationStd: act.std,
        zStd: z.std,
        saturated: saturatedFraction(a, g, s),
        // a residual layer adds a^(l-1), so a^l = 0 does not mean the unit is dead there
        dead: g === 'relu' && !net.spec.residual[l] ? deadFraction(a, m, sizes[l]) : NaN,
      });
    }
    return displayable(rows);
  } finally {
    if (grads) tf.dispose(Object.values(grads));
    cache.dispose(); // output is cache.a[L]
  }
}
