import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as gs from '../src/index';
import { backward as solutionBackward } from '../notebooks/solutions/backward';
import { initWeights as solutionInit } from '../notebooks/solutions/init';

const { tf } = gs;
before(async () => { await gs.ready(); });

type Tensor = gs.tf.Tensor;
type Tensor2D = gs.tf.Tensor2D;

/** The teacher's backward with one typical mistake switched on. */
function buggy(mistake: string): gs.StudentBackward {
  return (net, cache, Y) => tf.tidy(() => {
    const L = net.depth;
    const m = Y.shape[0];
    const { z, a } = cache;
    const g = (zl: Tensor2D): Tensor => net.spec.hidden === 'tanh' ? tf.tanh(zl) : net.spec.hidden === 'sigmoid' ? tf.sigmoid(zl) : tf.relu(zl);
    const dg = (zl: Tensor2D): Tensor => {
      if (mistake === 'g instead of dg') return g(zl);
      switch (net.spec.hidden) {
        case 'tanh': return tf.scalar(1).sub(tf.tanh(zl).square());
        case 'sigmoid': { const s = tf.sigmoid(zl); return s.mul(tf.scalar(1).sub(s)); }
        default: return mistake === 'relu wrong side' ? zl.less(0).toFloat() : zl.greater(0).toFloat();
      }
    };
    const grads: gs.Grads = {};
    let delta: Tensor = mistake === 'sign flipped' ? Y.sub(a[L]) : a[L].sub(Y);
    for (let l = L; l >= 1; l--) {
      let dW = mistake === 'transposed dW' ? delta.transpose().matMul(a[l - 1]) : a[l - 1].transpose().matMul(delta);
      if (mistake !== 'missing 1/m in dW') dW = dW.div(m);
      grads[`dW${l}`] = dW;
      grads[`db${l}`] = mistake === 'db summed, not averaged' ? delta.sum(0) : mistake === 'db over the wrong axis' ? delta.mean(1) : delta.mean(0);
      if (l > 1) {
        const back = delta.matMul(net.W(l).transpose());
        delta = mistake === "forgot g'(z)" ? back : back.mul(dg(z[l - 1]!));
      }
    }
    if (mistake === 'forgot db1') delete grads.db1;
    return grads;
  });
}

const caseA = (r: gs.GradeResult) => r.cases[0];

