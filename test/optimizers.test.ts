import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as gs from '../src/index';

const { tf } = gs;
before(async () => { await gs.ready(); });

const close = (a: ArrayLike<number>, b: number[], tol = 1e-12) => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < b.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol * Math.max(1, Math.abs(b[i])), `entry ${i}: ${a[i]} vs ${b[i]}`);
};

describe('optimizers: float64 steps against hand-computed values', () => {
  it('sgd: w - lr dw', () => {
    close(gs.optimizers.sgd.step([1, 2], [0.5, -1], {}, { lr: 0.1 }).w, [0.95, 2.1]);
  });
  it('momentum in the lecture\'s notation: Delta theta = eta Delta theta + alpha grad, theta -= Delta theta', () => {
    let s = gs.optimizers.momentum.step([1], [1], {}, { lr: 0.1, beta: 0.9 });
    close(s.w, [0.9]); close(s.state.dTheta!, [0.1]);
    s = gs.optimizers.momentum.step(s.w, [1], s.state, { lr: 0.1, beta: 0.9 });
    close(s.state.dTheta!, [0.19]); close(s.w, [0.71]);
  });
  it('adagrad: the sum of squared gradients, eps added to the root', () => {
    let s = gs.optimizers.adagrad.step([1], [2], {}, { lr: 0.1 });
    close(s.state.cache!, [4]); close(s.w, [1 - 0.2 / (2 + 1e-8)]);
    s = gs.optimizers.adagrad.step(s.w, [2], s.state, { lr: 0.1 });
    close(s.state.cache!, [8]); close(s.w, [0.8292893219], 1e-9);
    close(gs.optimizers.adagrad.stepSize(s.state, { lr: 0.1 }), [0.1 / Math.sqrt(8)], 1e-7);
  });
  it('rmsprop: the running mean of squared gradients', () => {
    const s = gs.optimizers.rmsprop.step([1], [2], {}, { lr: 0.01, decay: 0.9 });
    close(s.state.cache!, [0.4]); close(s.w, [0.9683772234], 1e-9);
  });
  it('adam: bias correction with t + 1, t counting the steps before this one', () => {
    let s = gs.optimizers.adam.step([1], [2], {}, { lr: 0.1 });
    close(s.state.m!, [0.2]); close(s.state.v!, [0.004]); assert.equal(s.state.t, 1);
    close(s.w, [0.9], 1e-8); // m-hat 2, v-hat 4: the first step is lr sign(g)
    s = gs.optimizers.adam.step(s.w, [-1], s.state, { lr: 0.1 });
    // m = 0.18 - 0.1 = 0.08, v = 0.003996 + 0.001 = 0.004996; m-hat = 0.08 / 0.19, v-hat = 0.004996 / 0.001999
    close(s.state.m!, [0.08]); close(s.state.v!, [0.004996]); assert.equal(s.state.t, 2);
    close(s.w, [0.8733660], 1e-6);
    close(gs.optimizers.adam.stepSize(s.state, { lr: 0.1 }), [0.1 / Math.sqrt(0.004996 / 0.001999)], 1e-7);
  });
  it('steps do not change their inputs', () => {
    const w = new Float64Array([1, 2]), dw = new Float64Array([3, 4]), cache = new Float64Array([1, 1]);
    gs.optimizers.rmsprop.step(w, dw, { cache }, {});
    assert.deepEqual([...w, ...dw, ...cache], [1, 2, 3, 4, 1, 1]);
  });
});

