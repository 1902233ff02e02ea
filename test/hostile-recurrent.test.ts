// Hostile input to the recurrent families, gs.gradeLstmStep, gs.gradCheck / checkGradients /
// gradientThroughTime and the work budget (issue 22). Each case ran away, leaked, threw a raw error,
// returned garbage or was accepted silently before. `npm run hostile-probe` runs the wider list.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Tensor } from '@tensorflow/tfjs';
import * as gs from '../src/index';
import { checkWork, workBudget, MADDS_PER_SECOND } from '../src/core/limits';

const { tf } = gs;
before(async () => { await gs.ready(); });

const named = (argument: string, pattern: RegExp) => (e: unknown) => e instanceof gs.GradscopeError && e.argument === argument && pattern.test(e.message);
const FAMILIES = ['rnn', 'lstm', 'gru'] as const;
type Fam = (typeof FAMILIES)[number];
type AnyNet = gs.Rnn | gs.Lstm | gs.Gru;
type StepFn = (...a: unknown[]) => Record<string, Tensor>;
const make = (f: Fam, o: Record<string, unknown> = {}): AnyNet => (gs[f] as (o: object) => AnyNet)({ nx: 3, na: 4, ny: 1, seed: 1, ...o });
const stepOf = (f: Fam): StepFn => ({ rnn: gs.rnnStepBackward, lstm: gs.lstmStepBackward, gru: gs.gruStepBackward })[f] as unknown as StepFn;
const W = { rnn: 'dWa', lstm: 'dWf', gru: 'dWu' } as const;
const backward = (net: AnyNet, cache: unknown, Y: Tensor, step?: unknown) => (net.backward as (c: unknown, y: Tensor, s?: unknown) => gs.Grads)(cache, Y, step);

/** A net, X [2, 5, 3], Y [2, 1] and a forward pass; `done()` frees them and checks nothing leaked. */
function setup(f: Fam) {
  const start = tf.memory().numTensors;
  const net = make(f);
  const X = tf.randomNormal([2, 5, 3], 0, 1, 'float32', 1), Y = tf.tensor2d([[1], [0]]);
  const { output, cache } = net.forward(X);
  const done = () => {
    tf.dispose([X, Y, output]); cache.dispose(); net.dispose();
    assert.equal(tf.memory().numTensors, start, `${f}: tensors leaked`);
  };
  return { net, X, Y, cache, done };
}

describe('runaways are refused up front, naming the estimate and the setting', () => {
  it('sizes past the memory budget: na 3e4 / 2e4, and na 1e6 (a RangeError before)', () => {
    const t0 = performance.now();
    assert.throws(() => gs.rnn({ nx: 3, na: 1e6, ny: 1 }), named('na', /would need about .*GRADSCOPE_MAX_MEMORY/));
    for (const [f, na] of [['rnn', 3e4], ['lstm', 2e4], ['gru', 2e4]] as const) {
      assert.throws(() => make(f, { na }), named('na', new RegExp(`would need about [\\d.]+ GB \\(.* parameters of a ${f}`)), f);
    }
    assert.ok(performance.now() - t0 < 1000, 'refused in well under a second');
  });

  it("init 'orthogonal' at large sizes is O(n^3): refused with its multiply-adds, its time and GRADSCOPE_MAX_WORK", () => {
    const t0 = performance.now();
    assert.throws(() => make('rnn', { na: 3000, init: 'orthogonal' }), named('init', /"orthogonal" would take about 1\.1e\+11 multiply-adds \(Gram-Schmidt .*\[3003, 3000\].*~3 min at ~7e\+8 a second\).*GRADSCOPE_MAX_WORK/));
    assert.throws(() => make('lstm', { na: 2000, init: 'orthogonal' }), named('init', /4 matrices \[2003, 2000\]/));
    assert.throws(() => gs.mlp({ sizes: [4000, 4000], init: 'orthogonal' }), named('init', /multiply-adds/));
    assert.ok(performance.now() - t0 < 1000);
    const small = make('gru', { na: 64, init: 'orthogonal' }); // legitimate sizes are drawn as before
    assert.equal(small.params.Wu.shape[1], 64);
    small.dispose();
  });

  it('a forward pass that would run for hours is refused naming X; a long legitimate one runs', () => {
    for (const f of FAMILIES) {
      const net = make(f);
      const X = tf.zeros([1, 1e7, 3]);
      const before = tf.memory().numTensors;
      const t0 = performance.now();
      assert.throws(() => net.forward(X), named('X', new RegExp(`\\[1,10000000,3\\] would take about [\\d.]+ h of tf work \\(a ${f} forward pass over T = 10000000 steps.*GRADSCOPE_MAX_SECONDS`)), f);
      assert.ok(performance.now() - t0 < 1000, 'refused before any step');
      assert.equal(tf.memory().numTensors, before);
      X.dispose(); net.dispose();
    }
  });

  it('gs.gradCheck on a recurrent net above the work budget is refused for every family and mode', () => {
    for (const f of FAMILIES) {
      const net = make(f, { nx: 8, na: 128 });
      const X = tf.zeros([32, 50, 8]), Y = tf.zeros([32, 1]);
      const before = tf.memory().numTensors;
      const t0 = performance.now();
      assert.throws(() => gs.gradCheck(net, X, Y), named('mode', new RegExp(`"full" would take about .* multiply-adds \\(.* evaluations of the ${f}'s float64 loss.*GRADSCOPE_MAX_WORK.*mode 'sparse' or 'directional'`)), f);
      assert.throws(() => gs.gradCheck(net, X, Y, { mode: 'sparse', samples: 1e6 }), named('samples', /1000000 would take about/));
      assert.ok(performance.now() - t0 < 1000);
      assert.equal(tf.memory().numTensors, before);
      tf.dispose([X, Y]); net.dispose();
    }
  });
});

