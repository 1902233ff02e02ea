/**
 * `npm run bench -- peers`: gradscope against the gradient checks a student or engineer could reach
 * for instead (issue 14): torch.autograd.gradcheck (slow mode: every entry; fast mode: one random
 * projection) and jax.test_util.check_grads (one random direction, forward and reverse mode).
 *
 * The same nets, weights and data as sections (a) and (e) of bench/run.ts are exported to
 * bench/peers.py as float64 (the float32 weights widened exactly); the peers check the same
 * J(theta) = (1/m) sum_i [logsumexp(z^L_i) - y_i . z^L_i] in float64 on one thread. Timed in one run,
 * gradscope before and after the peers (medians over both halves), and every side must agree on J
 * and the gradient. A benchmark, not a test: CI does not run it.
 *
 * Python: $GRADSCOPE_PEERS_PYTHON, else out/peers-venv, else python3 when it already has torch and
 * jax; otherwise out/peers-venv is made with `python3 -m venv` and `pip install numpy torch jax`
 * (pip's own configuration picks the index). A peer that cannot be had is reported SKIPPED with
 * the reason. gradscope is timed on wasm and, where tfjs-node is installed, on tensorflow too
 * ($GRADSCOPE_PEERS_BACKENDS=wasm,cpu picks others). `--small` runs tiny nets for development and
 * leaves BENCHMARKS.md alone.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { Tensor2D } from '@tensorflow/tfjs';
import * as gs from '../src/index';
import { batch64 } from '../src/mlp/mirror64';
import { fastGrad64 } from '../src/mlp/fast64';
import { switchBackend } from '../src/core/backend';
import { probe } from '../src/cli/python';
import { labelsFor } from '../test/bugs';

const { tf } = gs;
const ROOT = join(__dirname, '..');
const OUT = join(ROOT, 'out');
const VENV = join(OUT, 'peers-venv');
const MODULES = ['numpy', 'torch', 'jax'];

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const fmt = (x: number, d = 3): string => (Number.isFinite(x) ? (Math.abs(x) >= 1e-2 && Math.abs(x) < 1e5 ? x.toPrecision(d) : x.toExponential(d - 1)) : String(x));
const sec = (s: number): string => (s < 0.1 ? `${fmt(s * 1000)} ms` : `${fmt(s)} s`);
/** The median and the runs, all in the median's unit: "43.5 ms (47, 11, 6.0)". */
const short = (x: number): string => (x >= 10 ? x.toFixed(0) : x >= 1 ? x.toFixed(1) : x.toPrecision(2));
const runs = ({ seconds: xs }: Timing): string => { const m = median(xs), k = m < 0.1 ? 1000 : 1; return `${sec(m)} (${xs.map((s) => short(s * k)).join(', ')})`; };
const rel = (x: number): string => (x === 0 ? '0' : fmt(x));

/** A Python with numpy, torch and jax (or as many of them as could be had), and why any is missing. */
interface Peers {
  python?: string;
  versions: Record<string, string>;
  skipped: Record<string, string>;
}

