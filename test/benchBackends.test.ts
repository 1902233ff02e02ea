import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as gs from '../src/index';
import { keptTensorflowRun, timeBackends, type BackendTiming } from '../bench/backends';

const { tf } = gs;

describe('bench (d): the three backends in one run', () => {
  it('times every available backend on the same net, says why one is missing, and puts tf back as it was', () => {
    const before = { backend: tf.getBackend(), tensors: tf.memory().numTensors };
    const rows = timeBackends([{ label: 'tiny', sizes: [3, 4, 2], m: 5 }], { warmup: 0.2, timing: 0.1 });
    assert.deepEqual(rows.map((r) => r.backend), ['tensorflow', 'wasm', 'cpu']);
    for (const r of rows.filter((x) => x.backend !== 'tensorflow')) {
      assert.ok(r.ms! > 0 && r.runs! >= 5 && r.warmup! >= 5, `${r.backend}: ${JSON.stringify(r)}`);
      assert.ok(r.blocks!.length >= 1);
    }
    const native = rows[0];
    if (gs.backendInfo().chosen === 'tensorflow') assert.ok(native.ms! > 0);
    else assert.match(native.note!, /^not available: /);
    assert.equal(tf.getBackend(), before.backend);
    assert.equal(tf.memory().numTensors, before.tensors);
  });

  const withTf = `## (d) One forward + backward per backend

Recorded after npm run native.

| net | tensorflow | wasm | cpu | time wasm / tensorflow | time cpu / tensorflow |
|---|---|---|---|---|---|
| small: [64, 64, 64, 10], batch 64 | 1.16 ms (100) | 0.388 ms (100) | 4.83 ms (100) | **0.334x** | **4.16x** |
| large: [784, 512, 512, 10], batch 256 | 9.00 ms (100) | 30.5 ms (99) | 865 ms (5) | **3.39x** | **96.2x** |`;
  const noTf: BackendTiming[] = [{ backend: 'tensorflow', label: 'small', note: 'not available: x' }, { backend: 'wasm', label: 'small', ms: 0.4 }];

  it('a run without tfjs-node keeps the last recorded tensorflow table, once, and carries it on', () => {
    const kept = keptTensorflowRun(noTf, withTf)!;
    assert.match(kept, /^### The last recorded run with tensorflow\n/);
    assert.ok(kept.includes('| small: [64, 64, 64, 10], batch 64 | 1.16 ms (100) |'));
    assert.ok(!kept.includes('## (d)'), 'the section heading is not copied');
    // the next run without tfjs-node finds the kept part and carries exactly that on
    const next = `## (d) One forward + backward per backend\n\n| small: [64, 64, 64, 10], batch 64 | not available | 0.4 ms (100) | 5 ms (100) | - | - |\n\n${kept}`;
    assert.equal(keptTensorflowRun(noTf, next), kept);
  });

  it('keeps nothing when this run has tensorflow figures, or the file has none', () => {
    assert.equal(keptTensorflowRun([{ backend: 'tensorflow', label: 'small', ms: 1.2 }], withTf), undefined);
    assert.equal(keptTensorflowRun(noTf, undefined), undefined);
    assert.equal(keptTensorflowRun(noTf, '## (d) One forward + backward per backend\n\n| small: [64, 64, 64, 10], batch 64 | not available | 0.4 ms (100) | 5 ms (100) | - | - |'), undefined);
  });
});
