/**
 * A step function (a student's or gradscope's) against tf.train's optimiser of the same name, step
 * by step on one seeded net. tf.train runs the real training; every other rule is replayed in
 * float64 on the gradients tf's optimiser saw at each step, so only the update rule differs.
 * Parameters are compared, not states (tf keeps its own: momentum's accumulator is Delta theta /
 * lr). A step that does not match the papers' rule is matched against a catalogue of typical
 * mistakes (src/optimizers/mistakes.ts) and the mistake is named.
 */
import { sci } from '../core/format';
import { inspect } from 'util';
import type { Optimizer as TfOptimizer, Tensor2D } from '@tensorflow/tfjs';
import { tf } from '../core/backend';
import { invalid, knownKeys, number, oneOf } from '../core/errors';
import { displayable } from '../core/jupyter';
import { mlp } from '../mlp/mlp';
import { rng } from '../core/random';
import { OPTIMIZER_NAMES, resolve, type Optimizer, type OptimizerName, type OptimizerState, type StepOptions } from './common';
import { MISTAKES, RULES, TF_RULES, type Rule } from './mistakes';
import { OPTIMIZERS } from './registry';
import { assertable, type Assertable } from '../grade/assertable';

/** A step function on float64 arrays, as `gs.optimizers.adam.step`; return `undefined` while a TODO. */
export type StepFn = (w: Float64Array, dw: Float64Array, state: OptimizerState, options: Required<StepOptions>) =>
  {
    /** The parameters after the step. */
    w: ArrayLike<number>;
    /** The state for the next step. */
    state: OptimizerState;
  } | undefined | void;

/** Options of {@link compare}: the optimiser's own (lr, beta, ...) and the run's. */
export interface CompareOptions extends StepOptions {
  /** Number of steps. Default 10. */
  steps?: number;
  /** Seed of the net and its data. Default 1. */
  seed?: number;
}

/** One step: relative errors ||a - b|| / (||a|| + ||b||). */
export interface CompareRow {
  /** The step, 1..steps. */
  step: number;
  /** Your parameters against tf.train's after this step. */
  tf: number;
  /** Your update w_k - w_0 against tf.train's (the parameters' error, without the common w_0). */
  tfUpdate: number;
  /** Your update against the papers' rule in float64 (gs.optimizers.<name>.step). */
  reference: number;
  /** tf's own rule replayed in float64 against tf.train (float32 round-off when tf is understood). */
  tfRule: number;
}

/** What {@link compare} returns; prints as a table with the verdict; `assert()` fails a notebook cell unless it passed. */
export interface Comparison extends Assertable {
  /** The optimiser compared. */
  optimizer: OptimizerName;
  /** 'todo' while the step returns nothing; else passed or failed. */
  status: 'passed' | 'failed' | 'todo';
  /** True when every step matched tf.train and the papers' rule. */
  passed: boolean;
  /** One row per step. */
  rows: CompareRow[];
  /** The mistake found ('missing bias correction', 'eps misplaced', 't off by one', 'decay swapped', ...). */
  mistake?: string;
  /** What to look at for that mistake, or the error your step threw. */
  hint?: string;
  /** The first step whose update differs from the papers' rule by more than float32 round-off. */
  firstWrongStep?: number;
  /** Where tf.train's conventions differ from the papers' and what the comparison did about it. */
  conventions: string[];
  /** The options both sides used. */
  options: Required<StepOptions>;
  /** The table with the verdict, as a notebook shows it. */
  toString(): string;
}

/** Relative error below which two float64 replays are the same rule. */
const SAME64 = 1e-9;
/** Relative error of the update allowed for float32 round-off (a step computed in tf, tf itself). */
const SAME32 = 1e-5;

const NET = { sizes: [5, 8, 3], hidden: 'tanh' as const, output: 'softmax' as const };
const M = 16;

const finite = (a: ArrayLike<number>) => Array.prototype.every.call(a, Number.isFinite);

