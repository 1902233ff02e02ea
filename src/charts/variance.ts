/**
 * Glorot 2010 / He 2015 theory against measurement: the predicted std of a^l per layer (line) and
 * the measured one (points), log y.
 */
import { invalid } from '../core/errors';
import type { DepthRow } from '../stats/depthSweep';
import type { LayerStatsRow } from '../stats/layerStats';
import type { VarianceRow } from '../stats/varianceTheory';
import { layerAxis, layerPoints, positive, rowsOf, seriesOf, SCHEMA, withDefaults, type BaseOptions, type ChartSpec, type Layer } from './common';
import { displayable } from './common';

export const defaults: Required<BaseOptions> = {
  title: 'Activation std per layer: theory and measurement',
  width: 420,
  height: 260,
};

/**
 * Predicted std of a^l (gs.varianceTheory, line) and, when given, the measured activationStd
 * (gs.layerStats or gs.depthSweep rows, points), log y.
 *
 * @example
 * ```ts
 * const sizes = [256, ...Array(20).fill(256), 1];
 * const theory = gs.varianceTheory({ sizes, hidden: 'relu', init: 'lecun' });
 * const measured = gs.layerStats(gs.mlp({ sizes, hidden: 'relu', init: 'lecun' }), X, Y);
 * gs.show(gs.charts.variance(theory, measured));
 * ```
 */
export function variance(theory: VarianceRow[], measured?: (LayerStatsRow | DepthRow)[], options?: BaseOptions): ChartSpec {
  const o = withDefaults(defaults, options);
  const t = rowsOf<VarianceRow>('theory', theory, 'gs.varianceTheory rows');
  if (!t.every((r) => typeof r.stdA === 'number')) throw invalid('theory', theory, 'gs.varianceTheory rows { layer, stdA, ... }');
  const predicted = t.filter((r) => positive(r.stdA)).map((r) => ({ layer: r.layer, std: r.stdA, series: seriesOf(r), kind: 'theory' }));
  const maxLayer = Math.max(...t.map((r) => r.layer));
  const m = measured ? rowsOf<LayerStatsRow | DepthRow>('measured', measured, 'gs.layerStats or gs.depthSweep rows') : [];
  if (!m.every((r) => typeof r.layer === 'number' && (typeof (r as DepthRow).value === 'number' || typeof (r as LayerStatsRow).activationStd === 'number'))) {
    throw invalid('measured', measured, 'gs.layerStats or gs.depthSweep rows { layer, activationStd, ... }');
  }
  const points = layerPoints(m, 'activationStd')
    .filter((p) => p.layer <= maxLayer && positive(p.value))
    .map((p) => ({ layer: p.layer, std: p.value, series: p.series, kind: 'measured' }));
  const x = layerAxis([...predicted, ...points].map((p) => p.layer), o.width);
  const y = { field: 'std', type: 'quantitative' as const, title: 'std of a^l (log)', scale: { type: 'log' as const } };
  const color = { field: 'series', type: 'nominal' as const, title: 'init / activation' };
  const layers: Layer[] = [{ data: { values: predicted }, mark: { type: 'line', strokeWidth: 2 }, encoding: { x, y, color } }];
  if (points.length) layers.push({ data: { values: points }, mark: { type: 'point', filled: true, size: 50 }, encoding: { x, y, color, shape: { field: 'kind', type: 'nominal', title: '' } } });
  return displayable({
    $schema: SCHEMA,
    title: { text: o.title, subtitle: 'line: Var(z^l) = n(l-1) Var(W^l) E[(a^(l-1))^2]; points: measured' },
    width: o.width,
    height: o.height,
    layer: layers,
  });
}
