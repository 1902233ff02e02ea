/**
 * The bug catalogue: deliberately wrong backward passes, written the way a student writes
 * `backward(net, cache, Y)` for gs.gradCheck. Shared by test/bugs.test.ts and bench/run.ts.
 *
 * Every entry runs on a net with sizes [n, n, n, k] (two hidden layers of width n, so W1 and W2 are
 * square) and a batch of m = n rows (so a db averaged over the wrong axis still has b's shape
 * and only its values are wrong). `faulty` lists every block the bug reaches.
 */
import type { Tensor, Tensor2D } from '@tensorflow/tfjs';
import * as gs from '../src/index';

const { tf } = gs;

export type BugName =
  | 'missing 1/m'
  | 'transposed W'
  | 'wrong-layer W'
  | "g(z) instead of g'(z)"
  | 'relu derivative on the wrong side'
  | 'db over the wrong axis'
  | 'residual path dropped'
  | 'l2 term dropped'
  | 'dropout mask dropped'
  | '1/keepProb dropped';

export interface Bug {
  name: BugName;
  /** Net options besides sizes (the bug needs e.g. relu, a residual skip, dropout or l2). */
  options: Omit<gs.MlpOptions, 'sizes'>;
  /** Blocks the bug reaches; the worst block must be one of them, the others must pass. */
  faulty: string[];
  backward: gs.BackwardFn;
}

/**
 * The seeds' backward pass (rows are examples), with one bug switched on:
 *   delta^L = a^L - y;  dW^l = a^(l-1)^T delta^l / m + (lambda/m) W^l;  db^l = mean_rows delta^l
 *   da^(l-1) = delta^l W^l^T (+ da^l through a residual skip);  delta^(l-1) = da^(l-1) * D / keepProb * g'(z^(l-1))
 */
export function backwardWith(bug?: BugName): gs.BackwardFn {
  return (net, cache, Y) => tf.tidy(() => {
    const { hidden, residual, keepProb, l2 } = net.spec;
    const L = net.depth, m = cache.a[0].shape[0];
    const y = net.labels(Y, m);
    const g: gs.Grads = {};
    let delta: Tensor2D = cache.a[L].sub(y);
    let da: Tensor2D | undefined;
    for (let l = L; l >= 1; l--) {
      let dW = cache.a[l - 1].transpose().matMul(delta);
      if (bug !== 'missing 1/m') dW = dW.div(m);
      if (l2 > 0 && bug !== 'l2 term dropped') dW = dW.add(net.W(l).mul(l2 / m));
      g[`dW${l}`] = dW;
      g[`db${l}`] = bug === 'db over the wrong axis' && l === 2 ? delta.mean(1) : delta.mean(0);
      if (l === 1) break;
      const Wback = bug === 'wrong-layer W' && l === 2 ? net.W(1) : net.W(l);
      let daPrev = (bug === 'transposed W' && l === 2 ? delta.matMul(Wback as Tensor2D) : delta.matMul((Wback as Tensor2D).transpose())) as Tensor2D;
      if (residual[l] && da && bug !== 'residual path dropped') daPrev = daPrev.add(da);
      da = daPrev;
      let dz: Tensor2D = da;
      const D = cache.D[l - 1];
      if (D) {
        if (bug !== 'dropout mask dropped') dz = dz.mul(D) as Tensor2D;
        if (bug !== '1/keepProb dropped') dz = dz.div(keepProb) as Tensor2D;
      }
      const z = cache.z[l - 1]!;
      const slope: Tensor =
        bug === "g(z) instead of g'(z)" && l - 1 === 2 ? tf.tanh(z)
          : bug === 'relu derivative on the wrong side' ? tf.cast(tf.less(z, 0), 'float32')
            : derivative(hidden, z);
      delta = dz.mul(slope) as Tensor2D;
    }
    return g as unknown as import('@tensorflow/tfjs').TensorContainerObject;
  }) as unknown as gs.Grads;
}

function derivative(hidden: gs.Activation, z: Tensor): Tensor {
  switch (hidden) {
    case 'sigmoid': { const s = tf.sigmoid(z); return s.mul(tf.scalar(1).sub(s)); }
    case 'tanh': return tf.scalar(1).sub(tf.tanh(z).square());
    case 'relu': return tf.cast(tf.greater(z, 0), 'float32');
    case 'leakyRelu': return tf.where(tf.greater(z, 0), tf.onesLike(z), tf.fill(z.shape, 0.01));
    default: return tf.onesLike(z);
  }
}

const lower = ['dW1', 'db1'];
const two = ['dW2', 'db2', ...lower];

/** The catalogue. */
export const BUGS: Bug[] = [
  { name: 'missing 1/m', options: { hidden: 'tanh', output: 'softmax' }, faulty: ['dW1', 'dW2', 'dW3'], backward: backwardWith('missing 1/m') },
  { name: 'transposed W', options: { hidden: 'tanh', output: 'softmax' }, faulty: lower, backward: backwardWith('transposed W') },
  { name: 'wrong-layer W', options: { hidden: 'tanh', output: 'softmax' }, faulty: lower, backward: backwardWith('wrong-layer W') },
  { name: "g(z) instead of g'(z)", options: { hidden: 'tanh', output: 'sigmoid' }, faulty: two, backward: backwardWith("g(z) instead of g'(z)") },
  { name: 'relu derivative on the wrong side', options: { hidden: 'relu', output: 'softmax' }, faulty: two, backward: backwardWith('relu derivative on the wrong side') },
  { name: 'db over the wrong axis', options: { hidden: 'tanh', output: 'softmax' }, faulty: ['db2'], backward: backwardWith('db over the wrong axis') },
  { name: 'residual path dropped', options: { hidden: 'tanh', output: 'linear', residual: true }, faulty: lower, backward: backwardWith('residual path dropped') },
  { name: 'l2 term dropped', options: { hidden: 'tanh', output: 'softmax', l2: 0.5 }, faulty: ['dW1', 'dW2', 'dW3'], backward: backwardWith('l2 term dropped') },
  { name: 'dropout mask dropped', options: { hidden: 'relu', output: 'softmax', keepProb: 0.7 }, faulty: two, backward: backwardWith('dropout mask dropped') },
  { name: '1/keepProb dropped', options: { hidden: 'relu', output: 'softmax', keepProb: 0.7 }, faulty: two, backward: backwardWith('1/keepProb dropped') },
];

