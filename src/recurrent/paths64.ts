/**
 * The recurrent families' offer of exact paths to gs.gradCheck (Model.exactPaths, src/nn/model.ts):
 * the numbers of the generic loop over mirror64 (check/loop64.ts: two whole float64 evaluations per
 * entry or direction) from one cached base pass, each perturbation carried as differences through
 * the family's recurrence (recurrent/delta64.ts and the family's delta64.ts); Wy and by only move the
 * output layer. The same central differences and the same per-difference round-off scale:
 *   d theta[i] = (J(theta + h e_i) - J(theta - h e_i)) / 2h,   scale = (1/m) sum_r |dL_r(+h) - dL_r(-h)| / 2h.
 * float32 checks (tf forward passes) are left to the generic loop.
 */
import type { Tensor } from '@tensorflow/tfjs';
import type { Grads, Model, ModelCache, NumericPaths, PathOptions } from '../nn/model';
import { allIndices, steps, type NumericResult, type RankOne } from '../nn/numeric';
import type { ParamBlock } from '../nn/block';
import { OutputDelta, type Cell, type Pert } from './delta64';
import { seq64, type Seq64, type SequenceCache, type SequenceShape } from './sequence';

/** A recurrent model as the paths need it: the contract, its shape, its blocks' names. */
type Recurrent = Model<SequenceCache> & { spec: SequenceShape };

/** One central difference: its value, the size of its terms, and whether a relu sign flipped. */
export interface Difference { value: number; scale: number; kink: boolean }

/**
 * The differences of one batch and theta: `diff(p, hp, hm)` = (J(theta + hp p) - J(theta - hm p)) / (hp + hm)
 * by the family's cell, with the round-off scale of the loop.
 *
 * @example
 * ```ts
 * const d = deltas(lstmCell(spec, blocks, s, theta), spec, s, theta, blocks);
 * d.diff({ block: 0, r: 2, c: 1 }, 1e-7, 1e-7).value;   // dJ/dWf[2, 1]
 * ```
 */
export function deltas(cell: Cell, shape: SequenceShape, s: Seq64, theta: Float64Array, blocks: Model['blocks']): { diff(p: Pert, hp: number, hm: number): Difference } {
  const out = new OutputDelta(shape, s, cell.a, theta, blocks);
  const m = s.m;
  const isOut = new Uint8Array(s.T + 1);
  for (const t of out.steps) isOut[t] = 1;
  const gateBlocks = [...cell.gates].map((i) => blocks[i]);
  return {
    diff(p, hp, hm) {
      out.dL.fill(0);
      let kink = false;
      const moves = p.u ? gateBlocks.some((b) => { for (let e = 0; e < b.size; e++) if (p.u![b.offset + e] !== 0) return true; return false; }) : cell.gates.has(p.block);
      if (moves) kink = cell.run(p, hp, hm, (t, da) => { if (isOut[t]) out.add(t, cell.a[t], da, p, hp, hm); });
      else for (const t of out.steps) out.add(t, cell.a[t], undefined, p, hp, hm);
      let v = 0, sc = 0;
      for (let i = 0; i < m; i++) { const d = (out.dL[i] - out.dL[m + i]) / m; v += d; sc += Math.abs(d); }
      return { value: v / (hp + hm), scale: sc / (hp + hm), kink };
    },
  };
}

/** A theta index as a perturbation: its block, row (-1 for b) and column. */
function pertOf(blocks: Model['blocks'], i: number): Pert {
  let b = 0;
  while (i >= blocks[b].offset + blocks[b].size) b++;
  const e = i - blocks[b].offset, cols = blocks[b].shape[blocks[b].shape.length - 1];
  return blocks[b].shape.length === 2 ? { block: b, r: Math.floor(e / cols), c: e % cols } : { block: b, r: -1, c: e };
}

/**
 * The recurrent families' exact paths (float64), or undefined for float32 (the generic loop runs it).
 * `cellOf` builds the family's cell for the batch.
 *
 * @example
 * ```ts
 * const paths = recurrentPaths(lstm, X, Y, { seed: 0, precision: 'float64', autograd: true, notes: [] }, (s, theta) => lstmCell(lstm.spec, lstm.blocks, s, theta));
 * paths!.entries(undefined, 1e-7, () => {}).values;
 * paths!.dispose();
 * ```
 */
