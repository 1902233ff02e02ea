/**
 * What notebook 05 says about clipping, on a short run: an RNN with Wa x 2 trained by plain SGD at
 * lr 1 saturates every hidden unit after its first update and its recurrent gradient is gone; with
 * gs.train's clip (the global gradient norm) the units stay alive and the recurrent layer keeps learning.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as gs from '../src/index';

const { tf } = gs;

before(async () => { await gs.ready(); });

describe('an exploding rnn, gs.train and clip', () => {
  it('no clipping: every unit saturated and ||dWa|| ~ 0 after one step; clip 0.5: neither', () => {
    const X = tf.randomNormal([64, 50, 2], 0, 1, 'float32', 1);
    const Y = tf.tidy(() => X.slice([0, 45, 0], [64, 5, 1]).sum([1, 2]).greater(0).toFloat().reshape([64, 1]));
    const before = tf.memory().numTensors;
    const run = (clip?: number) => {
      const net = gs.rnn({ nx: 2, na: 32, ny: 1, seed: 1, scale: 2 });
      const h = gs.train(net, X, Y, { epochs: 6, lr: 1, clip, onProgress: false });
      const { output, cache } = net.forward(X);
      const saturated = tf.tidy(() => cache.a[50].abs().greater(0.99).mean().dataSync()[0]);
      output.dispose();
      cache.dispose();
      net.dispose();
      const iWa = h.gradNames.indexOf('dWa');
      return { h, saturated, dWa: h.epochs.map((e) => e.gradNorm[iWa]) };
    };
    const free = run(), clipped = run(0.5);
    assert.ok(free.dWa[0] > 50, `||dWa|| at the start ${free.dWa[0]}`); // the exploding gradient
    assert.equal(free.dWa[0], clipped.dWa[0]);
    assert.ok(free.saturated === 1, `saturated without clipping: ${free.saturated}`);
    assert.ok(free.dWa.slice(3).every((g) => g < 1e-3), `||dWa|| without clipping: ${free.dWa}`);
    assert.ok(clipped.saturated < 0.8, `saturated with clipping: ${clipped.saturated}`);
    assert.ok(clipped.dWa.slice(3).every((g) => g > 1e-2), `||dWa|| with clipping: ${clipped.dWa}`);
    assert.ok(clipped.h.clipped >= 5);
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([X, Y]);
  });
});
