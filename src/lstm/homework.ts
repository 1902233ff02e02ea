/**
 * The LSTM step-backward homework (notebooks/homework/lstm-step.ipynb) and its grader.
 *
 * The student writes one step of backpropagation through time with a fixed signature,
 *   (step, da, dc) => { dWf, dWu, dWc, dWo, dbf, dbu, dbc, dbo, daPrev, dcPrev }
 * where `step` is what the forward pass kept at step t (aPrev, cPrev, x, cTilde, Gu, Gf, Go, c, a and
 * the gate matrices), da = dJ/da^(t) and dc = dJ/dc^(t) through step t+1; gradscope loops it through
 * time (net.backward(cache, Y, step)). The grader runs it on fixed steps and on whole sequences,
 * names the first wrong output going back through the step (Gamma_o first: it needs only da), the
 * gate it belongs to, and, when the answer matches a catalogued mistake, what the mistake is.
 */
import { sig } from '../core/format';
import { inspect } from 'util';
import type { Tensor, Tensor2D } from '@tensorflow/tfjs';
import { tf } from '../core/backend';
import { GradscopeError, firstNonFinite, invalid } from '../core/errors';
import { displayable } from '../core/jupyter';
import { rng } from '../core/random';
import { assertable, type Assertable, type GradeFailure } from '../grade/assertable';
import { lstm, lstmStepBackward, type LstmStep, type LstmStepGrads, type LstmVariant } from './lstm';

/** The student's step backward; `undefined` (or `{}`) while it is a TODO. */
export type StudentLstmStep = (step: LstmStep, da: Tensor2D, dc: Tensor2D) => Partial<LstmStepGrads> | Record<string, Tensor> | undefined | void;

/** The outputs of a step in the order the grader reads them: from the loss back into the step. */
export const STEP_OUTPUTS = ['dWo', 'dbo', 'dWc', 'dbc', 'dWu', 'dbu', 'dWf', 'dbf', 'dcPrev', 'daPrev'] as const;
export type StepOutput = (typeof STEP_OUTPUTS)[number];

/** What each output belongs to and the formula to check when it is wrong. */
export const STEP_HINTS: Record<StepOutput, { part: string; check: string }> = {
  dWo: { part: 'the output gate', check: 'delta_o = da * tanh(c) * Gamma_o (1 - Gamma_o), dWo = [a_prev, x]^T delta_o' },
  dbo: { part: 'the output gate', check: 'dbo = sum over rows of delta_o, delta_o = da * tanh(c) * Gamma_o (1 - Gamma_o)' },
  dWc: { part: 'the candidate cell c~', check: 'delta_c = dc_total * Gamma_u * (1 - c~^2), dWc = [a_prev, x]^T delta_c, with dc_total = dc + da * Gamma_o * (1 - tanh^2(c))' },
  dbc: { part: 'the candidate cell c~', check: 'dbc = sum over rows of delta_c, delta_c = dc_total * Gamma_u * (1 - c~^2)' },
  dWu: { part: 'the update gate', check: 'delta_u = dc_total * c~ * Gamma_u (1 - Gamma_u), dWu = [a_prev, x]^T delta_u' },
  dbu: { part: 'the update gate', check: 'dbu = sum over rows of delta_u, delta_u = dc_total * c~ * Gamma_u (1 - Gamma_u)' },
  dWf: { part: 'the forget gate', check: 'delta_f = dc_total * c_prev * Gamma_f (1 - Gamma_f), dWf = [a_prev, x]^T delta_f' },
  dbf: { part: 'the forget gate', check: 'dbf = sum over rows of delta_f, delta_f = dc_total * c_prev * Gamma_f (1 - Gamma_f)' },
  dcPrev: { part: 'the cell carried back in time', check: 'dc_prev = dc_total * Gamma_f, with dc_total = dc + da * Gamma_o * (1 - tanh^2(c))' },
  daPrev: { part: 'the hidden state carried back in time', check: 'da_prev = (delta_f Wf^T + delta_u Wu^T + delta_c Wc^T + delta_o Wo^T)[:, :na]: the first na rows of each W act on a_prev' },
};

