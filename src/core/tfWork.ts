/**
 * The rule for tf work (gs.train and other long loops over tf calls). A flat multiply-add budget
 * would refuse ordinary training (one epoch of [784, 128, 10] on 60,000 examples is 1.8e10), so tf
 * work is estimated in seconds from this machine's measured tf speed, on the backend in use, and
 * refused past core/limits.ts's time budget (GRADSCOPE_MAX_SECONDS, else 3600 s: one hour).
 *   seconds ~= multiply-adds / (measured multiply-adds per second) + kernel calls x (measured seconds per call)
 * The speed is measured once per backend (a 128 x 128 matmul and 200 small adds, ~10-50 ms).
 */
import { tf } from './backend';
import { checkSeconds, MADDS_PER_SECOND, secondsBudget } from './limits';

/** This machine's measured tf speed on one backend. */
export interface TfSpeed {
  /** The backend measured: 'wasm', 'tensorflow', 'cpu'. */
  backend: string;
  /** Multiply-adds per second of a 128 x 128 matmul (the best of four after a warm-up: shared cores only slow it down). */
  madds: number;
  /** Seconds per small kernel call (an add on 64 numbers: the fastest of three rounds of 50). */
  call: number;
}

const measured = new Map<string, TfSpeed>();

/** Plain-JS float64 multiply-adds per second (the mirrors): core/limits.ts's measured MADDS_PER_SECOND. */
export const JS_MADDS = MADDS_PER_SECOND;

/** This machine's tf speed on the current backend, measured on first use. */
export function tfSpeed(): TfSpeed {
  const backend = tf.getBackend();
  const known = measured.get(backend);
  if (known) return known;
  const n = 128;
  const [a, b, s] = [tf.randomUniform([n, n]), tf.randomUniform([n, n]), tf.ones([64])];
  try {
    tf.tidy(() => tf.matMul(a, b).dataSync()); // warm-up (wasm compiles, tensorflow loads its kernels)
    let best = Infinity;
    for (let k = 0; k < 4; k++) {
      const t0 = performance.now();
      tf.tidy(() => tf.matMul(a, b).dataSync());
      best = Math.min(best, (performance.now() - t0) / 1000);
    }
    let call = Infinity;
    for (let r = 0; r < 4; r++) { // the first round warms the add kernel up; the fastest round counts (shared cores only slow it down)
      const t0 = performance.now();
      tf.tidy(() => {
        let x = s;
        for (let k = 0; k < 50; k++) x = x.add(s);
        x.dataSync();
      });
      if (r > 0) call = Math.min(call, (performance.now() - t0) / 1000 / 50);
    }
    const speed = { backend, madds: n ** 3 / Math.max(best, 1e-6), call };
    measured.set(backend, speed);
    return speed;
  } finally {
    tf.dispose([a, b, s]);
  }
}

/**
 * Throws a GradscopeError naming `argument` when `seconds` exceeds the time budget; `what` says
 * what the estimate counts. The message names the measured speed and the setting that raises it.
 *
 * @example
 * ```ts
 * checkTime('epochs', 1e9, 5e5, '1e9 epochs of 4e5 multiply-adds and 300 kernel calls');
 * // invalid epochs: 1000000000 would take about 1.4e+2 h (...), more than the 1 h gradscope allows one call (set GRADSCOPE_MAX_SECONDS ...)
 * ```
 */
export function checkTime(argument: string, value: unknown, seconds: number, what: string): void {
  if (seconds <= secondsBudget()) return;
  const s = tfSpeed();
  checkSeconds(argument, value, seconds, `${what}; this machine's tf on ${s.backend} measured ${s.madds.toExponential(1)} multiply-adds/s and ${(s.call * 1e6).toPrecision(2)} µs per kernel call`);
}
