/**
 * `npm run bench`: the benchmark cases of issue 5, written to BENCHMARKS.md.
 * Timings on a shared machine are noisy; only ratios measured in the same run mean anything.
 *   (a) full float64 check, [64, 64, 64, 10], batch 64: naive per-entry loop vs gradscope (fast64)
 *   (b) the same in float32 on tf tensors: naive loop (one upload per evaluation) vs batched rank-1
 *   (c) directional and sparse vs full, on the bug catalogue: time and whether each flags the bug,
 *       whole calls, their tf and numeric parts, and against the naive full loop
 *   (d) one forward + backward on each available backend
 *   (e) 784-128-10 (~100k parameters): full float64 check with progress, sparse, directional
 * plus the precision measurements behind the verdict bands (float64 floor, float32 eps).
 * `npm run bench -- peers` (only when named: it needs Python with torch and jax) runs bench/peers.ts,
 * gradscope against torch.autograd.gradcheck and jax check_grads (then bench/recurrentPeers.ts: rnn, lstm, gru
 * against torch), and rewrites its own `## Peers` section.
 * Sections of BENCHMARKS.md that this script does not write (e.g. `## Notebook execution`, written
 * by `npm run notebooks -- --record`) are kept as they are, after the benchmark sections.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { Tensor2D } from '@tensorflow/tfjs';
import * as gs from '../src/index';
import { batch64 } from '../src/mlp/mirror64';
import { fastGrad64 } from '../src/mlp/fast64';
import { naiveGrad64 } from '../src/mlp/naive64';
import { float32Grad } from '../src/mlp/float32';
import { naiveGrad32 } from '../src/mlp/naive32';
import { rng, sampleIndices } from '../src/core/random';
import { merge, replaceSection, split } from './sections';
import { trust } from './trust';
import { peers } from './peers';
import { recurrentPeers } from './recurrentPeers';
import { CASES, keptTensorflowRun, timeBackends } from './backends';
import { BUGS, bugCase, labelsFor, tfSeed } from '../test/bugs';
import { randomCase } from '../test/nets';

const { tf } = gs;
const out: string[] = [];
const say = (line = ''): void => { out.push(line); console.log(line); };
const fmt = (x: number, d = 3): string => (Number.isFinite(x) ? (Math.abs(x) >= 1e-2 && Math.abs(x) < 1e5 ? x.toPrecision(d) : x.toExponential(d - 1)) : String(x));
const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };

/** Peak memory, sampled before/after each run and from inside long loops (via progress ticks). */
const peak = { rss: 0, heap: 0 };
const sample = (): void => { const m = process.memoryUsage(); peak.rss = Math.max(peak.rss, m.rss); peak.heap = Math.max(peak.heap, m.heapUsed); };
const resetPeak = (): void => { peak.rss = 0; peak.heap = 0; sample(); };
const mb = (b: number): string => `${(b / 2 ** 20).toFixed(0)} MB`;
let lastSample = 0;
const tickSample = (): void => { const now = Date.now(); if (now - lastSample > 20) { lastSample = now; sample(); } };

/** Median seconds of `runs` calls of fn, and the last result. */
function time<T>(runs: number, fn: () => T): { seconds: number; all: number[]; result: T } {
  const all: number[] = [];
  let result!: T;
  for (let i = 0; i < runs; i++) {
    sample();
    const t = performance.now();
    result = fn();
    all.push((performance.now() - t) / 1000);
    sample();
  }
  return { seconds: median(all), all, result };
}

function table(head: string[], rows: (string | number)[][]): void {
  say(`| ${head.join(' | ')} |`);
  say(`|${head.map(() => '---').join('|')}|`);
  for (const r of rows) say(`| ${r.map(String).join(' | ')} |`);
  say();
}

function data(sizes: number[], m: number, output: gs.Output, seed: number): { X: Tensor2D; Y: Tensor2D } {
  return { X: tf.randomNormal([m, sizes[0]], 0, 1, 'float32', tfSeed(seed)) as Tensor2D, Y: labelsFor(output, m, sizes[sizes.length - 1], seed) };
}

