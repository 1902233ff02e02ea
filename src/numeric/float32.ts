/**
 * Numerical gradients in float32 on tf tensors (precision: 'float32'). The same rank-1 idea as the
 * float64 checker: perturbing W^l[i, j] moves only column j of z^l, by h a^(l-1)[:, i] (b^l[j]: by h).
 *   d theta[i] = (1/m) sum_r (L_r(+h) - L_r(-h)) / 2h  (+ lambda w / m from the L2 term)
 * For a chunk of entries:
 *   1. column j of z^l, both signs, for every example: JS (one Float32Array);
 *   2. hidden l: the column's new activation and its change da (a [copies, m] tf pass, one readback);
 *   3. the rows that changed, z^(l+1) = z^(l+1)_base + da W^(l+1)[j, :] (rank-1, float32 arithmetic
 *      in JS: Math.fround of each product and sum, what tf's mul and add give); examples where
 *      neither sign changes anything (a relu unit that stays off, a dropped unit, a zero input)
 *      give L_r(+h) = L_r(-h) exactly and are skipped;
 *   4. those rows only, gathered with their base rows (z^k, D^k, y), through the rest of the network
 *      in one batched tf pass per block of rows; one readback per block.
 * No tensor per entry, no tiled copies of the batch: the numbers are those of running every
 * perturbed copy through tf, each example's row computed by the same tf ops.
 */
