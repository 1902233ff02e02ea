/**
 * Grades one submission: merges it into the template (notebook.ts), runs the merged notebook on a
 * kernel for the feedback (kernel.ts) and, at the same time, the grading process that decides
 * (verdict.ts), each in its own temporary folder and sandbox; then one row per grader cell.
 *
 * A grader cell's status: `timeout` or `error` when the kernel timed out, died, or a student cell
 * (TODO or added) failed before the grader cell ran, or the grading process itself timed out or
 * ended without a verdict; otherwise the grading process's verdict (`passed`, `failed`, `error`).
 * What the kernel's own grader cell printed never counts.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { runKernel, type KernelRun, type KernelSpec } from './kernel';
import { merge, parseNotebook, posesAsGrader, sourceOf, toNotebook, todoOf, type GraderCell, type MergedCell, type Notebook } from './notebook';
import { programOf } from './program';
import { confine, scrubbedEnv, type Sandbox } from './sandbox';
import type { Verdict, VerdictJob, VerdictReport } from './verdict';

/** A gradebook row. */
export interface Row { submission: string; cell: string; points: number; max_points: number; status: Status; message: string }
/** The statuses of a row. */
export type Status = 'passed' | 'failed' | 'error' | 'timeout' | 'invalid';

/** Everything about one graded submission. */
export interface Graded {
  submission: string;
  rows: Row[];
  total: Row;
  notes: string[];
  seconds: { total: number; kernelStart: number; kernelCells: number; verdict: number };
  /** False when the kernel died before it answered (a broken kernel, not a submission's doing, if it happens to every one). */
  kernelStarted: boolean;
  /** The executed merged notebook (undefined for an invalid submission). */
  executed?: Notebook;
}

/** What every submission of a batch shares. */
export interface Batch { template: Notebook; graders: GraderCell[]; spec: KernelSpec; box: Sandbox; timeoutMs: number; work: string }

const VERDICT = path.join(__dirname, `verdict${path.extname(__filename)}`);

/** Runs the grading process (under tsx when running from src/, as the tests do); resolves with its report, or a reason there is none. */
export function runVerdict(batch: Pick<Batch, 'box' | 'timeoutMs'>, dir: string, job: VerdictJob): Promise<VerdictReport | { failure: 'timeout' | 'error'; message: string }> {
  const loader = VERDICT.endsWith('.ts') ? ['--import', pathToFileURL(path.resolve(__dirname, '..', '..', 'node_modules', 'tsx', 'dist', 'loader.mjs')).href] : [];
  const p = confine(batch.box, dir, [process.execPath, ...loader, VERDICT], { env: scrubbedEnv(dir, randomUUID()), stdio: ['pipe', 'ignore', 'pipe', 'pipe'], network: false });
  return new Promise((resolve) => {
    let stderr = '', channel = '', settled = false;
    const finish = (r: VerdictReport | { failure: 'timeout' | 'error'; message: string }) => { if (!settled) { settled = true; clearTimeout(timer); p.kill(); resolve(r); } };
    const timer = setTimeout(() => finish({ failure: 'timeout', message: `timeout: the grader's run of your code took over ${batch.timeoutMs / 1000} s; it was killed` }), batch.timeoutMs);
    p.child.stderr?.on('data', (d: Buffer) => { stderr = (stderr + d.toString('utf8')).slice(-2000); });
    const fd3 = p.child.stdio[3] as NodeJS.ReadableStream | null;
    fd3?.on('data', (d: Buffer) => {
      channel = (channel + d.toString('utf8')).slice(-1_000_000);
      for (const line of channel.split('\n')) {
        try {
          const r = JSON.parse(line) as VerdictReport;
          if (r && r.nonce === job.nonce && Array.isArray(r.verdicts)) finish(r);
        } catch { /* not the report */ }
      }
    });
    p.child.on('exit', (code, signal) => {
      setTimeout(() => finish({ failure: 'error', message: `the grading process ended without a verdict (${signal ?? `exit ${code}`}; process.exit or a crash in your code?)${stderr.includes('the grading process failed') ? ': ' + stderr.trim().split('\n').slice(-3).join(' ') : ''}` }), 50);
    });
    p.child.on('error', (e) => finish({ failure: 'error', message: `the grading process could not start: ${e.message}` }));
    p.child.stdin?.on('error', () => { /* it died first: the exit handler says why */ });
    p.child.stdin?.end(JSON.stringify(job));
  });
}

