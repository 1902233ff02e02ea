/**
 * What a wrong step function typically does, as float64 step functions: the comparison replays
 * each on the same gradients and names the one a student's step matches. Also tf.train's own
 * conventions, replayed in float64, to show that tf's numbers are understood.
 */
import type { OptimizerName, OptimizerState, StepOptions } from './common';

/**
 * A float64 step on whole vectors; `o` has every option filled in.
 *
 * @inline
 */
export type Rule = (w: Float64Array, g: Float64Array, s: OptimizerState, o: Required<StepOptions>) => {
  /** The parameters after the step. */
  w: Float64Array;
  /** The state for the next step. */
  state: OptimizerState;
};

const z = (s: Float64Array | undefined, n: number) => (s ? Float64Array.from(s) : new Float64Array(n));

/** An adaptive rule: cache update, then w - lr g / denom(cache). */
function adaptive(update: (c: number, g2: number, o: Required<StepOptions>) => number, denom: (c: number, o: Required<StepOptions>) => number, sign = 1): Rule {
  return (w, g, s, o) => {
    const cache = z(s.cache, w.length), out = new Float64Array(w.length);
    for (let i = 0; i < w.length; i++) {
      cache[i] = update(cache[i], g[i] * g[i], o);
      out[i] = w[i] - sign * (o.lr * g[i]) / denom(cache[i], o);
    }
    return { w: out, state: { cache } };
  };
}

interface AdamVariant { inc?: number; c1?: (b: number, t: number) => number; c2?: (b: number, t: number) => number; denom?: (vh: number, eps: number) => number; swap?: boolean; noOneMinus?: boolean; sign?: number }

function adamRule(x: AdamVariant = {}): Rule {
  const c1 = x.c1 ?? ((b, t) => 1 - b ** (t + 1)), c2 = x.c2 ?? ((b, t) => 1 - b ** (t + 1));
  const denom = x.denom ?? ((vh, eps) => Math.sqrt(vh) + eps);
  return (w, g, s, o) => {
    const [b1, b2] = x.swap ? [o.beta2, o.beta1] : [o.beta1, o.beta2];
    const m = z(s.m, w.length), v = z(s.v, w.length), out = new Float64Array(w.length);
    const t = s.t ?? 0;
    for (let i = 0; i < w.length; i++) {
      m[i] = b1 * m[i] + (x.noOneMinus ? 1 : 1 - b1) * g[i];
      v[i] = b2 * v[i] + (x.noOneMinus ? 1 : 1 - b2) * g[i] * g[i];
      out[i] = w[i] - (x.sign ?? 1) * (o.lr * (m[i] / c1(b1, t))) / denom(v[i] / c2(b2, t), o.eps);
    }
    return { w: out, state: { m, v, t: t + (x.inc ?? 1) } };
  };
}

function momentumRule(f: (d: number, g: number, o: Required<StepOptions>) => number, apply: (w: number, d: number, o: Required<StepOptions>) => number): Rule {
  return (w, g, s, o) => {
    const d = z(s.dTheta, w.length), out = new Float64Array(w.length);
    for (let i = 0; i < w.length; i++) {
      d[i] = f(d[i], g[i], o);
      out[i] = apply(w[i], d[i], o);
    }
    return { w: out, state: { dTheta: d } };
  };
}

const sgdRule = (scale: (o: Required<StepOptions>) => number): Rule => (w, g, _s, o) => ({ w: w.map((x, i) => x - scale(o) * g[i]), state: {} });

/** The right rule of each optimiser, in the papers' convention (what gs.optimizers.*.step computes). */
export const RULES: Record<OptimizerName, Rule> = {
  sgd: sgdRule((o) => o.lr),
  momentum: momentumRule((d, g, o) => o.beta * d + o.lr * g, (w, d) => w - d),
  adagrad: adaptive((c, g2) => c + g2, (c, o) => Math.sqrt(c) + o.eps),
  rmsprop: adaptive((c, g2, o) => o.decay * c + (1 - o.decay) * g2, (c, o) => Math.sqrt(c) + o.eps),
  adam: adamRule(),
};

