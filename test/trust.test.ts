// Verdicts you can trust (issue 9): each case here gave a wrong verdict before.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Tensor, Tensor2D } from '@tensorflow/tfjs';
import * as gs from '../src/index';
import { tfSeed } from './bugs';

const { tf } = gs;
before(async () => { await gs.ready(); });

const MODES: [string, gs.GradCheckOptions][] = [
  ['full float64', {}], ['sparse float64', { mode: 'sparse' }], ['directional float64', { mode: 'directional' }],
  ['full float32', { precision: 'float32' }], ['sparse float32', { mode: 'sparse', precision: 'float32' }],
  ['directional float32', { mode: 'directional', precision: 'float32' }],
];

/** A backward that scales one block of the hand-written gradient. */
const scaled = (block: string, k: number) => (net: gs.Net, cache: gs.Cache, Y: Tensor) => {
  const g = net.backward(cache, Y);
  const s = g[block].mul(k); g[block].dispose(); g[block] = s;
  return g;
};

/** [6, 6, 6, 6] relu/softmax residual nets (b = 0) whose db2 has every entry at a kink: a dead row upstream. */
function allKinkNets(): { net: gs.Net; X: Tensor2D; Y: Tensor; dispose(): void }[] {
  const out = [];
  for (const seed of [2, 8, 11]) {
    const net = gs.mlp({ sizes: [6, 6, 6, 6], hidden: 'relu', output: 'softmax', residual: true, seed });
    const X = tf.randomNormal([10, 6], 0, 1, 'float32', tfSeed(seed)) as Tensor2D;
    const Y = tf.tensor1d([...Array(10)].map((_, i) => i % 6), 'int32');
    out.push({ net, X, Y, dispose: () => { net.dispose(); tf.dispose([X, Y]); } });
  }
  return out;
}

describe('ReLU kinks: no silent pass', () => {
  it('a db2 with every entry at a kink is compared with autograd: never great, and a scaled db2 is wrong in every mode', () => {
    for (const c of allKinkNets()) {
      const ok = gs.gradCheck(c.net, c.X, c.Y);
      const b = ok.blocks.find((x) => x.name === 'db2')!;
      assert.equal(b.kinks, b.checked, `the case still has db2 all at a kink\n${ok}`);
      assert.equal(b.basis, 'autograd');
      assert.equal(b.verdict, 'ok', `compared with autograd only: ok, never great\n${ok}`);
      assert.match(b.label!, /at a kink: compared with autograd only/);
      for (const k of [2, -5, 0]) {
        for (const [mode, o] of MODES) {
          const r = gs.gradCheck(c.net, c.X, c.Y, { ...o, backward: scaled('db2', k) });
          assert.equal(r.verdict, 'wrong', `db2 x ${k}, ${mode}\n${r}`);
          assert.equal(r.blocks.find((x) => x.name === 'db2')!.verdict, 'wrong', `db2 x ${k}, ${mode}\n${r}`);
        }
      }
      c.dispose();
    }
  });

  it("accepts g'(0) = 1 (a student's z >= 0) where z is exactly 0, and says so", () => {
    for (const c of allKinkNets()) {
      const right = (net: gs.Net, cache: gs.Cache, Y: Tensor) => net.backward(cache, Y, { right: true });
      for (const [mode, o] of MODES) {
        const r = gs.gradCheck(c.net, c.X, c.Y, { ...o, backward: right });
        assert.ok(r.verdict === 'ok' || r.verdict === 'great', `${mode}\n${r}`);
      }
      const r = gs.gradCheck(c.net, c.X, c.Y, { backward: right });
      assert.ok(r.notes.some((n) => n.includes("g'(0) = 1 (z >= 0) are both valid")), String(r));
      c.dispose();
    }
  });

  it('pairs.handVsAutograd includes the kinked entries', () => {
    const [c] = allKinkNets();
    const r = gs.gradCheck(c.net, c.X, c.Y, { backward: scaled('db2', 2) });
    assert.ok(r.pairs.handVsAutograd > 1e-3, String(r.pairs.handVsAutograd));
    c.dispose();
  });
});

