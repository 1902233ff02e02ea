import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Tensor2D } from '@tensorflow/tfjs';
import * as gs from '../src/index';
import { BUGS, bugCase, labelsFor } from './bugs';
import { randomCase } from './nets';

const { tf } = gs;
before(async () => { await gs.ready(); });

const NETS = 90;

/**
 * A correct backward's honest verdicts: 'great'; 'ok' only for a block checked against autograd alone
 * (every entry at a kink); 'inconclusive' only with a reason, where the block's gradient is about 0
 * next to its round-off (noise): never 'worry' or 'wrong'.
 */
function assertHonest(r: gs.CheckReport, label: string): void {
  for (const b of r.blocks) {
    const why = `${label} ${b.name}\n${r}`;
    if (b.verdict === 'ok') assert.equal(b.basis, 'autograd', why);
    else if (b.verdict === 'inconclusive') assert.ok(b.reason || r.mode === 'directional', why);
    else assert.equal(b.verdict, 'great', why);
  }
  assert.ok(['great', 'ok', 'inconclusive'].includes(r.verdict), `${label}\n${r}`);
  if (r.verdict === 'inconclusive') assert.ok(r.reason && r.reason.length > 10, `${label}: an inconclusive report says why\n${r}`);
}

describe('gradCheck on random correct architectures', () => {
  it('float64: every net is great, at <= 1e-7 or within the measured float32 floor (FLOOR_FACTOR x autograd vs numeric)', () => {
    const errors: number[] = [];
    let inconclusive = 0;
    for (let i = 0; i < NETS; i++) {
      const c = randomCase(i);
      const r = gs.gradCheck(c.net, c.X, c.Y);
      assertHonest(r, c.label);
      if (r.verdict === 'inconclusive') inconclusive++;
      // the seeds' 1e-7, raised only where tf autograd itself (float32) cannot get closer, and said so
      assert.ok(r.relativeError <= Math.max(1e-7, gs.FLOOR_FACTOR * r.floor!) || r.blocks.every((b) => (b.ratio ?? 0) <= gs.FLOOR_FACTOR), `${c.label}\n${r}`);
      if (r.relativeError > 1e-7 && r.relativeError < 1e-3) assert.ok(r.notes.some((n) => n.startsWith('float32 floor')), `${c.label}: the raised band is explained\n${r}`);
      errors.push(r.relativeError);
      c.dispose();
    }
    assert.ok(inconclusive <= NETS / 5, `${inconclusive} of ${NETS} inconclusive`);
    const sorted = errors.sort((a, b) => a - b);
    assert.ok(sorted[Math.floor(NETS / 2)] < 1e-7, `median float64 error ${sorted[Math.floor(NETS / 2)]}`);
  });

  it('a great block is never vacuous: zeroing it is flagged; an inconclusive one would pass zeroed', () => {
    for (let i = 0; i < 40; i++) {
      const c = randomCase(i);
      const r = gs.gradCheck(c.net, c.X, c.Y);
      for (const b of r.blocks) {
        if (b.basis === 'autograd') continue;
        const zeroed = (net: gs.Net, cache: gs.Cache, Y: gs.tf.Tensor) => {
          const g = net.backward(cache, Y);
          const z = tf.zerosLike(g[b.name]); g[b.name].dispose(); g[b.name] = z;
          return g;
        };
        const z = gs.gradCheck(c.net, c.X, c.Y, { backward: zeroed }).blocks.find((x) => x.name === b.name)!;
        if (b.verdict === 'great') assert.ok(z.verdict === 'wrong' || z.verdict === 'worry', `${c.label} ${b.name} zeroed: ${z.verdict}\n${r}`);
        if (b.verdict === 'inconclusive') assert.ok(z.verdict !== 'worry' && z.verdict !== 'wrong', `${c.label} ${b.name}: inconclusive, but a zero gradient is told apart (${z.verdict})`);
      }
      c.dispose();
    }
  });

  it('float32: a correct net is never worry or wrong', () => {
    for (let i = 0; i < NETS; i++) {
      const c = randomCase(i);
      const r = gs.gradCheck(c.net, c.X, c.Y, { precision: 'float32' });
      assertHonest(r, c.label);
      assert.equal(r.precision, 'float32');
      assert.deepEqual(r.bands, gs.floorBands(gs.BANDS.float32, r.floor!));
      c.dispose();
    }
  });

  it('sparse and directional pass correct nets and say what they did', () => {
    for (let i = 0; i < 30; i++) {
      const c = randomCase(i);
      const s = gs.gradCheck(c.net, c.X, c.Y, { mode: 'sparse', samples: 3, seed: i });
      assertHonest(s, c.label);
      assert.ok(s.blocks.every((b) => b.checked <= 3));
      const d = gs.gradCheck(c.net, c.X, c.Y, { mode: 'directional', seed: i });
      assertHonest(d, c.label);
      assert.ok(d.notes.some((n) => n.startsWith('directional')));
      const free = d.blocks.filter((b) => b.basis !== 'autograd' && !d.notes.some((n) => n.startsWith(`${b.name}: its direction crossed`))).length;
      // one joint direction settles it (2 evaluations), else one direction per block by default
      const joint = d.notes.some((n) => n.includes('joint random direction(s) u over all'));
      assert.ok(joint ? d.evaluations === 2 : d.evaluations >= 2 * free, `${d.evaluations} evaluations for ${free} blocks with a direction`);
      const d3 = gs.gradCheck(c.net, c.X, c.Y, { mode: 'directional', directions: 3, seed: i });
      assertHonest(d3, c.label);
      for (const r of [s, d, d3]) {
        assert.ok(r.time.analytic > 0 && r.time.numeric > 0, JSON.stringify(r.time));
        assert.ok(r.time.analytic + r.time.numeric <= r.seconds, `${JSON.stringify(r.time)} vs ${r.seconds}`);
      }
      c.dispose();
    }
  });
});

