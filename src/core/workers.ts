/**
 * Long float64 work over every core: n independent items (a full check's entries) shared between the
 * main thread and a pool of worker threads (core/worker.ts), which take chunks from one shared counter
 * and write into shared buffers. The call stays synchronous: the main thread works too, then waits on
 * the counters (Atomics.wait, 20 ms at a time: progress ticks and a kernel interrupt get through).
 * Work estimated under `tuning.minParallelMs` (50 ms) stays on the main thread. The workers run no tf: each
 * rebuilds its work from plain numbers (`require(job.module)[job.fn](job.data, job.out)`).
 *
 * Threads: `GRADSCOPE_THREADS` (1 = the main thread only), else os.availableParallelism().
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'worker_threads';
import { GradscopeError } from './errors';
import { CTRL, type Job } from './shared';

/** Work estimated under `minParallelMs` stays on the main thread, decided after `probeMs` of it (a worker's start and copy cost ~1 ms each, their first load 0.2-0.5 s); tests lower it. */
export const tuning = { minParallelMs: 50, probeMs: 10 };
/** Items per chunk: about this many ms of work. */
const CHUNK_MS = 4;
/** No progress for this long while waiting: the workers are called stuck. */
const STUCK_MS = 120_000;

let pool: Worker[] = [];
/** The last shareWork call: threads it could use and items the worker threads did (tests, benches). */
export const lastShare: { threads: number; byWorkers: number; ctrl?: Int32Array } = { threads: 1, byWorkers: 0 };

