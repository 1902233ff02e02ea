/**
 * Training as it happens: the loss per epoch above the gradient norm of every layer per epoch
 * (log), or a layer x epoch heatmap of the gradient norm.
 */
import { invalid, oneOf } from '../errors';
import type { TrainHistory } from '../stats/train';
import { positive, SCHEMA, withDefaults, type BaseOptions, type ChartSpec } from './common';

/** Options of {@link training}. */
export interface TrainingOptions extends BaseOptions {
  /** 'lines' (loss + one line per layer, default) or 'heatmap' (layer x epoch, colour = log ||dW^l||). */
  view?: 'lines' | 'heatmap';
  /** Log axis for the loss. Default false. */
  logLoss?: boolean;
}

export const defaults: Required<TrainingOptions> = {
  title: 'Training',
  width: 420,
  height: 160,
  view: 'lines',
  logLoss: false,
};

/**
 * The loss and ||dW^l|| of every layer per epoch, from gs.train's history.
 *
 * @example
 * ```ts
 * const h = gs.train(net, X, Y, { epochs: 300, lr: 0.5 });
 * gs.show(gs.charts.training(h));
 * gs.show(gs.charts.training(h, { view: 'heatmap' }));
 * ```
 */
export function training(history: TrainHistory, options?: TrainingOptions): ChartSpec {
  const o = withDefaults(defaults, options);
  oneOf('view', o.view, ['lines', 'heatmap'] as const);
  if (!history || !Array.isArray(history.epochs) || history.epochs.length === 0) throw invalid('history', history, 'the result of gs.train (with at least one epoch)');
  const loss = history.epochs.filter((e) => Number.isFinite(e.loss)).map((e) => ({ epoch: e.epoch, loss: e.loss }));
  const all = history.epochs.flatMap((e) => e.gradNorm.map((g, i) => ({ epoch: e.epoch, layer: i + 1, gradNorm: g })));
  const grads = all.filter((d) => positive(d.gradNorm));
  const dropped = all.length - grads.length;
  const sub = `${history.optimizer}${history.optimizer === 'momentum' ? ` (beta ${history.beta})` : ''}, lr ${history.lr}${history.diverged !== undefined ? `, diverged at epoch ${history.diverged}` : ''}` +
    (dropped ? `; ${dropped} zero or non-finite gradient norms not drawn (log axis)` : '');
  const epoch = { field: 'epoch', type: 'quantitative' as const, title: 'epoch' };
  if (o.view === 'heatmap') {
    return {
      $schema: SCHEMA,
      title: { text: o.title, subtitle: `gradient norm ||dW^l|| per layer and epoch; ${sub}` },
      width: o.width,
      height: Math.max(o.height, 18 * (history.epochs[0].gradNorm.length)),
      data: { values: grads },
      mark: { type: 'rect' },
      encoding: {
        x: { field: 'epoch', type: 'ordinal', title: 'epoch', axis: { labelOverlap: true } },
        y: { field: 'layer', type: 'ordinal', title: 'layer l', sort: 'descending' },
        color: { field: 'gradNorm', type: 'quantitative', title: '||dW^l|| (log)', scale: { type: 'log', scheme: 'viridis' } },
        tooltip: [{ field: 'epoch', type: 'quantitative' }, { field: 'layer', type: 'ordinal' }, { field: 'gradNorm', type: 'quantitative', format: '.3e' }],
      },
    };
  }
  return {
    $schema: SCHEMA,
    title: { text: o.title, subtitle: sub },
    resolve: { scale: { x: 'shared' } }, // one epoch axis, even where zero gradient norms are not drawn
    vconcat: [
      {
        width: o.width,
        height: o.height,
        data: { values: loss },
        mark: { type: 'line', strokeWidth: 2, color: 'black' },
        encoding: { x: epoch, y: { field: 'loss', type: 'quantitative', title: `loss J${o.logLoss ? ' (log)' : ''}`, scale: o.logLoss ? { type: 'log' } : { zero: false } } },
      },
      {
        width: o.width,
        height: o.height,
        data: { values: grads },
        mark: { type: 'line', strokeWidth: 1.5 },
        encoding: {
          x: epoch,
          y: { field: 'gradNorm', type: 'quantitative', title: '||dW^l|| (log)', scale: { type: 'log' } },
          color: { field: 'layer', type: 'ordinal', title: 'layer', scale: { scheme: 'viridis' } },
        },
      },
    ],
  };
}
