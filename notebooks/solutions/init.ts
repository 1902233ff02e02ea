// Teacher's solution for notebooks/homework/init.ipynb (the TODO cell tagged
// metadata.gradscope.todo = "init"). Spliced into a copy of the template by `npm run notebooks`
// and graded by test/grade.test.ts. Keep it out of the copy you hand to students.
import * as gs from '../../src';

export const initWeights: gs.StudentInit = (nIn, nOut, hidden) => {
  // He (2015) for ReLU: Var(W) = 2 / n_in. Xavier for tanh / sigmoid: Var(W) = 1 / n_in.
  const variance = hidden === 'relu' || hidden === 'leakyRelu' ? 2 / nIn : 1 / nIn;
  return gs.tf.randomNormal([nIn, nOut]).mul(Math.sqrt(variance));
};