/** Finds a Python with the peers, or installs them into out/peers-venv; never throws. */
export function findPeers(log: (line: string) => void = console.error): Peers {
  const venvPython = join(VENV, 'bin', 'python');
  const forced = process.env.GRADSCOPE_PEERS_PYTHON;
  for (const c of forced ? [forced] : [venvPython, 'python3']) {
    const p = existsSync(c) || !c.includes('/') ? probe(c, MODULES) : undefined;
    if (p) return { python: p.executable, versions: p.versions, skipped: {} };
  }
  if (forced) { // use it as it is: bench/peers.py reports the peer it cannot import
    const p = probe(forced, ['numpy']);
    return p ? { python: p.executable, versions: p.versions, skipped: {} } : { versions: {}, skipped: Object.fromEntries(MODULES.map((m) => [m, `GRADSCOPE_PEERS_PYTHON=${forced} does not run or has no numpy`])) };
  }
  mkdirSync(OUT, { recursive: true });
  const pipLog = join(OUT, 'peers-pip.log');
  if (!existsSync(venvPython)) {
    const made = ['/usr/bin/python3', 'python3'].some((py) => spawnSync(py, ['-m', 'venv', VENV], { stdio: 'ignore' }).status === 0);
    if (!made) return { versions: {}, skipped: Object.fromEntries(MODULES.map((m) => [m, `could not make a venv in out/peers-venv (python3 -m venv failed; Debian: apt-get install python3-venv)`])) };
  }
  const skipped: Record<string, string> = {};
  const logText: string[] = [];
  for (const m of MODULES) {
    if (probe(venvPython, [m])) continue;
    log(`  peers: pip install ${m} into out/peers-venv (large downloads; pip's log: out/peers-pip.log)`);
    const r = spawnSync(venvPython, ['-m', 'pip', 'install', '--disable-pip-version-check', '--retries', '1', m], { encoding: 'utf8', timeout: 1800_000, env: { ...process.env, PIP_DEFAULT_TIMEOUT: process.env.PIP_DEFAULT_TIMEOUT ?? '60' } });
    logText.push(`$ pip install ${m}\n${r.stdout ?? ''}${r.stderr ?? ''}`);
    if (r.status !== 0) {
      const last = `${r.stderr ?? ''}`.trim().split('\n').filter(Boolean).pop() ?? (r.error ? String(r.error) : `exit ${r.status}`);
      skipped[m] = `pip could not install ${m}: ${last}`;
    }
  }
  writeFileSync(pipLog, logText.join('\n'));
  const versions: Record<string, string> = {};
  for (const m of MODULES) {
    const p = probe(venvPython, [m]);
    if (p) versions[m] = p.versions[m];
    else skipped[m] ??= `${m} installed but does not import`;
  }
  if (!versions.numpy) return { versions, skipped };
  return { python: venvPython, versions, skipped };
}

/** One net of the comparison. */
interface Case {
  name: string;
  sizes: number[];
  hidden: 'relu' | 'tanh';
  m: number;
  /** torch slow gradcheck runs (each checks every entry). */
  slow: number;
  /** gradscope full checks (split before / after the peers). */
  full: number;
}

const CASES: Case[] = [
  { name: '[64, 64, 64, 10] relu', sizes: [64, 64, 64, 10], hidden: 'relu', m: 64, slow: 5, full: 20 },
  { name: '[64, 64, 64, 10] tanh', sizes: [64, 64, 64, 10], hidden: 'tanh', m: 64, slow: 5, full: 20 },
  { name: '[784, 128, 10] relu', sizes: [784, 128, 10], hidden: 'relu', m: 64, slow: 1, full: 6 },
];
const SMALL: Case[] = [
  { name: '[16, 16, 16, 4] relu', sizes: [16, 16, 16, 4], hidden: 'relu', m: 16, slow: 2, full: 4 },
  { name: '[16, 16, 16, 4] tanh', sizes: [16, 16, 16, 4], hidden: 'tanh', m: 16, slow: 2, full: 4 },
  { name: '[64, 16, 10] relu', sizes: [64, 16, 10], hidden: 'relu', m: 16, slow: 1, full: 2 },
];
const DIRECTIONAL = 40; // gradscope directional calls per net (after a warm-up), as many as torch's fast mode
const REPS = { fast: DIRECTIONAL, jax: 7 };

/** The net and data of bench/run.ts sections (a) and (e): gs.mlp seed 1, X ~ N(0, 1) seed 1, one-hot labels. */
function build(c: Case): { net: gs.Net; X: Tensor2D; Y: Tensor2D } {
  const net = gs.mlp({ sizes: c.sizes, hidden: c.hidden, output: 'softmax', seed: 1 });
  const X = tf.randomNormal([c.m, c.sizes[0]], 0, 1, 'float32', 1) as Tensor2D;
  return { net, X, Y: labelsFor('softmax', c.m, c.sizes[c.sizes.length - 1], 1) };
}

/** Wall-clock and CPU seconds (this process, all threads) of each timed call. */
interface Timing { seconds: number[]; cpu: number[] }