describe('gs.grade.backward', () => {
  it('passes the teacher solution on every network, every block great', () => {
    const before = tf.memory().numTensors;
    const r = gs.grade.backward(solutionBackward);
    assert.equal(tf.memory().numTensors, before, 'no tensors leaked');
    assert.equal(r.status, 'passed', r.toString());
    assert.equal(r.cases.length, gs.BACKWARD_CASES.length);
    for (const c of r.cases) {
      assert.equal(c.passed, true);
      for (const b of c.blocks) {
        assert.ok(b.relativeError < 1e-6, `${c.name} ${b.name}: ${b.relativeError}`);
        assert.ok(Math.abs(b.scale - 1) < 1e-4, `${b.name} scale ${b.scale}`);
      }
    }
    assert.match(r.toString(), /all checks passed/);
  });

  it('says "not yet implemented" for the unfilled template, without throwing', () => {
    const r = gs.grade.backward(() => undefined);
    assert.equal(r.status, 'todo');
    assert.equal(r.passed, false);
    assert.match(r.toString(), /not yet implemented.*dW1, db1, dW2, db2/);
    assert.equal(gs.grade.backward(() => ({})).status, 'todo');
  });

  // mistake -> [first wrong block of net A [3, 4, 1], every wrong block of net A, text that must appear]
  const catalogue: Array<[string, string, string[], RegExp]> = [
    ['missing 1/m in dW', 'dW2', ['dW2', 'dW1'], /dW2 is 5 x the correct gradient: a missing 1\/m/],
    ['db summed, not averaged', 'db2', ['db2', 'db1'], /db2, db1 are 5 x the correct gradient: db summed over the batch instead of averaged/],
    ['sign flipped', 'dW2', ['dW2', 'db2', 'dW1', 'db1'], /sign is flipped/],
    ['g instead of dg', 'dW1', ['dW1', 'db1'], /dW1 .*first wrong block/],
    ["forgot g'(z)", 'dW1', ['dW1', 'db1'], /blocks above it are right/],
    ['transposed dW', 'dW2', ['dW2', 'dW1'], /dW2 has shape \[1,4\], expected \[4,1\]: transposed/],
    ['db over the wrong axis', 'db2', ['db2', 'db1'], /db2 has shape \[5\], expected \[1\]: reduced over the wrong axis/],
    ['forgot db1', 'db1', ['db1'], /db1 is missing/],
  ];
  for (const [mistake, first, wrong, text] of catalogue) {
    it(`fails "${mistake}" naming ${first}`, () => {
      const before = tf.memory().numTensors;
      const r = gs.grade.backward(buggy(mistake));
      assert.equal(tf.memory().numTensors, before, 'no tensors leaked');
      assert.equal(r.status, 'failed', r.toString());
      const a = caseA(r);
      assert.equal(a.passed, false);
      assert.equal(a.firstWrong, first, r.toString());
      assert.deepEqual([...a.wrong].sort(), [...wrong].sort(), r.toString());
      assert.match(r.toString(), text);
      assert.ok(r.wrong.includes(`${a.name}: ${first}`));
    });
  }

  it('finds the relu derivative on the wrong side in the relu net (net B), below the output layer', () => {
    const r = gs.grade.backward(buggy('relu wrong side'));
    const b = r.cases.find((c) => c.name.startsWith('net B'))!;
    assert.equal(b.passed, false);
    assert.equal(b.firstWrong, 'dW2', r.toString());
    assert.ok(b.blocks.find((x) => x.name === 'dW3')!.relativeError < 1e-6, 'the output layer is right');
    assert.equal(r.cases.find((c) => c.name.startsWith('net A'))!.passed, true, 'tanh net unaffected');
  });

  it('reports an exception in the student code as feedback', () => {
    const r = gs.grade.backward(() => { throw new Error('cache.z[0] is undefined'); });
    assert.equal(r.status, 'failed');
    assert.match(r.toString(), /your backward threw: cache\.z\[0\] is undefined/);
  });
});

