/**
 * The one Deno-specific module: display messages through Deno's Jupyter kernel (`deno jupyter`).
 *
 * What Deno 2.9 does (cli/js/40_jupyter.js, cli/js/jupyter_kernel.js, cli/ops/jupyter.rs):
 * - `Deno.jupyter` exists only inside the kernel; elsewhere reading it throws.
 * - `Deno.jupyter.broadcast(type, content, { metadata })` is synchronous: it puts the message on a
 *   channel that the kernel's own thread publishes on iopub in order (stdout and stderr go through
 *   the same channel). Its `metadata` option is the message header's metadata, not the display's:
 *   a PNG's width and height go in `content.metadata`. (Before Deno 2.8.2 it returned a promise.)
 * - A cell runs on another thread than the kernel's I/O, so messages sent while a synchronous call
 *   runs reach the front end at once: progress updates in place, as under tslab.
 * - That thread publishes the queue while the kernel answers the cell, and Deno 2.9.6 does not wait
 *   for it: a message sent just before a cell ends was published after the cell's `idle` 10-15% of
 *   the time (a cell's execute_result up to a third of the time), which nbclient (nbconvert) drops,
 *   as does JupyterLab's request future once it has the reply and the idle. {@link settle} pauses
 *   20 ms after gradscope's messages so they go out first: none was lost in 400 cells of charts and
 *   reports run through nbconvert.
 * - The execute_result is `{ data: await value[Symbol.for('Jupyter.display')](), metadata: {} }`:
 *   the method may return a promise, and the display metadata is dropped (see hook.ts).
 */
import type { DisplayContent } from './tslab';

interface DenoJupyter {
  broadcast(type: string, content: object, options?: { metadata?: object }): unknown;
}

/** `Deno.jupyter` of a running `deno jupyter` kernel, else undefined. */
export function denoJupyter(): DenoJupyter | undefined {
  try {
    const j = (globalThis as { Deno?: { jupyter?: DenoJupyter } }).Deno?.jupyter; // a getter that throws outside the kernel
    return j && typeof j.broadcast === 'function' ? j : undefined;
  } catch {
    return undefined;
  }
}

/** True inside Deno's Jupyter kernel. */
export const inDeno = (): boolean => denoJupyter() !== undefined;

/** The last message still being sent when broadcast returns promises (Deno before 2.8.2): the next waits for it. */
let pending: Promise<unknown> | undefined;

/** Sends one display message (with `update`: an update of `content.transient.display_id`), in order. */
export function denoSend(content: DisplayContent, update = false): void {
  const j = denoJupyter();
  if (!j) throw new Error("Deno's Jupyter kernel is not running");
  const type = update ? 'update_display_data' : 'display_data';
  const message = { data: content.data, metadata: content.metadata, transient: content.transient ?? {} };
  const go = (): unknown => j.broadcast(type, message);
  const sent = pending ? pending.then(go) : go();
  if (sent && typeof (sent as Promise<unknown>).then === 'function') {
    const p: Promise<unknown> = (sent as Promise<unknown>).then(() => undefined, () => undefined);
    pending = p;
    void p.then(() => { if (pending === p) pending = undefined; });
  }
}

/** How long {@link settle} pauses (ms). */
export const SETTLE_MS = 20;
const nap = typeof SharedArrayBuffer === 'function' ? new Int32Array(new SharedArrayBuffer(4)) : undefined;

/**
 * Gives Deno's kernel thread time to publish what was sent before the cell can end: a synchronous
 * pause of {@link SETTLE_MS} (the cell's thread sleeps; the kernel's does not). Returns the
 * promise of a send still pending on a Deno whose broadcast was asynchronous.
 */
export function settle(): Promise<unknown> | undefined {
  if (nap) Atomics.wait(nap, 0, 0, SETTLE_MS);
  return pending;
}