describe('directional float64: one joint direction first', () => {
  const JOINT = 'joint random direction(s) u over all';
  const big = (hidden: gs.Activation) => {
    const net = gs.mlp({ sizes: [64, 64, 64, 10], hidden, output: 'softmax', seed: 1 });
    const X = tf.randomNormal([64, 64], 0, 1, 'float32', 1) as Tensor2D;
    return { net, X, Y: labelsFor('softmax', 64, 10, 1), dispose() { net.dispose(); tf.dispose([X, this.Y]); } };
  };

  it('settles a correct [64, 64, 64, 10] net with 2 evaluations and no autograd, every block great', () => {
    for (const hidden of ['relu', 'tanh'] as const) {
      const c = big(hidden);
      const before = tf.memory().numTensors;
      const r = gs.gradCheck(c.net, c.X, c.Y, { mode: 'directional', progress: false });
      assert.equal(tf.memory().numTensors, before);
      assert.equal(r.verdict, 'great', String(r));
      assert.equal(r.evaluations, 2);
      assert.ok(r.notes.some((n) => n.includes(JOINT)), String(r));
      assert.ok(Number.isNaN(r.pairs.handVsAutograd) && Number.isNaN(r.pairs.autogradVsNumeric), 'autograd was not run');
      assert.ok(r.blocks.every((b) => b.verdict === 'great' && b.basis === 'numeric' && b.ratio! <= gs.FLOOR_FACTOR), String(r));
      c.dispose();
    }
  });

  it('rejects every catalogue bug itself; the per-block check then names the faulty blocks and entries', () => {
    for (const bug of BUGS) {
      const { net, X, Y } = bugCase(bug, 16, 4);
      const r = gs.gradCheck(net, X, Y, { backward: bug.backward, mode: 'directional', progress: false });
      assert.equal(r.verdict, 'wrong', `${bug.name}\n${r}`);
      assert.ok(r.notes.some((n) => n.startsWith('directional: one joint direction over all') && n.includes('so each block got a direction of its own')), `${bug.name}\n${r}`);
      assert.ok(r.worst.length > 0 && bug.faulty.includes(r.worst[0].block), `${bug.name}\n${r}`);
      for (const b of r.blocks) if (!bug.faulty.includes(b.name)) assert.ok(b.verdict === 'great' || b.verdict === 'ok', `${bug.name}: ${b.name} ${b.verdict}\n${r}`);
      assert.ok(Number.isFinite(r.pairs.handVsAutograd), 'autograd ran for the per-block check');
      net.dispose(); tf.dispose([X, Y]);
    }
  });

  it('never passes a block that is doubled, sign-flipped or zeroed where the correct backward passed jointly', () => {
    let jointly = 0;
    for (let i = 0; i < 40; i++) {
      const c = randomCase(i);
      const r = gs.gradCheck(c.net, c.X, c.Y, { mode: 'directional', seed: i, progress: false });
      if (r.notes.some((n) => n.includes(JOINT))) {
        jointly++;
        for (const b of r.blocks) {
          for (const f of [2, -1, 0]) {
            const planted = (net: gs.Net, cache: gs.Cache, Y: gs.tf.Tensor) => {
              const g = net.backward(cache, Y);
              const x = g[b.name].mul(f); g[b.name].dispose(); g[b.name] = x as gs.tf.Tensor2D;
              return g;
            };
            const p = gs.gradCheck(c.net, c.X, c.Y, { mode: 'directional', seed: i, backward: planted, progress: false });
            assert.ok(!p.notes.some((n) => n.includes(JOINT)), `${c.label} ${b.name} x ${f} passed the joint direction\n${p}`);
            assert.ok(p.verdict === 'wrong' || p.verdict === 'worry', `${c.label} ${b.name} x ${f}: ${p.verdict}\n${p}`);
          }
        }
      }
      c.dispose();
    }
    assert.ok(jointly >= 10, `${jointly} of 40 nets settled by the joint direction`);
  });
});

