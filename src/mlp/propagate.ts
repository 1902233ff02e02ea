/**
 * The cached float64 base pass and the change-only forward pass the fast checks are built on.
 *
 * The base pass keeps every z^l and a^l. A perturbation of layer l's parameters changes z^l by
 * dz; from there only the change is carried downstream, one example (row) at a time, for the
 * +h and -h perturbations together:
 *   da^k = (g(z^k + dz^k) - g(z^k)) * D^k / keepProb (+ da^(k-1) through a residual skip)
 *   dz^(k+1) = da^k W^(k+1)
 *   dL = L(z^L + dz^L) - L(z^L)
 * Rows and units the change does not reach (a relu that stays off, a dropped unit) cost nothing,
 * and the differences use the cancellation-free forms of deltas.ts.
 */
import { activations, LEAKY_SLOPE } from '../nn/activations';
import type { NetSpec } from './spec';
import { forward64, unpack, type Batch64 } from './mirror64';
import { transpose } from '../core/math64';
import { deltaConstants, dgAt as dgAtImported, KIND, lossBase, lossDeltas, type LossDelta } from './deltas';

// Local binding: module-namespace getters in a hot loop cost more than the arithmetic.
const dgAt = dgAtImported;

/** The base pass of one check, with scratch buffers. */
export interface Base64 {
  spec: NetSpec;
  batch: Batch64;
  /** Layer widths n0..nL */
  n: number[];
  L: number;
  m: number;
  W: Float64Array[];
  /** W^l transposed, [n(l), n(l-1)], for dot-product rows */
  WT: Float64Array[];
  b: Float64Array[];
  z: Float64Array[];
  a: Float64Array[];
  /** Per-unit constants of g at z^k (see deltas.deltaConstants). */
  P1: Float64Array[];
  P2: Float64Array[];
  /** softmax p or sigmoid s of z^L, for the loss delta */
  P: Float64Array;
  kind: number;
  dL: LossDelta;
  /** True when g has a kink at 0 (relu, leakyRelu). */
  kinky: boolean;
  /** Set when a perturbed pre-activation of a kept unit crossed 0 on a kinked g. Reset it yourself. */
  kink: boolean;
  /** Scratch per layer: dz and da for the +h and -h perturbations. */
  dzP: Float64Array[];
  dzM: Float64Array[];
  daP: Float64Array[];
  daM: Float64Array[];
  /** Scratch of linearPass: da^k and dz^k per unit step, the response v = dz^L per unit step, and a dz^L buffer. */
  alpha: Float64Array[];
  u: Float64Array[];
  v: Float64Array;
  d: Float64Array;
}

/**
 * Runs and caches the float64 base pass.
 *
 * @example
 * ```ts
 * const B = base64(net.spec, net.toVector(), batch64(net.spec, X, y));
 * B.z[1].length; // m * n1
 * ```
 */
export function base64(spec: NetSpec, theta: Float64Array, batch: Batch64): Base64 {
  const n = spec.sizes;
  const L = n.length - 1;
  const { W, b } = unpack(spec, theta);
  const WT = W.map((w, l) => (l === 0 ? w : transpose(w, n[l - 1], n[l])));
  const { z, a } = forward64(spec, theta, batch, WT);
  const P1: Float64Array[] = [], P2: Float64Array[] = [];
  for (let k = 1; k < L; k++) [P1[k], P2[k]] = deltaConstants(spec.hidden, z[k]);
  const buf = (): Float64Array[] => n.map((k) => new Float64Array(k));
  return {
    spec, batch, n, L, m: batch.m, W, WT, b, z, a, P1, P2,
    P: lossBase(spec.output, z[L], batch.m, n[L]),
    kind: KIND[spec.hidden],
    dL: lossDeltas[spec.output],
    kinky: activations[spec.hidden].kink,
    kink: false,
    dzP: buf(), dzM: buf(), daP: buf(), daM: buf(),
    alpha: buf(), u: buf(), v: new Float64Array(n[L]), d: new Float64Array(n[L]),
  };
}

/**
 * dL_r(+) - dL_r(-): how much more example r's loss changes when its z^l row moves by `dzP` than
 * when it moves by `dzM` (dense, length n_l; `nz` lists the nonzero units when sparse, else null).
 * Reads but does not modify dzP/dzM; writes only the scratch of layers after l.
 *
 * @example
 * ```ts
 * B.dzP[1].fill(0); B.dzM[1].fill(0);
 * B.dzP[1][j] = h * x; B.dzM[1][j] = -h * x;     // rank-1: one unit of z^1 changes
 * const diff = rowPair(B, r, 1, B.dzP[1], B.dzM[1], [j]);
 * ```
 */
