import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as gs from '../src/index';
import { batch64 } from '../src/mirror64';
import { fastGrad64 } from '../src/numeric/fast64';
import { naiveGrad64 } from '../src/numeric/naive64';
import { directional64 } from '../src/numeric/directional64';
import { float32Grad } from '../src/numeric/float32';
import { naiveGrad32 } from '../src/numeric/naive32';
import { layout } from '../src/numeric/layout';
import { rng, unitVector } from '../src/random';
import { randomCase } from './nets';

const { tf } = gs;
before(async () => { await gs.ready(); });

const prepared = (i: number) => {
  const c = randomCase(i);
  const m = c.X.shape[0];
  const D = c.net.spec.keepProb < 1 ? c.net.sampleMasks(m) : [];
  const y = c.net.labels(c.Y, m);
  const batch = batch64(c.net.spec, c.X, y, D);
  return { ...c, y, D, batch, theta: c.net.toVector(), done: () => { tf.dispose([y, ...(D.filter(Boolean) as gs.tf.Tensor[])]); c.dispose(); } };
};

describe('fast float64 numerical gradient', () => {
  it('equals the naive loop to 1e-9 relative across architectures (eps 1e-5), kink flags included', () => {
    for (let i = 0; i < 60; i++) {
      const c = prepared(i);
      const fast = fastGrad64(c.net.spec, c.theta, c.batch, { eps: 1e-5 });
      const naive = naiveGrad64(c.net.spec, c.theta, c.batch, { eps: 1e-5 });
      const keep = Array.from(fast.indices.keys()).filter((k) => !fast.kinks[k] && !naive.kinks[k]);
      const e = gs.relativeError(keep.map((k) => fast.values[k]), keep.map((k) => naive.values[k]));
      assert.ok(e <= 1e-9, `${c.label}: fast vs naive ${e}`);
      assert.deepEqual(fast.kinks, naive.kinks, `${c.label}: kink flags`);
      c.done();
    }
  });

  it('at the seeds\' eps = 1e-7 the naive loop carries round-off ~ u J / eps, the fast one does not', () => {
    // Both compute the same central difference; the naive loop subtracts two full costs J+ - J-, so
    // its own round-off grows like 1/eps (1e-9 relative here), while the fast one differences only
    // the changes: fast at 1e-7 agrees with fast at 1e-5 to truncation O(eps^2).
    let worstNaive = 0;
    for (let i = 0; i < 30; i++) {
      const c = prepared(i);
      const f7 = fastGrad64(c.net.spec, c.theta, c.batch, { eps: 1e-7 });
      const f5 = fastGrad64(c.net.spec, c.theta, c.batch, { eps: 1e-5 });
      const n7 = naiveGrad64(c.net.spec, c.theta, c.batch, { eps: 1e-7 });
      const keep = Array.from(f7.indices.keys()).filter((k) => !f7.kinks[k] && !f5.kinks[k]);
      const pick = (v: Float64Array) => keep.map((k) => v[k]);
      assert.ok(gs.relativeError(pick(f7.values), pick(f5.values)) <= 1e-8, `${c.label}: fast 1e-7 vs fast 1e-5`);
      const en = gs.relativeError(pick(f7.values), pick(n7.values));
      assert.ok(en <= 1e-6, `${c.label}: fast vs naive at 1e-7: ${en}`);
      worstNaive = Math.max(worstNaive, en);
      c.done();
    }
    assert.ok(worstNaive > 1e-11, 'the naive loop does show round-off at eps 1e-7');
  });

  it('sparse: the same numbers for a subset of entries', () => {
    const c = prepared(7);
    const full = fastGrad64(c.net.spec, c.theta, c.batch);
    const idx = Int32Array.from([0, 3, 5, c.theta.length - 1].filter((k, i, a) => a.indexOf(k) === i && k < c.theta.length).sort((a, b) => a - b));
    const part = fastGrad64(c.net.spec, c.theta, c.batch, { indices: idx });
    idx.forEach((k, p) => assert.equal(part.values[p], full.values[k]));
    c.done();
  });

  it('directional: (J(theta + eps v) - J(theta - eps v)) / 2 eps = v . numerical gradient', () => {
    for (let i = 0; i < 20; i++) {
      const c = prepared(i);
      const full = fastGrad64(c.net.spec, c.theta, c.batch, { eps: 1e-6 });
      const r = rng(i);
      const dirs = layout(c.net.spec).map((slot) => ({ slot, v: unitVector(slot.size, r) }));
      const dir = directional64(c.net.spec, c.theta, c.batch, dirs, 1e-6);
      dirs.forEach(({ slot, v }, d) => {
        let dot = 0, mass = 0;
        for (let e = 0; e < slot.size; e++) { dot += v[e] * full.values[slot.offset + e]; mass += Math.abs(v[e] * full.values[slot.offset + e]); }
        if (!dir.kinks[d] && !full.kinks.subarray(slot.offset, slot.offset + slot.size).some(Boolean)) {
          assert.ok(Math.abs(dir.values[d] - dot) <= 1e-7 * mass + 1e-15, `${c.label} ${slot.name}: ${dir.values[d]} vs ${dot}`);
        }
      });
      c.done();
    }
  });
});

describe('float32 numerical gradient on tf tensors', () => {
  it('batched rank-1 version agrees with the naive tensor loop to float32 round-off, without leaking tensors', () => {
    for (const i of [0, 3, 8, 13]) {
      const c = prepared(i);
      const { cache } = c.net.forward(c.X, { masks: c.D });
      const before = tf.memory().numTensors;
      const fast = float32Grad(c.net, cache, c.y, { eps: 1e-2 });
      assert.equal(tf.memory().numTensors, before);
      const naive = naiveGrad32(c.net, c.X, c.y, cache.D, { eps: 1e-2 });
      const keep = Array.from(fast.indices.keys()).filter((k) => !fast.kinks[k]);
      const e = gs.relativeError(keep.map((k) => fast.values[k]), keep.map((k) => naive.values[k]));
      assert.ok(e < 1e-3, `${c.label}: ${e}`);
      cache.dispose();
      c.done();
    }
  });
});
