/**
 * The gradient through time (Hochreiter 1991; Bengio, Simard and Frasconi 1994): how much of dJ
 * reaches each step back from the loss. For t = 1..T,
 *   gradNorm^(t)     = ||dJ/da^(t)||_F over [m, na]
 *   cellGradNorm^(t) = ||dJ/dc^(t)||_F (lstm): dc_total of step t, the carry plus da * Gamma_o * tanh'(c)
 * read off the hand-written backward pass as it goes back through time. A tanh RNN's falls
 * geometrically towards t = 1 (vanishing); an RNN with a large Wa rises (exploding); the LSTM's
 * cell path c^(t) = ... + Gamma_f * c^(t-1) keeps it when Gamma_f stays near 1.
 */
import type { Tensor, Tensor2D } from '@tensorflow/tfjs';
import { tf } from '../core/backend';
import { invalid, knownKeys } from '../core/errors';
import { displayable } from '../core/jupyter';
import { initLabel } from '../nn/init';
import { Lstm, lstmStepBackward } from '../lstm/lstm';
import { Rnn, rnnStepBackward } from '../rnn/rnn';

/** One step of {@link gradientThroughTime}. */
export interface ThroughTimeRow {
  /** Series label: `options.label`, else e.g. 'rnn tanh' or 'lstm forgetBias 1'. */
  model: string;
  /** The network's family. */
  family: 'rnn' | 'lstm';
  /** Step 1..T. */
  t: number;
  /** ||dJ/da^(t)||_F. */
  gradNorm: number;
  /** lstm: ||dJ/dc^(t)||_F. */
  cellGradNorm?: number;
}

/** Options of {@link gradientThroughTime}. */
export interface ThroughTimeOptions {
  /** The series name in charts. */
  label?: string;
  /** Initial hidden state [m, na] (zeros by default). */
  a0?: Tensor;
  /** lstm: initial cell [m, na] (zeros by default). */
  c0?: Tensor;
}

/** A short name for charts: 'rnn tanh', 'rnn relu x 3', 'rnn tanh orthogonal', 'lstm forgetBias 1', 'lstm (lecture) forgetBias 0' (the init when not the default). */
export function seriesName(net: Rnn | Lstm): string {
  const init = typeof net.spec.init === 'string' && net.spec.init === (net instanceof Rnn && net.spec.hidden === 'relu' ? 'he' : 'xavier') ? '' : ` ${initLabel(net.spec.init)}`;
  if (net instanceof Rnn) return `rnn ${net.spec.hidden}${init}${net.spec.scale !== 1 ? ` x ${net.spec.scale}` : ''}`;
  return `lstm${net.spec.variant === 'lecture' ? ' (lecture)' : ''}${init} forgetBias ${net.spec.forgetBias}`;
}

/**
 * The norm of dJ/da^(t) (and of dJ/dc^(t) for an LSTM) at every step t = 1..T of one batch, from
 * the hand-written backward pass. Synchronous; leaves tf.memory().numTensors unchanged.
 * gradNorm = ||dJ/da^(t)||_F over [m, na]; cellGradNorm = ||dJ/dc^(t)||_F. At T = 50 (notebook 05)
 * a tanh RNN passes 3e-6 of ||dJ/da^(50)|| back to t = 1, an LSTM 3e-8 / 6e-3 / 2.0 with
 * forgetBias 0 / 1 / 3. Plot the rows with `gs.charts.gradientThroughTime` (one line per model, log
 * axis; dashed: dJ/dc).
 *
 * @param net gs.rnn or gs.lstm
 * @param X inputs [m, T, nx]
 * @param Y labels [m, ny] (outputs 'last') or [m, T, ny] ('every')
 * @example
 * ```ts
 * const X = gs.tf.randomNormal([16, 50, 4]);
 * const Y = gs.tf.randomUniform([16, 1]).round();
 * const rows = [
 *   ...gs.gradientThroughTime(gs.rnn({ nx: 4, na: 32, ny: 1, seed: 1 }), X, Y),
 *   ...gs.gradientThroughTime(gs.lstm({ nx: 4, na: 32, ny: 1, seed: 1 }), X, Y),
 * ];   // [{ model: 'rnn tanh', t: 1, gradNorm: 3e-9 }, ..., { model: 'lstm forgetBias 1', t: 50, gradNorm: 0.02, cellGradNorm: 0.01 }]
 * gs.show(gs.charts.gradientThroughTime(rows));
 * ```
 */
export function gradientThroughTime(net: Rnn | Lstm, X: Tensor, Y: Tensor, options: ThroughTimeOptions = {}): ThroughTimeRow[] {
  if (!(net instanceof Rnn) && !(net instanceof Lstm)) throw invalid('net', net, 'a recurrent network from gs.rnn or gs.lstm');
  knownKeys('options', options, ['label', 'a0', 'c0']);
  if (options.label !== undefined && typeof options.label !== 'string') throw invalid('label', options.label, 'a string');
  net.assertUsable();
  const model = options.label ?? seriesName(net);
  const norm = (t: Tensor) => Math.sqrt(t.square().sum().dataSync()[0]);
  const rows: ThroughTimeRow[] = [];
  if (net instanceof Rnn) {
    if (options.c0 !== undefined) throw invalid('c0', options.c0, 'nothing: an rnn has no cell state');
    const { output, cache } = net.forward(X, { a0: options.a0 });
    try {
      const grads = net.backward(cache, Y, (step, da) => {
        rows.push({ model, family: 'rnn', t: step.t, gradNorm: norm(da) });
        return rnnStepBackward(step, da);
      });
      tf.dispose(grads);
    } finally {
      output.dispose();
      cache.dispose();
    }
  } else {
    const { output, cache } = net.forward(X, { a0: options.a0, c0: options.c0 });
    try {
      const grads = net.backward(cache, Y, (step, da, dc) => {
        const dcTotal = dc.add(da.mul(step.Go).mul(tf.scalar(1).sub(tf.tanh(step.c).square()))) as Tensor2D; // dJ/dc^(t)
        rows.push({ model, family: 'lstm', t: step.t, gradNorm: norm(da), cellGradNorm: norm(dcTotal) });
        return lstmStepBackward(step, da, dc);
      });
      tf.dispose(grads);
    } finally {
      output.dispose();
      cache.dispose();
    }
  }
  return displayable(rows.reverse());
}