export function rowPair(B: Base64, r: number, l: number, dzP: Float64Array, dzM: Float64Array, nz: ArrayLike<number> | null): number {
  const { n, L, z, W, kind, kinky } = B;
  const D = B.batch.D;
  const residual = B.spec.residual;
  let idx = nz;
  let prevP: Float64Array | null = null, prevM: Float64Array | null = null; // da^(k-1), for a residual skip
  for (let k = l; ; k++) {
    const nk = n[k];
    const o = r * nk;
    if (k === L) {
      const { Y } = B.batch;
      return B.dL(z[L], dzP, Y, B.P, o, nk) - B.dL(z[L], dzM, Y, B.P, o, nk); // L(z^L + dz+) - L(z^L + dz-)
    }
    const daP = B.daP[k], daM = B.daM[k];
    const zk = z[k], Dk = D[k], p1 = B.P1[k], p2 = B.P2[k];
    // with a sparse start (idx) only its units are written; the rest of da^k is read only through a
    // residual skip into layer k + 1, so only then is it cleared
    const clean = idx !== null && residual[k + 1];
    if (clean) {
      daP.fill(0);
      daM.fill(0);
    }
    let any = false;
    const cnt = idx ? idx.length : nk;
    for (let t = 0; t < cnt; t++) {
      const q = idx ? idx[t] : t;
      const dp = dzP[q], dm = dzM[q];
      const Dq = Dk ? Dk[o + q] : 1;
      if (Dq === 0 || (dp === 0 && dm === 0)) {
        daP[q] = daM[q] = 0; // a dropped unit passes no change
        continue;
      }
      const zq = zk[o + q];
      if (kinky) {
        const pos = zq > 0;
        if (zq + dp > 0 !== pos || zq + dm > 0 !== pos) B.kink = true;
      }
      const vp = (daP[q] = dgAt(kind, zq, p1[o + q], p2[o + q], dp) * Dq); // da = (g(z + dz) - g(z)) D / keepProb
      const vm = (daM[q] = dgAt(kind, zq, p1[o + q], p2[o + q], dm) * Dq);
      if (vp !== 0 || vm !== 0) any = true;
    }
    if (residual[k] && prevP && prevM) {
      for (let q = 0; q < nk; q++) {
        if (prevP[q] === 0 && prevM[q] === 0) continue;
        daP[q] += prevP[q]; // + da^(k-1)
        daM[q] += prevM[q];
        any = true;
      }
    }
    if (!any) return 0;
    const nn = n[k + 1], zP = B.dzP[k + 1], zM = B.dzM[k + 1];
    if (kinky || idx) {
      // sparse da (relu units off, one unit at the start): rows of W^(k+1) for the nonzero units
      const Wn = W[k + 1];
      zP.fill(0);
      zM.fill(0);
      const some = idx && !clean ? idx : null; // only these units of da^k were written
      const count = some ? some.length : nk;
      for (let t = 0; t < count; t++) {
        const q = some ? some[t] : t;
        const vp = daP[q], vm = daM[q];
        if (vp === 0 && vm === 0) continue;
        const row = q * nn;
        for (let c = 0; c < nn; c++) {
          const w = Wn[row + c];
          zP[c] += vp * w; // dz^(k+1) = da^k W^(k+1)
          zM[c] += vm * w;
        }
      }
    } else {
      // dense da: dot products with the columns of W^(k+1)
      const WTn = B.WT[k + 1];
      for (let c = 0; c < nn; c++) {
        const col = c * nk;
        let sp = 0, sm = 0, sp1 = 0, sm1 = 0, q = 0; // two partial sums each: the loop JS runs fastest
        for (; q + 1 < nk; q += 2) {
          const w = WTn[col + q], w1 = WTn[col + q + 1];
          sp += daP[q] * w; // dz^(k+1) = da^k W^(k+1)
          sm += daM[q] * w;
          sp1 += daP[q + 1] * w1;
          sm1 += daM[q + 1] * w1;
        }
        if (q < nk) {
          sp += daP[q] * WTn[col + q];
          sm += daM[q] * WTn[col + q];
        }
        zP[c] = sp + sp1;
        zM[c] = sm + sm1;
      }
    }
    prevP = daP;
    prevM = daM;
    dzP = zP;
    dzM = zM;
    idx = null;
  }
}