/** The names each TODO cell of the template declares (for "renamed or missing" messages). */
function todoNames(template: Notebook, names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const cell of template.cells) {
    const todo = todoOf(cell);
    if (!todo) continue;
    for (const n of names) if (new RegExp(`\\b(const|let|var|function)\\s+${n}\\b`).test(sourceOf(cell))) out[n] = todo;
  }
  return out;
}

/** The cells the grading process runs: setup template cells up to the last student cell, and every student cell. */
function verdictCells(cells: MergedCell[]): string[] {
  let last = -1;
  cells.forEach((c, i) => { if (c.origin !== 'template' && c.cell.cell_type === 'code') last = i; });
  return cells.filter((c, i) => c.cell.cell_type === 'code' && i <= last && !(c.origin === 'template' && (posesAsGrader(c.cell) || c.cell.metadata?.gradscope && (c.cell.metadata.gradscope as Record<string, unknown>).feedback !== undefined)))
    .map((c) => sourceOf(c.cell));
}

/** Rows for a submission that could not be graded at all (status invalid). */
function invalid(batch: Batch, submission: string, message: string, t0: number): Graded {
  const rows = batch.graders.map((g): Row => ({ submission, cell: g.id, points: 0, max_points: g.points, status: 'invalid', message }));
  return { submission, rows, total: totalRow(submission, rows), notes: [], kernelStarted: true, seconds: { total: (Date.now() - t0) / 1000, kernelStart: 0, kernelCells: 0, verdict: 0 } };
}

const ORDER: Status[] = ['invalid', 'timeout', 'error', 'failed'];

/** The `total` row: points summed; passed when every cell passed, else the worst status. */
export function totalRow(submission: string, rows: Row[]): Row {
  const points = rows.reduce((s, r) => s + r.points, 0), max = rows.reduce((s, r) => s + r.max_points, 0);
  const status = ORDER.find((s) => rows.some((r) => r.status === s)) ?? 'passed';
  const passed = rows.filter((r) => r.status === 'passed').length;
  return { submission, cell: 'total', points, max_points: max, status, message: `${passed} of ${rows.length} grader cell(s) passed` };
}

/** The kernel's reason a grader cell at merged index `at` could not be decided, or undefined. */
function kernelProblem(run: KernelRun, merged: MergedCell[], at: number): { status: Status; message: string } | undefined {
  let k = 0;
  for (const [i, c] of merged.entries()) {
    if (c.cell.cell_type !== 'code') continue;
    const cell = run.cells[k++];
    if (i >= at || !cell) return undefined;
    const e = cell.error;
    if (e?.ename === 'Timeout') return { status: 'timeout', message: run.message ?? e.evalue };
    if (e?.ename === 'DeadKernel') return { status: 'error', message: `the kernel died: ${e.evalue}` };
    if (e && c.origin !== 'template') {
      const what = e.ename === 'TSError' ? 'did not compile' : `threw ${e.ename}`;
      return { status: 'error', message: `${c.origin === 'todo' ? `TODO cell "${c.todo}"` : 'a cell you added'} ${what}: ${e.evalue.split('\n')[0].slice(0, 300)}` };
    }
  }
  return undefined;
}

