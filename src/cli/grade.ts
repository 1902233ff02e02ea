/**
 * `gradscope grade --template T.ipynb SUBMISSIONS... --out DIR`: grades a class's notebooks against a
 * homework template (src/batch/: merge, kernel run, grading process, gradebook) and writes
 * DIR/gradebook.csv, DIR/gradebook.json and DIR/feedback/<submission>.html.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { progress, writeGradebook } from '../batch/gradebook';
import type { KernelSpec } from '../batch/kernel';
import { graderCells, parseNotebook } from '../batch/notebook';
import { probeSandbox } from '../batch/sandbox';
import { gradeSubmission, type Batch, type Graded } from '../batch/submission';
import { CliError, parse, positive } from './args';
import { KERNEL_NAME } from './kernel';
import { PACKAGE_ROOT } from './paths';
import { lookForPython, noPython } from './python';

export const GRADE_HELP = `gradscope grade --template T.ipynb SUBMISSIONS... --out DIR [options]: grade a class's notebooks

  SUBMISSIONS        .ipynb files, or folders searched for them (a submission's name in the gradebook is
                     its path relative to the folder given, e.g. alice/backward.ipynb)
  --template FILE    the homework template the notebooks were made from (its TODO and grader cells)
  --out DIR          writes DIR/gradebook.csv, DIR/gradebook.json, DIR/feedback/<submission>.html
  --timeout SECONDS  per notebook (default 120): the kernel, and the grader's own run, are killed after it
  --jobs N           submissions graded at once (default: the number of cores)
  --kernel NAME      the kernel of the feedback run (default ${KERNEL_NAME}: register it with gradscope kernel).
                     --kernel deno does not type-check: a TODO with a type error then runs instead of
                     failing with TSError, which can change grades.

Each submission's TODO cells (metadata gradscope.todo) and added cells go into the template; grader
cells always come from it. The notebook runs on its own kernel for the feedback page, and a separate
grading process, which the submission's code cannot reach, decides each grader cell: passed, failed,
error, timeout or invalid. Exit code 0 when the batch ran, whatever the scores; 1 when it could not.`;

/** The .ipynb files under `arg` (a file or a folder), each with its name for the gradebook. */
function collect(arg: string): Array<{ file: string; name: string }> {
  if (!fs.existsSync(arg)) throw new CliError(`gradscope grade: SUBMISSIONS ${arg}: no such file or folder (expected .ipynb files or folders of them)`, 1);
  if (fs.statSync(arg).isFile()) return [{ file: arg, name: path.basename(arg) }];
  const out: Array<{ file: string; name: string }> = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules') walk(p);
      else if (e.isFile() && e.name.endsWith('.ipynb') && !e.name.startsWith('.')) out.push({ file: p, name: path.relative(arg, p).split(path.sep).join('/') });
    }
  };
  walk(arg);
  return out;
}

/** The kernelspec of `name`, through jupyter_client. */
function kernelSpec(python: string, name: string): KernelSpec {
  const code = 'import sys, json\nfrom jupyter_client.kernelspec import KernelSpecManager as K\ns = K().get_kernel_spec(sys.argv[1])\nprint(json.dumps({"argv": s.argv, "env": s.env, "resourceDir": s.resource_dir}))';
  const r = spawnSync(python, ['-c', code, name], { encoding: 'utf8' });
  if (r.status !== 0) throw new CliError(`gradscope grade: --kernel ${name}: no Jupyter kernel of that name${name === KERNEL_NAME ? ' (register it with npx gradscope kernel)' : ' (jupyter kernelspec list shows the names)'}`, 1);
  return { name, ...JSON.parse(r.stdout.trim().split('\n').pop()!) };
}

/** Runs `work` on `items` with at most `jobs` at once, in order of start. */
async function pool<T, R>(items: T[], jobs: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => { while (next < items.length) { const i = next++; out[i] = await work(items[i]); } };
  await Promise.all(Array.from({ length: Math.min(jobs, items.length) }, lane));
  return out;
}

