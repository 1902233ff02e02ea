/**
 * The fast full float64 check (issue 5). Perturbing W^l[i, j] by h changes only column j of z^l,
 * by h a^(l-1)[:, i] (a rank-1 update); b^l[j] changes it by h. Nothing upstream of layer l moves,
 * so each evaluation starts from the cached base pass at layer l and carries only the change
 * downstream (propagate.rowPair): rows where a^(l-1)[r, i] = 0, relu units that stay off and
 * dropped units cost nothing. With piecewise-linear g (relu, leakyRelu, linear) every perturbation
 * of column j in row r moves z^L along one vector v (propagate.linearPass) until a kink is reached,
 * so all W^l[:, j], b^l[j] and both signs share one downstream pass per row; steps that would reach
 * a kink take the exact path and are flagged. The difference is odd in the step, so three exact
 * passes per row (smooth g: tanh, sigmoid) or three loss evaluations along v (piecewise-linear g,
 * inside the linear region) fit it for the whole column (oddFit), checked to 1e-11 and
 * replaced by exact passes where a large eps makes the fit inexact. The same central difference as the naive loop,
 *   d theta[i] = (J(theta + h e_i) - J(theta - h e_i)) / 2h,
 * with J+ - J- = (1/m) sum_r (dL_r(+h) - dL_r(-h)) + (lambda/2m) ((w + h)^2 - (w - h)^2).
 */
import type { NetSpec } from './spec';
import type { Batch64 } from './mirror64';
import { layout } from './layout';
import { base64, linearPass, lossAlong, piecewiseLinear, rowPair, type Base64 } from './propagate';
import { allIndices, steps, type NumericResult } from '../nn/numeric';

/** The requested entries of one column j of layer l: i = -1 stands for b^l[j]. */
interface Column {
  i: number[];
  /** positions in the result arrays */
  k: number[];
  hp: number[];
  hm: number[];
}

/** Groups the requested theta indices by (layer, column j). */
function columns(spec: NetSpec, theta: Float64Array, idx: Int32Array, eps: number): Map<number, Column>[] {
  const byLayer: Map<number, Column>[] = spec.sizes.map(() => new Map());
  const slots = layout(spec);
  let s = 0;
  for (let k = 0; k < idx.length; k++) {
    while (idx[k] >= slots[s].offset + slots[s].size) s++;
    const slot = slots[s], e = idx[k] - slot.offset;
    const [i, j] = slot.kind === 'W' ? [Math.floor(e / slot.cols), e % slot.cols] : [-1, e];
    const map = byLayer[slot.layer];
    let col = map.get(j);
    if (!col) map.set(j, (col = { i: [], k: [], hp: [], hm: [] }));
    const [hp, hm] = steps(theta[idx[k]], eps);
    col.i.push(i);
    col.k.push(k);
    col.hp.push(hp);
    col.hm.push(hm);
  }
  return byLayer;
}

/** Entries of a column from which a smooth g's rows are fitted rather than each evaluated (see {@link oddFit}). */
const FIT_MIN = 4;
/** How closely the fit must reproduce its checking evaluation, relative to G (halved there: see {@link oddFit}). */
const FIT_TOL = 1e-11;

/**
 * G(s) = L_r(step +s) - L_r(step -s) is odd in the step s, for smooth g (tanh, sigmoid: the row's
 * exact pass from z^l[r, j]) and for piecewise-linear g inside the linear region (L(z^L + s v) -
 * L(z^L - s v), v from linearPass: the loss itself is smooth):
 *   G(s) = a s + b s^3 + O(s^5),
 * so two exact evaluations, at the row's largest step T and at T/2, give a and b for every entry of
 * the column (their steps s = h a^(l-1)[r, i] are all within T). A third, at T/4, checks the fit to
 * FIT_TOL / 2 of G; when it disagrees (a large eps, where s^5 shows) this returns undefined and every
 * entry is evaluated exactly. Why one check is enough: a leftover c s^5 leaves the fit off by
 * c s (s^2 - T^2/4)(s^2 - T^2), relative to G ~ a s at most 0.25 c T^4 / a (as s -> 0) and
 * 0.176 c T^4 / a at T/4, where the check looks: the tolerance halved covers every s in [0, T].
 */
