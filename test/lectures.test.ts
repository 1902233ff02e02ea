/** Softmax (lecture 003), input normalisation (lecture 001), Hoeffding's bound (lecture 003) and their charts. */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as gs from '../src/index';
import { linePaths, markItems, render56 as render, svgTexts } from './charts.helpers';

const { tf } = gs;
before(async () => { await gs.ready(); });

const round = (xs: number[], d = 3) => xs.map((x) => Number(x.toFixed(d)));

describe('softmax (lecture 003)', () => {
  it('apple, orange, peach: [0.9, 0.7, 0.1] -> 0.441, 0.361, 0.198 (the notes round peach to .19)', () => {
    const p = gs.softmax([0.9, 0.7, 0.1]);
    assert.deepEqual(round(p), [0.441, 0.361, 0.198]);
    assert.ok(Math.abs(p.reduce((s, x) => s + x, 0) - 1) < 1e-15);
    const e = [0.9, 0.7, 0.1].map(Math.exp);
    assert.ok(Math.abs(p[0] - e[0] / (e[0] + e[1] + e[2])) < 1e-15);
  });
  it('[10, -20, 700, -3]: e^700 overflows float32, e^710 float64; the max-subtracted form is exact', () => {
    assert.ok(!Number.isFinite(Math.fround(Math.exp(700))));
    const naive32 = gs.softmax([10, -20, 700, -3], { stable: false, precision: 'float32' });
    assert.ok(Number.isNaN(naive32[2]));
    assert.deepEqual([naive32[0], naive32[1], naive32[3]], [0, 0, 0]);
    const naive64 = gs.softmax([10, -20, 700, -3], { stable: false });
    assert.equal(naive64[2], 1); // e^700 = 1.0e304 still fits float64
    assert.ok(Number.isNaN(gs.softmax([10, -20, 710, -3], { stable: false })[2]));
    const stable = gs.softmax([10, -20, 710, -3]);
    assert.equal(stable[2], 1);
    assert.ok(Math.abs(stable[0] / Math.exp(10 - 710) - 1) < 1e-12, 'e^(10 - 710), not 0');
    assert.deepEqual(gs.softmax([10, -20, 700, -3], { precision: 'float32' }), [0, 0, 1, 0]); // float32 underflows e^-690
  });
  it('temperature beta divides the logits: towards uniform as beta grows, towards the max as it shrinks', () => {
    const hot = gs.softmax([0.9, 0.7, 0.1], { temperature: 10 });
    assert.deepEqual(round(hot), [0.344, 0.338, 0.318]);
    assert.ok(gs.softmax([0.9, 0.7, 0.1], { temperature: 0.01 })[0] > 0.999999);
    const rows = gs.softmaxTemperature([0.9, 0.7, 0.1], { labels: ['apple', 'orange', 'peach'] });
    assert.equal(rows.length, 41 * 3);
    assert.deepEqual(round(rows.filter((r) => Math.abs(r.temperature - 1) < 1e-12).map((r) => r.probability)), [0.441, 0.361, 0.198]);
  });
  it('the chart: one line per label on a log temperature axis, 1/k and beta = 1 marked', async () => {
    const spec = gs.charts.softmaxTemperature(gs.softmaxTemperature([0.9, 0.7, 0.1], { labels: ['apple', 'orange', 'peach'] })) as any;
    assert.equal(spec.layer[0].encoding.x.scale.type, 'log');
    assert.match(spec.title.subtitle, /at beta = 1: apple 0\.441, orange 0\.361, peach 0\.198/);
    const { svg, texts } = await render(spec);
    assert.equal(linePaths(svg), 3);
    assert.equal(markItems(svg, 'rule'), 2);
    for (const t of ['apple', 'orange', 'peach', 'temperature beta (log)', 'probability']) assert.ok(texts.includes(t), t);
  });
  it('bad input is named', () => {
    assert.throws(() => gs.softmax([]), /invalid values/);
    assert.throws(() => gs.softmax([1, NaN]), /invalid values: entry 1 is NaN/);
    assert.throws(() => gs.softmax([1], { temperature: 0 }), /invalid temperature: 0 \(expected a finite number > 0\)/);
    assert.throws(() => gs.softmax([1], { precision: 'float16' as never }), /invalid precision: "float16"/);
    assert.throws(() => gs.softmax([1], { beta: 2 } as never), /invalid options.beta/);
    assert.throws(() => gs.softmaxTemperature([1, 2], { labels: ['a'] }), /invalid labels/);
  });
});

