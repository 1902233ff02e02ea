/**
 * Training any model (src/nn/model.ts: the MLP, gs.rnn, gs.lstm) with its hand-written gradients
 * (model.backward) and one of gs.optimizers' tensor steps, recording per epoch the loss (the MLP:
 * from the pass's own z^L on tf; other families: their float64 mirror), a held-out loss, every weight block's ||dW|| (seed 001: check the gradients at
 * initialisation and again after some training) and, for AdaGrad, RMSProp and Adam, the effective
 * per-parameter step sizes.
 *   sgd:       W <- W - lr dW
 *   momentum:  Delta theta <- beta Delta theta + lr dW,  W <- W - Delta theta    (lecture 003)
 *   adagrad, rmsprop, adam: see gs.optimizers
 *   clip:      g <- g * clip / ||g|| when ||g|| > clip, ||g|| over every block (Pascanu, Mikolov and Bengio 2013)
 */
import type { Tensor } from '@tensorflow/tfjs';
import { tf } from '../core/backend';
import { GradscopeError, invalid, knownKeys, number, oneOf, optionalFunction } from '../core/errors';
import { displayable } from '../core/jupyter';
import { isModel, type Grads, type Model, type ModelCache } from '../nn/model';
import { familyList } from '../nn/registry';
import { progressOption } from '../display/progress';
import { rng } from '../core/random';
import { OPTIMIZER_NAMES, type OptimizerName, type StepOptions, type TensorState } from '../optimizers/common';
import { OPTIMIZERS } from '../optimizers/registry';
import { adagrad } from '../optimizers/adagrad';
import { rmsprop } from '../optimizers/rmsprop';
import { adam } from '../optimizers/adam';
import { checkTime, JS_MADDS, tfSpeed } from '../core/tfWork';
import { moments } from '../stats/moments';

/** The effective step sizes of one layer's parameters after an epoch (AdaGrad, RMSProp: lr / (sqrt(cache) + eps); Adam: lr / (sqrt(v-hat) + eps)). */
export interface StepSizeRow {
  /** The model's layer (ParamBlock.layer): l for W^l and b^l of the MLP. */
  layer: number;
  /** The median step size over the layer's parameters. */
  median: number;
  /** The 10% quantile over the layer's parameters. */
  p10: number;
  /** The 90% quantile over the layer's parameters. */
  p90: number;
}

/** The state after `epoch` epochs (epoch 0 is the initialisation). */
export interface EpochRow {
  /** The epoch, 0 = at initialisation (before any update). */
  epoch: number;
  /** J on the whole training set (dropout masks of this pass when keepProb < 1, L2 term included): the MLP's from the pass's z^L on tf, other families' from their float64 mirror. */
  loss: number;
  /** J on the held-out set (no dropout), when `heldOut` was given. */
  heldOutLoss?: number;
  /** ||dW||_F of each weight block on the whole training set, in `gradNames` order (the MLP: dW1..dWL). */
  gradNorm: number[];
  /** AdaGrad, RMSProp, Adam, from epoch 1: the effective step sizes per layer. */
  stepSize?: StepSizeRow[];
}

/** What {@link train} returns. */
export interface TrainHistory {
  /** One row per recorded epoch, from epoch 0 (at initialisation). */
  epochs: EpochRow[];
  /** The optimiser used. */
  optimizer: OptimizerName;
  /** The learning rate used (the option, or {@link TRAIN_LR}'s default). */
  lr: number;
  /** Momentum's beta (0.9 unless given; recorded for every optimiser for the chart's subtitle). */
  beta: number;
  /** Every option the optimiser's step used (lr, beta, decay, beta1, beta2, eps: its own only). */
  options: StepOptions;
  /** Examples per update (m: full batch). */
  batchSize: number;
  /** Updates per epoch. */
  updates: number;
  /** The run's name in charts: `label`, else the optimiser's name. */
  label: string;
  /** The gradient of each gradNorm entry: 'dW1', ... (weight blocks, rank >= 2). */
  gradNames: string[];
  /** The model's family, as registered: 'mlp', 'rnn', 'lstm', 'gru', ... */
  family: string;
  /** The clip threshold, when `clip` was given. */
  clip?: number;
  /** The number of updates whose gradient clipping scaled down (0 without `clip`). */
  clipped: number;
  /** Set when the loss, a gradient norm or a parameter became NaN or infinite: the epoch it was seen (training stopped there; `notes` says which). */
  diverged?: number;
  /** Plain-language remarks: why training stopped early (diverged: what was not finite; stopped by onEpoch). */
  notes: string[];
  /** Wall time of the run. */
  seconds: number;
}

