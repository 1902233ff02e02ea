/**
 * `npm run deno-check`: gradscope in Deno's Jupyter kernel (`deno jupyter`, from the `deno`
 * devDependency), driven by plain `jupyter nbconvert --execute` from a fresh folder outside this
 * checkout whose package.json lists gradscope (`file:` this checkout, node_modules/gradscope a
 * symlink to it, as npm makes it):
 *
 *   smoke      a notebook: the import and gs.backendInfo(); gs.show(chart) between two console.logs
 *              (stdout, ONE display_data with Vega-Lite + PNG + text and the PNG's size in its
 *              metadata, stdout); a chart, a gradCheck report and a grader's result as a cell's last
 *              value (display_data as gs.show sends them; the one-line execute_result may be lost to
 *              Deno 2.9's iopub race, see src/display/deno.ts); a progress loop (one display, 100%)
 *   notebooks  every notebooks/*.ipynb, and notebooks/homework/*.ipynb as committed (only its check
 *              cell may fail, with "not yet implemented") and with the teacher's solution spliced in
 *              (every cell runs); every chart output carries its PNG with metadata
 *
 *   npm run deno-check                   # both
 *   npm run deno-check -- smoke          # one phase; --no-build skips `npm run build`
 *
 * The kernel is registered in a temporary JUPYTER_PATH (your own kernelspecs are left alone). Prints
 * SKIPPED and exits 0 where there is no Python with nbconvert or no deno binary; a failed check exits 1.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { candidates, probe } from '../src/cli/python';
import { splice } from './notebooks';

const root = path.resolve(__dirname, '..');
const KERNEL = 'gradscope-deno-check';
const VL = 'application/vnd.vegalite.v5+json';
type Output = { output_type: string; name?: string; text?: string | string[]; data?: Record<string, any>; metadata?: Record<string, any>; ename?: string; evalue?: string };
type Cell = { cell_type: string; source: string | string[]; outputs?: Output[]; metadata?: Record<string, any> };
type Nb = { cells: Cell[]; metadata: Record<string, unknown>; nbformat: number; nbformat_minor: number };
const join = (s: string | string[] | undefined) => (Array.isArray(s) ? s.join('') : s ?? '');

function skip(why: string): never {
  console.log(`deno-check: SKIPPED (${why})`);
  process.exit(0);
}

function denoBinary(): string | undefined {
  try {
    return (require('deno/install_api.cjs') as { runInstall(): string }).runInstall(); // the binary of @deno/<platform>
  } catch {
    return undefined;
  }
}

/** Runs nbconvert on `file` (in its folder) with the Deno kernel; returns the executed notebook. */
function execute(py: string, jupyterPath: string, file: string): { nb?: Nb; seconds: number; stderr: string } {
  const out = file.replace(/\.ipynb$/, '.out.ipynb');
  const t = Date.now();
  const r = spawnSync(py, ['-m', 'nbconvert', '--to', 'notebook', '--execute', '--allow-errors', `--ExecutePreprocessor.kernel_name=${KERNEL}`,
    '--ExecutePreprocessor.timeout=300', path.basename(file), '--output', path.basename(out)], {
    cwd: path.dirname(file), encoding: 'utf8', timeout: 900_000, env: { ...process.env, JUPYTER_PATH: jupyterPath },
  });
  const seconds = (Date.now() - t) / 1000;
  return { nb: fs.existsSync(out) ? JSON.parse(fs.readFileSync(out, 'utf8')) : undefined, seconds, stderr: `${r.stderr ?? ''}${r.error ?? ''}` };
}

const codeCells = (nb: Nb) => nb.cells.filter((c) => c.cell_type === 'code');
const kinds = (c: Cell) => (c.outputs ?? []).map((o) => (o.output_type === 'stream' ? `stream:${join(o.text).trim()}` : o.output_type === 'display_data' || o.output_type === 'execute_result' ? `${o.output_type}:${Object.keys(o.data ?? {}).sort().join('+')}` : o.output_type));

/** Problems of the chart outputs of a cell: each carries Vega-Lite + PNG + text, the PNG's CSS size in its metadata (half its pixels), no HTML. */
function chartProblems(where: string, c: Cell): string[] {
  const problems: string[] = [];
  for (const o of c.outputs ?? []) {
    if (!o.data || !(VL in o.data)) continue;
    const keys = Object.keys(o.data).sort().join(' ');
    if (keys !== `${VL} image/png text/plain`) problems.push(`${where}: a chart output has ${keys}`);
    const size = o.metadata?.['image/png'];
    const png = Buffer.from(join(o.data['image/png']), 'base64');
    if (!size || png.length < 24 || png.readUInt32BE(16) !== 2 * size.width) problems.push(`${where}: the PNG's metadata ${JSON.stringify(size)} is not half its ${png.length >= 24 ? png.readUInt32BE(16) : '?'} pixels`);
  }
  return problems;
}

