/**
 * The grading process of `gradscope grade` (`node dist/batch/verdict.js`, one per submission,
 * started by submission.ts in the submission's sandbox): it decides each grader cell where the
 * student's code cannot reach.
 *
 * 1. It reads its job from stdin: the cells to run (the template's setup cells, the student's TODO
 *    and added cells, already stripped of their types by the parent), the grader calls and a nonce
 *    (only this process's closure ever holds it).
 * 2. It loads gradscope, keeps its own references to the graders, and locks the process
 *    (lockdown.ts: frozen built-ins, frozen gradscope and tf exports).
 * 3. It runs the cells (program.ts) with a `require` that gives only gradscope and tfjs, and takes
 *    the values the grader calls name (`backward`, ...) from the innermost scope. The student may
 *    shadow `gs` or `tf` there; the graders were taken before.
 * 4. It calls each grader itself and reads its structured result (`status`, `assert()`'s message),
 *    then writes one JSON line with the nonce to file descriptor 3. The parent takes only that line:
 *    nothing printed counts, and a line without the nonce is ignored.
 */
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { closeProcess, freezeIntrinsics, freezeModules } from './lockdown';
import { MISSING } from './program';

/** What the parent sends. */
export interface VerdictJob {
  nonce: string;
  /** The cells as one JavaScript function body (program.ts: transpiled by the parent, which never runs it). */
  program: string;
  /** The names the program returns. */
  names: string[];
  /** Per grader cell: its id, the grader's path under gs, its arguments, and the TODO cell of each name. */
  calls: Array<{ id: string; path: string[]; args: Array<{ name: string } | { literal: string | number }> }>;
  /** name -> the TODO cell meant to define it (for "renamed or missing" messages). */
  todoOf: Record<string, string>;
}

/** One grader cell's verdict. */
export interface Verdict { id: string; status: 'passed' | 'failed' | 'error'; message: string }

/** What the grading process writes to fd 3. */
export interface VerdictReport { nonce: string; verdicts: Verdict[]; seconds: { load: number; run: number; grade: number } }

const short = (e: unknown): string => {
  const s = e instanceof Error ? `${e.constructor?.name ?? 'Error'}: ${e.message}` : `a non-Error value was thrown: ${String(e)}`;
  return s.split('\n')[0].slice(0, 300);
};

async function main(): Promise<void> {
  const writeSync = fs.writeSync;
  const stringify = JSON.stringify;
  const now = Date.now;
  const job = JSON.parse(fs.readFileSync(0, 'utf8')) as VerdictJob;
  const { nonce } = job;
  const t0 = now();
  

  const root = path.resolve(__dirname, '..');
  const gs = require(path.join(root, 'index')) as Record<string, unknown> & { ready(): Promise<unknown> };
  await gs.ready();
  const graders = new Map<string, (...args: unknown[]) => unknown>();
  for (const c of job.calls) {
    let owner: unknown = gs, fn: unknown = gs;
    for (const k of c.path) { owner = fn; fn = (fn as Record<string, unknown> | undefined)?.[k]; }
    if (typeof fn !== 'function') throw new Error(`the template calls gs.${c.path.join('.')}, which this gradscope does not have`);
    graders.set(c.id, (fn as (...a: unknown[]) => unknown).bind(owner));
  }
  const { program } = job;
  const tfRoot = path.dirname(require.resolve('@tensorflow/tfjs-core/package.json', { paths: [root] }));
  const modulesRoot = path.dirname(tfRoot); // node_modules/@tensorflow
  const owned = (file: string) => file.startsWith(root + path.sep) || file.startsWith(modulesRoot + path.sep);
  const allowed = (id: string) => id === 'gradscope' || id.startsWith('gradscope/') || id.startsWith('@tensorflow/');
  const studentRequire = (id: string): unknown => {
    if (id === 'gradscope') return gs;
    if (allowed(id)) return require(require.resolve(id, { paths: [root] }));
    throw new Error(`the grader runs TODO code with gradscope and @tensorflow/* only (it asked for ${JSON.stringify(id)})`);
  };
  // nothing the student prints goes anywhere (and so needs no stream state the lockdown could freeze)
  const quiet = () => true;
  for (const k of Object.keys(console) as (keyof Console)[]) if (typeof console[k] === 'function') (console as unknown as Record<string, unknown>)[k] = () => {};
  process.stdout.write = quiet as typeof process.stdout.write;
  process.stderr.write = quiet as typeof process.stderr.write;
  const encoded = (text: string) => Buffer.from(text, 'utf8');
  closeProcess();
  freezeIntrinsics();
  freezeModules(owned);
  const tLoad = now();
  const report = (verdicts: Verdict[], seconds: VerdictReport['seconds']) => { const b = encoded(stringify({ nonce, verdicts, seconds }) + '\n'); writeSync(3, b, 0, b.length); };

  const values = new Map<string, unknown>();
  let thrown: string | undefined;
  try {
    const fn = vm.runInThisContext(`(async function (require, exports, module) {\n${program}\n})`, { filename: 'submission.js' }) as (r: unknown, e: unknown, m: unknown) => Promise<Record<string, unknown>>;
    const exports: Record<string, unknown> = {};
    const got = await fn(studentRequire, exports, { exports });
    for (const k of Object.keys(got)) values.set(k, got[k] === MISSING && k in exports ? exports[k] : got[k]);
  } catch (e) {
    thrown = short(e);
  }
  const tRun = now();

  const verdicts: Verdict[] = [];
  for (const c of job.calls) {
    if (thrown !== undefined) { verdicts.push({ id: c.id, status: 'error', message: `your code threw before the grader could run: ${thrown}` }); continue; }
    const missing = c.args.filter((a): a is { name: string } => 'name' in a && values.get(a.name) === MISSING).map((a) => a.name);
    if (missing.length) {
      const where = missing.map((m) => `\`${m}\`${job.todoOf[m] ? ` (TODO cell "${job.todoOf[m]}")` : ''}`).join(', ');
      verdicts.push({ id: c.id, status: 'failed', message: `${where} is not defined: the TODO function was renamed or deleted; the grader calls gs.${c.path.join('.')}(${c.args.map((a) => ('name' in a ? a.name : stringify(a.literal))).join(', ')})` });
      continue;
    }
    try {
      const result = graders.get(c.id)!(...c.args.map((a) => ('name' in a ? values.get(a.name) : a.literal))) as { status?: unknown; assert?: () => void } | undefined;
      const status = result?.status;
      if (status === 'passed') { verdicts.push({ id: c.id, status: 'passed', message: '' }); continue; }
      let message = `the grader said ${String(status)}`;
      try { result?.assert?.(); } catch (e) { message = e instanceof Error ? e.message : String(e); }
      verdicts.push({ id: c.id, status: 'failed', message });
    } catch (e) {
      verdicts.push({ id: c.id, status: 'error', message: `the grader could not run your code: ${short(e)}` });
    }
  }
  report(verdicts, { load: (tLoad - t0) / 1000, run: (tRun - tLoad) / 1000, grade: (now() - tRun) / 1000 });
}

if (require.main === module) {
  main().then(() => process.exit(0), (e) => { process.stderr.write(`gradscope grade: the grading process failed: ${e instanceof Error ? e.stack : String(e)}\n`); process.exit(70); });
}