/** Runs fn, appending its wall-clock and CPU seconds to `into`. */
function timeCall<T>(into: Timing, fn: () => T): T {
  const c = process.cpuUsage(), t = performance.now();
  const result = fn();
  into.seconds.push((performance.now() - t) / 1000);
  const dc = process.cpuUsage(c);
  into.cpu.push((dc.user + dc.system) / 1e6);
  return result;
}

interface Ours {
  J: number;
  numeric: Float64Array;
  hand: Float64Array;
  full: Timing;
  fullVerdict: string;
  dir: Timing;
  dirTf: number[];
  dirNumeric: number[];
  dirVerdict: string;
  /** How the last directional call decided: one joint direction, or a direction per block. */
  dirPath: string;
  /** Directional calls made to warm up before the first half. */
  warmup?: number;
}

/** The numbers handed to the peers: theta, X and the one-hot y of one net, in row-major order. */
interface Exported { theta: number[]; X: number[]; Y: number[] }

/**
 * One half of gradscope's runs of case c on the current backend: a fresh net and batch (the same
 * numbers on every backend: checked against `exported`), then full and directional checks timed.
 * The first half also computes J (float64 mirror), the float64 numeric and the hand-written gradients.
 */
function measureOurs(c: Case, o: Ours | undefined, half: 0 | 1, exported?: Exported): { ours: Ours; exported: Exported } {
  const { net, X, Y } = build(c);
  try {
    const mine: Exported = { theta: Array.from(net.toVector()), X: Array.from(X.dataSync()), Y: Array.from(Y.dataSync()) };
    if (exported && (['theta', 'X', 'Y'] as const).some((k) => mine[k].some((v, i) => v !== exported[k][i]))) {
      throw new Error(`${c.name}: the net or batch built on ${tf.getBackend()} differs from the one exported to the peers`);
    }
    if (!o) {
      const y = net.labels(Y, c.m);
      const { cache } = net.forward(X);
      const theta = net.toVector();
      const J = net.mirror64(X, y, cache)(theta).J;
      const numeric = fastGrad64(net.spec, theta, batch64(net.spec, X, y), { eps: 1e-7 }).values;
      const g = net.backward(cache, y);
      const hand = net.gradsToVector(g);
      tf.dispose(Object.values(g)); cache.dispose(); y.dispose();
      o = { J, numeric, hand, full: { seconds: [], cpu: [] }, fullVerdict: '', dir: { seconds: [], cpu: [] }, dirTf: [], dirNumeric: [], dirVerdict: '', dirPath: '' };
    }
    for (let i = 0; i < (half === 0 ? 3 : 1); i++) gs.gradCheck(net, X, Y, { progress: false }); // warm-up of the full check (JIT)
    const warm = warmUp(() => gs.gradCheck(net, X, Y, { mode: 'directional', progress: false }));
    if (half === 0) o.warmup = warm;
    const nFull = half === 0 ? Math.ceil(c.full / 2) : Math.floor(c.full / 2);
    for (let i = 0; i < nFull; i++) {
      const r = timeCall(o.full, () => gs.gradCheck(net, X, Y, { progress: false }));
      o.fullVerdict = r.verdict;
    }
    for (let i = 0; i < DIRECTIONAL / 2; i++) {
      const r = timeCall(o.dir, () => gs.gradCheck(net, X, Y, { mode: 'directional', progress: false }));
      o.dirTf.push(r.time.analytic); o.dirNumeric.push(r.time.numeric); o.dirVerdict = r.verdict;
      o.dirPath = r.notes.some((n) => n.includes('autograd was not run')) ? 'joint' : 'per block';
    }
    return { ours: o, exported: exported ?? mine };
  } finally {
    net.dispose(); tf.dispose([X, Y]);
  }
}

interface TorchSide { version: string; threads: number; J: number; grad: number[]; fast: Timing & { passed: boolean }; slow?: Timing & { passed: boolean } }
interface JaxCheck { passed: boolean; message?: string }
interface JaxSide { version: string; J: number; grad: number[]; eager: JaxCheck & Timing; jit: JaxCheck & Timing; eps: Record<string, JaxCheck>; kinks: Record<string, { step: number; flipped: number; of: number }> }
interface PeerRow { name: string; torch?: TorchSide; jax?: JaxSide }

