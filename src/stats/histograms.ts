/**
 * Glorot & Bengio 2010's figure: normalised histograms of the activation values a^l of each hidden
 * layer over a batch, at initialisation (or whenever it is called).
 */
import type { Tensor2D } from '@tensorflow/tfjs';
import { invalid, knownKeys, number } from '../core/errors';
import { displayable } from '../core/jupyter';
import { Net } from '../mlp/mlp';

/** One bin of one layer. */
export interface HistogramRow {
  /** Hidden layer l. */
  layer: number;
  /** Bin [x0, x1): its lower edge. */
  x0: number;
  /** The bin's upper edge. */
  x1: number;
  /** The bin's centre. */
  x: number;
  /** count / (examples * units): the bins of a layer sum to 1. */
  fraction: number;
  /** Activations a^l in the bin, over every example and unit of the layer. */
  count: number;
}

/** Options of {@link activationHistograms}. */
export interface HistogramOptions {
  /** Number of bins. Default 40. */
  bins?: number;
  /** [lo, hi] of the bins. Default: [-1, 1] for tanh, [0, 1] for sigmoid, [min, max] of the data otherwise. */
  range?: [number, number];
}

/**
 * Histograms of every hidden layer's activations a^l (forward pass on X, no dropout), one row per
 * bin, ready for `gs.charts.activationHistograms`. Values outside `range` go to the end bins.
 *
 * @example
 * ```ts
 * const net = gs.mlp({ sizes: [100, 100, 100, 100, 100, 1], hidden: 'tanh', init: 'uniform' });
 * const rows = gs.activationHistograms(net, gs.tf.randomNormal([500, 100]));
 * gs.show(gs.charts.activationHistograms(rows));   // later layers pile up at 0 (Glorot 2010, fig. 6)
 * ```
 */
export function activationHistograms(net: Net, X: Tensor2D, options: HistogramOptions = {}): HistogramRow[] {
  if (!(net instanceof Net)) throw invalid('net', net, 'a network from gs.mlp(...)');
  knownKeys('options', options, ['bins', 'range']);
  const bins = number('bins', options.bins ?? 40, { min: 1, max: 10000, integer: true });
  const { cache } = net.forward(X);
  try {
    const L = net.depth;
    const layers: Float32Array[] = [];
    for (let l = 1; l < L; l++) layers.push(cache.a[l].dataSync() as Float32Array);
    let [lo, hi] = options.range ?? (net.spec.hidden === 'tanh' ? [-1, 1] : net.spec.hidden === 'sigmoid' ? [0, 1] : [Infinity, -Infinity]);
    if (options.range) {
      number('range[0]', lo);
      number('range[1]', hi, { min: lo, openMin: true });
    } else if (!Number.isFinite(lo)) {
      for (const a of layers) for (const v of a) { if (v < lo) lo = v; if (v > hi) hi = v; }
      if (!(hi > lo)) [lo, hi] = [lo - 0.5, lo + 0.5];
    }
    const w = (hi - lo) / bins;
    const rows: HistogramRow[] = [];
    layers.forEach((a, i) => {
      const counts = new Array<number>(bins).fill(0);
      for (const v of a) counts[Math.min(bins - 1, Math.max(0, Math.floor((v - lo) / w)))]++;
      counts.forEach((count, k) => rows.push({ layer: i + 1, x0: lo + k * w, x1: lo + (k + 1) * w, x: lo + (k + 0.5) * w, fraction: count / a.length, count }));
    });
    return displayable(rows);
  } finally {
    cache.dispose();
  }
}