/** Threads a check may use, the main thread's included: GRADSCOPE_THREADS, else the available cores. */
export function threadCount(): number {
  const env = process.env.GRADSCOPE_THREADS;
  if (env !== undefined && env !== '') {
    const n = Number(env);
    if (!Number.isInteger(n) || n < 1) throw new GradscopeError('GRADSCOPE_THREADS', `invalid GRADSCOPE_THREADS: ${JSON.stringify(env)} (expected a whole number >= 1: the threads a full check may use, 1 = the main thread only)`);
    return n;
  }
  if ((process.versions as Record<string, string | undefined>).deno) return 1; // Deno's kernel: no node worker pool
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

/** The worker's entry: the compiled worker.js, or under tsx (tests, benches) worker.ts with tsx registered in the thread. */
function bootstrap(): string {
  const js = path.join(__dirname, 'worker.js');
  if (fs.existsSync(js)) return `require(${JSON.stringify(js)})`;
  return `require(${JSON.stringify(require.resolve('tsx/cjs/api'))}).register(); require(${JSON.stringify(path.join(__dirname, 'worker.ts'))})`;
}

/** `n` workers, started once and kept (unref'd: they never keep a process alive). */
function workers(n: number): Worker[] {
  while (pool.length < n) {
    const w = new Worker(bootstrap(), { eval: true });
    w.unref();
    const drop = (): void => { pool = pool.filter((x) => x !== w); };
    w.on('error', drop); // a crashed worker leaves the pool (its job is then reported stuck)
    w.on('exit', drop);
    pool.push(w);
  }
  return pool.slice(0, n);
}

/**
 * Starts the pool's threads now (else the first long check does) and loads `modules` in each;
 * resolves when they are ready.
 *
 * @example
 * ```ts
 * await startWorkers([ENTRIES_MODULE]);
 * ```
 */
export function startWorkers(modules: string[] = [], n = threadCount() - 1): Promise<void> {
  return Promise.all(workers(n).map((w) => new Promise<void>((resolve, reject) => {
    w.once('message', () => resolve());
    w.once('error', reject);
    w.postMessage({ preload: modules });
  }))).then(() => undefined);
}

/** Stops the pool's threads (tests; a later check starts new ones). */
export function stopWorkers(): Promise<number[]> {
  const all = pool;
  pool = [];
  return Promise.all(all.map((w) => w.terminate()));
}

/**
 * Runs own(k) for k = 0..n-1, on the main thread alone when the work is small, else shared with the
 * worker threads (each doing `job`'s work(k) into the same shared buffers); tick(done) as it goes.
 *
 * @example
 * ```ts
 * const out = new Float64Array(new SharedArrayBuffer(8 * n));
 * shareWork(n, (k) => { out[k] = f(k); }, () => ({ module: __filename, fn: 'fWorker', data: {}, out: [out.buffer as SharedArrayBuffer] }), () => {});
 * ```
 */
export function shareWork(n: number, own: (k: number) => void, job: () => Omit<Job, 'n' | 'chunk'>, tick: (done: number) => void): void {
  const threads = threadCount();
  lastShare.threads = threads; lastShare.byWorkers = 0;
  const t0 = performance.now();
  let k = 0;
  while (k < n && (threads < 2 || k === 0 || performance.now() - t0 < tuning.probeMs)) { own(k++); tick(k); }
  const per = (performance.now() - t0) / k;
  if (k < n && per * (n - k) < tuning.minParallelMs) while (k < n) { own(k++); tick(k); }
  if (k >= n) return;
  const chunk = Math.max(1, Math.min(Math.round(CHUNK_MS / Math.max(per, 1e-6)), Math.ceil((n - k) / (4 * threads))));
  const ctrl = new Int32Array(new SharedArrayBuffer(4 * 5));
  ctrl[CTRL.next] = k; ctrl[CTRL.done] = k;
  lastShare.ctrl = ctrl;
  let mine = k;
  const beat = new Float64Array(new SharedArrayBuffer(8));
  beat[0] = Date.now();
  let ports: MessagePort[] = [];
  try {
    const full = { ...job(), n, chunk };
    ports = workers(threads - 1).map((w) => {
      const { port1, port2 } = new MessageChannel();
      w.postMessage({ job: full, ctrl, beat, port: port2 }, [port2]);
      return port1;
    });
    for (;;) {
      if (Atomics.load(ctrl, CTRL.failed)) { Atomics.store(ctrl, CTRL.next, n); break; }
      const k0 = Atomics.add(ctrl, CTRL.next, chunk);
      if (k0 >= n) break;
      const k1 = Math.min(n, k0 + chunk);
      for (let q = k0; q < k1; q++) own(q);
      mine += k1 - k0;
      beat[0] = Date.now();
      tick(Atomics.add(ctrl, CTRL.done, k1 - k0) + k1 - k0);
    }
    Atomics.store(ctrl, CTRL.closed, 1); // workers that join from now on leave at once
    let last = -1, since = Date.now();
    for (;;) {
      const active = Atomics.load(ctrl, CTRL.active);
      if (active === 0) break;
      Atomics.wait(ctrl, CTRL.active, active, 20);
      beat[0] = Date.now();
      const done = Atomics.load(ctrl, CTRL.done);
      tick(done);
      if (done !== last) { last = done; since = Date.now(); } else if (Date.now() - since > STUCK_MS) {
        void stopWorkers();
        throw new GradscopeError('worker threads', `worker threads of the float64 check stopped answering (${done} of ${n} entries done, nothing for ${STUCK_MS / 1000} s); GRADSCOPE_THREADS=1 keeps the check on the main thread`);
      }
    }
    lastShare.byWorkers = n - mine;
    if (Atomics.load(ctrl, CTRL.failed)) {
      const why = ports.map((p) => receiveMessageOnPort(p)?.message as string | undefined).find((m) => m !== undefined);
      throw new GradscopeError('worker threads', `a worker thread of the float64 check failed: ${why ?? 'no message'} (GRADSCOPE_THREADS=1 keeps the check on the main thread)`);
    }
  } finally {
    Atomics.store(ctrl, CTRL.next, n); // an interrupted or failed job: the workers stop taking chunks
    for (const p of ports) p.close();
  }
}