/** Seconds per entry of the naive float64 loop (seeds' recipe), timed on 150 seeded entries of the net. */
function naivePerEntry(net: gs.Net, X: Tensor2D, Y: Tensor2D): number {
  const y = net.labels(Y, X.shape[0]);
  const D = net.spec.keepProb < 1 ? net.sampleMasks(X.shape[0], rng(104729)) : []; // gradCheck's mask (seed 0)
  const batch = batch64(net.spec, X, y, D);
  const idx = Int32Array.from(sampleIndices(net.size, 150, rng(11)));
  const seconds = time(1, () => naiveGrad64(net.spec, net.toVector(), batch, { indices: idx })).seconds;
  y.dispose(); tf.dispose(D.filter(Boolean) as Tensor2D[]);
  return seconds / idx.length;
}

/** `npm run bench -- c e`: only those sections, printed, BENCHMARKS.md left alone (it is written by full runs). */
const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const want = (section: string): boolean => only.length === 0 || only.includes(section);
/** `npm run bench -- peers [--small]`: only when named (it needs Python, torch and jax); writes its own section. */
const small = process.argv.includes('--small');

async function main(): Promise<void> {
  const info = await gs.ready();
  const started = Date.now();
  say('# gradscope benchmarks');
  say();
  say(`Written by \`npm run bench\` (bench/run.ts) on ${new Date().toISOString().slice(0, 10)}. Each case gives the median of several runs and the ratio to its`);
  say('baseline measured in the same run: timings on a shared machine are noisy, only same-run ratios mean anything.');
  say();
  say(`- machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), ${mb(os.totalmem())} RAM, ${os.platform()} ${os.arch()}`);
  say(`- Node ${process.version}, TensorFlow.js ${tf.version.tfjs}, backend ${gs.backendInfo().active}${Object.keys(info.skipped).length ? ` (not available: ${Object.entries(info.skipped).map(([b, why]) => `${b}: ${why}`).join('; ')})` : ''}`);
  say('- command: `npm run bench` (= `node --import tsx bench/run.ts`)');
  say();

  if (want('a')) {
    // (a) ------------------------------------------------------------------------------------------
    say('## (a) Full float64 check, sizes [64, 64, 64, 10], batch 64: naive loop vs gradscope');
    say();
    say('Naive: the seeds\' loop (perturb one entry, run the whole float64 forward pass, difference the costs; `src/mlp/naive64.ts`), run once over all entries.');
    say('gradscope: `src/mlp/fast64.ts` (cached layers, rank-1 start, change-only propagation, one shared downstream pass per row and column for piecewise-linear g), median of 5.');
    say('"agree" compares the two gradients on 2000 seeded entries at eps 1e-3 and 1e-5 (both compute the same central difference; the smaller eps, the more the naive loop\'s own round-off, ~u J / eps, shows: at 1e-7 it dominates). For tanh the fast path fits the odd difference per row and column (src/mlp/fast64.ts, oddFit), checked against exact evaluations.');
    say();
    const rowsA: (string | number)[][] = [];
    for (const hidden of ['relu', 'tanh'] as const) {
      const sizes = [64, 64, 64, 10];
      const net = gs.mlp({ sizes, hidden, output: 'softmax', seed: 1 });
      const { X, Y } = data(sizes, 64, 'softmax', 1);
      const batch = batch64(net.spec, X, Y);
      const theta = net.toVector();
      resetPeak();
      const fast = time(5, () => fastGrad64(net.spec, theta, batch, { eps: 1e-7, tick: tickSample }));
      const fastPeak = { ...peak };
      resetPeak();
      const naive = time(1, () => naiveGrad64(net.spec, theta, batch, { eps: 1e-7, tick: tickSample }));
      const naivePeak = { ...peak };
      const idx = Int32Array.from(sampleIndices(net.size, 2000, rng(3)));
      const agree = (eps: number): number => {
        const f = fastGrad64(net.spec, theta, batch, { eps });
        return gs.relativeError(Array.from(idx, (k) => f.values[k]), naiveGrad64(net.spec, theta, batch, { eps, indices: idx }).values);
      };
      const agree3 = agree(1e-3), agree5 = agree(1e-5);
      const agree7 = gs.relativeError(fast.result.values, naive.result.values);
      rowsA.push([`${hidden}/softmax, ${net.size} params`, `${fmt(naive.seconds)} s`, `${fmt(fast.seconds)} s (${fast.all.map((s) => fmt(s, 2)).join(', ')})`, `**${fmt(naive.seconds / fast.seconds)}x**`,
        fmt(agree3), fmt(agree5), fmt(agree7), `${mb(naivePeak.rss)} / ${mb(fastPeak.rss)}`, `${mb(naivePeak.heap)} / ${mb(fastPeak.heap)}`]);
      net.dispose(); tf.dispose([X, Y]);
    }
    table(['net', 'naive', 'gradscope (runs)', 'speed-up', 'agree at eps 1e-3', 'at 1e-5', 'at 1e-7', 'peak rss naive / fast', 'peak heap naive / fast'], rowsA);
  }

  if (want('b')) {
    // (b) ------------------------------------------------------------------------------------------
    say('## (b) The same in float32 on tf tensors');
    say();
    say('Naive: for each entry upload the perturbed block (`variable.assign`), run the tf forward pass, read the loss back (`src/mlp/naive32.ts`); timed on a seeded sample of 1000 entries (the per-entry cost is the same for every entry) and scaled to the full count.');
    say('gradscope: `src/mlp/float32.ts`: column j of z^l for +-h in JS; for a hidden layer, g of that column on tf, then the rank-1 rows z^(l+1) = z^(l+1) + da W^(l+1)[j, :] in float32 arithmetic in JS (Math.fround: the numbers tf\'s mul and add give) for the examples whose column moved (a relu unit that stays off moves nothing: L_r(+h) = L_r(-h) exactly); only those rows, with their base rows of D, z and y gathered in JS, through the remaining layers in one tf pass per block of rows, one readback each. Bit-for-bit the numbers of running every perturbed copy of the batch through tf (test/numeric.test.ts checks). Median of 3; eps 1e-2 for both.');
    say();
    {
      const rowsB: (string | number)[][] = [];
      for (const hidden of ['relu', 'tanh'] as const) {
        const sizes = [64, 64, 64, 10];
        const net = gs.mlp({ sizes, hidden, output: 'softmax', seed: 1 });
        const { X, Y } = data(sizes, 64, 'softmax', 1);
        const { cache } = net.forward(X);
        float32Grad(net, cache, Y, { eps: 1e-2 }); // warm-up (JIT, wasm kernels)
        resetPeak();
        const fast = time(3, () => float32Grad(net, cache, Y, { eps: 1e-2, tick: tickSample }));
        const fastPeak = { ...peak };
        const idx = Int32Array.from(sampleIndices(net.size, 1000, rng(5)));
        resetPeak();
        const naive = time(1, () => naiveGrad32(net, X, Y, [], { eps: 1e-2, indices: idx }));
        const naiveFull = naive.seconds * net.size / idx.length;
        const agree = gs.relativeError(Array.from(idx, (k) => fast.result.values[k]), naive.result.values);
        rowsB.push([`${hidden}/softmax, ${net.size} params`, `${fmt(naiveFull)} s (${fmt(naive.seconds)} s for 1000)`, `${fmt(fast.seconds)} s (${fast.all.map((x) => fmt(x, 2)).join(', ')})`, `**${fmt(naiveFull / fast.seconds)}x**`, fmt(agree), `${mb(peak.rss)} / ${mb(fastPeak.rss)}`]);
        cache.dispose(); net.dispose(); tf.dispose([X, Y]);
      }
      table(['net', 'naive (scaled from 1000 entries)', 'gradscope (runs)', 'speed-up', 'agree (float32 noise)', 'peak rss naive / fast'], rowsB);
      say('tanh gains less: every example\'s row moves (no unit stays off), and tf\'s tanh kernel on wasm over those rows is most of the time.');
      say();
    }
  }

  if (want('c')) {
    // (c) ------------------------------------------------------------------------------------------
    say('## (c) Directional and sparse vs full, on the bug catalogue');
    say();
    say('Each catalogued bug (test/bugs.ts) planted in a [64, 64, 64, 10] net, batch 64, checked with gs.gradCheck in float64 with its defaults: full (1 run), sparse (20 entries per block; median of 3), directional (one joint direction over all blocks first; when it does not settle the check, 1 random direction per block, a failing block confirmed on the 2 entries where the checked gradient and autograd differ most, and on 2 random ones too if those 2 agree with the numbers; median of 7 after a warm-up call). Times are whole gradCheck calls. Also the correct backward on the same nets. "flagged": verdict wrong (for the correct backward: verdict great).');
    say();
    const rowsC: (string | number)[][] = [];
    const rowsW: (string | number)[][] = [];
    const ratios = { whole: [] as number[], work: [] as number[], fixed: [] as number[], reluFixed: [] as number[], naive: [] as number[], met: [] as string[] };
    for (const bug of [undefined, ...BUGS]) {
      const b = bug ?? { ...BUGS[0], name: 'none (correct backward)', backward: undefined };
      const { net, X, Y } = bugCase(b as never, 64, 10);
      const opts = { backward: (bug ? bug.backward : undefined) as gs.BackwardFn | undefined, progress: false };
      const full = time(1, () => gs.gradCheck(net, X, Y, { ...opts }));
      const sparse = time(3, () => gs.gradCheck(net, X, Y, { ...opts, mode: 'sparse', samples: 20 }));
      gs.gradCheck(net, X, Y, { ...opts, mode: 'directional' }); // warm-up
      const reports: gs.CheckReport[] = [];
      const dir = time(7, () => { const r = gs.gradCheck(net, X, Y, { ...opts, mode: 'directional' }); reports.push(r); return r; });
      const dirTf = median(reports.map((r) => r.time.analytic)), dirNum = median(reports.map((r) => r.time.numeric));
      const flagged = (r: gs.CheckReport) => (bug ? r.verdict === 'wrong' : r.verdict === 'great');
      rowsC.push([b.name, `${fmt(full.seconds)} s ${flagged(full.result) ? 'yes' : 'NO'}`, `${fmt(sparse.seconds)} s ${flagged(sparse.result) ? 'yes' : 'NO'} (${fmt(100 * sparse.seconds / full.seconds, 2)}%)`,
        `${fmt(dir.seconds * 1000)} ms ${flagged(dir.result) ? 'yes' : 'NO'} (**${fmt(100 * dir.seconds / full.seconds, 2)}%**)`, `${full.result.evaluations} / ${sparse.result.evaluations} / ${dir.result.evaluations}`]);
      const naiveFull = naivePerEntry(net, X, Y) * net.size;
      // entries confirmed: the evaluations left after the joint direction (2, when it ran) and the per-block ones (2 per block, when they ran)
      const ran = (start: string): boolean => dir.result.notes.some((n) => n.startsWith(start));
      const confirmed = (dir.result.evaluations - (ran('directional: one joint direction') ? 2 : 0) - (ran('directional: 1 random unit direction') ? 2 * net.blocks.length : 0)) / 2;
      if (bug?.options.hidden === 'relu') ratios.reluFixed.push(full.result.time.analytic / full.seconds);
      if (bug) {
        ratios.whole.push(dir.seconds / full.seconds);
        ratios.work.push(dirNum / full.result.time.numeric);
        ratios.fixed.push(full.result.time.analytic / full.seconds);
        ratios.naive.push(dir.seconds / naiveFull);
        if (dir.seconds <= 0.01 * full.seconds) ratios.met.push(b.name);
      }
      rowsW.push([b.name, `${fmt(full.result.time.analytic * 1000)} ms / ${fmt(full.result.time.numeric)} s`, `${fmt(dirTf * 1000)} ms / ${fmt(dirNum * 1000)} ms (${confirmed} entries)`,
        `**${fmt(100 * dirNum / full.result.time.numeric, 2)}%**`, `${fmt(100 * dir.seconds / full.seconds, 2)}%`, `${fmt(100 * full.result.time.analytic / full.seconds, 2)}%`,
        `~${fmt(naiveFull)} s`, `${fmt(100 * dir.seconds / naiveFull, 2)}%`]);
      net.dispose(); tf.dispose([X, Y]);
    }
    table(['bug', 'full: time, flagged', 'sparse: time, flagged (% of full)', 'directional: time, flagged (% of full)', 'evaluations full / sparse / directional'], rowsC);
    say('Where the time goes, from each report\'s `time` (analytic = tf: forward pass, the checked backward, autograd, readbacks; numeric = float64 base pass, perturbations, confirmation; directional: medians of the 7 runs). The last-but-two column is the part every mode pays, full included, as a share of the full check: no mode can take less. Naive full loop: `naiveGrad64` timed on 150 seeded entries of the same net and scaled to all entries (one full forward pass each way per entry, the same for every entry).');
    say();
    table(['bug', 'full: analytic / numeric', 'directional: analytic / numeric (entries confirmed)', 'numeric: directional / full', 'whole call: directional / full', 'analytic part of full / full', 'naive full loop (est.)', 'directional / naive loop'], rowsW);
    const stat = (xs: number[]) => `median ${fmt(100 * median(xs), 2)}%, max ${fmt(100 * Math.max(...xs), 2)}%`;
    say(`Over the ${ratios.whole.length} bugs (flagged: see the first table), directional / full: whole call ${stat(ratios.whole)}, at most 1% for ${ratios.met.length} of ${ratios.whole.length}${ratios.met.length < ratios.whole.length ? ` (not: ${BUGS.map((x) => x.name).filter((n) => !ratios.met.includes(n)).join('; ')})` : ''}; numeric work ${stat(ratios.work)}; the analytic part alone ${stat(ratios.fixed)} of the full call; directional / naive full loop ${stat(ratios.naive)}.`);
    say();
    // one random direction per block: how often does it miss? 30 seeds of the directions per bug
    {
      const SEEDS = 30;
      const rowsS: (string | number)[][] = [];
      for (const bug of BUGS) {
        const { net, X, Y } = bugCase(bug, 64, 10);
        let flagged = 0, clean = 0, smallest = Infinity;
        for (let seed = 0; seed < SEEDS; seed++) {
          const r = gs.gradCheck(net, X, Y, { backward: bug.backward, mode: 'directional', seed, progress: false });
          if (r.verdict === 'wrong') flagged++;
          const screened = r.notes.map((n) => n.match(/^(\w+): directional error ([-+.e\d]+)/)).filter((x) => x && bug.faulty.includes(x[1]));
          const worstFaulty = Math.max(0, ...screened.map((x) => Number(x![2])));
          smallest = Math.min(smallest, worstFaulty);
          if (gs.gradCheck(net, X, Y, { mode: 'directional', seed, progress: false }).verdict === 'great') clean++;
        }
        rowsS.push([bug.name, `${flagged} / ${SEEDS}`, fmt(smallest), `${clean} / ${SEEDS}`]);
        net.dispose(); tf.dispose([X, Y]);
      }
      say(`One direction per block is enough: each bug checked in directional mode with ${SEEDS} seeds of the directions (same net and batch), and the correct backward with the same seeds. "smallest error": over the seeds, the smallest directional error (before confirmation) of the worst faulty block: how far above the bands (great < 1e-7, ok < 1e-5, worry < 1e-3) one random direction puts each bug.`);
      say();
      table(['bug', 'flagged wrong', 'smallest directional error', 'correct backward: great'], rowsS);
    }
    say(`The full check of these nets is itself fast: one shared downstream pass per row and column for piecewise-linear g (relu), three exact passes per row and column fitted for smooth g (tanh, sigmoid). The tf part of the full check (forward pass, the checked backward pass, autograd) is ${fmt(100 * Math.min(...ratios.fixed), 2)}-${fmt(100 * Math.max(...ratios.fixed), 2)}% of it in this run (relu nets: ${ratios.reluFixed.map((x) => `${fmt(100 * x, 2)}%`).join(', ')}). Every mode pays the forward and the checked backward pass; a directional call settled by its joint direction skips autograd, one that is not pays it too.`);
    say();
  }

  if (want('d')) {
    // (d) ------------------------------------------------------------------------------------------
    say('## (d) One forward + backward per backend');
    say();
    {
      const rowsD = timeBackends();
      const info = gs.backendInfo();
      const tfNote = info.tensorflow ? `TensorFlow ${info.tensorflow} through @tensorflow/tfjs-node ${(tf.version as Record<string, string>)['tfjs-node'] ?? ''} (\`npm run native\`; oneDNN custom ops off, TF_ENABLE_ONEDNN_OPTS=${process.env.TF_ENABLE_ONEDNN_OPTS ?? 'unset'})` : `tensorflow not available: ${info.skipped.tensorflow ?? 'GRADSCOPE_BACKEND'}`;
      say(`net.forward + net.backward (hand-written) + readback of dW1, relu hidden layers, softmax output; the three backends in one process, one after the other. Each is warmed up in blocks (20 runs, fewer when one run is slow) until a block's median is within 10% of the one before (wasm's first hundred runs are several times slower while V8 compiles it), then timed: median of the runs given. ${tfNote}. gradscope's default in this run: ${info.chosen}.`);
      say();
      const cell = (b: gs.BackendName, label: string): string => { const r = rowsD.find((x) => x.backend === b && x.label === label); return r?.ms !== undefined ? `${fmt(r.ms)} ms (${r.runs})` : 'not available'; };
      const ms = (b: gs.BackendName, label: string): number | undefined => rowsD.find((x) => x.backend === b && x.label === label)?.ms;
      const ratio = (a?: number, b?: number): string => (a !== undefined && b !== undefined ? `**${fmt(a / b)}x**` : '-');
      table(['net', 'tensorflow', 'wasm', 'cpu', 'time wasm / tensorflow', 'time cpu / tensorflow'], CASES.map((c) => [
        `${c.label}: [${c.sizes.join(', ')}], batch ${c.m}`, cell('tensorflow', c.label), cell('wasm', c.label), cell('cpu', c.label), ratio(ms('wasm', c.label), ms('tensorflow', c.label)), ratio(ms('cpu', c.label), ms('tensorflow', c.label)),
      ]));
      const faster = CASES.map((c) => { const t = ms('tensorflow', c.label); const w = ms('wasm', c.label); return t === undefined || w === undefined ? undefined : t < w ? `${c.label}: tensorflow ${fmt(w / t, 2)}x faster than wasm` : `${c.label}: wasm ${fmt(t / w, 2)}x faster than tensorflow`; }).filter(Boolean);
      if (faster.length) { say(`In this run: ${faster.join('; ')}.`); say(); }
      say(`Warm-up, medians of successive blocks (ms): ${rowsD.filter((r) => r.blocks).map((r) => `${r.backend} ${r.label}: ${r.blocks!.map((x) => fmt(x, 2)).join(', ')} (${r.warmup} runs)`).join('; ')}.`);
      say();
      const bm = join(__dirname, '..', 'BENCHMARKS.md');
      const kept = keptTensorflowRun(rowsD, existsSync(bm) ? split(readFileSync(bm, 'utf8')).sections.find((x) => x.heading.startsWith('## (d)'))?.text : undefined);
      if (kept) { say(kept); say(); }
    }
  }

  if (want('e')) {
    // (e) ------------------------------------------------------------------------------------------
    say('## (e) 784-128-10 (~100k parameters), batch 64');
    say();
    {
      const sizes = [784, 128, 10];
      const net = gs.mlp({ sizes, hidden: 'relu', output: 'softmax', seed: 1 });
      const { X, Y } = data(sizes, 64, 'softmax', 1);
      let calls = 0;
      let lastLine = '';
      const onProgress = (p: gs.CheckProgress): void => {
        calls++;
        tickSample();
        lastLine = `${p.phase} ${p.done}/${p.total}`;
        if (process.stderr.isTTY) process.stderr.write(`\r  full check: ${lastLine}   `);
      };
      resetPeak();
      const full = time(1, () => gs.gradCheck(net, X, Y, { onProgress }));
      if (process.stderr.isTTY) process.stderr.write('\n');
      const fullPeak = { ...peak };
      const sparse = time(3, () => gs.gradCheck(net, X, Y, { mode: 'sparse', samples: 20 }));
      const dir = time(3, () => gs.gradCheck(net, X, Y, { mode: 'directional' }));
      const batch = batch64(net.spec, X, Y);
      const idx = Int32Array.from(sampleIndices(net.size, 100, rng(9)));
      const naive = time(1, () => naiveGrad64(net.spec, net.toVector(), batch, { indices: idx }));
      const naiveFull = naive.seconds * net.size / idx.length;
      table(['check', 'time', 'verdict', 'evaluations', 'notes'], [
        [`full float64 (${net.size} params)`, `${fmt(full.seconds)} s`, full.result.verdict, full.result.evaluations, `${calls} progress calls (last: ${lastLine}); peak rss ${mb(fullPeak.rss)}, heap ${mb(fullPeak.heap)}`],
        ['sparse float64, 20 per block', `${fmt(sparse.seconds)} s`, sparse.result.verdict, sparse.result.evaluations, 'median of 3'],
        ['directional float64 (one joint direction first)', `${fmt(dir.seconds)} s`, dir.result.verdict, dir.result.evaluations, 'median of 3'],
        ['naive float64 loop (estimate)', `~${fmt(naiveFull)} s`, '-', 2 * net.size, `${fmt(naive.seconds)} s for 100 entries, scaled; ${fmt(naiveFull / full.seconds)}x the full check`],
      ]);
      net.dispose(); tf.dispose([X, Y]);
    }
  }

  if (want('precision')) {
    // precision --------------------------------------------------------------------------------------
    say('## Precision measurements behind the verdicts');
    say();
    {
      const N = 300;
      const e64: number[] = [], floors: number[] = [], e32: number[] = [];
      const v64: Record<string, number> = {}, v32: Record<string, number> = {};
      let maxBlockRatio = 0;
      for (let i = 0; i < N; i++) {
        const c = randomCase(i);
        const r = gs.gradCheck(c.net, c.X, c.Y);
        const r32 = gs.gradCheck(c.net, c.X, c.Y, { precision: 'float32' });
        e64.push(r.relativeError); floors.push(r.floor!); e32.push(r32.relativeError);
        v64[r.verdict] = (v64[r.verdict] ?? 0) + 1; v32[r32.verdict] = (v32[r32.verdict] ?? 0) + 1;
        maxBlockRatio = Math.max(maxBlockRatio, ...r.blocks.map((b) => b.ratio ?? 0));
        c.dispose();
      }
      const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
      say(`${N} random correct nets (test/nets.ts: depth 1-6, every activation, output and init, residual, dropout, l2; small widths and batches), full check:`);
      say();
      table(['', 'median', '90th pct', 'max', 'verdicts'], [
        ['float64: hand-written vs numeric', fmt(q(e64, 0.5)), fmt(q(e64, 0.9)), fmt(Math.max(...e64)), JSON.stringify(v64)],
        ['float64: autograd vs numeric (the float32 floor)', fmt(q(floors, 0.5)), fmt(q(floors, 0.9)), fmt(Math.max(...floors)), ''],
        ['float32: hand-written vs numeric (eps 1e-2)', fmt(q(e32, 0.5)), fmt(q(e32, 0.9)), fmt(Math.max(...e32)), JSON.stringify(v32)],
      ]);
      say(`float64 nets above the seeds' 1e-7: ${e64.filter((e) => e > 1e-7).length} of ${N}; each within ${gs.FLOOR_FACTOR}x its autograd floor or float32 round-off (largest block ratio ${fmt(maxBlockRatio)}, the verdict allows ${gs.FLOOR_FACTOR}). Errors near 1 are blocks whose true gradient is 0 (zero init) and whose float32 values are round-off.`);
      say();
      // float32 eps sweep
      const epss = [1e-1, 3e-2, 1e-2, 3e-3, 1e-3, 1e-4];
      const rowsE: (string | number)[][] = [];
      for (const eps of epss) {
        const errs: number[] = [];
        for (let i = 0; i < 60; i++) {
          const c = randomCase(i);
          const r = gs.gradCheck(c.net, c.X, c.Y, { precision: 'float32', eps });
          if (r.floor! < 0.5) errs.push(r.relativeError);
          c.dispose();
        }
        rowsE.push([eps, fmt(q(errs, 0.5)), fmt(q(errs, 0.9))]);
      }
      say('float32 eps (60 nets, hand-written vs float32 numeric; round-off ~ u32 / eps against truncation ~ eps^2):');
      say();
      table(['eps', 'median error', '90th pct'], rowsE);
    }
  }
  const file = join(__dirname, '..', 'BENCHMARKS.md');
  if (only.includes('peers')) {
    const section = `${await peers({ small })}\n${small ? '' : recurrentPeers()}`;
    console.log(section);
    if (!small) writeFileSync(file, replaceSection(existsSync(file) ? readFileSync(file, 'utf8') : '# gradscope benchmarks\n', '## Peers', section));
  }
  if (only.includes('trust')) {
    const section = trust();
    console.log(section);
    writeFileSync(file, replaceSection(existsSync(file) ? readFileSync(file, 'utf8') : '# gradscope benchmarks\n', '## Trust', section));
  }
  say(`Total bench time: ${((Date.now() - started) / 1000).toFixed(0)} s.`);
  if (only.length) return;
  // keep the sections other commands wrote; (x) cases and the precision section are this script's
  const owns = (heading: string): boolean => /^## \([a-z]\) /.test(heading) || heading.startsWith('## Precision measurements');
  writeFileSync(file, merge(out.join('\n'), existsSync(file) ? readFileSync(file, 'utf8') : undefined, owns));
}

main().catch((e) => { console.error(e); process.exit(1); });
