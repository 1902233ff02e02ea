import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as gs from '../src/index';
import { tfSeed } from './bugs';

const { tf } = gs;
before(async () => { await gs.ready(); });

/** Runs f and asserts that it left tf.memory().numTensors unchanged. */
function noLeak<T>(f: () => T): T {
  const before = tf.memory().numTensors;
  const out = f();
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  return out;
}

const normal = (m: number, n: number, seed: number) => tf.randomNormal([m, n], 0, 1, 'float32', tfSeed(seed)) as gs.tf.Tensor2D;

describe('He et al. 2015 on a 30-layer ReLU net of width 256', () => {
  let rows: gs.DepthRow[] = [];
  before(() => { rows = noLeak(() => gs.depthSweep({ depth: 30, width: 256, batch: 256, hidden: ['relu'], init: ['he', 'lecun'], seed: 0, statistics: ['activationStd', 'gradNormW'], onProgress: false })); });
  const std = (init: string, layer: number) => rows.find((r) => r.init === init && r.layer === layer && r.statistic === 'activationStd')!.value;

  it('he keeps the activation std: std(a^30) / std(a^1) in [0.5, 2]', () => {
    const ratio = std('he', 30) / std('he', 1);
    assert.ok(ratio >= 0.5 && ratio <= 2, `he ratio ${ratio}`);
  });
  it('lecun (Var W = 1/n) loses 2^-0.5 per layer: within a factor 3 of 2^-14.5 after 29 layers', () => {
    const ratio = std('lecun', 30) / std('lecun', 1);
    const expected = 2 ** -14.5;
    assert.ok(ratio > expected / 3 && ratio < expected * 3, `lecun ratio ${ratio} vs ${expected}`);
  });
  it('returns long rows for every hidden layer and the output layer', () => {
    assert.equal(rows.length, 2 /* inits */ * 31 /* layers */ * 2 /* statistics */);
    assert.deepEqual(Object.keys(rows[0]).sort(), ['hidden', 'init', 'layer', 'statistic', 'value']);
  });
});

describe('deepLinear (seeds 000, 002)', () => {
  it('1.1^150 ~ 1.6 million and 0.9^150 ~ 1.4e-7, in float64', () => {
    const up = noLeak(() => gs.deepLinear({ depth: 150, scale: 1.1, dim: 2 }));
    const down = gs.deepLinear({ depth: 150, scale: 0.9, dim: 2 });
    assert.equal(up.output.toPrecision(2), '1.6e+6');
    assert.equal(down.output.toPrecision(2), '1.4e-7');
    assert.ok(Math.abs(up.output / 1.1 ** 150 - 1) < 1e-12);
    assert.ok(Math.abs(down.output / 0.9 ** 150 - 1) < 1e-12);
    // float32 holds both, to float32 precision
    assert.ok(Math.abs(up.output32 / up.output - 1) < 1e-5 && Math.abs(down.output32 / down.output - 1) < 1e-5);
  });
  it('forward ~ scale^l, backward ~ scale^(L-l), dW the same size in every layer', () => {
    const r = gs.deepLinear({ depth: 40, scale: 1.5, dim: 3 });
    for (const row of r.rows) {
      assert.ok(Math.abs(row.activation / row.scalePower - 1) < 1e-12);
      assert.ok(Math.abs(row.delta / row.backPower - 1) < 1e-12);
      assert.ok(Math.abs(row.gradW / (1.5 ** 39 * Math.sqrt(3)) - 1) < 1e-12); // scale^(L-1) ||x||
    }
  });
  it('float32 gives out where float64 does not: 1.5^300 = 1.9e52 > 3.4e38', () => {
    const r = gs.deepLinear({ depth: 300, scale: 1.5 });
    assert.ok(Number.isFinite(r.output) && r.output > 1e52);
    assert.ok(!Number.isFinite(r.output32)); // Infinity, then NaN from the 0 * Infinity off-diagonal products
    const first = r.rows.findIndex((row) => !Number.isFinite(row.activation32)) + 1;
    assert.equal(first, Math.ceil(Math.log(3.4028234663852886e38) / Math.log(1.5))); // 1.5^l passes float32's max at l = 219
  });
  it('rejects bad options', () => {
    assert.throws(() => gs.deepLinear({ scale: NaN }), /invalid scale: NaN/);
    assert.throws(() => gs.deepLinear({ depth: 0 }), gs.GradscopeError);
    assert.throws(() => gs.deepLinear({ dpeth: 3 } as never), /invalid options.dpeth/);
  });
});

