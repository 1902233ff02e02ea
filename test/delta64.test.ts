/**
 * The recurrent families' fast full float64 paths (recurrent/delta64.ts, paths64.ts and each
 * family's delta64.ts) against the seeds' loop they replace (check/loop64.ts over mirror64: perturb
 * one entry, re-run the whole float64 pass): every entry and direction, both signs, every family,
 * variant, output and output placement.
 *
 * Stated tolerance: |fast - loop| <= 64 u64 J / h + 1e-8 scale. The first term is the loop's own
 * round-off (each of its two J carries about u64 J, divided by the step h); the second covers the
 * h^2 terms at a large eps, where the loop's round-off is small (the fast numbers are the loop's up
 * to 1e-9 of the scale there, measured). Kink flags (relu) must agree.
 */
import { paramBlock } from '../src/nn/block';
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as gs from '../src/index';
import { loopPaths } from '../src/check/loop64';
import { deltas } from '../src/recurrent/paths64';
import { lstmCell } from '../src/lstm/delta64';
import { seq64 } from '../src/recurrent/sequence';
import type { NumericPaths } from '../src/nn/model';
import { data } from './recurrent.helpers';

const { tf } = gs;
before(async () => { await gs.ready(); });

const U64 = 2 ** -53;
const nets: [string, () => gs.Rnn | gs.Lstm | gs.Gru, number][] = [
  ['rnn tanh', () => gs.rnn({ nx: 3, na: 4, ny: 1, seed: 1 }), 6],
  ['rnn relu', () => gs.rnn({ nx: 3, na: 5, ny: 1, hidden: 'relu', seed: 2 }), 6],
  ['lstm', () => gs.lstm({ nx: 3, na: 4, ny: 1, seed: 3 }), 8],
  ['lstm lecture', () => gs.lstm({ nx: 2, na: 3, ny: 1, variant: 'lecture', seed: 4 }), 8],
  ['lstm every softmax', () => gs.lstm({ nx: 2, na: 3, ny: 3, output: 'softmax', outputs: 'every', seed: 5 }), 5],
  ['gru', () => gs.gru({ nx: 3, na: 4, ny: 2, seed: 6 }), 7],
  ['gru every linear', () => gs.gru({ nx: 3, na: 4, ny: 2, output: 'linear', outputs: 'every', seed: 6 }), 5],
];

/** The worst |fast - loop| over the tolerance, for entries and for one direction per block. */
function worst(fast: NumericPaths, loop: NumericPaths, J: number, eps: number): { entries: number; directions: number; kinks: number } {
  const a = fast.entries(undefined, eps, () => undefined), b = loop.entries(undefined, eps, () => undefined);
  const tol = (scale: number): number => (64 * U64 * J) / eps + 1e-8 * scale;
  let entries = 0, kinks = 0;
  for (let i = 0; i < a.values.length; i++) {
    entries = Math.max(entries, Math.abs(a.values[i] - b.values[i]) / tol(b.scale[i]));
    if (a.kinks[i] !== b.kinks[i]) kinks++;
  }
  const dirs = fast.slots.map((slot) => ({ slot, v: Float64Array.from({ length: slot.size }, (_, e) => Math.sin(3 * e + 1)) }));
  const da = fast.directions(dirs, eps, () => undefined), db = loop.directions(dirs, eps, () => undefined);
  let directions = 0;
  for (let i = 0; i < dirs.length; i++) directions = Math.max(directions, Math.abs(da.values[i] - db.values[i]) / tol(db.scale[i]));
  return { entries, directions, kinks };
}

