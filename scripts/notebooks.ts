/**
 * `npm run notebooks`: executes every notebook headless through the registered tslab kernel
 * (`npm run kernel`; registered first when missing or when it runs another checkout) with
 * nbconvert's ExecutePreprocessor, and writes
 *   out/notebooks/<name>.ipynb   the executed copy
 *   out/html/<name>.html         its HTML export (charts as inline SVG)
 *   out/notebooks.json           a manifest: timings, cell counts, chart outputs per page (read by
 *                                scripts/browser-check.ts)
 * The HTML is nbconvert's plain HTMLExporter, what `jupyter nbconvert --to html` writes: charts
 * arrive as Vega-Lite + PNG, and the page shows the PNG (no workaround for nbconvert's SVG handling).
 * Homework templates (notebooks/homework/*.ipynb) run twice: as committed (TODO unfilled) and as
 * `<name>.solved`, a copy with each TODO cell replaced by the teacher's solution from
 * notebooks/solutions/<todo>.ts. A template ends with a check cell (metadata.gradscope: `grader`,
 * `check`, `id`, `points`) whose `result.assert()` throws unless the grade passed: as committed, the
 * run must stop exactly there (every cell before it runs, the check cell fails with a GradscopeError
 * saying "not yet implemented"); solved, every cell must run. Any other failing cell fails the
 * command, naming notebook, cell and the error; so does a cell that ran but wrote to stderr.
 *
 *   npm run notebooks                        # all
 *   npm run notebooks -- 01 homework/backward   # those whose name contains a filter
 *   npm run notebooks -- path/to/any.ipynb   # any notebook, anywhere: run in its own folder,
 *                                            # written to out/notebooks/<name>.ipynb and out/html/<name>.html
 *   options: --jobs N (parallel kernels, default 2), --timeout S (per cell, default 300),
 *            --check-clean (fail if a committed notebook has outputs; CI uses it), --no-build,
 *            --record (after a full run with every notebook ok, rewrite the section
 *            `## Notebook execution` of BENCHMARKS.md with this run's timings, and the last
 *            `bash .ci/run` phases from out/ci-timings.txt when present; CI does not pass it,
 *            so CI leaves tracked files alone)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import './link-self.cjs'; // node_modules/gradscope -> this checkout, which the notebooks import
import { findPython } from '../src/cli/python';
import { KERNEL_NAME, LAUNCHER, kernelCommand } from '../src/cli/kernel';
import { runNotebook, type RunResult } from '../src/cli/export';
import { replaceSection } from '../bench/sections';
import { cellError, graderProblem, strayStderr, type Nb, type RunError } from './notebook-checks';

const root = path.resolve(__dirname, '..');
const OUT = path.join(root, 'out');

interface Job {
  /** e.g. '01-numerical-derivatives', 'homework/backward', 'homework/backward.solved' */
  name: string;
  /** The notebook executed (a spliced copy under out/ for .solved). */
  input: string;
  /** How the homework run must end: stopped by the check cell's "not yet implemented", or every cell run. */
  expect?: 'todo' | 'solved';
}

export interface ManifestEntry {
  name: string;
  source: string;
  executed: string;
  html: string;
  ok: boolean;
  seconds: number;
  codeCells: number;
  /** Outputs carrying a chart (application/vnd.vegalite.v5+json with its image/png): what the HTML page must show. */
  chartOutputs: number;
  error?: { cell: number; codeCell: number; firstLine: string; kind: string; message: string };
  /** A homework template as committed: its check cell failed as it must (the GradscopeError's message). */
  expectedFailure?: string;
}

const rel = (p: string) => path.relative(root, p);

function args() {
  const argv = process.argv.slice(2);
  const opt = { jobs: Math.max(1, Math.min(2, os.cpus().length)), timeout: 300, checkClean: false, build: true, record: false, filters: [] as string[] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--jobs') opt.jobs = Number(argv[++i]);
    else if (a === '--timeout') opt.timeout = Number(argv[++i]);
    else if (a === '--check-clean') opt.checkClean = true;
    else if (a === '--no-build') opt.build = false;
    else if (a === '--record') opt.record = true;
    else if (a.startsWith('--')) { console.error(`npm run notebooks: unknown option ${a}`); process.exit(2); }
    else opt.filters.push(a);
  }
  return opt;
}

