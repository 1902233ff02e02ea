/**
 * Training as it happens: the loss per epoch (and the held-out loss) above the gradient norm of
 * every layer per epoch (log), or a layer x epoch heatmap of the gradient norm; several runs on one
 * chart, one line per run (one per optimiser).
 */
import { invalid, oneOf } from '../core/errors';
import type { TrainHistory } from '../train/train';
import { SCHEMA, withDefaults, type BaseOptions, type ChartSpec } from './common';
import { displayable } from './common';

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

/** Names for several runs: each run's label, made unique with its lr (then a number) where labels repeat. */
export function runNames(histories: TrainHistory[]): string[] {
  const count = (xs: string[], x: string) => xs.filter((y) => y === x).length;
  let names = histories.map((h) => h.label ?? h.optimizer);
  names = names.map((n, i) => (count(names, n) > 1 ? `${n} lr ${histories[i].lr}` : n));
  return names.map((n, i) => (count(names, n) > 1 ? `${n} #${i + 1}` : n));
}

const isHistory = (h: unknown): h is TrainHistory => !!h && typeof h === 'object' && Array.isArray((h as TrainHistory).epochs) && (h as TrainHistory).epochs.length > 0;

/**
 * The loss and ||dW^l|| of every layer per epoch, from gs.train's history; given several
 * histories, one line per run (the loss, dashed on the held-out set, and the gradient norm over
 * every weight block).
 *
 * @example
 * ```ts
 * const h = gs.train(net, X, Y, { epochs: 300, lr: 0.5 });
 * gs.show(gs.charts.training(h));
 * gs.show(gs.charts.training(h, { view: 'heatmap' }));
 * gs.show(gs.charts.training([hSgd, hMomentum, hAdam]));   // one line per optimiser
 * ```
 */
export function training(history: TrainHistory | TrainHistory[], options?: TrainingOptions): ChartSpec {
  const o = withDefaults(defaults, options);
  oneOf('view', o.view, ['lines', 'heatmap'] as const);
  if (Array.isArray(history)) {
    if (history.length === 0 || !history.every(isHistory)) throw invalid('history', history, 'gs.train results (each with at least one epoch)');
    if (history.length > 1) {
      if (o.view === 'heatmap') throw invalid('view', o.view, "'lines' for several runs (a heatmap draws one run)");
      return runs(history, o);
    }
    history = history[0];
  }
  if (!isHistory(history)) throw invalid('history', history, 'the result of gs.train (with at least one epoch)');
  const names = history.gradNames ?? history.epochs[0].gradNorm.map((_, i) => `dW${i + 1}`);
  const mlpLayers = names.every((n, i) => n === `dW${i + 1}`);
  const loss = lossRows(history, history.label ?? history.optimizer);
  const heldOut = loss.some((d) => d.set === 'held-out');
  const all = history.epochs.flatMap((e) => e.gradNorm.map((g, i) => ({ epoch: e.epoch, layer: mlpLayers ? i + 1 : names[i], gradNorm: g })));
  const grads = all.filter((d) => !(d.gradNorm <= 0)); // NaN and Infinity stay for the rule in common.ts, which notes them
  const dropped = all.length - grads.length;
  const sub = `${subtitle(history)}${history.diverged !== undefined ? `, diverged at epoch ${history.diverged}` : ''}` +
    (dropped ? `; ${dropped} zero gradient norms not drawn (log axis)` : '');
  const epoch = { field: 'epoch', type: 'quantitative' as const, title: 'epoch' };
  const gradTitle = mlpLayers ? '||dW^l|| (log)' : '||dW|| (log)';
  if (o.view === 'heatmap') {
    return displayable({
      $schema: SCHEMA,
      title: { text: o.title, subtitle: `gradient norm ${mlpLayers ? '||dW^l|| per layer' : '||dW|| per weight block'} and epoch; ${sub}` },
      width: o.width,
      height: Math.max(o.height, 18 * (history.epochs[0].gradNorm.length)),
      data: { values: grads },
      mark: { type: 'rect' },
      encoding: {
        x: { field: 'epoch', type: 'ordinal', title: 'epoch', axis: { labelOverlap: true } },
        y: { field: 'layer', type: 'ordinal', title: mlpLayers ? 'layer l' : 'weight block', sort: 'descending' },
        color: { field: 'gradNorm', type: 'quantitative', title: `${mlpLayers ? '||dW^l||' : '||dW||'} (log)`, scale: { type: 'log', scheme: 'viridis' } },
        tooltip: [{ field: 'epoch', type: 'quantitative' }, { field: 'layer', type: 'ordinal' }, { field: 'gradNorm', type: 'quantitative', format: '.3e' }],
      },
    });
  }
  return displayable({
    $schema: SCHEMA,
    title: { text: o.title, subtitle: sub },
    resolve: { scale: { x: 'shared' } }, // one epoch axis, even where zero gradient norms are not drawn
    vconcat: [
      {
        width: o.width,
        height: o.height,
        data: { values: loss },
        mark: { type: 'line', strokeWidth: 2, color: 'black' },
        encoding: {
          x: epoch,
          y: { field: 'loss', type: 'quantitative', title: `loss J${o.logLoss ? ' (log)' : ''}`, scale: o.logLoss ? { type: 'log' } : { zero: false } },
          ...(heldOut && { strokeDash: { field: 'set', type: 'nominal', title: 'set', sort: ['training', 'held-out'] } }),
        },
      },
      {
        width: o.width,
        height: o.height,
        data: { values: grads },
        mark: { type: 'line', strokeWidth: 1.5 },
        encoding: {
          x: epoch,
          y: { field: 'gradNorm', type: 'quantitative', title: gradTitle, scale: { type: 'log' } },
          color: { field: 'layer', type: mlpLayers ? 'ordinal' : 'nominal', title: mlpLayers ? 'layer' : 'block', scale: { scheme: mlpLayers ? 'viridis' : 'category10' } },
        },
      },
    ],
  });
}

