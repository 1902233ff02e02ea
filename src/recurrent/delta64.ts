/**
 * The exact change of a recurrent net's float64 forward pass when theta moves by a step: the
 * numbers of the seeds' loop (perturb theta, re-run the whole float64 pass, difference J), carried
 * as differences from one cached base pass instead of recomputed from scratch (as the MLP's fast64
 * carries only the change downstream). For a pre-activation z moved by dz:
 *   tanh(z + dz) - tanh(z)       = (1 - t^2) tanh(dz) / (1 + t tanh(dz)),           t = tanh(z)
 *   sigmoid(z + dz) - sigmoid(z) = 2 s q tanh(dz/2) / (1 + (s - q) tanh(dz/2)),     s = sigmoid(z), q = 1 - s
 * (addition theorems: exact; tanh of a tiny argument by its series, below 2^-10 the terms left out are
 * under 1e-20 of it), products of gates by (p + dp)(r + dr) - p r = p dr + dp (r + dr), and the
 * loss by log1p: softplus(z + dz) - softplus(z) = log1p(sigmoid(z) expm1(dz)). The recurrence then
 * costs one matrix product per step, dz = da^(t-1) W_a (the x^(t) W_x part is the base pass's, shared
 * by every perturbation), and no exp or tanh of a whole argument. Both signs of a step run together,
 * as 2m rows: rows 0..m-1 carry +h, rows m..2m-1 carry -h.
 *
 * The differences are exact in real arithmetic and rounded only once each, so they agree with the
 * loop's J(theta + h) - J(theta - h) to the loop's own round-off (about u64 |J| per evaluation; test/delta64.test.ts).
 */
import type { Output } from '../nn/losses';
import type { ParamBlock } from '../nn/model';
import type { Seq64, SequenceShape } from './sequence';
import { product, type Product } from '../core/gemm64';

export { product };

/** Below this |x| tanh(x) is its series x - x^3/3 + 2x^5/15 - 17x^7/315 (error under x^9 / 40). */
const SMALL = 2 ** -10;

/** tanh(x), by its series for tiny x (the steps of a gradient check). */
export function tanhSmall(x: number): number {
  if (x > SMALL || x < -SMALL) return Math.tanh(x);
  const x2 = x * x;
  return x * (1 - x2 * (1 / 3 - x2 * (2 / 15 - x2 * (17 / 315))));
}

/**
 * tanh(z + dz) - tanh(z) = (1 - t^2) w / (1 + t w), w = tanh(dz), from t = tanh(z) and k = 1 - t^2
 * (the LSTM's cell keeps k per base element): k w / (1 + t w).
 */
export function dTanhK(t: number, k: number, dz: number): number {
  if (dz === 0) return 0;
  const w = tanhSmall(dz);
  return (k * w) / (1 + t * w);
}

/**
 * sigmoid(z + dz) - sigmoid(z) = 2 s q w / (1 + (s - q) w), w = tanh(dz / 2), s = sigmoid(z), q = 1 - s
 * (both accurate), from k = 2 s q and d = s - q: k w / (1 + d w).
 */
export function dSigmoidK(k: number, d: number, dz: number): number {
  if (dz === 0) return 0;
  const w = tanhSmall(0.5 * dz);
  return (k * w) / (1 + d * w);
}

/** sigmoid(z) and 1 - sigmoid(z), each to full relative accuracy. */
export function sigmoidPair(z: number): [number, number] {
  if (z >= 0) { const e = Math.exp(-z); return [1 / (1 + e), e / (1 + e)]; }
  const e = Math.exp(z);
  return [e / (1 + e), 1 / (1 + e)];
}

/** W[rows r0..r0+n-1, :] of a row-major [*, cols] matrix, transposed: [cols, n]. */
export function topT(W: Float64Array, cols: number, r0: number, n: number): Float64Array {
  const t = new Float64Array(cols * n);
  for (let r = 0; r < n; r++) for (let c = 0; c < cols; c++) t[c * n + r] = W[(r0 + r) * cols + c];
  return t;
}