// ---------------------------------------------------------------------------------------------
// a catalogue of typical mistakes, each the correct step with one thing changed

interface Parts {
  dtanh: Tensor; dcIn: Tensor; tcForO: Tensor; cPrevForF: Tensor; candidate: Tensor; forget: Tensor;
  sig: Record<'f' | 'u' | 'o', Tensor>; h: Tensor; rows: 'a' | 'x'; drop?: 'f' | 'o';
}

type Change = (p: Parts, s: LstmStep, da: Tensor2D, dc: Tensor2D) => void;

function changed(change: Change): (s: LstmStep, da: Tensor2D, dc: Tensor2D) => LstmStepGrads {
  return (s, da, dc) => {
    const na = s.aPrev.shape[1], nx = s.x.shape[1];
    const one = tf.scalar(1);
    const tc = tf.tanh(s.c);
    const sig = (G: Tensor) => G.mul(one.sub(G));
    const p: Parts = {
      dtanh: one.sub(tc.square()), dcIn: dc, tcForO: tc, cPrevForF: s.cPrev, candidate: one.sub(s.cTilde.square()), forget: s.Gf,
      sig: { f: sig(s.Gf), u: sig(s.Gu), o: sig(s.Go) }, h: tf.concat([s.aPrev, s.x], 1), rows: 'a',
    };
    change(p, s, da, dc);
    const dcTotal = p.dcIn.add(da.mul(s.Go).mul(p.dtanh));
    const dO = da.mul(p.tcForO).mul(p.sig.o), dC = dcTotal.mul(s.Gu).mul(p.candidate);
    const dU = dcTotal.mul(s.cTilde).mul(p.sig.u), dF = dcTotal.mul(p.cPrevForF).mul(p.sig.f);
    const rowsOf = (W: Tensor2D) => (p.rows === 'a' ? W.slice([0, 0], [na, na]) : W.slice([nx, 0], [na, na])).transpose();
    const hFO = s.variant === 'lecture' ? tf.concat([s.cPrev, s.x], 1) : p.h;
    let viaFO = tf.zeros([s.aPrev.shape[0], na]) as Tensor;
    if (p.drop !== 'f') viaFO = viaFO.add(dF.matMul(rowsOf(s.Wf)));
    if (p.drop !== 'o') viaFO = viaFO.add(dO.matMul(rowsOf(s.Wo)));
    let daPrev = dC.matMul(rowsOf(s.Wc)).add(dU.matMul(rowsOf(s.Wu)));
    let dcPrev = dcTotal.mul(p.forget);
    if (s.variant === 'lecture') dcPrev = dcPrev.add(viaFO);
    else daPrev = daPrev.add(viaFO);
    return {
      dWf: hFO.transpose().matMul(dF), dWu: p.h.transpose().matMul(dU), dWc: p.h.transpose().matMul(dC), dWo: hFO.transpose().matMul(dO),
      dbf: dF.sum(0), dbu: dU.sum(0), dbc: dC.sum(0), dbo: dO.sum(0), daPrev, dcPrev,
    };
  };
}

/** A typical mistake in the LSTM step: what it looks like, for the grader's hint. */
export interface StepMistake {
  /** What the student did, as a sentence the hint uses. */
  looksLike: string;
  /** The correct step backward with that one thing changed: a wrong answer to grade or compare. */
  step: (s: LstmStep, da: Tensor2D, dc: Tensor2D) => LstmStepGrads;
}

const tanhPrime = (G: Tensor) => tf.scalar(1).sub(G.square());
const sigmoidOfSigmoid = (G: Tensor) => { const s = tf.sigmoid(G); return s.mul(tf.scalar(1).sub(s)); };

