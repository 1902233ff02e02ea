import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as gs from '../src/index';
import { BUGS, HARD_CASES, backwardWith, bugCase } from './bugs';
import { suspectIndices } from '../src/check/entries';
import { layout } from '../src/mlp/layout';

const { tf } = gs;
before(async () => { await gs.ready(); });

const MODES: { label: string; options: gs.GradCheckOptions }[] = [
  { label: 'float64 full', options: {} },
  { label: 'float32 full', options: { precision: 'float32' } },
  { label: 'float64 sparse', options: { mode: 'sparse', samples: 5 } },
  { label: 'float64 directional', options: { mode: 'directional' } },
  { label: 'float32 directional', options: { precision: 'float32', mode: 'directional' } },
];

describe('the bug catalogue', () => {
  it('has at least 8 bugs, and its bug-free backward passes on every catalogue net', () => {
    assert.ok(BUGS.length >= 8);
    for (const bug of BUGS) {
      const { net, X, Y } = bugCase(bug, 6, 3);
      const r = gs.gradCheck(net, X, Y, { backward: backwardWith() });
      assert.equal(r.verdict, 'great', `${bug.name} net, no bug\n${r}`);
      net.dispose(); tf.dispose([X, Y]);
    }
  });

  for (const bug of BUGS) {
    it(`${bug.name}: wrong in every mode and precision, the worst block is a faulty one, the others pass`, () => {
      const { net, X, Y } = bugCase(bug, 6, 3);
      for (const { label, options } of MODES) {
        const r = gs.gradCheck(net, X, Y, { backward: bug.backward, ...options });
        assert.equal(r.verdict, 'wrong', `${bug.name}, ${label}\n${r}`);
        const worst = [...r.blocks].sort((a, b) => b.relativeError - a.relativeError)[0];
        assert.ok(bug.faulty.includes(worst.name), `${bug.name}, ${label}: worst block ${worst.name}\n${r}`);
        for (const b of r.blocks) {
          if (!bug.faulty.includes(b.name)) assert.ok(b.verdict === 'great' || b.verdict === 'ok', `${bug.name}, ${label}: ${b.name} is ${b.verdict}\n${r}`);
        }
        if (!label.includes('directional')) assert.ok(bug.faulty.includes(r.worst[0].block), `${bug.name}, ${label}: worst entry in ${r.worst[0].block}`);
        else {
          // a failed directional check is confirmed entry by entry, and then names entries
          assert.ok(r.notes.some((n) => n.includes('confirmed on')), `${bug.name}, ${label}\n${r}`);
          assert.ok(r.worst.length > 0 && bug.faulty.includes(r.worst[0].block));
        }
      }
      net.dispose(); tf.dispose([X, Y]);
    });
  }

  it('directional mode (one direction per block) flags every bug for 25 seeds of the directions', () => {
    const missed: string[] = [];
    for (const bug of BUGS) {
      const { net, X, Y } = bugCase(bug, 6, 3);
      for (let seed = 0; seed < 25; seed++) {
        const r = gs.gradCheck(net, X, Y, { backward: bug.backward, mode: 'directional', seed, progress: false });
        if (r.verdict !== 'wrong') missed.push(`${bug.name}, seed ${seed}: ${r.verdict}`);
      }
      net.dispose(); tf.dispose([X, Y]);
    }
    assert.deepEqual(missed, []);
  });

  it('confirmation picks the entries where hand and autograd differ most, then seeded random ones', () => {
    const net = gs.mlp({ sizes: [4, 5, 3], seed: 1 });
    const slots = layout(net.spec); // W1 (20), b1 (5), W2 (15), b2 (3)
    const auto = Float64Array.from({ length: net.size }, (_, i) => Math.sin(i));
    const hand = auto.slice();
    hand[7] += 0.5; hand[3] -= 0.9; hand[12] += 0.1; // three wrong entries of W1
    hand[slots[2].offset + 4] += 0.2; // one of W2
    const a = { hand, auto, bad: new Map<string, string>() };
    assert.deepEqual([...suspectIndices([slots[0]], a, 2, 2, 0)], [3, 7]); // the two largest gaps
    assert.deepEqual([...suspectIndices([slots[0], slots[2]], a, 1, 1, 0)], [3, slots[2].offset + 4]);
    const all = [...suspectIndices([slots[0]], a, 2, 6, 0)];
    assert.equal(all.length, 6);
    assert.ok(all.includes(3) && all.includes(7), String(all));
    assert.deepEqual(all, [...all].sort((p, q) => p - q));
    assert.deepEqual([...suspectIndices([slots[0]], a, 2, 6, 0)], all); // seeded
    assert.deepEqual([...suspectIndices([slots[3]], a, 2, 9, 0)], [slots[3].offset, slots[3].offset + 1, slots[3].offset + 2]); // capped at the block's size
    net.dispose();
  });

  it('a failed directional check names the same worst entry as the full check (it confirms where hand and autograd differ most)', () => {
    for (const bug of BUGS) {
      const { net, X, Y } = bugCase(bug, 8, 3);
      const full = gs.gradCheck(net, X, Y, { backward: bug.backward, progress: false });
      const dir = gs.gradCheck(net, X, Y, { backward: bug.backward, mode: 'directional', progress: false });
      assert.equal(dir.worst[0].block, full.worst[0].block, `${bug.name}\n${dir}\n${full}`);
      assert.deepEqual(dir.worst[0].index, full.worst[0].index, bug.name);
      assert.ok(Math.abs(dir.worst[0].numeric - full.worst[0].numeric) <= 1e-9 * Math.abs(full.worst[0].numeric) + 1e-12, bug.name);
      net.dispose(); tf.dispose([X, Y]);
    }
  });
});

