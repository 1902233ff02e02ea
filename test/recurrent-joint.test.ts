/**
 * Mode 'directional' on the recurrent families (float64): one joint direction over every block first
 * (check/joint.ts, each block's part weighted by 1 / its part of u . checked; two mirror evaluations,
 * no autograd). A correct net settles there; a planted error makes the joint fail, and the per-block
 * directions and the confirming entries still name the faulty block and entry.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as gs from '../src/index';
import { data } from './recurrent.helpers';

const { tf } = gs;
before(async () => { await gs.ready(); });

const nets: [string, () => gs.Rnn | gs.Lstm | gs.Gru][] = [
  ['rnn tanh', () => gs.rnn({ nx: 3, na: 5, ny: 1, seed: 1 })],
  ['lstm', () => gs.lstm({ nx: 3, na: 4, ny: 1, seed: 3 })],
  ['lstm lecture every softmax', () => gs.lstm({ nx: 2, na: 3, ny: 3, output: 'softmax', outputs: 'every', variant: 'lecture', seed: 5 })],
  ['gru', () => gs.gru({ nx: 3, na: 4, ny: 2, seed: 6 })],
];

const SETTLED = /joint random direction\(s\) u over all \d+ blocks .* so no block needed a direction of its own and autograd was not run/;

describe('directional float64 on recurrent nets: the joint direction first', () => {
  for (const [name, make] of nets) {
    it(`${name}: a correct net is great by the joint direction alone`, () => {
      const net = make();
      const { X, Y } = data(4, 6, net.spec.nx, net.spec.ny, net.spec.output as 'sigmoid', net.spec.outputs, 21);
      const n0 = tf.memory().numTensors;
      const r = gs.gradCheck(net, X, Y, { mode: 'directional', progress: false });
      assert.equal(r.verdict, 'great', String(r));
      assert.ok(r.notes.some((n) => SETTLED.test(n)), r.notes.join('\n'));
      assert.equal(r.evaluations, 2);
      assert.equal(tf.memory().numTensors, n0);
      net.dispose(); tf.dispose([X, Y]);
    });

    for (const scale of [1e-3, -1]) {
      it(`${name}: an entry off by ${scale} x its size fails the joint direction and is named`, () => {
        const net = make();
        const { X, Y } = data(4, 6, net.spec.nx, net.spec.ny, net.spec.output as 'sigmoid', net.spec.outputs, 21);
        const n0 = tf.memory().numTensors;
        const blk = net.blocks[0]; // a gate's W: [na + nx, na]
        const at = 1 * blk.cols + 2;
        const backward = (model: gs.Rnn | gs.Lstm | gs.Gru, cache: never, y: gs.tf.Tensor): gs.Grads => {
          const g = (model.backward as (c: never, y: gs.tf.Tensor) => gs.Grads)(cache, y);
          const G = g[blk.grad];
          const planted = tf.tidy(() => {
            const v = G.dataSync()[at];
            return G.add(tf.oneHot([at], G.size).reshape(G.shape).mul(scale * v - (scale === -1 ? v : 0)));
          });
          G.dispose();
          return { ...g, [blk.grad]: planted };
        };
        const r = gs.gradCheck(net, X, Y, { backward: backward as never, mode: 'directional', progress: false });
        assert.ok(r.notes.some((n) => /one joint direction over all \d+ blocks first: its difference differs from u \. checked/.test(n)), r.notes.join('\n'));
        assert.ok(r.verdict === (scale === -1 ? 'wrong' : 'worry') || r.verdict === 'wrong', String(r)); // 1e-3 relative in one entry: worry or wrong by the block's bands
        assert.deepEqual(r.blocks.filter((b) => b.verdict === 'wrong' || b.verdict === 'worry').map((b) => b.name), [blk.grad], String(r));
        assert.equal(r.worst[0].block, blk.grad);
        assert.deepEqual(r.worst[0].index, [1, 2]);
        assert.equal(tf.memory().numTensors, n0);
        net.dispose(); tf.dispose([X, Y]);
      });
    }
  }
});
