/**
 * Progress of a long check, throttled so a notebook display is not flooded:
 * the callback runs at most once per `interval` ms (about 20 times a second), plus once at the end.
 */

/** What `onProgress` receives: `done` of `total` steps of the named phase. */
export interface Progress {
  /** Steps done so far in this phase (entries differenced, directions tried, ...). */
  done: number;
  /** Steps this phase will take. */
  total: number;
  /** e.g. 'numeric W2', 'directional', 'confirm' */
  phase: string;
}

/** The progress callback of gradCheck / checkGradients. */
export type OnProgress = (p: Progress) => void;

/** A ticker: `tick(done)` forwards to `onProgress` when `interval` ms have passed since the last call. */
export interface Ticker {
  tick(done: number, phase?: string): void;
  /** Always reports `done = total`. */
  finish(): void;
}

/**
 * Wraps `onProgress` so it is called at most every `interval` ms.
 * time between calls >= interval;  the last call reports done = total.
 *
 * @example
 * ```ts
 * const t = ticker((p) => console.log(p.done, '/', p.total), 1000, 'numeric');
 * for (let i = 0; i < 1000; i++) t.tick(i);
 * t.finish(); // { done: 1000, total: 1000, phase: 'numeric' }
 * ```
 */
export function ticker(onProgress: OnProgress | undefined, total: number, phase: string, interval = 50): Ticker {
  if (!onProgress) return { tick: () => undefined, finish: () => undefined };
  let last = -Infinity;
  let current = phase;
  return {
    tick(done, p) {
      if (p) current = p;
      const now = Date.now();
      if (now - last < interval) return;
      last = now;
      onProgress({ done, total, phase: current });
    },
    finish() {
      onProgress({ done: total, total, phase: current });
    },
  };
}