/**
 * What a pass perturbs: one entry of theta (block index into the family's blocks, row r of a W
 * block or -1 for a b block, column c), or a dense direction u (theta-long, block -1).
 */
export interface Pert {
  block: number;
  r: number;
  c: number;
  u?: Float64Array;
}

/** A family's recurrence as differences (src/rnn/delta64.ts, src/lstm/delta64.ts, src/gru/delta64.ts). */
export interface Cell {
  /** a^(t) of the base pass, [m, na], t = 0..T. */
  a: Float64Array[];
  /** The blocks of theta the recurrence reads (all but Wy, by). */
  gates: Set<number>;
  /**
   * Runs the recurrence with p moved by +hp (rows 0..m-1) and -hm (rows m..2m-1), calling out(t, da)
   * at each output step with da^(t) [2m, na]; true when a relu pre-activation changed side of 0.
   */
  run(p: Pert, hp: number, hm: number, out: (t: number, da: Float64Array) => void): boolean;
}

/**
 * The injection of a perturbation into a gate's pre-activations, the part every family shares:
 * dz[i, col0 + c] += h_i (h_in[i, :] . U[:, c] + u_b[c]) for a dense u, or h_i h_in[i, r] at column
 * c for an entry (h_in[i, r] read through `hin`, 1 for a bias). Rows i < m take +hp, the rest -hm.
 */
export function inject(p: Pert, W: ParamBlock, b: ParamBlock, isW: boolean, m: number, hp: number, hm: number, k: number, na: number, dz: Float64Array, ld: number, col0: number, hin: (i: number, r: number) => number): void {
  const M2 = 2 * m;
  if (p.u) {
    const u = p.u;
    for (let i = 0; i < M2; i++) {
      const h = i < m ? hp : -hm, o = i * ld + col0;
      for (let c = 0; c < na; c++) dz[o + c] += h * u[b.offset + c];
      for (let r = 0; r < k; r++) {
        const x = hin(i, r);
        if (x === 0) continue;
        const row = W.offset + r * na;
        for (let c = 0; c < na; c++) dz[o + c] += h * x * u[row + c];
      }
    }
    return;
  }
  for (let i = 0; i < M2; i++) dz[i * ld + col0 + p.c] += (i < m ? hp : -hm) * (isW ? hin(i, p.r) : 1);
}

/** The output layer's change at its steps: J's change per row for both signs, from da^(t) and Wy, by moved or not. */
export class OutputDelta {
  readonly m: number;
  readonly na: number;
  readonly ny: number;
  readonly output: Output;
  readonly steps: number[];
  /** Per output step t: the base z_y [m, ny] and sigmoid / softmax of it. */
  private zy: Float64Array[] = [];
  private p: Float64Array[] = [];
  private y: (Float64Array | undefined)[];
  private byWy: Product;
  private dzy: Float64Array;
  /** dL per row: [2m], rows 0..m-1 for +h, m..2m-1 for -h (each L_i, not / m). */
  readonly dL: Float64Array;
  readonly Wy: ParamBlock;
  readonly by: ParamBlock;
  /** Indices of Wy and by in the blocks. */
  private blockIndex: { Wy: number; by: number };

