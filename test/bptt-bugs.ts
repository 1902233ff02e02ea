/**
 * A catalogue of planted backpropagation-through-time mistakes: each is the correct step backward
 * of src/rnn/rnn.ts, src/lstm/lstm.ts or src/gru/gru.ts with one thing wrong, the way students get it wrong.
 * `wrong` lists the blocks a check must flag, `right` the ones it must pass, at `T` steps:
 * a mistake in one gate at T = 1 (nothing flows back through time) shows in that gate's blocks only;
 * a mistake in what is carried back through time shows only when T > 1.
 */
import * as gs from '../src/index';
import type { GruStepBackward, LstmStep, LstmStepBackward, LstmStepGrads, RnnStepBackward } from '../src/index';

const { tf } = gs;

export interface BpttBug {
  name: string;
  family: 'rnn' | 'lstm' | 'gru';
  /** Net options beyond the defaults of the test (nx 3, na 4, ny 1). */
  options?: Record<string, unknown>;
  T: number;
  step: RnnStepBackward | LstmStepBackward | GruStepBackward;
  /** Blocks the check must find wrong (the faulty ones). */
  wrong: string[];
  /** Blocks the check must find right. */
  right: string[];
}

const GATE_BLOCKS = ['dWf', 'dWu', 'dWc', 'dWo', 'dbf', 'dbu', 'dbc', 'dbo'];
const OUT = ['dWy', 'dby'];
const except = (names: string[], all = GATE_BLOCKS) => all.filter((n) => !names.includes(n));

/** The correct LSTM step with some of its intermediate quantities replaced. */
function lstmStep(change: (q: LstmQuantities, s: LstmStep, da: gs.tf.Tensor2D, dc: gs.tf.Tensor2D) => void): LstmStepBackward {
  return (s, da, dc) => {
    const na = s.aPrev.shape[1];
    const q: LstmQuantities = {} as LstmQuantities;
    q.tc = tf.tanh(s.c);
    q.dtanh = tf.scalar(1).sub(q.tc.square()); // tanh'(c)
    q.sigO = s.Go.mul(tf.scalar(1).sub(s.Go));
    q.sigU = s.Gu.mul(tf.scalar(1).sub(s.Gu));
    q.sigF = s.Gf.mul(tf.scalar(1).sub(s.Gf));
    q.dCandidate = tf.scalar(1).sub(s.cTilde.square());
    q.dcIn = dc;
    q.cPrevForF = s.cPrev;
    q.h = tf.concat([s.aPrev, s.x], 1);
    q.hFO = s.variant === 'lecture' ? tf.concat([s.cPrev, s.x], 1) : q.h;
    q.variant = s.variant;
    q.carry = true;
    q.forget = s.Gf;
    change(q, s, da, dc);
    const dcTotal = q.dcIn.add(da.mul(s.Go).mul(q.dtanh));
    const deltaO = da.mul(q.tc).mul(q.sigO);
    const deltaC = dcTotal.mul(s.Gu).mul(q.dCandidate);
    const deltaU = dcTotal.mul(s.cTilde).mul(q.sigU);
    const deltaF = dcTotal.mul(q.cPrevForF).mul(q.sigF);
    const top = (W: gs.tf.Tensor2D) => W.slice([0, 0], [na, na]).transpose();
    const viaA = deltaC.matMul(top(s.Wc)).add(deltaU.matMul(top(s.Wu)));
    const viaFO = deltaF.matMul(top(s.Wf)).add(deltaO.matMul(top(s.Wo)));
    let dcPrev = dcTotal.mul(q.forget);
    let daPrev = viaA;
    if (q.variant === 'lecture') dcPrev = dcPrev.add(viaFO);
    else daPrev = daPrev.add(viaFO);
    const g: LstmStepGrads = {
      dWf: q.hFO.transpose().matMul(deltaF), dWu: q.h.transpose().matMul(deltaU),
      dWc: q.h.transpose().matMul(deltaC), dWo: q.hFO.transpose().matMul(deltaO),
      dbf: deltaF.sum(0), dbu: deltaU.sum(0), dbc: deltaC.sum(0), dbo: deltaO.sum(0),
      daPrev: q.carry ? daPrev : tf.zerosLike(daPrev), dcPrev,
    };
    return g;
  };
}