/**
 * The catalogue of typical LSTM step-backward mistakes (19) that {@link gradeLstmStep} recognises:
 * the carry dc left out of dc_total, tanh'(c) missing, dc_prev without Gamma_f, a gate's derivative
 * from the wrong value (c for c_prev, c for c~, tanh'(c) for tanh(c)), each gate's sigmoid' applied
 * twice, taken as tanh's or missing, the a-x concatenation swapped, da_prev read from the wrong rows
 * of W, and da_prev missing the forget or output gate's share. Each is a working wrong step, so it
 * also makes a planted bug for gs.gradCheck.
 *
 * @example
 * ```ts
 * gs.STEP_MISTAKES.length;            // 19
 * gs.STEP_MISTAKES[0].looksLike;      // 'the carry dc from step t+1 is left out of dc_total (...)'
 * console.log(String(gs.gradeLstmStep(gs.STEP_MISTAKES[0].step)));
 * ```
 */
export const STEP_MISTAKES: StepMistake[] = [
  { looksLike: 'the carry dc from step t+1 is left out of dc_total (dc_total = dc + da * Gamma_o * (1 - tanh^2(c)))', step: changed((p, s, da) => { p.dcIn = tf.zerosLike(da); }) },
  { looksLike: 'tanh\'(c) is missing in dc_total: da * Gamma_o * (1 - tanh^2(c)), not da * Gamma_o', step: changed((p) => { p.dtanh = tf.scalar(1); }) },
  { looksLike: 'dc_prev = dc_total without the forget gate: dc_prev = dc_total * Gamma_f', step: changed((p) => { p.forget = tf.scalar(1); }) },
  { looksLike: 'the forget gate\'s derivative uses c instead of c_prev: dGamma_f = dc_total * c_prev', step: changed((p, s) => { p.cPrevForF = s.c; }) },
  { looksLike: 'the candidate\'s derivative uses c instead of c~: 1 - c~^2', step: changed((p, s) => { p.candidate = tf.scalar(1).sub(s.c.square()); }) },
  { looksLike: 'the output gate\'s derivative uses tanh\'(c) instead of tanh(c): dGamma_o = da * tanh(c)', step: changed((p) => { p.tcForO = p.dtanh; }) },
  ...(['f', 'u', 'o'] as const).flatMap((k): StepMistake[] => {
    const G = ({ f: 'Gf', u: 'Gu', o: 'Go' } as const)[k];
    const gamma = `Gamma_${k}`;
    return [
      { looksLike: `${gamma}'s sigmoid' is applied to ${gamma} again: sigma'(z) = ${gamma} (1 - ${gamma}), from the gate's value, not sigma(${gamma})(1 - sigma(${gamma}))`, step: changed((p, s) => { p.sig[k] = sigmoidOfSigmoid(s[G]); }) },
      { looksLike: `${gamma}'s derivative is tanh's: ${gamma} is a sigmoid, sigma' = ${gamma} (1 - ${gamma}), not 1 - ${gamma}^2`, step: changed((p, s) => { p.sig[k] = tanhPrime(s[G]); }) },
      { looksLike: `${gamma}'s derivative is missing: delta_${k} needs the factor ${gamma} (1 - ${gamma})`, step: changed((p) => { p.sig[k] = tf.scalar(1); }) },
    ];
  }),
  { looksLike: 'the a-x concatenation is in the wrong order: h = [a_prev, x] (a_prev first, as W\'s rows are)', step: changed((p, s) => { p.h = tf.concat([s.x, s.aPrev], 1); }) },
  { looksLike: 'da_prev is read from the wrong rows of W: the first na rows act on a_prev, the last nx on x', step: changed((p) => { p.rows = 'x'; }) },
  { looksLike: 'da_prev misses the forget gate\'s share delta_f Wf^T', step: changed((p) => { p.drop = 'f'; }) },
  { looksLike: 'da_prev misses the output gate\'s share delta_o Wo^T', step: changed((p) => { p.drop = 'o'; }) },
];

// ---------------------------------------------------------------------------------------------
// the grader

