/**
 * gs.rnn and gs.lstm: the hand-written backpropagation through time equals tf autograd and the
 * float64 central differences (several shapes, both outputs modes, both LSTM variants, a relu RNN),
 * the forward pass and its cache follow the lecture's equations, no tensor is leaked, bad input is named.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as gs from '../src/index';
import { rnn, type RnnOptions } from '../src/rnn/rnn';
import { lstm, type LstmOptions } from '../src/lstm/lstm';
import { data, numericGrad, relErr, threeWay } from './recurrent.helpers';

const { tf } = gs;

before(async () => { await gs.ready(); });

interface Shape { m: number; T: number }
const rnnCases: [string, RnnOptions, Shape][] = [
  ['tanh, T 1', { nx: 3, na: 4, ny: 1, seed: 1 }, { m: 3, T: 1 }],
  ['tanh, T 10, na != nx', { nx: 2, na: 5, ny: 1, seed: 2 }, { m: 3, T: 10 }],
  ['tanh, m 1, linear output', { nx: 4, na: 3, ny: 2, output: 'linear', seed: 3 }, { m: 1, T: 6 }],
  ['tanh, outputs every, softmax', { nx: 3, na: 4, ny: 3, output: 'softmax', outputs: 'every', seed: 4 }, { m: 2, T: 7 }],
  ['relu, T 10', { nx: 3, na: 6, ny: 1, hidden: 'relu', seed: 5 }, { m: 4, T: 10 }],
  ['relu, outputs every', { nx: 2, na: 3, ny: 1, hidden: 'relu', outputs: 'every', output: 'linear', seed: 6 }, { m: 2, T: 5 }],
];
const lstmCases: [string, LstmOptions, Shape][] = [
  ['standard, T 1', { nx: 3, na: 4, ny: 1, seed: 1 }, { m: 3, T: 1 }],
  ['standard, T 10, na != nx', { nx: 2, na: 5, ny: 1, seed: 2 }, { m: 3, T: 10 }],
  ['standard, m 1, linear', { nx: 4, na: 3, ny: 2, output: 'linear', seed: 3 }, { m: 1, T: 6 }],
  ['standard, outputs every, softmax', { nx: 3, na: 4, ny: 3, output: 'softmax', outputs: 'every', seed: 4 }, { m: 2, T: 7 }],
  ['lecture, T 1', { nx: 3, na: 4, ny: 1, variant: 'lecture', seed: 5 }, { m: 3, T: 1 }],
  ['lecture, T 10, na != nx', { nx: 5, na: 3, ny: 1, variant: 'lecture', seed: 6 }, { m: 2, T: 10 }],
  ['lecture, outputs every', { nx: 2, na: 3, ny: 2, variant: 'lecture', outputs: 'every', output: 'linear', seed: 7 }, { m: 2, T: 4 }],
  ['forgetBias 3', { nx: 2, na: 3, ny: 1, forgetBias: 3, seed: 8 }, { m: 2, T: 8 }],
];

describe('hand-written BPTT == tf autograd == float64 central differences', () => {
  const families: [string, (o: never) => gs.Model & { spec: { nx: number; ny: number; output?: string; outputs?: string } }, [string, object, Shape][]][] = [
    ['rnn', rnn as never, rnnCases],
    ['lstm', lstm as never, lstmCases],
  ];
  for (const [family, make, cases] of families) {
    for (const [name, options, { m, T }] of cases) {
      it(`${family} ${name}`, () => {
        const before = tf.memory().numTensors;
        const net = make(options as never) as never as Parameters<typeof threeWay>[0] & { spec: { nx: number; ny: number; output: 'sigmoid'; outputs: 'last' } };
        const { X, Y } = data(m, T, net.spec.nx, net.spec.ny, net.spec.output, net.spec.outputs, 10 + T);
        const r = threeWay(net, X, Y);
        const handAuto = relErr(r.hand, r.auto);
        const handNum = relErr(r.hand, r.num.grad, 0, r.hand.length, r.num.kinks);
        const autoNum = relErr(r.auto, r.num.grad, 0, r.auto.length, r.num.kinks);
        assert.ok(handAuto < 1e-6, `hand vs autograd ${handAuto}`);
        assert.ok(handNum < 1e-6, `hand vs numeric ${handNum}`);
        assert.ok(autoNum < 1e-6, `autograd vs numeric ${autoNum}`);
        for (const [block, e] of Object.entries(r.blocks)) assert.ok(e < 1e-5, `${block}: ${e}`);
        // the gradient is not trivially zero anywhere (but with c0 = 0 and T 1 the forget gate has nothing to forget)
        for (const b of net.blocks.filter((b) => T > 1 || !['Wf', 'bf'].includes(b.name))) {
          let s = 0;
          for (let i = b.offset; i < b.offset + b.size; i++) s += Math.abs(r.hand[i]);
          assert.ok(s > 1e-6, `${b.grad} is all zeros`);
        }
        assert.ok(r.num.kinks.size < r.hand.length / 10, `${r.num.kinks.size} kinks`);
        tf.dispose([X, Y]);
        net.dispose();
        assert.equal(tf.memory().numTensors, before);
      });
    }
  }

  it('holds with a0 and c0 given (the lstm c0 feeds dWf at t = 1)', () => {
    const net = lstm({ nx: 2, na: 3, ny: 1, seed: 9 });
    const { X, Y } = data(2, 1, 2, 1, 'sigmoid', 'last', 3);
    const a0 = tf.randomNormal([2, 3], 0, 1, 'float32', 4), c0 = tf.randomNormal([2, 3], 0, 1, 'float32', 5);
    const r = threeWay(net, X, Y, { state: { a0, c0 } });
    assert.ok(relErr(r.hand, r.num.grad) < 1e-6);
    assert.ok(r.blocks.dWf < 1e-5);
    const zero = threeWay(net, X, Y);
    const dWf = net.blocks.find((b) => b.name === 'Wf')!;
    // with c0 = 0 the forget gate has nothing to forget at t = 1: dWf is exactly 0
    assert.ok(zero.num.grad.subarray(dWf.offset, dWf.offset + dWf.size).every((g) => Math.abs(g) < 1e-9));
    assert.ok(r.hand.subarray(dWf.offset, dWf.offset + dWf.size).some((g) => Math.abs(g) > 1e-4));
    tf.dispose([X, Y, a0, c0]);
    net.dispose();
  });
});

describe('forward follows the lecture equations', () => {
  it('a 1-unit LSTM, T 2, equals the formulas written out by hand', () => {
    const net = lstm({ nx: 1, na: 1, ny: 1, output: 'linear', seed: 3 });
    const th = net.toVector(); // Wf (2), Wu (2), Wc (2), Wo (2), bf, bu, bc, bo, Wy, by
    const [wfa, wfx, wua, wux, wca, wcx, woa, wox, bf, bu, bc, bo, wy, by] = th;
    assert.equal(bf, 1); // forgetBias
    const sig = (z: number) => 1 / (1 + Math.exp(-z));
    const xs = [0.5, -1.5];
    let a = 0, c = 0;
    for (const x of xs) {
      const ct = Math.tanh(wca * a + wcx * x + bc);
      const gu = sig(wua * a + wux * x + bu), gf = sig(wfa * a + wfx * x + bf), go = sig(woa * a + wox * x + bo);
      c = gu * ct + gf * c;
      a = go * Math.tanh(c);
    }
    const yhat = a * wy + by;
    const X = tf.tensor3d([[[0.5], [-1.5]]]), Y = tf.tensor2d([[2]]);
    const { output, cache } = net.forward(X);
    assert.ok(Math.abs(output.dataSync()[0] - yhat) < 1e-6);
    assert.ok(Math.abs(cache.a[2].dataSync()[0] - a) < 1e-6);
    assert.ok(Math.abs(cache.c[2].dataSync()[0] - c) < 1e-6);
    assert.ok(Math.abs(net.loss(X, Y) - 0.5 * (yhat - 2) ** 2) < 1e-6);
    const y = net.labels(Y, X);
    assert.ok(Math.abs(net.mirror64(X, y, cache)(th).J - 0.5 * (yhat - 2) ** 2) < 1e-12);
    tf.dispose([output, X, Y, y]);
    cache.dispose();
    net.dispose();
  });

  it('the lecture variant feeds Gamma_f and Gamma_o the previous cell', () => {
    const net = lstm({ nx: 1, na: 1, ny: 1, output: 'linear', variant: 'lecture', seed: 3 });
    const [wfa, wfx, wua, wux, wca, wcx, woa, wox, bf, bu, bc, bo] = net.toVector();
    const sig = (z: number) => 1 / (1 + Math.exp(-z));
    let a = 0, c = 0;
    for (const x of [0.5, -1.5, 2]) {
      const ct = Math.tanh(wca * a + wcx * x + bc);
      const gu = sig(wua * a + wux * x + bu), gf = sig(wfa * c + wfx * x + bf), go = sig(woa * c + wox * x + bo);
      c = gu * ct + gf * c;
      a = go * Math.tanh(c);
    }
    const X = tf.tensor3d([[[0.5], [-1.5], [2]]]);
    const { output, cache } = net.forward(X);
    assert.ok(Math.abs(cache.a[3].dataSync()[0] - a) < 1e-6);
    tf.dispose([output, X]);
    cache.dispose();
    net.dispose();
  });

  it('the cache: a[t], c[t] for t = 0..T, gates in (0, 1), c = Gamma_u c~ + Gamma_f c_prev', () => {
    const net = lstm({ nx: 3, na: 4, ny: 1, seed: 2 });
    const X = tf.randomNormal([5, 6, 3], 0, 1, 'float32', 1);
    const a0 = tf.fill([5, 4], 0.25);
    const { output, cache } = net.forward(X, { a0 });
    assert.deepEqual(output.shape, [5, 1]);
    assert.equal(cache.a.length, 7);
    assert.equal(cache.c.length, 7);
    assert.deepEqual([...cache.a[0].dataSync()], new Array(20).fill(0.25));
    assert.deepEqual([...cache.c[0].dataSync()], new Array(20).fill(0));
    for (let t = 1; t <= 6; t++) {
      assert.deepEqual(cache.a[t].shape, [5, 4]);
      const [gu, gf, go, ct, c, cp, a] = [cache.Gu[t]!, cache.Gf[t]!, cache.Go[t]!, cache.cTilde[t]!, cache.c[t], cache.c[t - 1], cache.a[t]].map((x) => x.dataSync());
      for (let j = 0; j < 20; j++) {
        for (const g of [gu[j], gf[j], go[j]]) assert.ok(g > 0 && g < 1);
        assert.ok(Math.abs(c[j] - (gu[j] * ct[j] + gf[j] * cp[j])) < 1e-6);
        assert.ok(Math.abs(a[j] - go[j] * Math.tanh(c[j])) < 1e-6);
      }
    }
    tf.dispose([output, X, a0]);
    cache.dispose();
    net.dispose();
  });

  it('the rnn cache: z[t] = [a_prev, x] Wa + ba, the first na rows of Wa act on a_prev', () => {
    const net = rnn({ nx: 2, na: 3, ny: 1, seed: 4 });
    const X = tf.randomNormal([2, 4, 2], 0, 1, 'float32', 7);
    const { output, cache } = net.forward(X);
    const Wa = net.params.Wa.arraySync() as number[][];
    for (let t = 1; t <= 4; t++) {
      const ap = cache.a[t - 1].arraySync() as number[][], x = cache.x[t]!.arraySync() as number[][], z = cache.z[t]!.arraySync() as number[][];
      for (let i = 0; i < 2; i++) for (let k = 0; k < 3; k++) {
        let s = 0;
        for (let j = 0; j < 3; j++) s += ap[i][j] * Wa[j][k];
        for (let j = 0; j < 2; j++) s += x[i][j] * Wa[3 + j][k];
        assert.ok(Math.abs(z[i][k] - s) < 1e-5);
        assert.ok(Math.abs((cache.a[t].arraySync() as number[][])[i][k] - Math.tanh(s)) < 1e-5);
      }
    }
    tf.dispose([output, X]);
    cache.dispose();
    net.dispose();
  });

  it('outputs every: output [m, T, ny] and J summed over t, averaged over examples', () => {
    const net = rnn({ nx: 2, na: 3, ny: 1, output: 'linear', outputs: 'every', seed: 4 });
    const X = tf.randomNormal([2, 5, 2], 0, 1, 'float32', 7);
    const Y = tf.zeros([2, 5, 1]);
    const { output, cache } = net.forward(X);
    assert.deepEqual(output.shape, [2, 5, 1]);
    const o = Array.from(output.dataSync());
    const J = o.reduce((s, v) => s + 0.5 * v * v, 0) / 2;
    assert.ok(Math.abs(net.loss(X, Y) - J) < 1e-6 * Math.max(1, J));
    tf.dispose([output, X, Y]);
    cache.dispose();
    net.dispose();
  });

  it('mirror64 equals the tf loss on a longer sequence (T 30)', () => {
    const net = lstm({ nx: 3, na: 8, ny: 2, output: 'softmax', outputs: 'every', seed: 5 });
    const X = tf.randomNormal([4, 30, 3], 0, 1, 'float32', 8);
    const Y = tf.tidy(() => tf.randomUniform([4, 30], 0, 2, 'float32', 9).floor().toInt());
    const y = net.labels(Y, X);
    const { output, cache } = net.forward(X);
    const J64 = net.mirror64(X, y, cache)(net.toVector());
    assert.ok(Math.abs(J64.J - net.loss(X, Y)) < 1e-5 * J64.J);
    assert.ok(Math.abs(J64.rows.reduce((s, v) => s + v, 0) - J64.J) < 1e-12);
    assert.equal(J64.rows.length, 4);
    tf.dispose([output, X, Y, y]);
    cache.dispose();
    net.dispose();
  });

  it('relu rnn: mirror64 reports one sign per step, example and unit', () => {
    const net = rnn({ nx: 2, na: 3, ny: 1, hidden: 'relu', seed: 4 });
    const X = tf.randomNormal([2, 4, 2], 0, 1, 'float32', 7), Y = tf.ones([2, 1]);
    const y = net.labels(Y, X);
    const { output, cache } = net.forward(X);
    const { signs } = net.mirror64(X, y, cache)(net.toVector());
    assert.equal(signs!.length, 4 * 2 * 3);
    const z = cache.z.slice(1).flatMap((t) => [...t!.dataSync()]);
    assert.deepEqual([...signs!], z.map((v) => (v > 0 ? 1 : 0)));
    tf.dispose([output, X, Y, y]);
    cache.dispose();
    net.dispose();
  });
});

describe('parameters and theta', () => {
  it('are named after the seed, with the issue\'s shapes, in theta order', () => {
    const r = rnn({ nx: 3, na: 5, ny: 2 });
    assert.deepEqual(r.blocks.map((b) => [b.name, b.grad, b.shape, b.offset, b.layer]), [
      ['Wa', 'dWa', [8, 5], 0, 1], ['ba', 'dba', [5], 40, 1], ['Wy', 'dWy', [5, 2], 45, 2], ['by', 'dby', [2], 55, 2],
    ]);
    assert.equal(r.size, 57);
    const l = lstm({ nx: 3, na: 5, ny: 2, forgetBias: 2 });
    assert.deepEqual(l.blocks.map((b) => b.name), ['Wf', 'Wu', 'Wc', 'Wo', 'bf', 'bu', 'bc', 'bo', 'Wy', 'by']);
    assert.deepEqual(l.params.Wo.shape, [8, 5]);
    assert.equal(l.size, 4 * 40 + 4 * 5 + 10 + 2);
    assert.deepEqual([...l.params.bf.dataSync()], [2, 2, 2, 2, 2]);
    assert.deepEqual([...l.params.bu.dataSync()], [0, 0, 0, 0, 0]);
    assert.equal(l.family, 'lstm');
    assert.equal(r.family, 'rnn');
    r.dispose();
    l.dispose();
  });

  it('toVector / fromVector round-trip; the same seed gives the same weights', () => {
    const a = lstm({ nx: 2, na: 3, ny: 1, seed: 7 }), b = lstm({ nx: 2, na: 3, ny: 1, seed: 7 }), c = lstm({ nx: 2, na: 3, ny: 1, seed: 8 });
    assert.deepEqual(a.toVector(), b.toVector());
    assert.notDeepEqual(a.toVector(), c.toVector());
    const theta = Float64Array.from(a.toVector(), (t, i) => t * 0.5 + i * 1e-3);
    a.fromVector(theta);
    const back = a.toVector();
    for (let i = 0; i < theta.length; i++) assert.ok(Math.abs(back[i] - theta[i]) < 1e-6);
    assert.throws(() => a.fromVector(new Float64Array(3)), /invalid theta: length 3 \(expected 76,/);
    [a, b, c].forEach((n) => n.dispose());
  });

  it('init variance: xavier over fan-in na + nx; scale multiplies Wa', () => {
    const r = rnn({ nx: 40, na: 200, ny: 1, seed: 1 }), s = rnn({ nx: 40, na: 200, ny: 1, seed: 1, scale: 3 });
    const v = (x: ArrayLike<number>) => Array.from(x).reduce((p, q) => p + q * q, 0) / x.length;
    const va = v(r.params.Wa.dataSync());
    assert.ok(Math.abs(va / (2 / 440) - 1) < 0.05, `Var(Wa) ${va}`);
    assert.ok(Math.abs(v(s.params.Wa.dataSync()) / va - 9) < 1e-3);
    assert.match(s.toString(), /x 3/);
    r.dispose();
    s.dispose();
  });
});

describe('bad input is named', () => {
  const net = lstm({ nx: 3, na: 4, ny: 1 });
  const cases: [string, () => unknown, RegExp][] = [
    ['X of rank 2', () => net.forward(tf.zeros([5, 3])), /invalid X: rank 2, shape \[5, 3\] \(expected a 3-D tensor \[m, T, 3\].*X\.expandDims\(1\)/],
    ['X of the wrong width', () => net.forward(tf.zeros([5, 2, 4])), /invalid X: shape \[5, 2, 4\], 4 inputs per step \(expected \[m, T, 3\]: the net has nx = 3\)/],
    ['X with NaN', () => net.forward(tf.tensor3d([[[1, 2, NaN]]])), /invalid X: entry \[0, 0, 2\] is NaN/],
    ['X not a tensor', () => net.forward([[1, 2, 3]] as never), /invalid X: \[\[1,2,3\]\]/],
    ['a0 of the wrong shape', () => net.forward(tf.zeros([2, 1, 3]), { a0: tf.zeros([2, 3]) }), /invalid a0: tensor of shape \[2, 3\] \(expected a tensor \[2, 4\]/],
    ['c0 of the wrong shape', () => net.forward(tf.zeros([2, 1, 3]), { c0: tf.zeros([1, 4]) }), /invalid c0/],
    ['a typo in forward options', () => net.forward(tf.zeros([2, 1, 3]), { ao: 1 } as never), /invalid options.ao/],
    ['Y of the wrong shape', () => net.loss(tf.zeros([2, 3, 3]), tf.zeros([2, 3, 1])), /invalid Y: shape \[2, 3, 1\] \(expected \[2, 1\]/],
    ['Y out of range for sigmoid', () => net.loss(tf.zeros([2, 3, 3]), tf.tensor2d([[0], [2]])), /invalid Y: entry \[1, 0\] is 2/],
    ['an unknown option', () => lstm({ nx: 3, na: 4, ny: 1, forgetbias: 1 } as never), /invalid options.forgetbias/],
    ['a bad variant', () => lstm({ nx: 3, na: 4, ny: 1, variant: 'peephole' as never }), /invalid variant: "peephole" \(expected one of standard, lecture\)/],
    ['a bad outputs', () => rnn({ nx: 3, na: 4, ny: 1, outputs: 'all' as never }), /invalid outputs: "all" \(expected one of last, every\)/],
    ['a sigmoid rnn', () => rnn({ nx: 3, na: 4, ny: 1, hidden: 'sigmoid' as never }), /invalid hidden: "sigmoid" \(expected one of tanh, relu\)/],
    ['na 0', () => rnn({ nx: 3, na: 0, ny: 1 }), /invalid na: 0 \(expected an integer >= 1\)/],
    ['an identity init (W is not square)', () => rnn({ nx: 3, na: 4, ny: 1, init: { identity: 1 } }), /invalid init: \{"identity":1\} \(expected a random init .*: Wa is \[na \+ nx, na\] = \[7, 4\], not square\)/],
    ['softmax with ny 1', () => lstm({ nx: 3, na: 4, ny: 1, output: 'softmax' }), /invalid ny: 1 \(expected at least 2 outputs/],
  ];
  for (const [name, f, message] of cases) {
    it(`${name}: a GradscopeError naming it, nothing leaked`, () => {
      const before = tf.memory().numTensors;
      tf.engine().startScope();
      assert.throws(f, (e: unknown) => e instanceof gs.GradscopeError && message.test((e as Error).message));
      tf.engine().endScope();
      assert.equal(tf.memory().numTensors, before);
    });
  }

  it('outputs every: Y [m, T, ny] or class indices [m, T]; bad rows named by sequence and step', () => {
    const every = rnn({ nx: 1, na: 2, ny: 2, output: 'softmax', outputs: 'every' });
    const X = tf.zeros([2, 3, 1]);
    assert.throws(() => every.loss(X, tf.zeros([2, 2])), /invalid Y: shape \[2, 2\] \(expected \[2, 3, 2\] \(or class indices \[2, 3\]\)/);
    assert.throws(() => every.loss(X, tf.tensor2d([[0, 1, 0], [1, 5, 0]])), /class index 5 at \[1, 1\] \(sequence, step\)/);
    const byIndex = every.loss(X, tf.tensor2d([[0, 1, 0], [1, 1, 0]]));
    const byOneHot = every.loss(X, tf.oneHot(tf.tensor2d([[0, 1, 0], [1, 1, 0]], undefined, 'int32'), 2));
    assert.ok(Math.abs(byIndex - byOneHot) < 1e-6);
    assert.ok(Math.abs(byIndex - 3 * Math.log(2)) < 0.3);
    X.dispose();
    every.dispose();
  });

  it('a disposed net or cache is named', () => {
    const n = rnn({ nx: 1, na: 2, ny: 1 });
    const X = tf.zeros([1, 2, 1]), Y = tf.zeros([1, 1]);
    const { output, cache } = n.forward(X);
    cache.dispose();
    assert.throws(() => n.backward(cache, Y), /invalid cache: already disposed/);
    n.dispose();
    assert.throws(() => n.assertUsable(), /invalid net: this rnn was disposed/);
    tf.dispose([X, Y, output]);
  });
});

describe('no tensor leaked', () => {
  it('forward, backward, autograd, loss, mirror64, toVector/fromVector leave numTensors unchanged', () => {
    for (const net of [rnn({ nx: 2, na: 3, ny: 1, outputs: 'every' }), lstm({ nx: 2, na: 3, ny: 1, variant: 'lecture', outputs: 'every' })]) {
      const X = tf.randomNormal([2, 4, 2]), Y = tf.zeros([2, 4, 1]);
      const before = tf.memory().numTensors;
      const { output, cache } = net.forward(X);
      const g = (net as never as { backward(c: unknown, y: unknown): gs.Grads }).backward(cache, Y);
      const auto = (net as never as { autogradGrads(x: unknown, y: unknown): gs.Grads }).autogradGrads(X, Y);
      const y = net.labels(Y, X);
      net.mirror64(X, y, cache as never)(net.toVector());
      net.fromVector(net.toVector());
      (net as never as { loss(x: unknown, y: unknown): number }).loss(X, Y);
      tf.dispose([output, g, auto, y] as never);
      cache.dispose();
      assert.equal(tf.memory().numTensors, before);
      tf.dispose([X, Y]);
      net.dispose();
    }
  });

  it('a step backward that throws leaks nothing', () => {
    const net = lstm({ nx: 2, na: 3, ny: 1 });
    const X = tf.randomNormal([2, 4, 2]), Y = tf.zeros([2, 1]);
    const { output, cache } = net.forward(X);
    const before = tf.memory().numTensors;
    assert.throws(() => net.backward(cache, Y, (s, da) => { da.mul(2); throw new Error('student bug'); }), /student bug/);
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([X, Y, output]);
    cache.dispose();
    net.dispose();
  });
});

describe('the float64 differences of the helpers are exact enough to judge', () => {
  it('eps 1e-6 and 1e-5 agree to 1e-7 on an LSTM', () => {
    const net = lstm({ nx: 2, na: 3, ny: 1, seed: 3 });
    const { X, Y } = data(2, 5, 2, 1, 'sigmoid', 'last', 3);
    const y = net.labels(Y, X);
    const { output, cache } = net.forward(X);
    const a = numericGrad(net, X, y, cache, 1e-6), b = numericGrad(net, X, y, cache, 1e-5);
    assert.ok(relErr(a.grad, b.grad) < 1e-7);
    tf.dispose([X, Y, y, output]);
    cache.dispose();
    net.dispose();
  });
});
