// Hostile input (issue 9 item 7): each case threw a raw error, ran away or was accepted silently before.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Tensor2D } from '@tensorflow/tfjs';
import * as gs from '../src/index';

const { tf } = gs;
before(async () => { await gs.ready(); });

const named = (argument: string, pattern: RegExp) => (e: unknown) => e instanceof gs.GradscopeError && e.argument === argument && pattern.test(e.message);

describe('hostile input gets a GradscopeError naming the argument', () => {
  it('disposed nets, caches, tensors and masks', () => {
    const net = gs.mlp({ sizes: [3, 4, 2], seed: 1 });
    const X = tf.randomNormal([5, 3]) as Tensor2D, Y = tf.tensor2d([[1, 0], [0, 1], [1, 1], [0, 0], [1, 0]]);
    const { output, cache } = net.forward(X);
    cache.dispose();
    assert.throws(() => net.backward(cache, Y), named('cache', /disposed/));
    assert.throws(() => net.backward(undefined as never, Y), named('cache', /invalid cache: undefined \(expected the cache of net.forward/));
    assert.throws(() => net.forward(X, { masks: [undefined, tf.ones([2, 4]) as Tensor2D] }), named('masks[1]', /shape \[2,4\].*expected undefined or a 0\/1 tensor of shape \[5,4\]/));
    const dead = tf.randomNormal([5, 3]) as Tensor2D; dead.dispose();
    assert.throws(() => gs.gradCheck(net, dead, Y), named('X', /a disposed tensor/));
    const deadY = tf.tensor2d([[1, 0]]); deadY.dispose();
    assert.throws(() => net.loss(X, deadY), named('Y', /a disposed tensor/));
    assert.throws(() => net.sampleMasks(-1), named('m', /-1/));
    assert.throws(() => net.sampleMasks(NaN), named('m', /NaN/));
    net.dispose();
    for (const call of [() => gs.gradCheck(net, X, Y), () => net.forward(X), () => net.toVector(), () => gs.layerStats(net, X, Y), () => gs.activationHistograms(net, X)]) {
      assert.throws(call, named('net', /was disposed/));
    }
    tf.dispose([output, X, Y]);
  });

  it('null nets for the statistics', () => {
    const X = tf.randomNormal([2, 3]) as Tensor2D, Y = tf.tensor2d([[1], [0]]);
    assert.throws(() => gs.layerStats(null as never, X, Y), named('net', /invalid net: null/));
    assert.throws(() => gs.activationHistograms(null as never, X), named('net', /invalid net: null/));
    tf.dispose([X, Y]);
  });

  it('sizes past the memory budget fail at once with what they would need', () => {
    const t0 = performance.now();
    assert.throws(() => gs.mlp({ sizes: [1e6, 1e6] }), named('sizes', /would need about 1\.60e\+4 GB|would need about 16000 GB/));
    assert.throws(() => gs.mlp({ sizes: [3e4, 3e4] }), named('sizes', /would need about 14\.4 GB.*GRADSCOPE_MAX_MEMORY/));
    assert.throws(() => gs.depthSweep({ width: 1e5, depth: 2 }), named('width', /would need about/));
    // the largest deepLinear (7.9e10 multiply-adds) fits the default budget of 1e11: a smaller GRADSCOPE_MAX_WORK refuses it
    process.env.GRADSCOPE_MAX_WORK = '1e10';
    try {
      assert.throws(() => gs.deepLinear({ depth: 100000, dim: 512 }), named('depth', /multiply-adds.*GRADSCOPE_MAX_WORK/));
    } finally {
      delete process.env.GRADSCOPE_MAX_WORK;
    }
    assert.ok(performance.now() - t0 < 2000, 'refused before any work');
    assert.throws(() => gs.gradCheck(gs.mlp({ sizes: [2, 2] }), tf.zeros([1, 2]) as Tensor2D, tf.zeros([1, 2]), { mode: 'directional', directions: 1e5 }), named('directions', /100000/));
  });

  it('values that cannot be represented are refused; overflow that is the truth is Infinity', () => {
    assert.throws(() => gs.mlp({ sizes: [2, 2], init: { gain: 1e308 } }), named('init', /beyond float32's range/));
    const net = gs.mlp({ sizes: [2, 2] });
    assert.throws(() => net.fromVector(new Float64Array(net.size).fill(1e39)), named('theta', /beyond float32's range/));
    net.dispose();
    const up = gs.deepLinear({ scale: 10, depth: 400 });
    assert.equal(up.output, Infinity, 'scale 10 over 400 layers overflows float64: the truth is Infinity, not NaN');
  });

  it('numericDerivative of an f that returns no number', () => {
    assert.throws(() => gs.numericDerivative((() => undefined) as never, 1), named('f', /f\(1\.01\) returned undefined \(a missing return\?\)/));
    assert.throws(() => gs.numericDerivative((() => 'x') as never, 1), named('f', /returned string/));
  });

  it('charts.variance with garbage rows', () => {
    assert.throws(() => gs.charts.variance([{ a: 1 }] as never), named('theory', /varianceTheory rows/));
    const theory = gs.varianceTheory({ sizes: [4, 4, 1], hidden: 'relu', init: 'he' });
    assert.throws(() => gs.charts.variance(theory, [{ nope: 1 }] as never), (e: unknown) => e instanceof gs.GradscopeError && e.argument === 'measured');
  });
});
