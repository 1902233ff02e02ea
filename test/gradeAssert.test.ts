/**
 * `result.assert()` of every homework grader (src/grade/assertable.ts): silent on the teacher's solution,
 * a one-line GradscopeError naming the first failure and its hint on a planted mistake, and
 * "not yet implemented" on an unfinished stub. Each throwing case fails if assert() did nothing.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as gs from '../src/index';
import { backward as solutionBackward } from '../notebooks/solutions/backward';
import { initWeights as solutionInit } from '../notebooks/solutions/init';
import { lstmStep as solutionLstmStep } from '../notebooks/solutions/lstmStep';
import { adamStep as solutionAdam } from '../notebooks/solutions/adam';

const { tf } = gs;
before(async () => { await gs.ready(); });

/** The error `result.assert()` throws: a quiet, one-line GradscopeError (fails when nothing is thrown). */
function thrown(result: gs.GradeResult | gs.StepGradeResult | gs.optimizers.Comparison, argument: string): gs.GradscopeError {
  let error: unknown;
  try {
    result.assert();
  } catch (e) {
    error = e;
  }
  assert.ok(error !== undefined, `assert() did not throw on a grade that did not pass:\n${String(result)}`);
  assert.ok(error instanceof gs.GradscopeError, `not a GradscopeError: ${String(error)}`);
  const e = error as gs.GradscopeError;
  assert.equal(e.name, 'GradscopeError');
  assert.equal(e.constructor.name, 'GradscopeError', 'the class name is what Jupyter shows as ename');
  assert.equal(e.argument, argument);
  assert.equal(e.stack, `GradscopeError: ${e.message}`, 'quiet: the stack is the message, no trace');
  assert.doesNotMatch(e.message, /\n/, 'one line');
  return e;
}

/** assert() on a passing grade: no exception, nothing returned, nothing printed. */
function passes(result: gs.GradeResult | gs.StepGradeResult | gs.optimizers.Comparison): void {
  assert.equal(result.status, 'passed', String(result));
  const writes: unknown[] = [];
  const [log, err] = [process.stdout.write, process.stderr.write];
  process.stdout.write = process.stderr.write = ((chunk: unknown) => { writes.push(chunk); return true; }) as typeof process.stdout.write;
  let value: unknown = 'not called';
  try {
    value = result.assert();
  } finally {
    [process.stdout.write, process.stderr.write] = [log, err];
  }
  assert.equal(value, undefined);
  assert.deepEqual(writes, []);
}

describe('result.assert() of gs.grade.backward', () => {
  it('passes the teacher solution silently', () => passes(gs.grade.backward(solutionBackward)));

  it('names the first wrong block, how far off it is and the hint (a missing 1/m in dW2)', () => {
    const missing: gs.StudentBackward = (net, cache, Y) => {
      const g = net.backward(cache, Y);
      const w = g.dW2.mul(Y.shape[0]); g.dW2.dispose(); g.dW2 = w;
      return g;
    };
    const e = thrown(gs.grade.backward(missing), 'backward');
    assert.equal(e.message, 'backward: net A [3, 4, 1] tanh -> sigmoid (binary cross-entropy), m = 5: dW2 is wrong (relative error 0.667, 5 x the correct gradient); ' +
      'hint: dW2 is 5 x the correct gradient: a missing 1/m (dW = a_prev^T delta / m) (3 of 3 networks failed)');
  });

  it('names a shape problem and an exception by their own line', () => {
    const transposed: gs.StudentBackward = (net, cache, Y) => {
      const g = net.backward(cache, Y);
      const t = g.dW2.transpose(); g.dW2.dispose(); g.dW2 = t as gs.tf.Tensor2D;
      return g;
    };
    assert.match(thrown(gs.grade.backward(transposed), 'backward').message, /^backward: net A .*: dW2 has shape \[1,4\], expected \[4,1\]: transposed/);
    assert.match(thrown(gs.grade.backward(() => { throw new Error('cache.z[0] is undefined'); }), 'backward').message, /: your backward threw: cache\.z\[0\] is undefined \(3 of 3 networks failed\)$/);
  });

  it('says "not yet implemented" for the unfilled TODO', () => {
    const e = thrown(gs.grade.backward(() => undefined), 'backward');
    assert.equal(e.message, 'backward: not yet implemented: backward returned nothing (expected dW1, db1, dW2, db2)');
  });
});

