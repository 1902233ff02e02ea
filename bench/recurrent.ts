/**
 * `node --import tsx bench/recurrent.ts`: the float64 gradient check of recurrent nets (issue 12),
 * written to the `## Recurrent nets` section of BENCHMARKS.md (every other section kept).
 *
 * LSTM nx 8, na 32, T 20, m 16 (5,281 parameters), in one run:
 * - naive: the seeds' loop written from the lecture's equations (perturb one entry of theta, run the
 *   whole float64 forward pass of every sequence, difference the costs), over every entry;
 * - gs.gradCheck full (float64, eps 1e-7: the family's exact paths, each entry's change carried through
 *   time from one cached base pass, plus the tf passes: forward, hand-written BPTT, autograd), sparse and
 *   directional, on the correct backward and
 *   on a planted bug (the forget gate's derivative from c instead of c_prev).
 * `--quick` runs a smaller LSTM (na 8, T 5) to try the script.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import * as gs from '../src/index';
import { replaceSection } from './sections';

const { tf } = gs;
const quick = process.argv.includes('--quick');
const fmt = (s: number, d = 3) => (s >= 100 ? s.toFixed(0) : s.toPrecision(d));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** J(theta) of an LSTM as a student would write it from the lecture: per example, per step, per unit. */
function naiveLoss(net: gs.Lstm, Xd: Float32Array, yd: Float32Array, m: number, T: number): (theta: Float64Array) => number {
  const { nx, na, ny } = net.spec;
  const k = na + nx;
  const sig = (z: number) => 1 / (1 + Math.exp(-z));
  const off = Object.fromEntries(net.blocks.map((b) => [b.name, b.offset]));
  return (theta) => {
    let J = 0;
    for (let i = 0; i < m; i++) {
      let a = new Array(na).fill(0), c = new Array(na).fill(0);
      for (let t = 0; t < T; t++) {
        const h = [...a, ...Array.from({ length: nx }, (_, q) => Xd[(i * T + t) * nx + q])]; // [a_prev, x]
        const gate = (W: string, b: string, j: number) => {
          let z = theta[off[b] + j];
          for (let r = 0; r < k; r++) z += h[r] * theta[off[W] + r * na + j];
          return z;
        };
        const an = new Array(na), cn = new Array(na);
        for (let j = 0; j < na; j++) {
          const ct = Math.tanh(gate('Wc', 'bc', j)), gu = sig(gate('Wu', 'bu', j)), gf = sig(gate('Wf', 'bf', j)), go = sig(gate('Wo', 'bo', j));
          cn[j] = gu * ct + gf * c[j];
          an[j] = go * Math.tanh(cn[j]);
        }
        a = an;
        c = cn;
      }
      for (let q = 0; q < ny; q++) {
        let z = theta[off.by + q];
        for (let j = 0; j < na; j++) z += a[j] * theta[off.Wy + j * ny + q];
        const y = yd[i * ny + q];
        J += (Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z)))) / m; // binary cross-entropy from z
      }
    }
    return J;
  };
}

function time<T>(f: () => T): { seconds: number; result: T } {
  const t0 = performance.now();
  const result = f();
  return { seconds: (performance.now() - t0) / 1000, result };
}

