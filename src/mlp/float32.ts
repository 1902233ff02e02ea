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
import { tf } from '../core/backend';
import { activations, type Activation } from '../nn/activations';
import { outputs } from '../nn/losses';
import type { Cache, MlpCore as Net } from './net';
import { layout } from './layout';
import { FLOAT32_EPS, along, blockOf, type Direction } from '../nn/numeric';
import type { ParamBlock } from '../nn/block';
import { allIndices, type NumericResult } from '../nn/numeric';

/**
 * The cache's tensors read back once, so that rows can be gathered in JS and uploaded
 * (tf.gather on the wasm backend costs more than the pass it feeds).
 */
export class HostRows {
  private readonly data = new Map<Tensor, Float32Array>();
  /** t.dataSync(), read once. */
  get(t: Tensor): Float32Array {
    let d = this.data.get(t);
    if (!d) this.data.set(t, (d = t.dataSync() as Float32Array));
    return d;
  }
  /** Rows ex[0], ex[1], ... of the [m, w] tensor t, as a new [ex.length, w] tensor. */
  rows(t: Tensor2D, ex: Int32Array): Tensor2D {
    const w = t.shape[1], src = this.get(t), out = new Float32Array(ex.length * w);
    for (let q = 0; q < ex.length; q++) {
      const o = ex[q] * w, p = q * w;
      for (let c = 0; c < w; c++) out[p + c] = src[o + c];
    }
    return tf.tensor2d(out, [ex.length, w]);
  }
}

/**
 * Row losses of perturbed rows carried from layer l to the loss. Row q of Z is a perturbed z^l of
 * example `ex[q]`, whose base z^k, D^k, y (and a^(l-1) for a residual skip, unless `prevA` gives
 * the perturbed a^(l-1) rows) are taken from the cache. Also per row the number of kept relu
 * pre-activations at layers >= countFrom whose sign differs from the base pass (undefined when
 * none are counted).
 *
 * @example
 * ```ts
 * const ex = Int32Array.from([0, 0, 5, 5]);     // examples 0 and 5, +h and -h each
 * const { losses, crossings } = downstreamRows(net, cache, y, 2, Z, ex);
 * ```
 */
