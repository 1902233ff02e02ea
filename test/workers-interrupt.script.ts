/**
 * Run by test/workers.test.ts in a child process: a long full float64 check on two threads inside
 * vm's breakOnSigint (how a notebook kernel runs a cell); the parent sends SIGINT. Prints
 * { interrupted, shared, doneAfter }: the entries the workers still finished in a second, 2.5 s after the interrupt.
 */
import * as vm from 'node:vm';
import * as gs from '../src/index';
import { lastShare } from '../src/core/workers';
import { CTRL } from '../src/core/shared';

const { tf } = gs;
gs.ready().then(async () => {
  process.env.GRADSCOPE_THREADS = '2';
  process.env.GRADSCOPE_MAX_WORK = '1e13'; // above the default budget, which refuses this check up front
  const g = globalThis as Record<string, unknown>;
  g.gs = gs;
  g.net = gs.lstm({ nx: 8, na: 32, ny: 1, seed: 1 });
  g.X = tf.randomNormal([32, 40, 8], 0, 1, 'float32', 1); // a full check of many seconds even on a fast machine
  g.Y = tf.tidy(() => tf.randomUniform([32, 1], 0, 1, 'float32', 2).round());
  let interrupted = false;
  let first = 0, said = false;
  // 'started' once the check has run 2 s: the worker thread is loaded and sharing the entries by then
  g.tick = () => { const now = Date.now(); if (!first) first = now; if (!said && now - first > 2000) { said = true; process.stdout.write('started\n'); } };
  try {
    vm.runInThisContext('gs.gradCheck(net, X, Y, { onProgress: tick })', { breakOnSigint: true });
  } catch (e) {
    interrupted = /interrupted/.test((e as Error).message);
  }
  await new Promise((r) => setTimeout(r, 2500)); // the workers see the main thread stop beating (2 s)
  const done = (): number => (lastShare.ctrl ? Atomics.load(lastShare.ctrl, CTRL.done) : -1);
  const d0 = done();
  await new Promise((r) => setTimeout(r, 1000));
  process.stdout.write(JSON.stringify({ interrupted, shared: !!lastShare.ctrl, n: d0, doneAfter: done() - d0 }) + '\n');
});