describe('normalizer (lecture 001)', () => {
  it('mu = (1/m) sum x, sigma2 = (1/m) sum (x - mu)^2 per feature; apply = (x - mu) / sigma', () => {
    const n = gs.normalizer([[1, 100], [2, 300], [3, 200]]);
    assert.deepEqual([...n.mu], [2, 200]);
    assert.deepEqual(round([...n.sigma2], 6), [0.666667, 6666.666667]);
    const out = n.apply([[2, 400], [0, 200]]);
    assert.deepEqual(out.map((r) => round(r, 6)), [[0, 2.44949], [-2.44949, 0]]);
    const train = n.apply([[1, 100], [2, 300], [3, 200]]);
    for (let j = 0; j < 2; j++) {
      const col = train.map((r) => r[j]);
      assert.ok(Math.abs(col.reduce((s, x) => s + x, 0)) < 1e-12);
      assert.ok(Math.abs(col.reduce((s, x) => s + x * x, 0) / 3 - 1) < 1e-12);
    }
  });
  it('the test set goes through the training set\'s mu and sigma, not its own', () => {
    const Xtrain = [[0, 10], [2, 30], [4, 50]], Xtest = [[10, 100], [12, 120]];
    const right = gs.normalizer(Xtrain).apply(Xtest);
    const wrong = gs.normalizer(Xtest).apply(Xtest);
    // train: mu [2, 30], sigma [1.633, 16.33]: the test points lie far out; their own stats would put them at +-1
    assert.deepEqual(right.map((r) => round(r)), [[4.899, 4.287], [6.124, 5.511]]);
    assert.deepEqual(wrong.map((r) => round(r)), [[-1, -1], [1, 1]]);
  });
  it('a constant feature is only centred and named in a note; tensors in, tensors out, nothing leaked', () => {
    const X = tf.tensor2d([[1, 5], [3, 5], [5, 5]]);
    const before = tf.memory().numTensors;
    const n = gs.normalizer(X);
    assert.deepEqual(n.constant, [1]);
    assert.match(n.notes[0], /feature 1 is constant in the training set \(sigma2 = 0\): only centred/);
    const out = n.apply(X);
    assert.equal(tf.memory().numTensors, before + 1);
    assert.deepEqual(round([...out.dataSync()], 4), [-1.2247, 0, 0, 0, 1.2247, 0]);
    tf.dispose([X, out]);
  });
  it('bad input is named', () => {
    const n = gs.normalizer([[1, 2], [3, 4]]);
    assert.throws(() => n.apply([[1, 2, 3]]), /invalid X: 3 features \(expected 2, as in the training set\)/);
    assert.throws(() => gs.normalizer([[1, 2], [3]]), /invalid Xtrain/);
    assert.throws(() => gs.normalizer([[1, Infinity]]), /invalid Xtrain: entry \[0, 1\] is Infinity/);
  });
  it('gradient descent: 340 steps on raw inputs of scales 1 and 10, 4 once normalised; the contour chart shows both', async () => {
    const demo = gs.normalizationDemo();
    assert.equal(demo.raw.steps, 340);
    assert.equal(demo.normalised.steps, 4);
    assert.ok(demo.raw.condition > 90 && demo.normalised.condition < 1.5);
    // the same model in two parametrisations: w_raw = w_normalised / sigma
    assert.ok(Math.abs(demo.raw.wStar[1] * Math.sqrt(demo.normalizer.sigma2[1]) - demo.normalised.wStar[1]) < 1e-9);
    const spec = gs.charts.normalization(demo) as any;
    assert.equal(spec.hconcat.length, 2);
    for (const p of spec.hconcat) { // equal units on both axes
      const [a, b] = p.layer[0].encoding.x.scale.domain, [c, d] = p.layer[0].encoding.y.scale.domain;
      assert.ok(Math.abs((b - a) - (d - c)) < 1e-9);
      assert.equal(p.width, p.height);
    }
    assert.equal(spec.hconcat[0].layer[1].data.values.length, 341);
    const { svg, texts } = await render(spec);
    assert.equal(linePaths(svg), 2 * 5 + 2, '5 contours and a path per panel');
    for (const t of ['raw inputs', 'normalised inputs (x - mu) / sigma', '340 steps at lr 0.0207; lambda_max / lambda_min = 98.3', 'w1', 'w2']) assert.ok(texts.includes(t), t);
  });
});