/** Grades one submission file; `submission` is its name in the gradebook. Never throws for what the submission does. */
export async function gradeSubmission(batch: Batch, file: string, submission: string): Promise<Graded> {
  const t0 = Date.now();
  let text: string;
  try { text = fs.readFileSync(file, 'utf8'); } catch (e) { return invalid(batch, submission, `cannot read the file: ${(e as Error).message}`, t0); }
  const nb = parseNotebook(text);
  if (typeof nb === 'string') return invalid(batch, submission, nb, t0);
  const { cells, notes } = merge(batch.template, nb);
  const dir = fs.mkdtempSync(path.join(batch.work, 's-'));
  const kernelDir = path.join(dir, 'kernel'), verdictDir = path.join(dir, 'grader');
  fs.mkdirSync(kernelDir);
  fs.mkdirSync(verdictDir);
  const names = [...new Set(batch.graders.flatMap((g) => g.call.args.flatMap((a) => ('name' in a ? [a.name] : []))))];
  let program: string;
  try { program = programOf(verdictCells(cells), names); } catch (e) { return invalid(batch, submission, `its code cannot be read: ${(e as Error).message}`, t0); }
  const job: VerdictJob = { nonce: randomUUID(), program, names, calls: batch.graders.map((g) => ({ id: g.id, path: g.call.path, args: g.call.args })), todoOf: todoNames(batch.template, names) };
  const codes = cells.filter((c) => c.cell.cell_type === 'code').map((c) => sourceOf(c.cell));
  const tv = Date.now();
  let verdictSeconds = 0;
  const [run, report] = await Promise.all([
    runKernel(batch.spec, batch.box, kernelDir, codes, batch.timeoutMs),
    runVerdict(batch, verdictDir, job).then((r) => { verdictSeconds = (Date.now() - tv) / 1000; return r; }),
  ]);
  fs.rmSync(dir, { recursive: true, force: true });

  const rows = batch.graders.map((g): Row => {
    const at = cells.findIndex((c) => c.origin === 'template' && posesAsGrader(c.cell) && sourceOf(c.cell) === sourceOf(batch.template.cells[g.index]));
    const base = { submission, cell: g.id, max_points: g.points };
    if (run.outcome === 'no start') return { ...base, points: 0, status: 'error', message: run.message ?? 'the kernel did not start' };
    const problem = kernelProblem(run, cells, at < 0 ? cells.length : at);
    if (problem) return { ...base, points: 0, ...problem };
    if ('failure' in report) return { ...base, points: 0, status: report.failure, message: report.message };
    const v: Verdict | undefined = report.verdicts.find((x) => x.id === g.id);
    if (!v) return { ...base, points: 0, status: 'error', message: 'the grading process gave no verdict for this cell' };
    return { ...base, points: v.status === 'passed' ? g.points : 0, status: v.status, message: v.message };
  });
  const total = totalRow(submission, rows);
  let k = 0;
  const executedCells = cells.map((c) => {
    if (c.cell.cell_type !== 'code') return c.cell;
    const r = run.cells[k++];
    return { ...c.cell, outputs: r?.outputs ?? [], execution_count: r?.executionCount ?? null };
  });
  const summary = [`**gradscope grade**: ${total.points} of ${total.max_points} points (${total.status})`, '', ...rows.map((r) => `- \`${r.cell}\`: ${r.points}/${r.max_points} ${r.status}${r.message ? `: ${r.message.replace(/\n/g, ' ')}` : ''}`), ...notes.map((n) => `- note: ${n}`)].join('\n');
  const executed = toNotebook(batch.template, [{ cell: { cell_type: 'markdown', source: summary, metadata: {} }, origin: 'template' }, ...executedCells.map((cell) => ({ cell, origin: 'template' as const }))]);
  executed.cells.forEach((c, i) => { c.id = `cell-${i}`; });
  if (notes.length) total.message += `; ${notes.join('; ')}`;
  return { submission, rows, total, notes, executed, kernelStarted: run.outcome !== 'no start', seconds: { total: (Date.now() - t0) / 1000, kernelStart: run.startSeconds, kernelCells: run.cellSeconds, verdict: 'failure' in report ? verdictSeconds : report.seconds.load + report.seconds.run + report.seconds.grade } };
}