/** ||a - b|| / (||a|| + ||b||), of the updates a - base and b - base when `base` is given; 0 when both hold NaN or Infinity (the same division by zero), Infinity when one does. */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>, base?: ArrayLike<number>): number {
  const [fa, fb] = [finite(a), finite(b)];
  if (!fa || !fb) return fa === fb ? 0 : Infinity;
  let d = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = base ? a[i] - base[i] : a[i], y = base ? b[i] - base[i] : b[i];
    d += (x - y) ** 2; na += x * x; nb += y * y;
  }
  if (!Number.isFinite(d)) return Infinity;
  const den = Math.sqrt(na) + Math.sqrt(nb);
  return den === 0 ? 0 : Math.sqrt(d) / den;
}

/** The tf.train optimiser and the options and starting state that make the papers' rule comparable. */
function tfOptimizer(name: OptimizerName, o: Required<StepOptions>, n: number): { opt: TfOptimizer; start: OptimizerState; tfOptions: Required<StepOptions>; conventions: string[] } {
  const eps = tf.backend().epsilon();
  switch (name) {
    case 'sgd':
      return { opt: tf.train.sgd(o.lr), start: {}, tfOptions: o, conventions: ['tf.train.sgd: the same rule, w <- w - lr dw.'] };
    case 'momentum':
      return {
        opt: tf.train.momentum(o.lr, o.beta), start: {}, tfOptions: o,
        conventions: ['tf.train.momentum keeps lr outside its accumulator (acc = beta acc + dw, w <- w - lr acc): its state is the lecture\'s Delta theta / lr, its parameters the same.'],
      };
    case 'adagrad':
      return {
        opt: tf.train.adagrad(o.lr, 0.1), start: { cache: new Float64Array(n).fill(0.1) }, tfOptions: { ...o, eps },
        conventions: [
          `tf.train.adagrad starts its accumulator at 0.1 (initialAccumulatorValue) and divides by sqrt(cache + eps) with eps the backend epsilon ${eps} (not an option): your step is given state.cache = 0.1 everywhere and eps = ${eps} to start from the same point.`,
          'With cache >= 0.1 the place of eps hardly matters (relative 1e-7); the float64 replay still tells sqrt(cache) + eps from sqrt(cache + eps).',
        ],
      };
    case 'rmsprop':
      return {
        opt: tf.train.rmsprop(o.lr, o.decay, 0, o.eps), start: {}, tfOptions: o,
        conventions: [`tf.train.rmsprop adds eps inside the square root, sqrt(cache + eps) (the papers: sqrt(cache) + eps), and defaults eps to 1e-7; both sides use eps = ${o.eps}. Where sqrt(cache) is near sqrt(eps) (the small-gradient weights of input 5 here) tf's step is smaller: the column "tf's rule" replays tf's convention and agrees with tf.`],
      };
    case 'adam':
      return {
        opt: tf.train.adam(o.lr, o.beta1, o.beta2, o.eps), start: {}, tfOptions: o,
        conventions: [`tf.train.adam: the papers' formula (bias correction 1 - beta^(t+1), eps added to sqrt(v-hat)); its eps defaults to 1e-7 (Kingma and Ba: 1e-8), so both sides are given eps = ${o.eps}.`],
      };
  }
}

