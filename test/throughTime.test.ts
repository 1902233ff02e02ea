/**
 * gs.gradientThroughTime: ||dJ/da^(t)|| (and ||dJ/dc^(t)||) per step, checked against tf autograd
 * of J with respect to a zero perturbation added to a^(t) (and c^(t)) in a forward pass written
 * here; the vanishing and exploding pictures it is for; gs.charts.gradientThroughTime under vega-lite 5.6.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as gs from '../src/index';
import { linePaths, render56 } from './charts.helpers';

const { tf } = gs;
type T2 = gs.tf.Tensor2D;

before(async () => { await gs.ready(); });

/**
 * dJ/da^(t) and dJ/dc^(t) for t = 1..T by tf.grads: the forward pass again with e_t added to a^(t)
 * (and f_t to c^(t)), differentiated at e = f = 0. Outputs 'last', sigmoid (BCE).
 */
function autogradThroughTime(net: gs.Rnn | gs.Lstm, X: gs.tf.Tensor3D, Y: T2): { da: number[]; dc: number[] } {
  const [m, T] = X.shape;
  const na = net.spec.na;
  const p = net.params;
  const J = (...e: gs.tf.Tensor[]) => {
    const xs = tf.unstack(X, 1) as T2[];
    let a: T2 = tf.zeros([m, na]), c: T2 = tf.zeros([m, na]);
    for (let t = 0; t < T; t++) {
      const h = tf.concat([a, xs[t]], 1);
      if (net instanceof gs.Rnn) a = tf.tanh(h.matMul(p.Wa).add(p.ba)).add(e[t]) as T2;
      else {
        const s = (W: string, b: string) => tf.sigmoid(h.matMul(p[W]).add(p[b]));
        c = s('Wu', 'bu').mul(tf.tanh(h.matMul(p.Wc).add(p.bc))).add(s('Wf', 'bf').mul(c)).add(e[T + t]) as T2;
        a = s('Wo', 'bo').mul(tf.tanh(c)).add(e[t]) as T2;
      }
    }
    const z = a.matMul(p.Wy).add(p.by);
    return tf.relu(z).sub(z.mul(Y)).add(tf.log1p(tf.exp(tf.abs(z).neg()))).sum().div(m) as gs.tf.Scalar;
  };
  return tf.tidy(() => {
    const zeros = Array.from({ length: net instanceof gs.Rnn ? T : 2 * T }, () => tf.zeros([m, na]));
    const g = tf.grads(J)(zeros);
    const norms = g.map((t) => Math.sqrt(t.square().sum().dataSync()[0]));
    return { da: norms.slice(0, T), dc: norms.slice(T) };
  });
}

