// Teacher's solution for notebooks/homework/backward.ipynb (the TODO cell tagged
// metadata.gradscope.todo = "backward"). `npm run notebooks` splices this file, minus its import
// lines and with `export ` dropped, into a copy of the template and checks that the grader passes;
// test/grade.test.ts imports it and grades it. Keep it out of the copy you hand to students.
import * as gs from '../../src';

export const backward: gs.StudentBackward = (net, cache, Y) => {
  const tf = gs.tf;
  const L = net.depth;
  const m = Y.shape[0];
  const { z, a } = cache;
  // g'(z) for the hidden activation, written from g itself
  const dg = (zl: gs.tf.Tensor2D): gs.tf.Tensor => {
    switch (net.spec.hidden) {
      case 'tanh': return tf.scalar(1).sub(tf.tanh(zl).square()); // 1 - tanh(z)^2
      case 'sigmoid': { const s = tf.sigmoid(zl); return s.mul(tf.scalar(1).sub(s)); } // s (1 - s)
      case 'relu': return zl.greater(0).toFloat(); // 1 where z > 0
      default: throw new Error(`no derivative for ${net.spec.hidden}`);
    }
  };
  return tf.tidy(() => {
    const grads: gs.Grads = {};
    let delta: gs.tf.Tensor = a[L].sub(Y); // delta^L = a^L - y
    for (let l = L; l >= 1; l--) {
      grads[`dW${l}`] = a[l - 1].transpose().matMul(delta).div(m); // dW^l = a^(l-1)^T delta^l / m
      grads[`db${l}`] = delta.mean(0); // db^l = mean over the batch
      if (l > 1) delta = delta.matMul(net.W(l).transpose()).mul(dg(z[l - 1]!)); // delta^(l-1) = (delta^l W^l^T) * g'(z^(l-1))
    }
    return grads;
  });
};
