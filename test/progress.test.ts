import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as gs from '../src/index';
import type { DisplayContent } from '../src/display/tslab';

const { tf } = gs;
before(async () => { await gs.ready(); });

/** A transport like tslab's writer whose socket fails from the `failAt`-th send on (zeromq's EBUSY). */
function flaky(failAt: number) {
  const sent: { content: DisplayContent; update: boolean }[] = [];
  let calls = 0;
  const transport = (content: DisplayContent, update: boolean): void => {
    calls++;
    if (calls >= failAt) throw Object.assign(new Error('Socket is busy writing; only one send operation may be in progress at any time'), { code: 'EBUSY' });
    sent.push({ content, update });
  };
  return { sent, transport, calls: () => calls };
}

describe('gs.progress in tslab when a display cannot be sent', () => {
  it('a failing send ends the indicator, never the work: no throw, no further sends', () => {
    const f = flaky(3);
    const p = gs.progress('sweep', { total: 10, target: 'tslab', transport: f.transport, interval: 0 });
    for (let i = 1; i <= 10; i++) p(i); // the 3rd send throws inside the transport
    p.finish();
    assert.equal(f.calls(), 3);
    assert.equal(f.sent.length, 2);
    assert.deepEqual(f.sent.map((s) => s.update), [false, true]);
    assert.equal(p.target, 'none');
  });

  it('with no live writer at all (first send fails) the indicator stays silent', () => {
    const f = flaky(1);
    const p = gs.progress('x', { total: 2, target: 'tslab', transport: f.transport, interval: 0 });
    p(1); p(2); p.finish();
    assert.equal(f.calls(), 1);
    assert.equal(f.sent.length, 0);
  });

  it('gs.gradCheck with a failing progress display still returns its report; numTensors unchanged', () => {
    const net = gs.mlp({ sizes: [3, 4, 2], hidden: 'tanh', output: 'softmax', seed: 2 });
    const X = tf.randomNormal([6, 3], 0, 1, 'float32', 4) as gs.tf.Tensor2D;
    const Y = tf.tensor1d([0, 1, 0, 1, 1, 0], 'int32');
    const before = tf.memory().numTensors;
    const f = flaky(2);
    const report = gs.gradCheck(net, X, Y, { onProgress: gs.progress('gradCheck', { target: 'tslab', transport: f.transport, interval: 0 }) });
    assert.equal(report.verdict, 'great');
    assert.ok(report.relativeError < 1e-5, `relative error ${report.relativeError}`);
    assert.equal(report.checked, net.size);
    assert.equal(f.calls(), 2);
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([X, Y]);
    net.dispose();
  });
});

describe('kernel robustness', () => {
  it("the wasm backend's Emscripten glue leaves no rethrowing process handlers behind (a stray rejection must not kill a tslab kernel)", () => {
    const info = gs.backendInfo();
    if (info.active !== 'wasm') return; // only the wasm glue adds them
    const glue = (f: unknown) => /throw reason|ExitStatus/.test(String(f));
    assert.equal(process.listeners('unhandledRejection').filter(glue).length, 0);
    assert.equal(process.listeners('uncaughtException').filter(glue).length, 0);
  });
});
