/** gs.train on the model contract: every optimiser through gs.optimizers' tensor steps, mini-batches, held-out set, clipping, step sizes; charts.training with several runs and charts.stepSizes. */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as gs from '../src/index';
import { linePaths, markItems, render56 as render, svgTexts } from './charts.helpers';
import { tfSeed } from './bugs';

const { tf } = gs;
before(async () => { await gs.ready(); });

function data(m = 16, seed = 1) {
  const X = tf.randomNormal([m, 2], 0, 1, 'float32', tfSeed(seed)) as gs.tf.Tensor2D;
  const Y = tf.tidy(() => X.prod(1).greater(0).cast('float32').reshape([m, 1]));
  return { X, Y };
}


describe('train: each update is gs.optimizers\' step', () => {
  for (const optimizer of gs.optimizers.OPTIMIZER_NAMES) {
    it(`${optimizer}: 3 full-batch epochs equal a float64 replay of gs.optimizers.${optimizer}.step on the hand-written gradients`, () => {
      const { X, Y } = data();
      const spec = { sizes: [2, 5, 1], hidden: 'tanh' as const, seed: 3 };
      const net = gs.mlp(spec), twin = gs.mlp(spec);
      const lr = 0.05;
      const before = tf.memory().numTensors;
      const h = gs.train(net, X, Y, { optimizer, lr, epochs: 3, onProgress: false });
      assert.equal(tf.memory().numTensors, before);
      let theta = twin.toVector(), state: gs.optimizers.OptimizerState = {};
      for (let k = 0; k < 3; k++) {
        const { cache } = twin.forward(X);
        const g = twin.backward(cache, Y);
        const r = gs.optimizers[optimizer].step(theta, twin.gradsToVector(g), state, { lr });
        tf.dispose(Object.values(g)); cache.dispose();
        theta = r.w; state = r.state;
        twin.fromVector(theta);
      }
      const got = net.toVector();
      const err = Math.sqrt(got.reduce((s, x, i) => s + (x - theta[i]) ** 2, 0)) / Math.sqrt(theta.reduce((s, x) => s + x * x, 0));
      assert.ok(err < 1e-5, `relative difference ${err}`);
      assert.equal(h.epochs.length, 4);
      assert.equal(h.optimizer, optimizer);
      assert.deepEqual(h.gradNames, ['dW1', 'dW2']);
      assert.ok(Math.abs(h.epochs[0].loss - net.loss(X, Y)) > 0, 'epoch 0 is the loss before training');
      tf.dispose([X, Y]); net.dispose(); twin.dispose();
    });
  }
  it('every optimiser lowers the loss on a 64-example XOR-like task; epoch 0 is the float64 J at initialisation', () => {
    const { X, Y } = data(64);
    for (const optimizer of gs.optimizers.OPTIMIZER_NAMES) {
      const net = gs.mlp({ sizes: [2, 16, 16, 1], hidden: 'tanh', seed: 1 });
      const J0 = net.loss(X, Y);
      const h = gs.train(net, X, Y, { optimizer, epochs: 60, onProgress: false });
      assert.ok(Math.abs(h.epochs[0].loss - J0) < 1e-6, `${optimizer}: ${h.epochs[0].loss} vs ${J0}`);
      assert.ok(h.epochs.at(-1)!.loss < (optimizer === 'sgd' ? 0.9 : 0.7) * h.epochs[0].loss, `${optimizer}: ${h.epochs[0].loss} -> ${h.epochs.at(-1)!.loss}`);
      net.dispose();
    }
    tf.dispose([X, Y]);
  });
});