export function recurrentPaths(model: Recurrent, X: Tensor, Y: Tensor, { precision, autograd }: PathOptions, cellOf: (s: Seq64, theta: Float64Array) => Cell): NumericPaths | undefined {
  if (precision !== 'float64') return undefined;
  model.assertUsable();
  const y = model.labels(Y, X);
  const theta = model.toVector();
  let cache: SequenceCache, grads: Grads | undefined;
  try {
    if (autograd) ({ cache, grads } = model.forwardAndAutograd(X, y));
    else { const f = model.forward(X); f.output.dispose(); cache = f.cache; }
  } catch (e) {
    y.dispose();
    throw e;
  }
  const c0 = (cache as SequenceCache & { c?: Tensor[] }).c?.[0];
  let engine: ReturnType<typeof deltas> | undefined;
  const D = (): ReturnType<typeof deltas> => {
    if (!engine) { const s = seq64(model.spec, X, y, cache.a[0], c0); engine = deltas(cellOf(s, theta), model.spec, s, theta, model.blocks); }
    return engine;
  };
  const mag = new Float64Array(model.size);
  return {
    y, cache, grads, theta, slots: model.blocks, scaleBound: true,
    method: `numeric: central differences of J re-evaluated in float64 by ${model.family}'s mirror of the forward pass (every entry: its change carried through time from one cached base pass)`,
    autograd: () => { const own = model.forwardAndAutograd(X, y); own.cache.dispose(); return own.grads; },
    rightSided: () => undefined,
    start: () => undefined, // the base pass is built by the first entries (directions do not need it)
    magnitudes: () => mag,
    entries: (indices, eps, tick): NumericResult => {
      const idx = indices ?? allIndices(theta.length);
      const values = new Float64Array(idx.length), scale = new Float64Array(idx.length), kinks = new Uint8Array(idx.length);
      const d = D();
      for (let k = 0; k < idx.length; k++) {
        const i = idx[k];
        const [hp, hm] = steps(theta[i], eps);
        const r = d.diff(pertOf(model.blocks, i), hp, hm);
        values[k] = r.value; scale[k] = r.scale; kinks[k] = r.kink ? 1 : 0;
        mag[i] = r.scale; // the size of its terms: the round-off bound's input, as in the generic loop
        tick(k + 1);
      }
      return { indices: idx, values, kinks, scale, evaluations: 2 * idx.length };
    },
    // a few directions: two whole mirror evaluations each cost less than a base pass and dense deltas
    directions: (dirs, eps, tick) => {
      const J = model.mirror64(X, y, cache), base = J(theta).signs;
      const values = new Float64Array(dirs.length), scale = new Float64Array(dirs.length), kinks = new Uint8Array(dirs.length);
      const flip = (s?: Uint8Array): boolean => !!base && !!s && s.some((v, i) => v !== base[i]);
      dirs.forEach(({ slot, v }, k) => {
        const p = Float64Array.from(theta), q = Float64Array.from(theta);
        for (let e = 0; e < slot.size; e++) { p[slot.offset + e] += eps * v[e]; q[slot.offset + e] -= eps * v[e]; }
        const plus = J(p), minus = J(q);
        let sp = 0;
        for (let r = 0; r < plus.rows.length; r++) sp += Math.abs(plus.rows[r] - minus.rows[r]);
        values[k] = (plus.J - minus.J) / (2 * eps); scale[k] = sp / (2 * eps); kinks[k] = flip(plus.signs) || flip(minus.signs) ? 1 : 0;
        tick(k + 1);
      });
      return { values, kinks, scale, evaluations: 2 * dirs.length };
    },
    nearKinks: () => new Uint8Array(model.size),
    dispose: () => {
      cache.dispose();
      y.dispose();
    },
  };
}

/** u with its W parts, given as rank-one factors per slot (`bySlot`), written out. */
export function denseJoint(u: Float64Array, slots: ParamBlock[], bySlot: (RankOne | undefined)[]): Float64Array {
  const v = Float64Array.from(u);
  slots.forEach((s, i) => {
    const f = bySlot[i];
    if (!f) return;
    for (let r = 0; r < s.rows; r++) for (let c = 0; c < s.cols; c++) v[s.offset + r * s.cols + c] = f.scale * f.alpha[r] * f.beta[c];
  });
  return v;
}

export type { ModelCache };