import type { Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs';
import { tf } from '../backend';
import { activations } from '../activations';
import { outputs } from '../losses';
import type { Cache, Net } from '../mlp';
import { layout, type Slot } from './layout';
import { allIndices, type NumericResult } from './result';

/**
 * Row losses of perturbed rows carried from layer l to the loss. Row q of Z is a perturbed z^l of
 * example `rows[q]`, whose base z^k, D^k, y (and a^(l-1) for a residual skip, unless `prevA` gives
 * the perturbed a^(l-1) rows) are gathered from the cache. Also per row the number of kept relu
 * pre-activations at layers >= countFrom whose sign differs from the base pass (undefined when
 * none are counted).
 *
 * @example
 * ```ts
 * const rows = tf.tensor1d([0, 0, 5, 5], 'int32');     // examples 0 and 5, +h and -h each
 * const { losses, crossings } = downstreamRows(net, cache, y, 2, Z, rows);
 * ```
 */
export function downstreamRows(
  net: Net, cache: Cache, y: Tensor2D, l: number, Z: Tensor2D, rows: Tensor1D, prevA?: Tensor2D, countFrom = l,
): { losses: Tensor1D; crossings: Tensor1D | undefined } {
  return tf.tidy(() => {
    const { hidden, output, residual, keepProb } = net.spec;
    const L = net.depth;
    const take = (t: Tensor2D): Tensor2D => tf.gather(t, rows) as Tensor2D;
    const g = activations[hidden];
    let crossings: Tensor | undefined;
    let z = Z;
    let prev: Tensor2D | undefined = prevA ?? (l >= 2 && residual[l] ? take(cache.a[l - 1]) : undefined);
    for (let k = l; k < L; k++) {
      const D = cache.D[k] ? take(cache.D[k]!) : undefined;
      if (g.kink && k >= countFrom) {
        let moved: Tensor = tf.notEqual(tf.greater(z, 0), tf.greater(take(cache.z[k]!), 0)).toFloat();
        if (D) moved = moved.mul(D);
        const c = moved.sum(1);
        crossings = crossings ? crossings.add(c) : c;
      }
      let a = g.g(z) as Tensor2D; // a^k = g(z^k)
      if (D) a = a.mul(D).div(keepProb); // * D^k / keepProb
      if (residual[k]) a = a.add(prev!); // + a^(k-1)
      prev = a;
      z = a.matMul(net.W(k + 1)).add(net.b(k + 1)) as Tensor2D; // z^(k+1) = a^k W^(k+1) + b^(k+1)
    }
    return { losses: outputs[output].lossRows(z, take(y)) as Tensor1D, crossings: crossings as Tensor1D | undefined };
  });
}

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
    const m = y.shape[0];
    const rows = tf.tensor1d(Int32Array.from({ length: copies * m }, (_, q) => q % m), 'int32');
    const { losses, crossings } = downstreamRows(net, cache, y, l, Z, rows, prevA);
    return { rows: losses, crossings: (crossings ? crossings.reshape([copies, m]).sum(1) : tf.zeros([copies])) as Tensor1D };
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

/** Example rows per column pass (entries per chunk = COLUMN_ROWS / 2m). */
const COLUMN_ROWS = 1 << 15;

/**
 * Perturbed rows waiting for one batched tf pass: rows 2q (+h) and 2q+1 (-h) belong to pair q,
 * (result position pos[q], example ex[q]).
 */
class RowBatch {
  readonly Z: Float32Array;
  readonly P: Float32Array | undefined;
  readonly ex: Int32Array;
  readonly pos: Int32Array;
  /** kink already seen in JS (layer l, or l+1 while building the rows) */
  readonly kink: Uint8Array;
  pairs = 0;
  constructor(readonly capacity: number, readonly width: number, prevWidth: number) {
    this.Z = new Float32Array(2 * capacity * width);
    this.P = prevWidth ? new Float32Array(2 * capacity * prevWidth) : undefined;
    this.ex = new Int32Array(capacity);
    this.pos = new Int32Array(capacity);
    this.kink = new Uint8Array(capacity);
  }
}

/**
 * Central differences in float32 for the given theta indices (all by default), batched per chunk.
 * `budget`: elements of the widest tensor of one batched downstream pass.
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
  { eps = FLOAT32_EPS, indices, tick, budget = 1 << 18 }: { eps?: number; indices?: Int32Array; tick?: (done: number) => void; budget?: number } = {},
): NumericResult {
  const idx = indices ?? allIndices(net.size);
  const sums = new Float64Array(idx.length), abs = new Float64Array(idx.length);
  const kinks = new Uint8Array(idx.length);
  const n = net.spec.sizes, m = y.shape[0], L = net.depth;
  const { hidden, residual } = net.spec;
  const g = activations[hidden];
  const slots = layout(net.spec);
  const theta = net.toVector();
  let done = 0;
  for (const slot of slots) {
    const ks: number[] = [];
    for (let k = 0; k < idx.length; k++) if (idx[k] >= slot.offset && idx[k] < slot.offset + slot.size) ks.push(k);
    if (!ks.length) continue;
    const l = slot.layer, nl = n[l], nIn = n[l - 1];
    const zBase = cache.z[l]!.dataSync() as Float32Array;
    const aPrev = cache.a[l - 1].dataSync() as Float32Array;
    // the first layer run on tf and how wide the rows get from there
    const start = l === L ? L : l + 1;
    const width = n[start];
    const widest = Math.max(...n.slice(start));
    const resid = start < L && residual[start]; // a^(l+1) adds a^l, whose column j moved
    const batch = new RowBatch(Math.max(1, Math.floor(budget / (2 * widest))), width, resid ? nl : 0);
    const zNext = cache.z[start]!.dataSync() as Float32Array;
    const Wn = l < L ? (net.W(l + 1).dataSync() as Float32Array) : undefined;
    const aL = resid ? (cache.a[l].dataSync() as Float32Array) : undefined;
    const Dn = l < L && g.kink && start < L && cache.D[start] ? (cache.D[start]!.dataSync() as Float32Array) : undefined;
    const countNext = l < L && g.kink && start < L; // crossings at layer l+1 are counted in JS
    const flush = (): void => {
      if (!batch.pairs) return;
      const R = 2 * batch.pairs;
      const { losses, crossings } = tf.tidy(() => {
        const ex = new Int32Array(R);
        for (let q = 0; q < batch.pairs; q++) ex[2 * q] = ex[2 * q + 1] = batch.ex[q];
        const rowsT = tf.tensor1d(ex, 'int32');
        const Z = tf.tensor2d(batch.Z.subarray(0, R * width), [R, width]);
        const prev = batch.P ? tf.tensor2d(batch.P.subarray(0, R * nl), [R, nl]) : undefined;
        return downstreamRows(net, cache, y, start, Z, rowsT, prev, start + 1);
      });
      const Ls = losses.dataSync(), C = crossings?.dataSync();
      tf.dispose([losses, crossings].filter(Boolean) as Tensor[]);
      for (let q = 0; q < batch.pairs; q++) {
        const k = batch.pos[q];
        const diff = Ls[2 * q] - Ls[2 * q + 1]; // L_r(+h) - L_r(-h)
        sums[k] += diff;
        abs[k] += Math.abs(diff);
        if (batch.kink[q] || (C && (C[2 * q] > 0 || C[2 * q + 1] > 0))) kinks[k] = 1;
      }
      batch.pairs = 0;
    };
    const per = Math.max(1, Math.floor(COLUMN_ROWS / (2 * m)));
    for (let c0 = 0; c0 < ks.length; c0 += per) {
      const chunk = ks.slice(c0, c0 + per);
      const copies = 2 * chunk.length;
      // 1. z^l[:, j] +- h a^(l-1)[:, i] (+- h for b), copy c = 2p + s
      const zcol = new Float32Array(copies * m);
      const js = new Int32Array(copies);
      chunk.forEach((k, p) => {
        const e = idx[k] - slot.offset;
        const [i, j] = slot.kind === 'W' ? [Math.floor(e / nl), e % nl] : [-1, e];
        for (const s of [0, 1]) {
          const c = 2 * p + s;
          js[c] = j;
          for (let r = 0; r < m; r++) zcol[c * m + r] = zBase[r * nl + j] + (s === 0 ? eps : -eps) * (i < 0 ? 1 : aPrev[r * nIn + i]);
        }
      });
      if (l === L) {
        // output layer: the row of z^L with column j replaced goes straight to the loss
        chunk.forEach((k, p) => {
          const j = js[2 * p];
          for (let r = 0; r < m; r++) {
            const zp = zcol[2 * p * m + r], zm = zcol[(2 * p + 1) * m + r], zb = zBase[r * nl + j];
            if (zp === zb && zm === zb) continue; // this example's loss does not move
            if (batch.pairs === batch.capacity) flush();
            const q = batch.pairs++;
            batch.ex[q] = r;
            batch.pos[q] = k;
            batch.kink[q] = 0;
            const o = 2 * q * width, base = zBase.subarray(r * nl, (r + 1) * nl);
            batch.Z.set(base, o);
            batch.Z.set(base, o + width);
            batch.Z[o + j] = zp;
            batch.Z[o + width + j] = zm;
          }
        });
        tick?.((done += chunk.length));
        continue;
      }
      // 2. hidden layer: column j of a^l and its change da, per copy [copies, m]
      const { da, cross } = column(net, cache, l, zcol, js, m);
      // 3. rows that change: z^(l+1) = z^(l+1)_base + da W^(l+1)[j, :]
      chunk.forEach((k, p) => {
        const j = js[2 * p];
        if (cross && (cross[2 * p] > 0 || cross[2 * p + 1] > 0)) kinks[k] = 1;
        const wj = j * width;
        for (let r = 0; r < m; r++) {
          const dp = da[2 * p * m + r], dm = da[(2 * p + 1) * m + r];
          if (dp === 0 && dm === 0) continue; // neither sign reaches layer l+1: L_r(+h) = L_r(-h)
          if (batch.pairs === batch.capacity) flush();
          const q = batch.pairs++;
          batch.ex[q] = r;
          batch.pos[q] = k;
          let crossed = 0;
          const ro = r * width;
          for (const s of [0, 1]) {
            const d = s === 0 ? dp : dm;
            const o = (2 * q + s) * width;
            const Z = batch.Z;
            for (let c = 0; c < width; c++) {
              const zb = zNext[ro + c];
              const z = Math.fround(zb + Math.fround(d * Wn![wj + c])); // float32 mul, then float32 add: tf's zb + da * w
              Z[o + c] = z;
              if (countNext && (z > 0) !== (zb > 0) && (!Dn || Dn[ro + c] !== 0)) crossed = 1;
            }
            if (batch.P) {
              const po = (2 * q + s) * nl;
              batch.P.set(aL!.subarray(r * nl, (r + 1) * nl), po);
              batch.P[po + j] = aL![r * nl + j] + d; // a^l with column j moved by da
            }
          }
          batch.kink[q] = crossed;
        }
      });
      tick?.((done += chunk.length));
    }
    flush();
  }
  const values = new Float64Array(idx.length), scale = new Float64Array(idx.length);
  const lambda = net.spec.l2;
  const kindOf = (k: number): Slot => slots.find((s) => idx[k] >= s.offset && idx[k] < s.offset + s.size)!;
  for (let k = 0; k < idx.length; k++) {
    const l2 = kindOf(k).kind === 'W' && lambda > 0 ? (lambda / m) * theta[idx[k]] : 0; // d/dw (lambda/2m) w^2, exact for a quadratic
    values[k] = sums[k] / m / (2 * eps) + l2;
    scale[k] = abs[k] / m / (2 * eps) + Math.abs(l2);
  }
  return { indices: idx, values, kinks, scale, evaluations: 2 * idx.length };
}

/**
 * Column j of a^l for perturbed columns of z^l (zcol: [copies, m], copy c has column js[c]):
 *   a^l[:, j] = g(z^l[:, j]) * D^l[:, j] / keepProb (+ a^(l-1)[:, j]),  da = a^l[:, j] - a^l_base[:, j]
 * on tf, and per copy the kept relu units of the column whose sign moved.
 */
function column(net: Net, cache: Cache, l: number, zcol: Float32Array, js: Int32Array, m: number): { da: Float32Array; cross: Float32Array | undefined } {
  const copies = js.length;
  const out = tf.tidy(() => {
    const { hidden, keepProb, residual } = net.spec;
    const g = activations[hidden];
    const J = tf.tensor1d(js, 'int32');
    const col = (t: Tensor2D): Tensor2D => tf.gather(t.transpose(), J) as Tensor2D; // column j of t, per copy: [copies, m]
    const zc = tf.tensor2d(zcol, [copies, m]);
    const D = cache.D[l] ? col(cache.D[l]!) : undefined;
    let cross: Tensor | undefined;
    if (g.kink) {
      let moved: Tensor = tf.notEqual(tf.greater(zc, 0), tf.greater(col(cache.z[l]!), 0)).toFloat();
      if (D) moved = moved.mul(D);
      cross = moved.sum(1);
    }
    let ac = g.g(zc) as Tensor2D; // a^l[:, j] = g(z^l[:, j])
    if (D) ac = ac.mul(D).div(keepProb);
    if (residual[l]) ac = ac.add(col(cache.a[l - 1]));
    return { da: ac.sub(col(cache.a[l])), cross };
  });
  const da = out.da.dataSync() as Float32Array;
  const cross = out.cross?.dataSync() as Float32Array | undefined;
  tf.dispose([out.da, out.cross].filter(Boolean) as Tensor[]);
  return { da, cross };
}

/**
 * Directional derivatives in float32: all directions of one layer go through one batched pass.
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
  const layers = [...new Set(dirs.map((d) => d.slot.layer))];
  for (const l of layers) {
    const ds = dirs.map((d, i) => i).filter((i) => dirs[i].slot.layer === l);
    const { losses, crossings } = tf.tidy(() => {
      const Zs = ds.map((d) => {
        const { slot, v } = dirs[d];
        const V = slot.kind === 'W' ? tf.tensor2d(Float32Array.from(v), [slot.rows, slot.cols]) : tf.tensor1d(Float32Array.from(v));
        const dz = (slot.kind === 'W' ? cache.a[l - 1].matMul(V as Tensor2D) : V).mul(eps); // dz^l = eps a^(l-1) V  (eps v for b)
        const z = cache.z[l]!;
        return tf.concat([z.add(dz), z.sub(dz)]) as Tensor2D;
      });
      const rows = tf.tensor1d(Int32Array.from({ length: 2 * ds.length * m }, (_, q) => q % m), 'int32');
      return downstreamRows(net, cache, y, l, tf.concat(Zs) as Tensor2D, rows);
    });
    const R = losses.dataSync(), C = crossings?.dataSync();
    tf.dispose([losses, crossings].filter(Boolean) as Tensor[]);
    ds.forEach((d, t) => {
      const { slot, v } = dirs[d];
      const o = 2 * t * m;
      let sum = 0, abs = 0, crossed = false;
      for (let r = 0; r < m; r++) {
        sum += R[o + r] - R[o + m + r];
        abs += Math.abs(R[o + r] - R[o + m + r]);
        if (C && (C[o + r] > 0 || C[o + m + r] > 0)) crossed = true;
      }
      let gv = sum / m / (2 * eps);
      scale[d] = abs / m / (2 * eps);
      if (slot.kind === 'W' && net.spec.l2 > 0) {
        let wv = 0;
        for (let e = 0; e < slot.size; e++) wv += theta[slot.offset + e] * v[e];
        gv += (net.spec.l2 / m) * wv;
        scale[d] += Math.abs((net.spec.l2 / m) * wv);
      }
      values[d] = gv;
      kinks[d] = crossed ? 1 : 0;
    });
  }
  return { values, kinks, scale, evaluations: 2 * dirs.length };
}
