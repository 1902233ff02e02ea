/**
 * The entries of a recurrent net's full float64 check, one central difference each, from plain
 * numbers only (no tf): so that worker threads (core/workers.ts) can rebuild the base pass from a
 * transferable description (the spec's sizes, theta's blocks, the batch as Float64Arrays, theta) and
 * compute a share of the entries with the very same float64 operations as the main thread:
 *   d theta[i] = (J(theta + h e_i) - J(theta - h e_i)) / 2h,   scale = (1/m) sum_r |dL_r(+h) - dL_r(-h)| / 2h.
 */
import type { ParamBlock } from '../nn/block';
import { steps } from '../nn/numeric';
import { OutputDelta, type Cell, type Pert } from './delta64';
import type { Seq64, SequenceShape } from './sequence';

/** One central difference: its value, the size of its terms, and whether a relu sign flipped. */
export interface Difference { value: number; scale: number; kink: boolean }

/** The differences of one batch and theta, by a family's cell. */
export interface Deltas { diff(p: Pert, hp: number, hm: number): Difference }

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
export function deltas(cell: Cell, shape: SequenceShape, s: Seq64, theta: Float64Array, blocks: ParamBlock[]): Deltas {
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
export function pertOf(blocks: ParamBlock[], i: number): Pert {
  let b = 0;
  while (i >= blocks[b].offset + blocks[b].size) b++;
  const e = i - blocks[b].offset, cols = blocks[b].shape[blocks[b].shape.length - 1];
  return blocks[b].shape.length === 2 ? { block: b, r: Math.floor(e / cols), c: e % cols } : { block: b, r: -1, c: e };
}

/** Where the entries go: value, scale and kink flag per position k of the index list. */
export interface EntryOut { values: Float64Array; scale: Float64Array; kinks: Uint8Array }

/** Entry k of the list (theta index idx[k]) differenced into out[k]. */
export function entryAt(d: Deltas, blocks: ParamBlock[], theta: Float64Array, idx: Int32Array, eps: number, out: EntryOut, k: number): void {
  const i = idx[k];
  const [hp, hm] = steps(theta[i], eps);
  const r = d.diff(pertOf(blocks, i), hp, hm);
  out.values[k] = r.value; out.scale[k] = r.scale; out.kinks[k] = r.kink ? 1 : 0;
}

/** A recurrent check's entries as plain data: what a worker thread rebuilds them from. */
export interface EntryJob {
  /** The family's cell builder: an absolute module path and its export, (spec, blocks, s, theta) => Cell. */
  cell: { module: string; name: string };
  /** The spec's plain fields (sizes, output, variant, hidden activation). */
  spec: SequenceShape & Record<string, unknown>;
  blocks: ParamBlock[];
  s: Seq64;
  theta: Float64Array;
  idx: Int32Array;
  eps: number;
}

/** This file, for the worker threads to load. */
export const ENTRIES_MODULE = __filename;

/**
 * The worker's side (core/worker.ts calls it): the base pass rebuilt from the job, then entry k into
 * the shared buffers [values, scale, kinks].
 *
 * @example
 * ```ts
 * const work = entryWorker(job, [values.buffer, scale.buffer, kinks.buffer]);
 * work(0); // entry idx[0]
 * ```
 */
export function entryWorker(job: EntryJob, [values, scale, kinks]: SharedArrayBuffer[]): (k: number) => void {
  const build = (require(job.cell.module) as Record<string, (spec: EntryJob['spec'], blocks: ParamBlock[], s: Seq64, theta: Float64Array) => Cell>)[job.cell.name];
  const d = deltas(build(job.spec, job.blocks, job.s, job.theta), job.spec, job.s, job.theta, job.blocks);
  const out = { values: new Float64Array(values), scale: new Float64Array(scale), kinks: new Uint8Array(kinks) };
  return (k) => entryAt(d, job.blocks, job.theta, job.idx, job.eps, out, k);
}