/**
 * One output of one graded case.
 *
 * @inline
 */
export interface StepGradeOutput {
  /** The output's name: dWo, dbo, ..., daPrev, dcPrev. */
  name: StepOutput;
  /** Relative error of the student's output against the correct one. */
  relativeError: number;
  /** Whether it passed. */
  right: boolean;
  /** <student, correct> / <correct, correct>: 1 when right, -1 for a flipped sign, 1/m for an extra 1/m. */
  scale: number;
}

/** One graded case: a single step, or a whole sequence looped by gradscope. */
export interface StepGradeCase {
  /** The case, e.g. `step A: nx 3, na 4, m 5` or `sequence C: nx 3, na 4, m 3, T 6, looped by gradscope`. */
  name: string;
  /** Whether every output was right. */
  passed: boolean;
  /** The student's step returned nothing yet. */
  todo: boolean;
  /** Every output compared, in {@link STEP_OUTPUTS} order (from the loss back into the step). */
  outputs: StepGradeOutput[];
  /** The first wrong output going back through the step. */
  firstWrong?: StepOutput;
  /** Every wrong output. */
  wrong: string[];
  /** Plain-language feedback lines: the table of outputs, hints, the mistake it looks like. */
  lines: string[];
}

/** What {@link gradeLstmStep} returns; prints as readable feedback; `assert()` fails a notebook cell unless it passed. */
export interface StepGradeResult extends Assertable {
  /** Which grader: always 'lstmStep'. */
  task: 'lstmStep';
  /** 'todo' while the student's step returns nothing; else passed or failed. */
  status: 'passed' | 'failed' | 'todo';
  /** True when every case passed. */
  passed: boolean;
  /** The graded cases: two fixed steps and a 6-step sequence. */
  cases: StepGradeCase[];
  /** `case: output` for every wrong output. */
  wrong: string[];
  /** The catalogued mistake the answer matches, when one does. */
  mistake?: string;
  /** The feedback a notebook shows. */
  toString(): string;
}

/** A fixed case: sizes, batch, variant. */
interface StepCase { name: string; nx: number; na: number; m: number; T: number; variant: LstmVariant; seed: number }

export const STEP_CASES: StepCase[] = [
  { name: 'step A: nx 3, na 4, m 5', nx: 3, na: 4, m: 5, T: 1, variant: 'standard', seed: 1 },
  { name: 'step B: nx 5, na 2, m 1', nx: 5, na: 2, m: 1, T: 1, variant: 'standard', seed: 2 },
  { name: 'sequence C: nx 3, na 4, m 3, T 6, looped by gradscope', nx: 3, na: 4, m: 3, T: 6, variant: 'standard', seed: 3 },
];

const RIGHT = 1e-5;
const fmt = (x: number): string => sig(x, 3);

/** A step with random (seeded) state, gates from a real forward pass, and random da, dc. */
function fixedStep(c: StepCase): { step: LstmStep; da: Tensor2D; dc: Tensor2D; free: () => void } {
  const net = lstm({ nx: c.nx, na: c.na, ny: 1, seed: c.seed, variant: c.variant });
  const r = rng(100 + c.seed);
  const rand = (rows: number, cols: number, s = 1) => tf.tensor2d(Float32Array.from({ length: rows * cols }, () => r.normal() * s), [rows, cols]);
  const X = tf.tidy(() => rand(c.m, c.nx).expandDims(1));
  const a0 = rand(c.m, c.na, 0.5), c0 = rand(c.m, c.na);
  const { output, cache } = net.forward(X, { a0, c0 });
  const da = rand(c.m, c.na, 0.3), dc = rand(c.m, c.na, 0.3);
  const free = () => { tf.dispose([X, a0, c0, output, da, dc]); cache.dispose(); net.dispose(); };
  return { step: net.stepOf(cache, 1), da, dc, free };
}

