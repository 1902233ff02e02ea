/**
 * gradscope's number formatting, in one place. Every message, note, table, report and chart label
 * formats its numbers with these:
 * - `fmt`: 7 significant digits, a float32 value as a person typed it (messages about inputs);
 * - `sig(x, digits)`: `digits` significant digits, plain between 1e-3 and 1e5, else exponent form
 *   (reports, grader messages; `short` is `sig(x, 5)`, for tables and chart labels);
 * - `sci(x)`: always exponent form, one decimal (errors, bands, step sizes: 1.2e-7).
 * Non-finite values print as NaN, Infinity, -Infinity; zero as 0.
 */

/** A float32 value as a person wrote it: 0.899999976 -> 0.9. */
export function fmt(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(7))) : String(x);
}

/**
 * x to `digits` significant digits, trailing zeros dropped: 3.142, 0.0123, or exponent form
 * (1.23e-7, 4.6e+6) outside [1e-3, 1e5).
 *
 * @example
 * ```ts
 * sig(3.14159, 4);     // '3.142'
 * sig(0.000012345, 3); // '1.2e-5'
 * ```
 */
export function sig(x: number, digits = 5): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1e-3 && a < 1e5 ? String(Number(x.toPrecision(digits))) : x.toExponential(Math.min(2, Math.max(1, digits - 2)));
}

/** `sig(v, 5)`: 1.2e-7 style, or 3.0301 style for values near 1 (tables, chart labels). */
export function short(v: number): string {
  return sig(v, 5);
}

/** Exponent form with `decimals` decimals: 1.2e-7 (errors, bands, step sizes); 0 is '0'. */
export function sci(x: number, decimals = 1): string {
  if (!Number.isFinite(x)) return String(x);
  return x === 0 ? '0' : x.toExponential(decimals);
}