function oddFit(T: number, g1: number, g2: number, gQ: number): { a: number; b: number } | undefined {
  // g1 = G(T), g2 = G(T/2); gQ = G(T/4) checks the fit
  const b = (g1 - 2 * g2) / (0.75 * T * T * T); // g1 - 2 g2 = b (T^3 - T^3 / 4)
  const a = (g1 - b * T * T * T) / T;
  const s = T / 4;
  if (!(Math.abs(a * s + b * s * s * s - gQ) <= (FIT_TOL / 2) * Math.max(Math.abs(gQ), (Math.abs(g1) * s) / T))) return undefined;
  return { a, b };
}

/** Adds sum_r dL_r(+h) - dL_r(-h) of every entry of column j of layer l into `sums`, flags kinks. */
function column(B: Base64, l: number, j: number, col: Column, sums: Float64Array, abs: Float64Array, kinks: Uint8Array, linear: boolean, eps: number, rowMax: Float64Array): void {
  const { m, n, a } = B;
  const nIn = n[l - 1], aPrev = a[l - 1];
  const dzP = B.dzP[l], dzM = B.dzM[l];
  dzP.fill(0);
  dzM.fill(0);
  const nz = [j];
  const smooth = !linear && col.i.length >= FIT_MIN; // tanh, sigmoid: 3 passes per row beat one per entry
  const exact = (s: number): number => { dzP[j] = s; dzM[j] = -s; return rowPair(B, r0, l, dzP, dzM, nz); };
  const along = (s: number): number => lossAlong(B, r0, s) - lossAlong(B, r0, -s); // linear region: dz^L = s v
  // piecewise-linear g: T below bounds steps of at most 2 eps; an entry whose w is so large that its
  // actual step exceeds that (w >> 1 / eps) is checked on its own against T
  let bounded = true;
  for (let e = 0; e < col.i.length; e++) if (!(col.hp[e] <= 2 * eps && col.hm[e] <= 2 * eps)) bounded = false;
  let r0 = 0;
  for (let r = 0; r < m; r++) {
    r0 = r;
    const tcrit = linear ? linearPass(B, r, l, j) : Infinity;
    let fit: { a: number; b: number } | undefined;
    let T = 0; // the fit holds for steps up to T
    if (smooth) {
      for (let e = 0; e < col.i.length; e++) {
        const i = col.i[e];
        const x = Math.abs(i < 0 ? 1 : aPrev[r * nIn + i]);
        T = Math.max(T, col.hp[e] * x, col.hm[e] * x);
      }
      if (T > 0) fit = oddFit(T, exact(T), exact(T / 2), exact(T / 4));
    } else if (linear) {
      // a bound on every step of the column in this row, whichever entries are asked for (so a
      // subset gets the same numbers as the full check): |h| <= 2 eps, |dz| <= 2 eps max(1, |a_r|)
      T = 2 * eps * Math.max(1, rowMax[r]);
      if (T < tcrit) fit = oddFit(T, along(T), along(T / 2), along(T / 4));
    }
    if (fit && (smooth || bounded)) { // every step of the row is within T (and T < tcrit): all entries from the fit
      const { a: fa, b: fb } = fit;
      for (let e = 0; e < col.i.length; e++) {
        const i = col.i[e];
        const x = i < 0 ? 1 : aPrev[r * nIn + i];
        if (x === 0) continue;
        const s = ((col.hp[e] + col.hm[e]) * x) / 2; // as (tp - tm) / 2 below
        const diff = fa * s + fb * s * s * s;
        sums[col.k[e]] += diff;
        abs[col.k[e]] += Math.abs(diff);
      }
      continue;
    }
    for (let e = 0; e < col.i.length; e++) {
      const i = col.i[e];
      const x = i < 0 ? 1 : aPrev[r * nIn + i]; // dz^l[r, j] = h a^(l-1)[r, i]  (h for b)
      if (x === 0) continue;
      const tp = col.hp[e] * x, tm = -col.hm[e] * x;
      const inside = Math.max(tp, -tm, -tp, tm) < tcrit;
      if (fit && inside && Math.max(Math.abs(tp), Math.abs(tm)) <= T) {
        const s = (tp - tm) / 2; // tp and -tm differ by rounding only (steps()): G(s) to ~1e-16
        const diff = fit.a * s + fit.b * s * s * s;
        sums[col.k[e]] += diff;
        abs[col.k[e]] += Math.abs(diff);
        continue;
      }
      if (linear && inside) {
        const diff = lossAlong(B, r, tp) - lossAlong(B, r, tm); // linear downstream: dz^L = t v
        sums[col.k[e]] += diff;
        abs[col.k[e]] += Math.abs(diff);
        continue;
      }
      dzP[j] = tp;
      dzM[j] = tm;
      B.kink = false;
      const diff = rowPair(B, r, l, dzP, dzM, nz);
      sums[col.k[e]] += diff;
      abs[col.k[e]] += Math.abs(diff);
      if (B.kink) kinks[col.k[e]] = 1;
    }
  }
  dzP[j] = dzM[j] = 0;
}

