/**
 * The gradient through time on a log axis, one line per model: ||dJ/da^(t)|| against the step t
 * (solid) and, for LSTMs, ||dJ/dc^(t)|| (dashed). Vanishing: a line falling towards t = 1;
 * exploding: rising.
 */
import { invalid } from '../core/errors';
import type { ThroughTimeRow } from '../recurrent/throughTime';
import { fmt, layerAxis, positive, rowsOf, SCHEMA, withDefaults, type BaseOptions, type ChartSpec } from './common';
import { displayable } from './common';

/** Options of {@link gradientThroughTime}. */
export interface GradientThroughTimeOptions extends BaseOptions {
  /** Also draw ||dJ/dc^(t)|| of the LSTMs (dashed). Default true. */
  cell?: boolean;
  /** Log y axis. Default true. */
  log?: boolean;
}

export const defaults: Required<GradientThroughTimeOptions> = {
  title: 'Gradient through time',
  width: 420,
  height: 260,
  cell: true,
  log: true,
};

/** One point: a model's quantity at step t. */
interface Point { model: string; quantity: string; t: number; value: number }

/**
 * ||dJ/da^(t)|| per step t, log y, one line per model (rows of several gs.gradientThroughTime calls
 * concatenated); LSTM rows add ||dJ/dc^(t)|| dashed.
 *
 * @example
 * ```ts
 * const X = gs.tf.randomNormal([8, 30, 3]), Y = gs.tf.ones([8, 1]);
 * const rows = [
 *   ...gs.gradientThroughTime(gs.rnn({ nx: 3, na: 16, ny: 1, seed: 1 }), X, Y),
 *   ...gs.gradientThroughTime(gs.lstm({ nx: 3, na: 16, ny: 1, seed: 1 }), X, Y),
 * ];
 * gs.show(gs.charts.gradientThroughTime(rows));
 * gs.show(gs.charts.gradientThroughTime(rows, { cell: false, title: 'dJ/da only' }));
 * ```
 */
export function gradientThroughTime(rows: ThroughTimeRow[], options?: GradientThroughTimeOptions): ChartSpec {
  const o = withDefaults(defaults, options);
  if (typeof o.cell !== 'boolean') throw invalid('cell', o.cell, 'true or false');
  if (typeof o.log !== 'boolean') throw invalid('log', o.log, 'true or false');
  const input = rowsOf<ThroughTimeRow>('rows', rows, 'gs.gradientThroughTime rows { model, t, gradNorm }');
  if (!input.every((r) => typeof r.model === 'string' && Number.isInteger(r.t) && typeof r.gradNorm === 'number')) {
    throw invalid('rows', rows, 'gs.gradientThroughTime rows { model, t, gradNorm }');
  }
  const seen = new Set<string>();
  for (const r of input) {
    const key = `${r.model}\u0000${r.t}`;
    if (seen.has(key)) throw invalid('rows', `two rows for model "${r.model}" at t = ${r.t}`, `one row per model and step: give each net its own name, gs.gradientThroughTime(net, X, Y, { label: '...' })`);
    seen.add(key);
  }
  const all: Point[] = input.flatMap((r) => [
    { model: r.model, quantity: 'dJ/da', t: r.t, value: r.gradNorm },
    ...(o.cell && typeof r.cellGradNorm === 'number' ? [{ model: r.model, quantity: 'dJ/dc', t: r.t, value: r.cellGradNorm }] : []),
  ]);
  const values = all.filter((p) => (o.log ? positive(p.value) : Number.isFinite(p.value)));
  if (values.length === 0) throw invalid('rows', rows, `some gradient norms${o.log ? ' > 0 (log axis)' : ''}`);
  const dropped = all.length - values.length;
  const cells = values.some((p) => p.quantity === 'dJ/dc');
  const lo = Math.min(...values.map((p) => p.value)), hi = Math.max(...values.map((p) => p.value));
  const subtitle = [
    cells ? 'solid ||dJ/da^(t)||, dashed ||dJ/dc^(t)|| (lstm)' : 'one line per model',
    `range ${fmt(lo)} to ${fmt(hi)}`,
    dropped ? `${dropped} zero or non-finite values not drawn` : '',
  ].filter(Boolean).join('; ');
  const x = { ...layerAxis(values.map((p) => p.t), o.width), field: 't', title: 'step t (the loss is at the last step)' };
  return displayable({
    $schema: SCHEMA,
    title: { text: o.title, subtitle },
    width: o.width,
    height: o.height,
    data: { values },
    mark: { type: 'line', point: new Set(values.map((p) => p.t)).size <= 30, strokeWidth: 2 },
    encoding: {
      x,
      y: { field: 'value', type: 'quantitative', title: `gradient norm${o.log ? ' (log)' : ''}`, scale: o.log ? { type: 'log' } : { zero: false } },
      color: { field: 'model', type: 'nominal', title: 'model' },
      ...(cells ? { strokeDash: { field: 'quantity', type: 'nominal' as const, title: 'gradient', scale: { domain: ['dJ/da', 'dJ/dc'], range: [[1, 0], [6, 4]] } } } : {}),
      detail: { field: 'quantity', type: 'nominal' },
      tooltip: [{ field: 'model', type: 'nominal' }, { field: 'quantity', type: 'nominal' }, { field: 't', type: 'quantitative' }, { field: 'value', type: 'quantitative', format: '.3e' }],
    },
  });
}
