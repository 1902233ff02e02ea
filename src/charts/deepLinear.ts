/**
 * Seed 000 / 002: in y = W^L ... W^1 x with W = scale * I the signal grows or shrinks like scale^l
 * forward and scale^(L-l) backward. Measured (solid) on top of the prediction (dashed), log axis.
 */
import { invalid } from '../core/errors';
import type { DeepLinearResult } from '../stats/deepLinear';
import { fmt, layerAxis, positive, SCHEMA, withDefaults, type BaseOptions, type ChartSpec } from './common';
import { displayable } from './common';

export const defaults: Required<BaseOptions> = {
  title: '',
  width: 420,
  height: 260,
};

/**
 * ||a^l|| / ||x|| and ||delta^l|| per layer from gs.deepLinear, each next to its prediction
 * (scale^l, scale^(L-l)), log y.
 *
 * @example
 * ```ts
 * gs.show(gs.charts.deepLinear(gs.deepLinear({ depth: 150, scale: 0.9 })));
 * ```
 */
export function deepLinear(result: DeepLinearResult, options?: BaseOptions): ChartSpec {
  const o = withDefaults(defaults, options);
  if (!result || !Array.isArray(result.rows) || typeof result.scale !== 'number') throw invalid('result', result, 'the result of gs.deepLinear');
  const { depth, scale } = result;
  const every = Math.max(1, Math.ceil(depth / 15)); // predictions as markers on every k-th layer
  const F = 'forward ||a^l|| / ||x||', B = 'backward ||delta^l||';
  const measured = result.rows.flatMap((r) => [
    { layer: r.layer, quantity: F, value: r.activation },
    { layer: r.layer, quantity: B, value: r.delta },
  ]).filter((v) => positive(v.value));
  const predicted = result.rows.filter((r) => r.layer % every === 0 || r.layer === 1).flatMap((r) => [
    { layer: r.layer, quantity: F, value: r.scalePower, formula: 'scale^l' },
    { layer: r.layer, quantity: B, value: r.backPower, formula: 'scale^(L-l)' },
  ]).filter((v) => positive(v.value));
  const x = layerAxis(measured.map((v) => v.layer), o.width);
  const y = { field: 'value', type: 'quantitative' as const, title: 'size (log)', scale: { type: 'log' as const }, axis: { format: '.0e' } };
  const color = { field: 'quantity', type: 'nominal' as const, title: 'measured (line)', legend: { labelLimit: 300 } };
  return displayable({
    $schema: SCHEMA,
    title: {
      text: o.title || `Deep linear net, W = ${scale} I, ${depth} layers`,
      subtitle: `||y|| / ||x|| = ${fmt(result.output)} (scale^L = ${fmt(result.expected)}), float64`,
    },
    width: o.width,
    height: o.height,
    layer: [
      { data: { values: measured }, mark: { type: 'line', strokeWidth: 2 }, encoding: { x, y, color, tooltip: [{ field: 'quantity', type: 'nominal' }, { field: 'layer', type: 'quantitative' }, { field: 'value', type: 'quantitative', format: '.4e' }] } },
      {
        data: { values: predicted },
        mark: { type: 'point', shape: 'circle', size: 40, strokeWidth: 1.5, filled: false },
        encoding: { x, y, color, shape: { field: 'formula', type: 'nominal', title: 'predicted (markers)', scale: { range: ['circle', 'square'] } } },
      },
    ],
  });
}