describe('gradCheck report', () => {
  const setup = (options: Partial<gs.MlpOptions> = {}, m = 6) => {
    const net = gs.mlp({ sizes: [3, 5, 4, 3], hidden: 'tanh', output: 'softmax', seed: 2, ...options });
    const X = tf.randomNormal([m, net.spec.sizes[0]], 0, 1, 'float32', 5) as Tensor2D;
    const Y = labelsFor('softmax', m, 3, 5);
    return { net, X, Y, dispose: () => { net.dispose(); tf.dispose([X, Y]); } };
  };

  it('names as worst the 8 entries with the largest |hand - numeric|, largest first (brute force over every entry)', () => {
    const net = gs.mlp({ sizes: [5, 7, 6, 3], hidden: 'tanh', output: 'softmax', seed: 4 });
    const X = tf.randomNormal([9, 5], 0, 1, 'float32', 4) as Tensor2D, Y = labelsFor('softmax', 9, 3, 4);
    const planted = [40, 3, 77]; // three entries made wrong by different amounts: they lead the list in this order
    const backward = (n: gs.Net, cache: gs.Cache, y: Tensor2D): gs.Grads => {
      const g = n.backward(cache, y);
      const v = n.gradsToVector(g);
      tf.dispose(Object.values(g));
      planted.forEach((i, k) => { v[i] += 0.3 / (k + 1); });
      return Object.fromEntries(n.blocks.map((b) => [b.grad, tf.tensor(Float32Array.from(v.subarray(b.offset, b.offset + b.size)), b.shape)])) as gs.Grads;
    };
    const y = net.labels(Y, 9);
    const { cache } = net.forward(X);
    const hand = net.gradsToVector(backward(net, cache, y));
    cache.dispose(); y.dispose();
    const num = gs.numericGrads(net, X, Y).vector;
    const r = gs.gradCheck(net, X, Y, { backward });
    const expected = Array.from(hand.keys()).sort((p, q) => Math.abs(hand[q] - num[q]) - Math.abs(hand[p] - num[p])).slice(0, 8);
    const offset = (w: gs.EntryResult): number => { const b = net.blocks.find((x) => x.grad === w.block)!; return b.offset + (w.index.length === 2 ? w.index[0] * b.shape[1] + w.index[1] : w.index[0]); };
    assert.deepEqual(r.worst.map(offset), expected);
    assert.deepEqual(r.worst.slice(0, 3).map(offset), planted);
    assert.ok(r.worst.every((w) => w.difference === w.analytic - w.numeric && !w.kink));
    net.dispose(); tf.dispose([X, Y]);
  });

  it('has the three pairs, per-block results, worst entries, bands and a table', () => {
    const c = setup();
    const r = gs.gradCheck(c.net, c.X, c.Y);
    assert.deepEqual(r.blocks.map((b) => b.name), ['dW1', 'db1', 'dW2', 'db2', 'dW3', 'db3']);
    assert.ok(r.pairs.handVsAutograd < 1e-6 && r.pairs.autogradVsNumeric < 1e-6);
    assert.equal(r.pairs.handVsNumeric, r.relativeError);
    assert.equal(r.evaluations, 2 * c.net.size);
    assert.equal(r.eps, 1e-7);
    assert.equal(r.precision, 'float64');
    assert.ok(r.backend.startsWith(tf.getBackend()));
    assert.equal(r.worst.length, 8);
    assert.ok(Math.abs(r.worst[0].difference) >= Math.abs(r.worst[7].difference));
    assert.ok(r.worst.every((w) => w.difference === w.analytic - w.numeric));
    const text = r.toString();
    assert.match(text, /gradient check: GREAT/);
    assert.match(text, /dW2 /);
    assert.match(text, /hand vs autograd/);
    c.dispose();
  });

  it('float32 mode picks its own eps and its own bands', () => {
    const c = setup();
    const r = gs.gradCheck(c.net, c.X, c.Y, { precision: 'float32' });
    assert.ok(r.eps >= 1e-3 && r.eps <= 1e-2);
    assert.ok(r.relativeError > 1e-7 && r.relativeError < 1e-3, `float32 error ${r.relativeError}`);
    c.dispose();
  });

  it('dropout: one fixed mask for every gradient, said in the notes, reproducible from the seed', () => {
    const c = setup({ hidden: 'relu', keepProb: 0.6 });
    const a = gs.gradCheck(c.net, c.X, c.Y, { seed: 3 });
    const b = gs.gradCheck(c.net, c.X, c.Y, { seed: 3 });
    assert.equal(a.verdict, 'great', a.toString());
    assert.ok(a.notes.some((n) => n.includes('dropout') && n.includes('held fixed')));
    assert.equal(a.relativeError, b.relativeError);
    c.dispose();
  });

  it('flags entries whose perturbation crosses a relu kink and leaves them out of the verdict', () => {
    // zero weights and biases: every relu pre-activation sits exactly at the kink
    const net = gs.mlp({ sizes: [3, 4, 2], hidden: 'relu', output: 'linear', init: 'zeros', seed: 1 });
    const X = tf.randomNormal([5, 3], 0, 1, 'float32', 1) as Tensor2D;
    const Y = tf.randomNormal([5, 2], 0, 1, 'float32', 2) as Tensor2D;
    const r = gs.gradCheck(net, X, Y);
    assert.ok(r.kinks! > 0);
    assert.equal(r.blocks.find((b) => b.name === 'dW1')!.kinks, 12);
    assert.ok(r.notes.some((n) => n.includes('kink')));
    assert.notEqual(r.verdict, 'wrong');
    net.dispose(); tf.dispose([X, Y]);
  });

  it('reports progress at most ~20 times a second, ending at done = total; progress: false silences it', () => {
    const c = setup({ sizes: [20, 30, 30, 3] } as never, 10);
    const calls: gs.CheckProgress[] = [];
    const t0 = Date.now();
    gs.gradCheck(c.net, c.X, c.Y, { onProgress: (p) => calls.push(p) });
    const elapsed = Date.now() - t0;
    const last = calls[calls.length - 1];
    assert.equal(last.done, last.total);
    assert.equal(last.total, c.net.size);
    assert.ok(calls.length <= 2 + elapsed / 50, `${calls.length} calls in ${elapsed} ms`);
    let silent = 0;
    gs.gradCheck(c.net, c.X, c.Y, { onProgress: () => silent++, progress: false });
    assert.equal(silent, 0);
    c.dispose();
  });

  it('a backward that returns a wrongly shaped block gets that block reported wrong', () => {
    const c = setup();
    const bad: gs.BackwardFn = (net, cache, Y) => {
      const g = net.backward(cache, Y);
      g.db2.dispose();
      g.db2 = tf.zeros([7]);
      return g;
    };
    const r = gs.gradCheck(c.net, c.X, c.Y, { backward: bad });
    assert.equal(r.verdict, 'wrong');
    assert.equal(r.blocks.find((b) => b.name === 'db2')!.verdict, 'wrong');
    assert.equal(r.blocks.find((b) => b.name === 'dW1')!.verdict, 'great');
    assert.ok(r.notes.some((n) => n.includes('db2 has shape [7]')));
    c.dispose();
  });

  it('leaves tf.memory().numTensors unchanged in every mode and precision', () => {
    const c = setup({ hidden: 'relu', keepProb: 0.8, residual: true, sizes: [3, 4, 4, 3] } as never);
    const before = tf.memory().numTensors;
    for (const precision of ['float64', 'float32'] as const) {
      for (const mode of ['full', 'sparse', 'directional'] as const) {
        gs.gradCheck(c.net, c.X, c.Y, { precision, mode });
        assert.equal(tf.memory().numTensors, before, `${precision} ${mode}`);
      }
    }
    const broken: gs.BackwardFn = (net, cache, Y) => { const g = net.backward(cache, Y); g.dW1 = g.dW1.mul(2); return g; };
    gs.gradCheck(c.net, c.X, c.Y, { backward: broken });
    assert.equal(tf.memory().numTensors, before, 'a user backward that leaks its intermediates is tidied');
    const throwing: gs.BackwardFn = (net, cache, Y) => { net.backward(cache, Y); throw new Error('student bug'); };
    assert.throws(() => gs.gradCheck(c.net, c.X, c.Y, { backward: throwing }), /student bug/);
    assert.equal(tf.memory().numTensors, before, 'a backward that throws leaves nothing behind');
    c.dispose();
  });
});

