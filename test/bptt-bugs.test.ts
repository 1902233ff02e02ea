/**
 * Every planted BPTT mistake of test/bptt-bugs.ts is flagged against the float64 central
 * differences in exactly the blocks it corrupts, and the same check passes the correct step.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as gs from '../src/index';
import { BPTT_BUGS } from './bptt-bugs';
import { data, threeWay } from './recurrent.helpers';

const { tf } = gs;

before(async () => { await gs.ready(); });

const WRONG = 1e-3, RIGHT = 1e-5;

const FAMILIES = { rnn: gs.rnn, lstm: gs.lstm, gru: gs.gru } as const;

function setup(family: keyof typeof FAMILIES, T: number, options: Record<string, unknown> = {}) {
  const base = { nx: 3, na: 4, ny: 1, seed: 3, ...options };
  const net = (FAMILIES[family] as (o: typeof base) => gs.Rnn | gs.Lstm | gs.Gru)(base);
  const outputs = (options.outputs as 'last' | 'every') ?? 'last';
  const { X, Y } = data(3, T, 3, 1, 'sigmoid', outputs, 20 + T);
  // a nonzero initial state, so that every gate has something to act on at t = 1
  const state = { a0: tf.randomNormal([3, 4], 0, 0.5, 'float32', 5), ...(family === 'lstm' ? { c0: tf.randomNormal([3, 4], 0, 1, 'float32', 6) } : {}) };
  const free = () => { tf.dispose([X, Y, ...Object.values(state)]); net.dispose(); };
  return { net, X, Y, state, free };
}

describe('planted BPTT mistakes are flagged in the faulty blocks', () => {
  for (const bug of BPTT_BUGS) {
    it(bug.name, () => {
      const before = tf.memory().numTensors;
      const { net, X, Y, state, free } = setup(bug.family, bug.T, bug.options);
      const r = threeWay(net as never, X, Y, { step: bug.step, state });
      const flagged = Object.entries(r.blocks).filter(([, e]) => e > WRONG).map(([b]) => b).sort();
      for (const b of bug.wrong) assert.ok(r.blocks[b] > WRONG, `${b} should be flagged: relative error ${r.blocks[b]}`);
      for (const b of bug.right) assert.ok(r.blocks[b] < RIGHT, `${b} should pass: relative error ${r.blocks[b]}`);
      assert.deepEqual(flagged, [...bug.wrong].sort());
      // autograd agrees with the numbers in every block: the mistake is the step's, not the harness's
      for (const [b, e] of Object.entries(r.autoBlocks)) assert.ok(e < RIGHT, `autograd ${b}: ${e}`);
      free();
      assert.equal(tf.memory().numTensors, before);
    });
  }

  for (const [family, T] of [['rnn', 5], ['lstm', 4], ['lstm', 1], ['gru', 5], ['gru', 1]] as const) {
    it(`the correct ${family} step passes the same check at T = ${T} (every block < ${RIGHT})`, () => {
      const { net, X, Y, state, free } = setup(family, T);
      const r = threeWay(net as never, X, Y, { state });
      for (const [b, e] of Object.entries(r.blocks)) assert.ok(e < RIGHT, `${b}: ${e}`);
      free();
    });
  }

  it('the catalogue covers the mistakes the issue names', () => {
    const names = BPTT_BUGS.map((b) => b.name).join('\n');
    for (const kind of [/carry dc through time forgotten/, /tanh'\(c\) missing/, /derivative from/, /concatenation order swapped/, /Gamma_r missing from da_prev/, /\(1 - Gamma_u\) carry forgotten/]) assert.match(names, kind);
    for (const family of Object.keys(FAMILIES)) assert.ok(BPTT_BUGS.filter((b) => b.family === family).length >= 5, family);
  });
});