/** tf.train's rule where it differs from the paper (tfjs 4.22): replayed to show tf's numbers are understood. */
export const TF_RULES: Record<OptimizerName, Rule> = {
  ...RULES,
  // tf.train.momentum: acc = beta acc + g, w -= lr acc (acc = Delta theta / lr)
  momentum: momentumRule((d, g, o) => o.beta * d + g, (w, d, o) => w - o.lr * d),
  // eps inside the square root
  adagrad: adaptive((c, g2) => c + g2, (c, o) => Math.sqrt(c + o.eps)),
  rmsprop: adaptive((c, g2, o) => o.decay * c + (1 - o.decay) * g2, (c, o) => Math.sqrt(c + o.eps)),
};

/**
 * A named mistake and its rule.
 *
 * @inline
 */
export interface Mistake {
  /** The mistake's name, e.g. `missing bias correction` (what `compare` reports as `mistake`). */
  name: string;
  /** What to look at in your step. */
  hint: string;
  /** The wrong step as a float64 rule on whole vectors, replayed against the gradients. */
  rule: Rule;
}

const common = (name: OptimizerName, right: Rule): Mistake[] => [
  { name: 'sign flipped', hint: 'the step goes up the gradient: w - step, not w + step', rule: (w, g, s, o) => { const r = right(w, g, s, o); return { ...r, w: w.map((x, i) => 2 * x - r.w[i]) }; } },
  { name: 'no update', hint: `w comes back unchanged: return the new w from ${name}'s step`, rule: (w, g, s, o) => ({ ...right(w, g, s, o), w: Float64Array.from(w) }) },
];

