/**
 * gs.gru: forward shapes, hand BPTT == tf autograd == float64 differences, gs.gradCheck in every mode
 * and precision, planted BPTT mistakes flagged in the blocks they corrupt, gs.train with clip and
 * gs.gradientThroughTime, each leaving tf.memory().numTensors unchanged.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as gs from '../src/index';
import { BPTT_BUGS } from './bptt-bugs';
import { data, threeWay } from './recurrent.helpers';

const { tf } = gs;

before(async () => { await gs.ready(); });

describe('gs.gru', () => {
  it('forward shapes, parameters, options refused', () => {
    const before = tf.memory().numTensors;
    const net = gs.gru({ nx: 3, na: 5, ny: 2, output: 'softmax', seed: 1 });
    assert.deepEqual(net.blocks.map((b) => [b.name, b.shape]), [
      ['Wu', [8, 5]], ['Wr', [8, 5]], ['Wa', [8, 5]], ['bu', [5]], ['br', [5]], ['ba', [5]], ['Wy', [5, 2]], ['by', [2]]]);
    assert.equal(net.size, 3 * 40 + 15 + 12);
    assert.equal(net.family, 'gru');
    const X = tf.randomNormal([4, 7, 3], 0, 1, 'float32', 1);
    const { output, cache } = net.forward(X);
    assert.deepEqual(output.shape, [4, 2]);
    assert.equal(cache.a.length, 8);
    assert.deepEqual(cache.Gu[7]!.shape, [4, 5]);
    assert.deepEqual(cache.aTilde[1]!.shape, [4, 5]);
    tf.dispose(output);
    cache.dispose();
    const every = gs.gru({ nx: 3, na: 5, ny: 1, outputs: 'every' });
    const r = every.forward(X);
    assert.deepEqual(r.output.shape, [4, 7, 1]);
    tf.dispose(r.output);
    r.cache.dispose();
    assert.throws(() => gs.gru({ nx: 3, na: 5, ny: 1, hidden: 'relu' } as never), /invalid options.hidden/);
    assert.throws(() => gs.gru({ nx: 0, na: 5, ny: 1 }), /invalid nx/);
    assert.throws(() => gs.gru({ nx: 3, na: 5, ny: 1, output: 'softmax' }), /invalid ny/);
    const carry = gs.gru({ nx: 3, na: 5, ny: 1, updateBias: -2 });
    assert.deepEqual([...carry.params.bu.dataSync()], [-2, -2, -2, -2, -2]);
    assert.deepEqual([...carry.params.br.dataSync()], [0, 0, 0, 0, 0]);
    assert.equal(carry.seriesName(), 'gru updateBias -2');
    assert.match(String(carry), /updateBias -2, /);
    carry.dispose();
    assert.throws(() => gs.gru({ nx: 3, na: 5, ny: 1, updateBias: 1e39 }), /invalid updateBias: 1e\+39 \(expected a finite number >= -100 and <= 100\)/);
    assert.throws(() => gs.gru({ nx: 3, na: 5, ny: 1, updateBias: '-2' as never }), /invalid updateBias/);
    const flat = tf.zeros([2, 3]);
    assert.throws(() => net.forward(flat), /invalid X: rank 2/);
    flat.dispose();
    const same = gs.gru({ nx: 3, na: 5, ny: 2, output: 'softmax', seed: 1 });
    assert.deepEqual(same.toVector(), net.toVector());
    const scaled = gs.gru({ nx: 3, na: 5, ny: 2, output: 'softmax', seed: 1, scale: 3 });
    const wa = net.blocks.find((b) => b.name === 'Wa')!;
    assert.ok(Math.abs(scaled.toVector()[wa.offset] - 3 * net.toVector()[wa.offset]) < 1e-6);
    assert.match(net.toString(), /^gru nx 3 na 5 ny 2 softmax/);
    tf.dispose(X);
    [net, every, same, scaled].forEach((n) => n.dispose());
    assert.equal(tf.memory().numTensors, before);
  });

  for (const [name, options, T, a0] of [
    ['sigmoid last T 6', { nx: 3, na: 4, ny: 1, seed: 1 }, 6, true],
    ['softmax every T 4', { nx: 2, na: 3, ny: 3, output: 'softmax', outputs: 'every', seed: 2 }, 4, false],
    ['linear last T 1', { nx: 2, na: 3, ny: 2, output: 'linear', seed: 3 }, 1, true],
  ] as const) {
    it(`${name}: hand BPTT == tf autograd (< 1e-5) == float64 differences; mirror64's J == tf's J`, () => {
      const net = gs.gru(options as gs.GruOptions);
      const { X, Y } = data(3, T, net.spec.nx, net.spec.ny, net.spec.output as 'sigmoid', net.spec.outputs, 11);
      const state = a0 ? { a0: tf.randomNormal([3, net.spec.na], 0, 0.5, 'float32', 4) } : {};
      const before = tf.memory().numTensors;
      const r = threeWay(net as never, X, Y, { state });
      for (const b of net.blocks) {
        const [lo, hi] = [b.offset, b.offset + b.size];
        let d = 0, s = 0;
        for (let i = lo; i < hi; i++) { d += (r.hand[i] - r.auto[i]) ** 2; s += r.hand[i] ** 2 + r.auto[i] ** 2; }
        assert.ok(Math.sqrt(d) <= 1e-5 * Math.sqrt(s) + 1e-9, `${b.grad}: hand vs autograd ${Math.sqrt(d / s)}`);
      }
      for (const [b, e] of Object.entries(r.blocks)) assert.ok(e < 1e-5, `${b} hand vs float64: ${e}`);
      // the float64 mirror's J against tf's J
      const y = net.labels(Y, X);
      const { output, cache } = net.forward(X, state);
      const J64 = net.mirror64(X, y, cache)(net.toVector()).J;
      const J32 = tf.tidy(() => {
        const loss = net.loss(X, Y, state);
        return loss;
      });
      assert.ok(Math.abs(J64 - J32) < 1e-5 * Math.max(1, Math.abs(J64)), `J64 ${J64} vs tf ${J32}`);
      tf.dispose([output, y]);
      cache.dispose();
      assert.equal(tf.memory().numTensors, before);
      tf.dispose([X, Y, ...Object.values(state)]);
      net.dispose();
    });
  }

  it('gs.gradCheck: great in full, sparse and directional float64; great or ok in float32', () => {
    const net = gs.gru({ nx: 3, na: 4, ny: 1, seed: 5 });
    const { X, Y } = data(3, 7, 3, 1, 'sigmoid', 'last', 7);
    const before = tf.memory().numTensors;
    for (const options of [{}, { mode: 'sparse' as const }, { mode: 'directional' as const }, { precision: 'float32' as const }, { mode: 'directional' as const, precision: 'float32' as const }]) {
      const r = gs.gradCheck(net, X, Y, { ...options, progress: false });
      const good = options.precision === 'float32' ? ['great', 'ok'] : ['great'];
      assert.ok(good.includes(r.verdict), `${JSON.stringify(options)}: ${r.verdict}\n${String(r)}`);
      assert.deepEqual(r.blocks.map((b) => b.name).sort(), net.blocks.map((b) => b.grad).sort());
      assert.equal(tf.memory().numTensors, before);
    }
    tf.dispose([X, Y]);
    net.dispose();
  });

  // the GRU's planted mistakes live in the BPTT catalogue (test/bptt-bugs.ts), flagged there by the
  // three-way comparison with a nonzero a^(0); here gs.gradCheck (a^(0) = 0) flags those that show
  // through time in both modes
  for (const { name, T, step, wrong } of BPTT_BUGS.filter((b) => b.family === 'gru' && b.T > 1)) {
    it(`gs.gradCheck flags ${name} in ${wrong.join(', ')}`, () => {
      const net = gs.gru({ nx: 3, na: 4, ny: 1, seed: 3 });
      const { X, Y } = data(3, T, 3, 1, 'sigmoid', 'last', 20 + T);
      const before = tf.memory().numTensors;
      const backward = (n: gs.Gru, cache: gs.GruCache, y: gs.tf.Tensor) => n.backward(cache, y, step as gs.GruStepBackward);
      for (const mode of ['full', 'directional'] as const) {
        const r = gs.gradCheck(net, X, Y, { backward: backward as never, mode, progress: false });
        assert.ok(['wrong', 'worry'].includes(r.verdict), `${mode}: ${r.verdict}\n${String(r)}`);
        if (mode === 'full') {
          for (const blk of r.blocks) {
            if (wrong.includes(blk.name)) assert.ok(['wrong', 'worry'].includes(blk.verdict), `${blk.name} should be flagged:\n${String(r)}`);
            else assert.ok(['great', 'ok', 'inconclusive'].includes(blk.verdict), `${blk.name} should pass:\n${String(r)}`);
          }
        }
        assert.equal(tf.memory().numTensors, before);
      }
      // the correct step passes the same check
      assert.equal(gs.gradCheck(net, X, Y, { progress: false }).verdict === 'wrong', false);
      tf.dispose([X, Y]);
      net.dispose();
    });
  }

  it("a step's output is checked: a missing or misshapen gradient is named", () => {
    const net = gs.gru({ nx: 2, na: 3, ny: 1 });
    const { X, Y } = data(2, 3, 2, 1, 'sigmoid', 'last', 3);
    const before = tf.memory().numTensors;
    const { output, cache } = net.forward(X);
    assert.throws(() => net.backward(cache, Y, (s, da) => ({ ...gs.gruStepBackward(s, da), dWr: undefined as never })), /invalid step: at t = 3 its dWr is undefined/);
    assert.throws(() => net.backward(cache, Y, (s, da) => ({ ...gs.gruStepBackward(s, da), dba: tf.zeros([2]) })), /dba is shape \[2\] \(expected a tensor of shape \[3\]\)/);
    tf.dispose(output);
    cache.dispose();
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([X, Y]);
    net.dispose();
  });

  it('gs.train with clip lowers the loss', () => {
    const X = tf.randomNormal([32, 12, 2], 0, 1, 'float32', 1);
    const Y = tf.tidy(() => X.slice([0, 8, 0], [32, 4, 1]).sum([1, 2]).greater(0).toFloat().reshape([32, 1]));
    const net = gs.gru({ nx: 2, na: 8, ny: 1, seed: 1 });
    const before = tf.memory().numTensors;
    const h = gs.train(net, X, Y, { epochs: 8, lr: 0.5, clip: 1, onProgress: false });
    assert.equal(tf.memory().numTensors, before);
    assert.equal(h.family, 'gru');
    const losses = h.epochs.map((e) => e.loss);
    assert.ok(losses[losses.length - 1] < losses[0], `loss ${losses}`);
    tf.dispose([X, Y]);
    net.dispose();
  });

  it('gs.gradientThroughTime: finite norms for t = 1..T', () => {
    const net = gs.gru({ nx: 3, na: 5, ny: 1, seed: 2 });
    const X = tf.randomNormal([4, 10, 3], 0, 1, 'float32', 1), Y = tf.tidy(() => tf.randomUniform([4, 1], 0, 1, 'float32', 2).round());
    const before = tf.memory().numTensors;
    const rows = gs.gradientThroughTime(net, X, Y);
    assert.equal(tf.memory().numTensors, before);
    assert.deepEqual(rows.map((r) => r.t), Array.from({ length: 10 }, (_, i) => i + 1));
    assert.ok(rows.every((r) => r.model === 'gru' && r.family === 'gru' && Number.isFinite(r.gradNorm) && r.gradNorm > 0 && r.cellGradNorm === undefined));
    assert.throws(() => gs.gradientThroughTime(net, X, Y, { c0: X }), /invalid c0: .*a gru has no cell state/);
    assert.throws(() => gs.gradientThroughTime({} as never, X, Y), /expected a recurrent network from gs\.rnn, gs\.lstm or gs\.gru/);
    tf.dispose([X, Y]);
    net.dispose();
  });
});