describe('varianceTheory against measurement', () => {
  it('relu: Var(z) halves per layer with lecun and stays put with he; relu E[a^2] = Var(z)/2', () => {
    const sizes = [100, 100, 100, 100, 1];
    const lecun = gs.varianceTheory({ sizes, hidden: 'relu', init: 'lecun' });
    assert.deepEqual(lecun.map((r) => Number(r.varZ.toFixed(6))), [1, 0.5, 0.25]);
    const he = gs.varianceTheory({ sizes, hidden: 'relu', init: 'he' });
    assert.deepEqual(he.map((r) => Number(r.varZ.toFixed(6))), [2, 2, 2]); // n Var(W) = 2 undoes relu's halving: Var(z^l) = Var(z^1)
    for (const r of he) {
      assert.ok(Math.abs(r.meanSquareA - r.varZ / 2) < 1e-6);
      assert.ok(Math.abs(r.meanA - Math.sqrt(r.varZ / (2 * Math.PI))) < 1e-6); // E[relu z] = sd / sqrt(2 pi)
    }
  });
  it("tanh's linear regime matches the Gaussian integral for small Var(z)", () => {
    const sizes = [100, 100, 100, 1];
    const exact = gs.varianceTheory({ sizes, hidden: 'tanh', init: { gain: 0.1 } });
    const linear = gs.varianceTheory({ sizes, hidden: 'tanh', init: { gain: 0.1 }, linearRegime: true });
    exact.forEach((r, i) => assert.ok(Math.abs(r.varA / linear[i].varA - 1) < 0.03));
  });

  // Tolerance, on std(a^l) and std(z^l) of each of 10 layers of width 512 (batch 512):
  // tanh + xavier within 5%; relu + he within 25% (relu's finite-width fluctuations multiply from
  // layer to layer: measured 0-16% here).
  for (const [hidden, init, tol] of [['tanh', 'xavier', 0.05], ['relu', 'he', 0.25]] as const) {
    it(`${hidden} + ${init}: measured std within ${tol * 100}% of the theory`, () => {
      const sizes = [512, ...Array(10).fill(512), 1];
      const theory = gs.varianceTheory({ sizes, hidden, init });
      const net = gs.mlp({ sizes, hidden, init, seed: 3 });
      const X = normal(512, 512, 5), Y = tf.zeros([512, 1]);
      const measured = noLeak(() => gs.layerStats(net, X, Y));
      tf.dispose([X, Y]); net.dispose();
      assert.equal(theory.length, 10);
      theory.forEach((t, i) => {
        const m = measured[i];
        assert.equal(m.layer, t.layer);
        assert.ok(Math.abs(m.activationStd / t.stdA - 1) < tol, `layer ${t.layer}: a std ${m.activationStd} vs ${t.stdA}`);
        assert.ok(Math.abs(m.zStd / t.stdZ - 1) < tol, `layer ${t.layer}: z std ${m.zStd} vs ${t.stdZ}`);
      });
    });
  }
  it('rejects bad options', () => {
    assert.throws(() => gs.varianceTheory({ sizes: [3] }), /invalid sizes/);
    assert.throws(() => gs.varianceTheory({ sizes: [3, 3, 1], init: { identity: 1 } }), gs.GradscopeError);
    assert.throws(() => gs.varianceTheory({ sizes: [3, 3, 1], hidden: 'sigmod' as never }), /invalid hidden: "sigmod"/);
  });
});