  constructor(shape: SequenceShape, s: Seq64, a: Float64Array[], theta: Float64Array, blocks: ParamBlock[]) {
    const { na, ny, output } = shape;
    this.m = s.m; this.na = na; this.ny = ny; this.output = output;
    this.Wy = blocks.find((b) => b.name === 'Wy')!;
    this.by = blocks.find((b) => b.name === 'by')!;
    this.blockIndex = { Wy: blocks.indexOf(this.Wy), by: blocks.indexOf(this.by) };
    const Wy = theta.subarray(this.Wy.offset, this.Wy.offset + na * ny), by = theta.subarray(this.by.offset, this.by.offset + ny);
    this.byWy = product(topT(Wy, ny, 0, na), na, ny, 2 * s.m);
    // sequence.ts's outputSteps, written out: this file loads in worker threads, which have no tf
    this.steps = shape.outputs === 'last' ? [s.T] : Array.from({ length: s.T }, (_, i) => i + 1);
    this.y = s.y;
    for (const t of this.steps) {
      const z = new Float64Array(s.m * ny), p = new Float64Array(s.m * ny);
      for (let i = 0; i < s.m; i++) {
        for (let c = 0; c < ny; c++) { let q = by[c]; for (let j = 0; j < na; j++) q += a[t][i * na + j] * Wy[j * ny + c]; z[i * ny + c] = q; }
        if (output === 'sigmoid') for (let c = 0; c < ny; c++) p[i * ny + c] = sigmoidPair(z[i * ny + c])[0];
        if (output === 'softmax') {
          let max = -Infinity, sum = 0;
          for (let c = 0; c < ny; c++) max = Math.max(max, z[i * ny + c]);
          for (let c = 0; c < ny; c++) sum += (p[i * ny + c] = Math.exp(z[i * ny + c] - max));
          for (let c = 0; c < ny; c++) p[i * ny + c] /= sum;
        }
      }
      this.zy[t] = z; this.p[t] = p;
    }
    this.dzy = new Float64Array(2 * s.m * ny);
    this.dL = new Float64Array(2 * s.m);
  }

  /** True when p moves Wy or by (only the output layer then changes). */

  /**
   * Adds the change of sum_i L_i at output step t to dL: dz_y = da Wy (+ the step of Wy, by when p
   * moves them: h (a + da)[:, r] at column c, or h), then dL_i by the loss's own difference.
   */
  add(t: number, a: Float64Array, da: Float64Array | undefined, p: Pert, hp: number, hm: number): void {
    const { m, na, ny } = this, M2 = 2 * m, dz = this.dzy;
    if (da) this.byWy(da, M2, dz, ny, 0);
    else dz.fill(0);
    const at = (i: number, r: number): number => a[(i % m) * na + r] + (da ? da[i * na + r] : 0);
    if (p.u) {
      const u = p.u, Wo = this.Wy.offset, bo = this.by.offset;
      for (let i = 0; i < M2; i++) {
        const h = i < m ? hp : -hm;
        for (let c = 0; c < ny; c++) {
          let q = u[bo + c];
          for (let r = 0; r < na; r++) q += at(i, r) * u[Wo + r * ny + c];
          dz[i * ny + c] += h * q;
        }
      }
    } else if (p.block === this.blockIndex.Wy) {
      for (let i = 0; i < M2; i++) dz[i * ny + p.c] += (i < m ? hp : -hm) * at(i, p.r);
    } else if (p.block === this.blockIndex.by) {
      for (let i = 0; i < M2; i++) dz[i * ny + p.c] += i < m ? hp : -hm;
    }
    const z = this.zy[t], pr = this.p[t], y = this.y[t]!;
    for (let i = 0; i < M2; i++) {
      const o = (i % m) * ny, d = i * ny;
      let L = 0;
      if (this.output === 'sigmoid') {
        // softplus(z + dz) - softplus(z) - y dz = log1p(sigmoid(z) expm1(dz)) - y dz
        for (let c = 0; c < ny; c++) { const e = dz[d + c]; if (e !== 0) L += Math.log1p(pr[o + c] * Math.expm1(e)) - y[o + c] * e; }
      } else if (this.output === 'softmax') {
        // logsumexp(z + dz) - logsumexp(z) - y . dz = log1p(sum_c p_c expm1(dz_c)) - y . dz
        let s = 0, yz = 0;
        for (let c = 0; c < ny; c++) { const e = dz[d + c]; s += pr[o + c] * Math.expm1(e); yz += y[o + c] * e; }
        L = Math.log1p(s) - yz;
      } else {
        // 1/2 ||z + dz - y||^2 - 1/2 ||z - y||^2 = (z - y) . dz + 1/2 ||dz||^2
        for (let c = 0; c < ny; c++) { const e = dz[d + c]; L += (z[o + c] - y[o + c] + 0.5 * e) * e; }
      }
      this.dL[i] += L;
    }
  }
}
