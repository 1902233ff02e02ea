/**
 * The naive float32 loop on tf tensors, the baseline of benchmark case (b): for every entry,
 * upload the perturbed parameter block, run the whole tf forward pass, read the loss back.
 *   d theta[i] = (J(theta + eps e_i) - J(theta - eps e_i)) / 2 eps
 */
import type { Tensor2D } from '@tensorflow/tfjs';
import { tf } from '../core/backend';
import type { MlpCore as Net } from './net';
import { allIndices, type NumericResult } from '../nn/numeric';

/**
 * Central differences in float32, one upload and one readback per evaluation.
 *
 * @example
 * ```ts
 * const { values } = naiveGrad32(net, X, y, [], { eps: 1e-2 });
 * ```
 */
export function naiveGrad32(
  net: Net,
  X: Tensor2D,
  y: Tensor2D,
  D: (Tensor2D | undefined)[],
  { eps = 1e-2, indices }: { eps?: number; indices?: Int32Array } = {},
): NumericResult {
  const idx = indices ?? allIndices(net.size);
  const values = new Float64Array(idx.length);
  const theta = net.toVector();
  const J = (): number => {
    const t = net.lossTensor(X, y, D);
    const v = t.dataSync()[0];
    t.dispose();
    return v;
  };
  for (let k = 0; k < idx.length; k++) {
    const blk = net.blocks.find((b) => idx[k] >= b.offset && idx[k] < b.offset + b.size)!;
    const block = Float32Array.from(theta.subarray(blk.offset, blk.offset + blk.size));
    const e = idx[k] - blk.offset, w = block[e];
    const set = (value: number): void => {
      block[e] = value;
      tf.tidy(() => net.params[blk.name].assign(tf.tensor(block, blk.shape)));
    };
    set(w + eps);
    const plus = J();
    set(w - eps);
    const minus = J();
    set(w);
    values[k] = (plus - minus) / (2 * eps);
  }
  return { indices: idx, values, kinks: new Uint8Array(idx.length), scale: new Float64Array(idx.length).fill(NaN), evaluations: 2 * idx.length };
}