describe('train: mini-batches, held-out set, step sizes, clipping', () => {
  it('batchSize 4 of 16: 4 updates per epoch, the shuffle follows the seed', () => {
    const { X, Y } = data();
    const run = (seed: number) => {
      const net = gs.mlp({ sizes: [2, 5, 1], hidden: 'tanh', seed: 3 });
      const h = gs.train(net, X, Y, { optimizer: 'sgd', lr: 0.1, epochs: 2, batchSize: 4, seed, onProgress: false });
      const theta = net.toVector();
      net.dispose();
      return { h, theta };
    };
    const a = run(1), b = run(1), c = run(2);
    assert.equal(a.h.updates, 4);
    assert.equal(a.h.batchSize, 4);
    assert.deepEqual([...a.theta], [...b.theta]);
    assert.notDeepEqual([...a.theta], [...c.theta]);
    // one epoch of batch 16 = one full-batch step; of batch 4 = 4 steps: different parameters
    const full = gs.mlp({ sizes: [2, 5, 1], hidden: 'tanh', seed: 3 });
    gs.train(full, X, Y, { optimizer: 'sgd', lr: 0.1, epochs: 2, onProgress: false });
    assert.notDeepEqual([...full.toVector()], [...a.theta]);
    full.dispose(); tf.dispose([X, Y]);
  });
  it('the held-out loss is J of the held-out set with the parameters of that epoch', () => {
    const { X, Y } = data(32, 1), held = data(32, 2);
    const net = gs.mlp({ sizes: [2, 8, 1], hidden: 'tanh', seed: 3 });
    const J0 = net.loss(held.X, held.Y);
    const h = gs.train(net, X, Y, { optimizer: 'adam', epochs: 20, heldOut: { X: held.X, Y: held.Y }, onProgress: false });
    assert.ok(Math.abs(h.epochs[0].heldOutLoss! - J0) < 1e-6);
    assert.ok(Math.abs(h.epochs.at(-1)!.heldOutLoss! - net.loss(held.X, held.Y)) < 1e-6);
    assert.notEqual(h.epochs.at(-1)!.heldOutLoss, h.epochs.at(-1)!.loss);
    tf.dispose([X, Y, held.X, held.Y]); net.dispose();
  });
  it('effective step sizes: after one Adam or AdaGrad step, lr / (|g| + eps) per parameter; none for sgd', () => {
    const { X, Y } = data();
    for (const optimizer of ['adam', 'adagrad'] as const) {
      const net = gs.mlp({ sizes: [2, 5, 1], hidden: 'tanh', seed: 3 });
      const { cache } = net.forward(X);
      const g = net.backward(cache, Y);
      const expected = (l: number) => {
        const v = [...g[`dW${l}`].dataSync(), ...g[`db${l}`].dataSync()].map((x) => 0.01 / (Math.abs(x) + 1e-8)).sort((a, b) => a - b);
        const i = 0.5 * (v.length - 1);
        return v[Math.floor(i)] + (v[Math.ceil(i)] - v[Math.floor(i)]) * (i - Math.floor(i));
      };
      const want = [expected(1), expected(2)];
      tf.dispose(Object.values(g)); cache.dispose();
      const h = gs.train(net, X, Y, { optimizer, lr: 0.01, epochs: 1, onProgress: false });
      assert.equal(h.epochs[0].stepSize, undefined);
      const s = h.epochs[1].stepSize!;
      assert.deepEqual(s.map((r) => r.layer), [1, 2]);
      for (const [i, r] of s.entries()) {
        assert.ok(Math.abs(r.median - want[i]) / want[i] < 1e-4, `${optimizer} layer ${i + 1}: ${r.median} vs ${want[i]}`);
        assert.ok(r.p10 <= r.median && r.median <= r.p90);
      }
      net.dispose();
    }
    const net = gs.mlp({ sizes: [2, 5, 1], seed: 3 });
    assert.equal(gs.train(net, X, Y, { epochs: 2, onProgress: false }).epochs[2].stepSize, undefined);
    net.dispose(); tf.dispose([X, Y]);
  });
  it('clip: every update of sgd moves theta by exactly lr * clip when ||g|| > clip', () => {
    const { X, Y } = data();
    const net = gs.mlp({ sizes: [2, 5, 1], hidden: 'tanh', seed: 3 });
    const t0 = net.toVector();
    const h = gs.train(net, X, Y, { lr: 0.1, epochs: 1, clip: 1e-3, onProgress: false });
    const d = Math.sqrt(net.toVector().reduce((s, x, i) => s + (x - t0[i]) ** 2, 0));
    assert.equal(h.clipped, 1);
    assert.ok(Math.abs(d - 1e-4) < 1e-6, `moved ${d}`);
    const loose = gs.train(net, X, Y, { lr: 0.1, epochs: 3, clip: 1e6, onProgress: false });
    assert.equal(loose.clipped, 0);
    tf.dispose([X, Y]); net.dispose();
  });
  it('trains a recurrent net (gs.rnn) through the same contract, with clipping', () => {
    const m = 16, T = 6;
    const X = tf.randomNormal([m, T, 2], 0, 1, 'float32', 4);
    const Y = tf.tidy(() => X.slice([0, 0, 0], [m, 1, 1]).reshape([m, 1]).greater(0).cast('float32')); // remember the first input
    const net = gs.rnn({ nx: 2, na: 8, ny: 1, seed: 1 });
    const before = tf.memory().numTensors;
    const h = gs.train(net, X, Y, { optimizer: 'adam', lr: 0.05, epochs: 40, clip: 5, onProgress: false });
    assert.equal(tf.memory().numTensors, before);
    assert.equal(h.family, 'rnn');
    assert.ok(h.gradNames.length >= 2 && h.gradNames.every((n) => n.startsWith('dW')));
    assert.ok(h.epochs.at(-1)!.loss < 0.8 * h.epochs[0].loss, `${h.epochs[0].loss} -> ${h.epochs.at(-1)!.loss}`);
    tf.dispose([X, Y]); net.dispose();
  });
  it('trains an LSTM (gs.lstm) with mini-batches and a held-out set, nothing leaked', () => {
    const m = 16, T = 5;
    const X = tf.randomNormal([m, T, 2], 0, 1, 'float32', 5), Xh = tf.randomNormal([m, T, 2], 0, 1, 'float32', 6);
    const first = (x: gs.tf.Tensor) => tf.tidy(() => x.slice([0, 0, 0], [m, 1, 1]).reshape([m, 1]).greater(0).cast('float32'));
    const Y = first(X), Yh = first(Xh);
    const net = gs.lstm({ nx: 2, na: 6, ny: 1, seed: 1 });
    const before = tf.memory().numTensors;
    const h = gs.train(net, X, Y, { optimizer: 'rmsprop', lr: 0.02, epochs: 30, batchSize: 8, seed: 1, heldOut: { X: Xh, Y: Yh }, clip: 5, onProgress: false });
    assert.equal(tf.memory().numTensors, before);
    assert.equal(h.family, 'lstm');
    assert.equal(h.updates, 2);
    assert.ok(h.epochs.every((e) => Number.isFinite(e.heldOutLoss)));
    assert.ok(h.epochs.at(-1)!.loss < 0.9 * h.epochs[0].loss, `${h.epochs[0].loss} -> ${h.epochs.at(-1)!.loss}`);
    assert.ok(h.epochs[1].stepSize!.length >= 2, 'step sizes per layer of the lstm');
    tf.dispose([X, Y, Xh, Yh]); net.dispose();
  });
});

