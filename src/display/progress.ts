/**
 * Progress of long work (sweeps, training, gradient checks): a display that overwrites itself
 * inside tslab or Deno's kernel (display_data with a display_id, then update_display_data), a bar
 * on stderr in a terminal, nothing when stderr is not a TTY (CI logs, pipes, test runners).
 */
import { randomBytes } from 'crypto';
import { invalid, knownKeys, number } from '../core/errors';
import { escapeHtml } from './table';
import { duration } from '../core/limits';
import { inTslab, transport, type Transport } from './tslab';
import { denoSend, inDeno, settle } from './deno';

/** A progress callback: call with (done, total) or ({ done, total }); `.finish()` ends the display. */
export interface Progress {
  (done: number | { done: number; total?: number; message?: string; phase?: string }, total?: number, message?: string): void;
  /** Marks the work finished (draws 100% / ends the terminal line). Safe to call twice. */
  finish(message?: string): void;
  /** Where it draws: 'tslab', 'deno' (Deno's kernel), 'tty' or 'none' ('none' also after a notebook update could not be sent). */
  readonly target: 'tslab' | 'deno' | 'tty' | 'none';
}

/** Options of {@link progress}. */
export interface ProgressOptions {
  /** Total steps when known up front (a call's `total` overrides it). */
  total?: number;
  /** Force a target instead of detecting it (tests). */
  target?: 'tslab' | 'deno' | 'tty' | 'none';
  /** Stream for the 'tty' target. Default process.stderr. */
  stream?: {
    /** Writes one redraw of the line (it starts with a carriage return, so it overwrites the last). */
    write(s: string): unknown;
    /** The terminal's width (a TTY stream has it); accepted, not used: the bar is 30 characters. */
    columns?: number;
  };
  /**
   * Transport for the 'tslab' and 'deno' targets (tests); default the live kernel's.
   *
   * @internal
   */
  transport?: Transport;
  /** Minimum milliseconds between redraws (the last step always draws). Default 100. */
  interval?: number;
  /** Milliseconds of work before the indicator first appears; work that ends sooner shows nothing. Default 0. */
  delay?: number;
}

const BAR = 30;

function bar(fraction: number, width = BAR): string {
  const full = Math.round(Math.max(0, Math.min(1, fraction)) * width);
  return '#'.repeat(full) + '.'.repeat(width - full);
}

/**
 * A progress indicator for long work, also usable as any `onProgress(done, total)` callback
 * (gs.gradCheck's, gs.depthSweep's, gs.train's). Draws in place inside tslab and Deno's kernel
 * (whose cells run on another thread than its I/O, so updates arrive while a synchronous call
 * runs), on stderr in a terminal, and nowhere otherwise.
 *
 * @example
 * ```ts
 * const p = gs.progress('sweep', { total: 4 });
 * for (let i = 1; i <= 4; i++) { work(); p(i); }
 * p.finish();
 * gs.gradCheck(net, X, Y, { onProgress: gs.progress('gradCheck') });
 * ```
 */