/** The peers' side: runs bench/peers.py on the exported nets; rows per case, or the reasons it could not. */
function runPython(found: Peers, cases: Case[], exported: Exported[]): { rows: PeerRow[]; skipped: Record<string, string>; versions: string } {
  const skipped: Record<string, string> = { ...found.skipped };
  if (!found.python) return { rows: cases.map((c) => ({ name: c.name })), skipped: { torch: skipped.numpy, jax: skipped.numpy, ...skipped }, versions: '' };
  const dir = join(OUT, 'peers');
  mkdirSync(dir, { recursive: true });
  const casesFile = join(dir, 'cases.json'), resultFile = join(dir, 'result.json');
  writeFileSync(casesFile, JSON.stringify({
    reps: REPS,
    cases: cases.map((c, i) => ({ name: c.name, sizes: c.sizes, hidden: c.hidden, m: c.m, slow: c.slow, ...exported[i] })),
  }));
  const r = spawnSync(found.python, [join(__dirname, 'peers.py'), casesFile, resultFile], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 3600_000 });
  if (r.status !== 0) {
    const why = `bench/peers.py failed (${r.error ? String(r.error) : `exit ${r.status}`}); see its output above`;
    return { rows: cases.map((c) => ({ name: c.name })), skipped: { torch: why, jax: why, ...skipped }, versions: '' };
  }
  const res = JSON.parse(readFileSync(resultFile, 'utf8')) as { cases: PeerRow[]; skipped: Record<string, string>; python: string; numpy: string };
  return { rows: res.cases, skipped: { ...skipped, ...res.skipped }, versions: `Python ${res.python}, numpy ${res.numpy}` };
}

/** The commit measured: HEAD's short hash, and whether src/ had changes not committed yet. */
function revision(): string {
  const git = (...args: string[]): string => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' }).stdout?.trim() ?? '';
  const head = git('rev-parse', '--short', 'HEAD');
  if (!head) return 'not a git checkout';
  return git('status', '--porcelain', '--', 'src').length ? `commit ${head} with uncommitted changes in src/` : `commit ${head}`;
}

/**
 * wasm (the default where tfjs-node is not installed: the targets' backend) and tensorflow when it
 * is registered; $GRADSCOPE_PEERS_BACKENDS (e.g. `wasm,cpu`) picks others.
 */
export function backendsToTime(): gs.BackendName[] {
  const original = tf.getBackend() as gs.BackendName;
  const asked = process.env.GRADSCOPE_PEERS_BACKENDS?.split(',').map((b) => b.trim()).filter(Boolean) as gs.BackendName[] | undefined;
  const list = asked?.length ? asked : ['wasm', 'tensorflow'] as gs.BackendName[];
  const usable = list.filter((b) => switchBackend(b)); // registers wasm beside tensorflow when needed
  switchBackend(original);
  const missing = list.filter((b) => !usable.includes(b));
  if (asked?.length && missing.length) throw new Error(`GRADSCOPE_PEERS_BACKENDS: ${missing.join(', ')} cannot run here`);
  return usable.length ? usable : [original];
}

/**
 * Warm-up of the directional check: V8 compiles wasm and JS in tiers, so the first tens of calls
 * are slower (bench/backends.ts). Blocks of 10 calls until a block's median is within 10% of the
 * one before, at most 8 blocks or 5 s; returns the number of calls.
 */
function warmUp(call: () => unknown): number {
  const t0 = performance.now();
  let previous = Infinity, calls = 0;
  for (let block = 0; block < 8 && performance.now() - t0 < 5000; block++) {
    const times: number[] = [];
    for (let i = 0; i < 10; i++) { const t = performance.now(); call(); times.push(performance.now() - t); }
    calls += 10;
    const m = median(times);
    if (previous < Infinity && Math.abs(m - previous) <= 0.1 * previous) break;
    previous = m;
  }
  return calls;
}