/** Relative error and scale of one output; throws a GradscopeError for a wrong shape or a non-tensor. */
function compare(name: StepOutput, mine: unknown, ref: Tensor): StepGradeOutput & { problem?: string } {
  if (!(mine instanceof tf.Tensor)) return { name, relativeError: 1, right: false, scale: 0, problem: `${name} is missing (got ${mine === undefined ? 'undefined' : typeof mine}); return it as a tensor of shape [${ref.shape}]` };
  if (!tf.util.arraysEqual(mine.shape, ref.shape)) {
    const t = mine.rank === 2 && mine.shape[0] === ref.shape[1] && mine.shape[1] === ref.shape[0];
    return { name, relativeError: 1, right: false, scale: 0, problem: `${name} has shape [${mine.shape}], expected [${ref.shape}]${t ? ': transposed (dW = h^T delta, [na + nx, m] x [m, na])' : ''}` };
  }
  const a = mine.dataSync(), b = ref.dataSync();
  if (firstNonFinite(a) >= 0) return { name, relativeError: 1, right: false, scale: NaN, problem: `${name} holds NaN or Infinity` };
  let d = 0, na = 0, nb = 0, ab = 0;
  for (let i = 0; i < a.length; i++) { d += (a[i] - b[i]) ** 2; na += a[i] ** 2; nb += b[i] ** 2; ab += a[i] * b[i]; }
  const den = Math.sqrt(na) + Math.sqrt(nb);
  const relativeError = den === 0 ? 0 : Math.sqrt(d) / den;
  return { name, relativeError, right: relativeError < RIGHT, scale: nb === 0 ? (na === 0 ? 1 : Infinity) : ab / nb };
}

/** Runs the student's step on one case; a TODO returns undefined. */
function runStudent(fn: StudentLstmStep, step: LstmStep, da: Tensor2D, dc: Tensor2D): Record<string, unknown> | undefined {
  const out = fn(step, da, dc) as unknown;
  if (out && (typeof out === 'object' || typeof out === 'function') && typeof (out as Promise<unknown>).then === 'function') {
    (out as Promise<unknown>).then(undefined, () => undefined); // its own rejection is not left unhandled
    throw new GradscopeError('step', 'invalid step: the step returned a Promise; steps must be synchronous (expected { dWf, dWu, dWc, dWo, dbf, dbu, dbc, dbo, daPrev, dcPrev } of tensors: drop async/await)');
  }
  if (out === undefined || out === null || (typeof out === 'object' && Object.keys(out).length === 0)) return undefined;
  if (typeof out !== 'object') throw new GradscopeError('step', `invalid step: it returned ${typeof out} (expected { dWf, dWu, dWc, dWo, dbf, dbu, dbc, dbo, daPrev, dcPrev } of tensors)`);
  return out as Record<string, unknown>;
}

/** The outputs of a run of the correct step and the student's, compared; or a TODO. */
function gradeOne(c: StepCase, fn: StudentLstmStep, stepsPassed = false): { graded: StepGradeCase; student?: Record<string, number[]> } {
  let result: { graded: StepGradeCase; student?: Record<string, number[]> } | undefined;
  const frees: (() => void)[] = [];
  try {
    tf.tidy(() => { result = gradeOneInScope(c, fn, stepsPassed, frees); }); // frees whatever the student's step made
  } finally {
    for (const f of frees) f(); // the case's net and tensors (tf.Variables outlive a tidy), on every path
  }
  return result!;
}