describe('gs.gradientThroughTime', () => {
  it('rnn: ||dJ/da^(t)|| for t = 1..T equals autograd through a perturbation of a^(t)', () => {
    const net = gs.rnn({ nx: 3, na: 5, ny: 1, seed: 2 });
    const X = tf.randomNormal([4, 12, 3], 0, 1, 'float32', 1) as gs.tf.Tensor3D, Y = tf.tidy(() => tf.randomUniform([4, 1], 0, 1, 'float32', 2).round()) as T2;
    const before = tf.memory().numTensors;
    const rows = gs.gradientThroughTime(net, X, Y);
    assert.equal(tf.memory().numTensors, before);
    assert.deepEqual(rows.map((r) => r.t), Array.from({ length: 12 }, (_, i) => i + 1));
    assert.ok(rows.every((r) => r.model === 'rnn tanh' && r.family === 'rnn' && r.cellGradNorm === undefined));
    const { da } = autogradThroughTime(net, X, Y);
    rows.forEach((r, i) => assert.ok(Math.abs(r.gradNorm - da[i]) < 1e-5 * da[i] + 1e-9, `t ${r.t}: ${r.gradNorm} vs ${da[i]}`));
    tf.dispose([X, Y]);
    net.dispose();
  });

  it('lstm: ||dJ/da^(t)|| and ||dJ/dc^(t)|| equal autograd through perturbations of a^(t) and c^(t)', () => {
    const net = gs.lstm({ nx: 3, na: 5, ny: 1, seed: 2 });
    const X = tf.randomNormal([4, 12, 3], 0, 1, 'float32', 1) as gs.tf.Tensor3D, Y = tf.tidy(() => tf.randomUniform([4, 1], 0, 1, 'float32', 2).round()) as T2;
    const rows = gs.gradientThroughTime(net, X, Y, { label: 'mine' });
    const { da, dc } = autogradThroughTime(net, X, Y);
    rows.forEach((r, i) => {
      assert.equal(r.model, 'mine');
      assert.ok(Math.abs(r.gradNorm - da[i]) < 1e-5 * da[i] + 1e-9, `da t ${r.t}: ${r.gradNorm} vs ${da[i]}`);
      assert.ok(Math.abs(r.cellGradNorm! - dc[i]) < 1e-5 * dc[i] + 1e-9, `dc t ${r.t}: ${r.cellGradNorm} vs ${dc[i]}`);
    });
    tf.dispose([X, Y]);
    net.dispose();
  });

  describe('T 50: the tanh rnn vanishes, a scaled-up Wa explodes, the forget gate keeps it', () => {
    const X = tf.randomNormal([16, 50, 4], 0, 1, 'float32', 1);
    const Y = tf.tidy(() => tf.randomUniform([16, 1], 0, 1, 'float32', 2).round());
    const ratio = (net: gs.Rnn | gs.Lstm, key: 'gradNorm' | 'cellGradNorm' = 'gradNorm') => {
      const rows = gs.gradientThroughTime(net, X, Y);
      net.dispose();
      return rows[0][key]! / rows[49][key]!; // ||dJ/da^(1)|| / ||dJ/da^(50)||
    };
    it('tanh rnn (xavier): ||dJ/da^(1)|| < 1e-4 ||dJ/da^(50)||', () => {
      assert.ok(ratio(gs.rnn({ nx: 4, na: 32, ny: 1, seed: 1 })) < 1e-4);
    });
    it('tanh rnn with Wa x 2: ||dJ/da^(1)|| > 5 ||dJ/da^(50)||', () => {
      assert.ok(ratio(gs.rnn({ nx: 4, na: 32, ny: 1, seed: 1, scale: 2 })) > 5);
    });
    it('lstm: forgetBias 0 vanishes (< 1e-5), 1 keeps 1e-3 or more, 3 keeps all of it (> 0.5)', () => {
      const r0 = ratio(gs.lstm({ nx: 4, na: 32, ny: 1, seed: 1, forgetBias: 0 }));
      const r1 = ratio(gs.lstm({ nx: 4, na: 32, ny: 1, seed: 1, forgetBias: 1 }));
      const r3 = ratio(gs.lstm({ nx: 4, na: 32, ny: 1, seed: 1, forgetBias: 3 }));
      assert.ok(r0 < 1e-5, `forgetBias 0: ${r0}`);
      assert.ok(r1 > 1e-3 && r1 < 0.5, `forgetBias 1: ${r1}`);
      assert.ok(r3 > 0.5, `forgetBias 3: ${r3}`);
    });
    it('frees its data', () => { tf.dispose([X, Y]); });
  });

  it('bad input is named', () => {
    const net = gs.rnn({ nx: 2, na: 3, ny: 1 });
    const X = tf.zeros([2, 3, 2]), Y = tf.zeros([2, 1]);
    const mlp = gs.mlp({ sizes: [2, 1] });
    const before = tf.memory().numTensors;
    tf.engine().startScope();
    assert.throws(() => gs.gradientThroughTime(mlp as never, X, Y), /invalid net: .*expected a recurrent network from gs\.rnn(, gs\.\w+)* or gs\.\w+\)/);
    assert.throws(() => gs.gradientThroughTime(net, X, Y, { c0: X }), /invalid c0: .*an rnn has no cell state/);
    assert.throws(() => gs.gradientThroughTime(net, tf.zeros([2, 3]), Y), /invalid X: rank 2/);
    assert.throws(() => gs.gradientThroughTime(net, X, tf.zeros([2, 3, 1])), /invalid Y: shape \[2, 3, 1\]/);
    assert.throws(() => gs.gradientThroughTime(net, X, Y, { lable: 'x' } as never), /invalid options.lable/);
    tf.engine().endScope();
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([X, Y]);
    mlp.dispose();
    net.dispose();
  });
});