/** Runs the comparison; returns the `## Peers` section of BENCHMARKS.md (markdown). */
export async function peers({ small = false }: { small?: boolean } = {}): Promise<string> {
  const cases = small ? SMALL : CASES;
  const started = Date.now();
  const loadStart = os.loadavg()[0];
  const found = findPeers();
  const original = tf.getBackend();
  const backends = backendsToTime();
  const ours: Record<string, Ours[]> = {};
  let exported: Exported[] | undefined;
  let py: ReturnType<typeof runPython> | undefined;
  for (const half of [0, 1] as const) {
    if (half === 1) {
      py = runPython(found, cases, exported!);
      for (const m of MODULES) if (py.skipped[m]) console.log(`SKIPPED ${m}: ${py.skipped[m]}`);
    }
    for (const b of backends) {
      switchBackend(b);
      const list = (ours[b] ??= []);
      const next: Exported[] = [];
      cases.forEach((c, i) => {
        console.error(`  gradscope ${c.name} on ${b} (${half ? 'second' : 'first'} half)`);
        const r = measureOurs(c, list[i], half, exported?.[i]);
        list[i] = r.ours; next.push(r.exported);
      });
      exported ??= next;
    }
  }
  switchBackend(original as gs.BackendName);
  const { rows, skipped: pySkip, versions: pyVersions } = py!;

  // ---------------------------------------------------------------------------------------------
  const lines: string[] = [];
  const say = (l = ''): void => { lines.push(l); };
  const table = (head: string[], body: (string | number)[][]): void => {
    say(`| ${head.join(' | ')} |`); say(`|${head.map(() => '---').join('|')}|`);
    for (const r of body) say(`| ${r.join(' | ')} |`);
    say();
  };
  const skip = (m: string): string => `SKIPPED (${pySkip[m]})`;
  const size = (c: Case): number => c.sizes.slice(1).reduce((s, n, l) => s + (c.sizes[l] + 1) * n, 0);
  const label = (c: Case, b: string): string => (backends.length > 1 ? `${c.name}, ${b}` : c.name);
  const info = gs.backendInfo();

  say('## Peers: torch.autograd.gradcheck and jax check_grads (`npm run bench -- peers`)');
  say();
  say(`Written by \`npm run bench -- peers\` (bench/peers.ts, bench/peers.py) on ${new Date().toISOString().slice(0, 10)}, in ${((Date.now() - started) / 1000).toFixed(0)} s, on a shared machine (${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown'}, used by other jobs at the same time; 1-minute load average ${loadStart.toFixed(1)} at the start, ${os.loadavg()[0].toFixed(1)} at the end): the absolute times are noisy, the ratios measured in this one run are the comparison. Not run by CI.`);
  say();
  const tv = rows.find((r) => r.torch)?.torch, jv = rows.find((r) => r.jax)?.jax;
  say(`- gradscope on TensorFlow.js ${tf.version.tfjs}, backend ${backends.join(' and ')}${backends.includes('wasm') && info.wasmBinary ? ` (wasm: ${info.wasmBinary}, one thread)` : ''}, float64 differences in plain JS; Node ${process.version}; gradscope at ${revision()}.${info.skipped.tensorflow ? ` tensorflow backend: not available here (${info.skipped.tensorflow}), so no tensorflow figures.` : ''}`);
  say(`- torch ${tv ? `${tv.version}, ${tv.threads} thread (torch.set_num_threads(1))` : skip('torch')}; jax ${jv ? `${jv.version}, float64 (jax_enable_x64), XLA on one thread` : skip('jax')}${pyVersions ? `; ${pyVersions}` : ''}.`);
  say(`- Same nets, weights and data as sections (a) and (e): \`gs.mlp({ sizes, hidden, output: 'softmax', seed: 1 })\`, X ~ N(0, 1) (seed 1), one-hot labels, batch ${[...new Set(cases.map((c) => c.m))].join('/')}. The peers get theta and X as float64 (gradscope's float32 numbers widened exactly) and check the same J(W1, b1, W2, b2, ...) = (1/m) sum_i [logsumexp(z^L_i) - y_i . z^L_i] in float64.`);
  say(`- gradscope: \`gs.gradCheck(net, X, Y)\` (full: every entry, float64, eps 1e-7; 3 warm-up calls, then ${cases.map((c) => c.full).join('/')} runs) and \`{ mode: 'directional' }\` (one joint random direction over every block, each block's part weighted by its round-off bound; where it does not settle the check, a direction per block and a failing block confirmed entry by entry; ${DIRECTIONAL} runs, each half after warm-up calls until the medians of blocks of 10 settle: ${backends.map((b) => `${backends.length > 1 ? `${b} ` : ''}${ours[b].map((o) => o.warmup).join('/')}`).join(', ')} calls before the first half), whole calls, half of the runs before the peers and half after. torch: \`gradcheck(J, params)\` (slow mode, eps 1e-6, ${cases.map((c) => c.slow).join('/')} runs) and \`gradcheck(J, params, fast_mode=True)\` (${REPS.fast} runs after a warm-up); jax: \`check_grads(J, (params,), order=1)\` (modes fwd and rev, its default eps 1e-4), ${REPS.jax} runs after a warm-up, J as written and under \`jax.jit\`. Medians; the runs in brackets.`);
  say();

  const first = ours[backends[0]];
  // agreement bars: float64 J and gradients by different code agree to round-off; gradscope's float64
  // numeric gradient to its difference's error (kinks included); the float32 backward to float32 round-off
  const BAR = { J: 1e-12, grad: 1e-10, numeric: 1e-6, hand: 1e-5 };
  say(`All sides on the same numbers (relative errors as gradscope reports them, ||a - b|| / (||a|| + ||b||); gradscope's numeric gradient is its float64 central difference at eps 1e-7, its hand-written one the float32 backward pass on ${backends[0]}). "agree": J within ${BAR.J.toExponential(0)}, torch and jax autograd within ${BAR.grad.toExponential(0)}, gradscope's numeric gradient within ${BAR.numeric.toExponential(0)} and its float32 backward within ${BAR.hand.toExponential(0)} of torch's:`);
  say();
  const disagree: string[] = [];
  table(['net', 'parameters', 'J (gradscope, float64)', '\\|J torch - J\\| / J', '\\|J jax - J\\| / J', 'grad: torch vs jax', 'torch vs gradscope numeric', 'torch vs gradscope hand-written', 'agree'],
    cases.map((c, i) => {
      const t = rows[i].torch, j = rows[i].jax, o = first[i];
      const errs: [string, number | undefined, number][] = [
        ['J torch', t && Math.abs(t.J - o.J) / Math.abs(o.J), BAR.J], ['J jax', j && Math.abs(j.J - o.J) / Math.abs(o.J), BAR.J],
        ['torch vs jax', t && j ? gs.relativeError(t.grad, j.grad) : undefined, BAR.grad],
        ['torch vs numeric', t && gs.relativeError(t.grad, o.numeric), BAR.numeric], ['torch vs hand-written', t && gs.relativeError(t.grad, o.hand), BAR.hand],
      ];
      const bad = errs.filter(([, e, bar]) => e !== undefined && !(e <= bar)).map(([name]) => name);
      if (bad.length) disagree.push(`${c.name}: ${bad.join(', ')}`);
      const known = errs.filter(([, e]) => e !== undefined).length;
      return [c.name, size(c), o.J.toPrecision(15), ...errs.map(([, e]) => (e === undefined ? '-' : rel(e))), known === 0 ? '-' : bad.length ? `**NO** (${bad.join(', ')})` : 'yes'];
    }));
  if (disagree.length) {
    console.error(`DISAGREE: ${disagree.join('; ')}`);
    say(`**The sides disagree** (${disagree.join('; ')}): the timings below compare checks of different numbers.`);
    say();
  }

  /** A peer's timing of case i, or undefined when it did not run. */
  const slowOf = (i: number): Timing | undefined => rows[i].torch?.slow;
  const fastOf = (i: number): Timing | undefined => rows[i].torch?.fast;
  const jitOf = (i: number): Timing | undefined => rows[i].jax?.jit;
  /** gradscope's median over the peer's, wall clock and CPU: "**17.7x faster** (CPU 18.2x)". */
  const ratio = (o: Timing, peer?: Timing): { wall: number; cpu: number } | undefined =>
    peer && { wall: median(o.seconds) / median(peer.seconds), cpu: median(o.cpu) / median(peer.cpu) };
  const word = (r: number): string => (r <= 1 ? `${fmt(1 / r)}x faster` : `${fmt(r)}x slower`);
  const vs = (o: Timing, peer?: Timing): string => { const r = ratio(o, peer); return r ? `**${word(r.wall)}** (CPU time: ${word(r.cpu)})` : '-'; };

  say('Full checks (every entry): gradscope against torch\'s slow gradcheck. Ratios of the wall-clock medians; in brackets the ratio of the CPU-time medians (each side\'s own process), less disturbed by the other jobs on the machine.');
  say();
  table(['net', 'gradscope full (runs)', 'verdict', 'torch gradcheck, slow (runs)', 'passed', 'gradscope vs torch'],
    backends.flatMap((b) => cases.map((c, i) => [label(c, b), runs(ours[b][i].full), ours[b][i].fullVerdict,
      slowOf(i) ? runs(slowOf(i)!) : rows[i].torch ? 'not run' : skip('torch'), slowOf(i) ? String(rows[i].torch!.slow!.passed) : '-',
      vs(ours[b][i].full, slowOf(i))])));

  say('Directional checks (random directions): gradscope against torch\'s fast mode and jax (ratios as above; "of which tf / numeric": medians of report.time, analytic = the tf forward pass, the checked backward, autograd and readbacks; numeric = the float64 directional differences and any confirmation; rest = the whole call less those two, per call: validation, labels, comparison, the report).');
  say();
  table(['net', 'gradscope directional (runs)', 'of which tf / numeric / rest', 'verdict (directions)', 'torch fast_mode (runs)', 'passed', 'gradscope vs torch fast', 'jax check_grads / under jit', 'passed (eps 1e-4)', 'jax passes at eps 1e-5 / 1e-6', 'gradscope vs jax jit'],
    backends.flatMap((b) => cases.map((c, i) => {
      const o = ours[b][i], t = rows[i].torch, j = rows[i].jax;
      const rest = o.dir.seconds.map((x, k) => x - o.dirTf[k] - o.dirNumeric[k]);
      return [label(c, b), runs(o.dir), `${sec(median(o.dirTf))} / ${sec(median(o.dirNumeric))} / ${sec(median(rest))}`, `${o.dirVerdict} (${o.dirPath})`,
        t ? runs(t.fast) : skip('torch'), t ? String(t.fast.passed) : '-', vs(o.dir, fastOf(i)),
        j ? `${sec(median(j.eager.seconds))} / ${sec(median(j.jit.seconds))}` : skip('jax'), j ? (j.eager.passed && j.jit.passed ? 'true' : '**false**') : '-',
        j ? `${j.eps['1e-05'].passed} / ${j.eps['1e-06'].passed}` : '-', vs(o.dir, jitOf(i))];
    })));
  const jaxFails = cases.map((c, i) => ({ c, j: rows[i].jax })).filter(({ j }) => j && !j.jit.passed);
  if (jaxFails.length) {
    say(`jax's check_grads fails on ${jaxFails.map(({ c }) => c.name).join(' and ')} at its default eps 1e-4 although the gradient is right (torch and jax autograd agree with gradscope's numbers above). Its message: ${jaxFails.map(({ c, j }) => `${c.name}: "${(j!.jit.message ?? '').replace(/\|/g, '\\|').slice(0, 300)}"`).join('; ')}.`);
    say();
  }
  const kinked = cases.map((c, i) => ({ c, k: rows[i].jax?.kinks })).filter(({ c, k }) => k && c.hidden === 'relu');
  if (kinked.length) {
    say(`Why: check_grads steps along one tangent v with standard-normal entries (np.random.RandomState(0)), so theta moves by eps ||v||, about eps sqrt(n). Recomputed here with its own v, the hidden pre-activations z^l whose sign differs between theta - eps v and theta + eps v (ReLU kinks crossed): ${kinked.map(({ c, k }) => `${c.name}: ${Object.entries(k!).map(([eps, x]) => `eps ${eps}: step ${fmt(x.step)}, ${x.flipped} of ${x.of}`).join('; ')}`).join('. ')}.`);
    say();
  }

  // how much the machine's load moved between gradscope's two halves (the peers ran in between)
  const halves = (t: Timing): [number, number] => { const k = Math.ceil(t.seconds.length / 2); return [median(t.seconds.slice(0, k)), median(t.seconds.slice(k))]; };
  const drift = backends.flatMap((b) => cases.flatMap((c, i) => ([['full', ours[b][i].full], ['directional', ours[b][i].dir]] as const).map(([mode, t]) => ({ name: `${label(c, b)} ${mode}`, h: halves(t) }))));
  say(`gradscope's medians before / after the peers ran: ${drift.map(({ name, h }) => `${name} ${sec(h[0])} / ${sec(h[1])}`).join('; ')}. The peers ran once, in between; where the two halves differ, the machine's load moved during the run.`);
  say();

  // issue 14's targets, stated from this run, per backend (wall clock; CPU time in brackets)
  const both = (r: { wall: number; cpu: number }, f: (x: number) => string): string => `${f(r.wall)} (CPU time ${f(r.cpu)})`;
  for (const b of backends) {
    const facts: string[] = [];
    const full = cases.map((c, i) => ({ c, o: ours[b][i], r: ratio(ours[b][i].full, slowOf(i)) }));
    const slow = full.filter((f) => f.r !== undefined);
    const faster = (r: number): string => `${fmt(1 / r)}x`;
    if (slow.length) facts.push(`full check faster than torch's slow gradcheck by ${slow.map((f) => `${both(f.r!, faster)} on ${f.c.name}`).join(', ')} (target at least 30x, aim 50x: ${slow.every((f) => 1 / f.r!.wall >= 30) ? 'met' : `not met on ${slow.filter((f) => 1 / f.r!.wall < 30).map((f) => f.c.name).join(', ')}`})`);
    const [relu, tanh] = full;
    if (relu && tanh && relu.c.hidden === 'relu' && tanh.c.hidden === 'tanh') {
      const rw = median(relu.o.full.seconds), tw = median(tanh.o.full.seconds);
      facts.push(`relu full check ${sec(rw)} against tanh ${sec(tw)} (target relu no slower: ${rw <= tw ? 'met' : `not met, relu takes ${fmt(rw / tw)}x the tanh time (CPU time ${fmt(median(relu.o.full.cpu) / median(tanh.o.full.cpu))}x)`})`);
    }
    const dir = cases.map((c, i) => ({ c, i, r: ratio(ours[b][i].dir, fastOf(i)) })).filter((x) => x.r !== undefined);
    if (dir.length) {
      const tfAbove = dir.every(({ i }) => median(ours[b][i].dirTf) > median(fastOf(i)!.seconds));
      facts.push(`directional against torch's fast mode ${dir.map(({ c, r }) => `${both(r!, word)} on ${c.name}`).join(', ')} (target within 2x: ${dir.every(({ r }) => r!.wall <= 2) ? 'met' : `not met: gradscope is behind here; its tf part alone (forward pass, the checked backward, autograd, readbacks) takes ${dir.map(({ i }) => sec(median(ours[b][i].dirTf))).join(' / ')} of each call${tfAbove ? ', more than torch\'s whole fast-mode check' : ''}`}; issue 21's, no slower than it warm: ${dir.every(({ r }) => r!.wall <= 1) ? 'met' : `not met on ${dir.filter(({ r }) => r!.wall > 1).map(({ c }) => c.name).join(', ')}`})`);
    }
    if (facts.length) { say(`Issue 14's targets on ${b} in this run: ${facts.join('; ')}.`); say(); }
  }
  say('What the times do not show: torch\'s fast mode and jax only say pass or fail for all of theta at once, from one projection or direction. gradscope\'s directional call also starts from one direction over all of theta (no autograd needed when it agrees), but weights each block\'s part by that block\'s own round-off bound so that a wrong block cannot hide behind a large one; when the joint difference fails or crosses a kink it runs tf autograd, gives each block a direction of its own, leaves kinked coordinates out, names the faulty block and confirms it entry by entry (the bug catalogue in section (c)).');
  say();
  return lines.join('\n');
}
