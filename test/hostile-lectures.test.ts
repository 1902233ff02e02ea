// Hostile input to gs.train, the optimisers, the lectures and their charts (issue 22): each case threw a
// raw error, ran away, leaked or was accepted silently before.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Tensor2D } from '@tensorflow/tfjs';
import * as gs from '../src/index';

const { tf } = gs;
before(async () => { await gs.ready(); });

const named = (argument: string, pattern: RegExp) => (e: unknown) => e instanceof gs.GradscopeError && e.argument === argument && pattern.test(e.message);
const O = gs.optimizers;

describe('gs.train: the tf work rule, divergence, the held-out set', () => {
  it('epochs 1e9 is refused at once with its estimate, the measured speed and the setting that raises it', () => {
    const net = gs.mlp({ sizes: [2, 3, 1], seed: 1 });
    const X = tf.randomNormal([4, 2], 0, 1, 'float32', 1), Y = tf.tensor2d([[1], [0], [1], [0]]);
    const before = tf.memory().numTensors, t0 = performance.now();
    assert.throws(() => gs.train(net, X, Y, { epochs: 1e9, onProgress: false }),
      named('epochs', /would take about [\d.e+]+ (h|days) of tf work \(.*multiply-adds .*measured .* multiply-adds\/s .* per kernel call\).*GRADSCOPE_MAX_SECONDS/));
    assert.ok(performance.now() - t0 < 1000, 'refused before any work');
    assert.equal(tf.memory().numTensors, before);
    const h = gs.train(net, X, Y, { epochs: 3, onProgress: false });
    assert.equal(h.epochs.length, 4, 'ordinary training is not refused');
    tf.dispose([X, Y]); net.dispose();
  });

  it('a relu rnn that overflows float32 (scale 1e3, T 60) sets diverged at epoch 0 and writes no NaN parameter', () => {
    const net = gs.rnn({ nx: 2, na: 8, ny: 1, hidden: 'relu', scale: 1e3, seed: 1 });
    const X = tf.randomNormal([4, 60, 2], 0, 1, 'float32', 1), Y = tf.tensor2d([[1], [0], [1], [0]]);
    const before = tf.memory().numTensors;
    const h = gs.train(net, X, Y, { epochs: 5, onProgress: false });
    assert.equal(h.diverged, 0);
    assert.match(h.notes.join(' '), /diverged at epoch 0: \|\|dW\w+\|\| is (NaN|Infinity)/);
    assert.ok(net.toVector().every(Number.isFinite), 'no NaN parameters written');
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([X, Y]); net.dispose();
  });

  it('a bad heldOut names heldOut, not the training set; unknown heldOut keys are refused; nothing leaks', () => {
    const net = gs.mlp({ sizes: [2, 3, 1], seed: 1 });
    const X = tf.randomNormal([4, 2]), Y = tf.tensor2d([[1], [0], [1], [0]]), X3 = tf.randomNormal([4, 3]);
    const before = tf.memory().numTensors;
    assert.throws(() => gs.train(net, X, Y, { heldOut: { X: X3, Y }, onProgress: false }), named('heldOut.X', /invalid heldOut.X: shape \[4, 3\]/));
    assert.throws(() => gs.train(net, X, Y, { heldOut: { X, Y, Z: 1 } as never, onProgress: false }), named('heldOut.Z', /known option: X, Y/));
    const dead = tf.zeros([4, 1]); dead.dispose();
    assert.throws(() => gs.train(net, X, Y, { heldOut: { X, Y: dead }, onProgress: false }), named('heldOut.Y', /disposed/));
    const B = tf.tensor2d([[1, 0], [0, 1], [1, 1], [0, 0]], undefined, 'bool');
    assert.throws(() => gs.train(net, B, Y, { onProgress: false }), named('X', /a bool tensor/));
    B.dispose();
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([X, Y, X3]); net.dispose();
  });

  it("the user's onEpoch exception passes through unchanged; a stop by onEpoch is noted; nothing leaks", () => {
    const net = gs.mlp({ sizes: [2, 3, 1], seed: 1 });
    const X = tf.randomNormal([4, 2]), Y = tf.tensor2d([[1], [0], [1], [0]]);
    const before = tf.memory().numTensors;
    const mine = new RangeError('mine');
    assert.throws(() => gs.train(net, X, Y, { epochs: 3, optimizer: 'adam', onProgress: false, onEpoch: () => { throw mine; } }), (e) => e === mine);
    const h = gs.train(net, X, Y, { epochs: 3, onProgress: false, onEpoch: (row) => row.epoch < 1 });
    assert.deepEqual([h.epochs.length, h.notes], [2, ['stopped by onEpoch after epoch 1']]);
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([X, Y]); net.dispose();
  });
});