describe('optimizers: the tensor form is the float64 form', () => {
  for (const name of gs.optimizers.OPTIMIZER_NAMES) {
    it(`${name}.stepTensor equals ${name}.step over 5 steps, and frees what it does not return`, () => {
      const opt = gs.optimizers[name];
      const w0 = [0.5, -1.2, 2, 0.01], grads = [[0.3, -0.2, 1, 1e-3], [0.1, 0.4, -2, 2e-3], [-0.5, 0.1, 0.5, -1e-3], [0.2, 0.2, 0.2, 0], [1, -1, 0.1, 5e-4]];
      let s64: gs.optimizers.OptimizerState = {}, w64: Float64Array = Float64Array.from(w0);
      let sT: gs.optimizers.TensorState = {}, wT: gs.tf.Tensor = tf.tensor1d(w0);
      const before = tf.memory().numTensors;
      for (const g of grads) {
        ({ w: w64, state: s64 } = opt.step(w64, g, s64, { lr: 0.05 }));
        const dw = tf.tensor1d(g);
        const r = opt.stepTensor(wT, dw, sT, { lr: 0.05 });
        tf.dispose([wT, dw, sT.dTheta, sT.cache, sT.m, sT.v].filter((t): t is gs.tf.Tensor => t !== undefined));
        wT = r.w; sT = r.state;
      }
      close(wT.dataSync(), [...w64], 2e-6);
      assert.equal(sT.t, s64.t);
      const left = tf.memory().numTensors - before;
      assert.equal(left, opt.stateFields.filter((f) => f !== 't').length, 'only w and the state are kept');
      tf.dispose([wT, sT.dTheta, sT.cache, sT.m, sT.v].filter((t): t is gs.tf.Tensor => t !== undefined));
    });
  }
});

describe('optimizers.compare: step by step against tf.train', () => {
  for (const name of gs.optimizers.OPTIMIZER_NAMES) {
    it(`gradscope's ${name} passes against tf.train.${name}; each catalogued mistake is named`, () => {
      const before = tf.memory().numTensors;
      const own = gs.optimizers.compare(name);
      assert.equal(own.status, 'passed', String(own));
      assert.match(String(own), new RegExp(`✔ ${name}: all checks passed`));
      assert.equal(own.rows.length, 10);
      for (const r of own.rows) {
        assert.ok(r.reference < 1e-12, `step ${r.step}: vs the paper ${r.reference}`);
        assert.ok(r.tfRule < 1e-4, `step ${r.step}: tf's rule vs tf ${r.tfRule}`); // float32 round-off only
        if (name !== 'rmsprop') assert.ok(r.tf < 1e-5, `step ${r.step}: params vs tf ${r.tf}`); // rmsprop: eps inside the root, next test
      }
      const seen = new Set<string>();
      for (const m of gs.optimizers.MISTAKES[name]) {
        if (seen.has(m.name)) continue;
        const r = gs.optimizers.compare(name, (w, dw, s, o) => m.rule(w, dw, s, o));
        assert.equal(r.status, 'failed', `${m.name}: ${String(r)}`);
        assert.equal(r.mistake, m.name);
        seen.add(m.name);
      }
      assert.equal(tf.memory().numTensors, before);
    });
  }
  it('rmsprop: tf adds eps inside the root, which is large where gradients are tiny; tf\'s rule replayed agrees with tf', () => {
    const c = gs.optimizers.compare('rmsprop');
    assert.ok(Math.max(...c.rows.map((r) => r.tfUpdate)) > 1e-2, 'tf differs from the paper by more than round-off');
    assert.ok(Math.max(...c.rows.map((r) => r.tfRule)) < 1e-4);
    assert.ok(c.conventions.some((s) => /inside the square root/.test(s)));
  });
  it('adagrad: the comparison starts from tf\'s accumulator 0.1 and tf\'s epsilon', () => {
    const c = gs.optimizers.compare('adagrad');
    assert.equal(c.options.eps, tf.backend().epsilon());
    assert.ok(c.conventions.some((s) => /0\.1/.test(s)));
    const seen: number[] = [];
    gs.optimizers.compare('adagrad', (w, dw, s, o) => { if (!seen.length) seen.push(s.cache![0]); return gs.optimizers.adagrad.step(w, dw, s, o); });
    assert.deepEqual(seen, [0.1]);
  });
  it('the four mistakes the lecture warns of, written as a student would', () => {
    const adamNoCorrection: gs.optimizers.StepFn = (w, dw, s, o) => {
      const m = s.m ?? new Float64Array(w.length), v = s.v ?? new Float64Array(w.length);
      const out = w.map((x, i) => { m[i] = o.beta1 * m[i] + (1 - o.beta1) * dw[i]; v[i] = o.beta2 * v[i] + (1 - o.beta2) * dw[i] ** 2; return x - (o.lr * m[i]) / (Math.sqrt(v[i]) + o.eps); });
      return { w: out, state: { m, v, t: (s.t ?? 0) + 1 } };
    };
    assert.equal(gs.optimizers.compare('adam', adamNoCorrection).mistake, 'missing bias correction');
    const adamT: gs.optimizers.StepFn = (w, dw, s, o) => {
      const t = (s.t ?? 0) + 1; // counted twice below
      const r = gs.optimizers.adam.step(w, dw, { ...s, t }, o);
      return { w: r.w, state: { ...r.state, t: t } };
    };
    const rt = gs.optimizers.compare('adam', adamT);
    assert.equal(rt.mistake, 't off by one');
    assert.match(String(rt), /1 - beta\^\(t\+1\)/);
    const rmsEps: gs.optimizers.StepFn = (w, dw, s, o) => {
      const c = s.cache ?? new Float64Array(w.length);
      return { w: w.map((x, i) => { c[i] = o.decay * c[i] + (1 - o.decay) * dw[i] ** 2; return x - (o.lr * dw[i]) / Math.sqrt(c[i] + o.eps); }), state: { cache: c } };
    };
    assert.equal(gs.optimizers.compare('rmsprop', rmsEps).mistake, 'eps misplaced');
    const rmsDecay: gs.optimizers.StepFn = (w, dw, s, o) => gs.optimizers.rmsprop.step(w, dw, s, { ...o, decay: 1 - o.decay });
    assert.equal(gs.optimizers.compare('rmsprop', rmsDecay).mistake, 'decay swapped');
  });
  it('a TODO is "not yet implemented"; a throwing step is reported, not thrown', () => {
    const todo = gs.optimizers.compare('adam', () => undefined);
    assert.equal(todo.status, 'todo');
    assert.match(String(todo), /not yet implemented/);
    const boom = gs.optimizers.compare('adam', () => { throw new Error('oops'); });
    assert.equal(boom.status, 'failed');
    assert.match(String(boom), /threw at step 1: oops/);
  });
});