describe('hoeffding (lecture 003)', () => {
  it('n 1000, t 0.1: 2 e^-20 = 4.12e-9 (the notes write .0000000004, one zero too many); the range matters', () => {
    const b = gs.hoeffding({ n: 1000, t: 0.1 });
    assert.equal(b, 2 * Math.exp(-20));
    assert.equal(Number(b.toPrecision(3)), 4.12e-9);
    assert.notEqual(Number(b.toPrecision(1)), 0.0000000004);
    assert.equal(gs.hoeffding({ n: 1000, t: 0.1, range: 10 }), 2 * Math.exp(-0.2));
    assert.throws(() => gs.hoeffding({ n: 0, t: 0.1 }), /invalid n: 0/);
    assert.throws(() => gs.hoeffding({ n: 10, t: -1 }), /invalid t: -1/);
    assert.throws(() => gs.hoeffding({ n: 10, t: 0.1, width: 2 } as never), /invalid options.width/);
  });
  it('simulation: the frequency stays under the bound and near the exact binomial tail', () => {
    const rows = gs.hoeffdingSimulation({ seed: 1 });
    assert.deepEqual(rows.map((r) => r.n), [5, 10, 20, 50, 100, 200, 300]);
    assert.equal(rows[0].empirical, 1); // n = 5: a mean of 5 coin flips is never within 0.1 of 1/2... except it is never 0.5
    for (const r of rows) {
      assert.ok(r.empirical <= r.bound);
      const sd = Math.sqrt((r.exact! * (1 - r.exact!)) / r.trials);
      assert.ok(Math.abs(r.empirical - r.exact!) <= 4 * sd + 1e-12, `n ${r.n}: ${r.empirical} vs ${r.exact}`);
    }
    assert.equal(Number(rows[4].exact!.toPrecision(3)), 0.0569); // Pr(|Bin(100, .5)/100 - .5| >= .1)
    const u = gs.hoeffdingSimulation({ distribution: 'uniform', ns: [10, 50], trials: 2000 });
    assert.equal(u[0].exact, undefined);
    assert.ok(u.every((r) => r.empirical <= r.bound));
  });
  it('the chart: simulated points, exact and bound lines on log axes, the useless region above 1 marked', async () => {
    const spec = gs.charts.hoeffding(gs.hoeffdingSimulation({ seed: 1, trials: 2000 })) as any;
    assert.equal(spec.layer[0].encoding.y.scale.type, 'log');
    const { svg, texts } = await render(spec);
    assert.equal(linePaths(svg), 2);
    assert.equal(markItems(svg, 'symbol'), 7);
    for (const t of ['simulated', 'exact (binomial)', 'Hoeffding: 2 exp(-2 n t^2)', 'samples n (log)', 'Pr(|mean - mu| >= t) (log)']) assert.ok(texts.includes(t), t);
    assert.throws(() => gs.charts.hoeffding([] as never), /invalid rows/);
  });
});
