import { sig } from '../core/format';
import type { BackwardFn } from './check';
/**
 * Homework autograder (notebooks/homework/). Each grader runs the student's function on fixed,
 * seeded cases and says what is wrong and by how much: which parameter block (dW2, db1, ...) or
 * which layer shape / activation, the relative error against float64 finite differences, and a
 * hint when the error has a typical shape (a missing 1/m, a flipped sign, a transpose, the
 * variance used where the standard deviation belongs). An unfilled TODO gets "not yet implemented",
 * never an exception, so a fresh template runs top to bottom.
 *
 * A result prints itself: a notebook cell ending in `gs.grade.backward(backward)` shows the
 * feedback; `result.passed`, `result.cases[i].firstWrong` are there for scripts, and
 * `result.assert()` throws a GradscopeError naming the first failure unless the grade passed (a
 * homework notebook's last cell: headless runs then fail on a wrong or unfinished answer).
 */
import { inspect } from 'util';
import type { Tensor, Tensor2D } from '@tensorflow/tfjs';
import { tf } from '../core/backend';
import type { Activation } from '../nn/activations';
import { GradscopeError, firstNonFinite, invalid, knownKeys, number } from '../core/errors';
import { displayable } from '../core/jupyter';
import { mlp, type Cache, type Grads, type MlpOptions, type Net } from './mlp';
import type { Output } from '../nn/losses';
import { rng } from '../core/random';
import { gradCheck } from '../check/gradcheck';
import { checkMasks } from './exact';
import type { Verdict } from '../check/report';
import { assertable, type Assertable, type GradeFailure } from '../grade/assertable';

/**
 * The student's backward pass: from the forward cache (`cache.z[l]`, `cache.a[l]`, `a[0] = X`) and
 * labels Y ([m, nL], one-hot for softmax), return `{ dW1, db1, ..., dWL, dbL }` with W's and b's
 * shapes. Return `undefined` (or `{}`) while it is still a TODO.
 */
export type StudentBackward = BackwardFn<Net>;

/**
 * The student's weight initialisation: an [nIn, nOut] matrix for a layer whose output goes through
 * `hidden`, as a tf tensor, number[][] or a flat row-major array. `undefined` while a TODO.
 */
export type StudentInit = (nIn: number, nOut: number, hidden: Activation) => Tensor | number[][] | ArrayLike<number> | undefined | void;

/** One parameter block of one backward case. */
export interface GradeBlock {
  /** dW1, db1, ... */
  name: string;
  /** ||student - numeric|| / (||student|| + ||numeric||), float64 central differences. */
  relativeError: number;
  /** gs.gradCheck's verdict for the block; only 'great' and 'ok' pass (never 'inconclusive'). */
  verdict: Verdict;
  /** <student, correct> / <correct, correct>: 1 when right, m for a missing 1/m, -1 for a flipped sign. */
  scale: number;
}

/** One case: a network (backward) or a layer shape and activation (init). */
export interface GradeCase {
  /** The case, e.g. `net A [3, 4, 1] tanh -> sigmoid (binary cross-entropy), m = 5`, or a layer's shape and activation. */
  name: string;
  /** Whether every block (or the variance) passed. */
  passed: boolean;
  /** The student's function returned nothing yet. */
  todo: boolean;
  /** backward: per-block errors, output layer first. */
  blocks: GradeBlock[];
  /** backward: the first wrong block going back from the output (where the bug enters); init: undefined. */
  firstWrong?: string;
  /** Every block / quantity found wrong. */
  wrong: string[];
  /** init: measured Var(W), the expected one and what the measured variance matches. */
  variance?: {
    /** Var(W) of the student's matrix. */
    measured: number;
    /** The accepted variance nearest the measured one: He 2/n_in (relu); Xavier 1/n_in or Glorot 2/(n_in + n_out) (tanh, sigmoid). */
    expected: number;
    /** The mean of the student's entries (should be about 0). */
    mean: number;
    /** The look-alike the measured variance matches, e.g. `2/n_in (He)` or `1e-4: 0.01 * randn, ...`. */
    matches?: string;
  };
  /** Plain-language feedback lines. */
  lines: string[];
}

