/**
 * What `npm run notebooks` (scripts/notebooks.ts) checks in an executed notebook, apart from running
 * it: a homework run ends as it must (the template as committed stops at its check cell with a
 * GradscopeError "not yet implemented", every cell before it run; the solved copy runs every cell),
 * and no cell that ran wrote to stderr. No side effects: test/notebook-checks.test.ts imports it.
 */

/** A notebook as nbformat writes it (the parts read here). */
export type Nb = { cells: Array<{ cell_type: string; source: string | string[]; outputs?: unknown[]; execution_count?: number | null; metadata?: Record<string, any> }>; [k: string]: unknown };
const text = (s: string | string[]) => (Array.isArray(s) ? s.join('') : s);

/** The failing cell as scripts/notebooks.py reports it. */
export interface RunError {
  /** 1-based index of the failing cell. */
  cell: number;
  codeCell: number;
  firstLine: string;
  /** The Python exception: CellExecutionError for a cell that failed, CellTimeoutError, DeadKernelError, ... */
  kind: string;
  message: string;
  /** The cell's `error` outputs (the kernel's: ename is the error's class, evalue its message). */
  errors?: { ename: string; evalue: string }[];
  /** The cell's stderr text (where an older launcher wrote the error, `GradscopeError: ...`). */
  stderr?: string;
}

/**
 * The error a failed cell raised: `{ ename, evalue }` from its `error` output (the kernel's), or from a
 * `Name: message` line of its stderr (older launchers wrote the error there); undefined if neither.
 */
export function cellError(error: Pick<RunError, 'errors' | 'stderr'>): { ename: string; evalue: string } | undefined {
  const first = (error.errors ?? [])[0];
  if (first) return first;
  const m = /^(\w*Error): (.*)$/m.exec(error.stderr ?? '');
  return m ? { ename: m[1], evalue: m[2] } : undefined;
}

/** `cell 9 (\`result.assert();\`)` */
const cellName = (nb: Nb, i: number) => `cell ${i + 1} (\`${text(nb.cells[i]?.source ?? '').split('\n').find((l) => l.trim())?.trim().slice(0, 80) ?? ''}\`)`;

/**
 * What is wrong with a homework run, or undefined. The check cells (metadata.gradscope.check) are the
 * grader cells `result.assert()`; the unfilled template (`todo`) must stop at the first of them with
 * a GradscopeError saying "not yet implemented", every cell before it run; the solved copy must run
 * every cell. `error` is the failing cell scripts/notebooks.py reported (none: every cell ran).
 */
export function graderProblem(nb: Nb, expect: 'todo' | 'solved', error: RunError | undefined): string | undefined {
  const meta = (i: number) => nb.cells[i]?.metadata?.gradscope ?? {};
  const checks = nb.cells.map((_, i) => i).filter((i) => nb.cells[i].cell_type === 'code' && meta(i).check);
  if (!checks.length) return 'no check cell (a code cell with metadata.gradscope.check, e.g. `result.assert();`) found';
  for (const i of nb.cells.map((_, k) => k).filter((k) => meta(k).grader)) {
    const { id, points } = meta(i);
    if (typeof id !== 'string' || !id) return `grader ${cellName(nb, i)} has no metadata.gradscope.id (a stable name, e.g. "backward")`;
    if (points !== undefined && !(typeof points === 'number' && Number.isFinite(points) && points >= 0)) return `grader ${cellName(nb, i)} has metadata.gradscope.points ${JSON.stringify(points)} (expected a number >= 0; default 1)`;
  }
  const failed = error ? error.cell - 1 : -1;
  const what = error ? `${error.kind}: ${error.message.split('\n').slice(0, 12).join('\n')}` : '';
  if (expect === 'solved') {
    if (error) return `${cellName(nb, failed)} failed on the teacher's solution (every cell must run): ${what}`;
    const unrun = checks.filter((i) => nb.cells[i].execution_count == null);
    return unrun.length ? `check ${cellName(nb, unrun[0])} did not run` : undefined;
  }
  const check = checks[0];
  if (!error) return `the unfilled template ran every cell: its check ${cellName(nb, check)} did not fail (expected a GradscopeError "not yet implemented")`;
  if (failed !== check) return `${cellName(nb, failed)} failed${failed < check ? ', before the check cell' : ''} (only the check ${cellName(nb, check)} may fail, with "not yet implemented"): ${what}`;
  if (error.kind !== 'CellExecutionError') return `the check ${cellName(nb, check)} did not fail with an error but with ${what}`;
  const e = cellError(error);
  if (!e) return `the check ${cellName(nb, check)} failed without an error output or an error line on stderr: ${what}`;
  if (e.ename !== 'GradscopeError') return `the check ${cellName(nb, check)} failed with ${e.ename}, expected GradscopeError: ${e.evalue}`;
  if (!/not yet implemented/.test(e.evalue)) return `the check ${cellName(nb, check)} of the unfilled template did not say "not yet implemented": ${e.evalue}`;
  return undefined;
}

/** A cell that ran without failing but wrote to stderr (a warning, a library's banner): the first one, or undefined. */
export function strayStderr(nb: Nb, error: RunError | undefined): string | undefined {
  const failed = error ? error.cell - 1 : -1;
  for (const [i, c] of nb.cells.entries()) {
    if (i === failed || c.cell_type !== 'code') continue;
    const err = (c.outputs ?? []).filter((o: any) => o.output_type === 'stream' && o.name === 'stderr').map((o: any) => text(o.text ?? '')).join('');
    if (err.trim()) return `${cellName(nb, i)} ran but wrote to stderr:\n${err.trim().split('\n').slice(0, 12).join('\n')}`;
  }
  return undefined;
}