/** Options of {@link train}: one shape for every model family. */
export interface TrainOptions<M extends Model = Model> {
  /**
   * Number of epochs (passes over the training set). Default 100. Work estimated to run longer than
   * GRADSCOPE_MAX_SECONDS (default 3600 s), from this machine's measured tf speed, is refused up front.
   */
  epochs?: number;
  /** 'sgd' (default), 'momentum', 'adagrad', 'rmsprop' or 'adam' (gs.optimizers). */
  optimizer?: OptimizerName;
  /** Learning rate. Default 0.1 for sgd, momentum and adagrad, 0.01 for rmsprop and adam. */
  lr?: number;
  /** Momentum's beta (eta). Default 0.9. */
  beta?: number;
  /** RMSProp's decay. Default 0.9. */
  decay?: number;
  /** Adam's beta1. Default 0.9. */
  beta1?: number;
  /** Adam's beta2. Default 0.999. */
  beta2?: number;
  /** AdaGrad, RMSProp, Adam: added to the square root. Default 1e-8. */
  eps?: number;
  /** Examples per update; the training set is shuffled with `seed` every epoch. Default: all (full batch, not shuffled). */
  batchSize?: number;
  /** Seed of the shuffle. Default 0. */
  seed?: number;
  /** A held-out set whose loss is recorded per epoch (never trained on). */
  heldOut?: {
    /** The held-out inputs, shaped as the training X. */
    X: Tensor;
    /** Their labels, shaped as the training Y. */
    Y: Tensor;
  };
  /** Clip the gradient by its global norm over every block: g * clip / ||g|| when ||g|| > clip (recurrent nets). */
  clip?: number;
  /** The run's name in gs.charts.training. Default the optimiser's name. */
  label?: string;
  /** Called after each recorded epoch; return false to stop. Its exceptions pass through unchanged (the model keeps the updates made so far). */
  onEpoch?: (row: EpochRow, model: M) => void | boolean;
  /** Progress: a callback (done, total), `false` for none; default gs.progress('train'). */
  onProgress?: ((done: number, total: number) => void) | false;
}

const KNOWN = ['epochs', 'optimizer', 'lr', 'beta', 'decay', 'beta1', 'beta2', 'eps', 'batchSize', 'seed', 'heldOut', 'clip', 'label', 'onEpoch', 'onProgress'] as const;
const STEP_KEYS = ['beta', 'decay', 'beta1', 'beta2', 'eps'] as const;
/** gs.train's default learning rates. */
export const TRAIN_LR: Record<OptimizerName, number> = { sgd: 0.1, momentum: 0.1, adagrad: 0.1, rmsprop: 0.01, adam: 0.01 };
const STEP_SIZE = { adagrad, rmsprop, adam } as const;

/** Runs f, naming the held-out set in a GradscopeError about X or Y (not the training set's). */
function asHeldOut<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof GradscopeError && /^(X|Y)\b/.test(e.argument)) {
      throw new GradscopeError(`heldOut.${e.argument}`, e.message.replace(/^invalid (X|Y)\b/, 'invalid heldOut.$1').replace(/\bof X\b/g, 'of heldOut.X'));
    }
    throw e;
  }
}

/** q-quantile of sorted values (linear interpolation). */
function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  const i = q * (sorted.length - 1), lo = Math.floor(i), hi = Math.ceil(i);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (i - lo);
}

