/**
 * The RNN's float64 forward pass as differences from a cached base pass (src/recurrent/delta64.ts):
 *   dz^(t) = da^(t-1) Wa[:na] (+ the perturbed entry's own step),
 *   da^(t) = tanh(z + dz) - tanh(z) (exact difference), or relu(z + dz) - relu(z), a flip of z's sign noted,
 * the same numbers as rnn.mirror64 at theta + h, less its base.
 */
import type { ParamBlock } from '../nn/model';
import * as D from '../recurrent/delta64';
import type { Cell, Pert } from '../recurrent/delta64';
import type { Seq64 } from '../recurrent/sequence';

// local names for the hot helpers (one lookup at load, not one per call through the module object)
const { dTanhK, inject, product, topT } = D;

/**
 * The RNN's recurrence as differences, for one batch and theta.
 *
 * @example
 * ```ts
 * const cell = rnnCell(net.spec, net.blocks, seq64(net.spec, X, y, cache.a[0]), net.toVector());
 * ```
 */
export function rnnCell(spec: { nx: number; na: number; hidden: 'tanh' | 'relu' }, blocks: ParamBlock[], s: Seq64, theta: Float64Array): Cell {
  const { nx, na, hidden } = spec;
  const k = na + nx, m = s.m, T = s.T, M2 = 2 * m;
  const relu = hidden === 'relu';
  const Wb = blocks.find((b) => b.name === 'Wa')!, bb = blocks.find((b) => b.name === 'ba')!;
  const W = theta.subarray(Wb.offset, Wb.offset + Wb.size), bias = theta.subarray(bb.offset, bb.offset + bb.size);
  const byRA = product(topT(W, na, 0, na), na, na, M2);
  const a: Float64Array[] = [s.a0], z: Float64Array[] = [];
  for (let t = 1; t <= T; t++) {
    const ap = a[t - 1], x = s.x[t], Z = new Float64Array(m * na), A = new Float64Array(m * na);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < na; j++) {
        let q = bias[j];
        for (let r = 0; r < na; r++) q += ap[i * na + r] * W[r * na + j];
        for (let r = 0; r < nx; r++) q += x[i * nx + r] * W[(na + r) * na + j];
        Z[i * na + j] = q;
        A[i * na + j] = relu ? Math.max(q, 0) : Math.tanh(q);
      }
    }
    z[t] = Z; a.push(A);
  }
  const dA = new Float64Array(M2 * na), dz = new Float64Array(M2 * na);
  return {
    a, gates: new Set([blocks.indexOf(Wb), blocks.indexOf(bb)]),
    run(p: Pert, hp: number, hm: number, out: (t: number, da: Float64Array) => void): boolean {
      dA.fill(0);
      let kink = false;
      for (let t = 1; t <= T; t++) {
        const ap = a[t - 1], x = s.x[t], Z = z[t], A = a[t];
        if (t === 1) dz.fill(0); else byRA(dA, M2, dz, na, 0);
        inject(p, Wb, bb, p.r >= 0, m, hp, hm, k, na, dz, na, 0, (i, r) => (r >= na ? x[(i % m) * nx + r - na] : ap[(i % m) * na + r] + dA[i * na + r]));
        for (let i = 0; i < M2; i++) {
          const br = (i < m ? i : i - m) * na, dr = i * na;
          for (let j = 0; j < na; j++) {
            const d = dz[dr + j];
            if (relu) {
              const zq = Z[br + j], zp = zq + d;
              if ((zp > 0) !== (zq > 0)) kink = true;
              dA[dr + j] = (zp > 0 ? zp : 0) - (zq > 0 ? zq : 0);
            } else { const t = A[br + j]; dA[dr + j] = dTanhK(t, 1 - t * t, d); }
          }
        }
        out(t, dA);
      }
      return kink;
    },
  };
}
