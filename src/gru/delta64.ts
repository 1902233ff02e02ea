/**
 * The GRU's float64 forward pass as differences from a cached base pass (src/recurrent/delta64.ts),
 * h = [a^(t-1), x^(t)], hr = [Gamma_r * a^(t-1), x^(t)]:
 *   dz_u, dz_r = da^(t-1) [Wu, Wr][:na]        dGamma_k = sigmoid(z_k + dz_k) - Gamma_k
 *   d(Gamma_r a) = Gamma_r da + dGamma_r (a^(t-1) + da)
 *   dz_a = d(Gamma_r a) Wa[:na]                 da~ = tanh(z_a + dz_a) - a~
 *   da^(t) = Gamma_u da~ + (1 - Gamma_u) da + dGamma_u (a~ + da~ - a^(t-1) - da)
 * (+ the perturbed entry's own step in its gate), the same numbers as gru.mirror64 at theta + h, less its base.
 */
import type { ParamBlock } from '../nn/model';
import * as D from '../recurrent/delta64';
import type { Cell, Pert } from '../recurrent/delta64';
import type { Seq64 } from '../recurrent/sequence';

// local names for the hot helpers (one lookup at load, not one per call through the module object)
const { dSigmoidK, dTanhK, inject, product, sigmoidPair, topT } = D;

/**
 * The GRU's recurrence as differences, for one batch and theta.
 *
 * @example
 * ```ts
 * const cell = gruCell(net.spec, net.blocks, seq64(net.spec, X, y, cache.a[0]), net.toVector());
 * ```
 */
export function gruCell(spec: { nx: number; na: number }, blocks: ParamBlock[], s: Seq64, theta: Float64Array): Cell {
  const { nx, na } = spec;
  const k = na + nx, m = s.m, T = s.T, M2 = 2 * m;
  const names = ['u', 'r', 'a'];
  const Wb = names.map((g) => blocks.find((b) => b.name === `W${g}`)!), bb = names.map((g) => blocks.find((b) => b.name === `b${g}`)!);
  const gateOf = new Map<number, number>();
  names.forEach((_, g) => { gateOf.set(blocks.indexOf(Wb[g]), g); gateOf.set(blocks.indexOf(bb[g]), g); });
  const W = Wb.map((b) => theta.subarray(b.offset, b.offset + b.size)), bias = bb.map((b) => theta.subarray(b.offset, b.offset + b.size));
  const RUR = new Float64Array(2 * na * na);
  RUR.set(topT(W[0], na, 0, na), 0); RUR.set(topT(W[1], na, 0, na), na * na);
  const RA = topT(W[2], na, 0, na);
  const a: Float64Array[] = [s.a0];
  const su: Float64Array[] = [], qu: Float64Array[] = [], sr: Float64Array[] = [], qr: Float64Array[] = [], at: Float64Array[] = [], ra: Float64Array[] = [];
  const zOf = (g: number, h: (r: number) => number, x: Float64Array, i: number, j: number): number => {
    let q = bias[g][j];
    for (let r = 0; r < na; r++) q += h(r) * W[g][r * na + j];
    for (let r = 0; r < nx; r++) q += x[i * nx + r] * W[g][(na + r) * na + j];
    return q;
  };
  for (let t = 1; t <= T; t++) {
    const ap = a[t - 1], x = s.x[t], n = m * na;
    const Su = new Float64Array(n), Qu = new Float64Array(n), Sr = new Float64Array(n), Qr = new Float64Array(n), At = new Float64Array(n), Ra = new Float64Array(n), A = new Float64Array(n);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < na; j++) {
        const q = i * na + j;
        [Su[q], Qu[q]] = sigmoidPair(zOf(0, (r) => ap[i * na + r], x, i, j));
        [Sr[q], Qr[q]] = sigmoidPair(zOf(1, (r) => ap[i * na + r], x, i, j));
        Ra[q] = Sr[q] * ap[q];
      }
    }
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < na; j++) {
        const q = i * na + j;
        At[q] = Math.tanh(zOf(2, (r) => Ra[i * na + r], x, i, j));
        A[q] = Su[q] * At[q] + Qu[q] * ap[q];
      }
    }
    su[t] = Su; qu[t] = Qu; sr[t] = Sr; qr[t] = Qr; at[t] = At; ra[t] = Ra; a.push(A);
  }
  const byRUR = product(RUR, na, 2 * na, M2), byRA = product(RA, na, na, M2);
  const dA = new Float64Array(M2 * na), dz = new Float64Array(M2 * 2 * na), dza = new Float64Array(M2 * na);
  const dU = new Float64Array(M2 * na), dRa = new Float64Array(M2 * na);
  return {
    a, gates: new Set(gateOf.keys()),
    run(p: Pert, hp: number, hm: number, out: (t: number, da: Float64Array) => void): boolean {
      dA.fill(0);
      const g0 = p.u ? -1 : gateOf.get(p.block)!;
      for (let t = 1; t <= T; t++) {
        const ap = a[t - 1], x = s.x[t], Su = su[t], Qu = qu[t], Sr = sr[t], Qr = qr[t], At = at[t], Ra = ra[t];
        if (t === 1) dz.fill(0); else byRUR(dA, M2, dz, 2 * na, 0);
        const hin = (i: number, r: number): number => (r >= na ? x[(i % m) * nx + r - na] : ap[(i % m) * na + r] + dA[i * na + r]);
        for (let g = 0; g < 2; g++) if (g0 < 0 || g0 === g) inject(p, Wb[g], bb[g], p.r >= 0, m, hp, hm, k, na, dz, 2 * na, g * na, hin);
        for (let i = 0; i < M2; i++) {
          const br = (i < m ? i : i - m) * na, dr = i * na, zr = 2 * i * na;
          for (let j = 0; j < na; j++) {
            const q = br + j, d = dr + j;
            dU[d] = dSigmoidK(2 * Su[q] * Qu[q], Su[q] - Qu[q], dz[zr + j]);
            const dr_ = dSigmoidK(2 * Sr[q] * Qr[q], Sr[q] - Qr[q], dz[zr + na + j]);
            dRa[d] = Sr[q] * dA[d] + dr_ * (ap[q] + dA[d]); // d(Gamma_r * a_prev)
          }
        }
        byRA(dRa, M2, dza, na, 0);
        if (g0 < 0 || g0 === 2) inject(p, Wb[2], bb[2], p.r >= 0, m, hp, hm, k, na, dza, na, 0, (i, r) => (r >= na ? x[(i % m) * nx + r - na] : Ra[(i % m) * na + r] + dRa[i * na + r]));
        for (let i = 0; i < M2; i++) {
          const br = (i < m ? i : i - m) * na, dr = i * na;
          for (let j = 0; j < na; j++) {
            const q = br + j, d = dr + j;
            const dat = dTanhK(At[q], 1 - At[q] * At[q], dza[d]), da = dA[d];
            dA[d] = Su[q] * dat + Qu[q] * da + dU[d] * (At[q] + dat - ap[q] - da);
          }
        }
        out(t, dA);
      }
      return false;
    },
  };
}
