/**
 * `npm run package-check`: gradscope as users get it. Packs the tarball (`npm pack`), installs it
 * into an empty folder outside this checkout (`npm install ./gradscope-X.tgz`: tfjs-node, optional,
 * fails to install there and must not stop it), registers the kernel with `npx gradscope kernel`,
 * and executes a notebook there on the gradscope kernel and on Deno's kernel (the `deno` binary of
 * this checkout's devDependency, registered as Deno registers itself). Checks, on each kernel:
 *   - `gs.show(chart)`: one display_data with the Vega-Lite spec (an object), the PNG with its size, text;
 *   - a chart as a cell's last expression: the same bundle (gradscope kernel: as the execute_result);
 *   - `1 + 1`: an execute_result "2" (Deno's can be lost to its iopub race: one of three suffices there);
 *   - a bad call: an `error` output with ename GradscopeError;
 *   - a type error: an `error` output with ename TSError (gradscope kernel; Deno does not type-check);
 *   - the cells after those errors run (--allow-errors), and no passing cell wrote to stderr;
 *   - a wrong homework (the backward template with a solution missing its 1/m): `npx gradscope export`
 *     and plain `jupyter nbconvert --execute` without --allow-errors both fail, at the check cell.
 * Also `npx gradscope --help`, an unknown command, export of a missing file and of a non-notebook,
 * `npx gradscope native --check`, and `npx gradscope kernel` run from npx's cache (refused).
 * Jupyter's folders are a temporary JUPYTER_DATA_DIR / JUPYTER_PATH: your kernels are left alone.
 * Figures (tarball size, install time, kernel registration to first executed cell) go to
 * out/package-check.json. Prints SKIPPED where there is no Python with nbconvert.
 *
 *   npm run package-check            # --keep leaves the temporary folder (its path is printed)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { lookForPython } from '../src/cli/python';
import { solutionSource } from './notebooks';

const root = path.resolve(__dirname, '..');
const VL = 'application/vnd.vegalite.v5+json';
type Output = { output_type: string; name?: string; text?: string | string[]; data?: Record<string, any>; metadata?: Record<string, any>; ename?: string; evalue?: string };
type Cell = { cell_type: string; source: string | string[]; outputs?: Output[]; metadata?: Record<string, any>; execution_count?: number | null };
type Nb = { cells: Cell[]; metadata: Record<string, unknown>; nbformat: number; nbformat_minor: number };
const join = (s: string | string[] | undefined) => (Array.isArray(s) ? s.join('') : s ?? '');

const problems: string[] = [];
const figures: Record<string, unknown> = {};
function check(ok: boolean, what: string): void {
  console.log(`${ok ? 'ok    ' : 'FAILED'} ${what}`);
  if (!ok) problems.push(what);
}
function run(cmd: string, args: string[], opts: SpawnSyncOptions = {}): { status: number | null; out: string; err: string; seconds: number } {
  const t = Date.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26, timeout: 900_000, ...opts });
  return { status: r.status, out: String(r.stdout ?? ''), err: `${r.stderr ?? ''}${r.error ? String(r.error) : ''}`, seconds: (Date.now() - t) / 1000 };
}

function notebook(cells: string[], kernel: string): Nb {
  return {
    cells: cells.map((source) => ({ cell_type: 'code', source, metadata: {}, outputs: [], execution_count: null })),
    metadata: { kernelspec: { name: kernel, display_name: kernel, language: 'typescript' } },
    nbformat: 4,
    nbformat_minor: 4,
  };
}

const CHART = 'gs.charts.deepLinear(gs.deepLinear({ depth: 10, scale: 1.1 }))';
function cellsFor(deno: boolean): string[] {
  return [
    "import * as gs from 'gradscope';\nconst tf = gs.tf;",
    '1 + 1',
    ...(deno ? ['1 + 1', '1 + 1'] : []),
    `gs.show(${CHART});`,
    CHART,
    'gs.mlp({ sizes: [2, -1] })',
    ...(deno ? [] : ["const n: number = 'a';"]),
    "console.log('after the errors');",
  ];
}

/** The chart bundle's problems, or '' when it is right. */
function chartBundle(o: Output | undefined): string {
  if (!o?.data) return 'no output';
  const keys = Object.keys(o.data).sort().join(' ');
  if (keys !== `${VL} image/png text/plain`) return `MIME types ${keys}`;
  if (typeof o.data[VL] !== 'object') return 'the Vega-Lite spec is not an object';
  const size = o.metadata?.['image/png'];
  const png = Buffer.from(join(o.data['image/png']), 'base64');
  if (!size?.width || png.readUInt32BE(16) !== 2 * size.width) return `PNG metadata ${JSON.stringify(size)} is not half its ${png.readUInt32BE(16)} pixels`;
  return '';
}

