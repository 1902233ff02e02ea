/** What core/workers.ts (the main thread) and core/worker.ts (a worker thread) share: a job's shape and its counters. */

/** Positions in a job's shared Int32Array of counters. */
export const CTRL = {
  /** The next item not yet taken (taken in chunks by atomic add). */
  next: 0,
  /** Items finished (progress). */
  done: 1,
  /** Workers inside the job (the main thread waits until 0). */
  active: 2,
  /** 1 once the main thread has stopped waiting for late workers. */
  closed: 3,
  /** 1 when a worker threw (its message comes on the job's port). */
  failed: 4,
} as const;

/** A worker abandons a job when the main thread has not beaten for this long (an interrupted check). */
export const STALE_MS = 2000;

/** One job: n items, item k by `require(module)[fn](data, out)(k)`, chunk items at a time. */
export interface Job {
  module: string;
  fn: string;
  /** Plain data (structured clone): what the worker rebuilds its work from. */
  data: unknown;
  /** The shared output buffers. */
  out: SharedArrayBuffer[];
  n: number;
  chunk: number;
}