/**
 * Central differences of the float64 mirror for the given theta indices (all by default),
 * equal to {@link naiveGrad64}'s numbers but computed from the cached base pass (`base`: one
 * already computed by {@link base64} for the same spec, theta and batch, e.g. shared with a
 * directional check; its scratch buffers are reused).
 *
 * @example
 * ```ts
 * const { values, kinks } = fastGrad64(net.spec, net.toVector(), batch64(net.spec, X, y), { eps: 1e-7 });
 * ```
 */
export function fastGrad64(
  spec: NetSpec,
  theta: Float64Array,
  batch: Batch64,
  { eps = 1e-7, indices, tick, base }: { eps?: number; indices?: Int32Array; tick?: (done: number) => void; base?: Base64 } = {},
): NumericResult {
  const idx = indices ?? allIndices(theta.length);
  const sums = new Float64Array(idx.length), abs = new Float64Array(idx.length);
  const kinks = new Uint8Array(idx.length);
  const B = base ?? base64(spec, theta, batch); // a base pass of the same theta and batch may be shared
  const linear = piecewiseLinear(B);
  const rowMax = B.a.map((x, k) => { // max_i |a^k[r, i]| per row
    const w = B.n[k], out = new Float64Array(B.m);
    for (let r = 0; r < B.m; r++) for (let i = 0; i < w; i++) out[r] = Math.max(out[r], Math.abs(x[r * w + i]));
    return out;
  });
  let done = 0;
  columns(spec, theta, idx, eps).forEach((map, l) => {
    for (const [j, col] of [...map].sort((p, q) => p[0] - q[0])) {
      column(B, l, j, col, sums, abs, kinks, linear, eps, rowMax[l - 1]);
      tick?.((done += col.i.length));
    }
  });
  const values = new Float64Array(idx.length), scale = new Float64Array(idx.length);
  const lambda = spec.l2, m = batch.m;
  const slots = layout(spec);
  let s = 0;
  for (let k = 0; k < idx.length; k++) {
    while (idx[k] >= slots[s].offset + slots[s].size) s++;
    const w = theta[idx[k]];
    const [hp, hm] = steps(w, eps);
    let dJ = sums[k] / m, size = abs[k] / m;
    if (slots[s].kind === 'W' && lambda > 0) {
      const l2 = (lambda / (2 * m)) * (2 * w * (hp + hm) + hp * hp - hm * hm); // (w+h+)^2 - (w-h-)^2
      dJ += l2;
      size += Math.abs(l2);
    }
    values[k] = dJ / (hp + hm); // (J+ - J-) / 2h
    scale[k] = size / (hp + hm);
  }
  return { indices: idx, values, kinks, scale, evaluations: 2 * idx.length };
}
