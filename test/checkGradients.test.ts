import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Tensor } from '@tensorflow/tfjs';
import * as gs from '../src/index';

const { tf } = gs;
before(async () => { await gs.ready(); });

/** x^2 with a hand-written gradient: dy * 2x, or one of two classic mistakes. */
const square = (mistake?: 'factor 2' | 'chain rule dy') =>
  tf.customGrad(((x: Tensor, save: (t: Tensor[]) => void) => {
    save([x]);
    return {
      value: x.square(),
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [xs] = saved;
        if (mistake === 'factor 2') return dy.mul(xs);
        if (mistake === 'chain rule dy') return xs.mul(2);
        return dy.mul(xs).mul(2);
      },
    };
  }) as never) as unknown as (x: Tensor) => Tensor;

describe('checkGradients', () => {
  it('passes a correct custom gradient, inside a larger function of two inputs', () => {
    const sq = square();
    const x = tf.tensor1d([0.5, -1.2, 2]), w = tf.tensor2d([[0.3, -0.2], [0.1, 0.4], [-0.5, 0.2]]);
    const before = tf.memory().numTensors;
    const r = gs.checkGradients((x, w) => sq(x).reshape([1, 3]).matMul(w).sin().sum(), [x, w]);
    assert.equal(tf.memory().numTensors, before);
    assert.equal(r.verdict, 'great', r.toString());
    assert.deepEqual(r.blocks.map((b) => b.name), ['x0', 'x1']);
    assert.ok(r.relativeError < 1e-3);
    assert.equal(r.evaluations, 2 * (3 + 6) + 8); // two per entry, and 8 that measure the round-off of f
    tf.dispose([x, w]);
  });

  it('flags a custom gradient that forgets the factor 2, and one that drops the chain rule dy', () => {
    const x = tf.tensor1d([0.5, -1.2, 2]);
    for (const mistake of ['factor 2', 'chain rule dy'] as const) {
      const sq = square(mistake);
      const r = gs.checkGradients((x) => sq(x).sin().sum(), [x]);
      assert.equal(r.verdict, 'wrong', `${mistake}\n${r}`);
      assert.equal(r.blocks[0].verdict, 'wrong');
      assert.ok(r.relativeError > 0.05, `${mistake}: ${r.relativeError}`);
      assert.match(r.toString(), /x0/);
    }
    x.dispose();
  });

  it('rejects bad input, naming the argument', () => {
    const x = tf.tensor1d([1, 2]);
    const names = (fn: () => unknown, arg: string) => assert.throws(fn, (e: unknown) => e instanceof gs.GradscopeError && e.argument === arg);
    names(() => gs.checkGradients(3 as never, [x]), 'f');
    names(() => gs.checkGradients((x) => x.sum(), []), 'xs');
    names(() => gs.checkGradients((x) => x, [x]), 'f');
    names(() => gs.checkGradients((x) => x.sum(), [tf.tensor1d([1, NaN])]), 'xs[0]');
    names(() => gs.checkGradients((x) => x.sum(), [x], { eps: 0 }), 'eps');
    names(() => gs.checkGradients((x) => x.sum(), [x], { rtoll: 1 } as never), 'options.rtoll');
    x.dispose();
  });
});

describe('checkGradients at scale and on hostile input (issue 9)', () => {
  it('a plain correct function passes at any size; a customGrad 1.5x off still fails', () => {
    const before = tf.memory().numTensors;
    for (const n of [100, 1000, 10000]) {
      const x = tf.randomNormal([n], 0, 1, 'float32', 1);
      const r = gs.checkGradients((v) => v.square().sum(), [x]);
      assert.ok(r.verdict === 'great' || r.verdict === 'ok', `n ${n}\n${r}`);
      const off = tf.customGrad(((v: gs.tf.Tensor) => ({ value: v.square(), gradFunc: (dy: gs.tf.Tensor) => dy.mul(v).mul(3) })) as never) as (v: gs.tf.Tensor) => gs.tf.Tensor;
      assert.equal(gs.checkGradients((v) => off(v).sum(), [x]).verdict, 'wrong', `n ${n}`);
      if (n > 2000) assert.ok(r.notes.some((s) => s.startsWith(`sampled: 2000 of ${n}`)), r.notes.join('\n'));
      x.dispose();
    }
    assert.equal(tf.memory().numTensors, before);
  });

  it('maxEntries sets the sample', () => {
    const x = tf.randomNormal([500], 0, 1, 'float32', 2);
    const r = gs.checkGradients((v) => v.square().sum(), [x], { maxEntries: 50 });
    assert.equal(r.checked, 50);
    assert.equal(r.mode, 'sparse');
    x.dispose();
  });

  it('clear errors: empty tensor, a function that ignores its input, eps below float32 resolution', () => {
    const e = tf.tensor1d([]);
    assert.throws(() => gs.checkGradients((v) => v.sum(), [e]), /invalid xs\[0\]: an empty tensor/);
    const x = tf.tensor1d([1, 2]), y = tf.tensor1d([3]);
    assert.throws(() => gs.checkGradients((a) => a.sum(), [x, y]), /invalid f: tf.grads could not differentiate it/);
    const big = tf.tensor1d([1000, 2]);
    assert.throws(() => gs.checkGradients((v) => v.square().sum(), [big], { eps: 1e-9 }), /invalid eps: 1e-9 cannot work in float32/);
    assert.throws(() => gs.checkGradients((v) => v.square().sum(), [tf.fill([2], 1e7)], { eps: 1e-4 }), /invalid eps: 0.0001 is below float32's resolution at xs\[0\] entry 0 = 10000000/);
    tf.dispose([e, x, y, big]);
  });
});