/** What a grader returns; prints as readable feedback; `assert()` fails a notebook cell unless it passed. */
export interface GradeResult extends Assertable {
  /** Which grader: gs.grade.backward or gs.grade.init. */
  task: 'backward' | 'init';
  /** 'todo' while the student's function returns nothing; else passed or failed. */
  status: 'passed' | 'failed' | 'todo';
  /** True when every case passed. */
  passed: boolean;
  /** The graded cases, in order (grading stops after the first one that is still a TODO). */
  cases: GradeCase[];
  /** `case: block` for every wrong block, e.g. `['net A: db1', 'net B: db1']`. */
  wrong: string[];
  /** The feedback a notebook shows: a headline, then each case with its table and hints. */
  toString(): string;
}

export const fmt = (x: number): string => sig(x, 3);

export function result(task: 'backward' | 'init', cases: GradeCase[], title: string): GradeResult {
  const todo = cases.every((c) => c.todo);
  const passed = !todo && cases.every((c) => c.passed);
  const status = todo ? 'todo' : passed ? 'passed' : 'failed';
  const wrong = cases.flatMap((c) => c.wrong.map((w) => `${c.name}: ${w}`));
  const text = () => {
    const failed = cases.filter((c) => !c.passed).length;
    const head =
      status === 'todo' ? `… ${task}: not yet implemented: ${cases[0]?.lines[0] ?? ''}`
        : status === 'passed' ? `✔ ${task}: all checks passed (${cases.length} ${title})`
          : `✘ ${task}: ${failed} of ${cases.length} ${title} failed`;
    if (status === 'todo') return head;
    return [head, ...cases.flatMap((c) => [`  ${c.passed ? '✔' : '✘'} ${c.name}`, ...c.lines.map((l) => `      ${l}`)])].join('\n');
  };
  const r: Omit<GradeResult, 'assert'> = { task, status, passed, cases, wrong, toString: text };
  Object.defineProperty(r, inspect.custom, { value: () => text(), enumerable: false });
  return displayable(assertable(r, task, task === 'init' ? 'initWeights' : 'backward', () => caseFailure(task, cases, title)));
}

/** The first failing case, what is wrong in it and the hint, for `assert()`. */
export function caseFailure(task: 'backward' | 'init', cases: GradeCase[], title: string): GradeFailure {
  if (cases.every((c) => c.todo)) return { what: cases[0]?.lines[0] ?? 'your function returned nothing' };
  const c = cases.find((k) => !k.passed) ?? cases[0];
  const more = `${cases.filter((k) => !k.passed).length} of ${cases.length} ${title} failed`;
  const block = c.blocks.find((b) => b.name === c.firstWrong);
  const hint = c.lines.find((l) => l.startsWith('hint: '))?.slice('hint: '.length);
  if (block) {
    return { where: c.name, what: `${block.name} is wrong (relative error ${fmt(block.relativeError)}, ${fmt(block.scale)} x the correct gradient)`, hint, more };
  }
  // the table of blocks and its header say nothing on their own: the first other line does
  const table = (l: string) => l.startsWith('block ') || c.blocks.some((b) => l.startsWith(`${b.name.padEnd(7)} `));
  const line = c.lines.find((l) => !table(l) && !l.startsWith('hint: ')) ?? c.wrong.join(', ');
  const matches = task === 'init' ? c.variance?.matches : undefined;
  const suffix = matches ? `; it matches ${matches}` : '';
  if (matches && line.endsWith(suffix)) return { where: c.name, what: line.slice(0, -suffix.length), hint: `your Var(W) matches ${matches}`, more };
  return { where: c.name, what: line, hint, more };
}

/** Grades the cases in order, stopping after the first one that is still a TODO (one "not yet implemented" is enough). */
export function gradeCases<C>(cases: C[], gradeCase: (c: C) => GradeCase): GradeCase[] {
  if (!Array.isArray(cases) || cases.length === 0) throw invalid('cases', cases, 'a non-empty array of cases');
  const graded: GradeCase[] = [];
  for (const c of cases) {
    const g = gradeCase(c);
    graded.push(g);
    if (g.todo) break;
  }
  return graded;
}