describe('train: bad input (issue 9 item 7)', () => {
  it('a bad onProgress throws before any tensor is made (it leaked the labels)', () => {
    const { X, Y } = data();
    const net = gs.mlp({ sizes: [2, 5, 1], seed: 3 });
    const before = tf.memory().numTensors;
    assert.throws(() => gs.train(net, X, Y, { onProgress: 'x' as never }), /invalid onProgress: "x"/);
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([X, Y]); net.dispose();
  });
  it('a disposed net throws a GradscopeError naming it', () => {
    const { X, Y } = data();
    const net = gs.mlp({ sizes: [2, 5, 1], seed: 3 });
    net.dispose();
    assert.throws(() => gs.train(net, X, Y, { onProgress: false }), (e: unknown) => e instanceof gs.GradscopeError && e.argument === 'net' && /disposed/.test(e.message));
    tf.dispose([X, Y]);
  });
  it('names every bad option', () => {
    const { X, Y } = data();
    const net = gs.mlp({ sizes: [2, 5, 1], seed: 3 });
    const before = tf.memory().numTensors;
    assert.throws(() => gs.train(net, X, Y, { optimizer: 'adam', decay: 0.9 }), /invalid options.decay: 0.9 \(expected an option of adam: lr, beta1, beta2, eps\)/);
    assert.throws(() => gs.train(net, X, Y, { optimizer: 'adam', beta1: 1 }), /invalid beta1: 1/);
    assert.throws(() => gs.train(net, X, Y, { batchSize: 0 }), /invalid batchSize: 0/);
    assert.throws(() => gs.train(net, X, Y, { batchSize: 17 }), /invalid batchSize: 17 \(expected an integer >= 1 and <= 16\)/);
    assert.throws(() => gs.train(net, X, Y, { clip: -1 }), /invalid clip: -1/);
    assert.throws(() => gs.train(net, X, Y, { heldOut: { X } as never }), /invalid heldOut/);
    assert.throws(() => gs.train(net, X, Y, { label: '' }), /invalid label/);
    assert.throws(() => gs.train({} as never, X, Y), /invalid net/);
    const badY = tf.zeros([3, 1]);
    assert.throws(() => gs.train(net, X, Y, { heldOut: { X, Y: badY }, onProgress: false }), /invalid heldOut.Y: shape \[3, 1\] \(expected \[16, 1\]: one row per row of heldOut.X/);
    badY.dispose();
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([X, Y]); net.dispose();
  });
});

describe('charts.training with several runs; charts.stepSizes', () => {
  const runs = () => {
    const { X, Y } = data(32, 1), held = data(32, 2);
    const hs = (['sgd', 'momentum', 'adagrad', 'rmsprop', 'adam'] as const).map((optimizer) => {
      const net = gs.mlp({ sizes: [2, 6, 6, 1], hidden: 'tanh', seed: 2 });
      const h = gs.train(net, X, Y, { optimizer, epochs: 10, batchSize: 8, heldOut: { X: held.X, Y: held.Y }, onProgress: false });
      net.dispose();
      return h;
    });
    tf.dispose([X, Y, held.X, held.Y]);
    return hs;
  };
  it('one line per optimiser for the loss (dashed held-out) and the gradient norm', async () => {
    const hs = runs();
    const spec = gs.charts.training(hs) as any;
    assert.equal(spec.vconcat[0].data.values.length, 5 * 11 * 2);
    assert.equal(spec.vconcat[0].encoding.color.field, 'run');
    assert.equal(spec.vconcat[0].encoding.strokeDash.field, 'set');
    assert.deepEqual(spec.title.subtitle, ['sgd: lr 0.1, batch 8 (4 updates per epoch)', 'momentum: beta 0.9, lr 0.1, batch 8 (4 updates per epoch)', 'adagrad: lr 0.1, batch 8 (4 updates per epoch)', 'rmsprop: lr 0.01, batch 8 (4 updates per epoch)', 'adam: lr 0.01, batch 8 (4 updates per epoch)']);
    const { svg, texts } = await render(spec);
    assert.equal(linePaths(svg), 5 * 2 + 5, 'training + held-out per run, one gradient line per run');
    for (const t of ['sgd', 'momentum', 'adagrad', 'rmsprop', 'adam', 'held-out', 'training', 'loss J', 'epoch', '||dW|| over every weight block (log)']) assert.ok(texts.includes(t), t);
    // the same optimiser twice: told apart by lr
    const twice = gs.charts.training([hs[0], { ...hs[0], lr: 0.5 }]) as any;
    assert.deepEqual([...new Set(twice.vconcat[0].data.values.map((d: { run: string }) => d.run))], ['sgd lr 0.1', 'sgd lr 0.5']);
    assert.throws(() => gs.charts.training(hs, { view: 'heatmap' }), /invalid view: "heatmap" \(expected 'lines' for several runs/);
    assert.throws(() => gs.charts.training([]), /invalid history/);
  });
  it('one run with a held-out set: a dashed second loss line', async () => {
    const [h] = runs();
    const spec = gs.charts.training(h) as any;
    const { svg, texts } = await render(spec);
    assert.equal(linePaths(svg), 2 + 3);
    assert.ok(texts.includes('held-out') && texts.includes('||dW^l|| (log)'));
  });
  it('stepSizes: a panel per adaptive run, median line and 10-90% band per layer, lr as a dashed rule', async () => {
    const hs = runs();
    const spec = gs.charts.stepSizes(hs) as any;
    assert.equal(spec.data.values.length, 3 * 10 * 3, '3 adaptive runs x 10 epochs x 3 layers');
    assert.equal(spec.spec.layer[0].mark.type, 'area');
    assert.equal(spec.spec.layer[0].encoding.y.scale.type, 'log');
    assert.match(spec.title.subtitle, /2 run\(s\) without per-parameter step sizes not drawn/);
    const { svg, texts } = await render(spec);
    assert.equal(linePaths(svg), 3 * 3, 'a median line per layer per panel');
    assert.equal((svg.match(/class="mark-area role-mark/g) ?? []).length, 3 * 3, 'a 10-90% band per layer per panel');
    assert.equal(markItems(svg, 'rule'), 3);
    for (const t of ['adagrad: lr / (sqrt(cache) + eps)', 'rmsprop: lr / (sqrt(cache) + eps)', 'adam: lr / (sqrt(v-hat) + eps)', 'effective step size (log)', 'layer']) assert.ok(texts.includes(t), t);
    assert.throws(() => gs.charts.stepSizes([hs[0]]), /invalid histories: \["sgd"\] \(expected at least one run with optimizer adagrad, rmsprop or adam/);
  });
});