describe('gs.grade.init', () => {
  it('passes the teacher solution (He for relu, Xavier for tanh/sigmoid)', () => {
    const before = tf.memory().numTensors;
    const r = gs.grade.init(solutionInit);
    assert.equal(tf.memory().numTensors, before);
    assert.equal(r.status, 'passed', r.toString());
    for (const c of r.cases) assert.ok(Math.abs(c.variance!.measured / c.variance!.expected - 1) < 0.05, c.name);
  });

  it('accepts Glorot 2/(n_in + n_out) for tanh as well', () => {
    const r = gs.grade.init((nIn, nOut, hidden) => tf.randomNormal([nIn, nOut]).mul(Math.sqrt(hidden === 'relu' ? 2 / nIn : 2 / (nIn + nOut))));
    assert.equal(r.status, 'passed', r.toString());
  });

  it('says "not yet implemented" for the unfilled template', () => {
    const r = gs.grade.init(() => undefined);
    assert.equal(r.status, 'todo');
    assert.match(r.toString(), /not yet implemented/);
  });

  const randn = (nIn: number, nOut: number, std: number) => tf.randomNormal([nIn, nOut]).mul(std);
  // mistake -> (function, the layers that must fail, text)
  const catalogue: Array<[string, gs.StudentInit, string[], RegExp]> = [
    ['Xavier (1/n) for relu', (nIn, nOut) => randn(nIn, nOut, Math.sqrt(1 / nIn)), ['relu', 'relu'], /matches 1\/n_in \(Xavier/],
    ['He (2/n) for tanh and sigmoid', (nIn, nOut) => randn(nIn, nOut, Math.sqrt(2 / nIn)), ['tanh', 'sigmoid'], /matches 2\/n_in \(He\)/],
    ['n_out for n_in', (nIn, nOut, h) => randn(nIn, nOut, Math.sqrt((h === 'relu' ? 2 : 1) / nOut)), ['relu', 'relu', 'tanh'], /n_out used where n_in/],
    ['variance for std', (nIn, nOut, h) => randn(nIn, nOut, (h === 'relu' ? 2 : 1) / nIn), ['relu', 'relu', 'tanh', 'sigmoid'], /instead of its square root|instead of sqrt/],
    ['0.01 * randn', (nIn, nOut) => randn(nIn, nOut, 0.01), ['relu', 'relu', 'tanh', 'sigmoid'], /0\.01 \* randn/],
    ['uniform [0, 1)', (nIn, nOut) => tf.randomUniform([nIn, nOut]), ['relu', 'relu', 'tanh', 'sigmoid'], /not centred on 0/],
    ['all zeros', (nIn, nOut) => tf.zeros([nIn, nOut]), ['relu', 'relu', 'tanh', 'sigmoid'], /symmetry/],
    ['[n_out, n_in] shape', (nIn, nOut, h) => randn(nOut, nIn, Math.sqrt((h === 'relu' ? 2 : 1) / nIn)), ['relu', 'relu', 'tanh'], /expected \[512, 128\]/],
  ];
  for (const [mistake, fn, failing, text] of catalogue) {
    it(`fails "${mistake}" on the right layers`, () => {
      const before = tf.memory().numTensors;
      const r = gs.grade.init(fn);
      assert.equal(tf.memory().numTensors, before);
      assert.equal(r.status, 'failed', r.toString());
      const failed = r.cases.filter((c) => !c.passed).map((c) => c.name.split(' ')[0]);
      assert.deepEqual(failed, failing, r.toString());
      assert.match(r.toString(), text);
    });
  }
});

/** A full backward (l2, dropout, residual) with one realistic mistake switched on. */
function regularised(mistake: string): gs.StudentBackward {
  return (net, cache, Y) => tf.tidy(() => {
    const { l2, keepProb, residual } = net.spec;
    const L = net.depth, m = Y.shape[0];
    const { z, a, D } = cache;
    const dg = (zl: Tensor2D) => tf.scalar(1).sub(tf.tanh(zl).square()); // EXTENDED_CASES are tanh
    const grads: gs.Grads = {};
    let delta: Tensor = a[L].sub(Y);
    let da: Tensor | undefined;
    for (let l = L; l >= 1; l--) {
      const W = net.W(l);
      let dW = a[l - 1].transpose().matMul(delta).div(m);
      if (l2 > 0 && mistake !== 'l2 dropped') dW = dW.add(W.mul(mistake === 'lambda W without 1/m' ? l2 : mistake === 'lambda / 2m' ? l2 / (2 * m) : l2 / m));
      grads[`dW${l}`] = dW;
      grads[`db${l}`] = delta.mean(0);
      if (l === 1) break;
      let daPrev = delta.matMul(W.transpose());
      if (residual[l] && da) daPrev = daPrev.add(mistake === 'skip adds delta' ? delta : da);
      da = daPrev;
      let dz = da;
      if (D[l - 1] && !(mistake === 'mask forgotten in layer 1' && l - 1 === 1)) dz = dz.mul(D[l - 1]!).div(mistake === '1/keepProb twice' ? keepProb * keepProb : keepProb);
      delta = dz.mul(dg(z[l - 1]!));
    }
    return grads;
  });
}

describe('gs.grade.backward: dropout, l2 and residual cases', () => {
  it("passes the library's own backward on a dropout case, and every EXTENDED_CASES net", () => {
    const before = tf.memory().numTensors;
    const own: gs.StudentBackward = (net, cache, Y) => net.backward(cache, Y);
    const drop = gs.grade.backward(own, { cases: [{ name: 'dropout', net: { sizes: [4, 5, 3], hidden: 'tanh', keepProb: 0.8, seed: 3 }, m: 6 }] });
    assert.equal(drop.status, 'passed', String(drop));
    const r = gs.grade.backward(own, { cases: gs.EXTENDED_CASES });
    assert.equal(r.status, 'passed', String(r));
    assert.equal(gs.grade.backward(regularised('none'), { cases: gs.EXTENDED_CASES }).status, 'passed');
    assert.equal(tf.memory().numTensors, before);
  });

  for (const [mistake, caseIndex, first] of [
    ['lambda W without 1/m', 0, 'dW3'], ['lambda / 2m', 0, 'dW3'], ['l2 dropped', 0, 'dW3'],
    ['1/keepProb twice', 1, 'dW2'], ['mask forgotten in layer 1', 1, 'dW1'], ['skip adds delta', 2, 'dW2'],
  ] as const) {
    it(`flags "${mistake}" naming ${first}`, () => {
      const r = gs.grade.backward(regularised(mistake), { cases: gs.EXTENDED_CASES });
      const c = r.cases[caseIndex];
      assert.equal(c.passed, false, String(r));
      assert.equal(c.firstWrong, first, String(r));
    });
  }
});

describe('gs.grade.backward: hostile or unfinished answers', () => {
  it('a backward that disposes the cache gets a line, not an exception', () => {
    const before = tf.memory().numTensors;
    const r = gs.grade.backward((net, cache, Y) => { const g = net.backward(cache, Y); cache.dispose(); return g; });
    assert.equal(r.status, 'failed');
    assert.match(String(r), /your backward disposed the cache/);
    assert.equal(tf.memory().numTensors, before);
  });

  it('an async backward is told so, not "not yet implemented"', () => {
    const r = gs.grade.backward((async (net: gs.Net, cache: gs.Cache, Y: Tensor2D) => net.backward(cache, Y)) as unknown as gs.StudentBackward);
    assert.equal(r.status, 'failed');
    assert.match(String(r), /your backward is async/);
  });

  it('bad cases name the case and the field; m 0 and fractional m are refused before anything is built', () => {
    const before = tf.memory().numTensors;
    const own: gs.StudentBackward = (net, cache, Y) => net.backward(cache, Y);
    assert.throws(() => gs.grade.backward(own, { cases: [{} as gs.BackwardCase] }), /invalid cases\[0\]\.net/);
    assert.throws(() => gs.grade.backward(own, { cases: [{ name: 'x', net: { sizes: [2, 2] }, m: 2.5 }] }), /invalid cases\[0\]\.m: 2\.5/);
    assert.throws(() => gs.grade.backward(own, { cases: [{ name: 'x', net: { sizes: [2, 2] }, m: 0 }] }), /invalid cases\[0\]\.m: 0/);
    assert.equal(tf.memory().numTensors, before);
  });

  it("hints: sigmoid' forgotten in layer 1 is a delta problem, not a missing 1/m; m from shape[1] is named", () => {
    const noDg: gs.StudentBackward = (net, cache, Y) => {
      const g = net.backward(cache, Y);
      if (net.depth !== 2 || net.spec.hidden !== 'sigmoid') return g;
      const { z, a } = cache;
      const m = Y.shape[0];
      const delta2 = a[2].sub(Y), delta1 = delta2.matMul(net.W(2).transpose()); // g'(z^1) forgotten
      tf.dispose([g.dW1, g.db1]);
      g.dW1 = a[0].transpose().matMul(delta1).div(m); g.db1 = delta1.mean(0);
      tf.dispose([delta2, delta1, z[1]!.clone()]);
      return g;
    };
    const c = gs.grade.backward(noDg).cases[2];
    assert.equal(c.firstWrong, 'dW1', c.lines.join('\n'));
    assert.match(c.lines.join('\n'), /and so is db1: delta\^1 itself is off/);
    assert.doesNotMatch(c.lines.join('\n'), /missing 1\/m/);
    const shape1: gs.StudentBackward = (net, cache, Y) => {
      const g = net.backward(cache, Y);
      const m = Y.shape[0], n0 = net.spec.sizes[0];
      const w = g.dW1.mul(m / n0); g.dW1.dispose(); g.dW1 = w;
      return g;
    };
    assert.match(gs.grade.backward(shape1).cases[0].lines.join('\n'), /divided by 3 \(a shape\[1\]\) instead of m = 5/);
  });
});
