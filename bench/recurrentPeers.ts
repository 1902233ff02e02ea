/**
 * `npm run bench -- peers` (after the MLP nets) or `node --import tsx bench/recurrentPeers.ts` (alone): gradscope's
 * checks of recurrent nets against torch.autograd.gradcheck on the same numbers (issue 21). The
 * nets, weights and data are exported to bench/peers.py (`recurrent` mode: torch writes the same rnn,
 * lstm and the course's gru by hand, sigmoid output at t = T, binary cross-entropy, float64, one
 * thread). gradscope's full check runs twice per net: with the family's exact paths (the change
 * carried through time from one cached base pass) and, in the same process, on the generic loop
 * over mirror64 (the model seen without `exactPaths`: the code before issue 21), so before and after
 * are one run; the directional check with and without the joint direction the same way. Full checks
 * run on one thread (GRADSCOPE_THREADS=1, against torch on one) and on every core (worker threads,
 * against torch with its default threads: bench/peers.py's `recurrent-all` mode).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import * as gs from '../src/index';
import { backendsToTime, findPeers } from './peers';
import { switchBackend } from '../src/core/backend';
import { threadCount } from '../src/core/workers';

const { tf } = gs;
const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const sec = (s: number): string => (s < 0.1 ? `${(s * 1000).toPrecision(3)} ms` : `${s.toPrecision(3)} s`);
const x = (r: number): string => (r >= 1 ? `**${r.toPrecision(3)}x faster**` : `${(1 / r).toPrecision(3)}x slower`);

interface RCase { name: string; family: 'rnn' | 'lstm' | 'gru'; nx: number; na: number; T: number; m: number; full: number; generic: number }
const CASES: RCase[] = [
  { name: 'lstm nx 8, na 32, T 20, m 16', family: 'lstm', nx: 8, na: 32, T: 20, m: 16, full: 2, generic: 1 },
  { name: 'rnn nx 8, na 32, T 20, m 16', family: 'rnn', nx: 8, na: 32, T: 20, m: 16, full: 3, generic: 1 },
  { name: 'lstm nx 4, na 16, T 10, m 8', family: 'lstm', nx: 4, na: 16, T: 10, m: 8, full: 5, generic: 2 },
  { name: 'gru nx 8, na 32, T 20, m 16', family: 'gru', nx: 8, na: 32, T: 20, m: 16, full: 2, generic: 1 },
];
const DIRECTIONAL = 20;

/** The model with its exact paths hidden: gs.gradCheck then runs the generic loop over mirror64. */
const generic = <T extends object>(net: T): T => new Proxy(net, { get: (t, k) => (k === 'exactPaths' ? undefined : Reflect.get(t, k, t)) });

function build(c: RCase): { net: gs.Rnn | gs.Lstm | gs.Gru; X: gs.tf.Tensor; Y: gs.tf.Tensor } {
  const o = { nx: c.nx, na: c.na, ny: 1, seed: 1 };
  const net = c.family === 'rnn' ? gs.rnn(o) : c.family === 'lstm' ? gs.lstm(o) : gs.gru(o);
  const X = tf.randomNormal([c.m, c.T, c.nx], 0, 1, 'float32', 1);
  const Y = tf.tidy(() => tf.randomUniform([c.m, 1], 0, 1, 'float32', 2).round());
  return { net, X, Y };
}

function times(n: number, f: () => unknown): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) { const t = performance.now(); f(); out.push((performance.now() - t) / 1000); }
  return out;
}

interface Ours { J: number; numeric: Float64Array; hand: Float64Array; full: number[]; full1: number[]; fullJs?: number[]; generic?: number[]; dir: number[]; dirBlock?: number[]; dirGeneric?: number[]; verdict: string; joint: boolean }

/**
 * Resident memory of a full check in a fresh process (this one holds whatever ran before it): a child
 * loads gradscope, builds the net and data, then runs the full check on every core, sampling its
 * resident size at each progress report, on `backend`. MB after the set-up and at the peak.
 */
function freshRss(c: RCase, backend: string): { before: number; peak: number } | undefined {
  const code = `
    const gs = require(${JSON.stringify(join(__dirname, '..', 'src', 'index'))});
    gs.ready().then(() => {
      const { tf } = gs;
      const net = gs[${JSON.stringify(c.family)}]({ nx: ${c.nx}, na: ${c.na}, ny: 1, seed: 1 });
      const X = tf.randomNormal([${c.m}, ${c.T}, ${c.nx}], 0, 1, 'float32', 1);
      const Y = tf.tidy(() => tf.randomUniform([${c.m}, 1], 0, 1, 'float32', 2).round());
      const before = process.memoryUsage().rss;
      let peak = before;
      gs.gradCheck(net, X, Y, { progress: false, onProgress: () => { peak = Math.max(peak, process.memoryUsage().rss); } });
      peak = Math.max(peak, process.memoryUsage().rss);
      console.log(JSON.stringify({ before: before / 2 ** 20, peak: peak / 2 ** 20 }));
    });`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], { encoding: 'utf8', cwd: join(__dirname, '..'), timeout: 600_000, env: { ...process.env, GRADSCOPE_BACKEND: backend } });
  const line = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  return r.status === 0 && line.startsWith('{') ? JSON.parse(line) : undefined;
}

