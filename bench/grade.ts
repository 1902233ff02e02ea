/**
 * `npm run bench-grade [-- --n 40 --jobs 2]`: the speed of `gradscope grade` (issue 23): a class of N
 * submissions of homework/backward (the correct one, the catalogued mistakes and the unfinished
 * template, in turn: scripts/grade-class.ts) graded by the built command at --jobs J. Prints the
 * total wall time, the time per submission, where a submission's time goes (kernel start, the
 * notebook's cells, the grading process, from gradebook.json; the kernel and the grading process run
 * at the same time) and the feedback pages' share; then, for comparison, the same correct notebook
 * executed once through nbconvert (scripts/notebooks.py, the path of `gradscope export`) under the
 * same load. The machine's load average is printed with it: on a shared machine the numbers move.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildClass, templatePath } from '../scripts/grade-class';
import { lookForPython } from '../src/cli/python';

const ROOT = path.join(__dirname, '..');
const BIN = path.join(ROOT, 'bin', 'gradscope.cjs');
const arg = (name: string, fallback: number) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : fallback; };
const n = arg('n', 40), jobs = arg('jobs', 2);
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gradscope-bench-grade-'));
const prefix = path.join(tmp, 'jupyter');
if (spawnSync(process.execPath, [BIN, 'kernel', '--prefix', prefix]).status !== 0) throw new Error('gradscope kernel --prefix failed');
const env = { ...process.env, JUPYTER_PATH: path.join(prefix, 'share', 'jupyter') };
const made = path.join(tmp, 'made');
buildClass(made, path.join(tmp, 'unused'), false);
const kinds = fs.readdirSync(path.join(made, 'backward')).sort();
const cls = path.join(tmp, 'class');
fs.mkdirSync(cls);
for (let i = 0; i < n; i++) fs.copyFileSync(path.join(made, 'backward', kinds[i % kinds.length]), path.join(cls, `s${String(i + 1).padStart(2, '0')}.ipynb`));

const load0 = os.loadavg()[0];
const t0 = Date.now();
const r = spawnSync(process.execPath, [BIN, 'grade', '--template', templatePath('backward'), cls, '--out', path.join(tmp, 'out'), '--jobs', String(jobs)], { encoding: 'utf8', env });
const wall = (Date.now() - t0) / 1000;
if (r.status !== 0) throw new Error(`gradscope grade exited ${r.status}: ${r.stderr}`);
const pages = Number(/pages ([\d.]+) s/.exec(r.stdout)?.[1] ?? NaN);
const book = JSON.parse(fs.readFileSync(path.join(tmp, 'out', 'gradebook.json'), 'utf8')) as { submissions: Array<{ seconds: { total: number; kernelStart: number; kernelCells: number; verdict: number } }> };
const s = book.submissions.map((x) => x.seconds);
const load1 = os.loadavg()[0];

const t1 = Date.now();
const py = lookForPython(['nbconvert', 'nbformat', 'jupyter_client']);
const base = spawnSync(py?.executable ?? 'python3', [path.join(ROOT, 'scripts', 'notebooks.py'), path.join(made, 'backward', 'correct.ipynb'), path.join(tmp, 'x.ipynb'), path.join(tmp, 'x.html'), 'gradscope', '120'], { encoding: 'utf8', env });
const nbconvert = (Date.now() - t1) / 1000;

const lines = [
  `${n} submissions of homework/backward, --jobs ${jobs}, ${os.cpus().length} cores (load average ${load0.toFixed(1)} before, ${load1.toFixed(1)} after):`,
  `- total wall ${wall.toFixed(1)} s = ${(wall / n).toFixed(2)} s per submission (feedback pages included: ${pages.toFixed(1)} s for all ${n}, one nbconvert process)`,
  `- one submission, mean of ${n}: ${mean(s.map((x) => x.total)).toFixed(2)} s from start to rows; kernel start ${mean(s.map((x) => x.kernelStart)).toFixed(2)} s, the notebook's cells ${mean(s.map((x) => x.kernelCells)).toFixed(2)} s, the grading process ${mean(s.map((x) => x.verdict)).toFixed(2)} s (at the same time as the kernel)`,
  `- for comparison, the correct notebook once through nbconvert + the gradscope kernel + HTML (scripts/notebooks.py): ${nbconvert.toFixed(1)} s${base.status === 0 ? '' : ' (failed)'}`,
];
console.log(lines.join('\n'));
fs.rmSync(tmp, { recursive: true, force: true });