/** The run tf.train makes: parameters after each step and the gradients it applied (float64 copies). */
function tfRun(name: OptimizerName, o: Required<StepOptions>, steps: number, seed: number) {
  const net = mlp({ ...NET, init: 'xavier', seed });
  const r = rng(seed + 101);
  const n0 = NET.sizes[0], nL = NET.sizes[2];
  // input 5 is 1000x smaller: its weights get tiny gradients, where eps and its place matter
  const xs = Float32Array.from({ length: M * n0 }, (_, i) => r.normal() * (i % n0 === n0 - 1 ? 1e-3 : 1));
  const ys = new Float32Array(M * nL);
  for (let i = 0; i < M; i++) ys[i * nL + (i % nL)] = 1;
  const X = tf.tensor2d(xs, [M, n0]) as Tensor2D, y = tf.tensor2d(ys, [M, nL]);
  const { opt, start, tfOptions, conventions } = tfOptimizer(name, o, net.size);
  const thetas: Float64Array[] = [net.toVector()];
  const grads: Float64Array[] = [];
  try {
    for (let k = 0; k < steps; k++) {
      const { cache } = net.forward(X);
      const g = net.backward(cache, y);
      cache.dispose();
      grads.push(net.gradsToVector(g));
      const named: Record<string, import('@tensorflow/tfjs').Tensor> = {};
      for (const blk of net.blocks) named[net.params[blk.name].name] = g[blk.grad];
      opt.applyGradients(named);
      tf.dispose(Object.values(g));
      thetas.push(net.toVector());
    }
  } finally {
    opt.dispose();
    // tf.train.momentum's dispose() leaves the -lr scalar of its SGD base (tfjs 4.22): free it too
    const c = (opt as unknown as { c?: unknown }).c;
    if (c instanceof tf.Tensor && !c.isDisposed) c.dispose();
    tf.dispose([X, y]);
    net.dispose();
  }
  return { thetas, grads, start, tfOptions, conventions };
}

const copyState = (s: OptimizerState): OptimizerState => ({
  ...(s.dTheta && { dTheta: Float64Array.from(s.dTheta) }), ...(s.cache && { cache: Float64Array.from(s.cache) }),
  ...(s.m && { m: Float64Array.from(s.m) }), ...(s.v && { v: Float64Array.from(s.v) }), ...(s.t !== undefined && { t: s.t }),
});

/** Replays a float64 rule over the gradients: the parameters after each step. */
function replay(rule: Rule, theta0: Float64Array, grads: Float64Array[], start: OptimizerState, o: Required<StepOptions>): Float64Array[] {
  let w: Float64Array = Float64Array.from(theta0), s = copyState(start);
  const out: Float64Array[] = [];
  for (const g of grads) {
    ({ w, state: s } = rule(w, g, s, o));
    out.push(w);
  }
  return out;
}

type Outcome = { thetas: Float64Array[] } | { todo: string } | { error: string; step: number };

/** Runs the user's step over the gradients, never throwing. */
function userRun(step: StepFn, theta0: Float64Array, grads: Float64Array[], start: OptimizerState, o: Required<StepOptions>): Outcome {
  let w: Float64Array = Float64Array.from(theta0), s = copyState(start);
  const thetas: Float64Array[] = [];
  for (let k = 0; k < grads.length; k++) {
    let r: ReturnType<StepFn>;
    try {
      r = step(Float64Array.from(w), Float64Array.from(grads[k]), copyState(s), { ...o });
    } catch (e) {
      return { error: `your step threw at step ${k + 1}: ${(e as Error)?.message ?? String(e)}`, step: k + 1 };
    }
    const empty = r === undefined || r === null || (typeof r === 'object' && (r as { w?: unknown }).w === undefined);
    if (empty) return k === 0 ? { todo: 'the step returned nothing (return { w, state })' } : { error: `your step returned nothing at step ${k + 1} (return { w, state })`, step: k + 1 };
    const rw = (r as { w: ArrayLike<number> }).w;
    if (!rw || typeof rw.length !== 'number' || rw.length !== w.length) return { error: `your step returned w of length ${rw?.length} at step ${k + 1} (expected ${w.length}, the length of w)`, step: k + 1 };
    w = Float64Array.from(rw);
    s = (r as { state?: OptimizerState }).state ?? {};
    if (typeof s !== 'object' || s === null) return { error: `your step returned state ${String(s)} at step ${k + 1} (expected the state object for the next step)`, step: k + 1 };
    thetas.push(w);
  }
  return { thetas };
}