function gradeOneInScope(c: StepCase, fn: StudentLstmStep, stepsPassed: boolean, frees: (() => void)[]): { graded: StepGradeCase; student?: Record<string, number[]> } {
  {
    const todo = (line: string): { graded: StepGradeCase } => ({ graded: { name: c.name, passed: false, todo: true, outputs: [], wrong: [], lines: [line] } });
    let mine: Record<string, unknown> | undefined, ref: Record<string, Tensor>;
    let freed = false;
    let free = () => {};
    frees.push(() => { if (!freed) { freed = true; free(); } });
    try {
      if (c.T === 1) {
        const f = fixedStep(c);
        free = f.free;
        ref = lstmStepBackward(f.step, f.da, f.dc) as unknown as Record<string, Tensor>;
        mine = runStudent(fn, f.step, f.da, f.dc);
        if (!mine) return todo('your step returned nothing yet: fill in the TODO');
      } else {
        // a whole sequence: gradscope loops the step from t = T down to 1, so da_prev and dc_prev matter
        const net = lstm({ nx: c.nx, na: c.na, ny: 1, seed: c.seed, variant: c.variant });
        const r = rng(200 + c.seed);
        const X = tf.tensor3d(Float32Array.from({ length: c.m * c.T * c.nx }, () => r.normal()), [c.m, c.T, c.nx]);
        const Y = tf.tensor2d(Float32Array.from({ length: c.m }, (_, i) => i % 2), [c.m, 1]);
        const { output, cache } = net.forward(X);
        free = () => { tf.dispose([X, Y, output]); cache.dispose(); net.dispose(); };
        ref = net.backward(cache, Y) as Record<string, Tensor>;
        let empty = false;
        const loop = (s: LstmStep, da: Tensor2D, dc: Tensor2D) => {
          const out = runStudent(fn, s, da, dc);
          if (!out) { empty = true; return lstmStepBackward(s, da, dc); }
          for (const k of STEP_OUTPUTS) {
            const v = out[k], shape = k === 'daPrev' || k === 'dcPrev' ? da.shape : ref[k].shape;
            if (!(v instanceof tf.Tensor) || !tf.util.arraysEqual(v.shape, shape)) return null as never; // reported by the step cases
          }
          return out as unknown as LstmStepGrads;
        };
        let sequence: Record<string, Tensor> | undefined;
        try { sequence = net.backward(cache, Y, loop) as Record<string, Tensor>; } catch { sequence = undefined; }
        if (empty) return todo('your step returned nothing yet: fill in the TODO');
        mine = sequence ?? {};
        // the sequence case compares what gradscope's loop made of your step: the gate blocks
        const outputs = STEP_OUTPUTS.filter((k) => k !== 'daPrev' && k !== 'dcPrev').map((k) => compare(k, mine![k], ref[k]));
        const wrongOnes = outputs.filter((o) => !o.right);
        const graded: StepGradeCase = {
          name: c.name, passed: wrongOnes.length === 0, todo: false, outputs: outputs.map(({ problem, ...o }) => o),
          firstWrong: wrongOnes[0]?.name, wrong: wrongOnes.map((o) => o.name),
          lines: sequence === undefined
            ? ['your step fails inside the loop through time (a wrong shape or an exception): fix the single steps first']
            : wrongOnes.length === 0 ? ['every gate block right after the loop through time (da_prev and dc_prev carry correctly)']
              : [`wrong after the loop through time: ${wrongOnes.map((o) => `${o.name} (${fmt(o.relativeError)})`).join(', ')}`, ...(stepsPassed ? ['the single steps\' gate blocks are right, so da_prev or dc_prev is passed back wrong'] : [])],
        };
        return { graded };
      }
      const outputs = STEP_OUTPUTS.map((k) => compare(k, mine![k], ref[k]));
      const wrongOnes = outputs.filter((o) => !o.right);
      const first = wrongOnes[0];
      const lines = [
        'output    relative error   right   yours / correct',
        ...outputs.map((o) => `${o.name.padEnd(8)} ${fmt(o.relativeError).padStart(15)}   ${o.right ? 'yes  ' : 'NO   '}   ${fmt(o.scale).padStart(8)}${o === first ? '   <- first wrong, going back through the step' : ''}`),
      ];
      for (const o of wrongOnes) if (o.problem) lines.push(o.problem);
      if (first) {
        const h = STEP_HINTS[first.name];
        lines.push(`hint: ${first.name} is wrong: ${h.part}; check ${h.check}`);
        const bad = new Set(wrongOnes.map((o) => o.name));
        if (!bad.has('dWo') && ['dWc', 'dWu', 'dWf'].every((k) => bad.has(k as StepOutput))) {
          lines.push('hint: every gate that reads dc_total (c~, Gamma_u, Gamma_f) is wrong and Gamma_o, which does not, is right: check dc_total = dc + da * Gamma_o * (1 - tanh^2(c))');
        }
        if (Math.abs(first.scale + 1) < 1e-3) lines.push(`hint: ${first.name} is -1 x the correct one: a flipped sign`);
        else if (Math.abs(first.scale * c.m - 1) < 1e-3 && c.m > 1) lines.push(`hint: ${first.name} is 1/${c.m} of the correct one: da and dc already carry J's 1/m, do not divide by m again`);
        else if (Math.abs(first.scale - c.m) < 1e-3 && c.m > 1) lines.push(`hint: ${first.name} is ${c.m} x the correct one: sum over the rows, not a mean x m`);
      }
      const student: Record<string, number[]> = {};
      for (const k of STEP_OUTPUTS) if (mine![k] instanceof tf.Tensor) student[k] = Array.from((mine![k] as Tensor).dataSync());
      const graded: StepGradeCase = {
        name: c.name, passed: wrongOnes.length === 0, todo: false, outputs: outputs.map(({ problem, ...o }) => o),
        firstWrong: first?.name, wrong: wrongOnes.map((o) => o.name), lines,
      };
      return { graded, student };
    } catch (e) {
      if (e instanceof GradscopeError) throw e;
      return { graded: { name: c.name, passed: false, todo: false, outputs: [], wrong: ['exception'], lines: [`your step threw: ${(e as Error)?.message ?? String(e)}`] } };
    }
  }
}

