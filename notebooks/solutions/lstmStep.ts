// Teacher's solution for notebooks/homework/lstm-step.ipynb (the TODO cell tagged
// metadata.gradscope.todo = "lstmStep"). `npm run notebooks` splices this file, minus its import
// lines and with `export ` dropped, into a copy of the template and checks that the grader passes;
// test/lstm-homework.test.ts imports it and grades it. Keep it out of the copy you hand to students.
import * as gs from '../../src';

export const lstmStep: gs.StudentLstmStep = (step, da, dc) => {
  const tf = gs.tf;
  const { aPrev, cPrev, x, cTilde, Gu, Gf, Go, c, Wf, Wu, Wc, Wo } = step;
  const na = aPrev.shape[1];
  return tf.tidy(() => {
    const one = tf.scalar(1);
    const tc = tf.tanh(c);
    const dcTotal = dc.add(da.mul(Go).mul(one.sub(tc.square()))); // dc + da * Gamma_o * tanh'(c)
    const deltaO = da.mul(tc).mul(Go.mul(one.sub(Go))); // output gate
    const deltaC = dcTotal.mul(Gu).mul(one.sub(cTilde.square())); // candidate c~
    const deltaU = dcTotal.mul(cTilde).mul(Gu.mul(one.sub(Gu))); // update gate
    const deltaF = dcTotal.mul(cPrev).mul(Gf.mul(one.sub(Gf))); // forget gate
    const h = tf.concat([aPrev, x], 1); // [a_prev, x]
    const hT = h.transpose();
    const top = (W: gs.tf.Tensor2D) => W.slice([0, 0], [na, na]).transpose(); // rows acting on a_prev
    return {
      dWf: hT.matMul(deltaF), dWu: hT.matMul(deltaU), dWc: hT.matMul(deltaC), dWo: hT.matMul(deltaO),
      dbf: deltaF.sum(0), dbu: deltaU.sum(0), dbc: deltaC.sum(0), dbo: deltaO.sum(0),
      daPrev: deltaF.matMul(top(Wf)).add(deltaU.matMul(top(Wu))).add(deltaC.matMul(top(Wc))).add(deltaO.matMul(top(Wo))),
      dcPrev: dcTotal.mul(Gf),
    };
  });
};
