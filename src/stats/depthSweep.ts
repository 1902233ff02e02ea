/**
 * The seeds' experiment as a table: the same data through deep nets with different inits and
 * activations, statistics per layer in long format (init, hidden, layer, statistic, value).
 */
import { tf } from '../core/backend';
import { activation, type Activation } from '../nn/activations';
import { invalid, knownKeys, number } from '../core/errors';
import { displayable } from '../core/jupyter';
import { initLabel, normalizeInit, type Init } from '../nn/init';
import { mlp } from '../mlp/mlp';
import { checkMemory } from '../core/limits';
import { rng } from '../core/random';
import { progressOption } from '../display/progress';
import { layerStats, LAYER_STATISTICS, type LayerStatistic } from './layerStats';

/** One long-format row of {@link depthSweep}. */
export interface DepthRow {
  /** Init label: 'he', 'lecun', 'gain 1.5', ... */
  init: string;
  /** The hidden activation of this net. */
  hidden: Activation;
  /** 1..depth are the hidden layers, depth + 1 the output layer. */
  layer: number;
  /** Which of {@link layerStats}' statistics this row holds. */
  statistic: LayerStatistic;
  /** Its value at this layer. */
  value: number;
}

/** Options of {@link depthSweep}. */
export interface DepthSweepOptions {
  /** Hidden layers. Default 10. */
  depth?: number;
  /** Units per hidden layer (and inputs). Default 64. */
  width?: number;
  /** Hidden activations to compare. Default ['tanh', 'relu']. */
  hidden?: Activation | Activation[];
  /** Inits to compare. Default ['xavier', 'he']. */
  init?: Init | Init[];
  /** Seed of the data and of every net's weights. Default 0. */
  seed?: number;
  /** Examples in the batch. Default 128. */
  batch?: number;
  /** Which statistics to keep (default all of layerStats'). NaN values (e.g. `dead` for tanh) are left out. */
  statistics?: LayerStatistic[];
  /** Progress: a callback (done, total), `false` for none; default gs.progress('depthSweep'). */
  onProgress?: ((done: number, total: number) => void) | false;
}

const KNOWN = ['depth', 'width', 'hidden', 'init', 'seed', 'batch', 'statistics', 'onProgress'];

const list = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

/**
 * Builds one net of `depth` hidden layers of `width` units (sigmoid output) per (init, hidden)
 * combination, runs {@link layerStats} on the same seeded batch (X ~ N(0, 1), Y ~ Bernoulli(1/2)),
 * and returns long-format rows ready for `gs.charts.layerGradients`.
 *
 * @example
 * ```ts
 * const rows = gs.depthSweep({ depth: 30, width: 256, hidden: ['relu'], init: ['he', 'lecun'] });
 * rows.filter((r) => r.statistic === 'activationStd' && r.init === 'lecun').map((r) => r.value);
 * // falls by 2^-0.5 per layer
 * gs.show(gs.charts.layerGradients(rows));
 * ```
 */
export function depthSweep(options: DepthSweepOptions = {}): DepthRow[] {
  knownKeys('options', options, KNOWN);
  const depth = number('depth', options.depth ?? 10, { min: 1, max: 1000, integer: true });
  const width = number('width', options.width ?? 64, { min: 1, integer: true });
  const batch = number('batch', options.batch ?? 128, { min: 1, integer: true });
  const seed = number('seed', options.seed ?? 0, { integer: true });
  // one net at a time: its parameters (16 bytes each while built) and the batch's layers (z, a, delta)
  checkMemory('width', width, 16 * (depth + 1) * width * (width + 1) + 4 * 4 * batch * width * (depth + 2), `${depth} layers of ${width} x ${width} weights and a batch of ${batch}`);
  const hiddens = list(options.hidden ?? (['tanh', 'relu'] as Activation[])).map((h, i) => activation(`hidden[${i}]`, h));
  const inits = list(options.init ?? (['xavier', 'he'] as Init[])).map((v, i) => normalizeInit(`init[${i}]`, v));
  if (!hiddens.length) throw invalid('hidden', options.hidden, 'at least one activation');
  if (!inits.length) throw invalid('init', options.init, 'at least one init');
  const keep = options.statistics ?? [...LAYER_STATISTICS];
  if (!Array.isArray(keep)) throw invalid('statistics', keep, `an array of ${LAYER_STATISTICS.join(', ')}`);
  keep.forEach((s, i) => { if (!LAYER_STATISTICS.includes(s)) throw invalid(`statistics[${i}]`, s, `one of ${LAYER_STATISTICS.join(', ')}`); });
  const total = hiddens.length * inits.length;
  const progress = progressOption('onProgress', options.onProgress, 'depthSweep', total);

  const r = rng(seed + 104729);
  const x = new Float32Array(batch * width).map(() => r.normal());
  const y = new Float32Array(batch).map(() => (r.uniform() < 0.5 ? 1 : 0));
  const X = tf.tensor2d(x, [batch, width]);
  const Y = tf.tensor2d(y, [batch, 1]);
  const rows: DepthRow[] = [];
  try {
    let done = 0;
    for (const hidden of hiddens) {
      for (const init of inits) {
        const net = mlp({ sizes: [width, ...Array(depth).fill(width), 1], hidden, init, seed, output: 'sigmoid' });
        try {
          for (const row of layerStats(net, X, Y)) {
            for (const statistic of keep) {
              const value = row[statistic];
              if (!Number.isNaN(value)) rows.push({ init: initLabel(init), hidden, layer: row.layer, statistic, value });
            }
          }
        } finally {
          net.dispose();
        }
        progress.step(++done);
      }
    }
  } finally {
    tf.dispose([X, Y]);
    progress.finish();
  }
  return displayable(rows);
}
