/**
 * `npm run bench -- trust`: the verdict measurements of issue 9, written to BENCHMARKS.md's own
 * `## Trust` section.
 * (1) Kink sweep: default-init [4, w, w, 1] relu/sigmoid nets (b = 0, so dead rows put whole bias
 *     blocks on a kink), w 2/3/5/8, m 3/10/32, 50 seeds, db2 doubled: every mode, both precisions.
 *     A pass is silent when the doubling moved db2 at all (|db2| > 1e-6); no-effect cases apart.
 * (2) False alarms: random correct nets (test/nets.ts) and nets trained to fit their batch, the
 *     correct backward in every mode: how many verdicts are worry or wrong (none should be).
 */
import * as gs from '../src/index';
import { randomCase } from '../test/nets';
import { tfSeed } from '../test/bugs';

const { tf } = gs;
const MODES: [string, gs.GradCheckOptions][] = [
  ['full64', {}], ['sparse64', { mode: 'sparse' }], ['dir64', { mode: 'directional' }],
  ['full32', { precision: 'float32' }], ['sparse32', { mode: 'sparse', precision: 'float32' }], ['dir32', { mode: 'directional', precision: 'float32' }],
];
const doubled: gs.BackwardFn = (net, cache, Y) => { const g = net.backward(cache, Y); const d = g.db2.mul(2); g.db2.dispose(); g.db2 = d; return g; };

function kinkSweep(): string[] {
  const rows = MODES.map(([k]) => ({ mode: k, caught: 0, silent: 0, noEffect: 0, inconclusive: 0, allKink: 0 }));
  let n = 0;
  for (const w of [2, 3, 5, 8]) for (const m of [3, 10, 32]) for (let seed = 0; seed < 50; seed++) {
    n++;
    const net = gs.mlp({ sizes: [4, w, w, 1], hidden: 'relu', output: 'sigmoid', seed });
    const X = tf.randomNormal([m, 4], 0, 1, 'float32', seed + 100) as gs.tf.Tensor2D;
    const Y = tf.tidy(() => tf.randomUniform([m, 1], 0, 1, 'float32', seed + 200).round());
    const auto = net.autogradGrads(X, Y);
    const effect = tf.tidy(() => auto.db2.norm().dataSync()[0]);
    tf.dispose(Object.values(auto));
    MODES.forEach(([, o], i) => {
      const r = gs.gradCheck(net, X, Y, { ...o, backward: doubled, progress: false });
      const b = r.blocks.find((x) => x.name === 'db2')!;
      if (b.basis === 'autograd') rows[i].allKink++;
      if (r.verdict === 'wrong' || r.verdict === 'worry') rows[i].caught++;
      else if (effect <= 1e-6) rows[i].noEffect++;
      else if (r.verdict === 'inconclusive') rows[i].inconclusive++;
      else rows[i].silent++;
    });
    net.dispose(); tf.dispose([X, Y]);
  }
  return [
    `(1) Kink sweep: ${n} default-init [4, w, w, 1] relu/sigmoid nets (w 2/3/5/8, m 3/10/32, 50 seeds), db2 doubled. Before this check compared kinked entries with autograd, the doubling passed as \`great\` in 33/50 (w 2, m 3) down to 7/50 (w 8, m 32) of the nets.`,
    '',
    '| mode | flagged | silent passes | no effect (db2 = 0) | inconclusive | db2 all at a kink (autograd only) |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.mode} | ${r.caught} | **${r.silent}** | ${r.noEffect} | ${r.inconclusive} | ${r.allKink} |`),
  ];
}

function falseAlarms(): string[] {
  const cases: { label: string; net: gs.Net; X: gs.tf.Tensor2D; Y: gs.tf.Tensor; dispose(): void }[] = [];
  for (let i = 0; i < 160; i++) cases.push(randomCase(i));
  const fits: [gs.MlpOptions, number, number][] = [
    [{ sizes: [8, 16, 16, 4], hidden: 'tanh', output: 'softmax' }, 2, 100],
    [{ sizes: [8, 16, 16, 1], hidden: 'tanh', output: 'sigmoid' }, 4, 1000],
    [{ sizes: [5, 12, 1], hidden: 'relu', output: 'sigmoid' }, 4, 1000],
    [{ sizes: [6, 10, 10, 3], hidden: 'sigmoid', output: 'softmax' }, 3, 1000],
    [{ sizes: [4, 8, 2], hidden: 'tanh', output: 'linear' }, 1, 500],
    [{ sizes: [4, 8, 8, 2], hidden: 'leakyRelu', output: 'softmax' }, 1, 300],
  ];
  let fitted = 0;
  for (const [o, m, epochs] of fits) for (let seed = 0; seed < 8; seed++) {
    const net = gs.mlp({ ...o, seed });
    const n0 = o.sizes[0], nL = o.sizes[o.sizes.length - 1];
    const X = tf.randomNormal([m, n0], 0, 1, 'float32', tfSeed(seed)) as gs.tf.Tensor2D;
    const Y = o.output === 'softmax' ? tf.tensor1d([...Array(m)].map((_, i) => (i + seed) % nL), 'int32')
      : o.output === 'sigmoid' ? tf.tensor2d([...Array(m)].map((_, i) => [(i + seed) % 2])) : tf.randomNormal([m, nL], 0, 1, 'float32', seed + 1);
    gs.train(net, X, Y, { epochs, lr: 0.1, optimizer: 'momentum', beta: 0.9 });
    fitted++;
    cases.push({ label: `fitted ${net}`, net, X, Y, dispose: () => { net.dispose(); tf.dispose([X, Y]); } });
  }
  const count = MODES.map(([k]) => ({ mode: k, great: 0, ok: 0, inconclusive: 0, worry: 0, wrong: 0, fittedInconclusive: 0 }));
  for (const c of cases) {
    MODES.forEach(([, o], i) => {
      const r = gs.gradCheck(c.net, c.X, c.Y, { ...o, progress: false });
      count[i][r.verdict]++;
      if (r.verdict === 'inconclusive' && c.label.startsWith('fitted')) count[i].fittedInconclusive++;
    });
    c.dispose();
  }
  return [
    `(2) False alarms: ${cases.length} correct nets (${cases.length - fitted} random from test/nets.ts, ${fitted} trained to fit their batch: losses 1e-3 to 1e-16), the correct backward in every mode. \`ok\` here is a block checked against autograd alone (every entry at a kink); \`inconclusive\` is a gradient about 0 next to its round-off (zero init, dead nets, nets fitted to m = 1).`,
    '',
    '| mode | great | ok | inconclusive (of them fitted) | worry | wrong |',
    '|---|---|---|---|---|---|',
    ...count.map((r) => `| ${r.mode} | ${r.great} | ${r.ok} | ${r.inconclusive} (${r.fittedInconclusive}) | **${r.worry}** | **${r.wrong}** |`),
  ];
}

/** The `## Trust` section. */
export function trust(): string {
  const t0 = Date.now();
  const lines = [
    '## Trust: silent passes and false alarms (npm run bench -- trust)',
    '',
    `Command: \`npm run bench -- trust\` (bench/trust.ts), backend ${gs.backendInfo().active}, ${new Date().toISOString().slice(0, 10)}.`,
    '',
    ...kinkSweep(),
    '',
    ...falseAlarms(),
  ];
  lines.push('', `Run time ${((Date.now() - t0) / 1000).toFixed(0)} s.`);
  return lines.join('\n');
}
