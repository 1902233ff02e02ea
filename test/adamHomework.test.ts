/** The "implement Adam" homework: the teacher's solution passes against tf.train.adam, typical student mistakes are named, the template's TODO says "not yet implemented". */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as gs from '../src/index';
import { adamStep } from '../notebooks/solutions/adam';

before(async () => { await gs.ready(); });

/** The template's TODO cell, compiled as the student gets it. */
function templateStep(): gs.optimizers.StepFn {
  const nb = JSON.parse(fs.readFileSync(path.join(__dirname, '../notebooks/homework/adam.ipynb'), 'utf8'));
  const cell = nb.cells.find((c: { metadata?: { gradscope?: { todo?: string } } }) => c.metadata?.gradscope?.todo === 'adam');
  const src = (Array.isArray(cell.source) ? cell.source.join('') : cell.source) as string;
  const js = src.replace(/: gs\.optimizers\.StepFn/, '').replace(/^const adamStep =/m, 'return');
  return new Function('gs', js)(gs) as gs.optimizers.StepFn;
}

describe('homework: implement Adam', () => {
  it('the teacher\'s solution passes against tf.train.adam', () => {
    const r = gs.optimizers.compare('adam', adamStep);
    assert.equal(r.status, 'passed', String(r));
    assert.match(String(r), /all checks passed/);
  });
  it('the committed template is a TODO: "not yet implemented", no exception', () => {
    const r = gs.optimizers.compare('adam', templateStep());
    assert.equal(r.status, 'todo');
    assert.match(String(r), /not yet implemented/);
  });
  const wrong = (f: (w: Float64Array, dw: Float64Array, s: gs.optimizers.OptimizerState, o: Required<gs.optimizers.StepOptions>) => ReturnType<gs.optimizers.StepFn>) => f;
  const cases: [string, gs.optimizers.StepFn][] = [
    ['missing bias correction', wrong((w, dw, s, o) => {
      const m = s.m ?? new Float64Array(w.length), v = s.v ?? new Float64Array(w.length);
      return { w: w.map((x, i) => { m[i] = o.beta1 * m[i] + (1 - o.beta1) * dw[i]; v[i] = o.beta2 * v[i] + (1 - o.beta2) * dw[i] ** 2; return x - (o.lr * m[i]) / (Math.sqrt(v[i]) + o.eps); }), state: { m, v, t: (s.t ?? 0) + 1 } };
    })],
    ['t off by one', wrong((w, dw, s, o) => adamStep(w, dw, { ...s, t: (s.t ?? 0) + 1 }, o))], // t + 2 in the correction
    ['t off by one', wrong((w, dw, s, o) => { // 1 - beta^t: a division by zero on the first step
      const m = s.m ?? new Float64Array(w.length), v = s.v ?? new Float64Array(w.length), t = s.t ?? 0;
      return { w: w.map((x, i) => { m[i] = o.beta1 * m[i] + (1 - o.beta1) * dw[i]; v[i] = o.beta2 * v[i] + (1 - o.beta2) * dw[i] ** 2; return x - (o.lr * m[i] / (1 - o.beta1 ** t)) / (Math.sqrt(v[i] / (1 - o.beta2 ** t)) + o.eps); }), state: { m, v, t: t + 1 } };
    })],
    ['eps misplaced', wrong((w, dw, s, o) => {
      const m = s.m ?? new Float64Array(w.length), v = s.v ?? new Float64Array(w.length), t = s.t ?? 0;
      return { w: w.map((x, i) => { m[i] = o.beta1 * m[i] + (1 - o.beta1) * dw[i]; v[i] = o.beta2 * v[i] + (1 - o.beta2) * dw[i] ** 2; return x - (o.lr * m[i] / (1 - o.beta1 ** (t + 1))) / Math.sqrt(v[i] / (1 - o.beta2 ** (t + 1)) + o.eps); }), state: { m, v, t: t + 1 } };
    })],
    ['decay swapped', wrong((w, dw, s, o) => adamStep(w, dw, s, { ...o, beta1: o.beta2, beta2: o.beta1 }))],
  ];
  for (const [mistake, step] of cases) {
    it(`a student's Adam with "${mistake}" is named`, () => {
      const r = gs.optimizers.compare('adam', step);
      assert.equal(r.status, 'failed');
      assert.equal(r.mistake, mistake, String(r));
      assert.match(String(r), new RegExp(`✘ adam: ${mistake}`));
    });
  }
});