interface LstmQuantities {
  tc: gs.tf.Tensor; dtanh: gs.tf.Tensor; sigO: gs.tf.Tensor; sigU: gs.tf.Tensor; sigF: gs.tf.Tensor;
  dCandidate: gs.tf.Tensor; dcIn: gs.tf.Tensor; cPrevForF: gs.tf.Tensor; h: gs.tf.Tensor; hFO: gs.tf.Tensor;
  variant: 'standard' | 'lecture'; carry: boolean; forget: gs.tf.Tensor;
}

/** The correct RNN step with one change. */
function rnnStep(change: { dgOf?: 'z' | 'a'; order?: 'ax' | 'xa'; carry?: boolean; rows?: 'a' | 'x' }): RnnStepBackward {
  return ({ hidden, aPrev, x, z, a, Wa }, da) => {
    const na = aPrev.shape[1], nx = x.shape[1];
    const dg = gs_dg(hidden);
    const delta = da.mul(dg(change.dgOf === 'a' ? a : z));
    const h = change.order === 'xa' ? tf.concat([x, aPrev], 1) : tf.concat([aPrev, x], 1);
    const WaTop = change.rows === 'x' ? Wa.slice([nx, 0], [na, na]) : Wa.slice([0, 0], [na, na]);
    const daPrev = delta.matMul(WaTop.transpose());
    return { dWa: h.transpose().matMul(delta), dba: delta.sum(0), daPrev: change.carry === false ? tf.zerosLike(daPrev) : daPrev };
  };
}

/** The correct GRU step (src/gru/gru.ts's header) with one mistake planted. */
function gruStep(bug: 'reset' | 'carry' | 'sigmoidU' | 'sigmoidR' | 'tanh'): GruStepBackward {
  return (s, da) => {
    const na = s.aPrev.shape[1];
    const one = tf.scalar(1);
    const top = (W: gs.tf.Tensor2D) => W.slice([0, 0], [na, na]).transpose();
    const sigU = bug === 'sigmoidU' ? s.Gu : s.Gu.mul(one.sub(s.Gu)); // sigmoid' written as Gamma
    const sigR = bug === 'sigmoidR' ? s.Gr : s.Gr.mul(one.sub(s.Gr));
    const dtanh = bug === 'tanh' ? one.sub(s.aTilde) : one.sub(s.aTilde.square()); // tanh' as 1 - a~
    const deltaU = da.mul(s.aTilde.sub(s.aPrev)).mul(sigU);
    const deltaA = da.mul(s.Gu).mul(dtanh);
    const dRa = deltaA.matMul(top(s.Wa));
    const deltaR = dRa.mul(s.aPrev).mul(sigR);
    const h = tf.concat([s.aPrev, s.x], 1), hr = tf.concat([s.Gr.mul(s.aPrev), s.x], 1);
    let daPrev = dRa.mul(bug === 'reset' ? one : s.Gr) // Gamma_r missing on the path through the candidate
      .add(deltaU.matMul(top(s.Wu))).add(deltaR.matMul(top(s.Wr)));
    if (bug !== 'carry') daPrev = daPrev.add(da.mul(one.sub(s.Gu))); // the (1 - Gamma_u) carry forgotten
    return {
      dWu: h.transpose().matMul(deltaU), dWr: h.transpose().matMul(deltaR), dWa: hr.transpose().matMul(deltaA),
      dbu: deltaU.sum(0), dbr: deltaR.sum(0), dba: deltaA.sum(0), daPrev,
    };
  };
}

const GRU_BLOCKS = ['dWu', 'dWr', 'dWa', 'dbu', 'dbr', 'dba'];

