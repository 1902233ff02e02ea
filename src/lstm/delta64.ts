/**
 * The LSTM's float64 forward pass as differences from a cached base pass (src/recurrent/delta64.ts):
 * with every gate's pre-activation moved by dz = da^(t-1) W[:na] (+ the perturbed entry's own step;
 * variant 'lecture': dc^(t-1) W[:na] for Gamma_f and Gamma_o),
 *   dc~ = tanh(z_c + dz_c) - c~,  dGamma_k = sigmoid(z_k + dz_k) - Gamma_k   (exact differences)
 *   dc  = Gamma_u dc~ + dGamma_u (c~ + dc~) + Gamma_f dc_prev + dGamma_f (c_prev + dc_prev)
 *   da  = Gamma_o dtanh(c) + dGamma_o (tanh(c) + dtanh(c))
 * the same numbers as lstm.mirror64 at theta + h, less its base, without re-running the gates.
 */
import type { ParamBlock } from '../nn/model';
import * as D from '../recurrent/delta64';
import type { Cell, Pert } from '../recurrent/delta64';
import type { Seq64 } from '../recurrent/sequence';

// local names for the hot helpers (one lookup at load, not one per call through the module object)
const { dSigmoid, dTanh, inject, mul, sigmoidPair, topT } = D;

/** Gate g of the packed pre-activations z [m, 4 na]: c~, Gamma_u, Gamma_f, Gamma_o (the mirror's order). */
const ORDER = ['c', 'u', 'f', 'o'] as const;

/**
 * The LSTM's recurrence as differences, for one batch and theta.
 *
 * @example
 * ```ts
 * const cell = lstmCell(net.spec, net.blocks, seq64(net.spec, X, y, cache.a[0], cache.c[0]), net.toVector());
 * ```
 */