/** The catalogued mistake whose outputs equal the student's on step A, if any. */
function matchMistake(student: Record<string, number[]>): string | undefined {
  const c = STEP_CASES[0];
  for (const mistake of STEP_MISTAKES) {
    const same = tf.tidy(() => {
      const f = fixedStep(c);
      try {
        const out = mistake.step(f.step, f.da, f.dc) as unknown as Record<string, Tensor>;
        return STEP_OUTPUTS.every((k) => {
          const s = student[k], m = out[k].dataSync();
          if (!s || s.length !== m.length) return false;
          let d = 0, n = 0;
          for (let i = 0; i < s.length; i++) { d += (s[i] - m[i]) ** 2; n += m[i] ** 2 + s[i] ** 2; }
          return n === 0 || Math.sqrt(d / n) < 1e-5;
        });
      } finally {
        f.free();
      }
    });
    if (same) return mistake.looksLike;
  }
  return undefined;
}

/**
 * Grades a student's LSTM step backward: two fixed single steps (every output compared with the
 * correct step's) and one sequence of 6 steps that gradscope loops the step through (so da_prev and
 * dc_prev are checked where they matter). Names the first wrong output going back through the step,
 * the gate it belongs to, the formula to check and, when the answer matches a typical mistake, which.
 * An unfilled TODO gets "not yet implemented", never an exception; `result.assert()` throws a
 * GradscopeError unless every case passed (see {@link Assertable.assert}). Leaves tf.memory() unchanged.
 *
 * @example
 * ```ts
 * // a step whose forget gate uses c where it needs c_prev (one of gs.STEP_MISTAKES)
 * const result = gs.gradeLstmStep(gs.STEP_MISTAKES.find((m) => /c instead of c_prev/.test(m.looksLike))!.step);
 * // ✘ lstm step: 3 of 3 cases failed
 * //   ✘ step A: nx 3, na 4, m 5
 * //       ...
 * //       dWf                0.408   NO         0.484   <- first wrong, going back through the step
 * //       hint: dWf is wrong: the forget gate; check delta_f = dc_total * c_prev * Gamma_f (1 - Gamma_f), ...
 * //   looks like: the forget gate's derivative uses c instead of c_prev: dGamma_f = dc_total * c_prev
 * result.passed;   // false
 * result.assert();  // GradscopeError: lstm step: step A: nx 3, na 4, m 5: dWf is wrong (...); hint: the forget gate; check ...
 * ```
 */
