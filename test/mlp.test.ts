import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as gs from '../src/index';
import { netLoss64 } from '../src/mlp/mirror64';
import { tfSeed } from './bugs';

const { tf } = gs;
before(async () => { await gs.ready(); });

const data = (m: number, n0: number, nL: number, output: gs.Output, seed = 1) => {
  const X = tf.randomNormal([m, n0], 0, 1, 'float32', tfSeed(seed)) as gs.tf.Tensor2D;
  const Y =
    output === 'softmax'
      ? tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from({ length: m }, (_, i) => i % nL), 'int32'), nL).toFloat())
      : output === 'sigmoid'
        ? tf.tidy(() => tf.randomUniform([m, nL], 0, 1, 'float32', seed + 1).round())
        : tf.randomNormal([m, nL], 0, 1, 'float32', seed + 1);
  return { X, Y };
};
const relErr = (a: Float64Array, b: Float64Array) => gs.relativeError(a, b);

describe('mlp', () => {
  it('builds named variables with the row convention W^l [n(l-1), n(l)]', () => {
    const net = gs.mlp({ sizes: [4, 3, 2], seed: 1 });
    assert.deepEqual(net.params.W1.shape, [4, 3]);
    assert.deepEqual(net.params.b1.shape, [3]);
    assert.deepEqual(net.params.W2.shape, [3, 2]);
    assert.equal(net.size, 4 * 3 + 3 + 3 * 2 + 2);
    assert.deepEqual(net.blocks.map((b) => b.name), ['W1', 'b1', 'W2', 'b2']);
    net.dispose();
  });

  it('prints as its summary and layer shapes, not as a dump of tf internals', () => {
    const net = gs.mlp({ sizes: [2, 3, 1], hidden: 'tanh', keepProb: 0.5 });
    const text = require('node:util').inspect(net) as string;
    assert.equal(text, 'mlp [2, 3, 1] tanh/sigmoid, init xavier, 13 parameters, keepProb 0.5\n  W1 [2, 3]  b1 [3]\n  W2 [3, 1]  b2 [1]');
    net.dispose();
  });

  it('is reproducible from its seed, and different seeds differ', () => {
    const [a, b, c] = [1, 1, 2].map((seed) => gs.mlp({ sizes: [5, 4, 1], seed }));
    assert.deepEqual(a.toVector(), b.toVector());
    assert.notDeepEqual(a.toVector(), c.toVector());
    [a, b, c].forEach((n) => n.dispose());
  });

  it('draws each init with the variance it promises', () => {
    const n = 400;
    const cases: [gs.Init, number][] = [
      ['small', 1e-4], ['lecun', 1 / n], ['xavier', 2 / (n + n)], ['he', 2 / n], ['uniform', 1 / (3 * n)], [{ gain: 3 }, 9 / n],
    ];
    for (const [init, variance] of cases) {
      const net = gs.mlp({ sizes: [n, n, 1], init, seed: 3 });
      const w = net.params.W1.dataSync();
      let s = 0;
      for (const x of w) s += x * x;
      const v = s / w.length;
      assert.ok(Math.abs(v / variance - 1) < 0.02, `${JSON.stringify(init)}: Var ${v} vs ${variance}`);
      net.dispose();
    }
    const orth = gs.mlp({ sizes: [6, 6, 1], init: 'orthogonal', seed: 2 });
    const W = tf.tidy(() => orth.params.W1.transpose().matMul(orth.params.W1).sub(tf.eye(6)).abs().max().dataSync()[0]);
    assert.ok(W < 1e-5, `W^T W = I, max deviation ${W}`);
    orth.dispose();
    const id = gs.mlp({ sizes: [3, 3, 3], init: { identity: 0.8 }, hidden: 'linear' });
    assert.deepEqual(Array.from(id.params.W2.dataSync()).map((w) => Math.round(w * 10) / 10), [0.8, 0, 0, 0, 0.8, 0, 0, 0, 0.8]);
    id.dispose();
  });

  it('hand-written backward equals tf autograd for every activation, output, residual, dropout and l2', () => {
    for (const hidden of gs.ACTIVATIONS) {
      for (const output of gs.OUTPUTS) {
        const net = gs.mlp({ sizes: [3, 4, 4, 3], hidden, output, seed: 5, residual: true, keepProb: 0.8, l2: 0.3, init: 'xavier' });
        const { X, Y } = data(6, 3, 3, output);
        const { cache } = net.forward(X, { training: true });
        const hand = net.backward(cache, Y);
        const auto = net.autogradGrads(X, Y, cache);
        const err = relErr(net.gradsToVector(hand), net.gradsToVector(auto));
        assert.ok(err < 1e-6, `${hidden}/${output}: hand vs autograd ${err}`);
        tf.dispose([hand, auto] as never);
        cache.dispose(); net.dispose(); X.dispose(); Y.dispose();
      }
    }
  });

  it('float64 mirror of the forward pass agrees with the tf loss', () => {
    for (const output of gs.OUTPUTS) {
      const net = gs.mlp({ sizes: [3, 5, 5, 2], hidden: 'tanh', output, seed: 2, residual: true, l2: 0.1, keepProb: 0.6 });
      const { X, Y } = data(8, 3, 2, output);
      const { cache } = net.forward(X, { training: true });
      const y = net.labels(Y, 8);
      const J32 = net.loss(X, Y, { masks: cache.D });
      const J64 = netLoss64(net, X, y, cache.D);
      assert.ok(Math.abs(J32 - J64) / Math.abs(J64) < 1e-6, `${output}: ${J32} vs ${J64}`);
      tf.dispose([y, X, Y]); cache.dispose(); net.dispose();
    }
  });

  it('toVector / fromVector round-trip in the seeds order W1, b1, W2, b2', () => {
    const net = gs.mlp({ sizes: [2, 3, 1], seed: 4 });
    const theta = net.toVector();
    assert.deepEqual(Array.from(theta.subarray(0, 6)), Array.from(net.params.W1.dataSync()));
    const doubled = theta.map((t) => 2 * t);
    net.fromVector(doubled);
    assert.deepEqual(net.toVector(), Float64Array.from(Float32Array.from(doubled)));
    assert.throws(() => net.fromVector(new Float64Array(3)), /invalid theta: length 3 \(expected 13/);
    net.dispose();
  });

  it('dropout: training draws masks, inference does not, and backward uses the cached mask', () => {
    const net = gs.mlp({ sizes: [4, 50, 1], keepProb: 0.5, seed: 1 });
    const { X } = data(10, 4, 1, 'sigmoid');
    const train = net.forward(X, { training: true });
    const infer = net.forward(X);
    const D = train.cache.D[1]!.dataSync();
    const kept = Array.from(D).reduce((s, d) => s + d, 0) / D.length;
    assert.ok(kept > 0.4 && kept < 0.6, `kept fraction ${kept}`);
    assert.equal(infer.cache.D[1], undefined);
    train.cache.dispose(); infer.cache.dispose(); X.dispose(); net.dispose();
  });

  it('forwardAndAutograd: the cache of forward and the gradients of autogradGrads from one pass', () => {
    const net = gs.mlp({ sizes: [3, 4, 4, 2], output: 'softmax', keepProb: 0.7, residual: true, l2: 0.3, seed: 4 });
    const { X, Y } = data(6, 3, 2, 'softmax');
    const y = net.labels(Y, 6);
    const before = tf.memory().numTensors;
    const masks = net.sampleMasks(6);
    const one = net.forwardAndAutograd(X, y, masks);
    const two = net.forward(X, { masks });
    const auto = net.autogradGrads(X, y, two.cache);
    for (const l of [1, 2, 3]) {
      assert.deepEqual(one.cache.z[l]!.arraySync(), two.cache.z[l]!.arraySync(), `z${l}`);
      assert.deepEqual(one.cache.a[l].arraySync(), two.cache.a[l].arraySync(), `a${l}`);
    }
    assert.deepEqual(one.cache.D[1]!.arraySync(), masks[1]!.arraySync());
    for (const name of Object.keys(auto)) assert.deepEqual(one.grads[name].arraySync(), auto[name].arraySync(), name);
    // and they are J's gradients: the hand-written backward on the same cache agrees to float32 round-off
    const hand = net.backward(one.cache, y);
    assert.ok(gs.relativeError(net.gradsToVector(hand), net.gradsToVector(one.grads)) < 1e-5);
    tf.dispose([...Object.values(one.grads), ...Object.values(auto), ...Object.values(hand), ...masks.filter(Boolean)] as gs.tf.Tensor[]);
    one.cache.dispose(); two.cache.dispose();
    assert.equal(tf.memory().numTensors, before);
    const [short, wide] = [tf.zeros([5, 2]) as gs.tf.Tensor2D, tf.zeros([6, 3]) as gs.tf.Tensor2D];
    assert.throws(() => net.forwardAndAutograd(X, short, []), /invalid y: .*\[6, 2\]: one row per row of X/);
    assert.throws(() => net.forwardAndAutograd(X, wide, []), /invalid y: shape \[6, 3\] \(expected \[m, 2\]\)/);
    tf.dispose([short, wide]);
    y.dispose(); X.dispose(); Y.dispose(); net.dispose();
  });

  it('leaves tf.memory().numTensors unchanged', () => {
    const before = tf.memory().numTensors;
    const net = gs.mlp({ sizes: [3, 4, 2], output: 'softmax', keepProb: 0.9 });
    const { X, Y } = data(5, 3, 2, 'softmax');
    const mid = tf.memory().numTensors;
    net.loss(X, Y);
    const { cache } = net.forward(X, { training: true });
    const g = net.backward(cache, Y);
    const a = net.autogradGrads(X, Y, cache);
    tf.dispose([g, a] as never); cache.dispose();
    net.toVector(); net.fromVector(net.toVector());
    assert.equal(tf.memory().numTensors, mid);
    net.dispose(); X.dispose(); Y.dispose();
    assert.equal(tf.memory().numTensors, before);
  });
});

describe('bad input', () => {
  it('names the argument, what was received and what was expected', () => {
    assert.throws(() => gs.mlp({ sizes: [3] }), /invalid sizes: \[3\] \(expected at least two layer widths/);
    assert.throws(() => gs.mlp({ sizes: [3, 0, 1] }), /invalid sizes\[1\]: 0 \(expected an integer >= 1\)/);
    assert.throws(() => gs.mlp({ sizes: [3, 1], hidden: 'sigmod' as never }), /invalid hidden: "sigmod" \(expected one of sigmoid, tanh, relu, leakyRelu, linear\)/);
    assert.throws(() => gs.mlp({ sizes: [3, 1], init: 'kaiming' as never }), /invalid init: "kaiming" \(expected one of zeros, small/);
    assert.throws(() => gs.mlp({ sizes: [3, 1], keepProb: 0 }), /invalid keepProb: 0/);
    assert.throws(() => gs.mlp({ sizes: [3, 4, 1], init: { identity: 1 } }), /needs square layers, but W1 is \[3, 4\]/);
    assert.throws(() => gs.mlp({ sizes: [3, 1], lr: 1 } as never), /invalid options.lr/);
    const net = gs.mlp({ sizes: [3, 2], output: 'softmax' });
    const sig = gs.mlp({ sizes: [3, 1] });
    const X = tf.ones([4, 3]) as gs.tf.Tensor2D;
    const inputs = {
      X2: tf.ones([4, 2]) as gs.tf.Tensor2D, Y42: tf.ones([4, 2]), Y22: tf.tensor2d([[1, 0], [0, 1]]), idx: tf.tensor1d([0, 1, 2, 1]),
      soft: tf.tensor2d([[0.5, 0.9], [1, 0], [1, 0], [1, 0]]), nan: tf.tensor2d([[1, NaN, 0]]) as gs.tf.Tensor2D, y1: tf.tensor2d([[1, 0]]),
      empty: tf.zeros([0, 3]) as gs.tf.Tensor2D, empty2: tf.zeros([0, 2]), two: tf.fill([4, 1], 2), zero: tf.zeros([4, 1]),
    };
    const before = tf.memory().numTensors;
    assert.throws(() => net.loss(inputs.X2, inputs.Y42), /invalid X: shape \[4, 2\] \(expected \[m, 3\]\)/);
    assert.throws(() => net.loss(X, inputs.Y22), /invalid Y: shape \[2, 2\] \(expected \[4, 2\]/);
    assert.throws(() => net.loss(X, inputs.idx), /invalid Y: class index 2 at row 2 \(expected an integer in \[0, 1\]/);
    assert.throws(() => net.loss(X, inputs.soft), /row 0 sums to 1.4 /);
    assert.throws(() => net.loss(inputs.nan, inputs.y1), /invalid X: entry \[0, 1\] is NaN/);
    assert.throws(() => net.loss(inputs.empty, inputs.empty2), /invalid X: empty batch/);
    assert.throws(() => sig.loss(X, inputs.two), /invalid Y: entry \[0, 0\] is 2 \(expected a label in \[0, 1\] for a sigmoid output\)/);
    tf.tidy(() => { sig.params.W1.assign(tf.fill([3, 1], Infinity)); });
    assert.throws(() => sig.loss(X, inputs.zero), /invalid W1: entry 0 is Infinity/);
    assert.equal(tf.memory().numTensors, before, 'no tensor left behind by a rejected call');
    tf.dispose(Object.values(inputs));
    net.dispose(); sig.dispose(); X.dispose();
  });
});
