/**
 * `npm run bench` section (d): one forward + backward of the same net on each backend, from one
 * process and one run: tensorflow (tfjs-node, when `npm run native` installed it), wasm and cpu.
 *
 * Warm-up until the timing settles: wasm's code is compiled in tiers by V8, so its first hundred
 * runs are several times slower than the rest (blocks of 20 runs: medians 2.97, 1.71, 0.52, 0.45 ms
 * in issue 11's measurement; 3 warm-ups were far too few). Each backend warms up in blocks until
 * a block's median is within 10% of the one before (or a time budget is spent), then is timed.
 */
import type { Tensor2D } from '@tensorflow/tfjs';
import * as gs from '../src/index';
import { switchBackend, type BackendName } from '../src/core/backend';
import { labelsFor } from '../test/bugs';

const { tf } = gs;

/** One net of the section: sizes and batch. */
export interface BackendCase {
  label: string;
  sizes: number[];
  m: number;
}

export const CASES: BackendCase[] = [
  { label: 'small', sizes: [64, 64, 64, 10], m: 64 },
  { label: 'large', sizes: [784, 512, 512, 10], m: 256 },
];

/** The timing of one (backend, case): median of `runs`, after `warmup` runs in blocks. */
export interface BackendTiming {
  backend: BackendName;
  label: string;
  ms?: number;
  runs?: number;
  warmup?: number;
  /** The medians of the warm-up blocks, ms, first to last. */
  blocks?: number[];
  note?: string;
}

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };

/**
 * Times net.forward + net.backward (hand-written) + readback of dW1 for every case on every backend.
 * `budget` (seconds) bounds each backend's warm-up and timing per case; one slow run (cpu on the
 * large net takes about a second) is always allowed a few repeats.
 */
export function timeBackends(cases: BackendCase[] = CASES, budget = { warmup: 4, timing: 3 }): BackendTiming[] {
  const rows: BackendTiming[] = [];
  const original = tf.getBackend() as BackendName;
  for (const backend of ['tensorflow', 'wasm', 'cpu'] as BackendName[]) {
    if (!switchBackend(backend)) {
      const why = gs.backendInfo().skipped[backend] ?? `${backend} is not registered in this process`;
      for (const c of cases) rows.push({ backend, label: c.label, note: `not available: ${why}` });
      continue;
    }
    for (const c of cases) {
      const before = tf.memory().numTensors;
      const net = gs.mlp({ sizes: c.sizes, hidden: 'relu', output: 'softmax', seed: 1 });
      const X = tf.randomNormal([c.m, c.sizes[0]], 0, 1, 'float32', 1) as Tensor2D;
      const Y = labelsFor('softmax', c.m, c.sizes[c.sizes.length - 1], 1);
      const once = (): number => {
        const t = performance.now();
        const { cache } = net.forward(X);
        const g = net.backward(cache, Y);
        g.dW1.dataSync();
        tf.dispose(Object.values(g));
        cache.dispose();
        return performance.now() - t;
      };
      // warm-up in blocks of 20 runs, or fewer when one run is slow (cpu on the large net: 2)
      const firstRuns = [once(), once(), once()];
      const block = Math.max(2, Math.min(20, Math.round(400 / Math.max(median(firstRuns), 1e-3))));
      const blocks: number[] = [];
      let warmup = firstRuns.length;
      const t0 = performance.now();
      for (;;) {
        const b: number[] = [];
        for (let i = 0; i < block; i++) b.push(once());
        warmup += block;
        blocks.push(median(b));
        const n = blocks.length;
        const settled = n >= 2 && Math.abs(blocks[n - 1] - blocks[n - 2]) <= 0.1 * blocks[n - 2];
        if ((settled && n >= 3) || performance.now() - t0 > budget.warmup * 1000) break;
      }
      const per = blocks[blocks.length - 1];
      const runs = Math.max(5, Math.min(100, Math.round((budget.timing * 1000) / Math.max(per, 1e-3))));
      const ts: number[] = [];
      for (let i = 0; i < runs; i++) ts.push(once());
      rows.push({ backend, label: c.label, ms: median(ts), runs, warmup, blocks });
      net.dispose();
      tf.dispose([X, Y]);
      if (tf.memory().numTensors !== before) throw new Error(`bench (d) leaked ${tf.memory().numTensors - before} tensors on ${backend}`);
    }
  }
  switchBackend(original);
  return rows;
}

const KEPT = '### The last recorded run with tensorflow';

/**
 * When this run has no tensorflow figures (tfjs-node not installed here), the tensorflow run recorded
 * in BENCHMARKS.md's section (d) so far, to keep under this run's table: a full `npm run bench` on a
 * machine without `npm run native` would otherwise drop the only native numbers. Undefined when
 * this run has them, or when the file holds none.
 */
export function keptTensorflowRun(rows: BackendTiming[], section: string | undefined): string | undefined {
  if (section === undefined || rows.some((r) => r.backend === 'tensorflow' && r.ms !== undefined)) return undefined;
  const at = section.indexOf(KEPT);
  if (at >= 0) return section.slice(at).trim(); // kept once already: carry it on as it is
  const table = section.split('\n').filter((l) => /^\| (small|large): /.test(l));
  if (!table.some((l) => /^\| [^|]+\| [0-9.e+]+ ms \(\d+\) \|/.test(l))) return undefined; // no tensorflow figure in it
  const body = section.split('\n').slice(1).join('\n').trim();
  return `${KEPT}\n\nKept from BENCHMARKS.md as it was before this run, which had no tfjs-node:\n\n${body}`;
}
