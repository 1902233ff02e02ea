/**
 * Size checks made before any work starts, so a request that cannot fit fails at once with what it
 * would need instead of running away. The memory budget is half of this machine's memory, or
 * GRADSCOPE_MAX_MEMORY (bytes, e.g. `8e9`) when set; the work budget is a count of float64
 * multiply-adds in plain JS, 1e11 (about two and a half minutes at MADDS_PER_SECOND), or
 * GRADSCOPE_MAX_WORK when set. tf work (a recurrent forward pass over many steps) is timed by its
 * own estimate against GRADSCOPE_MAX_SECONDS (an hour by default): only what would run for hours is refused.
 */
import { totalmem } from 'os';
import { GradscopeError } from './errors';

const GB = 1e9;

/** Bytes gradscope lets one call ask for: GRADSCOPE_MAX_MEMORY, else half the machine's memory. */
export function memoryBudget(): number {
  const env = Number(process.env.GRADSCOPE_MAX_MEMORY);
  return Number.isFinite(env) && env > 0 ? env : totalmem() / 2;
}

/**
 * Plain-JS float64 multiply-adds a second, measured (BENCHMARKS.md, "Work budget"): 6.5e8-9.3e8 for
 * the dot products every mirror runs, on a 2-core x86-64 VM with Node 20; the lower end is used.
 */
export const MADDS_PER_SECOND = 7e8;

/** Multiply-adds gradscope lets one plain-JS call do: GRADSCOPE_MAX_WORK, else 1e11 (about 2.5 minutes). */
export function workBudget(): number {
  const env = Number(process.env.GRADSCOPE_MAX_WORK);
  return Number.isFinite(env) && env > 0 ? env : 1e11;
}

/** Seconds of tf work gradscope lets one call do: GRADSCOPE_MAX_SECONDS, else 3600 (refuse only what would run for hours). */
export function secondsBudget(): number {
  const env = Number(process.env.GRADSCOPE_MAX_SECONDS);
  return Number.isFinite(env) && env > 0 ? env : 3600;
}

/**
 * Throws a GradscopeError naming `argument` when `bytes` exceeds the memory budget.
 *
 * @example
 * ```ts
 * checkMemory('sizes', [1e6, 1e6], 16e12, '1e12 parameters'); // invalid sizes: [1000000, 1000000] would need about 16000 GB ...
 * ```
 */
export function checkMemory(argument: string, value: unknown, bytes: number, what: string): void {
  const budget = memoryBudget();
  if (!(bytes <= budget)) {
    throw new GradscopeError(argument, `invalid ${argument}: ${JSON.stringify(value)} would need about ${fmtGB(bytes)} (${what}), more than the ${fmtGB(budget)} gradscope allows (half this machine's memory; set GRADSCOPE_MAX_MEMORY in bytes to change it)`);
  }
}

/**
 * Throws a GradscopeError naming `argument` when `ops` multiply-adds exceed the work budget; the
 * message gives the estimate in multiply-adds and in time at MADDS_PER_SECOND.
 *
 * @example
 * ```ts
 * checkWork('init', 'orthogonal', 2.6e11, 'Gram-Schmidt of a [4003, 4000] matrix'); // invalid init: "orthogonal" would take about 2.6e+11 multiply-adds (...; ~6 min), more than ...
 * ```
 */
export function checkWork(argument: string, value: unknown, ops: number, what: string, hint = ''): void {
  const budget = workBudget();
  if (!(ops <= budget)) {
    throw new GradscopeError(argument, `invalid ${argument}: ${JSON.stringify(value)} would take about ${ops.toExponential(1)} multiply-adds (${what}; ~${duration(ops / MADDS_PER_SECOND)} at ~${MADDS_PER_SECOND.toExponential(0)} a second), more than the ${budget.toExponential(0)} gradscope allows (set GRADSCOPE_MAX_WORK to change it${hint ? `; ${hint}` : ''})`);
  }
}

/** Throws a GradscopeError naming `argument` when tf work estimated at `seconds` exceeds the seconds budget. */
export function checkSeconds(argument: string, value: unknown, seconds: number, what: string): void {
  const budget = secondsBudget();
  if (!(seconds <= budget)) {
    throw new GradscopeError(argument, `invalid ${argument}: ${JSON.stringify(value)} would take about ${duration(seconds)} of tf work (${what}), more than the ${duration(budget)} gradscope allows (set GRADSCOPE_MAX_SECONDS to change it)`);
  }
}

/** 40 s, 12 min, 1 h, 3.5 h, 2.1 days. */
export function duration(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172800) return `${Number((seconds / 3600).toPrecision(2))} h`;
  const days = seconds / 86400;
  return days < 1e4 ? `${Number(days.toPrecision(2))} days` : `${days.toExponential(1)} days`;
}

function fmtGB(bytes: number): string {
  return bytes >= GB ? `${(bytes / GB).toPrecision(3)} GB` : `${Math.round(bytes / 1e6)} MB`;
}