/** A TODO cell's replacement: the solution file minus its import lines, `export ` dropped. */
export function solutionSource(file: string): string {
  return fs.readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => !/^import\s/.test(line))
    .map((line) => line.replace(/^export\s+/, ''))
    .join('\n')
    .trim() + '\n';
}

/** The homework template with every TODO cell (metadata.gradscope.todo) replaced by its solution. */
export function splice(nb: Nb, solutionsDir: string): Nb {
  const copy: Nb = JSON.parse(JSON.stringify(nb));
  for (const cell of copy.cells) {
    const todo = cell.metadata?.gradscope?.todo;
    if (!todo) continue;
    const file = path.join(solutionsDir, `${todo}.ts`);
    if (!fs.existsSync(file)) throw new Error(`no solution for TODO "${todo}": ${rel(file)} is missing`);
    cell.source = solutionSource(file);
  }
  return copy;
}

function collect(filters: string[]): Job[] {
  const jobs: Job[] = [];
  const nbDir = path.join(root, 'notebooks');
  const list = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.ipynb')).sort() : []);
  for (const f of list(nbDir)) jobs.push({ name: f.replace(/\.ipynb$/, ''), input: path.join(nbDir, f) });
  const hwDir = path.join(nbDir, 'homework');
  for (const f of list(hwDir)) {
    const base = `homework/${f.replace(/\.ipynb$/, '')}`;
    jobs.push({ name: base, input: path.join(hwDir, f), expect: 'todo' });
    const nb: Nb = JSON.parse(fs.readFileSync(path.join(hwDir, f), 'utf8'));
    if (nb.cells.some((c) => c.metadata?.gradscope?.todo)) {
      const solved = path.join(OUT, 'solved', f.replace(/\.ipynb$/, '.solved.ipynb'));
      jobs.push({ name: `${base}.solved`, input: solved, expect: 'solved' });
      fs.mkdirSync(path.dirname(solved), { recursive: true });
      fs.writeFileSync(solved, JSON.stringify(splice(nb, path.join(nbDir, 'solutions')), null, 1) + '\n');
    }
  }
  const files = filters.filter(isNotebookPath);
  const names = filters.filter((f) => !isNotebookPath(f));
  const picked = filters.length ? jobs.filter((j) => names.some((f) => j.name.includes(f))) : jobs;
  for (const f of files) {
    const input = path.resolve(f);
    if (!fs.existsSync(input)) { console.error(`npm run notebooks: ${f} does not exist`); process.exit(1); }
    const name = path.basename(input, '.ipynb');
    if (picked.some((j) => path.resolve(j.input) === input)) continue;
    picked.push({ name: jobs.some((j) => j.name === name) || picked.some((j) => j.name === name) ? `${name}-${picked.length}` : name, input });
  }
  return picked;
}

/** An argument naming a notebook file (anything ending in .ipynb), not a name filter. */
const isNotebookPath = (a: string): boolean => a.endsWith('.ipynb');

/** Committed notebooks carry no outputs or execution counts. */
function dirtyCells(file: string): number {
  const nb: Nb = JSON.parse(fs.readFileSync(file, 'utf8'));
  return nb.cells.filter((c) => (c.outputs && c.outputs.length > 0) || (c.execution_count ?? null) !== null).length;
}