const fmt = sci;

/**
 * Compares a step function with tf.train's optimiser of the same name, step by step on a seeded
 * [5, 8, 3] tanh -> softmax net, and names the mistake of a wrong one: each step's parameters and
 * update against tf.train and against the papers' rule in float64 (see {@link CompareRow}), and a
 * wrong step's mistake from a catalogue ({@link MISTAKES}: missing bias correction, eps misplaced,
 * t off by one, decay swapped, no square root, ...). Options: `steps` (default 10), `seed`, and the
 * optimiser's own (`lr`, `beta`, ...).
 *
 * tf's conventions (tfjs 4.22), which it replays to show it understands tf's numbers:
 * `tf.train.rmsprop` and `tf.train.adagrad` add eps *inside* the square root; adagrad's eps is the
 * backend epsilon 1e-7 and its accumulator starts at 0.1 (your step is given that start); adam and
 * rmsprop default eps to 1e-7; momentum keeps lr outside its accumulator (its state is dTheta / lr,
 * its parameters the same). The Adam homework is graded by `compare('adam', adamStep)`.
 * Without `step`, gradscope's own `gs.optimizers[name].step` is compared. `result.assert()` throws
 * a GradscopeError naming the mistake and its hint (or "not yet implemented" for a step that returns
 * nothing) unless it passed (see {@link Assertable.assert}).
 *
 * @example
 * ```ts
 * gs.optimizers.compare('adam');                  // ✔ adam: all checks passed (gradscope vs tf.train.adam)
 * const noCorrection: gs.optimizers.StepFn = (w, dw, s, o) =>
 *   gs.optimizers.adam.step(w, dw, { ...s, t: 1e6 }, o);   // 1 - beta^(t+1) = 1: no bias correction
 * gs.optimizers.compare('adam', noCorrection).mistake;     // 'missing bias correction'
 * gs.optimizers.compare('adam', noCorrection).assert();    // GradscopeError: adam: missing bias correction (from step 1): ...; hint: ...
 * ```
 */