describe('optimisers: no NaN without an error', () => {
  it('impossible states, NaN, strings, booleans and null are refused by step', () => {
    assert.throws(() => O.adam.step([1], [1], { m: [0], v: [-1], t: 1 } as never), named('state.v', /entry 0 is -1 \(expected >= 0/));
    assert.throws(() => O.rmsprop.step([1], [1], { cache: [-1] } as never), named('state.cache', /-1/));
    assert.throws(() => O.adagrad.step([1], [1], { cache: [-1] } as never), named('state.cache', /-1/));
    assert.throws(() => O.adam.step([1], [1], { m: [NaN], v: [1], t: 1 } as never), named('state.m', /NaN/));
    assert.throws(() => O.momentum.step([1], [1], { dTheta: [NaN] } as never), named('state.dTheta', /NaN/));
    assert.throws(() => O.sgd.step(['1'] as never, [1]), named('w', /entry 0 is "1" .*a string is not converted/));
    assert.throws(() => O.sgd.step([1], [true] as never), named('dw', /a boolean is not converted/));
    assert.throws(() => O.momentum.step([1], [null] as never), named('dw', /a null is not converted/));
  });

  it('eps 0: where v-hat is 0 the step is 0 (defined), an infinite step is refused; eps < 0 refused', () => {
    const s = O.adam.step([1], [0], {}, { eps: 0 });
    assert.deepEqual([...s.w], [1]);
    assert.throws(() => O.adam.step([1], [0], { m: [1], v: [0], t: 1 } as never, { eps: 0, beta2: 0 }), named('eps', /infinite step at entry 0/));
    assert.throws(() => O.adam.step([1], [0], {}, { eps: -1 }), named('eps', /-1/));
    const w = tf.tensor1d([1]), dw = tf.tensor1d([0]);
    const r = O.adam.stepTensor(w, dw, {}, { eps: 0 });
    assert.deepEqual([...r.w.dataSync()], [1]);
    tf.dispose([w, dw, r.w, r.state.m!, r.state.v!]);
  });

  it('every stepTensor refuses the NaN dw, the negative cache and the disposed w that step refuses; nothing leaks', () => {
    const before = tf.memory().numTensors;
    for (const name of O.OPTIMIZER_NAMES) {
      const w = tf.tensor1d([1, 2]), bad = tf.tensor1d([0, NaN]);
      assert.throws(() => O[name].stepTensor(w, bad), named('dw', /entry 1 is NaN/), name);
      const dead = tf.tensor1d([1, 2]); dead.dispose();
      assert.throws(() => O[name].stepTensor(dead, w), named('w', /disposed/), name);
      assert.throws(() => O[name].stepTensor(w, w, {}, { lr: 0.1, nope: 1 } as never), named('options.nope', /known option/), name);
      tf.dispose([w, bad]);
    }
    const w = tf.tensor1d([1]), c = tf.tensor1d([-1]);
    assert.throws(() => O.rmsprop.stepTensor(w, w, { cache: c }), named('state.cache', /-1/));
    assert.throws(() => O.adam.stepTensor(w, w, { m: w, v: c, t: 1 }), named('state.v', /-1/));
    tf.dispose([w, c]);
    assert.equal(tf.memory().numTensors, before);
  });
});

describe('lectures: softmax, normalizer, hoeffding', () => {
  it('softmax of 2e5 logits; temperatures say what they expect; unknown keys refused', () => {
    const p = gs.softmax(Array.from({ length: 2e5 }, (_, i) => i % 7));
    assert.equal(p.length, 2e5);
    assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-9);
    assert.throws(() => gs.softmaxTemperature([1, 2], { temperatures: [0] }), named('temperatures[0]', /positive finite temperatures/));
    assert.throws(() => gs.softmaxTemperature([1, 2], { temperatures: [1, -2] }), named('temperatures[1]', /-2/));
    assert.throws(() => gs.softmaxTemperature([1, 2], { temps: [1] } as never), named('options.temps', /labels, temperatures/));
    assert.throws(() => gs.softmax(['1', 2] as never), named('values', /"1"/));
  });

  it('normalizer and apply convert nothing, refuse nested rows and bool tensors', () => {
    assert.throws(() => gs.normalizer([['4', 1], [2, 3]] as never), named('Xtrain', /entry \[0, 0\] is "4"/));
    assert.throws(() => gs.normalizer([[null, 1], [2, 3]] as never), named('Xtrain', /null is not converted/));
    assert.throws(() => gs.normalizer([[true, 1], [2, 3]] as never), named('Xtrain', /boolean is not converted/));
    assert.throws(() => gs.normalizer([[[1], 1], [[2], 3]] as never), named('Xtrain', /not nested/));
    const n = gs.normalizer([[1, 2], [3, 5]]);
    assert.throws(() => n.apply([['1', 2]] as never), named('X', /"1"/));
    const b = tf.tensor2d([[1, 0], [0, 1]], undefined, 'bool');
    assert.throws(() => gs.normalizer(b), named('Xtrain', /a bool tensor/));
    b.dispose();
  });

  it('normalizer on [1e308, -1e308]: sigma 1e308 without overflow, sigma2 Infinity with a note, apply finite', () => {
    const n = gs.normalizer([[1e308], [-1e308]]);
    assert.equal(n.mu[0], 0);
    assert.equal(n.sigma2[0], Infinity);
    assert.match(n.notes.join(' '), /sigma2 of feature 0 is beyond float64 \(sigma 1\.000e\+308/);
    assert.deepEqual(n.apply([[1e308], [-1e308], [0]]), [[1], [-1], [0]]);
    assert.throws(() => gs.normalizer([[0], [1e-30]]).apply(tf.tensor2d([[1e10]])), named('X', /beyond float32/));
  });

  it('hoeffding at tiny t and range is the bound, not NaN', () => {
    assert.equal(gs.hoeffding({ n: 10, t: 1e-200, range: 1e-200 }), 2 * Math.exp(-20));
    assert.equal(gs.hoeffding({ n: 10, t: 1e200, range: 1e-200 }), 0);
  });

  it('hoeffdingSimulation at 1e10 draws and normalizationDemo at maxSteps 1e6, m 1e5 do not run away', () => {
    let t0 = performance.now();
    assert.throws(() => gs.hoeffdingSimulation({ ns: [1e6], trials: 1e4 }), named('trials', /1\.0e\+10 draws.*GRADSCOPE_MAX_WORK/));
    assert.ok(performance.now() - t0 < 1000);
    t0 = performance.now();
    const d = gs.normalizationDemo({ m: 1e5, maxSteps: 1e6, scales: [1, 1e3] });
    assert.equal(d.raw.steps, 1e6);
    assert.ok(performance.now() - t0 < 15000, `${performance.now() - t0} ms`);
    const J = d.raw.path[5];
    assert.ok(Math.abs(J.J - (d.raw.JStar + 0.5 * quad(d.raw.hessian, J.w1 - d.raw.wStar[0], J.w2 - d.raw.wStar[1]))) < 1e-9 * Math.max(1, J.J));
  });
});

const quad = ([[a, b], [, c]]: [[number, number], [number, number]], x: number, y: number) => a * x * x + 2 * b * x * y + c * y * y;

describe('charts: NaN and Infinity rows, empty paths, runs without step sizes', () => {
  it('charts.normalization with an empty path names it', () => {
    const demo = gs.normalizationDemo();
    assert.throws(() => gs.charts.normalization({ ...demo, raw: { ...demo.raw, path: [] } }), named('demo.raw', /non-empty path/));
  });

  it('charts.stepSizes of an adam run that recorded no step sizes says why, without contradicting itself', () => {
    const net = gs.mlp({ sizes: [2, 3, 1], seed: 1 });
    const X = tf.randomNormal([4, 2]), Y = tf.tensor2d([[1], [0], [1], [0]]);
    const h = gs.train(net, X, Y, { optimizer: 'adam', epochs: 0, onProgress: false });
    assert.throws(() => gs.charts.stepSizes(h), named('histories', /recorded from epoch 1 on, and adam stopped at epoch 0 before any/));
    tf.dispose([X, Y]); net.dispose();
  });

  it('the training chart draws the finite rows and its text form says which rows hold NaN or Infinity', () => {
    const h = { epochs: [0, 1, 2, 3].map((epoch) => ({ epoch, loss: epoch === 3 ? NaN : 1 / (epoch + 1), gradNorm: [epoch === 2 ? Infinity : 0.5] })), optimizer: 'sgd', lr: 0.1, beta: 0.9, options: {}, batchSize: 4, updates: 1, label: 'sgd', gradNames: ['dW1'], family: 'mlp', clipped: 0, diverged: 3, notes: [], seconds: 0 } as unknown as gs.TrainHistory;
    const spec = gs.charts.training(h) as any;
    assert.equal(spec.vconcat[0].data.values.length, 3, 'the 3 finite losses are drawn');
    assert.equal(spec.vconcat[1].data.values.length, 3);
    const text = gs.toText(spec);
    assert.match(text, /1 row holding NaN or Infinity not drawn \(epoch 3, .*loss NaN\)/);
    assert.match(text, /1 row holding NaN or Infinity not drawn \(epoch 2, .*gradNorm Infinity\)/);
  });
});