// ---------------------------------------------------------------------------------------------
// backward

/** A fixed network the backward grader checks. */
export interface BackwardCase {
  /** How the feedback names the case, e.g. `net A [3, 4, 1] tanh -> sigmoid (binary cross-entropy), m = 5`. */
  name: string;
  /** The network, as {@link mlp}'s options (fixed seed: the same weights every run). */
  net: MlpOptions;
  /** Batch size m. */
  m: number;
}

/** The default cases: tanh/sigmoid, relu/softmax over three layers, sigmoid/linear (MSE). */
export const BACKWARD_CASES: BackwardCase[] = [
  { name: 'net A [3, 4, 1] tanh -> sigmoid (binary cross-entropy), m = 5', net: { sizes: [3, 4, 1], hidden: 'tanh', output: 'sigmoid', init: 'xavier', seed: 11 }, m: 5 },
  { name: 'net B [4, 5, 5, 3] relu -> softmax (cross-entropy), m = 6', net: { sizes: [4, 5, 5, 3], hidden: 'relu', output: 'softmax', init: 'he', seed: 14 }, m: 6 },
  { name: 'net C [2, 3, 2] sigmoid -> linear (MSE), m = 4', net: { sizes: [2, 3, 2], hidden: 'sigmoid', output: 'linear', init: 'xavier', seed: 13 }, m: 4 },
];

/**
 * Cases with L2, dropout and residual skips, where the realistic mistakes live (lambda W without
 * the 1/m, lambda / 2m, L2 on b, 1/keepProb twice, a mask forgotten in one layer, a skip that adds
 * delta instead of da): `gs.grade.backward(fn, { cases: gs.EXTENDED_CASES })`.
 */
export const EXTENDED_CASES: BackwardCase[] = [
  { name: 'net D [3, 5, 4, 2] tanh -> softmax, l2 0.7, m = 6', net: { sizes: [3, 5, 4, 2], hidden: 'tanh', output: 'softmax', init: 'xavier', seed: 21, l2: 0.7 }, m: 6 },
  { name: 'net E [4, 6, 6, 1] tanh -> sigmoid, dropout keepProb 0.7, m = 8', net: { sizes: [4, 6, 6, 1], hidden: 'tanh', output: 'sigmoid', init: 'xavier', seed: 22, keepProb: 0.7 }, m: 8 },
  { name: 'net F [3, 5, 5, 5, 2] tanh -> linear, residual skips, m = 5', net: { sizes: [3, 5, 5, 5, 2], hidden: 'tanh', output: 'linear', init: 'xavier', seed: 23, residual: true }, m: 5 },
];

/** Throws unless `c` is a case the backward grader can run, naming cases[i] and the field. */
function checkCase(c: unknown, i: number): asserts c is BackwardCase {
  const name = `cases[${i}]`;
  if (!c || typeof c !== 'object') throw invalid(name, c, 'a case { name, net: { sizes, ... }, m }');
  const k = c as Partial<BackwardCase>;
  if (!k.net || typeof k.net !== 'object' || !Array.isArray(k.net.sizes)) throw invalid(`${name}.net`, k.net, 'the options of gs.mlp, e.g. { sizes: [3, 4, 1], hidden: "tanh" }');
  number(`${name}.m`, k.m, { min: 1, max: 1e5, integer: true });
  if (k.name !== undefined && typeof k.name !== 'string') throw invalid(`${name}.name`, k.name, 'a string');
}

/** Seeded X [m, n0] ~ N(0, 1) and labels Y [m, nL] for the output: 0/1, one-hot, or N(0, 1). */
function caseData(c: BackwardCase): { X: Tensor2D; Y: Tensor2D } {
  const sizes = c.net.sizes;
  const [n0, nL] = [sizes[0], sizes[sizes.length - 1]];
  const r = rng(1000 + (c.net.seed ?? 0));
  const X = Array.from({ length: c.m }, () => Array.from({ length: n0 }, () => r.normal()));
  const output: Output = c.net.output ?? 'sigmoid';
  const Y = Array.from({ length: c.m }, (_, i) =>
    Array.from({ length: nL }, (_, k) =>
      output === 'softmax' ? (k === (i * 7 + 3) % nL ? 1 : 0) : output === 'sigmoid' ? (r.uniform() < 0.5 ? 1 : 0) : r.normal()),
  );
  return { X: tf.tensor2d(X), Y: tf.tensor2d(Y) };
}

