/**
 * The full float64 check of the recurrent families over worker threads (core/workers.ts): the
 * entries the workers compute are the main thread's, bit for bit (the same float64 operations on the
 * same numbers, rebuilt from plain data), a planted error is still located, a worker's failure is a
 * GradscopeError, and the tensor count is unchanged.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as gs from '../src/index';
import { lastShare, shareWork, startWorkers, stopWorkers, tuning } from '../src/core/workers';
import { ENTRIES_MODULE } from '../src/recurrent/entries64';
import { data } from './recurrent.helpers';

const { tf } = gs;
before(async () => {
  await gs.ready();
  tuning.minParallelMs = 0; tuning.probeMs = 0;
  // the threads started and the families' modules loaded before any timing race
  await startWorkers([ENTRIES_MODULE, ...['rnn', 'lstm', 'gru'].map((f) => require.resolve(`../src/${f}/delta64`))], 2);
});
after(async () => { tuning.minParallelMs = 50; tuning.probeMs = 10; delete process.env.GRADSCOPE_THREADS; await stopWorkers(); });

const nets: [string, () => gs.Rnn | gs.Lstm | gs.Gru][] = [
  ['rnn relu', () => gs.rnn({ nx: 3, na: 24, ny: 1, hidden: 'relu', seed: 2 })],
  ['lstm lecture', () => gs.lstm({ nx: 3, na: 12, ny: 1, variant: 'lecture', seed: 4 })],
  ['gru every softmax', () => gs.gru({ nx: 3, na: 12, ny: 3, output: 'softmax', outputs: 'every', seed: 6 })],
];

/** The entries of one full float64 check on `threads` threads. */
function entries(net: gs.Rnn | gs.Lstm | gs.Gru, X: gs.tf.Tensor, Y: gs.tf.Tensor, threads: number) {
  process.env.GRADSCOPE_THREADS = String(threads);
  const paths = net.exactPaths(X, Y, { seed: 0, precision: 'float64', autograd: false, notes: [] })!;
  try {
    let last = 0;
    const r = paths.entries(undefined, 1e-7, (done) => { last = Math.max(last, done); });
    return { ...r, byWorkers: lastShare.byWorkers, last, mag: Float64Array.from(paths.magnitudes()) };
  } finally {
    paths.dispose();
  }
}

describe('full float64 check over worker threads', () => {
  for (const [name, make] of nets) {
    it(`${name}: the workers' entries equal the main thread's bit for bit, progress reaches the end`, () => {
      const net = make();
      const { X, Y } = data(8, 20, net.spec.nx, net.spec.ny, net.spec.output as 'sigmoid', net.spec.outputs, 11);
      const n0 = tf.memory().numTensors;
      const one = entries(net, X, Y, 1), three = entries(net, X, Y, 3);
      assert.equal(one.byWorkers, 0);
      assert.ok(three.byWorkers > 0, 'the worker threads took entries');
      assert.equal(three.last, net.size);
      for (let k = 0; k < net.size; k++) {
        assert.ok(Object.is(one.values[k], three.values[k]) && Object.is(one.scale[k], three.scale[k]) && one.kinks[k] === three.kinks[k] && Object.is(one.mag[k], three.mag[k]), `entry ${k}`);
      }
      assert.equal(tf.memory().numTensors, n0);
      net.dispose(); tf.dispose([X, Y]);
    });
  }

  it('a planted error in one entry is located when the workers compute the entries', () => {
    const net = gs.lstm({ nx: 3, na: 8, ny: 1, seed: 3 });
    const { X, Y } = data(8, 20, 3, 1, 'sigmoid', 'last', 12);
    process.env.GRADSCOPE_THREADS = '3';
    const n0 = tf.memory().numTensors;
    const backward = (model: gs.Lstm, cache: gs.LstmCache, y: gs.tf.Tensor): gs.Grads => {
      const g = model.backward(cache, y);
      const plant = tf.tidy(() => g.dWc.add(tf.oneHot([4 * 8 + 2], g.dWc.size).reshape(g.dWc.shape).mul(1e-3)));
      g.dWc.dispose();
      return { ...g, dWc: plant };
    };
    const r = gs.gradCheck(net, X, Y, { backward, progress: false });
    assert.ok(lastShare.byWorkers > 0);
    assert.equal(r.verdict, 'wrong');
    assert.deepEqual(r.blocks.filter((b) => b.verdict === 'wrong').map((b) => b.name), ['dWc']);
    assert.equal(r.worst[0].block, 'dWc');
    assert.deepEqual(r.worst[0].index, [4, 2]);
    assert.equal(tf.memory().numTensors, n0);
    net.dispose(); tf.dispose([X, Y]);
  });

  it("a worker's failure is a GradscopeError naming it", () => {
    process.env.GRADSCOPE_THREADS = '2';
    const n = 400;
    const out = [new SharedArrayBuffer(8 * n), new SharedArrayBuffer(8 * n), new SharedArrayBuffer(n)];
    const job = () => ({ module: ENTRIES_MODULE, fn: 'entryWorker', out, data: { cell: { module: ENTRIES_MODULE, name: 'noSuchCell' } } });
    const slow = (): void => { const t = performance.now(); while (performance.now() - t < 1) { /* 1 ms of work per item */ } };
    assert.throws(() => shareWork(n, slow, job, () => undefined), (e: Error) => e instanceof gs.GradscopeError && /worker thread of the float64 check failed/.test(e.message));
  });

  it('GRADSCOPE_THREADS must be a whole number >= 1', () => {
    process.env.GRADSCOPE_THREADS = 'many';
    assert.throws(() => shareWork(1, () => undefined, () => { throw new Error('unused'); }, () => undefined), /invalid GRADSCOPE_THREADS: "many"/);
  });

  it('a kernel interrupt (SIGINT under breakOnSigint) stops the check, and the worker threads stop soon after', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'workers-interrupt.script.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const done = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.stdout.on('data', (d: Buffer) => {
      out += d;
      if (d.toString().includes('started')) setTimeout(() => child.kill('SIGINT'), 300);
    });
    await done;
    const r = JSON.parse(out.trim().split('\n').pop()!) as { interrupted: boolean; shared: boolean; doneAfter: number };
    assert.equal(r.interrupted, true, out);
    assert.equal(r.shared, true, 'the check was shared with a worker thread');
    assert.equal(r.doneAfter, 0, `the workers still finished ${r.doneAfter} entries in a second, 2.5 s after the interrupt`);
  });
});