/** Typical mistakes per optimiser (each a float64 rule the comparison replays). */
export const MISTAKES: Record<OptimizerName, Mistake[]> = {
  sgd: [
    ...common('sgd', RULES.sgd),
    { name: 'lr missing', hint: 'w - dw: multiply the gradient by the learning rate', rule: sgdRule(() => 1) },
  ],
  momentum: [
    ...common('momentum', RULES.momentum),
    { name: 'momentum missing', hint: 'this is plain gradient descent: Delta theta_k = eta Delta theta_(k-1) + alpha grad keeps the last step', rule: sgdRule((o) => o.lr) },
    { name: 'lr applied twice', hint: 'alpha is inside Delta theta already: theta_(k+1) = theta_k - Delta theta_k, not - alpha Delta theta_k', rule: momentumRule((d, g, o) => o.beta * d + o.lr * g, (w, d, o) => w - o.lr * d) },
    { name: 'lr missing', hint: 'Delta theta_k = eta Delta theta_(k-1) + alpha grad: the gradient is multiplied by alpha', rule: momentumRule((d, g, o) => o.beta * d + g, (w, d) => w - d) },
    { name: 'beta swapped', hint: 'eta multiplies the previous Delta theta, (1 - eta) appears nowhere in the lecture\'s momentum', rule: momentumRule((d, g, o) => (1 - o.beta) * d + o.lr * g, (w, d) => w - d) },
    { name: 'exponential average instead of momentum', hint: 'Delta theta_k = eta Delta theta_(k-1) + alpha grad, without a (1 - eta) on the gradient', rule: momentumRule((d, g, o) => o.beta * d + (1 - o.beta) * o.lr * g, (w, d) => w - d) },
  ],
  adagrad: [
    ...common('adagrad', RULES.adagrad),
    { name: 'eps misplaced', hint: 'eps is added to the square root, sqrt(cache) + eps (Duchi et al. 2011), not inside it (that is tf.train.adagrad\'s convention)', rule: TF_RULES.adagrad },
    { name: 'no square root', hint: 'divide by sqrt(cache) + eps: cache is a sum of squared gradients', rule: adaptive((c, g2) => c + g2, (c, o) => c + o.eps) },
    { name: 'cache not accumulated', hint: 'cache = cache + g^2 keeps every past gradient; cache = g^2 forgets them', rule: adaptive((_c, g2) => g2, (c, o) => Math.sqrt(c) + o.eps) },
    { name: 'running mean instead of sum', hint: 'that is RMSProp: AdaGrad sums the squared gradients, cache = cache + g^2', rule: adaptive((c, g2) => 0.9 * c + 0.1 * g2, (c, o) => Math.sqrt(c) + o.eps) },
    { name: 'cache updated after the step', hint: 'add this step\'s g^2 to cache first, then divide by sqrt(cache) + eps', rule: (w, g, s, o) => { const c = z(s.cache, w.length); const out = w.map((x, i) => x - (o.lr * g[i]) / (Math.sqrt(c[i]) + o.eps)); return { w: out, state: { cache: c.map((ci, i) => ci + g[i] * g[i]) } }; } },
  ],
  rmsprop: [
    ...common('rmsprop', RULES.rmsprop),
    { name: 'eps misplaced', hint: 'eps is added to the square root, sqrt(cache) + eps, not inside it (that is tf.train.rmsprop\'s convention)', rule: TF_RULES.rmsprop },
    { name: 'decay swapped', hint: 'cache = decay cache + (1 - decay) g^2: decay weighs the old mean, not the new gradient', rule: adaptive((c, g2, o) => (1 - o.decay) * c + o.decay * g2, (c, o) => Math.sqrt(c) + o.eps) },
    { name: 'no square root', hint: 'divide by sqrt(cache) + eps: cache is a mean of squared gradients', rule: adaptive((c, g2, o) => o.decay * c + (1 - o.decay) * g2, (c, o) => c + o.eps) },
    { name: 'sum instead of running mean', hint: 'that is AdaGrad: RMSProp keeps cache = decay cache + (1 - decay) g^2', rule: RULES.adagrad },
    { name: '(1 - decay) missing', hint: 'cache = decay cache + (1 - decay) g^2: without (1 - decay) the cache is 10x too large', rule: adaptive((c, g2, o) => o.decay * c + g2, (c, o) => Math.sqrt(c) + o.eps) },
  ],
  adam: [
    ...common('adam', RULES.adam),
    { name: 'missing bias correction', hint: 'divide m by 1 - beta1^(t+1) and v by 1 - beta2^(t+1): they start at 0, so early steps are too small in m and in v', rule: adamRule({ c1: () => 1, c2: () => 1 }) },
    { name: 'bias correction of m only', hint: 'v needs its own correction: v-hat = v / (1 - beta2^(t+1))', rule: adamRule({ c2: () => 1 }) },
    { name: 'bias correction of v only', hint: 'm needs its own correction: m-hat = m / (1 - beta1^(t+1))', rule: adamRule({ c1: () => 1 }) },
    { name: 't off by one', hint: 'state.t counts the steps taken before this one: this step\'s correction is 1 - beta^(t+1); 1 - beta^t divides by 0 on the first step', rule: adamRule({ c1: (b, t) => 1 - b ** t, c2: (b, t) => 1 - b ** t }) },
    { name: 't off by one', hint: 'state.t counts the steps taken before this one: this step\'s correction is 1 - beta^(t+1), not 1 - beta^(t+2) (t incremented twice, or before the correction)', rule: adamRule({ c1: (b, t) => 1 - b ** (t + 2), c2: (b, t) => 1 - b ** (t + 2) }) },
    { name: 't off by one', hint: 'state.t counts the steps taken before this one: add 1 to it once per step (here it grows by 2, so the corrections are 1 - beta^2, 1 - beta^4, ...)', rule: adamRule({ inc: 2, c1: (b, t) => 1 - b ** (t + 2), c2: (b, t) => 1 - b ** (t + 2) }) },
    { name: 'eps misplaced', hint: 'eps is added to the square root, sqrt(v-hat) + eps (Kingma and Ba 2015), not inside it', rule: adamRule({ denom: (vh, eps) => Math.sqrt(vh + eps) }) },
    { name: 'decay swapped', hint: 'beta1 = 0.9 is the first moment\'s (m) decay and beta2 = 0.999 the second\'s (v): they are swapped', rule: adamRule({ swap: true }) },
    { name: '(1 - beta) missing', hint: 'm = beta1 m + (1 - beta1) g and v = beta2 v + (1 - beta2) g^2', rule: adamRule({ noOneMinus: true }) },
    { name: 'no square root', hint: 'divide by sqrt(v-hat) + eps: v is a mean of squared gradients', rule: adamRule({ denom: (vh, eps) => vh + eps }) },
  ],
};