function checkRun(label: string, nb: Nb, deno: boolean): void {
  const cells = nb.cells;
  const bySource = (s: string) => cells.filter((c) => join(c.source) === s);
  const outs = (c: Cell | undefined) => c?.outputs ?? [];
  const results = bySource('1 + 1').flatMap((c) => outs(c).filter((o) => o.output_type === 'execute_result'));
  check(results.length >= 1 && results.every((o) => join(o.data?.['text/plain']).replace(/\x1b\[[0-9;]*m/g, '') === '2'), `${label}: 1 + 1 gives an execute_result "2" (${results.length} of ${bySource('1 + 1').length} arrived)`);
  const shown = outs(bySource(`gs.show(${CHART});`)[0]).filter((o) => o.output_type === 'display_data');
  check(shown.length === 1 && chartBundle(shown[0]) === '', `${label}: gs.show(chart) is one display_data with Vega-Lite + PNG (its size) + text${shown.length === 1 ? ` ${chartBundle(shown[0])}` : `: ${shown.length} display_data`}`);
  const last = outs(bySource(CHART)[0]).find((o) => o.data?.[VL]);
  check(!!last && chartBundle(last) === '' && (deno || last.output_type === 'execute_result'), `${label}: a chart as the last expression draws (${last ? `${last.output_type} ${chartBundle(last)}` : 'no chart output'})`);
  const bad = outs(bySource('gs.mlp({ sizes: [2, -1] })')[0]).find((o) => o.output_type === 'error');
  check(bad?.ename === 'GradscopeError' && /sizes/.test(bad.evalue ?? ''), `${label}: a bad call is an error output with ename GradscopeError (${bad ? `${bad.ename}: ${bad.evalue}` : 'none'})`);
  if (!deno) {
    const ts = outs(bySource("const n: number = 'a';")[0]).find((o) => o.output_type === 'error');
    check(ts?.ename === 'TSError', `${label}: a type error is an error output with ename TSError (${ts ? `${ts.ename}: ${ts.evalue}` : 'none'})`);
  }
  const after = outs(bySource("console.log('after the errors');")[0]);
  check(after.some((o) => o.output_type === 'stream' && join(o.text).includes('after the errors')), `${label}: the cell after the errors ran`);
  const stray = cells.filter((c) => !outs(c).some((o) => o.output_type === 'error') && outs(c).some((o) => o.output_type === 'stream' && o.name === 'stderr'));
  check(stray.length === 0, `${label}: no passing cell wrote to stderr${stray.length ? `: ${stray.map((c) => join(outs(c).find((o) => o.name === 'stderr')!.text).slice(0, 200)).join(' | ')}` : ''}`);
}

function main(): void {
  const keep = process.argv.includes('--keep');
  const py = lookForPython(['nbconvert', 'nbformat', 'jupyter_client']);
  if (!py) {
    console.log('package-check: SKIPPED (no Python with nbconvert, nbformat and jupyter_client: sudo apt-get install jupyter-nbconvert python3-ipykernel)');
    return;
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gradscope-package-'));
  const project = path.join(tmp, 'course');
  const jupyterDir = path.join(tmp, 'jupyter');
  fs.mkdirSync(project);
  const env: NodeJS.ProcessEnv = { ...process.env, JUPYTER_DATA_DIR: jupyterDir, JUPYTER_PATH: jupyterDir, npm_config_yes: 'true' };
  delete env.npm_execpath; // npx/npm as a user runs them, not this npm run's
  try {
    // 1. the tarball
    const pack = run('npm', ['pack', '--pack-destination', tmp, '--silent'], { cwd: root });
    const tarball = path.join(tmp, pack.out.trim().split('\n').pop() ?? '');
    check(pack.status === 0 && fs.existsSync(tarball), `npm pack: ${path.basename(tarball)}`);
    if (!fs.existsSync(tarball)) throw new Error(pack.err);
    figures.tarballBytes = fs.statSync(tarball).size;
    const listed = run('tar', ['-tzf', tarball]).out.split('\n');
    for (const f of ['package/bin/gradscope.cjs', 'package/dist/cli/main.js', 'package/dist/index.js', 'package/scripts/tslab-kernel.cjs', 'package/scripts/tslab-execute.cjs', 'package/scripts/notebooks.py', 'package/scripts/notebooks-html.py', 'package/dist/batch/verdict.js']) {
      check(listed.includes(f), `the tarball holds ${f.slice('package/'.length)}`);
    }
    figures.tarballFiles = listed.filter(Boolean).length;
    figures.unpackedBytes = run('tar', ['-tvzf', tarball]).out.split('\n').filter(Boolean).reduce((n, l) => n + Number(l.trim().split(/\s+/)[2] || 0), 0);

    // 2. install into an empty folder
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'course', private: true }, null, 2));
    const install = run('npm', ['install', '--no-audit', '--no-fund', tarball], { cwd: project, env });
    figures.installSeconds = install.seconds;
    check(install.status === 0, `npm install ./${path.basename(tarball)} into an empty folder (${install.seconds.toFixed(1)} s)${install.status === 0 ? '' : `: ${install.err.slice(-1500)}`}`);
    figures.tfjsNodeInstalled = fs.existsSync(path.join(project, 'node_modules', '@tensorflow', 'tfjs-node', 'package.json'));

    // 3. the command
    const npx = (args: string[], opts: SpawnSyncOptions = {}) => run('npx', ['--no-install', 'gradscope', ...args], { cwd: project, env, ...opts });
    const help = npx(['--help']);
    check(help.status === 0 && /kernel/.test(help.out) && /export/.test(help.out) && /native/.test(help.out), 'npx gradscope --help lists kernel, export, native');
    const unknown = npx(['kernal']);
    check(unknown.status !== 0 && /unknown command "kernal".*kernel, export, grade, native/.test(unknown.err), `an unknown command is a clear error listing the commands (${unknown.err.trim()})`);
    const missing = npx(['export', 'nope.ipynb']);
    check(missing.status === 1 && /nope\.ipynb: no such file/.test(missing.err), `export of a missing file names it (${missing.err.trim()})`);
    fs.writeFileSync(path.join(project, 'notes.ipynb'), 'not json');
    const notNb = npx(['export', 'notes.ipynb']);
    check(notNb.status === 1 && /notes\.ipynb: not a notebook/.test(notNb.err), `export of a non-notebook names it (${notNb.err.trim()})`);

    // from npx's cache (no local install) the kernel would point at files npm purges: refused
    const elsewhere = path.join(tmp, 'elsewhere');
    fs.mkdirSync(elsewhere);
    const cached = run('npx', ['--yes', '--package', tarball, 'gradscope', 'kernel'], { cwd: elsewhere, env });
    check(cached.status === 1 && /npx's temporary cache/.test(cached.err) && /npm install gradscope/.test(cached.err) && !fs.existsSync(path.join(jupyterDir, 'kernels', 'gradscope')),
      `npx gradscope kernel with no local install is refused, nothing registered (${cached.err.trim().split('\n')[0].slice(0, 160)})`);

    const nativeCheck = npx(['native', '--check']);
    check(nativeCheck.status === 0 ? /\[native\] ok/.test(nativeCheck.out) : nativeCheck.status === 1 && /does not load: .*Run: npx gradscope native/.test(nativeCheck.err),
      `npx gradscope native --check says whether tfjs-node loads in this install (${(nativeCheck.out + nativeCheck.err).trim().split('\n').pop()})`);

    // 4. the kernel, and the first executed cell
    const reg = npx(['kernel']);
    check(reg.status === 0 && reg.out.includes(path.join(jupyterDir, 'kernels', 'gradscope')), `npx gradscope kernel registers the kernel (${reg.seconds.toFixed(1)} s): ${reg.out.split('\n')[0]}`);
    const spec = JSON.parse(fs.readFileSync(path.join(jupyterDir, 'kernels', 'gradscope', 'kernel.json'), 'utf8'));
    check(fs.realpathSync(spec.argv[1]).startsWith(fs.realpathSync(path.join(project, 'node_modules', 'gradscope'))), `the kernel runs the installed package (${spec.argv[1]})`);
    const deno = (require('deno/install_api.cjs') as { runInstall(): string }).runInstall();
    fs.mkdirSync(path.join(jupyterDir, 'kernels', 'deno'), { recursive: true });
    fs.writeFileSync(path.join(jupyterDir, 'kernels', 'deno', 'kernel.json'), JSON.stringify({ argv: [deno, 'jupyter', '--kernel', '--conn', '{connection_file}'], display_name: 'Deno', language: 'typescript' }));

    for (const [kernel, isDeno] of [['gradscope', false], ['deno', true]] as const) {
      const first = path.join(project, `first-${kernel}.ipynb`);
      fs.writeFileSync(first, JSON.stringify(notebook(["import * as gs from 'gradscope';\ngs.backendInfo().active"], kernel)));
      const t = run(py.executable, ['-m', 'nbconvert', '--to', 'notebook', '--execute', `--ExecutePreprocessor.kernel_name=${kernel}`, first, '--output', `first-${kernel}.out.ipynb`], { cwd: project, env });
      figures[`firstCellSeconds_${kernel}`] = t.seconds + (isDeno ? 0 : reg.seconds);
      check(t.status === 0, `${kernel}: registration to the first executed cell (import gradscope): ${(t.seconds + (isDeno ? 0 : reg.seconds)).toFixed(1)} s${t.status === 0 ? '' : `: ${t.err.slice(-800)}`}`);

      const file = path.join(project, `check-${kernel}.ipynb`);
      fs.writeFileSync(file, JSON.stringify(notebook(cellsFor(isDeno), kernel), null, 1));
      const ex = npx(['export', path.basename(file), '--allow-errors', '--kernel', kernel, '--out', 'exported']);
      check(ex.status === 0, `${kernel}: npx gradscope export --allow-errors (${ex.seconds.toFixed(1)} s)${ex.status === 0 ? '' : `: ${ex.out.slice(-800)}${ex.err.slice(-800)}`}`);
      const executed = path.join(project, 'exported', 'notebooks', `check-${kernel}.ipynb`);
      if (fs.existsSync(executed)) checkRun(kernel, JSON.parse(fs.readFileSync(executed, 'utf8')), isDeno);
      const html = path.join(project, 'exported', 'html', `check-${kernel}.html`);
      check(fs.existsSync(html) && /data:image\/png;base64,/.test(fs.readFileSync(html, 'utf8')), `${kernel}: the exported HTML shows the charts' PNGs`);

      // a wrong homework fails the run
      const template: Nb = JSON.parse(fs.readFileSync(path.join(root, 'notebooks', 'homework', 'backward.ipynb'), 'utf8'));
      const wrong = solutionSource(path.join(root, 'notebooks', 'solutions', 'backward.ts')).replace('.div(m); // dW^l', '; // dW^l (planted: no 1/m)');
      check(wrong.includes('planted'), 'the planted homework mistake is in place');
      for (const c of template.cells) if (c.metadata?.gradscope?.todo) c.source = wrong;
      (template.metadata as { kernelspec: object }).kernelspec = { name: kernel, display_name: kernel, language: 'typescript' };
      const hw = path.join(project, `homework-${kernel}.ipynb`);
      fs.writeFileSync(hw, JSON.stringify(template, null, 1));
      const strict = npx(['export', path.basename(hw), '--kernel', kernel, '--out', 'exported']);
      check(strict.status === 1 && /GradscopeError: backward: .*dW/.test(strict.out), `${kernel}: a wrong homework fails npx gradscope export, at its check cell (${(strict.out.split('\n').find((l) => l.includes('GradscopeError')) ?? strict.out.slice(-300)).trim().slice(0, 200)})`);
      const plain = run(py.executable, ['-m', 'nbconvert', '--to', 'html', '--execute', `--ExecutePreprocessor.kernel_name=${kernel}`, path.basename(hw)], { cwd: project, env });
      check(plain.status !== 0 && /GradscopeError/.test(plain.err), `${kernel}: and plain jupyter nbconvert --execute (exit ${plain.status})`);
    }
  } catch (e) {
    problems.push(`package-check stopped: ${(e as Error).message}`);
    console.log(`FAILED package-check stopped: ${(e as Error).stack}`);
  } finally {
    fs.mkdirSync(path.join(root, 'out'), { recursive: true });
    fs.writeFileSync(path.join(root, 'out', 'package-check.json'), JSON.stringify({ when: new Date().toISOString(), figures, problems }, null, 2) + '\n');
    console.log(`figures: ${JSON.stringify(figures)}`);
    if (keep) console.log(`kept ${tmp}`);
    else fs.rmSync(tmp, { recursive: true, force: true });
  }
  console.log(problems.length ? `\n${problems.length} failed` : '\nevery package check passed');
  process.exitCode = problems.length ? 1 : 0;
}

main();
