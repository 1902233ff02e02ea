/**
 * Hostile calls to gs.train, the optimisers, the lectures and their charts (issue 22), each in its own
 * child process with a time limit, classified: clear error / handled edge / user exception passed
 * through / runaway / leak / raw error / silent garbage / silently accepted / unclear error.
 *
 *   node --import tsx scripts/hostile-probe-lectures.ts [checkout]     (default: this checkout)
 *
 * Give another checkout (e.g. an export of an older commit with this checkout's node_modules
 * linked in) to count its outcomes on the same list.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';

type Case = { name: string; code: string; expect: 'error' | 'edge'; names?: string; ok?: string; pre?: string };

const setup = `const X = tf.randomNormal([4, 2], 0, 1, 'float32', 1), Y = tf.tensor2d([[1], [0], [1], [0]]); const net = gs.mlp({ sizes: [2, 3, 1], seed: 1 }); const O = gs.optimizers;`;
const T = (o: string) => `gs.train(net, X, Y, { onProgress: false, ${o} })`;
const CASES: Case[] = [
  // train
  { name: 'train epochs 1e9', code: T('epochs: 1e9'), expect: 'error', names: 'epochs' },
  { name: 'train epochs "5"', code: T("epochs: '5'"), expect: 'error', names: 'epochs' },
  { name: 'train unknown key', code: T('epoch: 5'), expect: 'error', names: 'options.epoch' },
  { name: 'train heldOut X shape', pre: 'const Z = tf.zeros([3, 5]);', code: T('heldOut: { X: Z, Y }'), expect: 'error', names: 'heldOut' },
  { name: 'train heldOut Y shape', pre: 'const Z = tf.zeros([3, 1]);', code: T('heldOut: { X, Y: Z }'), expect: 'error', names: 'heldOut' },
  { name: 'train heldOut extra key', code: T('heldOut: { X, Y, Z: 1 }'), expect: 'error', names: 'heldOut' },
  { name: 'train heldOut disposed', pre: 'const d = tf.zeros([4, 1]); d.dispose();', code: T('heldOut: { X, Y: d }'), expect: 'error', names: 'heldOut' },
  { name: 'train relu rnn overflow', pre: `const rn = gs.rnn({ nx: 2, na: 8, ny: 1, hidden: 'relu', scale: 1e3, seed: 1 }); const Xs = tf.randomNormal([4, 60, 2], 0, 1, 'float32', 1);`, code: `const h = gs.train(rn, Xs, Y, { epochs: 3, onProgress: false }); rn.toVector().every(Number.isFinite) && h.diverged === 0 ? 'ok' : h`, expect: 'edge', ok: 'ok' },
  { name: 'train lr NaN', code: T('lr: NaN'), expect: 'error', names: 'lr' },
  { name: 'train adam eps -1', code: T("optimizer: 'adam', eps: -1"), expect: 'error', names: 'eps' },
  { name: 'train onEpoch throws', code: T("epochs: 2, onEpoch: () => { throw new Error('USER') }"), expect: 'error' },
  { name: 'train onProgress throws', code: T("epochs: 2, onProgress: () => { throw new Error('USER') }"), expect: 'error' },
  { name: 'train batchSize 0', code: T('batchSize: 0'), expect: 'error', names: 'batchSize' },
  { name: 'train bool X', pre: "const B = tf.tensor2d([[1, 0], [0, 1], [1, 1], [0, 0]], undefined, 'bool');", code: `gs.train(net, B, Y, { onProgress: false, epochs: 1 })`, expect: 'error', names: 'X' },
  // optimisers
  { name: 'adam v negative', code: `O.adam.step([1], [1], { m: [0], v: [-1], t: 1 })`, expect: 'error', names: 'state.v' },
  { name: 'rmsprop cache negative', code: `O.rmsprop.step([1], [1], { cache: [-1] })`, expect: 'error', names: 'state.cache' },
  { name: 'adagrad cache negative', code: `O.adagrad.step([1], [1], { cache: [-4] })`, expect: 'error', names: 'state.cache' },
  { name: 'adam m NaN', code: `O.adam.step([1], [1], { m: [NaN], v: [1], t: 1 })`, expect: 'error', names: 'state.m' },
  { name: 'momentum dTheta NaN', code: `O.momentum.step([1], [1], { dTheta: [NaN] })`, expect: 'error', names: 'state.dTheta' },
  { name: 'sgd dw NaN', code: `O.sgd.step([1], [NaN])`, expect: 'error', names: 'dw' },
  { name: 'sgd w strings', code: `O.sgd.step(['1'], [1])`, expect: 'error', names: 'w' },
  { name: 'sgd dw booleans', code: `O.sgd.step([1], [true])`, expect: 'error', names: 'dw' },
  { name: 'momentum state strings', code: `O.momentum.step([1], [1], { dTheta: ['1'] })`, expect: 'error', names: 'state.dTheta' },
  { name: 'adam eps 0 dw 0', code: `O.adam.step([1], [0], {}, { eps: 0 }).w[0]`, expect: 'edge', ok: '1' },
  { name: 'adam eps -1', code: `O.adam.step([1], [0], {}, { eps: -1 })`, expect: 'error', names: 'eps' },
  { name: 'adam unknown option', code: `O.adam.step([1], [0], {}, { lr: 0.1, beta: 0.9 })`, expect: 'error', names: 'options.beta' },
  { name: 'rmsprop.stepTensor dw NaN', pre: 'const w = tf.tensor1d([1]), g = tf.tensor1d([NaN]);', code: `const r = O.rmsprop.stepTensor(w, g); Array.from(r.w.dataSync())`, expect: 'error', names: 'dw' },
  { name: 'adam.stepTensor dw NaN', pre: 'const w = tf.tensor1d([1]), g = tf.tensor1d([NaN]);', code: `const r = O.adam.stepTensor(w, g); Array.from(r.w.dataSync())`, expect: 'error', names: 'dw' },
  { name: 'momentum.stepTensor dw Infinity', pre: 'const w = tf.tensor1d([1]), g = tf.tensor1d([Infinity]);', code: `const r = O.momentum.stepTensor(w, g); Array.from(r.w.dataSync())`, expect: 'error', names: 'dw' },
  { name: 'rmsprop.stepTensor cache negative', pre: 'const w = tf.tensor1d([1]), g = tf.tensor1d([0]), c = tf.tensor1d([-1]);', code: `const r = O.rmsprop.stepTensor(w, g, { cache: c }); Array.from(r.w.dataSync())`, expect: 'error', names: 'state.cache' },
  { name: 'sgd.stepTensor disposed w', pre: 'const w = tf.tensor1d([1]); w.dispose(); const g = tf.tensor1d([1]);', code: `O.sgd.stepTensor(w, g)`, expect: 'error', names: 'w' },
  { name: 'adam.stepTensor eps 0 dw 0', pre: 'const w = tf.tensor1d([1]), g = tf.tensor1d([0]);', code: `const r = O.adam.stepTensor(w, g, {}, { eps: 0 }); const v = r.w.dataSync()[0]; tf.dispose([r.w, r.state.m, r.state.v]); v`, expect: 'edge', ok: '1' },
  // lectures
  { name: 'softmax 2e5 logits', code: `gs.softmax(new Array(2e5).fill(1)).length`, expect: 'edge', ok: '200000' },
  { name: 'softmax strings', code: `gs.softmax(['1', 2])`, expect: 'error', names: 'values' },
  { name: 'softmaxTemperature [0]', code: `gs.softmaxTemperature([1, 2], { temperatures: [0] })`, expect: 'error', names: 'temperatures' },
  { name: 'softmaxTemperature unknown key', code: `gs.softmaxTemperature([1, 2], { temps: [1] })`, expect: 'error', names: 'options.temps' },
  { name: 'normalizer "4"', code: `gs.normalizer([['4', 1], [2, 3]]).mu`, expect: 'error', names: 'Xtrain' },
  { name: 'normalizer null', code: `gs.normalizer([[null, 1], [2, 3]]).mu`, expect: 'error', names: 'Xtrain' },
  { name: 'normalizer true', code: `gs.normalizer([[true, 1], [2, 3]]).mu`, expect: 'error', names: 'Xtrain' },
  { name: 'normalizer nested', code: `gs.normalizer([[[1], 1], [[2], 3]]).mu`, expect: 'error', names: 'Xtrain' },
  { name: 'apply "4"', code: `gs.normalizer([[1], [2]]).apply([['4']])`, expect: 'error', names: 'X' },
  { name: 'normalizer [1e308, -1e308]', code: `const n = gs.normalizer([[1e308], [-1e308]]); const a = n.apply([[1e308]]); a[0][0] === 1 && n.notes.length === 1 ? 'ok' : [n.sigma2[0], a]`, expect: 'edge', ok: 'ok' },
  { name: 'normalizer bool tensor', pre: "const B = tf.tensor2d([[1, 0], [0, 1]], undefined, 'bool');", code: `gs.normalizer(B).mu`, expect: 'error', names: 'Xtrain' },
  { name: 'hoeffding tiny t, range', code: `gs.hoeffding({ n: 10, t: 1e-200, range: 1e-200 })`, expect: 'edge', ok: String(2 * Math.exp(-20)) },
  { name: 'hoeffding n "10"', code: `gs.hoeffding({ n: '10', t: 0.1 })`, expect: 'error', names: 'n' },
  { name: 'hoeffdingSimulation 1e10 draws', code: `gs.hoeffdingSimulation({ ns: [1e6], trials: 1e4 })`, expect: 'error', names: 'trials' },
  { name: 'normalizationDemo maxSteps 1e6 m 1e6', code: `const d = gs.normalizationDemo({ maxSteps: 1e6, m: 1e6 }); d.raw.converged ? 'ok' : d.raw.steps`, expect: 'edge', ok: 'ok' },
  // charts
  { name: 'charts.normalization empty paths', code: `const d = gs.normalizationDemo(); gs.charts.normalization({ ...d, raw: { ...d.raw, path: [] } })`, expect: 'error', names: 'demo' },
  { name: 'charts.stepSizes adam at epoch 0', code: `gs.charts.stepSizes(gs.train(net, X, Y, { optimizer: 'adam', epochs: 0, onProgress: false }))`, expect: 'error', names: 'histories', ok: 'stopped at epoch 0' },
  { name: 'charts.training NaN rows noted', code: `const h = gs.train(net, X, Y, { epochs: 2, onProgress: false }); h.epochs[1].loss = NaN; h.epochs[2].gradNorm[0] = Infinity; const t = gs.toText(gs.charts.training(h)); /NaN or Infinity/.test(t) ? 'ok' : t.split('\\n')[0]`, expect: 'edge', ok: 'ok' },
];

const root = path.resolve(process.argv[2] ?? path.join(__dirname, '..'));
const CHILD = (c: Case) => `
const gs = require(${JSON.stringify(path.join(root, 'src', 'index'))});
const { tf } = gs;
(async () => {
  await gs.ready();
  ${setup}
  ${c.pre ?? ''}
  const before = tf.memory().numTensors;
  let out;
  try {
    const r = eval(${JSON.stringify(c.code)});
    const s = JSON.stringify(r, (k, v) => typeof v === 'number' && !Number.isFinite(v) ? 'NONFINITE:' + v : (v instanceof tf.Tensor ? 'tensor' : v));
    out = { kind: 'returned', value: String(s).slice(0, 200) };
  } catch (e) {
    out = { kind: e && e.name === 'GradscopeError' ? 'gradscope' : e && e.message === 'USER' ? 'user' : 'raw', argument: e && e.argument, message: String(e && e.message).slice(0, 300) };
  }
  out.leaked = tf.memory().numTensors - before;
  console.log('RESULT ' + JSON.stringify(out));
})();`;

function classify(c: Case, r: { kind: string; argument?: string; message?: string; value?: string; leaked: number } | undefined, timedOut: boolean): string {
  if (timedOut) return 'runaway';
  if (!r) return 'raw error';
  if (r.kind === 'user') return 'user exception passed through';
  if (r.kind === 'raw') return 'raw error';
  const leak = r.leaked !== 0;
  if (r.kind === 'gradscope') {
    if (leak) return 'leak';
    if (c.expect === 'edge') return 'unclear error';
    const fits = (!c.names || (r.argument ?? '').startsWith(c.names)) && (!c.ok || (r.message ?? '').includes(c.ok));
    return fits ? 'clear error' : 'unclear error';
  }
  if (c.expect === 'edge') return r.value === c.ok || r.value === JSON.stringify(c.ok) ? 'handled edge' : /NONFINITE/.test(r.value ?? '') ? 'silent garbage' : 'silently accepted';
  return /NONFINITE|null/.test(r.value ?? '') ? 'silent garbage' : 'silently accepted';
}

const counts: Record<string, number> = {};
for (const c of CASES) {
  const p = spawnSync(process.execPath, ['--import', 'tsx', '-e', CHILD(c)], { cwd: root, encoding: 'utf8', timeout: 20000, env: { ...process.env, GRADSCOPE_BACKEND: process.env.GRADSCOPE_BACKEND ?? 'wasm' } });
  const line = (p.stdout ?? '').split('\n').find((l) => l.startsWith('RESULT '));
  const r = line ? JSON.parse(line.slice(7)) : undefined;
  const cls = classify(c, r, p.error !== undefined || p.signal === 'SIGTERM');
  counts[cls] = (counts[cls] ?? 0) + 1;
  console.log(`${cls.padEnd(30)} ${c.name.padEnd(40)} ${r ? (r.message ?? r.value ?? '').replace(/\n/g, ' ').slice(0, 140) : (p.stderr ?? '').split('\n').find((l) => /Error/.test(l))?.slice(0, 140) ?? ''}`);
}
console.log(`\n${CASES.length} calls on ${root === path.resolve(__dirname, '..') ? 'this checkout' : 'the given checkout'}:`);
for (const [k, v] of Object.entries(counts).sort((a, b) => b[1] - a[1])) console.log(`  ${k}: ${v}`);