export function compare(name: OptimizerName, step?: StepFn | Optimizer, options: CompareOptions = {}): Comparison {
  oneOf('name', name, OPTIMIZER_NAMES);
  const own = OPTIMIZERS[name];
  const fn: StepFn =
    step === undefined ? own.step
      : typeof step === 'function' ? step
        : step && typeof (step as Optimizer).step === 'function' ? (step as Optimizer).step.bind(step)
          : (() => { throw invalid('step', step, `a step function (w, dw, state, options) => { w, state }, or gs.optimizers.${name}`); })();
  knownKeys('options', options, ['steps', 'seed', ...Object.keys(own.defaults)]);
  const { steps: nSteps = 10, seed = 1, ...rest } = options;
  const steps = number('steps', nSteps, { min: 1, max: 1000, integer: true });
  number('seed', seed, { integer: true });
  const o = resolve(name, own.defaults, rest);
  const full = { lr: o.lr, beta: o.beta ?? 0.9, decay: o.decay ?? 0.9, beta1: o.beta1 ?? 0.9, beta2: o.beta2 ?? 0.999, eps: o.eps ?? 1e-8 } as Required<StepOptions>;
  const run = tfRun(name, full, steps, seed);
  const given = Object.fromEntries(Object.keys(own.defaults).map((k) => [k, run.tfOptions[k as keyof StepOptions]])) as Required<StepOptions>;
  const theta0 = run.thetas[0];
  const tfThetas = run.thetas.slice(1);
  const reference = replay(RULES[name], theta0, run.grads, run.start, run.tfOptions);
  const tfRule = replay(TF_RULES[name], theta0, run.grads, run.start, run.tfOptions);
  const user = userRun(fn, theta0, run.grads, run.start, given);

  const result = (status: Comparison['status'], rows: CompareRow[], extra: Partial<Omit<Comparison, 'assert'>>, lines: string[]): Comparison => {
    const c = { optimizer: name, status, passed: status === 'passed', rows, conventions: run.conventions, options: given, ...extra, toString: () => lines.join('\n') };
    Object.defineProperty(c, inspect.custom, { value: () => c.toString(), enumerable: false });
    // the first line is the verdict ("✘ adam: missing bias correction (from step 1): ...", "… adam: not yet implemented: ..."): what, after the task
    const what = (lines[0] ?? '').replace(/^\S+ \w+: (not yet implemented: )?/, '');
    const hint = extra.mistake && extra.mistake !== 'error' && extra.mistake !== 'unknown' ? extra.hint : undefined;
    return displayable(assertable(c, name, 'step', () => ({ what, hint })));
  };
  const where = `${steps} steps of tf.train.${name} on a [${NET.sizes.join(', ')}] ${NET.hidden} -> ${NET.output} net, m = ${M}`;
  if ('todo' in user) return result('todo', [], {}, [`… ${name}: not yet implemented: ${user.todo}`]);
  if ('error' in user) return result('failed', [], { firstWrongStep: user.step, mistake: 'error', hint: user.error }, [`✘ ${name}: ${user.error}`]);

  const rows: CompareRow[] = user.thetas.map((w, k) => ({
    step: k + 1,
    tf: relErr(w, tfThetas[k]),
    tfUpdate: relErr(w, tfThetas[k], theta0),
    reference: relErr(w, reference[k], theta0),
    tfRule: relErr(tfRule[k], tfThetas[k], theta0),
  }));
  const worst = (a: Float64Array[]) => Math.max(...user.thetas.map((w, k) => relErr(w, a[k], theta0)));
  const table = [
    '    step   params vs tf   update vs tf   update vs paper (float64)   tf\'s rule vs tf',
    ...rows.map((r) => `    ${String(r.step).padStart(4)}   ${fmt(r.tf).padStart(12)}   ${fmt(r.tfUpdate).padStart(12)}   ${fmt(r.reference).padStart(25)}   ${fmt(r.tfRule).padStart(15)}`),
  ];
  const notes = run.conventions.map((c) => `  note: ${c}`);
  const refErr = worst(reference);
  const mistakes = MISTAKES[name].map((m) => ({ m, err: worst(replay(m.rule, theta0, run.grads, run.start, run.tfOptions)) })).sort((a, b) => a.err - b.err);
  const best = mistakes[0];
  const firstWrong = rows.find((r) => !(r.reference <= SAME32))?.step;
  if (refErr <= SAME64 || (refErr <= SAME32 && !(best.err <= SAME64))) {
    const vsTf = Math.max(...rows.map((r) => r.tfUpdate));
    return result('passed', rows, {}, [
      `✔ ${name}: all checks passed (${where}; your update matches the papers' rule to ${fmt(refErr)} and tf.train.${name}'s to ${fmt(vsTf)})`,
      ...table, ...notes,
    ]);
  }
  if (best.err <= SAME32) {
    return result('failed', rows, { mistake: best.m.name, hint: best.m.hint, firstWrongStep: firstWrong }, [
      `✘ ${name}: ${best.m.name}${firstWrong ? ` (from step ${firstWrong})` : ''}: your steps match that mistake to ${fmt(best.err)} and differ from the papers' rule by ${fmt(refErr)}`,
      `  hint: ${best.m.hint}`, ...table, ...notes,
    ]);
  }
  return result('failed', rows, { mistake: 'unknown', hint: `not one of the known mistakes (closest: ${best.m.name}, off by ${fmt(best.err)})`, firstWrongStep: firstWrong }, [
    `✘ ${name}: your update differs from the papers' rule by ${fmt(refErr)}${firstWrong ? ` from step ${firstWrong}` : ''}; not one of the known mistakes (closest: ${best.m.name}, off by ${fmt(best.err)})`,
    ...table, ...notes,
  ]);
}