/**
 * Trains a model in place with its hand-written gradients and returns, per epoch, the loss, the
 * held-out loss, each weight block's gradient norm and (adaptive optimisers) the effective step
 * sizes. Epoch 0 is the initialisation. Works on any gs Model: gs.mlp, gs.rnn, gs.lstm, gs.gru.
 *
 * @example
 * ```ts
 * const X = gs.tf.randomUniform([128, 2], -1, 1, 'float32', 1) as gs.tf.Tensor2D;
 * const Y = gs.tf.tidy(() => X.prod(1).greater(0).cast('float32').reshape([128, 1]));
 * const runs = (['sgd', 'adam'] as const).map((optimizer) =>
 *   gs.train(gs.mlp({ sizes: [2, 16, 16, 1], hidden: 'tanh', seed: 1 }), X, Y, { optimizer, epochs: 100, batchSize: 32, seed: 1 }));
 * runs[1].epochs.at(-1).loss;         // well below runs[1].epochs[0].loss
 * gs.show(gs.charts.training(runs));  // one line per optimiser
 * ```
 */
export function train<M extends Model>(net: M, X: Tensor, Y: Tensor, options: TrainOptions<M> = {}): TrainHistory {
  // every option is checked before a tensor is made (a bad onProgress once leaked the labels)
  knownKeys('options', options, KNOWN);
  if (!isModel(net)) throw invalid('net', net, `a model: ${familyList({}, '(...)')}`);
  net.assertUsable();
  if (!(X instanceof tf.Tensor) || X.rank < 2) throw invalid('X', X, 'a tensor with one example per row (the MLP: [m, n0]; rnn/lstm: [m, T, nx])');
  if (X.isDisposed) throw new GradscopeError('X', 'invalid X: the tensor was disposed');
  if (X.dtype !== 'float32' && X.dtype !== 'int32') throw new GradscopeError('X', `invalid X: a ${X.dtype} tensor of shape [${X.shape.join(', ')}] (expected numbers: a float32 tensor)`);
  const m = X.shape[0];
  const epochs = number('epochs', options.epochs ?? 100, { min: 0, integer: true });
  const optimizer = oneOf('optimizer', options.optimizer ?? 'sgd', OPTIMIZER_NAMES);
  const own = OPTIMIZERS[optimizer];
  for (const k of STEP_KEYS) {
    if (options[k] !== undefined && !(k in own.defaults)) throw invalid(`options.${k}`, options[k], `an option of ${optimizer}: ${Object.keys(own.defaults).join(', ')}`);
  }
  const lr = number('lr', options.lr ?? TRAIN_LR[optimizer], { min: 0, openMin: true });
  const stepOptions: StepOptions = { ...own.defaults, lr };
  for (const k of STEP_KEYS) if (options[k] !== undefined) (stepOptions as Record<string, number>)[k] = options[k]!;
  own.step([0], [0], {}, stepOptions); // checks the optimiser's options with its own messages
  const batchSize = number('batchSize', options.batchSize ?? m, { min: 1, max: m, integer: true });
  const seed = number('seed', options.seed ?? 0, { integer: true });
  const clip = options.clip === undefined ? undefined : number('clip', options.clip, { min: 0, openMin: true });
  const label = options.label ?? optimizer;
  if (typeof label !== 'string' || label === '') throw invalid('label', label, 'a non-empty string');
  const heldOut = options.heldOut;
  if (heldOut !== undefined) {
    if (!heldOut || typeof heldOut !== 'object') throw invalid('heldOut', heldOut, '{ X, Y }: a held-out set shaped like the training set');
    knownKeys('heldOut', heldOut, ['X', 'Y']);
    for (const k of ['X', 'Y'] as const) {
      const t = heldOut[k];
      if (!(t instanceof tf.Tensor)) throw invalid(`heldOut.${k}`, t, `a tensor shaped like the training ${k}`);
      if (t.isDisposed) throw new GradscopeError(`heldOut.${k}`, `invalid heldOut.${k}: a disposed tensor of shape [${t.shape.join(', ')}] (expected a live tensor shaped like the training ${k})`);
    }
    if (heldOut.X.dtype !== 'float32' && heldOut.X.dtype !== 'int32') throw new GradscopeError('heldOut.X', `invalid heldOut.X: a ${heldOut.X.dtype} tensor (expected numbers: a float32 tensor)`);
    if (heldOut.X.rank !== X.rank || heldOut.X.shape.slice(1).some((d, i) => d !== X.shape[i + 1])) {
      throw new GradscopeError('heldOut.X', `invalid heldOut.X: shape [${heldOut.X.shape.join(', ')}] (expected [mh, ${X.shape.slice(1).join(', ')}], shaped like the training X)`);
    }
  }
  const onEpoch = optionalFunction<NonNullable<TrainOptions<M>['onEpoch']>>('onEpoch', options.onEpoch, 'a function (row, net) => void');
  const progress = progressOption('onProgress', options.onProgress, 'train', epochs);

  // tf work: refused up front past GRADSCOPE_MAX_SECONDS, estimated from the sizes and this machine's measured tf speed
  const T = X.rank === 3 ? X.shape[1] ?? 1 : 1, P = net.size, mh = heldOut ? heldOut.X.shape[0] : 0;
  const updates = Math.ceil(m / batchSize);
  const madds = 3 * m * P * T * (batchSize === m ? 1 : 2) + mh * P * T; // forward + backward (2x) on the whole set, again in batches; held-out forward
  const calls = net.blocks.length * (6 * T + 4) * (1 + updates) + (batchSize === m ? 0 : 4 * updates); // per block and time step ~6 ops, ~4 optimiser ops per update
  const mirror = net.lossOfPass ? 0 : (m + mh) * P * T; // without lossOfPass, the loss is the float64 mirror in plain JS
  const speed = tfSpeed();
  const perEpoch = madds / speed.madds + calls * speed.call + mirror / JS_MADDS;
  checkTime('epochs', epochs, (epochs + 1) * perEpoch, `${epochs + 1} passes of ${madds.toExponential(1)} multiply-adds and ~${Math.round(calls)} tf kernel calls each${mirror ? ` plus a float64 loss of ${mirror.toExponential(1)} in plain JS` : ''}`);

  const weights = net.blocks.filter((b) => b.shape.length >= 2);
  const layers = [...new Set(net.blocks.map((b) => b.layer))].sort((a, b) => a - b);
  const history: TrainHistory = {
    epochs: [], optimizer, lr, beta: stepOptions.beta ?? options.beta ?? 0.9, options: stepOptions, batchSize, updates, label,
    gradNames: weights.map((b) => b.grad), family: net.family, ...(clip !== undefined && { clip }), clipped: 0, notes: [], seconds: 0,
  };
  const forwardOptions = net.family === 'mlp' ? { training: true } : undefined; // dropout masks (keepProb < 1)
  const state: Record<string, TensorState> = {};
  const started = Date.now();
  const owned: Tensor[] = [];
  const r = rng(seed);
  const order = Array.from({ length: m }, (_, i) => i);

  /** J in float64 on (Xs, ys) with a forward pass's cache, and/or the hand-written gradients of that pass. */
  const pass = (Xs: Tensor, ys: Tensor, training: boolean, want: { loss: boolean; grads: boolean }): { J: number; grads?: Grads } => {
    const { output, cache } = net.forward(Xs, training ? forwardOptions : undefined) as { output: Tensor; cache: ModelCache };
    try {
      const J = !want.loss ? NaN : net.lossOfPass ? net.lossOfPass(cache, ys) : net.mirror64(Xs, ys, cache)(net.toVector()).J;
      return { J, grads: want.grads ? net.backward(cache, ys) : undefined };
    } finally {
      cache.dispose();
      if (!output.isDisposed) output.dispose(); // the MLP's output is its cache's a^L
    }
  };

  const update = (grads: Grads): void => {
    if (clip !== undefined) {
      const norm = tf.tidy(() => tf.addN(net.blocks.map((b) => grads[b.grad].square().sum())).sqrt().dataSync()[0]);
      if (norm > clip) {
        history.clipped++;
        for (const b of net.blocks) {
          const g = grads[b.grad];
          grads[b.grad] = g.mul(clip / norm); // g <- g clip / ||g||
          g.dispose();
        }
      }
    }
    for (const b of net.blocks) {
      const param = net.params[b.name];
      const old = state[b.name] ?? {};
      const next = own.updateTensor(param, grads[b.grad], old, stepOptions as Required<StepOptions>); // no readback: checked once per epoch
      param.assign(next.w);
      next.w.dispose();
      tf.dispose([old.dTheta, old.cache, old.m, old.v].filter((t): t is Tensor => t !== undefined));
      state[b.name] = next.state;
    }
  };

  /** What is not finite in an epoch's row or the parameters (one scalar readback, where the loss is read anyway), or ''. */
  const notFinite = (row: EpochRow): string => {
    if (!Number.isFinite(row.loss)) return `the loss is ${row.loss}`;
    const g = row.gradNorm.findIndex((x) => !Number.isFinite(x));
    if (g >= 0) return `||${history.gradNames[g]}|| is ${row.gradNorm[g]} (the float32 backward overflowed)`;
    const finite = tf.tidy(() => tf.stack(net.blocks.map((b) => tf.isFinite(net.params[b.name]).all())).dataSync());
    const p = finite.findIndex((f) => !f);
    return p >= 0 ? `a parameter of ${net.blocks[p].name} is NaN or infinite` : '';
  };

  const stepSizes = (): StepSizeRow[] | undefined => {
    if (!(optimizer in STEP_SIZE) || Object.keys(state).length === 0) return undefined;
    const f = STEP_SIZE[optimizer as keyof typeof STEP_SIZE];
    return layers.map((layer) => {
      const parts = net.blocks.filter((b) => b.layer === layer).map((b) => {
        const s = state[b.name];
        const v = optimizer === 'adam' ? s.v : s.cache;
        return f.stepSize({ [optimizer === 'adam' ? 'v' : 'cache']: Float64Array.from(v!.dataSync()), t: s.t }, stepOptions);
      });
      const all = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
      let o = 0;
      for (const p of parts) { all.set(p, o); o += p.length; }
      all.sort();
      return { layer, median: quantile(all, 0.5), p10: quantile(all, 0.1), p90: quantile(all, 0.9) };
    });
  };

  try {
    const y = net.labels(Y, X);
    owned.push(y);
    let held: { X: Tensor; y: Tensor } | undefined;
    if (heldOut) {
      const yh = asHeldOut(() => net.labels(heldOut.Y, heldOut.X));
      owned.push(yh);
      held = { X: heldOut.X, y: yh };
    }
    for (let epoch = 0; epoch <= epochs; epoch++) {
      const full = batchSize === m;
      const { J, grads } = pass(X, y, true, { loss: true, grads: true });
      let fullGrads: Grads | undefined = grads;
      try {
        const row: EpochRow = { epoch, loss: J, gradNorm: weights.map((b) => moments(grads![b.grad].dataSync()).norm) };
        if (held) row.heldOutLoss = asHeldOut(() => pass(held!.X, held!.y, false, { loss: true, grads: false }).J);
        const sizes = stepSizes();
        if (sizes) row.stepSize = sizes;
        history.epochs.push(row);
        const bad = notFinite(row);
        if (bad) {
          history.diverged = epoch;
          history.notes.push(`diverged at epoch ${epoch}: ${bad}; training stopped there (the model keeps the parameters of epoch ${epoch}${bad.startsWith('a parameter') ? '' : ', no update made from them'})`);
          break;
        }
        if (onEpoch && onEpoch(row, net) === false) {
          history.notes.push(`stopped by onEpoch after epoch ${epoch}`);
          break;
        }
        if (epoch === epochs) break;
        if (full) {
          update(grads!);
          fullGrads = grads; // update may have replaced clipped entries: dispose what it holds now
        } else {
          tf.dispose(Object.values(grads!));
          fullGrads = undefined;
          for (let i = m - 1; i > 0; i--) { const j = r.int(i + 1); [order[i], order[j]] = [order[j], order[i]]; } // Fisher-Yates with the seed
          for (let start = 0; start < m; start += batchSize) {
            const idx = tf.tensor1d(order.slice(start, start + batchSize), 'int32');
            const Xb = tf.gather(X, idx), yb = tf.gather(y, idx);
            idx.dispose();
            try {
              const { grads: g } = pass(Xb, yb, true, { loss: false, grads: true });
              try { update(g!); } finally { tf.dispose(Object.values(g!)); }
            } finally {
              tf.dispose([Xb, yb]);
            }
          }
        }
        progress.step(epoch + 1);
      } finally {
        if (fullGrads) tf.dispose(Object.values(fullGrads));
      }
    }
  } finally {
    tf.dispose(owned);
    for (const s of Object.values(state)) tf.dispose([s.dTheta, s.cache, s.m, s.v].filter((t): t is Tensor => t !== undefined));
    progress.finish();
  }
  history.seconds = (Date.now() - started) / 1000;
  return displayable(history);
}