/** Runs one job with `gradscope export`'s runner, then judges it (homework expectations, stray stderr). */
async function runOne(py: string, job: Job, timeout: number): Promise<ManifestEntry> {
  const executed = path.join(OUT, 'notebooks', `${job.name}.ipynb`);
  const html = path.join(OUT, 'html', `${job.name}.html`);
  const entry: ManifestEntry = { name: job.name, source: rel(job.input), executed: rel(executed), html: rel(html), ok: false, seconds: 0, codeCells: 0, chartOutputs: 0 };
  let r: RunResult;
  try {
    r = await runNotebook(py, job.input, executed, html, KERNEL_NAME, timeout);
  } catch (e) {
    entry.error = { cell: 0, codeCell: 0, firstLine: '', kind: 'runner', message: (e as Error).message };
    return entry;
  }
  entry.ok = r.ok;
  entry.seconds = r.seconds;
  if (r.error) entry.error = r.error;
  if (fs.existsSync(executed)) {
    const nb: Nb = JSON.parse(fs.readFileSync(executed, 'utf8'));
    entry.codeCells = nb.cells.filter((c) => c.cell_type === 'code').length;
    entry.chartOutputs = nb.cells.flatMap((c) => c.outputs ?? []).filter((o: any) => o.data?.['application/vnd.vegalite.v5+json'] && o.data?.['image/png']).length;
    const error: RunError | undefined = r.error ?? undefined;
    // a homework run is judged whole; a lecture notebook's own failure is reported as it is
    const grader = job.expect ? graderProblem(nb, job.expect, error) : undefined;
    const stray = grader || (!job.expect && !r.ok) ? undefined : strayStderr(nb, error);
    if (grader || stray) {
      entry.ok = false;
      entry.error = { cell: 0, codeCell: 0, firstLine: '', kind: grader ? 'GraderCheck' : 'StrayStderr', message: (grader ?? stray)! };
    } else if (job.expect === 'todo' && error) {
      // the template stopped where it must: at its check cell, "not yet implemented"
      entry.ok = true;
      entry.expectedFailure = `${cellError(error)!.ename}: ${cellError(error)!.evalue}`;
      delete entry.error;
    }
  }
  return entry;
}