export function gradeLstmStep(step: StudentLstmStep): StepGradeResult {
  if (typeof step !== 'function') throw invalid('step', step, 'a function (step, da, dc) => { dWf, dWu, dWc, dWo, dbf, dbu, dbc, dbo, daPrev, dcPrev }');
  const cases: StepGradeCase[] = [];
  let student: Record<string, number[]> | undefined;
  for (const c of STEP_CASES) {
    const { graded, student: s } = gradeOne(c, step, cases.every((g) => !g.todo && g.wrong.every((w) => w === 'daPrev' || w === 'dcPrev')));
    cases.push(graded);
    if (c === STEP_CASES[0]) student = s;
    if (graded.todo) break;
  }
  const todo = cases.every((c) => c.todo);
  const passed = !todo && cases.every((c) => c.passed);
  const mistake = !passed && !todo && student ? matchMistake(student) : undefined;
  const status = todo ? 'todo' : passed ? 'passed' : 'failed';
  const wrong = cases.flatMap((c) => c.wrong.map((w) => `${c.name.split(':')[0]}: ${w}`));
  const text = () => {
    if (status === 'todo') return `… lstm step: not yet implemented: ${cases[0].lines[0]}`;
    const failed = cases.filter((c) => !c.passed).length;
    const head = passed ? `✔ lstm step: all checks passed (${cases.length} cases: 2 single steps, 1 sequence looped through time)` : `✘ lstm step: ${failed} of ${cases.length} cases failed`;
    return [
      head,
      ...cases.flatMap((c) => [`  ${c.passed ? '✔' : '✘'} ${c.name}`, ...(c.passed && c.outputs.length > 8 ? ['      every output right'] : c.lines.map((l) => `      ${l}`))]),
      ...(mistake ? [`  looks like: ${mistake}`] : []),
    ].join('\n');
  };
  const r: Omit<StepGradeResult, 'assert'> = { task: 'lstmStep', status, passed, cases, wrong, mistake, toString: text };
  Object.defineProperty(r, inspect.custom, { value: () => text(), enumerable: false });
  return displayable(assertable(r, 'lstm step', 'step', () => stepFailure(cases, mistake)));
}

/** The first failing case, its first wrong output and the hints, for `assert()`. */
function stepFailure(cases: StepGradeCase[], mistake: string | undefined): GradeFailure {
  if (cases.every((c) => c.todo)) return { what: cases[0]?.lines[0] ?? 'your step returned nothing yet' };
  const c = cases.find((k) => !k.passed) ?? cases[0];
  const more = `${cases.filter((k) => !k.passed).length} of ${cases.length} cases failed`;
  const looksLike = mistake ? `looks like: ${mistake}` : undefined;
  const first = c.outputs.find((o) => o.name === c.firstWrong);
  const hints = c.lines.filter((l) => l.startsWith('hint: ')).map((l) => l.slice('hint: '.length).replace(`${c.firstWrong} is wrong: `, ''));
  if (first && hints.length) {
    // a missing output, a wrong shape or NaN says more than a relative error (a line not of the table)
    const problem = c.lines.find((l) => l.startsWith(`${first.name} `) && !l.startsWith(first.name.padEnd(8)));
    const what = problem ?? `${first.name} is wrong (relative error ${fmt(first.relativeError)}, ${fmt(first.scale)} x the correct one)`;
    return { where: c.name, what, hint: [...hints, ...(looksLike ? [looksLike] : [])].join('; '), more };
  }
  // the sequence case (single steps right) or an exception: its lines say it
  const hint = [...c.lines.slice(1), ...(looksLike ? [looksLike] : [])].join('; ') || undefined;
  return { where: c.name, what: c.lines[0] ?? c.wrong.join(', '), hint, more };
}
