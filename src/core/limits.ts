/**
 * Size checks made before any work starts, so a request that cannot fit fails at once with what it
 * would need instead of running away. The memory budget is half of this machine's memory, or
 * GRADSCOPE_MAX_MEMORY (bytes, e.g. `8e9`) when set; the work budget is a count of multiply-adds
 * (about 1e8 per second in plain JS), GRADSCOPE_MAX_WORK when set.
 */
import { totalmem } from 'os';
import { GradscopeError } from './errors';

const GB = 1e9;

/** Bytes gradscope lets one call ask for: GRADSCOPE_MAX_MEMORY, else half the machine's memory. */
export function memoryBudget(): number {
  const env = Number(process.env.GRADSCOPE_MAX_MEMORY);
  return Number.isFinite(env) && env > 0 ? env : totalmem() / 2;
}

/** Multiply-adds gradscope lets one plain-JS call do: GRADSCOPE_MAX_WORK, else 2e10 (a few minutes). */
export function workBudget(): number {
  const env = Number(process.env.GRADSCOPE_MAX_WORK);
  return Number.isFinite(env) && env > 0 ? env : 2e10;
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

/** Throws a GradscopeError naming `argument` when `ops` multiply-adds exceed the work budget. */
export function checkWork(argument: string, value: unknown, ops: number, what: string): void {
  const budget = workBudget();
  if (!(ops <= budget)) {
    throw new GradscopeError(argument, `invalid ${argument}: ${JSON.stringify(value)} would take about ${ops.toExponential(1)} multiply-adds (${what}; ~${Math.round(ops / 1e8)} s), more than the ${budget.toExponential(0)} gradscope allows (set GRADSCOPE_MAX_WORK to change it)`);
  }
}

function fmtGB(bytes: number): string {
  return bytes >= GB ? `${(bytes / GB).toPrecision(3)} GB` : `${Math.round(bytes / 1e6)} MB`;
}