describe('fitted nets: no false alarm', () => {
  const fitted = () => {
    const net = gs.mlp({ sizes: [8, 16, 16, 4], hidden: 'tanh', output: 'softmax', seed: 3 });
    const X = tf.randomNormal([2, 8], 0, 1, 'float32', 3) as Tensor2D;
    const Y = tf.tensor1d([1, 3], 'int32');
    const h = gs.train(net, X, Y, { epochs: 100, lr: 0.1, optimizer: 'momentum', beta: 0.9 });
    return { net, X, Y, loss: h.epochs[h.epochs.length - 1].loss, dispose: () => { net.dispose(); tf.dispose([X, Y]); } };
  };

  it('a correct backward on a net fitted to its batch is never worry or wrong, in any mode', () => {
    const c = fitted();
    assert.ok(c.loss < 1e-3, `fitted: loss ${c.loss}`);
    for (const [mode, o] of MODES) {
      const r = gs.gradCheck(c.net, c.X, c.Y, o);
      assert.ok(r.verdict !== 'worry' && r.verdict !== 'wrong', `${mode}\n${r}`);
    }
    c.dispose();
  });

  it('a bug on the fitted net is still not called great', () => {
    const c = fitted();
    for (const [mode, o] of MODES.slice(0, 3)) {
      const r = gs.gradCheck(c.net, c.X, c.Y, { ...o, backward: scaled('dW2', 2) });
      assert.ok(r.verdict === 'wrong' || r.verdict === 'worry', `${mode}\n${r}`);
    }
    c.dispose();
  });
});

describe('a check that cannot tell right from wrong says so', () => {
  const small = () => {
    const net = gs.mlp({ sizes: [3, 4, 2], hidden: 'tanh', output: 'sigmoid', seed: 1 });
    const X = tf.randomNormal([5, 3], 0, 1, 'float32', 1) as Tensor2D;
    const Y = tf.tensor2d([[1, 0], [0, 1], [1, 1], [0, 0], [1, 0]]);
    return { net, X, Y, dispose: () => { net.dispose(); tf.dispose([X, Y]); } };
  };

  it('an eps that cannot work is an error naming eps and a value that works', () => {
    const c = small();
    assert.throws(() => gs.gradCheck(c.net, c.X, c.Y, { precision: 'float32', eps: 1e-9 }), (e: Error) => e instanceof gs.GradscopeError && /invalid eps: 1e-9 cannot work in float32.*expected eps >= 0.0001/.test(e.message));
    assert.throws(() => gs.gradCheck(c.net, c.X, c.Y, { eps: 1e-18 }), (e: Error) => e instanceof gs.GradscopeError && /invalid eps: 1e-18 cannot work in float64.*expected eps >= 1e-12/.test(e.message));
    c.dispose();
  });

  it('inputs that overflow give inconclusive with the reason, not wrong', () => {
    const c = small();
    const X = tf.fill([5, 3], 1e30) as Tensor2D;
    const before = tf.memory().numTensors;
    const r = gs.gradCheck(c.net, X, c.Y);
    assert.equal(tf.memory().numTensors, before);
    assert.equal(r.verdict, 'inconclusive', String(r));
    assert.match(r.reason!, /not finite/);
    X.dispose(); c.dispose();
  });

  it('a gradient that is exactly 0 is inconclusive: the all-zero backward would pass too', () => {
    const net = gs.mlp({ sizes: [2, 3, 2], hidden: 'tanh', output: 'sigmoid', init: 'zeros' });
    const X = tf.randomNormal([4, 2], 0, 1, 'float32', 2) as Tensor2D;
    const Y = tf.tensor2d([[1, 0], [1, 1], [1, 1], [0, 1]]);
    const r = gs.gradCheck(net, X, Y);
    assert.equal(r.verdict, 'inconclusive', String(r));
    assert.equal(r.blocks.find((b) => b.name === 'dW1')!.verdict, 'inconclusive');
    assert.match(r.reason!, /^dW1, db1, dW2: the gradient is exactly 0 here/); // one line per reason, naming its blocks
    assert.equal(r.blocks.find((b) => b.name === 'db2')!.verdict, 'great');
    const table = String(r);
    assert.match(table, /^gradient check: INCONCLUSIVE/);
    assert.match(table, /\ninconclusive: /);
    net.dispose(); tf.dispose([X, Y]);
  });

  it('ranks wrong > worry > inconclusive > ok > great', () => {
    assert.deepEqual(gs.VERDICTS, ['great', 'ok', 'inconclusive', 'worry', 'wrong']);
    assert.equal(gs.worstVerdict(['great', 'inconclusive', 'ok']), 'inconclusive');
    assert.equal(gs.worstVerdict(['inconclusive', 'worry']), 'worry');
  });
});