/** <s, r> / <r, r> */
function scaleOf(s: Float64Array, r: Float64Array): number {
  let sr = 0, rr = 0;
  for (let i = 0; i < r.length; i++) { sr += s[i] * r[i]; rr += r[i] * r[i]; }
  return rr === 0 ? NaN : sr / rr;
}

export function near(x: number, target: number, tol = 0.05): boolean {
  return Number.isFinite(x) && Math.abs(x - target) <= tol * Math.abs(target);
}

/** A hint for a wrong block from its scale against the correct gradient (and its layer's other block). */
function blockHint(b: GradeBlock, m: number, kind: 'W' | 'b', net: Net, blocks: GradeBlock[]): string {
  const what = `${b.name} is ${fmt(b.scale)} x the correct gradient`;
  const l = b.name.replace(/\D/g, '');
  const twin = blocks.find((x) => x.name === (kind === 'W' ? `db${l}` : `dW${l}`));
  if (near(b.scale, -1)) return `${what}: the sign is flipped (delta^L = a^L - y, not y - a^L)`;
  if (twin && twin.verdict !== 'great' && twin.verdict !== 'ok' && near(twin.scale, b.scale, 0.1) && !near(b.scale, 1, 0.01)) {
    return Number(l) === net.depth
      ? `${what}, and so is ${twin.name}: delta^${l} = a^${l} - y itself is off (both blocks are built from it)`
      : `${what}, and so is ${twin.name}: delta^${l} itself is off (both blocks are built from it); check g'(z^${l}) and how delta reaches layer ${l}`;
  }
  const wrongDb = blocks.filter((x) => x.verdict === 'wrong' || x.verdict === 'worry');
  if (wrongDb.length && wrongDb.every((x) => x.name.startsWith('db') && near(x.scale, m))) {
    return `${wrongDb.map((x) => x.name).join(', ')} ${wrongDb.length === 1 ? 'is' : 'are'} ${fmt(m)} x the correct gradient: db summed over the batch instead of averaged (db = mean of delta over the rows)`;
  }
  const widths = [...new Set(net.spec.sizes)].filter((n) => n !== m && n > 1);
  const byWidth = widths.find((n) => near(b.scale, m / n));
  if (byWidth !== undefined) return `${what} = m / ${byWidth}: divided by ${byWidth} (a shape[1]) instead of m = ${m}, the number of examples (rows: X.shape[0])`;
  if (near(b.scale, m)) return `${what}: a missing 1/m (${kind === 'W' ? 'dW = a_prev^T delta / m' : 'db = mean of delta over the batch'})`;
  if (near(b.scale, 1 / m)) return `${what}: divided by m twice`;
  if (near(b.scale, -1)) return `${what}: the sign is flipped (delta^L = a^L - y, not y - a^L)`;
  if (Math.abs(b.scale) < 1e-9) return `${b.name} is (close to) zero or unrelated to the correct gradient`;
  return `${what} (relative error ${fmt(b.relativeError)}); the blocks above it are right, so look at how delta reaches layer ${l}`;
}

