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
import { join } from 'node:path';
import { Arena, simd, wasmModule } from '../core/gemm64';

// local names for the hot helpers (one lookup at load, not one per call through the module object)
const { dSigmoidK, dTanhK, inject, product, sigmoidPair, topT } = D;

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
  // step64.wasm (two units at a time, in WebAssembly SIMD) where it runs and na is even: the base pass's
  // arrays, dz, dA and dC then live in its memory, each step's 14 arrays in one block (step64.wat's order)
  const stepMod = na % 2 === 0 && simd() ? wasmModule(join(__dirname, 'step64.wasm')) : null;
  const n = m * na, Rp = Math.ceil(M2 / 4) * 4;
  const arena = stepMod ? Arena.create(RA.length + RC.length + Rp * (G + 2 * na) + T * (14 * n + 1) + 16) : null; // + alignment
  const block: Float64Array[] = [];
  const arr = arena ? (len: number) => arena.alloc(len) : (len: number) => new Float64Array(len);
  // the base pass, kept per step: gates, c, tanh(c), a, and the differences' factors (D.dTanhK, D.dSigmoidK):
  // 1 - t^2 for c~ and tanh(c), 2 s q and s - q for the sigmoids (s the gate, q = 1 - s, each accurate)
  const a: Float64Array[] = [s.a0], c: Float64Array[] = [s.c0!];
  const ct: Float64Array[] = [], su: Float64Array[] = [], sf: Float64Array[] = [], so: Float64Array[] = [], tc: Float64Array[] = [];
  const kc: Float64Array[] = [], ku: Float64Array[] = [], du: Float64Array[] = [], kf: Float64Array[] = [], df: Float64Array[] = [];
  const ko: Float64Array[] = [], dO: Float64Array[] = [], kt: Float64Array[] = [];
  for (let t = 1; t <= T; t++) {
    const ap = a[t - 1], cp = c[t - 1], x = s.x[t];
    const B = arena ? (block[t] = arena.alloc(14 * n)) : undefined;
    const part = (i: number): Float64Array => (B ? B.subarray(i * n, (i + 1) * n) : new Float64Array(n));
    const [Ct, Kc, Su, Ku, Du, Sf, Kf, Df, So, Ko, Do, Tc, Kt] = Array.from({ length: 13 }, (_, i) => part(i));
    if (B) B.set(cp, 13 * n); // c^(t-1), the step's own copy
    const C = new Float64Array(n), A = new Float64Array(n);
    const sig = (z: number, q: number, S: Float64Array, K: Float64Array, Dd: Float64Array): void => {
      const [sv, qv] = sigmoidPair(z);
      S[q] = sv; K[q] = 2 * sv * qv; Dd[q] = sv - qv;
    };
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
        Ct[q] = Math.tanh(z[0]); Kc[q] = 1 - Ct[q] * Ct[q];
        sig(z[1], q, Su, Ku, Du);
        sig(z[2], q, Sf, Kf, Df);
        sig(z[3], q, So, Ko, Do);
        C[q] = Su[q] * Ct[q] + Sf[q] * cp[q];
        Tc[q] = Math.tanh(C[q]); Kt[q] = 1 - Tc[q] * Tc[q];
        A[q] = So[q] * Tc[q];
      }
    }
    ct[t] = Ct; su[t] = Su; sf[t] = Sf; so[t] = So; c.push(C); tc[t] = Tc; a.push(A);
    kc[t] = Kc; ku[t] = Ku; du[t] = Du; kf[t] = Kf; df[t] = Df; ko[t] = Ko; dO[t] = Do; kt[t] = Kt;
  }
  const byRA = arena ? arena.product(RA, na, nA * na) : product(RA, na, nA * na, M2);
  const byRC = lecture ? (arena ? arena.product(RC, na, 2 * na) : product(RC, na, 2 * na, M2)) : byRA;
  const dA = arr(Rp * na), dC = arr(Rp * na), dz = arr(Rp * G); // rows past 2m: the kernels' padding
  const step = arena && stepMod ? (arena.instance(stepMod, { tanh: Math.tanh }).step as (dz: number, b: number, dC: number, dA: number, m: number, na: number) => void) : null;
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
          byRA(dA, M2, dz, G, 0);
          if (lecture) byRC(dC, M2, dz, G, 2 * na);
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
        if (step) { step(dz.byteOffset, block[t].byteOffset, dC.byteOffset, dA.byteOffset, m, na); out(t, dA); continue; }
        const Ct = ct[t], Su = su[t], Sf = sf[t], So = so[t], Tc = tc[t];
        const Kc = kc[t], Ku = ku[t], Du = du[t], Kf = kf[t], Df = df[t], Ko = ko[t], Do = dO[t], Kt = kt[t];
        for (let i = 0; i < M2; i++) {
          const zr = i * G, br = (i < m ? i : i - m) * na, dr = i * na;
          for (let j = 0; j < na; j++) {
            const q = br + j, d = dr + j;
            const dct = dTanhK(Ct[q], Kc[q], dz[zr + j]);
            const du = dSigmoidK(Ku[q], Du[q], dz[zr + na + j]);
            const df = dSigmoidK(Kf[q], Df[q], dz[zr + 2 * na + j]);
            const dO = dSigmoidK(Ko[q], Do[q], dz[zr + 3 * na + j]);
            const dcp = dC[d];
            const dc = Su[q] * dct + du * (Ct[q] + dct) + Sf[q] * dcp + df * (cp[q] + dcp);
            const dtc = dTanhK(Tc[q], Kt[q], dc);
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