describe('result.assert() of gs.grade.init', () => {
  it('passes the teacher solution silently', () => passes(gs.grade.init(solutionInit)));

  it('names the first wrong layer, its variance and what it matches (the variance used as the standard deviation)', () => {
    const varianceForStd: gs.StudentInit = (nIn, nOut, hidden) => tf.randomNormal([nIn, nOut]).mul((hidden === 'relu' ? 2 : 1) / nIn);
    const e = thrown(gs.grade.init(varianceForStd), 'initWeights');
    assert.match(e.message, /^init: relu layer, n_in = 512, n_out = 128: Var\(W\) = \S+, which is \S+ x the He: 2\/n_in = \S+ that relu wants; hint: your Var\(W\) matches \(2\/n_in\)\^2: randn scaled by the variance 2\/n_in instead of its square root sqrt\(2\/n_in\) \(4 of 4 layers failed\)$/);
  });

  it('says "not yet implemented" for the unfilled TODO', () => {
    assert.match(thrown(gs.grade.init(() => undefined), 'initWeights').message, /^init: not yet implemented: initWeights returned nothing/);
  });
});

describe('result.assert() of gs.gradeLstmStep', () => {
  it('passes the teacher solution silently', () => passes(gs.gradeLstmStep(solutionLstmStep)));

  it('names the first wrong output, its gate, the formula to check and the catalogued mistake', () => {
    const mistake = gs.STEP_MISTAKES.find((m) => /uses c instead of c_prev/.test(m.looksLike))!;
    const e = thrown(gs.gradeLstmStep(mistake.step), 'step');
    assert.match(e.message, /^lstm step: step A: nx 3, na 4, m 5: dWf is wrong \(relative error 0\.408, 0\.484 x the correct one\); hint: the forget gate; check delta_f = dc_total \* c_prev \* Gamma_f \(1 - Gamma_f\)/);
    assert.ok(e.message.endsWith(`; looks like: ${mistake.looksLike} (3 of 3 cases failed)`), e.message);
  });

  it('a dc_prev passed back wrong: the single step names dcPrev', () => {
    const mistake = gs.STEP_MISTAKES.find((m) => /without the forget gate/.test(m.looksLike))!;
    assert.match(thrown(gs.gradeLstmStep(mistake.step), 'step').message, /^lstm step: step A: .*: dcPrev is wrong .*; hint: the cell carried back in time; check dc_prev = dc_total \* Gamma_f/);
  });

  it('says "not yet implemented" for the unfilled TODO', () => {
    assert.equal(thrown(gs.gradeLstmStep(() => undefined), 'step').message, 'lstm step: not yet implemented: your step returned nothing yet: fill in the TODO');
  });
});

describe('result.assert() of gs.optimizers.compare', () => {
  it('passes the teacher solution silently', () => passes(gs.optimizers.compare('adam', solutionAdam)));

  it('names the mistake, the step it starts at and its hint (a missing bias correction)', () => {
    const noCorrection: gs.optimizers.StepFn = (w, dw, s, o) => gs.optimizers.adam.step(w, dw, { ...s, t: 1e6 }, o);
    const r = gs.optimizers.compare('adam', noCorrection);
    const e = thrown(r, 'step');
    assert.match(e.message, /^adam: missing bias correction \(from step 1\): your steps match that mistake/);
    assert.ok(r.hint && e.message.endsWith(`; hint: ${r.hint}`), e.message);
  });

  it('says "not yet implemented" for the unfilled TODO, and names a step that throws', () => {
    assert.equal(thrown(gs.optimizers.compare('adam', () => undefined), 'step').message, 'adam: not yet implemented: the step returned nothing (return { w, state })');
    assert.equal(thrown(gs.optimizers.compare('adam', () => { throw new Error('m is undefined'); }), 'step').message, 'adam: your step threw at step 1: m is undefined');
  });
});

describe('assert() is a method, not part of the data', () => {
  it('is non-enumerable on every grader: keys, JSON and the printed feedback are as before', () => {
    for (const r of [gs.grade.init(() => undefined), gs.gradeLstmStep(() => undefined), gs.optimizers.compare('sgd', () => undefined)]) {
      assert.equal(typeof r.assert, 'function');
      assert.equal(Object.keys(r).includes('assert'), false);
      assert.equal(JSON.stringify(r).includes('assert'), false);
      assert.doesNotMatch(String(r), /assert/);
    }
  });
});