/** tfjs's random ops treat seed 0 as no seed (a fresh Math.random() each call): 0 becomes another fixed seed, so every seed reproduces. */
export const tfSeed = (seed: number): number => (seed === 0 ? 104723 : seed);

/** A net and a batch for a bug: sizes [n, n, n, k], m = n rows, seeded. The caller disposes X, Y and the net. */
export function bugCase(bug: Bug, n: number, k: number, seed = 1): { net: gs.Net; X: Tensor2D; Y: Tensor2D } {
  const net = gs.mlp({ sizes: [n, n, n, k], seed, ...bug.options });
  const X = tf.randomNormal([n, n], 0, 1, 'float32', tfSeed(seed)) as Tensor2D;
  const Y = labelsFor(bug.options.output ?? 'sigmoid', n, k, seed);
  return { net, X, Y };
}

/** Seeded labels for an output: one-hot rows (softmax), 0/1 (sigmoid) or normal targets (linear). */
export function labelsFor(output: gs.Output, m: number, k: number, seed: number): Tensor2D {
  return tf.tidy(() =>
    output === 'softmax'
      ? tf.oneHot(tf.tensor1d(Array.from({ length: m }, (_, i) => (i * 7 + seed) % k), 'int32'), k).toFloat()
      : output === 'sigmoid'
        ? tf.randomUniform([m, k], 0, 1, 'float32', seed + 1).round()
        : tf.randomNormal([m, k], 0, 1, 'float32', seed + 1),
  ) as Tensor2D;
}

/**
 * Hard cases (issue 9): situations where a verdict used to be wrong in one direction or the other.
 * Each builds its net and batch; `bug` is a backward the checker must flag (or, for `refused`, the
 * options it must refuse with a GradscopeError naming `argument`); the correct backward must never
 * be 'worry' or 'wrong' there.
 */
export interface HardCase {
  name: string;
  make(): { net: gs.Net; X: Tensor2D; Y: Tensor };
  bug: gs.BackwardFn;
  /** Options that cannot work: the check must refuse them. */
  refused?: { options: gs.GradCheckOptions; argument: string };
}

/** backward with one block scaled by k. */
export function scaledBlock(block: string, k: number): gs.BackwardFn {
  return (net, cache, Y) => {
    const g = net.backward(cache, Y);
    const s = g[block].mul(k); g[block].dispose(); g[block] = s;
    return g;
  };
}

export const HARD_CASES: HardCase[] = [
  {
    // default init (b = 0) and a dead row upstream: z^2 = b^2 = 0 for that row, every entry of db2 sits on a kink
    name: 'all-kink bias block: db2 doubled on a [6, 6, 6, 6] relu residual net',
    make: () => ({
      net: gs.mlp({ sizes: [6, 6, 6, 6], hidden: 'relu', output: 'softmax', residual: true, seed: 2 }),
      X: tf.randomNormal([10, 6], 0, 1, 'float32', 2) as Tensor2D,
      Y: tf.tensor1d([...Array(10)].map((_, i) => i % 6), 'int32'),
    }),
    bug: scaledBlock('db2', 2),
  },
  {
    // 100 epochs of momentum fit the batch: delta^L = a^L - y cancels in float32
    name: 'fitted net: a tanh [8, 16, 16, 4] softmax net trained to loss ~1e-4 on m 2, dW2 doubled',
    make: () => {
      const net = gs.mlp({ sizes: [8, 16, 16, 4], hidden: 'tanh', output: 'softmax', seed: 3 });
      const X = tf.randomNormal([2, 8], 0, 1, 'float32', 3) as Tensor2D;
      const Y = tf.tensor1d([1, 3], 'int32');
      gs.train(net, X, Y, { epochs: 100, lr: 0.1, optimizer: 'momentum', beta: 0.9 });
      return { net, X, Y };
    },
    bug: scaledBlock('dW2', 2),
  },
  {
    // float32 differences at eps 1e-9 are pure round-off: every backward, even an all-zero one, used to be 'great'
    name: 'float32 at eps 1e-9: refused; the all-zero backward is flagged at the default eps',
    make: () => ({
      net: gs.mlp({ sizes: [3, 4, 2], hidden: 'tanh', output: 'sigmoid', seed: 1 }),
      X: tf.randomNormal([5, 3], 0, 1, 'float32', 1) as Tensor2D,
      Y: tf.tensor2d([[1, 0], [0, 1], [1, 1], [0, 0], [1, 0]]),
    }),
    bug: scaledBlock('dW1', 0),
    refused: { options: { precision: 'float32', eps: 1e-9 }, argument: 'eps' },
  },
];
