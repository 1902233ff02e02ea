import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as gs from '../src/index';
import { BUGS, backwardWith, bugCase } from './bugs';

const { tf } = gs;
before(async () => { await gs.ready(); });

const MODES: { label: string; options: gs.GradCheckOptions }[] = [
  { label: 'float64 full', options: {} },
  { label: 'float32 full', options: { precision: 'float32' } },
  { label: 'float64 sparse', options: { mode: 'sparse', samples: 5 } },
  { label: 'float64 directional', options: { mode: 'directional' } },
  { label: 'float32 directional', options: { precision: 'float32', mode: 'directional' } },
];

describe('the bug catalogue', () => {
  it('has at least 8 bugs, and its bug-free backward passes on every catalogue net', () => {
    assert.ok(BUGS.length >= 8);
    for (const bug of BUGS) {
      const { net, X, Y } = bugCase(bug, 6, 3);
      const r = gs.gradCheck(net, X, Y, { backward: backwardWith() });
      assert.equal(r.verdict, 'great', `${bug.name} net, no bug\n${r}`);
      net.dispose(); tf.dispose([X, Y]);
    }
  });

  for (const bug of BUGS) {
    it(`${bug.name}: wrong in every mode and precision, the worst block is a faulty one, the others pass`, () => {
      const { net, X, Y } = bugCase(bug, 6, 3);
      for (const { label, options } of MODES) {
        const r = gs.gradCheck(net, X, Y, { backward: bug.backward, ...options });
        assert.equal(r.verdict, 'wrong', `${bug.name}, ${label}\n${r}`);
        const worst = [...r.blocks].sort((a, b) => b.relativeError - a.relativeError)[0];
        assert.ok(bug.faulty.includes(worst.name), `${bug.name}, ${label}: worst block ${worst.name}\n${r}`);
        for (const b of r.blocks) {
          if (!bug.faulty.includes(b.name)) assert.ok(b.verdict === 'great' || b.verdict === 'ok', `${bug.name}, ${label}: ${b.name} is ${b.verdict}\n${r}`);
        }
        if (!label.includes('directional')) assert.ok(bug.faulty.includes(r.worst[0].block), `${bug.name}, ${label}: worst entry in ${r.worst[0].block}`);
        else {
          // a failed directional check is confirmed entry by entry, and then names entries
          assert.ok(r.notes.some((n) => n.includes('confirmed on')), `${bug.name}, ${label}\n${r}`);
          assert.ok(r.worst.length > 0 && bug.faulty.includes(r.worst[0].block));
        }
      }
      net.dispose(); tf.dispose([X, Y]);
    });
  }
});