export function downstreamRows(
  net: Net, cache: Cache, y: Tensor2D, l: number, Z: Tensor2D, ex: Int32Array, prevA?: Tensor2D, countFrom = l, host = new HostRows(),
): { losses: Tensor1D; crossings: Tensor1D | undefined } {
  return tf.tidy(() => {
    const { hidden, output, residual, keepProb } = net.spec;
    const L = net.depth;
    const take = (t: Tensor2D): Tensor2D => host.rows(t, ex);
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

export { FLOAT32_EPS };

/** Example rows per column pass (entries per chunk = COLUMN_ROWS / 2m). */
const COLUMN_ROWS = 1 << 15;

/**
 * Perturbed rows waiting for one batched tf pass: rows 2q (+h) and 2q+1 (-h) belong to pair q
 * (result position pos[q], example ex[q]).
 */
interface RowBatch {
  capacity: number;
  width: number;
  Z: Float32Array;
  /** the perturbed a^l rows, when layer l+1 has a residual skip */
  P: Float32Array | null;
  ex: Int32Array;
  pos: Int32Array;
  /** a kink already seen in JS (at layer l+1, while building the rows) */
  kink: Uint8Array;
  pairs: number;
}

function rowBatch(capacity: number, width: number, prevWidth: number): RowBatch {
  return {
    capacity, width, pairs: 0,
    Z: new Float32Array(2 * capacity * width),
    P: prevWidth ? new Float32Array(2 * capacity * prevWidth) : null,
    ex: new Int32Array(capacity), pos: new Int32Array(capacity), kink: new Uint8Array(capacity),
  };
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
  const { hidden, residual, keepProb } = net.spec;
  const kinky = activations[hidden].kink;
  const slots = layout(net.spec);
  const theta = net.toVector();
  const host = new HostRows();
  let done = 0;
  for (const slot of slots) {
    const ks: number[] = [];
    for (let k = 0; k < idx.length; k++) if (idx[k] >= slot.offset && idx[k] < slot.offset + slot.size) ks.push(k);
    if (!ks.length) continue;
    const l = slot.layer, nl = n[l], nIn = n[l - 1];
    const zBase = host.get(cache.z[l]!), aPrev = host.get(cache.a[l - 1]);
    // hidden l: the rows start at z^(l+1) (a rank-1 update in JS); output l: at z^L itself
    const start = l === L ? L : l + 1;
    const width = n[start];
    const resid = start < L && residual[start]; // a^(l+1) adds a^l, whose column j moved
    const batch = rowBatch(Math.max(m, Math.floor(budget / (2 * Math.max(...n.slice(start))))), width, resid ? nl : 0);
    const hiddenInput: HiddenInput | undefined = l < L ? {
      m, nl, width,
      zNext: host.get(cache.z[start]!),
      Wn: host.get(net.W(l + 1)),
      aL: host.get(cache.a[l]),
      countNext: kinky && start < L, // kinks at layer l+1 are seen in JS while building its rows
      Dn: kinky && start < L && cache.D[start] ? host.get(cache.D[start]!) : null,
    } : undefined;
    const flush = (): void => {
      if (!batch.pairs) return;
      const R = 2 * batch.pairs;
      const ex = new Int32Array(R);
      for (let q = 0; q < batch.pairs; q++) ex[2 * q] = ex[2 * q + 1] = batch.ex[q];
      const { losses, crossings } = tf.tidy(() => {
        const Z = tf.tensor2d(batch.Z.subarray(0, R * width), [R, width]);
        const prev = batch.P ? tf.tensor2d(batch.P.subarray(0, R * nl), [R, nl]) : undefined;
        return downstreamRows(net, cache, y, start, Z, ex, prev, start + 1, host);
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
      // 1. z^l[:, j] +- h a^(l-1)[:, i] (+- h for b), copy c = 2p + s: [copies, m]
      const js = new Int32Array(chunk.length);
      const zcol = perturbedColumns(slot, idx, chunk, eps, zBase, aPrev, m, nIn, js);
      if (l === L) {
        // output layer: the row of z^L with column j replaced goes straight to the loss
        for (let p = 0; p < chunk.length; p++) {
          if (batch.pairs + m > batch.capacity) flush();
          outputRows(batch, chunk[p], js[p], p, zcol, zBase, m, nl);
        }
        tick?.((done += chunk.length));
        continue;
      }
      // 2. hidden layer: the column's activations on tf, the rest in float32 arithmetic as tf does it
      const ac = activate(hidden, zcol);
      const da = columnChange(ac, zcol, js, m, nl, nIn, zBase, aPrev, hiddenInput!.aL, cache.D[l] ? host.get(cache.D[l]!) : null,
        Math.fround(keepProb), residual[l], kinky, chunk, kinks);
      // 3. the examples that change: z^(l+1) = z^(l+1)_base + da W^(l+1)[j, :] for both signs
      for (let p = 0; p < chunk.length; p++) {
        if (batch.pairs + m > batch.capacity) flush();
        hiddenRows(batch, hiddenInput!, chunk[p], js[p], p, da);
      }
      tick?.((done += chunk.length));
    }
    flush();
  }
  const values = new Float64Array(idx.length), scale = new Float64Array(idx.length);
  const lambda = net.spec.l2;
  for (let k = 0; k < idx.length; k++) {
    const isW = blockOf(slots, idx[k]).kind === 'W';
    const l2 = isW && lambda > 0 ? (lambda / m) * theta[idx[k]] : 0; // d/dw (lambda/2m) w^2, exact for a quadratic
    values[k] = sums[k] / m / (2 * eps) + l2;
    scale[k] = abs[k] / m / (2 * eps) + Math.abs(l2);
  }
  return { indices: idx, values, kinks, scale, evaluations: 2 * idx.length };
}

/** Column j of z^l moved by +h and -h for each entry of the chunk ([2 * chunk, m]); js gets each entry's j. */
function perturbedColumns(slot: ParamBlock, idx: Int32Array, chunk: number[], eps: number, zBase: Float32Array, aPrev: Float32Array, m: number, nIn: number, js: Int32Array): Float32Array {
  const nl = slot.cols;
  const zcol = new Float32Array(2 * chunk.length * m);
  for (let p = 0; p < chunk.length; p++) {
    const e = idx[chunk[p]] - slot.offset;
    const i = slot.kind === 'W' ? Math.floor(e / nl) : -1, j = slot.kind === 'W' ? e % nl : e;
    js[p] = j;
    const op = 2 * p * m, om = op + m;
    for (let r = 0; r < m; r++) {
      const x = i < 0 ? 1 : aPrev[r * nIn + i], zb = zBase[r * nl + j];
      zcol[op + r] = zb + eps * x; // z^l[r, j] + h a^(l-1)[r, i], rounded once to float32
      zcol[om + r] = zb + -eps * x;
    }
  }
  return zcol;
}

/** Output layer: rows of z^L with column j replaced, for the examples whose z^L[r, j] moved. */
function outputRows(batch: RowBatch, k: number, j: number, p: number, zcol: Float32Array, zBase: Float32Array, m: number, nl: number): void {
  const Z = batch.Z, width = batch.width;
  for (let r = 0; r < m; r++) {
    const zp = zcol[2 * p * m + r], zm = zcol[(2 * p + 1) * m + r], zb = zBase[r * nl + j];
    if (zp === zb && zm === zb) continue; // this example's loss does not move
    const q = batch.pairs++;
    batch.ex[q] = r;
    batch.pos[q] = k;
    batch.kink[q] = 0;
    const o = 2 * q * width, ro = r * nl;
    for (let c = 0; c < nl; c++) Z[o + c] = Z[o + width + c] = zBase[ro + c];
    Z[o + j] = zp;
    Z[o + width + j] = zm;
  }
}

/**
 * The change of column j of a^l, per copy: a = g(z) (from tf), then as tf's float32 ops do it
 *   a = a * D / keepProb (+ a^(l-1)[:, j]),  da = a - a^l_base[:, j]
 * (each product, quotient and sum rounded to float32: Math.fround); flags the entries whose
 * column crossed a kink.
 */
function columnChange(
  ac: Float32Array, zcol: Float32Array, js: Int32Array, m: number, nl: number, nIn: number,
  zBase: Float32Array, aPrev: Float32Array, aL: Float32Array, Dl: Float32Array | null, kp: number, resid: boolean, kinky: boolean,
  chunk: number[], kinks: Uint8Array,
): Float32Array {
  const da = new Float32Array(ac.length);
  for (let p = 0; p < js.length; p++) {
    const j = js[p];
    let crossed = false;
    for (let c = 2 * p; c < 2 * p + 2; c++) {
      for (let r = 0; r < m; r++) {
        const u = r * nl + j;
        let a = ac[c * m + r];
        const Dv = Dl ? Dl[u] : 1;
        if (Dl) a = Math.fround(Math.fround(a * Dv) / kp);
        if (resid) a = Math.fround(a + aPrev[r * nIn + j]);
        da[c * m + r] = a - aL[u];
        if (kinky && Dv !== 0 && (zcol[c * m + r] > 0) !== (zBase[u] > 0)) crossed = true;
      }
    }
    if (crossed) kinks[chunk[p]] = 1;
  }
  return da;
}

/** What {@link hiddenRows} reads: layer l+1's base pass and W^(l+1). */
interface HiddenInput {
  m: number;
  nl: number;
  width: number;
  zNext: Float32Array;
  Wn: Float32Array;
  aL: Float32Array;
  countNext: boolean;
  Dn: Float32Array | null;
}

/**
 * Hidden layer: for the examples where column j of a^l moved (for either sign), the rows
 *   z^(l+1) = z^(l+1)_base + da W^(l+1)[j, :]
 * in float32 (the product, then the sum, rounded: what tf's mul and add give), and a^l with
 * column j moved when layer l+1 has a residual skip. Kinks at layer l+1 are flagged here.
 */
function hiddenRows(batch: RowBatch, H: HiddenInput, k: number, j: number, p: number, da: Float32Array): void {
  const { m, nl, width, zNext, Wn, aL, countNext, Dn } = H;
  const Z = batch.Z, P = batch.P, wj = j * width;
  for (let r = 0; r < m; r++) {
    const dp = da[2 * p * m + r], dm = da[(2 * p + 1) * m + r];
    if (dp === 0 && dm === 0) continue; // neither sign reaches layer l+1: L_r(+h) = L_r(-h)
    const q = batch.pairs++;
    batch.ex[q] = r;
    batch.pos[q] = k;
    const o1 = 2 * q * width, o2 = o1 + width, ro = r * width;
    let crossed = 0;
    for (let c = 0; c < width; c++) {
      const zb = zNext[ro + c], w = Wn[wj + c];
      const z1 = Math.fround(zb + Math.fround(dp * w));
      const z2 = Math.fround(zb + Math.fround(dm * w));
      Z[o1 + c] = z1;
      Z[o2 + c] = z2;
      if (countNext && ((z1 > 0) !== (zb > 0) || (z2 > 0) !== (zb > 0)) && (!Dn || Dn[ro + c] !== 0)) crossed = 1;
    }
    batch.kink[q] = crossed;
    if (P) {
      const p1 = 2 * q * nl, p2 = p1 + nl, ra = r * nl;
      for (let c = 0; c < nl; c++) P[p1 + c] = P[p2 + c] = aL[ra + c];
      P[p1 + j] = aL[ra + j] + dp; // a^l with column j moved by da
      P[p2 + j] = aL[ra + j] + dm;
    }
  }
}

/** g(z) elementwise on tf (the same kernel as the forward pass), read back. */
function activate(hidden: Activation, z: Float32Array): Float32Array {
  const t = tf.tidy(() => activations[hidden].g(tf.tensor1d(z)));
  const out = t.dataSync() as Float32Array;
  t.dispose();
  return out;
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
export function directional32(net: Net, cache: Cache, y: Tensor2D, dirs: Direction[], eps: number): { values: Float64Array; kinks: Uint8Array; scale: Float64Array; evaluations: number } {
  const values = new Float64Array(dirs.length), scale = new Float64Array(dirs.length);
  const kinks = new Uint8Array(dirs.length);
  const m = y.shape[0];
  const theta = net.toVector();
  const host = new HostRows();
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
      const ex = Int32Array.from({ length: 2 * ds.length * m }, (_, q) => q % m);
      return downstreamRows(net, cache, y, l, tf.concat(Zs) as Tensor2D, ex, undefined, l, host);
    });
    const R = losses.dataSync(), C = crossings?.dataSync();
    tf.dispose([losses, crossings].filter(Boolean) as Tensor[]);
    ds.forEach((d, t) => {
      const { slot } = dirs[d];
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
        const wv = along(theta, dirs[d]);
        gv += (net.spec.l2 / m) * wv;
        scale[d] += Math.abs((net.spec.l2 / m) * wv);
      }
      values[d] = gv;
      kinks[d] = crossed ? 1 : 0;
    });
  }
  return { values, kinks, scale, evaluations: 2 * dirs.length };
}