describe('layerStats', () => {
  it('gradient norms are those of net.backward; saturation and dead units as defined', () => {
    const net = gs.mlp({ sizes: [20, 30, 30, 1], hidden: 'tanh', init: { gain: 4 }, seed: 2 });
    const X = normal(64, 20, 1), Y = tf.tidy(() => tf.randomUniform([64, 1], 0, 1, 'float32', 2).round());
    const rows = noLeak(() => gs.layerStats(net, X, Y));
    const { cache } = net.forward(X);
    const grads = net.backward(cache, Y);
    const norm = (t: gs.tf.Tensor) => Math.hypot(...t.dataSync());
    rows.forEach((r, i) => {
      assert.ok(Math.abs(r.gradNormW / norm(grads[`dW${i + 1}`]) - 1) < 1e-5);
      assert.ok(Math.abs(r.gradNormB / norm(grads[`db${i + 1}`]) - 1) < 1e-5);
    });
    const a1 = cache.a[1].dataSync();
    assert.equal(rows[0].saturated, a1.filter((v) => Math.abs(v) > 0.99).length / a1.length);
    assert.ok(rows[0].saturated > 0.3, 'gain 4 saturates tanh');
    assert.ok(Number.isNaN(rows[0].dead));
    assert.equal(rows[2].kind, 'output');
    tf.dispose(Object.values(grads)); cache.dispose();

    const relu = gs.mlp({ sizes: [20, 10, 1], hidden: 'relu', seed: 2 });
    relu.params.b1.assign(tf.tensor1d([-100, -100, -100, -100, -100, 0, 0, 0, 0, 0]));
    const r2 = gs.layerStats(relu, X, Y);
    assert.equal(r2[0].dead, 0.5);
    assert.ok(Number.isNaN(r2[0].saturated));
    tf.dispose([X, Y]); net.dispose(); relu.dispose();
  });
  it('rejects bad input', () => {
    const net = gs.mlp({ sizes: [2, 3, 1] });
    assert.throws(() => gs.layerStats(net, tf.zeros([4, 3]) as gs.tf.Tensor2D, tf.zeros([4, 1])), /invalid X: shape \[4, 3\]/);
    assert.throws(() => gs.layerStats(net, tf.zeros([4, 2]) as gs.tf.Tensor2D, tf.zeros([4, 1]), { saturation: 2 }), /invalid saturation/);
    net.dispose();
  });
});

describe('train', () => {
  const xor = () => {
    const X = tf.tensor2d([[0, 0], [0, 1], [1, 0], [1, 1]]);
    const Y = tf.tensor2d([[0], [1], [1], [0]]);
    return { X, Y };
  };
  for (const optimizer of ['sgd', 'momentum'] as const) {
    it(`${optimizer}: loss falls; one gradient norm per layer per epoch`, () => {
      const { X, Y } = xor();
      const net = gs.mlp({ sizes: [2, 8, 8, 1], hidden: 'tanh', seed: 4 });
      const h = noLeak(() => gs.train(net, X, Y, { epochs: 300, lr: 0.5, optimizer, onProgress: false }));
      assert.equal(h.epochs.length, 301);
      assert.equal(h.epochs[0].gradNorm.length, 3);
      assert.ok(h.epochs[300].loss < 0.5 * h.epochs[0].loss, `${h.epochs[0].loss} -> ${h.epochs[300].loss}`);
      assert.ok(Math.abs(h.epochs[300].loss - net.loss(X, Y)) < 1e-5, 'last row is the current state');
      tf.dispose([X, Y]); net.dispose();
    });
  }
  it('onEpoch returning false stops; divergence is recorded; bad options are named', () => {
    const { X, Y } = xor();
    const net = gs.mlp({ sizes: [2, 4, 1], hidden: 'tanh', output: 'linear', seed: 1 });
    const h = gs.train(net, X, Y, { epochs: 50, onEpoch: (r) => r.epoch < 5, onProgress: false });
    assert.equal(h.epochs.length, 6);
    const blow = noLeak(() => gs.train(net, X, Y, { epochs: 200, lr: 50, onProgress: false }));
    assert.ok(blow.diverged !== undefined && blow.diverged < 200);
    assert.throws(() => gs.train(net, X, Y, { optimizer: 'adamw' as never }), /invalid optimizer: "adamw" \(expected one of sgd, momentum, adagrad, rmsprop, adam\)/);
    assert.throws(() => gs.train(net, X, Y, { lr: -1 }), /invalid lr/);
    assert.throws(() => gs.train(net, X, Y, { epoch: 3 } as never), /invalid options.epoch/);
    tf.dispose([X, Y]); net.dispose();
  });
});

describe('depthSweep options', () => {
  it('rejects bad options with their names', () => {
    assert.throws(() => gs.depthSweep({ depht: 3 } as never), /invalid options.depht/);
    assert.throws(() => gs.depthSweep({ hidden: ['relu', 'rleu' as never] }), /invalid hidden\[1\]: "rleu"/);
    assert.throws(() => gs.depthSweep({ init: ['he', 'kaiming' as never] }), /invalid init\[1\]/);
    assert.throws(() => gs.depthSweep({ statistics: ['gradNorm' as never] }), /invalid statistics\[0\]/);
  });
  it('reports progress (done, total) once per net', () => {
    const calls: [number, number][] = [];
    noLeak(() => gs.depthSweep({ depth: 2, width: 4, batch: 8, hidden: ['tanh', 'relu'], init: ['xavier'], onProgress: (d, t) => calls.push([d, t]) }));
    assert.deepEqual(calls, [[1, 2], [2, 2]]);
  });
});
