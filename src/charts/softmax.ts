/**
 * Softmax against its temperature (lecture 003): e^(a / beta) / sum e^(a' / beta) for each label,
 * on a log axis of beta. Small beta: the largest logit takes everything (the max); large beta: every
 * label 1/k.
 */
import { invalid } from '../core/errors';
import { rowsOf, SCHEMA, withDefaults, type BaseOptions, type ChartSpec } from './common';
import { displayable } from './common';

/** Options of {@link softmaxTemperature}. */
export type SoftmaxTemperatureOptions = BaseOptions;

export const defaults: Required<SoftmaxTemperatureOptions> = {
  title: 'Softmax against the temperature beta',
  width: 420,
  height: 240,
};

/**
 * One line per label: its probability against the temperature, with beta = 1 and the uniform 1/k marked.
 *
 * @example
 * ```ts
 * gs.show(gs.charts.softmaxTemperature(gs.softmaxTemperature([0.9, 0.7, 0.1], { labels: ['apple', 'orange', 'peach'] })));
 * ```
 */
export function softmaxTemperature(rows: { temperature: number; label: string; probability: number }[], options?: SoftmaxTemperatureOptions): ChartSpec {
  const o = withDefaults(defaults, options);
  const data = rowsOf<{ temperature: number; label: string; probability: number }>('rows', rows, 'rows from gs.softmaxTemperature');
  if (data.some((r) => !(r.temperature > 0) || typeof r.label !== 'string' || !Number.isFinite(r.probability))) throw invalid('rows', rows, 'rows { temperature > 0, label, probability } from gs.softmaxTemperature');
  const labels = [...new Set(data.map((r) => r.label))];
  const atOne = data.filter((r) => Math.abs(r.temperature - 1) < 1e-9);
  const x = { field: 'temperature', type: 'quantitative' as const, title: 'temperature beta (log)', scale: { type: 'log' as const } };
  return displayable({
    $schema: SCHEMA,
    title: {
      text: o.title,
      subtitle: `Pr(l) = e^(a_l / beta) / sum e^(a_l' / beta); dashed: 1/${labels.length}${atOne.length ? `; at beta = 1: ${atOne.map((r) => `${r.label} ${r.probability.toFixed(3)}`).join(', ')}` : ''}`,
    },
    width: o.width,
    height: o.height,
    layer: [
      {
        data: { values: data },
        mark: { type: 'line', strokeWidth: 2 },
        encoding: {
          x,
          y: { field: 'probability', type: 'quantitative', title: 'probability', scale: { domain: [0, 1] } },
          color: { field: 'label', type: 'nominal', title: 'label', sort: labels, scale: { scheme: 'category10' } },
        },
      },
      { data: { values: [{ p: 1 / labels.length }] }, mark: { type: 'rule', strokeDash: [4, 3], color: 'gray' }, encoding: { y: { field: 'p', type: 'quantitative' } } },
      { data: { values: [{ temperature: 1 }] }, mark: { type: 'rule', color: 'gray' }, encoding: { x: { field: 'temperature', type: 'quantitative' } } },
    ],
  } as ChartSpec);
}