export function lstmCell(spec: { nx: number; na: number; variant: 'standard' | 'lecture' }, blocks: ParamBlock[], s: Seq64, theta: Float64Array): Cell {
  const { nx, na, variant } = spec;
  const k = na + nx, m = s.m, T = s.T, M2 = 2 * m, G = 4 * na;
  const lecture = variant === 'lecture';
  const Wb = ORDER.map((g) => blocks.find((b) => b.name === `W${g}`)!);
  const bb = ORDER.map((g) => blocks.find((b) => b.name === `b${g}`)!);
  const gateOf = new Map<number, number>();
  ORDER.forEach((g, i) => { gateOf.set(blocks.indexOf(Wb[i]), i); gateOf.set(blocks.indexOf(bb[i]), i); });
  const W = Wb.map((b) => theta.subarray(b.offset, b.offset + b.size));
  const bias = bb.map((b) => theta.subarray(b.offset, b.offset + b.size));
  // W[:na] of the gates reading a^(t-1), transposed and packed: [c~, u, f, o] or [c~, u] ('lecture': f, o read c^(t-1))
  const nA = lecture ? 2 : 4;
  const RA = new Float64Array(nA * na * na), RC = new Float64Array(lecture ? 2 * na * na : 0);
  for (let g = 0; g < 4; g++) {
    const t = topT(W[g], na, 0, na);
    if (g < nA) RA.set(t, g * na * na); else RC.set(t, (g - 2) * na * na);
  }
  // the base pass, kept per step: gates (with 1 - gate for the sigmoids), c, tanh(c), a
  const a: Float64Array[] = [s.a0], c: Float64Array[] = [s.c0!];
  const ct: Float64Array[] = [], su: Float64Array[] = [], qu: Float64Array[] = [], sf: Float64Array[] = [], qf: Float64Array[] = [];
  const so: Float64Array[] = [], qo: Float64Array[] = [], tc: Float64Array[] = [];
  for (let t = 1; t <= T; t++) {
    const ap = a[t - 1], cp = c[t - 1], x = s.x[t];
    const n = m * na;
    const arr = () => new Float64Array(n);
    const [Ct, Su, Qu, Sf, Qf, So, Qo, C, Tc, A] = [arr(), arr(), arr(), arr(), arr(), arr(), arr(), arr(), arr(), arr()];
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < na; j++) {
        const z = [0, 0, 0, 0];
        for (let g = 0; g < 4; g++) {
          const hp = g >= 2 && lecture ? cp : ap;
          let q = bias[g][j];
          for (let r = 0; r < na; r++) q += hp[i * na + r] * W[g][r * na + j];
          for (let r = 0; r < nx; r++) q += x[i * nx + r] * W[g][(na + r) * na + j];
          z[g] = q;
        }
        const q = i * na + j;
        Ct[q] = Math.tanh(z[0]);
        [Su[q], Qu[q]] = sigmoidPair(z[1]);
        [Sf[q], Qf[q]] = sigmoidPair(z[2]);
        [So[q], Qo[q]] = sigmoidPair(z[3]);
        C[q] = Su[q] * Ct[q] + Sf[q] * cp[q];
        Tc[q] = Math.tanh(C[q]);
        A[q] = So[q] * Tc[q];
      }
    }
    ct[t] = Ct; su[t] = Su; qu[t] = Qu; sf[t] = Sf; qf[t] = Qf; so[t] = So; qo[t] = Qo; c.push(C); tc[t] = Tc; a.push(A);
  }
  const dA = new Float64Array(M2 * na), dC = new Float64Array(M2 * na), dz = new Float64Array(M2 * G);
  const gates = new Set(gateOf.keys());
  return {
    a, gates,
    run(p: Pert, hp: number, hm: number, out: (t: number, da: Float64Array) => void): boolean {
      dA.fill(0); dC.fill(0);
      const g0 = p.u ? -1 : gateOf.get(p.block)!;
      for (let t = 1; t <= T; t++) {
        const ap = a[t - 1], cp = c[t - 1], x = s.x[t];
        if (t === 1) dz.fill(0); // a^(0), c^(0) are the batch's: they never move
        else {
          mul(dA, M2, na, RA, nA * na, dz, G, 0);
          if (lecture) mul(dC, M2, na, RC, 2 * na, dz, G, 2 * na);
        }
        for (let g = 0; g < 4; g++) {
          if (g0 >= 0 && g !== g0) continue;
          const readsC = lecture && g >= 2;
          const hin = (i: number, r: number): number => {
            if (r >= na) return x[(i % m) * nx + r - na];
            return readsC ? cp[(i % m) * na + r] + dC[i * na + r] : ap[(i % m) * na + r] + dA[i * na + r];
          };
          inject(p, Wb[g], bb[g], p.r >= 0, m, hp, hm, k, na, dz, G, g * na, hin);
        }
        const Ct = ct[t], Su = su[t], Qu = qu[t], Sf = sf[t], Qf = qf[t], So = so[t], Qo = qo[t], Tc = tc[t];
        for (let i = 0; i < M2; i++) {
          const zr = i * G, br = (i < m ? i : i - m) * na, dr = i * na;
          for (let j = 0; j < na; j++) {
            const q = br + j, d = dr + j;
            const dct = dTanh(Ct[q], dz[zr + j]);
            const du = dSigmoid(Su[q], Qu[q], dz[zr + na + j]);
            const df = dSigmoid(Sf[q], Qf[q], dz[zr + 2 * na + j]);
            const dO = dSigmoid(So[q], Qo[q], dz[zr + 3 * na + j]);
            const dcp = dC[d];
            const dc = Su[q] * dct + du * (Ct[q] + dct) + Sf[q] * dcp + df * (cp[q] + dcp);
            const dtc = dTanh(Tc[q], dc);
            dC[d] = dc;
            dA[d] = So[q] * dtc + dO * (Tc[q] + dtc);
          }
        }
        out(t, dA);
      }
      return false;
    },
  };
}
