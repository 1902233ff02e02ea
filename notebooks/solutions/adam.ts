// Teacher's solution for notebooks/homework/adam.ipynb (the TODO cell tagged
// metadata.gradscope.todo = "adam"). Spliced into a copy of the template by `npm run notebooks`
// and graded by test/adamHomework.test.ts. Keep it out of the copy you hand to students.
import * as gs from '../../src';

export const adamStep: gs.optimizers.StepFn = (w, dw, state, o) => {
  const n = w.length;
  const m = state.m ?? new Float64Array(n); // first moment, starts at 0
  const v = state.v ?? new Float64Array(n); // second moment, starts at 0
  const t = state.t ?? 0; //                   steps taken before this one
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    m[i] = o.beta1 * m[i] + (1 - o.beta1) * dw[i];
    v[i] = o.beta2 * v[i] + (1 - o.beta2) * dw[i] * dw[i];
    const mHat = m[i] / (1 - o.beta1 ** (t + 1)); // bias correction of this step: t + 1
    const vHat = v[i] / (1 - o.beta2 ** (t + 1));
    out[i] = w[i] - (o.lr * mHat) / (Math.sqrt(vHat) + o.eps);
  }
  return { w: out, state: { m, v, t: t + 1 } };
};
