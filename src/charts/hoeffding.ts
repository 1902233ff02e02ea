/**
 * Hoeffding's inequality seen (lecture 003): the empirical Pr(|mean - mu| >= t) of bounded i.i.d.
 * samples against n, under the bound 2 exp(-2 n t^2 / range^2), log axis.
 */
import type { HoeffdingRow } from '../lectures/hoeffding';
import { invalid } from '../core/errors';
import { positive, rowsOf, SCHEMA, withDefaults, type BaseOptions, type ChartSpec } from './common';
import { displayable } from './common';

/** Options of {@link hoeffding}. */
export type HoeffdingChartOptions = BaseOptions;

export const defaults: Required<HoeffdingChartOptions> = {
  title: "Hoeffding's inequality",
  width: 420,
  height: 260,
};

const SERIES = ['simulated', 'exact (binomial)', 'Hoeffding: 2 exp(-2 n t^2)'];

/**
 * The simulated probability (points), the exact one where known, and Hoeffding's bound per n.
 *
 * @example
 * ```ts
 * gs.show(gs.charts.hoeffding(gs.hoeffdingSimulation({ t: 0.1 })));
 * ```
 */
export function hoeffding(rows: HoeffdingRow[], options?: HoeffdingChartOptions): ChartSpec {
  const o = withDefaults(defaults, options);
  const data = rowsOf<HoeffdingRow>('rows', rows, 'rows from gs.hoeffdingSimulation');
  if (data.some((r) => !(r.n >= 1) || !Number.isFinite(r.empirical) || !Number.isFinite(r.bound))) throw invalid('rows', rows, 'rows { n, empirical, bound } from gs.hoeffdingSimulation');
  const long = data.flatMap((r) => [
    { n: r.n, series: SERIES[0], probability: r.empirical },
    ...(r.exact !== undefined ? [{ n: r.n, series: SERIES[1], probability: r.exact }] : []),
    { n: r.n, series: SERIES[2], probability: r.bound },
  ]);
  const drawn = long.filter((d) => positive(d.probability));
  const zeros = long.length - drawn.length;
  const trials = data[0].trials;
  const ns = data.map((r) => r.n);
  const x = { field: 'n', type: 'quantitative' as const, title: 'samples n (log)', scale: { type: 'log' as const, domain: [Math.min(...ns), Math.max(...ns)] } };
  const y = { field: 'probability', type: 'quantitative' as const, title: 'Pr(|mean - mu| >= t) (log)', scale: { type: 'log' as const } };
  const color = { field: 'series', type: 'nominal' as const, title: null, sort: SERIES, scale: { domain: SERIES, range: ['#1f77b4', '#2ca02c', '#d62728'] }, legend: { labelLimit: 320 } };
  return displayable({
    $schema: SCHEMA,
    title: { text: o.title, subtitle: `t = ${data[0].t}, ${trials} trials per n; above 1 the bound says nothing (gray rule)${zeros ? `; ${zeros} zero frequencies not drawn (log axis)` : ''}` },
    width: o.width,
    height: o.height,
    layer: [
      { data: { values: drawn.filter((d) => d.series !== SERIES[0]) }, mark: { type: 'line', strokeWidth: 2 }, encoding: { x, y, color, strokeDash: { field: 'series', type: 'nominal', legend: null, scale: { domain: SERIES.slice(1), range: [[4, 3], [1, 0]] } } } },
      { data: { values: drawn.filter((d) => d.series === SERIES[0]) }, mark: { type: 'point', filled: true, size: 50 }, encoding: { x, y, color } },
      { data: { values: [{ p: 1 }] }, mark: { type: 'rule', color: 'gray' }, encoding: { y: { field: 'p', type: 'quantitative' } } },
    ],
  } as ChartSpec);
}