/** The model with its joint direction hidden: directional runs per block (autograd, two mirror passes per block), the code before. */
const perBlock = <T extends object>(net: T): T => new Proxy(net, {
  get: (t, k) => (k === 'exactPaths' ? (...a: unknown[]) => { const p = (t as { exactPaths(...a: unknown[]): { joint?: unknown } | undefined }).exactPaths(...a); if (p) delete p.joint; return p; } : Reflect.get(t, k, t)),
});

/** f with the environment variable `name` set to `value` (restored after). */
function onEnv<R>(name: string, value: string | undefined, f: () => R): R {
  const was = process.env[name];
  if (value === undefined) delete process.env[name]; else process.env[name] = value;
  try { return f(); } finally { if (was === undefined) delete process.env[name]; else process.env[name] = was; }
}
const onThreads = <R>(threads: string | undefined, f: () => R): R => onEnv('GRADSCOPE_THREADS', threads, f);

function measure(c: RCase, before: boolean): { ours: Ours; exported: { theta: number[]; X: number[]; Y: number[]; shapes: number[][] } } {
  const { net, X, Y } = build(c);
  try {
    const y = net.labels(Y, X);
    const { output, cache } = net.forward(X);
    const theta = net.toVector();
    const J = (net.mirror64 as (X: gs.tf.Tensor, y: gs.tf.Tensor, c: unknown) => gs.Loss64)(X, y, cache)(theta).J;
    const g = (net.backward as (c: unknown, y: gs.tf.Tensor) => gs.Grads)(cache, y);
    const hand = net.gradsToVector(g);
    tf.dispose([output, y, ...Object.values(g)]); cache.dispose();
    const paths = net.exactPaths(X, Y, { seed: 0, precision: 'float64', autograd: false, notes: [] })!;
    const numeric = paths.entries(undefined, 1e-7, () => undefined).values;
    paths.dispose();
    gs.gradCheck(net, X, Y, { progress: false }); // warm-up
    const full = times(c.full, () => gs.gradCheck(net, X, Y, { progress: false }));
    const full1 = onThreads('1', () => times(c.full, () => gs.gradCheck(net, X, Y, { progress: false })));
    // the same on one thread with the float64 products in plain JS (core/gemm64's kernel off): that step's before
    const fullJs = before ? onEnv('GRADSCOPE_SIMD', '0', () => onThreads('1', () => times(c.full, () => gs.gradCheck(net, X, Y, { progress: false })))) : undefined;
    const verdict = gs.gradCheck(net, X, Y, { progress: false }).verdict;
    const gen = before ? times(c.generic, () => gs.gradCheck(generic(net), X, Y, { progress: false })) : undefined;
    const d = () => gs.gradCheck(net, X, Y, { mode: 'directional', progress: false });
    times(10, d);
    const dir = times(DIRECTIONAL, d);
    const joint = d().notes.some((n) => /no block needed a direction of its own/.test(n));
    let dirBlock: number[] | undefined, dirGeneric: number[] | undefined;
    if (before) {
      const db = () => gs.gradCheck(perBlock(net), X, Y, { mode: 'directional', progress: false });
      times(5, db);
      dirBlock = times(DIRECTIONAL, db);
      const dg = () => gs.gradCheck(generic(net), X, Y, { mode: 'directional', progress: false });
      times(5, dg);
      dirGeneric = times(DIRECTIONAL, dg);
    }
    const shapes = net.blocks.map((b) => b.shape);
    return { ours: { J, numeric, hand, full, full1, fullJs, generic: gen, dir, dirBlock, dirGeneric, verdict, joint }, exported: { theta: Array.from(theta), X: Array.from(X.dataSync()), Y: Array.from(Y.dataSync()), shapes } };
  } finally {
    net.dispose(); tf.dispose([X, Y]);
  }
}

interface TorchRow { J: number; grad: number[]; threads: number; fast: { seconds: number[]; passed: boolean }; slow: { seconds: number[]; passed: boolean } }

/**
 * The recurrent part of the peers section (markdown): gradscope on each backend of bench/peers.ts's
 * list (wasm, and tensorflow where it loads; the before columns on the first only: the full check's
 * float64 part runs no tf), torch once.
 */