const SMOKE = [
  "import * as gs from 'gradscope';\nconst tf = gs.tf;\n`${gs.backendInfo().active} ${gs.backendInfo().float64}`",
  "const chart = gs.charts.deepLinear(gs.deepLinear({ depth: 30, scale: 1.1 }));\nconsole.log('before');\ngs.show(chart);\nconsole.log('after');",
  'chart',
  "const net = gs.mlp({ sizes: [4, 5, 3], hidden: 'tanh', output: 'softmax', seed: 1 });\nconst X = tf.randomNormal([6, 4], 0, 1, 'float32', 1);\nconst Y = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32'), 3);\ngs.gradCheck(net, X, Y)",
  'gs.grade.backward((net, cache, Y) => undefined)',
  "const p = gs.progress('loop', { total: 20 });\nconst t0 = Date.now();\nfor (let i = 1; i <= 20; i++) { while (Date.now() - t0 < i * 30) {} p(i); }\np.finish();",
];

function smoke(py: string, jupyterPath: string, dir: string): string[] {
  const file = path.join(dir, 'smoke.ipynb');
  const cell = (source: string) => ({ cell_type: 'code', source, metadata: {}, outputs: [], execution_count: null });
  fs.writeFileSync(file, JSON.stringify({ cells: SMOKE.map(cell), metadata: { kernelspec: { name: KERNEL, display_name: 'Deno', language: 'typescript' } }, nbformat: 4, nbformat_minor: 5 }));
  const { nb, seconds, stderr } = execute(py, jupyterPath, file);
  if (!nb) return [`smoke: nbconvert failed: ${stderr.trim().split('\n').slice(-8).join('\n')}`];
  const cs = codeCells(nb);
  const k = cs.map(kinds);
  const chart = `display_data:${VL}+image/png+text/plain`;
  const problems: string[] = [];
  const expect = (i: number, ok: boolean, what: string) => { if (!ok) problems.push(`smoke cell ${i + 1}: ${what}; got ${JSON.stringify(k[i])}`); };
  expect(0, /^execute_result:text\/plain$/.test(k[0][0] ?? '') && /(wasm|tensorflow|cpu) wasm-simd/.test(join(cs[0].outputs?.[0]?.data?.['text/plain'])), "the backend's name, and gradscope's float64 kernels in WebAssembly SIMD");
  expect(1, JSON.stringify(k[1]) === JSON.stringify(['stream:before', chart, 'stream:after']), 'stdout, ONE chart display_data, stdout');
  expect(2, k[2][0] === chart && k[2].slice(1).every((x) => x === 'execute_result:text/plain'), 'the chart as display_data, then at most a line of text');
  expect(3, k[3][0] === 'display_data:text/html+text/plain' && k[3][1] === chart, 'the report table, then its chart');
  expect(4, k[4][0] === 'display_data:text/plain' && /backward: not yet implemented/.test(join(cs[4].outputs?.[0]?.data?.['text/plain'])), "the grader's feedback");
  expect(5, k[5].length === 1 && /100% 20\/20 .*done/.test(join(cs[5].outputs?.[0]?.data?.['text/plain'])), 'one progress display at 100%');
  cs.forEach((c, i) => problems.push(...chartProblems(`smoke cell ${i + 1}`, c)));
  console.log(`smoke: ${cs.length} cells in ${seconds.toFixed(1)} s: ${problems.length ? `${problems.length} problems` : 'ok'} (backend ${join(cs[0].outputs?.[0]?.data?.['text/plain']).replace(/\x1b\[\d+m/g, '')})`);
  return problems;
}

/** Problems of an executed shipped notebook: errors (a template's check cell may fail with "not yet implemented"), stderr, charts. */
function notebookProblems(name: string, nb: Nb, template: boolean): string[] {
  const problems: string[] = [];
  codeCells(nb).forEach((c, i) => {
    const where = `${name} cell ${i + 1} (\`${join(c.source).trim().split('\n')[0].slice(0, 60)}\`)`;
    for (const o of c.outputs ?? []) {
      if (o.output_type === 'error' && !(template && c.metadata?.gradscope?.check && /not yet implemented/.test(o.evalue ?? ''))) problems.push(`${where}: ${o.ename}: ${(o.evalue ?? '').split('\n')[0]}`);
      if (o.output_type === 'stream' && o.name === 'stderr') problems.push(`${where} wrote to stderr: ${join(o.text).trim().split('\n')[0]}`);
    }
    problems.push(...chartProblems(where, c));
  });
  return problems;
}