describe('optimizers: bad input', () => {
  it('names the argument, what it got and what was expected', () => {
    assert.throws(() => gs.optimizers.adam.step([1], [1], {}, { lr: -1 }), /invalid lr: -1 \(expected a finite number > 0\)/);
    assert.throws(() => gs.optimizers.adam.step([1], [1], {}, { beta1: 1 }), /invalid beta1: 1/);
    assert.throws(() => gs.optimizers.adam.step([1], [1], {}, { decay: 0.9 } as never), /invalid options.decay/);
    assert.throws(() => gs.optimizers.sgd.step([1, 2], [1], {}), /invalid dw: length 1 \(expected 2/);
    assert.throws(() => gs.optimizers.sgd.step([1], [NaN]), /invalid dw: entry 0 is NaN/);
    assert.throws(() => gs.optimizers.rmsprop.step([1, 2], [1, 1], { cache: new Float64Array(3) }), /invalid state.cache/);
    assert.throws(() => gs.optimizers.adam.step([1], [1], { t: -1 }), /invalid state.t/);
    assert.throws(() => gs.optimizers.momentum.step([1], [1], { velocity: [1] } as never), /invalid state.velocity/);
    const w = tf.tensor1d([1, 2]), dw = tf.tensor1d([1]);
    assert.throws(() => gs.optimizers.sgd.stepTensor(w, dw), /invalid dw: shape \[1\] \(expected \[2\]/);
    assert.throws(() => gs.optimizers.sgd.step(w as never, [1, 2]), /use stepTensor/);
    tf.dispose([w, dw]);
    assert.throws(() => gs.optimizers.compare('adamw' as never), /invalid name: "adamw"/);
    assert.throws(() => gs.optimizers.compare('adam', 3 as never), /invalid step/);
    assert.throws(() => gs.optimizers.compare('adam', undefined, { decay: 0.5 } as never), /invalid options.decay/);
  });
});
