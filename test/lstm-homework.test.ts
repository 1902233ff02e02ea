/**
 * The LSTM step-backward homework grader: the teacher's solution and gradscope's own step pass,
 * a TODO is "not yet implemented", and every catalogued mistake fails with the wrong gate named
 * and the mistake recognised.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as gs from '../src/index';
import { lstmStep } from '../notebooks/solutions/lstmStep';

const { tf } = gs;

before(async () => { await gs.ready(); });

describe('gs.gradeLstmStep', () => {
  it('passes the teacher\'s solution and gradscope\'s step, leaking nothing', () => {
    const before = tf.memory().numTensors;
    for (const step of [lstmStep, gs.lstmStepBackward as gs.StudentLstmStep]) {
      const r = gs.gradeLstmStep(step);
      assert.equal(r.status, 'passed', String(r));
      assert.equal(r.cases.length, 3);
      for (const c of r.cases.slice(0, 2)) for (const o of c.outputs) assert.ok(o.relativeError < 1e-6 && Math.abs(o.scale - 1) < 1e-5, `${c.name} ${o.name} ${o.relativeError}`);
      assert.match(String(r), /✔ lstm step: all checks passed/);
    }
    assert.equal(tf.memory().numTensors, before);
  });

  it('a TODO is not yet implemented, never an exception', () => {
    const r = gs.gradeLstmStep(() => undefined);
    assert.equal(r.status, 'todo');
    assert.equal(r.cases.length, 1);
    assert.match(String(r), /not yet implemented/);
    assert.equal(gs.gradeLstmStep(() => ({})).status, 'todo');
  });

  for (const mistake of gs.STEP_MISTAKES) {
    it(`recognises: ${mistake.looksLike}`, () => {
      const before = tf.memory().numTensors;
      const r = gs.gradeLstmStep(mistake.step);
      assert.equal(r.status, 'failed');
      assert.equal(r.mistake, mistake.looksLike, String(r));
      assert.match(String(r), /hint: d\w+ is wrong: the (output|forget|update) gate|the candidate cell|carried back in time/);
      assert.equal(tf.memory().numTensors, before);
    });
  }

  it('names the faulty gate first: the forget gate\'s derivative from c, not c_prev', () => {
    const r = gs.gradeLstmStep(gs.STEP_MISTAKES.find((m) => /uses c instead of c_prev/.test(m.looksLike))!.step);
    assert.equal(r.cases[0].firstWrong, 'dWf');
    assert.deepEqual(r.cases[0].wrong, ['dWf', 'dbf', 'daPrev']);
    assert.doesNotMatch(String(r), /passed back wrong/);
    assert.match(String(r), /hint: dWf is wrong: the forget gate; check delta_f = dc_total \* c_prev \* Gamma_f \(1 - Gamma_f\)/);
  });

  it('a dc_prev without the forget gate: every gate block right at a single step, dcPrev named, wrong after the loop', () => {
    const r = gs.gradeLstmStep(gs.STEP_MISTAKES.find((m) => /without the forget gate/.test(m.looksLike))!.step);
    assert.deepEqual(r.cases[0].wrong, ['dcPrev']);
    assert.match(String(r), /hint: dcPrev is wrong: the cell carried back in time; check dc_prev = dc_total \* Gamma_f/);
    assert.equal(r.cases[2].passed, false);
    assert.ok(r.cases[2].wrong.includes('dWf'));
    assert.match(String(r), /the single steps' gate blocks are right, so da_prev or dc_prev is passed back wrong/);
  });

  it('the carry dc left out: dc_total named as the common cause, the mistake recognised', () => {
    const r = gs.gradeLstmStep(gs.STEP_MISTAKES[0].step);
    assert.equal(r.cases[0].firstWrong, 'dWc');
    assert.ok(r.cases[0].outputs.find((o) => o.name === 'dWo')!.right);
    assert.match(String(r), /every gate that reads dc_total \(c~, Gamma_u, Gamma_f\) is wrong and Gamma_o, which does not, is right/);
    assert.match(String(r), /looks like: the carry dc from step t\+1 is left out of dc_total/);
  });

  it('a transposed dW, a flipped sign and an extra 1/m are named as such', () => {
    const transposed = gs.gradeLstmStep((s, da, dc) => { const g = gs.lstmStepBackward(s, da, dc); return { ...g, dWo: g.dWo.transpose() }; });
    assert.match(String(transposed), /dWo has shape \[4,7\], expected \[7,4\]: transposed/);
    const flipped = gs.gradeLstmStep((s, da, dc) => { const g = gs.lstmStepBackward(s, da, dc); return { ...g, dbu: g.dbu.neg() }; });
    assert.equal(flipped.cases[0].firstWrong, 'dbu');
    assert.match(String(flipped), /dbu is -1 x the correct one: a flipped sign/);
    const perM = gs.gradeLstmStep((s, da, dc) => { const g = gs.lstmStepBackward(s, da, dc); return { ...g, dWc: g.dWc.div(s.x.shape[0]) }; });
    assert.match(String(perM), /dWc is 1\/5 of the correct one: da and dc already carry J's 1\/m/);
  });

  it('a step that throws or forgets an output is reported, not thrown', () => {
    const throws = gs.gradeLstmStep(() => { throw new Error('oops'); });
    assert.equal(throws.status, 'failed');
    assert.match(String(throws), /your step threw: oops/);
    const missing = gs.gradeLstmStep((s, da, dc) => { const { dcPrev, ...rest } = gs.lstmStepBackward(s, da, dc); void dcPrev; return rest; });
    assert.match(String(missing), /dcPrev is missing \(got undefined\)/);
    assert.throws(() => gs.gradeLstmStep('step' as never), /invalid step: "step" \(expected a function/);
  });
});