export function progress(label = 'working', options: ProgressOptions = {}): Progress {
  if (typeof label !== 'string') throw invalid('label', label, 'a string');
  knownKeys('options', options, ['total', 'target', 'stream', 'transport', 'interval', 'delay']);
  if (options.total !== undefined) number('options.total', options.total, { min: 0 });
  if (options.interval !== undefined) number('options.interval', options.interval, { min: 0 });
  if (options.delay !== undefined) number('options.delay', options.delay, { min: 0 });
  if (options.target !== undefined && !['tslab', 'deno', 'tty', 'none'].includes(options.target)) throw invalid('options.target', options.target, 'one of tslab, deno, tty, none');
  let target: Progress['target'] = options.target ?? (inTslab() ? 'tslab' : inDeno() ? 'deno' : process.stderr && process.stderr.isTTY ? 'tty' : 'none');
  const stream = options.stream ?? process.stderr;
  const interval = options.interval ?? 100;
  const delay = options.delay ?? 0;
  let drawn = false;
  let total = options.total;
  let last = -Infinity;
  let finished = false;
  let sent = false;
  const id = randomBytes(8).toString('hex');
  const started = Date.now();
  let send: Transport | undefined;

  const line = (done: number, message?: string): string => {
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    const frac = total ? done / total : NaN;
    const count = total ? `${done}/${total}` : `${done}`;
    const pct = total ? ` ${Math.round(frac * 100)}%`.padStart(5) : '';
    const elapsed = (Date.now() - started) / 1000;
    // the time left at the pace so far, once there is a pace to go by (a second of work and a step done)
    const left = total && done > 0 && done < total && elapsed >= 1 ? `, about ${duration((elapsed * (total - done)) / done)} left` : '';
    return `${label} [${total ? bar(frac) : bar(0).replace(/\./g, ' ')}]${pct} ${count} ${secs}s${left}${message ? ' ' + message : ''}`;
  };

  const draw = (done: number, message: string | undefined, force: boolean): void => {
    const now = Date.now();
    if (!force && now - last < interval) return;
    if (!drawn && now - started < delay) return; // short work shows nothing
    last = now;
    drawn = true;
    if (target === 'tty') {
      stream.write(`\r${line(done, message)}\x1b[K`);
    } else if (target === 'tslab' || target === 'deno') {
      const frac = total ? done / total : 0;
      const html = `<div style="font-family:monospace">${escapeHtml(label)} <progress value="${frac}" max="1" style="width:20em"></progress> ` +
        `${escapeHtml(line(done, message).slice(label.length + BAR + 3))}</div>`;
      try {
        send = send ?? options.transport ?? (target === 'deno' ? denoSend : transport());
        send({ data: { 'text/plain': line(done, message), 'text/html': html }, metadata: {}, transient: { display_id: id } }, sent);
        sent = true;
      } catch {
        // Progress must never break the work it reports on: a display that cannot be sent (no live
        // tslab writer, the kernel's socket busy: see scripts/tslab-kernel.cjs) ends the indicator,
        // not the computation.
        target = 'none';
      }
    }
  };

  let lastDone = 0;
  const p = ((done, t, message) => {
    if (finished) return;
    if (typeof done === 'object' && done !== null) {
      const o = done;
      [done, t, message] = [o.done, o.total ?? t, o.message ?? o.phase ?? message]; // gs.gradCheck passes { done, total, phase }
    }
    if (typeof done !== 'number' || !Number.isFinite(done)) throw invalid('done', done, 'a finite number of steps done');
    if (t !== undefined) total = t;
    lastDone = done;
    draw(done, message, total !== undefined && done >= total);
  }) as Progress;
  p.finish = (message?: string) => {
    if (finished) return;
    if (total === undefined) total = lastDone;
    if (!drawn && Date.now() - started < delay) {
      finished = true; // never shown: stay silent
      return;
    }
    draw(total, message ?? 'done', true);
    finished = true;
    if (target === 'tty') stream.write('\n');
    if (target === 'deno') settle(); // the last update goes out before the cell can end (deno.ts)
  };
  Object.defineProperty(p, 'target', { get: () => target });
  return p;
}

/** Work shorter than this shows no default indicator (a notebook full of 0.01 s checks stays clean). */
export const DEFAULT_DELAY = 500;

/** Normalises an `onProgress` option: a callback, `false` (none), or undefined (a default indicator). */
export function progressOption(name: string, value: unknown, label: string, total: number): { step: (done: number) => void; finish: () => void } {
  if (value === false) return { step: () => {}, finish: () => {} };
  if (value === undefined) {
    const p = progress(label, { total, delay: DEFAULT_DELAY });
    return { step: (d) => p(d, total), finish: () => p.finish() };
  }
  if (typeof value !== 'function') throw invalid(name, value, 'a function (done, total) => void, gs.progress(...), or false');
  const f = value as (done: number, total: number) => void;
  return {
    step: (d) => f(d, total),
    finish: () => { if (typeof (f as Progress).finish === 'function') (f as Progress).finish(); },
  };
}