describe('hard cases (test/bugs.ts HARD_CASES)', () => {
  const modes: gs.GradCheckOptions[] = [{}, { mode: 'sparse' }, { mode: 'directional' }, { precision: 'float32' }, { precision: 'float32', mode: 'directional' }];
  for (const c of HARD_CASES) {
    it(c.name, () => {
      const { net, X, Y } = c.make();
      const before = tf.memory().numTensors;
      for (const o of modes) {
        const ok = gs.gradCheck(net, X, Y, { ...o, progress: false });
        assert.ok(ok.verdict !== 'worry' && ok.verdict !== 'wrong', `correct backward, ${JSON.stringify(o)}\n${ok}`);
        const bad = gs.gradCheck(net, X, Y, { ...o, backward: c.bug, progress: false });
        if (o.precision === 'float32' && c.name.startsWith('fitted')) assert.notEqual(bad.verdict, 'great', `${JSON.stringify(o)}\n${bad}`);
        else assert.equal(bad.verdict, 'wrong', `bug, ${JSON.stringify(o)}\n${bad}`);
      }
      if (c.refused) assert.throws(() => gs.gradCheck(net, X, Y, c.refused!.options), (e: unknown) => e instanceof gs.GradscopeError && e.argument === c.refused!.argument);
      assert.equal(tf.memory().numTensors, before);
      net.dispose(); tf.dispose([X, Y]);
    });
  }
});

describe('float32 directional names every faulty block when the verdict is wrong (issue 22)', () => {
  // tanh' computed as 1 - z^2 instead of 1 - a^2: every block below the output is off, by different amounts
  const tanhFromZ: gs.BackwardFn = (net, cache, Y) => tf.tidy(() => {
    const L = net.spec.sizes.length - 1, m = Y.shape[0];
    const g: gs.Grads = {};
    let delta = cache.a[L].sub(Y);
    for (let l = L; l >= 1; l--) {
      g[`dW${l}`] = cache.a[l - 1].transpose().matMul(delta).div(m);
      g[`db${l}`] = delta.mean(0);
      if (l > 1) delta = delta.matMul(net.params[`W${l}`].transpose()).mul(tf.scalar(1).sub(cache.z[l - 1]!.square()));
    }
    return g;
  }) as gs.Grads;
  // the cases where a faulty block (float64 full error >= 5e-2) passed its direction in float32 and went unnamed
  for (const [m, seed] of [[3, 2], [5, 2], [5, 3], [9, 3]]) {
    it(`[3, 5, 5, 5, 2] tanh softmax, m ${m}, seed ${seed}`, () => {
      const sizes = [3, 5, 5, 5, 2];
      const net = gs.mlp({ sizes, hidden: 'tanh', output: 'softmax', seed });
      const X = tf.randomNormal([m, 3], 0, 1, 'float32', seed) as gs.tf.Tensor2D;
      const Y = tf.tidy(() => tf.oneHot(tf.tensor1d([...Array(m)].map((_, i) => i % 2), 'int32'), 2).toFloat());
      const before = tf.memory().numTensors;
      const full = gs.gradCheck(net, X, Y, { backward: tanhFromZ, progress: false });
      const faulty = full.blocks.filter((b) => b.relativeError >= 5e-2).map((b) => b.name);
      const dir = gs.gradCheck(net, X, Y, { backward: tanhFromZ, precision: 'float32', mode: 'directional', progress: false });
      assert.equal(dir.verdict, 'wrong');
      for (const name of faulty) {
        const b = dir.blocks.find((x) => x.name === name)!;
        assert.ok(b.verdict === 'wrong' || b.verdict === 'worry', `${name} (float64 error ${full.blocks.find((x) => x.name === name)!.relativeError.toExponential(1)}) is ${b.verdict}\n${dir}`);
      }
      for (const b of dir.blocks) if (!faulty.includes(b.name) && full.blocks.find((x) => x.name === b.name)!.relativeError < 1e-3) assert.ok(b.verdict === 'great' || b.verdict === 'ok', `${b.name} is ${b.verdict}\n${dir}`);
      assert.equal(tf.memory().numTensors, before);
      net.dispose(); tf.dispose([X, Y]);
    });
  }
});