export function recurrentPeers(): string {
  const found = findPeers();
  const started = Date.now(), load0 = os.loadavg()[0];
  const original = tf.getBackend() as gs.BackendName;
  const backends = backendsToTime();
  const ours: Record<string, Ours[]> = {};
  const rss: Record<string, ({ before: number; peak: number } | undefined)[]> = {};
  let exported: ReturnType<typeof measure>['exported'][] = [];
  backends.forEach((b, k) => {
    switchBackend(b);
    const list: Ours[] = [], ex: typeof exported = [];
    for (const c of CASES) { console.error(`  gradscope ${c.name} on ${b}`); const r = measure(c, k === 0); list.push(r.ours); ex.push(r.exported); }
    ours[b] = list;
    rss[b] = CASES.map((c) => freshRss(c, b));
    if (k === 0) exported = ex;
  });
  switchBackend(original);
  let rows: { torch?: TorchRow }[] = CASES.map(() => ({})), all: { torch?: TorchRow }[] = CASES.map(() => ({}));
  let why = found.python ? '' : `no Python with torch (${Object.values(found.skipped).join('; ')})`;
  if (found.python) {
    const dir = join(__dirname, '..', 'out', 'peers');
    mkdirSync(dir, { recursive: true });
    const cf = join(dir, 'recurrent.json');
    writeFileSync(cf, JSON.stringify({ reps: { fast: DIRECTIONAL, slow: 1 }, cases: CASES.map((c, i) => ({ ...c, ny: 1, ...exported[i] })) }));
    // torch on one thread, then with its default threads (the all-core ratios)
    for (const mode of ['recurrent', 'recurrent-all'] as const) {
      const rf = join(dir, `${mode}-result.json`);
      const r = spawnSync(found.python, [join(__dirname, 'peers.py'), cf, rf, mode], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 3600_000 });
      if (r.status !== 0) { why = `bench/peers.py ${mode} failed (exit ${r.status})`; continue; }
      const got = (JSON.parse(readFileSync(rf, 'utf8')) as { cases: { torch: TorchRow }[] }).cases;
      if (mode === 'recurrent') rows = got; else all = got;
    }
  }
  const L: string[] = [];
  const say = (l = ''): void => { L.push(l); };
  const m = (xs: number[] | undefined): number => (xs ? median(xs) : NaN);
  const s = (v: number): string => (Number.isNaN(v) ? '-' : sec(v));
  const label = (c: RCase, b: string): string => (backends.length > 1 ? `${c.name}, ${b}` : c.name);
  say('### Recurrent nets (issue 21)');
  say();
  const threads = threadCount();
  say(`Same run, ${new Date().toISOString().slice(0, 10)}, backend ${backends.join(' and ')}, ${os.cpus().length} cores shared with other jobs (load average ${load0.toFixed(1)} at the start, ${os.loadavg()[0].toFixed(1)} at the end; ${((Date.now() - started) / 1000).toFixed(0)} s). Sigmoid output at t = T, binary cross-entropy, seed 1, X ~ N(0, 1), labels 0/1; torch gets theta, X and Y as float64 and writes the same net by hand (the GRU in the course's form, Gamma_r inside the candidate's product, not torch.nn.GRU). One core: gradscope with GRADSCOPE_THREADS=1 against torch.set_num_threads(1). "generic loop" is gradscope's full check before issue 21 (the model without \`exactPaths\`: two whole mirror evaluations per entry), "per block" the directional check before the joint direction (the paths without \`joint\`: autograd, two mirror evaluations per block), both timed in this same process; "JS kernels" the full check with GRADSCOPE_SIMD=0 (the float64 products da W and the LSTM's step in plain JS instead of core/gemm64's and lstm/step64's WebAssembly SIMD kernels: the same numbers bit for bit). The before columns are timed on ${backends[0]} only (the full check's float64 part runs no tf). ${why ? `torch: SKIPPED (${why}).` : ''}`);
  say();
  say('| net | params | agree: J / torch vs numeric / torch vs hand | gradscope full, 1 thread | JS kernels | generic loop (before) | new vs before | torch slow gradcheck, 1 thread | gradscope vs torch slow | gradscope directional (per block, before) | torch fast_mode | directional vs torch fast | resident memory, full check in a fresh process: after set-up / peak |');
  say('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const b of backends) {
    CASES.forEach((c, i) => {
      const o = ours[b][i], t = rows[i]?.torch;
      const agree = t ? `${(Math.abs(t.J - o.J) / o.J).toExponential(1)} / ${gs.relativeError(t.grad, o.numeric).toExponential(1)} / ${gs.relativeError(t.grad, o.hand).toExponential(1)}` : '-';
      const f = median(o.full1), g = m(o.generic), d = median(o.dir), db = m(o.dirBlock), js = m(o.fullJs);
      const before = Number.isNaN(g) ? '' : ` (before: ${t ? x(median(t.slow.seconds) / g) : '-'})`;
      say(`| ${label(c, b)} | ${exported[i].theta.length.toLocaleString('en')} | ${agree} | ${sec(f)} (${o.verdict}) | ${s(js)}${Number.isNaN(js) ? '' : ` (${(js / f).toPrecision(3)}x)`} | ${s(g)} | ${Number.isNaN(g) ? '-' : `${(g / f).toPrecision(3)}x`} | ${t ? `${sec(median(t.slow.seconds))} (${t.slow.passed})` : '-'} | ${t ? x(median(t.slow.seconds) / f) : '-'}${before} | ${sec(d)}${o.joint ? '' : ' (joint did not settle)'}${Number.isNaN(db) ? '' : ` (${sec(db)}, ${(db / d).toPrecision(3)}x)`} | ${t ? sec(median(t.fast.seconds)) : '-'} | ${t ? x(median(t.fast.seconds) / d) : '-'} | ${rss[b]?.[i] ? `${rss[b][i]!.before.toFixed(0)} / ${rss[b][i]!.peak.toFixed(0)} MB` : '-'} |`);
    });
  }
  say();
  say(`Each side's defaults: gradscope on ${threads} thread(s) (os.availableParallelism(): the main thread and worker threads share the entries), torch with its default threads. On a machine this loaded the extra threads find no free core: compare with the one-thread table.`);
  say();
  say('| net | gradscope full, all threads | torch slow gradcheck, default threads | gradscope vs torch |');
  say('|---|---|---|---|');
  for (const b of backends) {
    CASES.forEach((c, i) => {
      const f = median(ours[b][i].full), t = all[i]?.torch;
      say(`| ${label(c, b)} | ${sec(f)} (1 thread: ${sec(median(ours[b][i].full1))}) | ${t ? `${sec(median(t.slow.seconds))} (${t.threads} threads)` : '-'} | ${t ? x(median(t.slow.seconds) / f) : '-'} |`);
    });
  }
  say();
  // issue 21's targets, stated from this run, per backend
  const ratioOf = (b: string, i: number, mine: 'full1' | 'full' | 'dir', theirs: { torch?: TorchRow }[], kind: 'slow' | 'fast'): number | undefined => {
    const t = theirs[i]?.torch;
    return t ? median(t[kind].seconds) / median(ours[b][i][mine]) : undefined;
  };
  const big = CASES.map((c, i) => ({ c, i })).filter(({ c }) => c.nx === 8 && c.na === 32 && c.family !== 'gru');
  for (const b of backends) {
    const facts: string[] = [];
    const one = big.map(({ c, i }) => ({ c, r: ratioOf(b, i, 'full1', rows, 'slow') })).filter((f) => f.r !== undefined);
    if (one.length) facts.push(`full check on one core against torch's slow gradcheck on one thread ${one.map(({ c, r }) => `${r!.toPrecision(3)}x faster on the ${c.family}`).join(', ')} (target at least 2x: ${one.every(({ r }) => r! >= 2) ? 'met' : 'not met'})`);
    const allc = big.map(({ c, i }) => ({ c, r: ratioOf(b, i, 'full', all, 'slow') })).filter((f) => f.r !== undefined);
    if (allc.length) facts.push(`with each side's defaults ${allc.map(({ c, r }) => `${r!.toPrecision(3)}x on the ${c.family}`).join(', ')} (target at least 5x: ${allc.every(({ r }) => r! >= 5) ? 'met' : 'not met'})`);
    const dir = CASES.map((c, i) => ({ c, r: ratioOf(b, i, 'dir', rows, 'fast') })).filter((f) => f.r !== undefined);
    if (dir.length) facts.push(`directional against torch's fast_mode ${dir.map(({ c, r }) => `${r! >= 1 ? `${r!.toPrecision(3)}x faster` : `${(1 / r!).toPrecision(3)}x slower`} on ${c.name}`).join(', ')} (target within 1.5x: ${dir.every(({ r }) => 1 / r! <= 1.5) ? 'met' : 'not met'})`);
    const r0 = rss[b]?.[0];
    if (facts.length) { say(`Issue 21's targets on ${b} in this run: ${facts.join('; ')}.${r0 ? ` Peak memory of the big LSTM's full check, in a fresh process on every core: ${r0.peak.toFixed(0)} MB resident (${r0.before.toFixed(0)} MB after loading gradscope and building the net).` : ''}`); say(); }
  }
  return L.join('\n');
}

if (require.main === module) {
  gs.ready().then(() => console.log(recurrentPeers())).catch((e) => { console.error(e); process.exit(1); });
}
