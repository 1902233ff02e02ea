/**
 * Plain full-batch gradient descent with the hand-written gradients (net.backward), recording the
 * loss and every layer's ||dW^l|| per epoch (seed 001: check the gradients at initialisation and
 * again after some training).
 *   sgd:       W <- W - lr dW
 *   momentum:  v <- beta v + dW,  W <- W - lr v    (seed 004: Delta theta_k = eta Delta theta_(k-1) + alpha grad)
 */
import type { Tensor, Tensor2D } from '@tensorflow/tfjs';
import { tf } from '../backend';
import { invalid, knownKeys, matrix, number, oneOf, optionalFunction } from '../errors';
import { cost, type Net } from '../mlp';
import { progressOption } from '../display/progress';
import { moments } from './moments';

/** The state after `epoch` updates (epoch 0 is the initialisation). */
export interface EpochRow {
  epoch: number;
  /** J on the batch (dropout masks of this step when keepProb < 1, L2 term included). */
  loss: number;
  /** ||dW^l||_F for l = 1..L (index 0 is layer 1). */
  gradNorm: number[];
}

/** What {@link train} returns. */
export interface TrainHistory {
  epochs: EpochRow[];
  optimizer: 'sgd' | 'momentum';
  lr: number;
  beta: number;
  /** Set when the loss became NaN or infinite: the epoch it happened (training stopped there). */
  diverged?: number;
  seconds: number;
}

/** Options of {@link train}. */
export interface TrainOptions {
  /** Number of updates. Default 100. */
  epochs?: number;
  /** Learning rate. Default 0.1. */
  lr?: number;
  /** 'sgd' (default) or 'momentum'. */
  optimizer?: 'sgd' | 'momentum';
  /** Momentum coefficient. Default 0.9. */
  beta?: number;
  /** Called after each recorded epoch; return false to stop. */
  onEpoch?: (row: EpochRow, net: Net) => void | boolean;
  /** Progress: a callback (done, total), `false` for none; default gs.progress('train'). */
  onProgress?: ((done: number, total: number) => void) | false;
}

/**
 * Trains `net` in place on the whole batch X, Y with the hand-written gradients and returns the
 * loss and per-layer gradient norms of every epoch (epoch 0 = at initialisation).
 *
 * @example
 * ```ts
 * const net = gs.mlp({ sizes: [2, 16, 16, 1], hidden: 'tanh', seed: 1 });
 * const h = gs.train(net, X, Y, { epochs: 200, lr: 0.5, optimizer: 'momentum', beta: 0.9 });
 * h.epochs.at(-1).loss;               // lower than h.epochs[0].loss
 * gs.show(gs.charts.training(h));
 * ```
 */
export function train(net: Net, X: Tensor2D, Y: Tensor, options: TrainOptions = {}): TrainHistory {
  knownKeys('options', options, ['epochs', 'lr', 'optimizer', 'beta', 'onEpoch', 'onProgress']);
  if (!net || typeof net.backward !== 'function') throw invalid('net', net, 'a network from gs.mlp(...)');
  matrix('X', X, net.spec.sizes[0]);
  const epochs = number('epochs', options.epochs ?? 100, { min: 0, integer: true });
  const lr = number('lr', options.lr ?? 0.1, { min: 0, openMin: true });
  const optimizer = oneOf('optimizer', options.optimizer ?? 'sgd', ['sgd', 'momentum'] as const);
  const beta = number('beta', options.beta ?? 0.9, { min: 0, max: 1 });
  const onEpoch = optionalFunction<NonNullable<TrainOptions['onEpoch']>>('onEpoch', options.onEpoch, 'a function (row, net) => void');
  const y = net.labels(Y, X.shape[0]);
  const L = net.depth;
  const started = Date.now();
  const velocity: Record<string, Tensor> = {};
  const history: TrainHistory = { epochs: [], optimizer, lr, beta, seconds: 0 };
  const progress = progressOption('onProgress', options.onProgress, 'train', epochs);
  try {
    for (let epoch = 0; epoch <= epochs; epoch++) {
      const { cache } = net.forward(X, { training: true });
      const grads = net.backward(cache, y);
      try {
        const J = tf.tidy(() => cost(net, cache.z[L]!, y)); // the loss of this step's forward pass, no second pass
        const loss = J.dataSync()[0];
        J.dispose();
        const row: EpochRow = { epoch, loss, gradNorm: [] };
        for (let l = 1; l <= L; l++) row.gradNorm.push(moments(grads[`dW${l}`].dataSync()).norm);
        history.epochs.push(row);
        if (!Number.isFinite(loss)) {
          history.diverged = epoch;
          break;
        }
        if (onEpoch && onEpoch(row, net) === false) break;
        if (epoch === epochs) break;
        for (const blk of net.blocks) {
          const param = net.params[blk.name];
          const g = grads[blk.grad];
          if (optimizer === 'momentum') {
            const v = tf.tidy(() => (velocity[blk.name] ? velocity[blk.name].mul(beta).add(g) : g.clone())); // v = beta v + dW
            velocity[blk.name]?.dispose();
            velocity[blk.name] = v;
            tf.tidy(() => { param.assign(param.sub(v.mul(lr))); }); // W -= lr v
          } else {
            tf.tidy(() => { param.assign(param.sub(g.mul(lr))); }); // W -= lr dW
          }
        }
        progress.step(epoch + 1);
      } finally {
        tf.dispose(Object.values(grads));
        cache.dispose();
      }
    }
  } finally {
    tf.dispose([y, ...Object.values(velocity)]);
    progress.finish();
  }
  history.seconds = (Date.now() - started) / 1000;
  return history;
}