describe('gs.charts.gradientThroughTime', () => {
  const rows = (): gs.ThroughTimeRow[] => [
    ...Array.from({ length: 20 }, (_, i) => ({ model: 'rnn tanh', family: 'rnn' as const, t: i + 1, gradNorm: 10 ** (-(20 - i) / 2) })),
    ...Array.from({ length: 20 }, (_, i) => ({ model: 'lstm forgetBias 1', family: 'lstm' as const, t: i + 1, gradNorm: 0.01 * (1 + i), cellGradNorm: 0.02 })),
  ];

  it('one line per model and quantity, log y, step axis with whole steps', () => {
    const spec = gs.charts.gradientThroughTime(rows()) as Record<string, any>;
    assert.equal(spec.$schema, 'https://vega.github.io/schema/vega-lite/v5.json');
    assert.equal(spec.encoding.y.scale.type, 'log');
    assert.equal(spec.encoding.x.field, 't');
    assert.ok(spec.encoding.x.axis.values.every((v: number) => Number.isInteger(v)));
    assert.equal(spec.encoding.color.field, 'model');
    assert.equal(spec.encoding.strokeDash.field, 'quantity');
    assert.equal(spec.data.values.length, 60); // 20 rnn + 20 lstm dJ/da + 20 lstm dJ/dc
    assert.match(spec.title.subtitle, /dashed \|\|dJ\/dc\^\(t\)\|\| \(lstm\); range 1.00e-10 to 0.31623/);
    const noCell = gs.charts.gradientThroughTime(rows(), { cell: false }) as Record<string, any>;
    assert.equal(noCell.data.values.length, 40);
    assert.equal(noCell.encoding.strokeDash, undefined);
  });

  it('a zero norm (an exactly vanished gradient) is left off the log axis and counted', () => {
    const r = rows();
    r[0].gradNorm = 0;
    const spec = gs.charts.gradientThroughTime(r) as Record<string, any>;
    assert.equal(spec.data.values.length, 59);
    assert.match(spec.title.subtitle, /1 zero or non-finite values not drawn/);
  });

  it('compiles under vega-lite 5.6.1 without warnings and draws 3 lines with the models in the legend', async () => {
    const spec = gs.charts.gradientThroughTime(rows());
    const { svg } = await render56(spec);
    assert.equal(linePaths(svg), 3);
    assert.match(svg, /rnn tanh/);
    assert.match(svg, /lstm forgetBias 1/);
    assert.match(svg, /dJ\/dc/);
  });

  it('bad rows and options are named', () => {
    assert.throws(() => gs.charts.gradientThroughTime([]), /invalid rows: \[\] \(expected a non-empty array of gs.gradientThroughTime rows/);
    assert.throws(() => gs.charts.gradientThroughTime([{ t: 1 }] as never), /invalid rows/);
    assert.throws(() => gs.charts.gradientThroughTime(rows(), { cell: 'yes' } as never), /invalid cell: "yes"/);
    assert.throws(() => gs.charts.gradientThroughTime(rows(), { colour: 1 } as never), /invalid options.colour/);
    // two nets with the same default name would draw one zigzag line
    assert.throws(() => gs.charts.gradientThroughTime([...rows(), ...rows().slice(0, 3)]), /invalid rows: "two rows for model \\"rnn tanh\\" at t = 1" \(expected one row per model and step: .*label/);
  });
});