function gs_dg(hidden: 'tanh' | 'relu'): (z: gs.tf.Tensor) => gs.tf.Tensor {
  return hidden === 'tanh' ? (z) => tf.scalar(1).sub(tf.tanh(z).square()) : (z) => tf.cast(tf.greater(z, 0), 'float32');
}

export const BPTT_BUGS: BpttBug[] = [
  // --- LSTM: one gate wrong (T = 1 isolates the gate) ---
  {
    name: 'lstm: tanh\'(c) missing in dc (dc += da * Gamma_o)', family: 'lstm', T: 1,
    step: lstmStep((q) => { q.dtanh = tf.scalar(1); }),
    wrong: ['dWf', 'dWu', 'dWc', 'dbf', 'dbu', 'dbc'], right: ['dWo', 'dbo', ...OUT],
  },
  {
    name: 'lstm: the output gate\'s derivative from the forget gate (Gamma_f (1 - Gamma_f))', family: 'lstm', T: 1,
    step: lstmStep((q, s) => { q.sigO = s.Gf.mul(tf.scalar(1).sub(s.Gf)); }),
    wrong: ['dWo', 'dbo'], right: [...except(['dWo', 'dbo']), ...OUT],
  },
  {
    name: 'lstm: the forget gate\'s derivative from c instead of c_prev (dGamma_f = dc * c)', family: 'lstm', T: 1,
    step: lstmStep((q, s) => { q.cPrevForF = s.c; }),
    wrong: ['dWf', 'dbf'], right: [...except(['dWf', 'dbf']), ...OUT],
  },
  {
    name: 'lstm: the candidate\'s tanh\' from c instead of c~ (1 - c^2)', family: 'lstm', T: 1,
    step: lstmStep((q, s) => { q.dCandidate = tf.scalar(1).sub(s.c.square()); }),
    wrong: ['dWc', 'dbc'], right: [...except(['dWc', 'dbc']), ...OUT],
  },
  {
    name: 'lstm: the update gate\'s sigmoid\' from its pre-activation value taken as Gamma_u (sigma\'(Gamma_u))', family: 'lstm', T: 1,
    step: lstmStep((q, s) => { const g = tf.sigmoid(s.Gu); q.sigU = g.mul(tf.scalar(1).sub(g)); }),
    wrong: ['dWu', 'dbu'], right: [...except(['dWu', 'dbu']), ...OUT],
  },
  {
    name: 'lstm: the a-x concatenation order swapped in dW ([x, a_prev]^T delta)', family: 'lstm', T: 1,
    step: lstmStep((q, s) => { q.h = tf.concat([s.x, s.aPrev], 1); q.hFO = q.h; }),
    wrong: ['dWf', 'dWu', 'dWc', 'dWo'], right: ['dbf', 'dbu', 'dbc', 'dbo', ...OUT],
  },
  // --- LSTM: what is carried back through time (invisible at T = 1, so checked at T = 4) ---
  {
    name: 'lstm: the carry dc through time forgotten (dc_total = da * Gamma_o * tanh\'(c))', family: 'lstm', T: 4,
    step: lstmStep((q, s, da) => { q.dcIn = tf.zerosLike(da); }),
    wrong: GATE_BLOCKS, right: OUT,
  },
  {
    name: 'lstm: dc_prev without the forget gate (dc_prev = dc_total)', family: 'lstm', T: 4,
    step: lstmStep((q) => { q.forget = tf.scalar(1); }),
    wrong: GATE_BLOCKS, right: OUT,
  },
  {
    name: 'lstm: da_prev not passed back (only the output\'s da at each step)', family: 'lstm', T: 4,
    options: { outputs: 'every' },
    step: lstmStep((q) => { q.carry = false; }),
    wrong: GATE_BLOCKS, right: OUT,
  },
  {
    name: 'lstm lecture variant: Gamma_f and Gamma_o\'s share sent to da_prev instead of dc_prev', family: 'lstm', T: 4,
    options: { variant: 'lecture' },
    step: lstmStep((q) => { q.variant = 'standard'; }),
    wrong: GATE_BLOCKS, right: OUT,
  },
  // the same carry mistakes are harmless at T = 1: nothing before step 1 has parameters
  {
    name: 'lstm: the carry dc forgotten, at T = 1 (nothing to carry: every block right)', family: 'lstm', T: 1,
    step: lstmStep((q, s, da) => { q.dcIn = tf.zerosLike(da); }),
    wrong: [], right: [...GATE_BLOCKS, ...OUT],
  },
  // --- RNN ---
  {
    name: 'rnn: tanh\' from a instead of z (1 - tanh^2(a))', family: 'rnn', T: 1,
    step: rnnStep({ dgOf: 'a' }),
    wrong: ['dWa', 'dba'], right: OUT,
  },
  {
    name: 'rnn: the a-x concatenation order swapped in dWa', family: 'rnn', T: 1,
    step: rnnStep({ order: 'xa' }),
    wrong: ['dWa'], right: ['dba', ...OUT],
  },
  {
    name: 'rnn: da_prev not carried through time', family: 'rnn', T: 5,
    step: rnnStep({ carry: false }),
    wrong: ['dWa', 'dba'], right: OUT,
  },
  {
    name: 'rnn: da_prev through the x rows of Wa (Wa[nx:nx+na] instead of Wa[:na])', family: 'rnn', T: 5,
    step: rnnStep({ rows: 'x' }),
    wrong: ['dWa', 'dba'], right: OUT,
  },
  {
    name: 'rnn relu: da_prev not carried through time', family: 'rnn', T: 5, options: { hidden: 'relu' },
    step: rnnStep({ carry: false }),
    wrong: ['dWa', 'dba'], right: OUT,
  },
  // --- GRU ---
  {
    name: 'gru: Gamma_r missing from da_prev on the path through the candidate', family: 'gru', T: 5,
    step: gruStep('reset'), wrong: GRU_BLOCKS, right: OUT,
  },
  {
    name: 'gru: the (1 - Gamma_u) carry forgotten in da_prev', family: 'gru', T: 5,
    step: gruStep('carry'), wrong: GRU_BLOCKS, right: OUT,
  },
  {
    name: 'gru: the carry mistakes at T = 1 (nothing to carry: every block right)', family: 'gru', T: 1,
    step: gruStep('carry'), wrong: [], right: [...GRU_BLOCKS, ...OUT],
  },
  {
    name: 'gru: the update gate\'s sigmoid\' written as Gamma_u, T = 1', family: 'gru', T: 1,
    step: gruStep('sigmoidU'), wrong: ['dWu', 'dbu'], right: [...except(['dWu', 'dbu'], GRU_BLOCKS), ...OUT],
  },
  {
    name: 'gru: the reset gate\'s sigmoid\' written as Gamma_r, T = 1', family: 'gru', T: 1,
    step: gruStep('sigmoidR'), wrong: ['dWr', 'dbr'], right: [...except(['dWr', 'dbr'], GRU_BLOCKS), ...OUT],
  },
  {
    name: 'gru: the reset gate\'s sigmoid\' written as Gamma_r, T = 5', family: 'gru', T: 5,
    step: gruStep('sigmoidR'), wrong: GRU_BLOCKS, right: OUT,
  },
  {
    // with a nonzero a^(0) the candidate's delta reaches the reset gate through dhr = delta_a Wa^T
    name: 'gru: tanh\' of the candidate written 1 - a~ (no square), T = 1', family: 'gru', T: 1,
    step: gruStep('tanh'), wrong: ['dWa', 'dba', 'dWr', 'dbr'], right: ['dWu', 'dbu', ...OUT],
  },
  {
    name: 'gru: tanh\' of the candidate written 1 - a~ (no square), T = 5', family: 'gru', T: 5,
    step: gruStep('tanh'), wrong: GRU_BLOCKS, right: OUT,
  },
];
