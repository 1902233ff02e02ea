/**
 * `node --import tsx bench/firstCall.ts` (after `npm run build`): the first directional check in a
 * fresh process, as a notebook user meets it (issue 21). Each run is a new `node` that loads the
 * compiled package (dist/), waits for gs.ready(), and times its first gs.gradCheck(..., { mode:
 * 'directional' }), the next five, and the median of 20 after 40 warm-up calls; 3 processes per net
 * and backend, alternating. Target: first call <= 3 x warm + the import. Rewrites its own
 * `## First calls` section of BENCHMARKS.md.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { replaceSection } from './sections';

const ROOT = join(__dirname, '..');
const RUNS = 3;

/** The child: prints { load, first, next, warm } in ms. */
const child = (net: 'mlp' | 'lstm'): string => `
const t0 = performance.now();
const gs = require(${JSON.stringify(join(ROOT, 'dist', 'index.js'))});
gs.ready().then(() => {
  const load = performance.now() - t0;
  const { tf } = gs;
  const m = ${net === 'mlp' ? 64 : 16};
  const net = ${net === 'mlp' ? "gs.mlp({ sizes: [64, 64, 64, 10], hidden: 'relu', output: 'softmax', seed: 1 })" : 'gs.lstm({ nx: 8, na: 32, ny: 1, seed: 1 })'};
  const X = ${net === 'mlp' ? "tf.randomNormal([m, 64], 0, 1, 'float32', 1)" : "tf.randomNormal([m, 20, 8], 0, 1, 'float32', 1)"};
  const Y = ${net === 'mlp' ? "tf.oneHot(tf.randomUniform([m], 0, 10, 'int32', 2), 10).toFloat()" : "tf.tidy(() => tf.randomUniform([m, 1], 0, 1, 'float32', 2).round())"};
  const call = () => { const t = performance.now(); gs.gradCheck(net, X, Y, { mode: 'directional', progress: false }); return performance.now() - t; };
  const first = call();
  const next = [1, 2, 3, 4, 5].map(call);
  for (let i = 0; i < 40; i++) call();
  const warm = Array.from({ length: 20 }, call).sort((a, b) => a - b)[10];
  console.log(JSON.stringify({ load, first, next, warm, backend: tf.getBackend() }));
});`;

interface Run { load: number; first: number; next: number[]; warm: number; backend: string }

function main(): void {
  if (!existsSync(join(ROOT, 'dist', 'index.js'))) throw new Error('bench/firstCall.ts times the compiled package: run `npm run build` first');
  const load0 = os.loadavg()[0];
  const backends = ['wasm', 'tensorflow'];
  const runs: Record<string, Run[]> = {};
  for (let r = 0; r < RUNS; r++) {
    for (const backend of backends) {
      for (const net of ['mlp', 'lstm'] as const) {
        const p = spawnSync(process.execPath, ['-e', child(net)], { encoding: 'utf8', env: { ...process.env, GRADSCOPE_BACKEND: backend }, timeout: 300_000 });
        const line = p.stdout.trim().split('\n').pop() ?? '';
        if (p.status !== 0 || !line.startsWith('{')) { console.error(`${net} on ${backend}: exit ${p.status}\n${p.stderr}`); continue; }
        const run = JSON.parse(line) as Run;
        if (run.backend !== backend) continue; // tensorflow not installed here: its runs fell back
        (runs[`${net} ${backend}`] ??= []).push(run);
        console.error(`  ${net} on ${backend}: load ${run.load.toFixed(0)} ms, first ${run.first.toFixed(1)} ms, warm ${run.warm.toFixed(2)} ms`);
      }
    }
  }
  const ms = (x: number): string => (x >= 100 ? x.toFixed(0) : x.toPrecision(3));
  const range = (xs: number[]): string => { const s = [...xs].sort((a, b) => a - b); return s[0] === s[s.length - 1] ? ms(s[0]) : `${ms(s[0])}-${ms(s[s.length - 1])}`; };
  const L: string[] = [];
  L.push('## First calls (`node --import tsx bench/firstCall.ts`)');
  L.push('');
  L.push(`${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores (load average ${load0.toFixed(1)} at the start, ${os.loadavg()[0].toFixed(1)} at the end). Each run a fresh \`node\` loading the compiled package (dist/), then gs.ready(); the directional check (float64, its defaults) of the MLP [64, 64, 64, 10] relu, softmax, batch 64, and of the LSTM nx 8, na 32, T 20, m 16; ${RUNS} processes each, ranges over them. Target (issue 21): first call <= 3 x warm + the import.`);
  L.push('');
  L.push('| net, backend | import + gs.ready() (ms) | first call (ms) | calls 2-6 (ms) | warm, median of 20 after 40 (ms) | first / warm | 3 x warm + import (ms) | target |');
  L.push('|---|---|---|---|---|---|---|---|');
  for (const [key, rs] of Object.entries(runs)) {
    const met = rs.every((r) => r.first <= 3 * r.warm + r.load);
    L.push(`| ${key} | ${range(rs.map((r) => r.load))} | ${range(rs.map((r) => r.first))} | ${range(rs.flatMap((r) => r.next))} | ${range(rs.map((r) => r.warm))} | ${range(rs.map((r) => r.first / r.warm))}x | ${range(rs.map((r) => 3 * r.warm + r.load))} | ${met ? 'met' : 'not met'} |`);
  }
  L.push('');
  const section = L.join('\n');
  console.log(section);
  const file = join(ROOT, 'BENCHMARKS.md');
  writeFileSync(file, replaceSection(readFileSync(file, 'utf8'), '## First calls', section));
}

main();
