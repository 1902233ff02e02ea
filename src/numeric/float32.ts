/**
 * Numerical gradients in float32 on tf tensors (precision: 'float32'). The same rank-1 idea as the
 * float64 checker: perturbing W^l[i, j] moves only column j of z^l by h a^(l-1)[:, i], so a chunk
 * of perturbed copies of z^l is written into one Float32Array, uploaded once, and carried through
 * the rest of the network in one batched tf pass ([copies * m, n] matrices); one readback per
 * chunk gives every copy's row losses and kink crossings. No tensor per entry.
 *   d theta[i] = (1/m) sum_r (L_r(+h) - L_r(-h)) / 2h  (+ lambda w / m from the L2 term)
 */
import type { Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs';
import { tf } from '../backend';
import { activations } from '../activations';
import { outputs } from '../losses';
import type { Cache, Net } from '../mlp';
import { layout, type Slot } from './layout';
import { allIndices, type NumericResult } from './result';

/**
 * Row losses of `copies` stacked copies of the batch, from perturbed z^l (Z: [copies * m, n_l]),
 * and per copy the number of kept relu pre-activations whose sign differs from the base pass.
 *
 * @example
 * ```ts
 * const { rows, crossings } = downstream(net, cache, y, 1, tf.concat([zPlus, zMinus]) as Tensor2D, 2);
 * ```
 */
export function downstream(net: Net, cache: Cache, y: Tensor2D, l: number, Z: Tensor2D, copies: number, prevA?: Tensor2D): { rows: Tensor1D; crossings: Tensor1D } {
  return tf.tidy(() => {
    const { hidden, output, residual, keepProb } = net.spec;
    const L = net.depth;
    const tile = (t: Tensor2D): Tensor2D => (copies === 1 ? t : tf.tile(t, [copies, 1]));
    const g = activations[hidden];
    let crossings: Tensor = tf.zeros([copies]);
    let z = Z;
    let prev: Tensor2D | undefined = prevA ?? (l >= 2 && residual[l] ? tile(cache.a[l - 1]) : undefined);
    for (let k = l; k < L; k++) {
      const D = cache.D[k] ? tile(cache.D[k]!) : undefined;
      if (g.kink) {
        let moved: Tensor = tf.notEqual(tf.greater(z, 0), tf.greater(tile(cache.z[k]!), 0)).toFloat();
        if (D) moved = moved.mul(D);
        crossings = crossings.add(moved.reshape([copies, -1]).sum(1));
      }
      let a = g.g(z) as Tensor2D; // a^k = g(z^k)
      if (D) a = a.mul(D).div(keepProb); // * D^k / keepProb
      if (residual[k]) a = a.add(prev!); // + a^(k-1)
      prev = a;
      z = a.matMul(net.W(k + 1)).add(net.b(k + 1)) as Tensor2D; // z^(k+1) = a^k W^(k+1) + b^(k+1)
    }
    return { rows: outputs[output].lossRows(z, tile(y)) as Tensor1D, crossings: crossings as Tensor1D };
  });
}

/**
 * The eps float32 mode uses unless told: balances round-off u32 / eps against truncation eps^2
 * (measured over random nets, see BENCHMARKS.md).
 *
 * @example
 * ```ts
 * gs.gradCheck(net, X, Y, { precision: 'float32' }).eps; // FLOAT32_EPS
 * ```
 */
export const FLOAT32_EPS = 1e-2;

/**
 * Central differences in float32 for the given theta indices (all by default), batched per chunk.
 *
 * @example
 * ```ts
 * const { cache } = net.forward(X);
 * const { values } = float32Grad(net, cache, y, { eps: 1e-2 });
 * cache.dispose();
 * ```
 */
export function float32Grad(
  net: Net,
  cache: Cache,
  y: Tensor2D,
  { eps = FLOAT32_EPS, indices, tick, budget = 1 << 21 }: { eps?: number; indices?: Int32Array; tick?: (done: number) => void; budget?: number } = {},
): NumericResult {
  const idx = indices ?? allIndices(net.size);
  const values = new Float64Array(idx.length);
  const kinks = new Uint8Array(idx.length);
  const scale = new Float64Array(idx.length);
  const n = net.spec.sizes, m = y.shape[0];
  const slots = layout(net.spec);
  const theta = net.toVector();
  const lambda = net.spec.l2;
  let done = 0;
  for (const slot of slots) {
    const ks: number[] = [];
    for (let k = 0; k < idx.length; k++) if (idx[k] >= slot.offset && idx[k] < slot.offset + slot.size) ks.push(k);
    if (!ks.length) continue;
    const l = slot.layer, nl = n[l], nIn = n[l - 1];
    const zBase = cache.z[l]!.dataSync() as Float32Array;
    const aPrev = cache.a[l - 1].dataSync() as Float32Array;
    const widest = Math.max(...n.slice(l));
    const per = Math.max(1, Math.floor(budget / (2 * m * widest))); // entries per chunk
    for (let c0 = 0; c0 < ks.length; c0 += per) {
      const chunk = ks.slice(c0, c0 + per);
      const copies = 2 * chunk.length;
      if (l < net.depth) {
        hiddenChunk(net, cache, y, slot, idx, chunk, zBase, aPrev, eps, values, kinks, scale, theta);
        tick?.((done += chunk.length));
        continue;
      }
      const Zbuf = new Float32Array(copies * m * nl);
      chunk.forEach((k, p) => {
        const e = idx[k] - slot.offset;
        const [i, j] = slot.kind === 'W' ? [Math.floor(e / nl), e % nl] : [-1, e];
        for (const s of [0, 1]) {
          const o = (2 * p + s) * m * nl;
          Zbuf.set(zBase, o);
          for (let r = 0; r < m; r++) Zbuf[o + r * nl + j] += (s === 0 ? eps : -eps) * (i < 0 ? 1 : aPrev[r * nIn + i]); // z^l[:, j] +- h a^(l-1)[:, i]
        }
      });
      const Z = tf.tensor2d(Zbuf, [copies * m, nl]);
      const { rows, crossings } = downstream(net, cache, y, l, Z, copies);
      const R = rows.dataSync(), C = crossings.dataSync();
      tf.dispose([Z, rows, crossings]);
      chunk.forEach((k, p) => {
        let sum = 0, abs = 0;
        for (let r = 0; r < m; r++) {
          const diff = R[2 * p * m + r] - R[(2 * p + 1) * m + r]; // L_r(+h) - L_r(-h)
          sum += diff;
          abs += Math.abs(diff);
        }
        const g = sum / m / (2 * eps);
        const l2 = slot.kind === 'W' && lambda > 0 ? (lambda / m) * theta[idx[k]] : 0; // d/dw (lambda/2m) w^2, exact for a quadratic
        values[k] = g + l2;
        scale[k] = abs / m / (2 * eps) + Math.abs(l2);
        kinks[k] = C[2 * p] > 0 || C[2 * p + 1] > 0 ? 1 : 0;
      });
      tick?.((done += chunk.length));
    }
  }
  return { indices: idx, values, kinks, scale, evaluations: 2 * idx.length };
}

/**
 * Directional derivatives in float32: all directions of one block go through one batched pass.
 *   v . grad J ~ (J(theta + eps v) - J(theta - eps v)) / 2 eps
 *
 * @example
 * ```ts
 * const { values } = directional32(net, cache, y, [{ slot, v }], 1e-2);
 * ```
 */
export function directional32(net: Net, cache: Cache, y: Tensor2D, dirs: { slot: Slot; v: Float64Array }[], eps: number): { values: Float64Array; kinks: Uint8Array; scale: Float64Array; evaluations: number } {
  const values = new Float64Array(dirs.length), scale = new Float64Array(dirs.length);
  const kinks = new Uint8Array(dirs.length);
  const m = y.shape[0];
  const theta = net.toVector();
  dirs.forEach(({ slot, v }, d) => {
    const l = slot.layer;
    const Z = tf.tidy(() => {
      const V = slot.kind === 'W' ? tf.tensor2d(Float32Array.from(v), [slot.rows, slot.cols]) : tf.tensor1d(Float32Array.from(v));
      const dz = (slot.kind === 'W' ? cache.a[l - 1].matMul(V as Tensor2D) : V).mul(eps); // dz^l = eps a^(l-1) V  (eps v for b)
      const z = cache.z[l]!;
      return tf.concat([z.add(dz), z.sub(dz)]) as Tensor2D;
    });
    const { rows, crossings } = downstream(net, cache, y, l, Z, 2);
    const R = rows.dataSync(), C = crossings.dataSync();
    tf.dispose([Z, rows, crossings]);
    let sum = 0, abs = 0;
    for (let r = 0; r < m; r++) {
      sum += R[r] - R[m + r];
      abs += Math.abs(R[r] - R[m + r]);
    }
    let g = sum / m / (2 * eps);
    scale[d] = abs / m / (2 * eps);
    if (slot.kind === 'W' && net.spec.l2 > 0) {
      let wv = 0;
      for (let e = 0; e < slot.size; e++) wv += theta[slot.offset + e] * v[e];
      g += (net.spec.l2 / m) * wv;
      scale[d] += Math.abs((net.spec.l2 / m) * wv);
    }
    values[d] = g;
    kinks[d] = C[0] > 0 || C[1] > 0 ? 1 : 0;
  });
  return { values, kinks, scale, evaluations: 2 * dirs.length };
}

/**
 * A chunk of W^l / b^l entries of a hidden layer l: only column j of a^l changes, by da, so
 *   z^(l+1) = z^(l+1)_base + da (outer) W^(l+1)[j, :]   (rank-1, no matrix product at layer l+1)
 * and the dense pass starts at layer l+1. Fills values/kinks/scale for the chunk.
 */
function hiddenChunk(
  net: Net, cache: Cache, y: Tensor2D, slot: Slot, idx: Int32Array, chunk: number[],
  zBase: Float32Array, aPrev: Float32Array, eps: number,
  values: Float64Array, kinks: Uint8Array, scale: Float64Array, theta: Float64Array,
): void {
  const n = net.spec.sizes, m = y.shape[0], l = slot.layer, nl = n[l], nIn = n[l - 1];
  const copies = 2 * chunk.length;
  const zcol = new Float32Array(copies * m);
  const js = new Int32Array(copies);
  chunk.forEach((k, p) => {
    const e = idx[k] - slot.offset;
    const [i, j] = slot.kind === 'W' ? [Math.floor(e / nl), e % nl] : [-1, e];
    for (const s of [0, 1]) {
      const c = 2 * p + s;
      js[c] = j;
      for (let r = 0; r < m; r++) zcol[c * m + r] = zBase[r * nl + j] + (s === 0 ? eps : -eps) * (i < 0 ? 1 : aPrev[r * nIn + i]); // z^l[:, j] +- h a^(l-1)[:, i]
    }
  });
  const { rows, crossings } = tf.tidy(() => {
    const { hidden, keepProb, residual } = net.spec;
    const g = activations[hidden];
    const J = tf.tensor1d(js, 'int32');
    const col = (t: Tensor2D): Tensor2D => tf.gather(t.transpose(), J) as Tensor2D; // column j of t, per copy: [copies, m]
    const zc = tf.tensor2d(zcol, [copies, m]);
    const D = cache.D[l] ? col(cache.D[l]!) : undefined;
    let cross: Tensor = tf.zeros([copies]);
    if (g.kink) {
      let moved: Tensor = tf.notEqual(tf.greater(zc, 0), tf.greater(col(cache.z[l]!), 0)).toFloat();
      if (D) moved = moved.mul(D);
      cross = moved.sum(1);
    }
    let ac = g.g(zc) as Tensor2D; // a^l[:, j] = g(z^l[:, j])
    if (D) ac = ac.mul(D).div(keepProb);
    if (residual[l]) ac = ac.add(col(cache.a[l - 1]));
    const da = ac.sub(col(cache.a[l])); // change of column j of a^l: [copies, m]
    const Wj = tf.gather(net.W(l + 1), J) as Tensor2D; // W^(l+1)[j, :]: [copies, n(l+1)]
    const zNext = cache.z[l + 1]!.expandDims(0).add(da.expandDims(2).mul(Wj.expandDims(1))).reshape([copies * m, n[l + 1]]) as Tensor2D;
    const prev = residual[l + 1]
      ? (tf.tile(cache.a[l], [copies, 1]).add(da.expandDims(2).mul(tf.oneHot(J, nl).toFloat().expandDims(1)).reshape([copies * m, nl])) as Tensor2D)
      : undefined;
    const rest = downstream(net, cache, y, l + 1, zNext, copies, prev);
    return { rows: rest.rows, crossings: rest.crossings.add(cross) as Tensor1D };
  });
  const R = rows.dataSync(), C = crossings.dataSync();
  tf.dispose([rows, crossings]);
  chunk.forEach((k, p) => {
    let sum = 0, abs = 0;
    for (let r = 0; r < m; r++) {
      const diff = R[2 * p * m + r] - R[(2 * p + 1) * m + r]; // L_r(+h) - L_r(-h)
      sum += diff;
      abs += Math.abs(diff);
    }
    const l2 = slot.kind === 'W' && net.spec.l2 > 0 ? (net.spec.l2 / m) * theta[idx[k]] : 0;
    values[k] = sum / m / (2 * eps) + l2;
    scale[k] = abs / m / (2 * eps) + Math.abs(l2);
    kinks[k] = C[2 * p] > 0 || C[2 * p + 1] > 0 ? 1 : 0;
  });
}