/** g'(z) of a piecewise-linear g (relu, leakyRelu, linear); constant between kinks. */
function slope(kind: number, z: number): number {
  return kind === KIND.relu ? (z > 0 ? 1 : 0) : kind === KIND.leakyRelu ? (z > 0 ? 1 : LEAKY_SLOPE) : 1;
}

/** True when every hidden g is piecewise linear, so {@link linearPass} applies. */
export function piecewiseLinear(B: Base64): boolean {
  return B.kind === KIND.relu || B.kind === KIND.leakyRelu || B.kind === KIND.linear;
}

/**
 * For piecewise-linear g: the change of z^L in row r per unit step t of z^l[r, j], and how far t
 * may go before some kept pre-activation reaches a kink. While |t| < tcrit the whole downstream
 * pass is linear in t, so every perturbation of column j in this row (all W^l[i, j] and b^l[j],
 * both signs) shares this one pass:  dz^L = t v,  v = e_j S^l W^(l+1) S^(l+1) ... W^L
 * (S^k = diag(g'(z^k) D^k / keepProb), plus identity paths through residual skips).
 * Returns tcrit; leaves v in B.v (all zero when no change reaches the loss).
 *
 * @example
 * ```ts
 * const tcrit = linearPass(B, r, 1, j);
 * if (Math.abs(t) < tcrit) dL = lossAlong(B, r, t);  // else rowPair
 * ```
 */
export function linearPass(B: Base64, r: number, l: number, j: number): number {
  const { n, L, z, W, kind, kinky } = B;
  const D = B.batch.D, residual = B.spec.residual;
  const v = B.v;
  if (l === L) {
    v.fill(0);
    v[j] = 1;
    return Infinity;
  }
  const nl = n[l], zj = z[l][r * nl + j];
  const Dj = D[l] ? D[l]![r * nl + j] : 1;
  if (Dj === 0) {
    v.fill(0);
    return Infinity; // dropped unit: no step of any size reaches the loss
  }
  let tcrit = kinky ? Math.abs(zj) : Infinity; // dz^l = t e_j
  let alpha = B.alpha[l];
  alpha.fill(0);
  alpha[j] = slope(kind, zj) * Dj; // da^l = S^l dz^l
  let u = B.u[l + 1];
  const nn0 = n[l + 1], W0 = W[l + 1], row0 = j * nn0;
  for (let c = 0; c < nn0; c++) u[c] = alpha[j] * W0[row0 + c]; // dz^(l+1) = da^l W^(l+1)
  for (let k = l + 1; k < L; k++) {
    const nk = n[k], o = r * nk, zk = z[k], Dk = D[k];
    const next = B.alpha[k];
    for (let c = 0; c < nk; c++) {
      const uc = u[c];
      const Dc = Dk ? Dk[o + c] : 1;
      let ac = 0;
      if (uc !== 0 && Dc !== 0) {
        const zc = zk[o + c];
        if (kinky) tcrit = Math.min(tcrit, Math.abs(zc) / Math.abs(uc)); // z + t u reaches 0 at |t| = |z| / |u|
        ac = slope(kind, zc) * Dc * uc;
      }
      next[c] = residual[k] ? ac + alpha[c] : ac; // + da^(k-1) through the skip
    }
    alpha = next;
    const nn = n[k + 1], un = B.u[k + 1], Wn = W[k + 1];
    un.fill(0);
    for (let q = 0; q < nk; q++) {
      const aq = alpha[q];
      if (aq === 0) continue;
      const row = q * nn;
      for (let c = 0; c < nn; c++) un[c] += aq * Wn[row + c];
    }
    u = un;
  }
  v.set(u);
  return tcrit;
}

/**
 * dL_r = L(z^L + t v) - L(z^L) for the response v left in B.v by {@link linearPass}.
 *
 * @example
 * ```ts
 * const diff = lossAlong(B, r, tPlus) - lossAlong(B, r, tMinus);
 * ```
 */
export function lossAlong(B: Base64, r: number, t: number): number {
  const { n, L, v, d } = B;
  const nL = n[L];
  for (let k = 0; k < nL; k++) d[k] = t * v[k];
  return B.dL(B.z[L], d, B.batch.Y, B.P, r * nL, nL);
}
