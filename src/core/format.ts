/**
 * gradscope's number formatting, in one place: `fmt` (7 significant digits, for messages and notes)
 * and `short` (5 significant digits or 3-digit exponent form, for tables and chart labels).
 */

/** A float32 value as a person wrote it: 0.899999976 -> 0.9. */
export function fmt(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(7))) : String(x);
}

/** 1.2e-7 style, or 3.0301 style for values near 1. */
export function short(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e-3 && a < 1e5 ? String(Number(v.toPrecision(5))) : v.toExponential(2);
}

