/**
 * A worker thread of core/workers.ts: for each job it loads `module`'s `fn` (no tf: plain numbers),
 * which returns work(k) writing item k into shared buffers, then takes chunks of items from the
 * shared counter until none are left, or until the main thread stops beating (an interrupted check).
 */
import { parentPort, type MessagePort } from 'worker_threads';
import { CTRL, STALE_MS, type Job } from './shared';

parentPort?.on('message', ({ job, ctrl, beat, port, preload }: { job: Job; ctrl: Int32Array; beat: Float64Array; port: MessagePort; preload?: string[] }) => {
  if (preload) { // core/workers.ts's startWorkers: load the modules now, say when done
    for (const m of preload) require(m);
    parentPort!.postMessage('ready');
    return;
  }
  Atomics.add(ctrl, CTRL.active, 1);
  try {
    if (Atomics.load(ctrl, CTRL.closed)) return; // the main thread finished without us
    const work = (require(job.module) as Record<string, (data: unknown, out: SharedArrayBuffer[]) => (k: number) => void>)[job.fn](job.data, job.out);
    for (;;) {
      if (Date.now() - beat[0] > STALE_MS) return;
      const k0 = Atomics.add(ctrl, CTRL.next, job.chunk);
      if (k0 >= job.n) return;
      const k1 = Math.min(job.n, k0 + job.chunk);
      for (let k = k0; k < k1; k++) work(k);
      Atomics.add(ctrl, CTRL.done, k1 - k0);
    }
  } catch (e) {
    port.postMessage(e instanceof Error ? e.message : String(e));
    Atomics.store(ctrl, CTRL.failed, 1);
  } finally {
    port.close();
    Atomics.sub(ctrl, CTRL.active, 1);
    Atomics.notify(ctrl, CTRL.active);
  }
});
