/**
 * The effective per-parameter step sizes of AdaGrad, RMSProp and Adam over training: what
 * "keep a different step size for each model parameter" (lecture 003) looks like. Per run and
 * layer, the median over the layer's parameters and the 10-90% band, on a log axis.
 *   AdaGrad, RMSProp: lr / (sqrt(cache) + eps)      Adam: lr / (sqrt(v-hat) + eps)
 */
import { invalid } from '../core/errors';
import type { TrainHistory } from '../train/train';
import { SCHEMA, withDefaults, type BaseOptions, type ChartSpec } from './common';
import { displayable } from './common';
import { runNames } from './training';

/** Options of {@link stepSizes}. */
export type StepSizesOptions = BaseOptions;

export const defaults: Required<StepSizesOptions> = {
  title: 'Effective step size per parameter',
  width: 240,
  height: 200,
};

const FORMULA: Record<string, string> = {
  adagrad: 'lr / (sqrt(cache) + eps)',
  rmsprop: 'lr / (sqrt(cache) + eps)',
  adam: 'lr / (sqrt(v-hat) + eps)',
};

/**
 * One panel per run (gs.train with optimizer adagrad, rmsprop or adam): per layer, the median
 * effective step size and its 10-90% band over the layer's parameters, per epoch (log axis).
 * A dashed rule marks the run's lr, the step size of plain gradient descent.
 *
 * @example
 * ```ts
 * const runs = (['adagrad', 'rmsprop', 'adam'] as const).map((optimizer) =>
 *   gs.train(gs.mlp({ sizes: [2, 16, 1], seed: 1 }), X, Y, { optimizer, epochs: 100, onProgress: false }));
 * gs.show(gs.charts.stepSizes(runs));
 * ```
 */
export function stepSizes(histories: TrainHistory | TrainHistory[], options?: StepSizesOptions): ChartSpec {
  const o = withDefaults(defaults, options);
  const list = Array.isArray(histories) ? histories : [histories];
  if (list.length === 0 || list.some((h) => !h || !Array.isArray(h.epochs))) throw invalid('histories', histories, 'gs.train results');
  const names = runNames(list);
  const adaptive = list.map((h, i) => ({ h, name: names[i] })).filter(({ h }) => h.epochs.some((e) => e.stepSize?.length));
  if (adaptive.length === 0) {
    const own = list.filter((h) => h.optimizer in FORMULA);
    if (own.length) {
      const why = own.map((h) => `${h.label ?? h.optimizer} stopped at epoch ${h.epochs.at(-1)?.epoch ?? 0}${h.diverged !== undefined ? ' (diverged)' : ''}`).join(', ');
      throw invalid('histories', list.map((h) => h.optimizer), `a run with step sizes: they are recorded from epoch 1 on, and ${why} before any`);
    }
    throw invalid('histories', list.map((h) => h.optimizer), 'at least one run with optimizer adagrad, rmsprop or adam (only they keep one step size per parameter)');
  }
  const values = adaptive.flatMap(({ h, name }) => h.epochs.flatMap((e) => (e.stepSize ?? [])
    .filter((s) => !(s.median <= 0 || s.p10 <= 0 || s.p90 <= 0)) // NaN and Infinity stay for the rule in common.ts, which notes them
    .map((s) => ({ run: `${name}: ${FORMULA[h.optimizer] ?? ''}`, epoch: e.epoch, layer: s.layer, median: s.median, p10: s.p10, p90: s.p90, lr: h.lr }))));
  const skipped = list.length - adaptive.length;
  const epoch = { field: 'epoch', type: 'quantitative' as const, title: 'epoch' };
  const layer = { field: 'layer', type: 'ordinal' as const, title: 'layer', scale: { scheme: 'viridis' } };
  return displayable({
    $schema: SCHEMA,
    title: {
      text: o.title,
      subtitle: `median and 10-90% band over each layer's parameters; dashed: lr (plain gradient descent's step)${skipped ? `; ${skipped} run(s) without per-parameter step sizes not drawn` : ''}`,
    },
    data: { values },
    facet: { column: { field: 'run', type: 'nominal', title: null, sort: adaptive.map(({ h, name }) => `${name}: ${FORMULA[h.optimizer] ?? ''}`) } },
    spec: {
      width: o.width,
      height: o.height,
      layer: [
        { mark: { type: 'area', opacity: 0.25 }, encoding: { x: epoch, y: { field: 'p10', type: 'quantitative', title: 'effective step size (log)', scale: { type: 'log' } }, y2: { field: 'p90' }, color: layer } },
        { mark: { type: 'line', strokeWidth: 2 }, encoding: { x: epoch, y: { field: 'median', type: 'quantitative' }, color: layer } },
        { mark: { type: 'rule', strokeDash: [4, 3], color: 'gray' }, encoding: { y: { aggregate: 'max', field: 'lr', type: 'quantitative' } } },
      ],
    },
    resolve: { scale: { y: 'shared' } },
  } as ChartSpec);
}
