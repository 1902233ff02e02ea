/**
 * Directional derivatives in float64: for a unit vector v supported on one block of theta,
 *   v . grad J ~ (J(theta + eps v) - J(theta - eps v)) / 2 eps,
 * two evaluations however large the block (the cheap first look of PyTorch's fast gradcheck).
 * Perturbing W^l along V changes z^l by eps a^(l-1) V (b^l: by eps v); the change is carried
 * downstream with propagate.rowPair, so the cancellation-free differences apply here too.
 */
import type { NetSpec } from './spec';
import type { Batch64 } from './mirror64';
import { dot } from '../core/math64';
import { times } from '../core/gemm64';
import { layout } from './layout';
import { along, type Direction, type RankOne } from '../nn/numeric';
import { base64, rowPair, type Base64 } from './propagate';
import { dgAt as dgAtImported } from './deltas';

const dgAt = dgAtImported; // a local binding: module-namespace getters in a hot loop cost more than the arithmetic

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

/**
 * One direction u over the whole of theta (every block at once): (J(theta + eps u) - J(theta - eps u)) / 2 eps,
 * two evaluations for the whole net. Perturbing every layer moves z^l by
 *   dz^l = eps (a^(l-1) U^l + u_b^l) + da^(l-1) (W^l +- eps U^l)      (+ for theta + eps u, - for theta - eps u)
 * (U^l, u_b^l: u's parts on W^l and b^l; da^(l-1) the change of the layer below, 0 for the input),
 * carried up one example at a time with the cancellation-free differences of deltas.ts, as rowPair does.
 * `kink`: some kept relu pre-activation crossed 0; `scale`: (1/m) sum_r |L_r(+) - L_r(-)| / 2 eps.
 * `factors[l]`, when given, says U^l = scale alpha beta^T (u's W^l part is then not read, and may be
 * left 0): a^(l-1) U^l costs n(l-1) + n(l) per example instead of n(l-1) n(l), and
 * da^(l-1) (W^l +- eps U^l) = da^(l-1) W^l +- eps scale (da^(l-1) . alpha) beta needs no perturbed copy of W^l.
 *
 * @example
 * ```ts
 * const u = unitVector(net.size, rng(1));
 * const { value } = joint64(base64(net.spec, theta, batch), theta, u, 1e-7); // ~ u . numerical gradient
 * ```
 */