describe('the work budget is calibrated to this machine', () => {
  it('1e11 multiply-adds at 7e8 a second (measured 6.5e8-9.3e8), about two and a half minutes', () => {
    assert.equal(workBudget(), 1e11);
    assert.equal(MADDS_PER_SECOND, 7e8);
    // the messages give the time at the measured speed: 3e11 multiply-adds is ~7 min, not ~50 min as at 1e8
    assert.throws(() => checkWork('depth', 1, 3e11, 'three products a layer'), named('depth', /3\.0e\+11 multiply-adds \(three products a layer; ~7 min at ~7e\+8 a second\), more than the 1e\+11 gradscope allows \(set GRADSCOPE_MAX_WORK/));
    assert.doesNotThrow(() => checkWork('depth', 1, 9e10, 'under the budget'));
  });
});

describe('no tensor left behind', () => {
  it('gs.gradeLstmStep when the step returns null, {}, a Promise or throws', () => {
    for (const [what, step] of [['null', () => null], ['{}', () => ({})], ['throws', () => { throw new Error('my own bug'); }]] as const) {
      const before = tf.memory().numTensors;
      const r = gs.gradeLstmStep(step as never);
      assert.equal(tf.memory().numTensors, before, what);
      if (what === 'throws') assert.match(String(r), /your step threw: my own bug/);
      else assert.equal(r.status, 'todo', what);
    }
    const before = tf.memory().numTensors;
    assert.throws(() => gs.gradeLstmStep((async () => ({})) as never), named('step', /the step returned a Promise; steps must be synchronous/));
    assert.equal(tf.memory().numTensors, before, 'async');
  });

  it('forward and backward on a disposed net: a GradscopeError naming net, nothing leaked', () => {
    for (const f of FAMILIES) {
      const { net, X, Y, cache, done } = setup(f);
      const before = tf.memory().numTensors;
      const params = Object.values(net.params);
      net.dispose();
      assert.throws(() => net.forward(X), named('net', new RegExp(`this ${f} was disposed`)), f);
      assert.throws(() => backward(net, cache, Y), named('net', /was disposed/), f);
      assert.equal(tf.memory().numTensors, before - params.length, f);
      done();
    }
  });
});

describe("a step the user supplies is checked on what it returns (src/recurrent/sequence.ts, for every family)", () => {
  for (const f of FAMILIES) {
    it(f, () => {
      const { net, Y, cache, done } = setup(f);
      const step = stepOf(f);
      const bad = (out: (...a: unknown[]) => unknown) => () => backward(net, cache, Y, out);
      assert.throws(bad('step' as never), named('step', /invalid step: "step" \(expected a function/));
      assert.throws(bad(async (...a: unknown[]) => step(...a)), named('step', /at t = 5 the step returned a Promise; steps must be synchronous/));
      assert.throws(bad(() => ({})), named('step', new RegExp(`at t = 5 its \\w+ is undefined \\(and .*${W[f]}.* not tensors either\\)|at t = 5 its ${W[f]} is undefined \\(and .*daPrev`)));
      assert.throws(bad((...a: unknown[]) => { const g = step(...a); return { ...g, [W[f]]: g[W[f]].transpose() }; }), named('step', new RegExp(`its ${W[f]} is shape \\[4, 7\\] \\(expected a tensor of shape \\[7, 4\\]\\); it is transposed`)));
      assert.throws(bad((...a: unknown[]) => { const g = step(...a); return { ...g, daPrev: g.daPrev.sum(0, true) }; }), named('step', /its daPrev is shape \[1, 4\] \(expected a tensor of shape \[2, 4\].*nothing is broadcast/));
      assert.throws(bad((...a: unknown[]) => { const g = step(...a); return { ...g, daPrev: g.daPrev.arraySync() }; }), named('step', /its daPrev is an array, not a tensor/));
      assert.throws(bad((...a: unknown[]) => { const g = step(...a); return { ...g, daPrev: g.daPrev.mul(NaN) }; }), named('step', /at t = 5 its daPrev holds NaN at entry 0 \(expected finite values/));
      assert.throws(bad((...a: unknown[]) => { const g = step(...a); g.daPrev.dispose(); return g; }), named('step', /its daPrev is a disposed tensor/));
      class Mine extends Error {}
      const mine = new Mine('my own bug');
      assert.throws(bad(() => { throw mine; }), (e: unknown) => e === mine, 'the user\'s own exception passes through unchanged');
      done();
    });
  }

  it('a cache from another family, a disposed cache, a disposed or bool a0 / c0, a bool X', () => {
    const r = setup('rnn'), l = setup('lstm'), g = setup('gru');
    assert.throws(() => backward(l.net, r.cache, l.Y), named('cache', /the cache of an rnn's forward pass \(expected the cache of this lstm's/));
    assert.throws(() => backward(r.net, l.cache, r.Y), named('cache', /an lstm's/));
    assert.throws(() => backward(g.net, r.cache, g.Y), named('cache', /an rnn's.*this gru's/));
    for (const { net, X } of [r, l, g]) {
      const before = tf.memory().numTensors;
      const a0 = tf.zeros([2, 4]); a0.dispose();
      assert.throws(() => net.forward(X, { a0 }), named('a0', /a disposed tensor of shape \[2, 4\]/));
      const b0 = tf.zeros([2, 4], 'bool');
      assert.throws(() => net.forward(X, { a0: b0 }), named('a0', /a bool tensor/));
      const Xb = tf.zeros([2, 5, 3], 'bool');
      assert.throws(() => net.forward(Xb), named('X', /a bool tensor/));
      tf.dispose([b0, Xb]);
      assert.equal(tf.memory().numTensors, before);
    }
    const c0 = tf.zeros([2, 4]); c0.dispose();
    assert.throws(() => l.net.forward(l.X, { c0 }), named('c0', /disposed/));
    g.done(); l.done(); // the last set up first: each counts the tensors of those before it
    r.cache.dispose();
    assert.throws(() => backward(r.net, r.cache, r.Y), named('cache', /already disposed/));
    r.done();
  });
});

describe('non-finite values say so', () => {
  const overflowing = () => {
    const net = gs.rnn({ nx: 3, na: 16, ny: 1, hidden: 'relu', scale: 1e3, seed: 1 });
    const X = tf.randomNormal([8, 60, 3], 0, 1, 'float32', 2), Y = tf.ones([8, 1]);
    return { net, X, Y, done: () => { tf.dispose([X, Y]); net.dispose(); } };
  };

  it('gradCheck on a relu rnn that overflows float32 is inconclusive with the reason, never wrong', () => {
    const { net, X, Y, done } = overflowing();
    for (const o of [{}, { mode: 'sparse' }, { mode: 'directional' }] as const) {
      const r = gs.gradCheck(net, X, Y, { ...o, progress: false });
      assert.equal(r.verdict, 'inconclusive', `${JSON.stringify(o)}\n${r}`);
      assert.match(r.reason ?? '', /overflows/);
    }
    done();
  });

  it('a NaN where autograd is finite is still wrong, even next to an overflow', () => {
    const { net, X, Y, done } = overflowing();
    // which blocks of autograd stay finite depends on the backend's NaN handling (wasm: dWy, dby; tensorflow: none)
    const auto = net.autogradGrads(X, Y);
    const finiteBlock = ['dby', 'dWy'].find((k) => auto[k].dataSync().every(Number.isFinite));
    tf.dispose(Object.values(auto));
    const k = finiteBlock ?? 'dby';
    const r = gs.gradCheck(net, X, Y, { backward: (n, c, y) => { const g = n.backward(c, y); const s = g[k].mul(NaN); g[k].dispose(); g[k] = s; return g; }, progress: false });
    // where autograd is finite a NaN is the backward's own: wrong; where autograd overflowed too: inconclusive
    assert.equal(r.blocks.find((b) => b.name === k)!.verdict, finiteBlock ? 'wrong' : 'inconclusive', String(r));
    assert.equal(r.verdict, finiteBlock ? 'wrong' : 'inconclusive');
    done();
  });

  it('gradientThroughTime flags every non-finite norm, and every step whose a^(t) overflowed, in its rows and its text form', () => {
    const { net, X, Y, done } = overflowing(); // on wasm every norm stays finite here while a^(t) overflows
    const rows = gs.gradientThroughTime(net, X, Y);
    const flagged = rows.filter((r) => r.overflow || !Number.isFinite(r.gradNorm));
    assert.ok(flagged.length > 0, String(flagged.length));
    assert.ok(flagged.every((r) => /overflowed/.test(r.note ?? '')));
    assert.ok(rows.filter((r) => Number.isFinite(r.gradNorm)).every((r) => r.overflow ? /forward pass overflowed here .*cannot be trusted/.test(r.note!) : r.note === undefined));
    assert.match(gs.toText(rows as never), /overflowed/);
    const small = gs.rnn({ nx: 3, na: 8, ny: 1, hidden: 'relu', scale: 1e3, seed: 1 }); // here the norms are NaN
    const X2 = tf.randomNormal([4, 60, 3], 0, 1, 'float32', 1), Y2 = tf.ones([4, 1]);
    const rows2 = gs.gradientThroughTime(small, X2, Y2);
    assert.ok(rows2.some((r) => r.note));
    assert.ok(rows2.filter((r) => !Number.isFinite(r.gradNorm)).every((r) => /not finite: the float32 forward or backward pass overflowed/.test(r.note ?? '')));
    tf.dispose([X2, Y2]); small.dispose();
    done();
  });

  it('scale, forgetBias or an init gain that puts theta beyond float32 is refused', () => {
    assert.throws(() => make('rnn', { scale: 1e39 }), named('scale', /gives Wa entry \d+ = .*beyond float32's range/));
    assert.throws(() => make('gru', { scale: 1e39 }), named('scale', /gives Wa entry/));
    assert.throws(() => make('lstm', { forgetBias: 1e39 }), named('forgetBias', /beyond float32's range/));
    for (const f of FAMILIES) assert.throws(() => make(f, { init: { gain: 1e300 } }), named('init', /beyond float32's range/), f);
  });
});

describe('no silent coercion', () => {
  it("init: null is refused (it fell back to the default)", () => {
    for (const f of FAMILIES) assert.throws(() => make(f, { init: null }), named('init', /invalid init: null/), f);
  });
});

describe('older probe leftovers', () => {
  it('gradCheck with a backward that returns a disposed tensor names the output', () => {
    const { net, X, Y, done } = setup('rnn');
    const before = tf.memory().numTensors;
    assert.throws(() => gs.gradCheck(net, X, Y, { backward: (n, c, y) => { const g = backward(n, c, y); g.dWa.dispose(); return g; } }), named('backward', /its dWa is a disposed tensor/));
    const mlp = gs.mlp({ sizes: [3, 4, 1], seed: 1 }), X2 = tf.randomNormal([4, 3]) as gs.tf.Tensor2D, Y2 = tf.ones([4, 1]);
    assert.throws(() => gs.gradCheck(mlp, X2, Y2, { backward: (n, c, y) => { const g = n.backward(c, y); g.dW1.dispose(); return g; } }), named('backward', /its dW1 is a disposed tensor/));
    tf.dispose([X2, Y2]); mlp.dispose();
    assert.equal(tf.memory().numTensors, before);
    done();
  });

  it('checkGradients with an f that takes more inputs than xs holds', () => {
    const x = tf.tensor1d([1, 2]);
    assert.throws(() => gs.checkGradients((a: Tensor, b: Tensor) => a.mul(b).sum(), [x]), named('f', /it takes 2 inputs but xs holds 1/));
    x.dispose();
  });
});
