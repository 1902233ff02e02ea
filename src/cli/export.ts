/**
 * `gradscope export NOTEBOOK...`: executes notebooks headless on a registered kernel with nbconvert's
 * ExecutePreprocessor and writes, for each, `<out>/notebooks/<name>.ipynb` (the executed copy) and
 * `<out>/html/<name>.html` (nbconvert's plain HTML: charts as their PNG; opens offline). Each runs in
 * its own folder, as Jupyter would run it. Needs a Python with nbconvert (scripts/notebooks.py).
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { CliError, parse, positive } from './args';
import { KERNEL_NAME } from './kernel';
import { RUNNER } from './paths';
import { lookForPython, noPython } from './python';

export const EXPORT_HELP = `gradscope export NOTEBOOK... [options]: execute notebooks and write executed copies and HTML

  --out DIR          where to write DIR/notebooks/<name>.ipynb and DIR/html/<name>.html (default out)
  --allow-errors     run every cell even after one fails (the errors stay in the outputs; exit 0)
  --timeout SECONDS  per cell (default 300)
  --kernel NAME      the kernel (default ${KERNEL_NAME}: register it with gradscope kernel)

Exits 1 when a notebook fails (without --allow-errors), naming the notebook, the cell and the error.`;

/** What scripts/notebooks.py reports for one notebook. */
export interface RunResult {
  ok: boolean;
  seconds: number;
  cells: { index: number; seconds: number; status: string }[];
  /** The cell that stopped the run (1-based cell, code cell number, its first line, the error). */
  error: null | { cell: number; codeCell: number; firstLine: string; kind: string; message: string; errors?: { ename: string; evalue: string }[]; stderr?: string };
  /** Every cell with an error output (with --allow-errors, the run goes on past them). */
  failedCells: { cell: number; ename: string; evalue: string }[];
}

/** Runs one notebook through scripts/notebooks.py; rejects only when the runner itself breaks. */
export function runNotebook(python: string, input: string, executed: string, html: string, kernel: string, timeout: number, allowErrors = false): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const args = [RUNNER, input, executed, html, kernel, String(timeout), ...(allowErrors ? ['--allow-errors'] : [])];
    const child = spawn(python, args, { env: { ...process.env, PYDEVD_DISABLE_FILE_VALIDATION: '1' } });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line) as RunResult);
      } catch {
        reject(new Error(`the notebook runner exited ${code}: ${(stderr || stdout).trim().slice(-3000)}`));
      }
    });
  });
}

/** A notebook file given to export: it must exist and be nbformat 4 JSON. */
function checkNotebook(file: string): void {
  if (!fs.existsSync(file)) throw new CliError(`gradscope export: ${file}: no such file`, 1);
  if (!fs.statSync(file).isFile()) throw new CliError(`gradscope export: ${file}: not a file (give .ipynb files)`, 1);
  let nb: unknown;
  try {
    nb = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CliError(`gradscope export: ${file}: not a notebook (not JSON: ${(e as Error).message})`, 1);
  }
  const cells = (nb as { cells?: unknown })?.cells;
  if (!Array.isArray(cells) || (nb as { nbformat?: unknown }).nbformat !== 4) throw new CliError(`gradscope export: ${file}: not a notebook (expected nbformat 4 JSON with a cells list)`, 1);
}

/** `gradscope export`. */
export async function exportCommand(args: string[]): Promise<number> {
  const { options, rest } = parse('export', args, { out: 'value', 'allow-errors': 'flag', timeout: 'value', kernel: 'value' });
  if (!rest.length) throw new CliError(`gradscope export: no notebook given\n\n${EXPORT_HELP}`);
  const timeout = positive('export', options, 'timeout', 300);
  const kernel = (options.kernel as string | undefined) ?? KERNEL_NAME;
  const out = path.resolve((options.out as string | undefined) ?? 'out');
  const allowErrors = options['allow-errors'] === true;
  for (const f of rest) checkNotebook(f);

  const modules = ['nbconvert', 'nbformat', 'jupyter_client'];
  const py = lookForPython(modules);
  if (!py) throw new CliError(`gradscope export: ${noPython(modules)}`, 1);
  const ks = spawnSync(py.executable, ['-c', 'import sys\nfrom jupyter_client.kernelspec import KernelSpecManager as K\nprint(K().get_kernel_spec(sys.argv[1]).resource_dir)', kernel], { encoding: 'utf8' });
  if (ks.status !== 0) {
    throw new CliError(`gradscope export: no Jupyter kernel named "${kernel}"${kernel === KERNEL_NAME ? ': register it with npx gradscope kernel' : ' (jupyter kernelspec list shows the names)'}`, 1);
  }
  console.log(`python ${py.executable} (nbconvert ${py.versions.nbconvert}), kernel "${kernel}", writing to ${path.relative(process.cwd(), out) || '.'}`);
  const names = new Set<string>();
  let failed = 0;
  for (const f of rest) {
    let name = path.basename(f, '.ipynb');
    for (let k = 2; names.has(name); k++) name = `${path.basename(f, '.ipynb')}-${k}`;
    names.add(name);
    const executed = path.join(out, 'notebooks', `${name}.ipynb`);
    const html = path.join(out, 'html', `${name}.html`);
    const r = await runNotebook(py.executable, path.resolve(f), executed, html, kernel, timeout, allowErrors);
    const shown = (p: string) => path.relative(process.cwd(), p);
    if (r.ok) {
      const errs = r.failedCells.length ? `, ${r.failedCells.length} cell(s) with errors (${r.failedCells.map((c) => `cell ${c.cell}: ${c.ename}`).join(', ')})` : '';
      console.log(`ok      ${f}  ${r.seconds.toFixed(1)} s${errs}  -> ${shown(html)}`);
    } else {
      failed++;
      const e = r.error!;
      console.log(`FAILED  ${f}  at cell ${e.cell} (\`${e.firstLine}\`): ${e.kind}\n${e.message.split('\n').slice(0, 20).map((l) => '        ' + l).join('\n')}\n        executed copy: ${shown(executed)}`);
    }
  }
  return failed ? 1 : 0;
}
