/**
 * Glorot & Bengio 2010, figure 6: the distribution of each hidden layer's activation values, one
 * line per layer. Saturation shows as mass piling up at the ends (+-1 for tanh), vanishing signal as
 * mass collapsing onto 0 in the later layers.
 */
import type { Tensor2D } from '@tensorflow/tfjs';
import { invalid } from '../core/errors';
import { Net } from '../mlp/mlp';
import { activationHistograms as histogramRows, type HistogramOptions, type HistogramRow } from '../stats/histograms';
import { rowsOf, SCHEMA, withDefaults, type BaseOptions, type ChartSpec } from './common';
import { displayable } from './common';

/** Options of {@link activationHistograms}. */
export interface ActivationHistogramsOptions extends BaseOptions, HistogramOptions {}

export const defaults: Required<BaseOptions> & HistogramOptions = {
  title: 'Activation values per hidden layer',
  width: 420,
  height: 260,
  bins: undefined,
  range: undefined,
};

/**
 * Normalised histograms of a^l, one line per hidden layer. Pass gs.activationHistograms rows, or a
 * net and a batch X (the rows are computed here).
 *
 * @example
 * ```ts
 * const net = gs.mlp({ sizes: [100, 100, 100, 100, 100, 1], hidden: 'tanh', init: 'uniform' });
 * gs.show(gs.charts.activationHistograms(net, gs.tf.randomNormal([500, 100])));
 * gs.show(gs.charts.activationHistograms(gs.activationHistograms(net, X, { bins: 60 })));
 * ```
 */
export function activationHistograms(source: HistogramRow[] | Net, X?: Tensor2D, options?: ActivationHistogramsOptions): ChartSpec {
  const o = withDefaults(defaults, options);
  let rows: HistogramRow[];
  let subtitle = 'fraction of the (example, unit) values in each bin';
  if (source instanceof Net) {
    if (!X) throw invalid('X', X, 'a batch [m, n0] to run the net on');
    rows = histogramRows(source, X, { bins: o.bins, range: o.range });
    subtitle = `${source.toString()}; ${subtitle}`;
  } else {
    rows = rowsOf<HistogramRow>('rows', source, 'gs.activationHistograms rows { layer, x, fraction }');
    if (!rows.every((r) => typeof r.layer === 'number' && typeof r.x === 'number' && typeof r.fraction === 'number')) {
      throw invalid('rows', source, 'gs.activationHistograms rows { layer, x0, x1, x, fraction, count }');
    }
  }
  const values = rows.map((r) => ({ layer: r.layer, x: r.x, fraction: r.fraction }));
  return displayable({
    $schema: SCHEMA,
    title: { text: o.title, subtitle },
    width: o.width,
    height: o.height,
    data: { values },
    mark: { type: 'line', interpolate: 'step', strokeWidth: 1.5 },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: 'activation value a^l' },
      y: { field: 'fraction', type: 'quantitative', title: 'fraction of values' },
      color: { field: 'layer', type: 'ordinal', title: 'layer', scale: { scheme: 'viridis' } },
      tooltip: [{ field: 'layer', type: 'ordinal' }, { field: 'x', type: 'quantitative', format: '.3f' }, { field: 'fraction', type: 'quantitative', format: '.3f' }],
    },
  });
}