describe('recurrent fast float64 paths', () => {
  for (const [name, make, T] of nets) {
    it(`${name}: every entry and direction equal the loop over mirror64 to the stated tolerance (eps 1e-7 and 1e-3)`, () => {
      const net = make();
      const { X, Y } = data(3, T, net.spec.nx, net.spec.ny, net.spec.output as 'sigmoid', net.spec.outputs, 11);
      const before = tf.memory().numTensors;
      const options = { seed: 0, precision: 'float64' as const, autograd: true, notes: [] };
      for (const eps of [1e-7, 1e-3]) {
        const fast = net.exactPaths(X, Y, options)!, loop = loopPaths(net, X, Y, options);
        try {
          assert.match(fast.method, /cached base pass/);
          const J = net.mirror64(X, loop.y, loop.cache as never)(loop.theta).J;
          const w = worst(fast, loop, J, eps);
          assert.ok(w.entries <= 1, `${name} eps ${eps}: entries off by ${w.entries} x the tolerance`);
          assert.ok(w.directions <= 1, `${name} eps ${eps}: directions off by ${w.directions} x the tolerance`);
          assert.equal(w.kinks, 0);
        } finally {
          for (const q of [fast, loop]) { tf.dispose(Object.values(q.grads ?? {})); q.dispose(); }
        }
      }
      assert.equal(net.exactPaths(X, Y, { ...options, precision: 'float32' }), undefined); // float32: the generic loop
      assert.equal(tf.memory().numTensors, before);
      tf.dispose([X, Y]);
      net.dispose();
    });
  }

  it('the comparison sees a planted error: a cell with the other variant formulas, or a base pass off by 1e-4 in one Wu entry, fails it', () => {
    const net = gs.lstm({ nx: 3, na: 4, ny: 1, seed: 3 });
    const { X, Y } = data(3, 8, 3, 1, 'sigmoid', 'last', 11);
    const options = { seed: 0, precision: 'float64' as const, autograd: true, notes: [] };
    const loop = loopPaths(net, X, Y, options);
    const theta = loop.theta, eps = 1e-7;
    const J = net.mirror64(X, loop.y, loop.cache as never)(theta).J;
    const b = loop.entries(undefined, eps, () => undefined);
    const s = seq64(net.spec, X, loop.y, (loop.cache as gs.LstmCache).a[0], (loop.cache as gs.LstmCache).c[0]);
    const check = (t: Float64Array, variant: gs.LstmVariant = 'standard'): number => {
      const d = deltas(lstmCell({ ...net.spec, variant }, net.blocks, s, t), net.spec, s, theta, net.blocks);
      let w = 0;
      for (let i = 0; i < theta.length; i++) {
        const blk = net.blocks.findIndex((q) => i < q.offset + q.size), q = net.blocks[blk], e = i - q.offset;
        const p = q.shape.length === 2 ? { block: blk, r: Math.floor(e / q.shape[1]), c: e % q.shape[1] } : { block: blk, r: -1, c: e };
        const v = d.diff(p, ...([theta[i] + eps - theta[i], theta[i] - (theta[i] - eps)] as [number, number])).value;
        w = Math.max(w, Math.abs(v - b.values[i]) / ((64 * U64 * J) / eps + 1e-8 * b.scale[i]));
      }
      return w;
    };
    assert.ok(check(theta) <= 1, 'the right cell passes');
    // a dense direction over every block (what a joint direction needs) through the same cell
    const u = Float64Array.from(theta, (_, i) => Math.sin(7 * i + 1) / Math.sqrt(theta.length));
    const dense = deltas(lstmCell(net.spec, net.blocks, s, theta), net.spec, s, theta, net.blocks).diff({ block: -1, r: -1, c: -1, u }, eps, eps);
    const whole = loop.directions([{ slot: paramBlock('all', [theta.length], 0, 1), v: u }], eps, () => undefined);
    assert.ok(Math.abs(dense.value - whole.values[0]) <= (64 * U64 * J) / eps + 1e-8 * whole.scale[0], `dense direction ${dense.value} vs ${whole.values[0]}`);
    const planted = Float64Array.from(theta);
    planted[net.blocks.find((q) => q.name === 'Wu')!.offset + 5] += 1e-4;
    assert.ok(check(planted) > 1, 'the stale base pass is seen');
    assert.ok(check(theta, 'lecture') > 1, 'the wrong formulas are seen');
    tf.dispose(Object.values(loop.grads ?? {}));
    loop.dispose();
    tf.dispose([X, Y]);
    net.dispose();
  });

  it('gs.gradCheck uses them in full and sparse float64, with the same verdicts', () => {
    const net = gs.lstm({ nx: 3, na: 5, ny: 1, seed: 7 });
    const { X, Y } = data(4, 6, 3, 1, 'sigmoid', 'last', 12);
    const before = tf.memory().numTensors;
    for (const mode of ['full', 'sparse', 'directional'] as const) {
      const r = gs.gradCheck(net, X, Y, { mode, progress: false });
      assert.equal(r.verdict, 'great', String(r));
      assert.ok(r.notes.some((n) => n.includes('cached base pass')), r.notes.join('\n'));
    }
    const bug = gs.gradCheck(net, X, Y, { backward: (n, c, y) => { const g = n.backward(c, y); const dbu = g.dbu.mul(2); g.dbu.dispose(); return { ...g, dbu }; }, progress: false });
    assert.deepEqual(bug.blocks.filter((b) => b.verdict === 'wrong').map((b) => b.name), ['dbu']);
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([X, Y]);
    net.dispose();
  });
});
