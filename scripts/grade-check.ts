/**
 * `npm run grade-check` (a CI phase): grades the synthetic class of scripts/grade-class.ts with the
 * built command (`node bin/gradscope.cjs grade`, after `npm run build`), one batch per homework
 * template, and checks every row of each gradebook.csv, the total rows, the feedback pages, and that
 * the hostile submissions left nothing outside their folders. The kernel is registered into a
 * temporary prefix (JUPYTER_PATH), never the user's folders. Exits 1 listing every mismatch.
 *
 *   npm run grade-check [-- --jobs N --timeout S --only backward]
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildClass, templatePath, type Student } from './grade-class';

const ROOT = path.join(__dirname, '..');
const BIN = path.join(ROOT, 'bin', 'gradscope.cjs');

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

/** Splits a CSV text (RFC 4180 quoting) into rows of fields. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [], field = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (ch === '"') quoted = false; else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(field); field = ''; } else if (ch === '\n') { row.push(field); rows.push(row); row = []; field = ''; } else field += ch;
  }
  if (field || row.length) { row.push(field); rows.push(row); }
  return rows;
}

/** The mismatches between a gradebook and what the class must get. */
export function check(csv: string, students: Student[], out: string, sandboxed: boolean): string[] {
  const [header, ...rows] = parseCsv(csv);
  const bad: string[] = [];
  if (header.join(',') !== 'submission,cell,points,max_points,status,message') bad.push(`header: ${header.join(',')}`);
  const expectedCount = students.reduce((n, s) => n + s.expected.length + 1, 0);
  if (rows.length !== expectedCount) bad.push(`${rows.length} rows, expected ${expectedCount}`);
  for (const s of students) {
    const mine = rows.filter((r) => r[0] === s.name);
    for (const e of [...s.expected, { cell: 'total', status: '', points: s.expected.reduce((n, x) => n + x.points, 0) }]) {
      const r = mine.find((x) => x[1] === e.cell);
      if (!r) { bad.push(`${s.name}: no row for cell ${e.cell}`); continue; }
      const [, , points, , status, message] = r;
      const wantStatus = e.cell === 'total' ? (s.expected.every((x) => x.status === 'passed') ? 'passed' : ['invalid', 'timeout', 'error', 'failed'].find((st) => s.expected.some((x) => x.status === st))) : e.status;
      if (status !== wantStatus) bad.push(`${s.name} ${e.cell}: status ${status}, expected ${wantStatus} (${message})`);
      if (Number(points) !== e.points) bad.push(`${s.name} ${e.cell}: ${points} points, expected ${e.points}`);
      if ('message' in e && e.message && !e.message.test(message)) bad.push(`${s.name} ${e.cell}: message ${JSON.stringify(message)} does not match ${e.message}`);
    }
    const page = path.join(out, 'feedback', s.name.replace(/\.ipynb$/, '.html'));
    const invalid = s.expected.some((x) => x.status === 'invalid');
    if (invalid === fs.existsSync(page)) bad.push(`${s.name}: feedback page ${invalid ? 'written for an invalid submission' : 'missing'}`);
    bad.push(...(s.after?.(out, sandboxed) ?? []));
  }
  return bad;
}

function main(): void {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gradscope-grade-check-'));
  const jobs = option('jobs', String(os.cpus().length));
  const timeout = option('timeout', '60');
  const only = option('only', '');
  const prefix = path.join(tmp, 'jupyter');
  const reg = spawnSync(process.execPath, [BIN, 'kernel', '--prefix', prefix], { encoding: 'utf8' });
  if (reg.status !== 0) { console.error(reg.stderr || reg.stdout); process.exit(1); }
  const env = { ...process.env, JUPYTER_PATH: path.join(prefix, 'share', 'jupyter') };
  const outOf = (hw: string) => path.join(tmp, `out-${hw}`);
  const students = buildClass(path.join(tmp, 'class'), outOf('backward'));
  const homeworks = [...new Set(students.map((s) => s.template))].filter((hw) => !only || hw === only);
  const problems: string[] = [];
  for (const hw of homeworks) {
    const mine = students.filter((s) => s.template === hw);
    const t0 = Date.now();
    const r = spawnSync(process.execPath, [BIN, 'grade', '--template', templatePath(hw as 'backward'), path.join(tmp, 'class', hw), '--out', outOf(hw), '--jobs', jobs, '--timeout', timeout], { encoding: 'utf8', env, maxBuffer: 1 << 26 });
    const wall = (Date.now() - t0) / 1000;
    process.stdout.write(r.stdout);
    if (r.status !== 0) { problems.push(`${hw}: gradscope grade exited ${r.status}: ${r.stderr.trim().slice(-2000)}`); continue; }
    const csv = fs.readFileSync(path.join(outOf(hw), 'gradebook.csv'), 'utf8');
    const json = JSON.parse(fs.readFileSync(path.join(outOf(hw), 'gradebook.json'), 'utf8')) as { submissions: unknown[] };
    if (json.submissions.length !== mine.length) problems.push(`${hw}: gradebook.json has ${json.submissions.length} submissions, expected ${mine.length}`);
    const bad = check(csv, mine, outOf(hw), /^sandbox: bubblewrap/m.test(r.stdout));
    problems.push(...bad.map((b) => `${hw}: ${b}`));
    console.log(`${hw}: ${mine.length} submissions, ${mine.length * 2} rows checked, ${bad.length} mismatches, ${wall.toFixed(1)} s`);
  }
  if (problems.length) {
    console.error(`grade-check: ${problems.length} problem(s):\n${problems.map((p) => '  ' + p).join('\n')}\n(class and gradebooks kept in ${tmp})`);
    process.exit(1);
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  console.log(`grade-check: every row as expected (${students.filter((s) => homeworks.includes(s.template)).length} submissions)`);
}

if (require.main === module) main();
