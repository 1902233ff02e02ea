/**
 * The gradient through time (Hochreiter 1991; Bengio, Simard and Frasconi 1994): how much of dJ
 * reaches each step back from the loss. For t = 1..T,
 *   gradNorm^(t)     = ||dJ/da^(t)||_F over [m, na]
 *   cellGradNorm^(t) = ||dJ/dc^(t)||_F (lstm): dc_total of step t, the carry plus da * Gamma_o * tanh'(c)
 * read off the hand-written backward pass as it goes back through time. Each recurrent family
 * computes its own norms ({@link ThroughTimeModel}: `seriesName`, `normsThroughTime`, next to its step
 * backward), so no list of families lives here. A tanh RNN's falls
 * geometrically towards t = 1 (vanishing); an RNN with a large Wa rises (exploding); the LSTM's
 * cell path c^(t) = ... + Gamma_f * c^(t-1) keeps it when Gamma_f stays near 1.
 */
import type { Tensor } from '@tensorflow/tfjs';
import { firstNonFinite, invalid, knownKeys } from '../core/errors';
import { displayable } from '../core/jupyter';
import { isModel, type Model } from '../nn/model';
import { familyList } from '../nn/registry';

/** One step's norms, as a family reads them off its backward pass. */
export interface StepNorm {
  /** Step 1..T. */
  t: number;
  /** ||dJ/da^(t)||_F over [m, na]. */
  gradNorm: number;
  /** lstm: ||dJ/dc^(t)||_F. */
  cellGradNorm?: number;
  /** True where the forward pass's a^(t) holds NaN or Infinity (float32 overflowed): the norm cannot be trusted. */
  overflow?: boolean;
}

/**
 * What gs.gradientThroughTime needs of a recurrent model beyond the model contract: every recurrent
 * family (gs.rnn, gs.lstm, gs.gru, ...) offers it next to its step backward.
 */
export interface ThroughTimeModel extends Model {
  /** A short name for charts: 'rnn tanh', 'rnn relu x 3', 'lstm forgetBias 1', 'gru', ... */
  seriesName(): string;
  /**
   * ||dJ/da^(t)|| (and, with a cell, ||dJ/dc^(t)||) for every step, read off the hand-written backward
   * pass of one batch. `state`: the initial states by name (a0, c0); a family refuses one it has not.
   * Leaves tf.memory().numTensors unchanged.
   */
  normsThroughTime(X: Tensor, Y: Tensor, state: { a0?: Tensor; c0?: Tensor }): StepNorm[];
}

/** One step of {@link gradientThroughTime}. */
export interface ThroughTimeRow extends StepNorm {
  /** Series label: `options.label`, else e.g. 'rnn tanh' or 'lstm forgetBias 1'. */
  model: string;
  /** The network's family. */
  family: string;
  /** Set where a norm is NaN or Infinity: the float32 forward or backward pass overflowed there. */
  note?: string;
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

/** The note of a row whose norm is NaN or Infinity. */
export const NOT_FINITE = 'not finite: the float32 forward or backward pass overflowed (NaN or Infinity); smaller weights, scale or T';

/** `{ overflow: true }` when a^(t) holds NaN or Infinity, else nothing (spread into a StepNorm). */
export function overflowAt(a: Tensor): { overflow?: true } {
  return firstNonFinite(a.dataSync()) >= 0 ? { overflow: true } : {};
}

/** The note of a row whose norm is finite but whose a^(t) is not. */
export const STATE_NOT_FINITE = 'the float32 forward pass overflowed here (a^(t) holds NaN or Infinity): this norm cannot be trusted; smaller weights, scale or T';

/** ||t||_F as a number. */
export const frobenius = (t: Tensor): number => Math.sqrt(t.square().sum().dataSync()[0]);

/** True for a model that offers {@link ThroughTimeModel}. */
export function isThroughTimeModel(net: unknown): net is ThroughTimeModel {
  const x = net as Partial<ThroughTimeModel>;
  return isModel(net) && typeof x.normsThroughTime === 'function' && typeof x.seriesName === 'function';
}

/**
 * The norm of dJ/da^(t) (and of dJ/dc^(t) for an LSTM) at every step t = 1..T of one batch, from
 * the hand-written backward pass. Synchronous; leaves tf.memory().numTensors unchanged.
 * gradNorm = ||dJ/da^(t)||_F over [m, na]; cellGradNorm = ||dJ/dc^(t)||_F. At T = 50 (notebook 05)
 * a tanh RNN passes 3e-6 of ||dJ/da^(50)|| back to t = 1, an LSTM 3e-8 / 6e-3 / 2.0 with
 * forgetBias 0 / 1 / 3. Plot the rows with `gs.charts.gradientThroughTime` (one line per model, log
 * axis; dashed: dJ/dc).
 *
 * @param net a recurrent network: gs.rnn, gs.lstm, gs.gru, ...
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
export function gradientThroughTime(net: ThroughTimeModel, X: Tensor, Y: Tensor, options: ThroughTimeOptions = {}): ThroughTimeRow[] {
  if (!isThroughTimeModel(net)) throw invalid('net', net, `a recurrent network from ${familyList({ recurrent: true })}`);
  knownKeys('options', options, ['label', 'a0', 'c0']);
  if (options.label !== undefined && typeof options.label !== 'string') throw invalid('label', options.label, 'a string');
  net.assertUsable();
  const model = options.label ?? net.seriesName();
  const state: { a0?: Tensor; c0?: Tensor } = {};
  if (options.a0 !== undefined) state.a0 = options.a0;
  if (options.c0 !== undefined) state.c0 = options.c0;
  const rows = net.normsThroughTime(X, Y, state).map((r): ThroughTimeRow => {
    const bad = !Number.isFinite(r.gradNorm) || (r.cellGradNorm !== undefined && !Number.isFinite(r.cellGradNorm));
    return { model, family: net.family, ...r, ...(bad ? { note: NOT_FINITE } : r.overflow ? { note: STATE_NOT_FINITE } : {}) };
  });
  return displayable(rows.sort((p, q) => p.t - q.t));
}