/** `gradscope grade`. */
export async function gradeCommand(args: string[]): Promise<number> {
  const { options, rest } = parse('grade', args, { template: 'value', out: 'value', timeout: 'value', jobs: 'value', kernel: 'value' });
  const template = options.template as string | undefined;
  if (!template) throw new CliError(`gradscope grade: --template is missing (expected the homework template .ipynb)\n\n${GRADE_HELP}`);
  if (!options.out) throw new CliError('gradscope grade: --out is missing (expected the folder for the gradebook and feedback pages)');
  if (!rest.length) throw new CliError('gradscope grade: no SUBMISSIONS given (expected .ipynb files or folders of them)');
  const timeout = positive('grade', options, 'timeout', 120);
  const jobs = positive('grade', options, 'jobs', os.cpus().length || 1);
  if (!Number.isInteger(jobs)) throw new CliError(`gradscope grade: --jobs ${String(options.jobs)}: expected a whole number >= 1`);
  const kernel = (options.kernel as string | undefined) ?? KERNEL_NAME;
  const out = path.resolve(options.out as string);

  if (!fs.existsSync(template) || !fs.statSync(template).isFile()) throw new CliError(`gradscope grade: --template ${template}: no such file`, 1);
  const tnb = parseNotebook(fs.readFileSync(template, 'utf8'));
  if (typeof tnb === 'string') throw new CliError(`gradscope grade: --template ${template}: ${tnb}`, 1);
  let graders;
  try { graders = graderCells(tnb); } catch (e) { throw new CliError(`gradscope grade: --template ${template}: ${(e as Error).message}`, 1); }
  const subs = rest.flatMap(collect).filter((s) => path.resolve(s.file) !== path.resolve(template));
  const seen = new Set<string>();
  for (const s of subs) { let n = s.name; for (let k = 2; seen.has(n); k++) n = s.name.replace(/\.ipynb$/, `-${k}.ipynb`); s.name = n; seen.add(n); }
  if (!subs.length) throw new CliError(`gradscope grade: no .ipynb file in ${rest.join(', ')}`, 1);

  const modules = ['nbconvert', 'nbformat', 'jupyter_client'];
  const py = lookForPython(modules);
  if (!py) throw new CliError(`gradscope grade: ${noPython(modules)}`, 1);
  const spec = kernelSpec(py.executable, kernel);
  const roots = rest.map((r) => path.resolve(fs.statSync(r).isFile() ? path.dirname(r) : r));
  const shown = [path.dirname(path.dirname(process.execPath)), PACKAGE_ROOT, fs.realpathSync(PACKAGE_ROOT), path.dirname(require.resolve('tslab/package.json')), spec.resourceDir,
    ...spec.argv.filter((a) => path.isAbsolute(a) && fs.existsSync(a)).map((a) => path.dirname(path.dirname(a)))];
  fs.mkdirSync(out, { recursive: true }); // exists from the start, so the sandbox hides it
  const box = probeSandbox([...roots, out], shown);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gradscope-grade-'));
  const batch: Batch = { template: tnb, graders, spec, box, timeoutMs: timeout * 1000, work };
  const max = graders.reduce((s, g) => s + g.points, 0);
  console.log(`grading ${subs.length} submission(s) of ${path.basename(template)} (${graders.length} grader cell(s), ${max} points) on kernel "${kernel}", ${jobs} at a time, timeout ${timeout} s`);
  console.log(box.bwrap ? 'sandbox: bubblewrap (read-only system, no home, no network for the grader, submissions and output hidden)' : `sandbox: ${box.why}`);

  const t0 = Date.now();
  const bar = progress(subs.length, !!process.stdout.isTTY, (s) => process.stdout.write(s));
  const graded: Graded[] = [];
  const pages: Array<[string, string]> = [];
  try {
    await pool(subs, jobs, async (s) => {
      const g = await gradeSubmission(batch, s.file, s.name);
      graded.push(g);
      if (g.executed) {
        const nbFile = path.join(work, `page-${pages.length}.ipynb`);
        fs.writeFileSync(nbFile, JSON.stringify(g.executed));
        pages.push([nbFile, path.join(out, 'feedback', s.name.replace(/\.ipynb$/, '') + '.html')]);
      }
      bar.add(g);
      return g;
    });
    bar.end();
    const order = new Map(subs.map((s, i) => [s.name, i]));
    graded.sort((a, b) => order.get(a.submission)! - order.get(b.submission)!);
    writeGradebook(out, graded);
    const tHtml = Date.now();
    const list = path.join(work, 'pages.json');
    fs.writeFileSync(list, JSON.stringify(pages));
    const html = spawnSync(py.executable, [path.join(PACKAGE_ROOT, 'scripts', 'notebooks-html.py'), list], { encoding: 'utf8', env: { ...process.env, PYDEVD_DISABLE_FILE_VALIDATION: '1' } });
    let htmlNote = `${pages.length} feedback page(s)`;
    try {
      const r = JSON.parse(html.stdout.trim().split('\n').pop() ?? '') as { written: number; failed: [string, string][] };
      htmlNote = `${r.written} feedback page(s)${r.failed.length ? `, ${r.failed.length} failed (${r.failed[0][1]})` : ''}`;
    } catch { htmlNote = `feedback pages failed: ${(html.stderr || html.stdout).trim().split('\n').slice(-2).join(' ')}`; }
    const ran = graded.filter((g) => g.executed);
    if (ran.length && ran.every((g) => !g.kernelStarted)) {
      throw new CliError(`gradscope grade: the kernel "${kernel}" died before it started, for every submission: ${ran[0].rows[0]?.message ?? ''}`, 1);
    }
    const passed = graded.filter((g) => g.total.status === 'passed').length;
    const wall = (Date.now() - t0) / 1000;
    console.log(`${passed} of ${graded.length} passed every grader cell; ${wall.toFixed(1)} s (${(wall / graded.length).toFixed(2)} s per submission; pages ${((Date.now() - tHtml) / 1000).toFixed(1)} s)`);
    console.log(`wrote ${path.relative(process.cwd(), path.join(out, 'gradebook.csv'))}, gradebook.json and ${htmlNote} in ${path.relative(process.cwd(), path.join(out, 'feedback')) || '.'}`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  return 0;
}
