/**
 * Directional derivatives in float64: for a unit vector v supported on one block of theta,
 *   v . grad J ~ (J(theta + eps v) - J(theta - eps v)) / 2 eps,
 * two evaluations however large the block (the cheap first look of PyTorch's fast gradcheck).
 * Perturbing W^l along V changes z^l by eps a^(l-1) V (b^l: by eps v); the change is carried
 * downstream with propagate.rowPair, so the cancellation-free differences apply here too.
 */
import type { NetSpec } from '../mlp';
import { dot, type Batch64 } from '../mirror64';
import type { Slot } from './layout';
import { base64, rowPair, type Base64 } from './propagate';

/** A direction: the block it lives on and its entries (unit norm, length slot.size). */
export interface Direction {
  slot: Slot;
  v: Float64Array;
}

/**
 * v . x over the direction's block: the component along d of a theta-ordered vector x.
 *
 * @example
 * ```ts
 * along(analytic, d); // v . grad for the hand-written gradient
 * ```
 */
export function along(x: ArrayLike<number>, { slot, v }: Direction): number {
  let s = 0;
  for (let e = 0; e < slot.size; e++) s += x[slot.offset + e] * v[e];
  return s;
}

/**
 * (J(theta + eps v) - J(theta - eps v)) / 2 eps for each direction, and whether it crossed a kink.
 * `base`: a base pass already computed by {@link base64} for the same spec, theta and batch
 * (gradCheck shares one with the entry-by-entry confirmation).
 *
 * @example
 * ```ts
 * const slot = layout(net.spec)[0];
 * const v = unitVector(slot.size, rng(1));
 * const { values } = directional64(net.spec, net.toVector(), batch, [{ slot, v }], 1e-7);
 * ```
 */
export function directional64(
  spec: NetSpec,
  theta: Float64Array,
  batch: Batch64,
  dirs: Direction[],
  eps: number,
  tick?: (done: number) => void,
  base?: Base64,
): { values: Float64Array; kinks: Uint8Array; scale: Float64Array; evaluations: number } {
  const B = base ?? base64(spec, theta, batch);
  const { m, n, a } = B;
  const values = new Float64Array(dirs.length);
  const kinks = new Uint8Array(dirs.length);
  const scale = new Float64Array(dirs.length);
  const width = Math.max(...n);
  const dzP = new Float64Array(width), dzM = new Float64Array(width);
  const VT = new Float64Array(Math.max(...dirs.map((d) => d.slot.size), 0));
  dirs.forEach(({ slot, v }, d) => {
    const l = slot.layer, nIn = n[l - 1], nl = n[l];
    const P = dzP.subarray(0, nl), M = dzM.subarray(0, nl);
    if (slot.kind === 'W') for (let i = 0; i < nIn; i++) for (let c = 0; c < nl; c++) VT[c * nIn + i] = v[i * nl + c]; // V^T, for dot products
    B.kink = false;
    let sum = 0, abs = 0;
    for (let r = 0; r < m; r++) {
      if (slot.kind === 'b') for (let c = 0; c < nl; c++) P[c] = eps * v[c]; // dz^l = eps v
      else rowTimes(a[l - 1], r, nIn, VT, nl, eps, P); // dz^l = eps a^(l-1) V
      for (let c = 0; c < nl; c++) M[c] = -P[c];
      const diff = rowPair(B, r, l, P, M, null);
      sum += diff;
      abs += Math.abs(diff);
    }
    let dJ = sum / m, size = abs / m;
    if (slot.kind === 'W' && spec.l2 > 0) {
      const wv = along(theta, { slot, v });
      const l2 = (spec.l2 / (2 * m)) * 4 * eps * wv; // (lambda/2m) sum (w + eps v)^2 - (w - eps v)^2
      dJ += l2;
      size += Math.abs(l2);
    }
    values[d] = dJ / (2 * eps);
    scale[d] = size / (2 * eps);
    kinks[d] = B.kink ? 1 : 0;
    tick?.(d + 1);
  });
  return { values, kinks, scale, evaluations: 2 * dirs.length };
}

/** out = eps * (row r of A [*, nIn]) V, from VT = V^T [nl, nIn] row-major: one dot product per unit. */
function rowTimes(A: Float64Array, r: number, nIn: number, VT: Float64Array, nl: number, eps: number, out: Float64Array): void {
  for (let c = 0; c < nl; c++) out[c] = dot(A, r * nIn, VT, c * nIn, nIn) * eps;
}