describe('a backward that throws or is async', () => {
  const setup = () => {
    const net = gs.mlp({ sizes: [3, 4, 2], hidden: 'tanh', output: 'sigmoid', seed: 1 });
    const X = tf.randomNormal([5, 3], 0, 1, 'float32', 1) as Tensor2D;
    const Y = tf.tensor2d([[1, 0], [0, 1], [1, 1], [0, 0], [1, 0]]);
    return { net, X, Y, dispose: () => { net.dispose(); tf.dispose([X, Y]); } };
  };

  it('a shape slip (delta W for delta W^T) is a GradscopeError naming backward and the original message', () => {
    const c = setup();
    const slip = (net: gs.Net, cache: gs.Cache, Y: Tensor) => {
      const delta = cache.a[2].sub(Y);
      return { dW2: cache.a[1].transpose().matMul(delta), da1: delta.matMul(net.params.W2) } as gs.Grads;
    };
    const before = tf.memory().numTensors;
    assert.throws(() => gs.gradCheck(c.net, c.X, c.Y, { backward: slip }), (e: Error) => e instanceof gs.GradscopeError && /^invalid backward: it threw: .*(matMul|Matrix size-incompatible).*expected it to return \{ dW1, db1, dW2, db2 \}/s.test(e.message) || (console.log(e.message), false));
    assert.equal(tf.memory().numTensors, before);
    c.dispose();
  });

  it('an async backward is told to be synchronous', () => {
    const c = setup();
    const later = async (net: gs.Net, cache: gs.Cache, Y: Tensor) => net.backward(cache, Y);
    assert.throws(() => gs.gradCheck(c.net, c.X, c.Y, { backward: later as unknown as gs.BackwardFn }), /invalid backward: a Promise \(an async function\) \(expected a synchronous backward/);
    c.dispose();
  });
});

describe('gs.numericGrads: the numerical gradient itself', () => {
  it('equals the seeds loop (float64 naive central differences) entry by entry, by block, and frees what it made', async () => {
    const { naiveGrad64 } = await import('../src/mlp/naive64');
    const { batch64 } = await import('../src/mlp/mirror64');
    const net = gs.mlp({ sizes: [3, 5, 2], hidden: 'tanh', output: 'softmax', seed: 4, keepProb: 0.8 });
    const X = tf.randomNormal([6, 3], 0, 1, 'float32', 4) as Tensor2D;
    const Y = tf.tensor1d([0, 1, 1, 0, 1, 0], 'int32');
    const before = tf.memory().numTensors;
    const approx = gs.numericGrads(net, X, Y, { eps: 1e-5, seed: 3 });
    assert.equal(tf.memory().numTensors, before);
    const y = net.labels(Y, 6);
    const D = (await import('../src/mlp/exact')).checkMasks(net, 6, 3);
    const naive = naiveGrad64(net.spec, net.toVector(), batch64(net.spec, X, y, D), { eps: 1e-5 });
    for (let i = 0; i < net.size; i++) assert.ok(Math.abs(approx.vector[i] - naive.values[i]) < 1e-8, `${i}: ${approx.vector[i]} vs ${naive.values[i]}`);
    assert.deepEqual(Object.keys(approx.grads), ['dW1', 'db1', 'dW2', 'db2']);
    assert.equal(approx.grads.dW1.length, 15);
    assert.equal(approx.grads.db2[1], approx.vector[net.blocks[3].offset + 1]);
    // and it is the gradient: the hand-written one agrees (same masks, as gradCheck holds them)
    const r = gs.gradCheck(net, X, Y, { seed: 3 });
    assert.equal(r.verdict, 'great', String(r));
    const f32 = gs.numericGrads(net, X, Y, { precision: 'float32', seed: 3 });
    assert.ok(gs.relativeError(f32.vector, approx.vector) < 1e-2);
    tf.dispose([y, ...(D.filter(Boolean) as Tensor[])]);
    net.dispose(); tf.dispose([X, Y]);
  });
});

describe('one checker for every model: gs.gradCheck on gs.rnn and gs.lstm', () => {
  const families = () => [
    { net: gs.rnn({ nx: 3, na: 5, ny: 2, output: 'softmax', seed: 1 }) as gs.Model, Y: tf.tensor1d([0, 1, 1, 0], 'int32') as Tensor },
    { net: gs.lstm({ nx: 3, na: 4, ny: 2, output: 'sigmoid', seed: 2 }) as gs.Model, Y: tf.tensor2d([[1, 0], [0, 1], [1, 1], [0, 0]]) as Tensor },
    { net: gs.rnn({ nx: 3, na: 5, ny: 2, hidden: 'relu', output: 'linear', seed: 1 }) as gs.Model, Y: tf.randomNormal([4, 2], 0, 1, 'float32', 3) as Tensor },
  ];

  it('passes the hand-written BPTT in every mode and precision, names a planted bug, leaks nothing', () => {
    const X = tf.randomNormal([4, 6, 3], 0, 1, 'float32', 1);
    for (const { net, Y } of families()) {
      const before = tf.memory().numTensors;
      const theta = net.toVector();
      for (const [mode, o] of MODES) {
        const r = gs.gradCheck(net, X, Y, o as gs.GradCheckOptions<gs.Model>);
        assert.ok(r.verdict === 'great' || r.verdict === 'ok', `${net} ${mode}\n${r}`);
      }
      const first = net.blocks[0].grad;
      const bad = gs.gradCheck(net, X, Y, { backward: (n, c, y) => { const g = n.backward(c, y); const s = g[first].mul(2); g[first].dispose(); g[first] = s; return g; } });
      assert.equal(bad.verdict, 'wrong');
      assert.deepEqual(bad.blocks.filter((b) => b.verdict === 'wrong').map((b) => b.name), [first], String(bad));
      assert.deepEqual(net.toVector(), theta, 'float32 differences put the parameters back');
      assert.equal(tf.memory().numTensors, before);
      net.dispose(); Y.dispose();
    }
    X.dispose();
  });

  it('rejects what is not a model, naming net', () => {
    const X = tf.zeros([1, 2]) as Tensor2D;
    assert.throws(() => gs.gradCheck({ blocks: [] } as never, X, X), /invalid net: .*expected a network from gs\.mlp, gs\.rnn(, gs\.\w+)* or gs\.\w+\)/);
    X.dispose();
  });
});

describe('a block all at a kink with autograd about 0', () => {
  it('is inconclusive, not ok: a zero-init relu net (z = 0 everywhere) cannot tell a zero backward from a right one', () => {
    const net = gs.mlp({ sizes: [3, 4, 2], init: 'zeros' });
    const X = tf.randomNormal([4, 3], 0, 1, 'float32', 7) as Tensor2D;
    const Y = tf.tensor2d([[1, 0], [1, 1], [0, 1], [1, 1]]);
    const r = gs.gradCheck(net, X, Y);
    const dW1 = r.blocks.find((b) => b.name === 'dW1')!;
    assert.equal(dW1.basis, 'autograd');
    assert.equal(dW1.verdict, 'inconclusive', String(r));
    assert.match(r.reason!, /dW1, db1: every entry sits at a kink and autograd is about 0 there/);
    net.dispose(); tf.dispose([X, Y]);
  });
});