describe('gradCheck input validation', () => {
  const net = () => gs.mlp({ sizes: [3, 4, 2], seed: 1 });
  const X = () => tf.randomNormal([4, 3], 0, 1, 'float32', 1) as Tensor2D;
  const Y = () => tf.ones([4, 2]) as Tensor2D;
  const throwsNaming = (fn: () => unknown, argument: string, pattern: RegExp) => {
    assert.throws(fn, (e: unknown) => e instanceof gs.GradscopeError && e.argument === argument && pattern.test(e.message));
  };

  it('names the argument, what it got and what it expected', () => {
    const n = net(), x = X(), y = Y();
    throwsNaming(() => gs.gradCheck({} as never, x, y), 'net', /invalid net/);
    throwsNaming(() => gs.gradCheck(n, tf.zeros([4, 5]) as Tensor2D, y), 'X', /\[4, 5\].*expected \[m, 3\]/);
    throwsNaming(() => gs.gradCheck(n, tf.zeros([0, 3]) as Tensor2D, y), 'X', /empty batch/);
    throwsNaming(() => gs.gradCheck(n, tf.tensor2d([[1, NaN, 0]]), tf.ones([1, 2])), 'X', /NaN/);
    throwsNaming(() => gs.gradCheck(n, x, tf.ones([3, 2])), 'Y', /expected \[4, 2\]/);
    throwsNaming(() => gs.gradCheck(n, x, tf.fill([4, 2], 2)), 'Y', /label in \[0, 1\]/);
    throwsNaming(() => gs.gradCheck(n, x, y, { precision: 'float16' as never }), 'precision', /one of float64, float32/);
    throwsNaming(() => gs.gradCheck(n, x, y, { mode: 'fast' as never }), 'mode', /one of full, sparse, directional/);
    throwsNaming(() => gs.gradCheck(n, x, y, { eps: -1 }), 'eps', /> 0/);
    throwsNaming(() => gs.gradCheck(n, x, y, { samples: 0 }), 'samples', /integer/);
    throwsNaming(() => gs.gradCheck(n, x, y, { esp: 1e-7 } as never), 'options.esp', /known option/);
    throwsNaming(() => gs.gradCheck(n, x, y, { backward: 3 as never }), 'backward', /function/);
    const soft = gs.mlp({ sizes: [3, 4, 3], output: 'softmax', seed: 1 });
    throwsNaming(() => gs.gradCheck(soft, x, tf.tensor1d([0, 1, 2, 3])), 'Y', /class index 3/);
    n.params.W1.assign(tf.fill([3, 4], Infinity));
    throwsNaming(() => gs.gradCheck(n, x, y), 'W1', /Infinity/);
    n.dispose(); soft.dispose(); tf.dispose([x, y]);
  });
});