async function main() {
  const opt = args();
  const t0 = Date.now();
  const jobs = collect(opt.filters);
  if (!jobs.length) { console.error(`npm run notebooks: no notebook matches ${opt.filters.join(' ')}`); process.exit(1); }

  if (opt.checkClean) {
    const dirty = jobs.filter((j) => !j.input.startsWith(OUT)).map((j) => [j.input, dirtyCells(j.input)] as const).filter(([, n]) => n > 0);
    if (dirty.length) {
      for (const [f, n] of dirty) console.error(`${rel(f)}: ${n} cells carry outputs or execution counts; clear them before committing (Jupyter: Edit > Clear Outputs of All Cells)`);
      process.exit(1);
    }
    console.log(`clean: ${jobs.filter((j) => !j.input.startsWith(OUT)).length} committed notebooks carry no outputs`);
  }
  if (opt.build) {
    const b = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
    if (b.status !== 0) { console.error('npm run notebooks: the build failed (dist/ is what notebooks load)'); process.exit(1); }
  }
  const py = findPython(['nbconvert', 'nbformat', 'jupyter_client'], 'npm run notebooks');
  const ks = spawnSync(py.executable, ['-c', `from jupyter_client.kernelspec import KernelSpecManager as K; print(K().get_kernel_spec(${JSON.stringify(KERNEL_NAME)}).argv[1])`], { encoding: 'utf8' });
  if (ks.status !== 0 || path.resolve(ks.stdout.trim()) !== LAUNCHER) {
    // not registered, or registered by another checkout (whose code the notebooks would then run)
    console.log(ks.status !== 0 ? `kernel "${KERNEL_NAME}" is not registered: registering this checkout's` : `kernel "${KERNEL_NAME}" runs ${ks.stdout.trim()}, not this checkout: registering this checkout's`);
    kernelCommand([]);
  }
  console.log(`python ${py.executable} (nbconvert ${py.versions.nbconvert}), kernel "${KERNEL_NAME}" -> ${LAUNCHER}`);
  console.log(`executing ${jobs.length} notebooks, ${opt.jobs} at a time, per-cell timeout ${opt.timeout}s`);

  const results: ManifestEntry[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      const r = await runOne(py.executable, jobs[i], opt.timeout);
      results[i] = r;
      console.log(`${r.ok ? 'ok    ' : 'FAILED'} ${r.name.padEnd(36)} ${r.seconds.toFixed(1).padStart(6)} s  ${r.codeCells} code cells, ${r.chartOutputs} charts  -> ${r.html}`);
      if (r.expectedFailure) console.log(`       ${''.padEnd(36)} check cell failed as expected: ${r.expectedFailure.slice(0, 100)}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(opt.jobs, jobs.length) }, worker));

  const seconds = (Date.now() - t0) / 1000;
  const manifest = { generated: new Date().toISOString(), seconds, jobs: opt.jobs, notebooks: results };
  fs.mkdirSync(OUT, { recursive: true });
  fs.writeFileSync(path.join(OUT, 'notebooks.json'), JSON.stringify(manifest, null, 2) + '\n');
  const failed = results.filter((r) => !r.ok);
  const sum = results.reduce((s, r) => s + r.seconds, 0);
  console.log(`\n${results.length - failed.length}/${results.length} notebooks ok in ${seconds.toFixed(1)} s wall (${sum.toFixed(1)} s of kernel time); manifest out/notebooks.json`);
  if (opt.record) {
    if (failed.length || opt.filters.length) console.error(`\nnot recorded in BENCHMARKS.md: ${failed.length ? `${failed.length} notebook(s) failed` : 'only a filtered subset ran'}`);
    else {
      const file = path.join(root, 'BENCHMARKS.md');
      const section = notebookSection(results, seconds, opt.jobs, `nbconvert ${py.versions.nbconvert}`);
      fs.writeFileSync(file, replaceSection(fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# gradscope benchmarks\n', '## Notebook execution', section));
      console.log(`recorded in ${rel(file)} (section "## Notebook execution")`);
    }
  }
  for (const r of failed) {
    const e = r.error!;
    const where = e.cell ? `cell ${e.cell} (code cell ${e.codeCell}: \`${e.firstLine}\`)` : e.kind;
    console.error(`\nFAILED ${r.source}, ${where}: ${e.kind}\n${e.message.split('\n').map((l) => '  ' + l).join('\n')}\n  executed copy: ${r.executed}`);
  }
  process.exit(failed.length ? 1 : 0);
}

/** The `## Notebook execution` section of BENCHMARKS.md for a run (see --record). */
export function notebookSection(results: ManifestEntry[], wall: number, jobs: number, tools: string): string {
  const label = (r: ManifestEntry) => (r.name.endsWith('.solved') ? `${r.name} (teacher solution spliced in)` : r.name.startsWith('homework/') ? `${r.name} (template as committed, TODO unfilled)` : r.name);
  const lectures = results.filter((r) => !r.name.startsWith('homework/')).length;
  const solved = results.filter((r) => r.name.endsWith('.solved')).length;
  const templates = results.length - lectures - solved;
  const kernel = results.reduce((s, r) => s + r.seconds, 0);
  const cpus = os.cpus();
  const lines = [
    '## Notebook execution (npm run notebooks)',
    '',
    `Written by \`npm run notebooks -- --record\` on ${new Date().toISOString().slice(0, 10)}: ${results.length} notebook runs (${lectures} lecture notebooks, ${templates} homework templates as committed, ${solved} with the teacher solution spliced in), ${jobs} kernels at a time; ${cpus.length} cores (${cpus[0]?.model ?? 'unknown'}), Node ${process.version}, ${tools}. Commands: \`npm run notebooks\` (this table), \`bash .ci/run\` (the whole CI).`,
    '',
    '| notebook | seconds |',
    '|---|---|',
    ...results.map((r) => `| ${label(r)} | ${r.seconds.toFixed(1)} |`),
    `| **all ${results.length}, wall clock** | **${wall.toFixed(1)}** (${kernel.toFixed(1)} s of kernel time) |`,
  ];
  const ci = path.join(OUT, 'ci-timings.txt');
  if (fs.existsSync(ci)) {
    const phases = fs.readFileSync(ci, 'utf8').split('\n').slice(1).map((l) => l.trim().split(/\s+/)).filter((p) => p.length >= 2);
    const total = phases.find((p) => p[0] === 'total');
    if (total) {
      lines.push('', `Last whole CI run on this checkout (\`bash .ci/run\`, out/ci-timings.txt of ${fs.statSync(ci).mtime.toISOString().slice(0, 10)}): ${total[1]} s in all (${phases.filter((p) => p[0] !== 'total').map((p) => `${p[0]} ${p[1]} s`).join(', ')}).`);
    }
  }
  return lines.join('\n');
}

if (require.main === module) main();
