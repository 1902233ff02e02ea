/**
 * One error type for bad input, and the small normalisers every public call uses at its boundary.
 * Messages name the argument, what was received and what was expected:
 * `invalid hidden: "sigmod" (expected one of sigmoid, tanh, relu, leakyRelu, linear)`.
 */
import { tf } from './backend';

/**
 * Thrown for bad input by every public call, before any work starts. The message names the
 * argument, what it got and what was expected, e.g.
 * `invalid hidden: "sigmod" (expected one of sigmoid, tanh, relu, leakyRelu, linear)`. A request too
 * large to fit is refused the same way, with what it would need: memory against half this
 * machine's (`GRADSCOPE_MAX_MEMORY=<bytes>` changes it), plain-JS work against 1e11 float64 multiply-adds (about 2.5 minutes)
 * (`GRADSCOPE_MAX_WORK`), e.g. `invalid sizes: [30000,30000] would need about 14.4 GB ...`.
 * A backward that throws or is `async` gets one too, naming the backward and tf's message.
 *
 * @example
 * ```ts
 * try {
 *   gs.mlp({ sizes: [2, 3, 1], hidden: 'sigmod' as gs.Activation });
 * } catch (e) {
 *   if (e instanceof gs.GradscopeError) console.log(e.argument, e.message);
 *   // hidden invalid hidden: "sigmod" (expected one of sigmoid, tanh, relu, leakyRelu, linear)
 * }
 * ```
 */
export class GradscopeError extends Error {
  /**
   * @param argument - The offending argument's name, e.g. `hidden` or `options.eps`.
   * @param message - The full message: `invalid <argument>: <value> (expected <expected>)`.
   */
  constructor(readonly argument: string, message: string) {
    super(message);
    this.name = 'GradscopeError';
  }
}

/** `invalid <name>: <value> (expected <expected>)` */
export function invalid(name: string, value: unknown, expected: string): GradscopeError {
  return new GradscopeError(name, `invalid ${name}: ${show(value)} (expected ${expected})`);
}

export function show(value: unknown): string {
  if (value instanceof tf.Tensor) return `${value.isDisposed ? 'a disposed ' : ''}tensor of shape [${value.shape.join(', ')}]`;
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return fmt(value);
  if (typeof value === 'function') return 'a function';
  try {
    const s = JSON.stringify(value);
    return s === undefined ? String(value) : s.length > 80 ? s.slice(0, 77) + '...' : s;
  } catch {
    return String(value);
  }
}

/** Returns `value` if it is one of `allowed`, else throws `invalid name`. */
export function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw invalid(name, value, `one of ${allowed.join(', ')}`);
}

/** A finite number in [min, max] (open at `openMin`). */
export function number(
  name: string,
  value: unknown,
  { min = -Infinity, max = Infinity, openMin = false, integer = false } = {},
): number {
  const ok =
    typeof value === 'number' && Number.isFinite(value) && (openMin ? value > min : value >= min) && value <= max &&
    (!integer || Number.isInteger(value));
  if (!ok) {
    const range = `${integer ? 'an integer' : 'a finite number'}${min > -Infinity ? (openMin ? ` > ${min}` : ` >= ${min}`) : ''}${max < Infinity ? ` and <= ${max}` : ''}`;
    throw invalid(name, value, range);
  }
  return value as number;
}

/** Throws unless `t` is a 2-D float tensor with finite entries and at least one row. */
export function matrix(name: string, t: unknown, cols?: number): tfTypesTensor2D {
  if (!(t instanceof tf.Tensor)) throw invalid(name, t, 'a 2-D tf.Tensor [m, n] with one example per row');
  if (t.isDisposed) throw new GradscopeError(name, `invalid ${name}: a disposed tensor of shape [${t.shape.join(', ')}] (expected a live tensor: it was disposed, by tf.dispose, tf.tidy or an earlier call)`);
  if (t.rank !== 2) throw invalid(name, t, 'a 2-D tensor [m, n] with one example per row');
  if (t.shape[0] === 0) throw new GradscopeError(name, `invalid ${name}: empty batch, shape [${t.shape.join(', ')}] (expected at least one row)`);
  if (cols !== undefined && t.shape[1] !== cols) {
    throw new GradscopeError(name, `invalid ${name}: shape [${t.shape.join(', ')}] (expected [m, ${cols}])`);
  }
  const data = t.dataSync();
  const bad = firstNonFinite(data);
  if (bad >= 0) {
    const [r, c] = [Math.floor(bad / t.shape[1]), bad % t.shape[1]];
    throw new GradscopeError(name, `invalid ${name}: entry [${r}, ${c}] is ${fmt(data[bad])} (expected finite numbers)`);
  }
  return t as tfTypesTensor2D;
}
type tfTypesTensor2D = import('@tensorflow/tfjs').Tensor2D;

import { fmt } from './format';

export { fmt };

/** Index of the first NaN or +-Infinity in `a`, or -1. */
export function firstNonFinite(a: ArrayLike<number>): number {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return i;
  return -1;
}

/** Returns `value` when it is a function or undefined, else throws `invalid name` (callback options). */
export function optionalFunction<F>(name: string, value: unknown, expected: string): F | undefined {
  if (value !== undefined && typeof value !== 'function') throw invalid(name, value, expected);
  return value as F | undefined;
}

/** What an `onProgress` option must be. */
export const ON_PROGRESS = 'a function ({ done, total, phase }) => void';

/** Throws if an options object has keys that are not in `known` (catches typos like `{ esp: 1e-7 }`). */
export function knownKeys(name: string, options: object | undefined, known: readonly string[]): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object') throw invalid(name, options, 'an options object');
  for (const k of Object.keys(options)) {
    if (!known.includes(k)) throw invalid(`${name}.${k}`, (options as Record<string, unknown>)[k], `a known option: ${known.join(', ')}`);
  }
}