async function main(): Promise<void> {
  await gs.ready();
  const load0 = os.loadavg()[0];
  const [nx, na, T, m] = quick ? [8, 8, 5, 16] : [8, 32, 20, 16];
  const net = gs.lstm({ nx, na, ny: 1, seed: 1 });
  const X = tf.randomNormal([m, T, nx], 0, 1, 'float32', 1);
  const Y = tf.tidy(() => tf.randomUniform([m, 1], 0, 1, 'float32', 2).round());
  const size = net.size;
  const name = `lstm nx ${nx}, na ${na}, T ${T}, m ${m} (${net.size} parameters)`;
  console.error(`bench recurrent: ${name}`);

  // the plain loop and gradscope's mirror evaluate the same J
  const J = naiveLoss(net, X.dataSync() as Float32Array, Y.dataSync() as Float32Array, m, T);
  const theta = net.toVector();
  const y = net.labels(Y, X);
  const { output, cache } = net.forward(X);
  const mirror = net.mirror64(X, y, cache);
  const J0 = J(theta), M0 = mirror(theta).J;

  // naive loop over every entry
  const eps = 1e-7;
  const naive = time(() => {
    const g = new Float64Array(theta.length), t = Float64Array.from(theta);
    for (let i = 0; i < t.length; i++) {
      const w = t[i];
      t[i] = w + eps; const p = J(t);
      t[i] = w - eps; const q = J(t);
      t[i] = w;
      g[i] = (p - q) / (2 * eps);
    }
    return g;
  });
  // the same loop over gradscope's float64 forward (lstm.mirror64): what the generic check runs
  const loop = time(() => {
    const g = new Float64Array(theta.length), t = Float64Array.from(theta);
    for (let i = 0; i < t.length; i++) {
      const w = t[i];
      t[i] = w + eps; const p = mirror(t).J;
      t[i] = w - eps; const q = mirror(t).J;
      t[i] = w;
      g[i] = (p - q) / (2 * eps);
    }
    return g;
  });
  const loopVsNaive = gs.relativeError(Array.from(loop.result), Array.from(naive.result));
  const handGrads = net.backward(cache, y);
  const handVec = net.gradsToVector(handGrads);
  tf.dispose(handGrads);
  const naiveVsHand = gs.relativeError(Array.from(naive.result), Array.from(handVec));

  const full = time(() => gs.gradCheck(net, X, Y, { progress: false }));
  const sparse = Array.from({ length: 3 }, () => time(() => gs.gradCheck(net, X, Y, { mode: 'sparse', progress: false })));
  const directional = Array.from({ length: 5 }, () => time(() => gs.gradCheck(net, X, Y, { mode: 'directional', progress: false })));

  const forgetBug: gs.LstmStepBackward = (s, da, dc) => {
    const g = gs.lstmStepBackward(s, da, dc);
    const one = tf.scalar(1);
    const dcTotal = dc.add(da.mul(s.Go).mul(one.sub(tf.tanh(s.c).square())));
    const deltaF = dcTotal.mul(s.c).mul(s.Gf.mul(one.sub(s.Gf))); // bug: c instead of c_prev
    return { ...g, dWf: tf.concat([s.aPrev, s.x], 1).transpose().matMul(deltaF), dbf: deltaF.sum(0) };
  };
  const backward = (n: gs.Lstm, c: gs.LstmCache, yy: gs.tf.Tensor) => n.backward(c, yy, forgetBug);
  const bugFull = time(() => gs.gradCheck(net, X, Y, { backward, progress: false }));
  const bugDir = Array.from({ length: 5 }, () => time(() => gs.gradCheck(net, X, Y, { backward, mode: 'directional', progress: false })));
  tf.dispose([output, y, X, Y]);
  cache.dispose();
  net.dispose();

  // one evaluation each, warm (after the loops above)
  const perNaive = median(Array.from({ length: 21 }, () => time(() => J(theta)).seconds));
  const perMirror = median(Array.from({ length: 21 }, () => time(() => mirror(theta)).seconds));
  const wrongOf = (r: gs.CheckReport) => r.blocks.filter((b) => b.verdict === 'wrong').map((b) => b.name).join(', ') || 'none';
  const med = (runs: { seconds: number }[]) => median(runs.map((r) => r.seconds));
  const dirMed = med(directional), bugDirMed = med(bugDir);
  const lines = [
    `## Recurrent nets: full float64 check of an LSTM against the naive loop (node --import tsx bench/recurrent.ts)`,
    '',
    `Written by bench/recurrent.ts on ${new Date().toISOString().slice(0, 10)}${quick ? ' (--quick: a smaller net)' : ''}; ${os.cpus().length} cores, Node ${process.version}, backend ${gs.backendInfo().active}, load average ${load0.toFixed(1)} at the start of the run and ${os.loadavg()[0].toFixed(1)} at the end (the machine is shared: the same work can take 1.5x longer in one row than in the next; read the ratios, measured in this one run).`,
    `${name}, sigmoid output, outputs 'last', eps 1e-7.`,
    '',
    '- naive: the seeds\' loop on a float64 forward pass written from the lecture\'s equations (per example, step and unit; bench/recurrent.ts `naiveLoss`), every entry perturbed, two passes each; then the same loop over gradscope\'s own float64 forward (`lstm.mirror64`).',
    '- gradscope full: `gs.gradCheck(lstm, X, Y)`: the LSTM\'s exact paths (src/recurrent/paths64.ts, src/lstm/delta64.ts: each entry\'s change carried through time from one cached base pass as exact differences, both signs at once, its products and step in WebAssembly SIMD), shared with worker threads over every core, plus the tf passes (forward, hand-written BPTT, autograd) and the report. Sparse: 20 entries per block. Directional: one joint direction first, then one random direction per block where it does not settle, a failing block confirmed entry by entry.',
    '',
    '| check | time | vs naive | verdict | flags |',
    '|---|---|---|---|---|',
    `| naive loop, every entry | ${fmt(naive.seconds)} s | 1x | - | (rel. error vs the hand-written gradient ${naiveVsHand.toExponential(1)}) |`,
    `| the same loop over lstm.mirror64 | ${fmt(loop.seconds)} s | ${fmt(naive.seconds / loop.seconds)}x | - | (vs the naive loop's numbers ${loopVsNaive.toExponential(1)}) |`,
    `| gs.gradCheck full | ${fmt(full.seconds)} s (numeric ${fmt(full.result.time.numeric)} s, tf ${fmt(full.result.time.analytic)} s) | **${fmt(naive.seconds / full.seconds)}x faster** | ${full.result.verdict} (hand vs numeric ${full.result.pairs.handVsNumeric.toExponential(1)}) | ${wrongOf(full.result)} |`,
    `| gs.gradCheck sparse (median of 3) | ${fmt(med(sparse))} s | ${fmt(naive.seconds / med(sparse))}x | ${sparse[0].result.verdict} | ${wrongOf(sparse[0].result)} |`,
    `| gs.gradCheck directional (median of 5) | ${fmt(dirMed * 1000)} ms | ${fmt(naive.seconds / dirMed)}x (${fmt(100 * dirMed / full.seconds, 2)}% of full) | ${directional[0].result.verdict} | ${wrongOf(directional[0].result)} |`,
    `| full, forget-gate bug planted | ${fmt(bugFull.seconds)} s | ${fmt(naive.seconds / bugFull.seconds)}x | ${bugFull.result.verdict} | ${wrongOf(bugFull.result)} |`,
    `| directional, forget-gate bug (median of 5) | ${fmt(bugDirMed * 1000)} ms | ${fmt(naive.seconds / bugDirMed)}x | ${bugDir[0].result.verdict} | ${wrongOf(bugDir[0].result)} |`,
    '',
    `One evaluation of J: naive ${fmt(perNaive * 1000)} ms, mirror64 ${fmt(perMirror * 1000)} ms (${fmt(perNaive / perMirror)}x); the two J agree to ${(Math.abs(J0 - M0) / J0).toExponential(1)} relative (J = ${J0.toPrecision(6)}).`,
    `The seeds\' loop costs 2 x ${size.toLocaleString('en')} evaluations of the whole sequence, since every parameter of an LSTM acts at every step. The full check carries each entry\'s change instead: the x^(t) W_x part and every gate of the base pass are shared by all entries, each step costs one [2m, na] x [na, 4 na] product and one pass over the units, Wy and by move only the output layer (BENCHMARKS.md "Recurrent full check, step by step").`,
  ];
  const section = lines.join('\n');
  console.log(section);
  if (!quick) {
    const file = join(__dirname, '..', 'BENCHMARKS.md');
    writeFileSync(file, replaceSection(existsSync(file) ? readFileSync(file, 'utf8') : '# gradscope benchmarks\n', '## Recurrent nets', section));
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
