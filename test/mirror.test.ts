import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as gs from '../src/index';
import { batch64, forward64, loss64 } from '../src/mlp/mirror64';
import { dgAt, deltaConstants, KIND, lossBase, lossDeltas } from '../src/mlp/deltas';
import { activations } from '../src/nn/activations';
import { outputs } from '../src/nn/losses';
import { randomCase } from './nets';

const { tf } = gs;
before(async () => { await gs.ready(); });

describe('the float64 mirror', () => {
  it('agrees with the tf forward pass (loss and every z^l), dropout masks and all', () => {
    for (let i = 0; i < 60; i++) {
      const c = randomCase(i);
      const m = c.X.shape[0];
      const D = c.net.spec.keepProb < 1 ? c.net.sampleMasks(m) : [];
      const { cache } = c.net.forward(c.X, { masks: D });
      const y = c.net.labels(c.Y, m);
      const J32 = c.net.lossTensor(c.X, y, D);
      const b = batch64(c.net.spec, c.X, y, D);
      const J64 = loss64(c.net.spec, c.net.toVector(), b);
      assert.ok(Math.abs(J32.dataSync()[0] - J64) <= 1e-5 * Math.max(1, Math.abs(J64)), `${c.label}: tf ${J32.dataSync()[0]} vs float64 ${J64}`);
      const F = forward64(c.net.spec, c.net.toVector(), b);
      for (let l = 1; l <= c.net.depth; l++) {
        const zt = cache.z[l]!.dataSync();
        let diff = 0, scale = 0;
        for (let k = 0; k < zt.length; k++) { diff = Math.max(diff, Math.abs(zt[k] - F.z[l][k])); scale = Math.max(scale, Math.abs(F.z[l][k])); }
        assert.ok(diff <= 1e-5 * Math.max(1, scale), `${c.label}: z${l} differs by ${diff}`);
      }
      cache.dispose(); tf.dispose([J32, y, ...(D.filter(Boolean) as gs.tf.Tensor[])]);
      c.dispose();
    }
  });
});

describe('the cancellation-free differences', () => {
  it('g(z + d) - g(z) equals the direct difference for moderate d, and stays accurate for tiny d', () => {
    for (const name of gs.ACTIVATIONS) {
      const g = activations[name].g64;
      for (const z of [-3, -0.7, -1e-3, 0.2, 1.5, 4]) {
        const [p1, p2] = deltaConstants(name, Float64Array.of(z));
        for (const d of [0.3, -0.05, 1e-3]) {
          const direct = g(z + d) - g(z);
          const mine = dgAt(KIND[name], z, p1[0], p2[0], d);
          assert.ok(Math.abs(mine - direct) <= 1e-12 * Math.max(1e-3, Math.abs(direct)), `${name} z=${z} d=${d}: ${mine} vs ${direct}`);
        }
        // tiny d: the direct difference loses ~1e-9 of itself, the rearranged form is exact to ~1e-15 of g'(z) d
        const d = 1e-9;
        const slope = activations[name].dg64(z);
        if (slope > 0) assert.ok(Math.abs(dgAt(KIND[name], z, p1[0], p2[0], d) / d - slope) <= 1e-6 * slope, `${name} z=${z}`);
      }
    }
  });

  it('L(z + d) - L(z) equals the direct difference of the losses', () => {
    const z = Float64Array.of(0.3, -1.2, 2.0), y = Float64Array.of(0, 1, 0), d = Float64Array.of(0.05, -0.02, 0.1);
    for (const out of gs.OUTPUTS) {
      const yy = out === 'linear' ? Float64Array.of(0.5, -1, 2) : y;
      const P = lossBase(out, z, 1, 3);
      const zd = z.map((v, k) => v + d[k]);
      const direct = outputs[out].loss64(zd, yy, 0, 3) - outputs[out].loss64(z, yy, 0, 3);
      const mine = lossDeltas[out](z, d, yy, P, 0, 3);
      assert.ok(Math.abs(mine - direct) <= 1e-13, `${out}: ${mine} vs ${direct}`);
    }
  });
});