export function joint64(B: Base64, theta: Float64Array, u: Float64Array, eps: number, factors: (RankOne | undefined)[] = []): { value: number; scale: number; kink: boolean; evaluations: number } {
  const { spec, n, L, m, a, z, W, kind, kinky } = B;
  const D = B.batch.D, Y = B.batch.Y, residual = spec.residual;
  const UW: Float64Array[] = [], Ub: Float64Array[] = [], Wp: Float64Array[] = [], Wm: Float64Array[] = [];
  let wu = 0; // sum over layers of W . U, for the l2 term
  for (const s of layout(spec)) {
    const part = u.subarray(s.offset, s.offset + s.size);
    if (s.kind === 'b') { Ub[s.layer] = part; continue; }
    const w = W[s.layer], f = factors[s.layer];
    if (f) { // W . U = scale alpha^T W beta
      if (spec.l2 > 0) for (let i = 0; i < s.rows; i++) { let q = 0; for (let c = 0; c < s.cols; c++) q += w[i * s.cols + c] * f.beta[c]; wu += f.scale * f.alpha[i] * q; }
      continue;
    }
    UW[s.layer] = part;
    if (s.layer > 1) { // the input's change is 0: layer 1 never needs W^1 +- eps U^1
      Wp[s.layer] = w.map((x, k) => x + eps * part[k]);
      Wm[s.layer] = w.map((x, k) => x - eps * part[k]);
    }
    for (let k = 0; k < w.length; k++) wu += w[k] * part[k];
  }
  // a^(l-1) U^l for every example at once: one matrix product per layer (core/gemm64)
  const AU: Float64Array[] = [];
  for (let l = 1; l <= L; l++) if (!factors[l]) AU[l] = times(a[l - 1], m, n[l - 1], n[l], UW[l]);
  const width = Math.max(...n);
  const lin = new Float64Array(width), zP = new Float64Array(width), zM = new Float64Array(width);
  let daP = new Float64Array(width), daM = new Float64Array(width), nextP = new Float64Array(width), nextM = new Float64Array(width);
  let sum = 0, abs = 0, kink = false;
  for (let r = 0; r < m; r++) {
    for (let l = 1; l <= L; l++) {
      const nIn = n[l - 1], nl = n[l], o = r * nl, aPrev = a[l - 1];
      lin.set(Ub[l]);
      const f = factors[l];
      if (f) {
        let q = 0; // U^l = scale alpha beta^T: a^(l-1) U^l = scale (a^(l-1) . alpha) beta
        for (let i = 0; i < nIn; i++) q += aPrev[r * nIn + i] * f.alpha[i];
        q *= f.scale;
        for (let c = 0; c < nl; c++) lin[c] += q * f.beta[c];
      } else {
        const au = AU[l];
        for (let c = 0; c < nl; c++) lin[c] += au[o + c]; // a^(l-1) U^l + u_b^l
      }
      for (let c = 0; c < nl; c++) { zP[c] = eps * lin[c]; zM[c] = -zP[c]; }
      if (l > 1 && f) { // + da^(l-1) W^l +- eps scale (da^(l-1) . alpha) beta, as dot products with W^l's columns
        const WT = B.WT[l];
        let qp = 0, qm = 0;
        for (let q = 0; q < nIn; q++) { qp += daP[q] * f.alpha[q]; qm += daM[q] * f.alpha[q]; }
        const sp = eps * f.scale * qp, sm = eps * f.scale * qm;
        for (let c = 0; c < nl; c++) {
          const col = c * nIn;
          let p0 = 0, m0 = 0, p1 = 0, m1 = 0, q = 0;
          for (; q + 1 < nIn; q += 2) {
            const w0 = WT[col + q], w1 = WT[col + q + 1];
            p0 += daP[q] * w0; m0 += daM[q] * w0;
            p1 += daP[q + 1] * w1; m1 += daM[q + 1] * w1;
          }
          if (q < nIn) { p0 += daP[q] * WT[col + q]; m0 += daM[q] * WT[col + q]; }
          zP[c] += p0 + p1 + sp * f.beta[c];
          zM[c] += m0 + m1 - sm * f.beta[c];
        }
      } else if (l > 1) {
        const P = Wp[l], M = Wm[l];
        for (let q = 0; q < nIn; q++) {
          const vp = daP[q], vm = daM[q];
          if (vp === 0 && vm === 0) continue;
          const row = q * nl;
          for (let c = 0; c < nl; c++) { zP[c] += vp * P[row + c]; zM[c] += vm * M[row + c]; } // + da^(l-1) (W^l +- eps U^l)
        }
      }
      if (l === L) {
        const diff = B.dL(z[L], zP, Y, B.P, o, nl) - B.dL(z[L], zM, Y, B.P, o, nl);
        sum += diff;
        abs += Math.abs(diff);
        break;
      }
      const zl = z[l], Dl = D[l], p1 = B.P1[l], p2 = B.P2[l];
      for (let c = 0; c < nl; c++) {
        const Dq = Dl ? Dl[o + c] : 1;
        let vp = 0, vm = 0;
        if (Dq !== 0) {
          const zq = zl[o + c];
          if (kinky && (zq + zP[c] > 0 !== zq > 0 || zq + zM[c] > 0 !== zq > 0)) kink = true;
          vp = dgAt(kind, zq, p1[o + c], p2[o + c], zP[c]) * Dq; // da = (g(z + dz) - g(z)) D / keepProb
          vm = dgAt(kind, zq, p1[o + c], p2[o + c], zM[c]) * Dq;
        }
        nextP[c] = residual[l] && l > 1 ? vp + daP[c] : vp; // + da^(l-1) through a skip
        nextM[c] = residual[l] && l > 1 ? vm + daM[c] : vm;
      }
      [daP, nextP] = [nextP, daP];
      [daM, nextM] = [nextM, daM];
    }
  }
  const l2 = spec.l2 > 0 ? (spec.l2 / (2 * m)) * 4 * eps * wu : 0; // (lambda/2m) sum (w + eps u)^2 - (w - eps u)^2
  return { value: (sum / m + l2) / (2 * eps), scale: (abs / m + Math.abs(l2)) / (2 * eps), kink, evaluations: 2 };
}
