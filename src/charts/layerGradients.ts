/**
 * Gradient norm per layer on a log axis, one line per init / activation: the picture of gradient
 * decay (vanishing: lines falling towards layer 1; exploding: rising).
 */
import { invalid } from '../core/errors';
import type { DepthRow } from '../stats/depthSweep';
import { LAYER_STATISTICS, type LayerStatistic, type LayerStatsRow } from '../stats/layerStats';
import { LABELS, layerAxis, layerPoints, positive, rowsOf, SCHEMA, withDefaults, type BaseOptions, type ChartSpec } from './common';
import { displayable } from './common';

/** Options of {@link layerGradients}. */
export interface LayerGradientsOptions extends BaseOptions {
  /** Which statistic to draw. Default 'gradNormW' (||dW^l||_F). */
  statistic?: LayerStatistic;
  /** Log y axis. Default true. */
  log?: boolean;
}

export const defaults: Required<LayerGradientsOptions> = {
  title: 'Gradient norm per layer',
  width: 420,
  height: 260,
  statistic: 'gradNormW',
  log: true,
};

/**
 * Gradient norm (or another layerStats statistic) per layer, log y, one line per init / activation.
 * Takes gs.depthSweep's long rows or gs.layerStats' rows (several nets' rows may be concatenated).
 *
 * @example
 * ```ts
 * const rows = gs.depthSweep({ depth: 20, hidden: ['tanh', 'relu'], init: ['xavier', 'he', 'small'] });
 * gs.show(gs.charts.layerGradients(rows));
 * gs.charts.layerGradients(rows, { statistic: 'activationStd' });
 * ```
 */
export function layerGradients(rows: (DepthRow | LayerStatsRow)[], options?: LayerGradientsOptions): ChartSpec {
  const o = withDefaults(defaults, options);
  if (!LAYER_STATISTICS.includes(o.statistic)) throw invalid('statistic', o.statistic, `one of ${LAYER_STATISTICS.join(', ')}`);
  const input = rowsOf<DepthRow | LayerStatsRow>('rows', rows, 'gs.depthSweep or gs.layerStats rows');
  if (!input.every((r) => typeof r.layer === 'number' && ('statistic' in r || o.statistic in r))) {
    throw invalid('rows', rows, 'gs.depthSweep rows { init, hidden, layer, statistic, value } or gs.layerStats rows');
  }
  const all = layerPoints(input, o.statistic);
  const values = all.filter((p) => (o.log ? positive(p.value) : Number.isFinite(p.value)));
  if (values.length === 0) throw invalid('rows', rows, `some ${o.statistic} values${o.log ? ' > 0 (log axis)' : ''}`);
  const dropped = all.length - values.length;
  const label = LABELS[o.statistic];
  return displayable({
    $schema: SCHEMA,
    title: {
      text: o.title === defaults.title && o.statistic !== 'gradNormW' ? `${label} per layer` : o.title,
      subtitle: dropped ? `${dropped} zero or non-finite values not drawn` : 'one line per init / activation',
    },
    width: o.width,
    height: o.height,
    data: { values },
    mark: { type: 'line', point: true, strokeWidth: 2 },
    encoding: {
      x: layerAxis(values.map((p) => p.layer), o.width),
      y: { field: 'value', type: 'quantitative', title: `${label}${o.log ? ' (log)' : ''}`, scale: o.log ? { type: 'log' } : { zero: false } },
      color: { field: 'series', type: 'nominal', title: 'init / activation' },
      tooltip: [{ field: 'series', type: 'nominal' }, { field: 'layer', type: 'quantitative' }, { field: 'value', type: 'quantitative', format: '.3e' }],
    },
  });
}