function subtitle(h: TrainHistory, named = false): string {
  const parts = [
    ...(named ? [] : [h.optimizer]),
    ...(h.optimizer === 'momentum' ? [`beta ${h.beta}`] : []),
    `lr ${h.lr}`,
    ...(h.updates !== undefined && h.updates > 1 ? [`batch ${h.batchSize} (${h.updates} updates per epoch)`] : []),
    ...(h.clip !== undefined ? [`clip ${h.clip} (${h.clipped} updates clipped)`] : []),
  ];
  return parts.join(', ');
}

/** The loss of one run per epoch, on the training set and the held-out set. */
function lossRows(h: TrainHistory, run: string): { epoch: number; loss: number; set: 'training' | 'held-out'; run: string }[] {
  return h.epochs.flatMap((e) => [
    { epoch: e.epoch, loss: e.loss, set: 'training' as const, run }, // a NaN or Infinity row is noted and not drawn (common.ts)
    ...(e.heldOutLoss !== undefined ? [{ epoch: e.epoch, loss: e.heldOutLoss, set: 'held-out' as const, run }] : []),
  ]);
}

/** Several runs on one chart: loss (dashed: held-out) and the gradient norm over every weight block, one colour per run. */
function runs(histories: TrainHistory[], o: Required<TrainingOptions>): ChartSpec {
  const names = runNames(histories);
  const loss = histories.flatMap((h, i) => lossRows(h, names[i]));
  const heldOut = loss.some((d) => d.set === 'held-out');
  const grads = histories.flatMap((h, i) => h.epochs.map((e) => ({ epoch: e.epoch, run: names[i], gradNorm: Math.sqrt(e.gradNorm.reduce((s, g) => s + g * g, 0)) })))
    .filter((d) => !(d.gradNorm <= 0));
  const diverged = histories.map((h, i) => (h.diverged !== undefined ? `${names[i]} diverged at epoch ${h.diverged}` : '')).filter(Boolean);
  const epoch = { field: 'epoch', type: 'quantitative' as const, title: 'epoch' };
  const color = { field: 'run', type: 'nominal' as const, title: 'run', sort: names, scale: { scheme: 'category10' } };
  return displayable({
    $schema: SCHEMA,
    // one subtitle line per run (a vega title takes an array of lines)
    title: { text: o.title, subtitle: [...histories.map((h, i) => `${names[i]}: ${subtitle(h, names[i].startsWith(h.optimizer))}`), ...diverged] },
    resolve: { scale: { x: 'shared', color: 'shared' } },
    vconcat: [
      {
        width: o.width,
        height: o.height,
        data: { values: loss },
        mark: { type: 'line', strokeWidth: 2 },
        encoding: {
          x: epoch,
          y: { field: 'loss', type: 'quantitative', title: `loss J${o.logLoss ? ' (log)' : ''}`, scale: o.logLoss ? { type: 'log' } : { zero: false } },
          color,
          ...(heldOut && { strokeDash: { field: 'set', type: 'nominal', title: 'set', sort: ['training', 'held-out'] } }),
          detail: { field: 'set' },
        },
      },
      {
        width: o.width,
        height: o.height,
        data: { values: grads },
        mark: { type: 'line', strokeWidth: 1.5 },
        encoding: { x: epoch, y: { field: 'gradNorm', type: 'quantitative', title: '||dW|| over every weight block (log)', scale: { type: 'log' } }, color },
      },
    ],
  });
}