function gradeBackwardCase(fn: StudentBackward, c: BackwardCase): GradeCase {
  const out: GradeCase = { name: c.name, passed: false, todo: false, blocks: [], wrong: [], lines: [] };
  const net = mlp(c.net);
  const { X, Y } = caseData(c);
  const expected = net.blocks.map((b) => b.grad);
  const shapeOf = Object.fromEntries(net.blocks.map((b) => [b.grad, b.shape]));
  let grads: Record<string, unknown> | undefined | void;
  // the dropout masks gradCheck will hold fixed, so the student's gradient and the check's agree
  const masks = checkMasks(net, c.m, 0);
  const { output, cache } = net.forward(X, masks.length ? { masks } : {});
  tf.dispose(masks.filter(Boolean) as Tensor[]);
  try {
    try {
      // in a tidy: the student's intermediate tensors are freed, also when the function throws
      grads = tf.tidy(() => {
        const g = fn(net, cache, Y);
        if (g instanceof Promise) { g.catch(() => undefined); return 'async' as never; }
        return g as never;
      }) as Record<string, unknown> | undefined;
    } catch (e) {
      out.wrong.push('exception');
      out.lines.push(`your backward threw: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
      return out;
    }
    if ((grads as unknown) === 'async') {
      out.wrong.push('async');
      out.lines.push('your backward is async: it returned a Promise. Make it synchronous (drop async/await) and return the gradients { dW1, db1, ... }');
      grads = undefined;
      return out;
    }
    if ([...cache.a, ...cache.z].some((t) => t?.isDisposed)) {
      out.wrong.push('cache');
      out.lines.push('your backward disposed the cache (cache.dispose() or tf.dispose of cache.a / cache.z): the grader still needs it; leave freeing it to the caller');
      return out;
    }
    if (grads === undefined || grads === null || (typeof grads === 'object' && Object.keys(grads).length === 0)) {
      out.todo = true;
      out.lines.push(`backward returned ${grads === undefined ? 'nothing' : 'no gradients'} (expected ${expected.join(', ')})`);
      return out;
    }
    if (typeof grads !== 'object') {
      out.wrong.push('return value');
      out.lines.push(`backward returned ${typeof grads} (expected an object { ${expected.join(', ')} })`);
      return out;
    }
    // Shapes and names first: a bad block here would only make the numeric check fail obscurely.
    // Output layer first: dWL, dbL, ..., dW1, db1 (the order the bug propagates in).
    const outputFirst = [...net.blocks].sort((p, q) => q.layer - p.layer || (p.kind === 'W' ? -1 : 1));
    for (const name of outputFirst.map((b) => b.grad)) {
      const t = grads[name];
      const want = shapeOf[name];
      if (!(t instanceof tf.Tensor)) {
        out.wrong.push(name);
        out.lines.push(grads[name] === undefined ? `${name} is missing (returned: ${Object.keys(grads).join(', ') || 'nothing'})` : `${name} is not a tf tensor`);
        continue;
      }
      const same = tf.util.arraysEqual(t.shape, want);
      if (!same) {
        out.wrong.push(name);
        const transposed = t.shape.length === 2 && want.length === 2 && t.shape[0] === want[1] && t.shape[1] === want[0];
        const kept = name.startsWith('db') && t.shape.length === 2 && t.shape[1] === want[0];
        const summed = name.startsWith('db') && t.shape.length === 1 && t.shape[0] === c.m;
        out.lines.push(
          `${name} has shape [${t.shape}], expected [${want}]` +
            (transposed ? ': transposed. Rows are examples here, so dW = a_prev^T delta / m is [n(l-1), n(l)]' : '') +
            (kept ? ': reduce over the batch (rows), e.g. delta.mean(0)' : '') +
            (summed ? ': reduced over the wrong axis; db averages delta over the batch (axis 0), one entry per unit' : ''),
        );
        continue;
      }
      const bad = firstNonFinite(t.dataSync());
      if (bad >= 0) {
        out.wrong.push(name);
        out.lines.push(`${name} holds ${t.dataSync()[bad]} at entry ${bad}`);
      }
    }
    if (out.wrong.length) {
      out.firstWrong = out.wrong[0];
      return out;
    }

    // The check proper: the student's gradient against float64 central differences (gs.gradCheck),
    // per block; and against the reference backward for the scale of each block.
    const student = net.gradsToVector(grads as Grads);
    const refGrads = net.backward(cache, Y);
    const reference = net.gradsToVector(refGrads);
    tf.dispose(Object.values(refGrads));
    // gradCheck disposes what backward returns: hand it copies of the student's gradients.
    // the same masks (gradCheck draws them from its seed 0), so cloning the student's gradients is exact
    const report = gradCheck(net, X, Y, { backward: () => cloneGrads(grads as Grads), progress: false, seed: 0 });
    const byName = new Map(report.blocks.map((b) => [b.name, b]));
    for (const blk of outputFirst) {
      // kinked entries are compared with autograd inside gradCheck: its verdict stands for every block
      const rb = byName.get(blk.grad)!;
      const s = student.subarray(blk.offset, blk.offset + blk.size);
      const r = reference.subarray(blk.offset, blk.offset + blk.size);
      out.blocks.push({ name: blk.grad, relativeError: rb.relativeError, verdict: rb.verdict, scale: scaleOf(s, r) });
    }
    const wrong = out.blocks.filter((b) => b.verdict === 'wrong' || b.verdict === 'worry');
    const unsure = out.blocks.filter((b) => b.verdict === 'inconclusive');
    out.wrong.push(...wrong.map((b) => b.name));
    out.firstWrong = wrong[0]?.name;
    out.passed = wrong.length === 0 && unsure.length === 0; // never a pass on an inconclusive check
    out.lines.push('block   relative error   verdict   yours / correct');
    for (const b of out.blocks) {
      out.lines.push(`${b.name.padEnd(7)} ${fmt(b.relativeError).padStart(14)}   ${b.verdict.padEnd(7)}   ${fmt(b.scale).padStart(8)}${b.name === out.firstWrong ? '   <- first wrong block going back from the output' : ''}`);
    }
    if (wrong.length) {
      const blk = net.blocks.find((b) => b.grad === out.firstWrong)!;
      out.lines.push(`hint: ${blockHint(wrong[0], c.m, blk.kind, net, out.blocks)}`);
      const below = wrong.slice(1).map((b) => b.name);
      const layerOf = (n: string) => Number(n.replace(/\D/g, ''));
      const down = below.filter((n) => layerOf(n) < layerOf(wrong[0].name));
      if (down.length && wrong[0].name.startsWith('dW') === false && !down.every((n) => n.startsWith('db'))) out.lines.push(`      ${down.join(', ')} ${down.length === 1 ? 'is' : 'are'} wrong too (an error in delta flows down to every layer below it)`);
      else if (below.length) out.lines.push(`      also wrong: ${below.join(', ')}`);
    }
    for (const b of unsure) out.lines.push(`${b.name}: the check was inconclusive here (${byName.get(b.name)!.reason ?? 'see gs.gradCheck'}): not passed`);
    const kinks = report.blocks.reduce((s, b) => s + (b.kinks ?? 0), 0);
    if (kinks) out.lines.push(`(${kinks} entries crossed a ReLU kink: compared with autograd instead, either one-sided derivative accepted)`);
    return out;
  } finally {
    if (grads && typeof grads === 'object') tf.dispose(Object.values(grads).filter((t): t is Tensor => t instanceof tf.Tensor));
    output.dispose();
    cache.dispose();
    tf.dispose([X, Y]);
    net.dispose();
  }
}

function cloneGrads(g: Grads): Grads {
  return Object.fromEntries(Object.entries(g).map(([k, t]) => [k, t.clone()]));
}

/**
 * Grades a student's backward pass on fixed networks (tanh/sigmoid, relu/softmax, sigmoid/linear):
 * shapes first, then each block against float64 finite differences (gs.gradCheck), naming the
 * first wrong block going back from the output and how far off it is.
 *
 * @example
 * ```ts
 * const backward: gs.StudentBackward = (net, cache, Y) => { ... return { dW1, db1, dW2, db2 }; };
 * gs.grade.backward(backward)   // ✔ backward: all checks passed (3 networks)
 * ```
 */
export function gradeBackward(fn: StudentBackward, options: { cases?: BackwardCase[] } = {}): GradeResult {
  knownKeys('options', options, ['cases']);
  if (typeof fn !== 'function') throw invalid('backward', fn, 'your function (net, cache, Y) => { dW1, db1, ... }');
  const cases = options.cases ?? BACKWARD_CASES;
  if (Array.isArray(cases)) cases.forEach((c, i) => checkCase(c, i));
  return result('backward', gradeCases(cases, (c) => gradeBackwardCase(fn, { ...c, name: c.name ?? `case ${cases.indexOf(c) + 1}` })), 'networks');
}

// ---------------------------------------------------------------------------------------------
// init