function notebooks(py: string, jupyterPath: string, dir: string): string[] {
  const nbDir = path.join(root, 'notebooks');
  const list = (d: string) => (fs.existsSync(d) ? fs.readdirSync(d).filter((f) => f.endsWith('.ipynb')).sort().map((f) => path.join(d, f)) : []);
  const jobs: { name: string; nb: Nb; template: boolean }[] = list(nbDir).map((f) => ({ name: path.basename(f, '.ipynb'), nb: JSON.parse(fs.readFileSync(f, 'utf8')), template: false }));
  for (const f of list(path.join(nbDir, 'homework'))) {
    const nb: Nb = JSON.parse(fs.readFileSync(f, 'utf8'));
    jobs.push({ name: `homework/${path.basename(f, '.ipynb')}`, nb, template: true });
    if (nb.cells.some((c) => c.metadata?.gradscope?.todo)) jobs.push({ name: `homework/${path.basename(f, '.ipynb')}.solved`, nb: splice(nb as never, path.join(nbDir, 'solutions')) as never, template: false });
  }
  const problems: string[] = [];
  for (const job of jobs) {
    const file = path.join(dir, `${job.name.replace('/', '-')}.ipynb`);
    fs.writeFileSync(file, JSON.stringify(job.nb));
    const { nb, seconds, stderr } = execute(py, jupyterPath, file);
    const found = nb ? notebookProblems(job.name, nb, job.template) : [`${job.name}: nbconvert failed: ${stderr.trim().split('\n').slice(-8).join('\n')}`];
    const charts = nb ? codeCells(nb).flatMap((c) => c.outputs ?? []).filter((o) => o.data && VL in o.data).length : 0;
    console.log(`${job.name}: ${seconds.toFixed(1)} s, ${charts} charts${found.length ? `, ${found.length} problems` : ''}`);
    problems.push(...found);
  }
  return problems;
}

function main(): void {
  const argv = process.argv.slice(2);
  const phases = argv.filter((a) => !a.startsWith('--'));
  for (const p of phases) if (p !== 'smoke' && p !== 'notebooks') { console.error(`deno-check: unknown phase ${p} (smoke, notebooks)`); process.exit(2); }
  const py = candidates().map((c) => probe(c, ['nbconvert', 'nbclient', 'jupyter_client'])).find((p) => p)?.executable;
  if (!py) skip('no Python with nbconvert, nbclient and jupyter_client: sudo apt-get install jupyter-nbconvert python3-ipykernel');
  const deno = denoBinary();
  if (!deno) skip('no deno binary: the `deno` devDependency is not installed (npm ci)');
  if (!argv.includes('--no-build')) {
    const b = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
    if (b.status !== 0) process.exit(1);
  }
  const version = spawnSync(deno, ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0];
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gradscope-deno-'));
  const jupyterPath = path.join(tmp, 'jupyter');
  fs.mkdirSync(path.join(jupyterPath, 'kernels', KERNEL), { recursive: true });
  fs.writeFileSync(path.join(jupyterPath, 'kernels', KERNEL, 'kernel.json'), JSON.stringify({ argv: [deno, 'jupyter', '--kernel', '--conn', '{connection_file}'], display_name: 'Deno', language: 'typescript' }));
  const dir = path.join(tmp, 'notebooks'); // the notebooks' folder: gradscope installed as npm installs a file: dependency
  fs.mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ private: true, dependencies: { gradscope: `file:${root}` } }));
  fs.symlinkSync(root, path.join(dir, 'node_modules', 'gradscope'), 'dir');
  console.log(`deno-check: ${version}, ${py}, in ${dir}`);
  const results = ([['smoke', smoke], ['notebooks', notebooks]] as const)
    .filter(([phase]) => !phases.length || phases.includes(phase))
    .map(([phase, run]) => ({ phase, problems: run(py, jupyterPath, dir) }));
  const problems = results.flatMap((r) => r.problems);
  for (const p of problems) console.log(`  PROBLEM ${p}`);
  const failed = results.filter((r) => r.problems.length).length;
  console.log(`deno-check: ${results.length - failed} passed, ${failed} failed`);
  if (!problems.length) fs.rmSync(tmp, { recursive: true, force: true });
  else console.log(`executed notebooks kept in ${dir}`);
  process.exit(problems.length ? 1 : 0);
}

if (require.main === module) main();
