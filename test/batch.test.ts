// `gradscope grade`'s pieces without a kernel: merging a submission into its template, the
// templates' points and ids, the program the grading process runs, the gradebook's CSV, the
// command's argument errors, and the grading process itself against submissions that try to make a
// wrong answer pass (npm run grade-check grades a whole class through kernels: a CI phase).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { pathToFileURL } from 'node:url';
import { graderCells, graderCall, merge, parseNotebook, sourceOf, type Cell, type Notebook } from '../src/batch/notebook';
import { MISSING, programOf } from '../src/batch/program';
import { runVerdict, totalRow, type Graded } from '../src/batch/submission';
import { toCsv } from '../src/batch/gradebook';
import { parseCsv } from '../scripts/grade-check';
import { edit, solution } from '../scripts/grade-class';

const root = path.join(__dirname, '..');
const read = (f: string) => parseNotebook(fs.readFileSync(path.join(root, 'notebooks', 'homework', f), 'utf8')) as Notebook;
const code = (source: string, metadata: Record<string, unknown> = {}): Cell => ({ cell_type: 'code', source, metadata, outputs: [] });
const nb = (...cells: Cell[]): Notebook => ({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells });

const template = nb(
  code("import * as gs from 'gradscope';"),
  code('const f = (x: number) => undefined;', { gradscope: { todo: 'f' } }),
  code('const result = gs.grade.backward(f);\nresult', { gradscope: { feedback: 'f' } }),
  code('result.assert();', { gradscope: { grader: true, check: true, id: 'f', points: 3 } }),
);

describe('merging a submission into its template', () => {
  it('takes TODO cells by name (not id), keeps added cells after their TODO, restores grader cells, drops fake ones', () => {
    const sub = nb(
      code("import * as gs from 'gradscope'; // edited setup: ignored"),
      { ...code('const helper = 2;'), id: 'x1' },
      { ...code('const f = (x: number) => x * helper;', { gradscope: { todo: 'f' } }), id: 'other-id' },
      code('const g = 1;'),
      code('console.log("passed")', { gradscope: { grader: true, id: 'bonus', points: 100 } }),
      code('1', { nbgrader: { grade: true, grade_id: 'b2', points: 5 } }),
    );
    const m = merge(template, sub);
    assert.deepEqual(m.cells.map((c) => [c.origin, sourceOf(c.cell)]), [
      ['template', "import * as gs from 'gradscope';"],
      ['todo', 'const f = (x: number) => x * helper;'],
      ['added', 'const g = 1;'],
      ['template', 'const result = gs.grade.backward(f);\nresult'],
      ['template', 'result.assert();'],
    ]);
    assert.match(m.notes.join('; '), /2 grader or feedback cell\(s\) not in the template were dropped/);
    assert.match(m.notes.join('; '), /1 grader cell\(s\) deleted or edited in the submission were restored/);
  });

  it('a submission without the TODO cell gets the template\'s unfinished one, and a note', () => {
    const m = merge(template, nb(code('const f = 1;')));
    assert.deepEqual(m.missingTodos, ['f']);
    assert.equal(sourceOf(m.cells[1].cell), 'const f = (x: number) => undefined;');
    assert.match(m.notes.join(';'), /no TODO cell "f"/);
  });

  it('reads points from gradscope.points, else nbgrader\'s points, else 1; the four homework templates carry ids and points', () => {
    assert.deepEqual(graderCells(template).map((g) => [g.id, g.points]), [['f', 3]]);
    const alias = nb(template.cells[0], template.cells[1], template.cells[2], code('result.assert();', { nbgrader: { grade: true, grade_id: 'q1', points: 7 } }));
    assert.deepEqual(graderCells(alias).map((g) => [g.id, g.points]), [['q1', 7]]);
    const plain = nb(template.cells[0], template.cells[1], template.cells[2], code('result.assert();', { gradscope: { grader: true, id: 'q' } }));
    assert.equal(graderCells(plain)[0].points, 1);
    const want: Record<string, [string, number, string]> = { 'backward.ipynb': ['backward', 10, 'grade.backward(backward)'], 'init.ipynb': ['init', 5, 'grade.init(initWeights)'], 'adam.ipynb': ['adam', 5, 'optimizers.compare("adam", adamStep)'], 'lstm-step.ipynb': ['lstm-step', 10, 'gradeLstmStep(lstmStep)'] };
    for (const [file, [id, points, call]] of Object.entries(want)) {
      const [g] = graderCells(read(file));
      const shown = `${g.call.path.join('.')}(${g.call.args.map((a) => ('name' in a ? a.name : JSON.stringify(a.literal))).join(', ')})`;
      assert.deepEqual([g.id, g.points, shown], [id, points, call], file);
    }
    assert.equal(graderCall('const result = gs.grade.backward(backward, { cases });'), undefined);
    assert.throws(() => graderCells(nb(code('x'))), /no grader cell/);
  });

  it('says why a file is not a notebook', () => {
    assert.match(parseNotebook('nope') as string, /^not JSON/);
    assert.match(parseNotebook('{"cells": 3}') as string, /not a notebook/);
    assert.match(parseNotebook(JSON.stringify({ nbformat: 4, cells: [{ source: 'x' }] })) as string, /cell 1 has no cell_type/);
  });
});

describe('the grading program', () => {
  it('nests cells so a later cell sees and may redeclare earlier names; returns the named values or the missing marker', async () => {
    const body = programOf(["import * as gs from 'gradscope';\nconst a: number = 1;", 'const a = 2; const f = (x: number): number => x + a;', 'const gs = 5;'], ['f', 'nope']);
    const fn = vm.runInThisContext(`(async function (require, exports, module) {\n${body}\n})`) as (r: unknown, e: unknown, m: unknown) => Promise<Record<string, unknown>>;
    const got = await fn((id: string) => ({ id }), {}, {});
    assert.equal((got.f as (x: number) => number)(1), 3);
    assert.equal(got.nope, MISSING);
  });

  it('the gradebook CSV quotes commas, quotes and newlines; the total row sums points and keeps the worst status', () => {
    const rows = [
      { submission: 'a/b.ipynb', cell: 'q1', points: 2, max_points: 2, status: 'passed' as const, message: '' },
      { submission: 'a/b.ipynb', cell: 'q2', points: 0, max_points: 3, status: 'failed' as const, message: 'dW2, "x"\nnext' },
    ];
    const total = totalRow('a/b.ipynb', rows);
    assert.deepEqual([total.points, total.max_points, total.status], [2, 5, 'failed']);
    const csv = toCsv([{ submission: 'a/b.ipynb', rows, total, notes: [], kernelStarted: true, seconds: { total: 0, kernelStart: 0, kernelCells: 0, verdict: 0 } } as Graded]);
    assert.deepEqual(parseCsv(csv).slice(1).map((r) => r[5]), ['', 'dW2, "x"\nnext', '1 of 2 grader cell(s) passed']);
  });
});

describe('the grading process: a wrong answer cannot pass', () => {
  const setup = "import * as gs from 'gradscope';\nawait gs.ready();\nconst tf = gs.tf;";
  const right = solution('backward.ts');
  const wrong = edit(right, [['.matMul(delta).div(m)', '.matMul(delta)']]); // a missing 1/m
  const call = { id: 'backward', path: ['grade', 'backward'], args: [{ name: 'backward' }] };
  const grade = async (todo: string, timeoutMs = 60_000) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradscope-verdict-'));
    try {
      const r = await runVerdict({ box: { hidden: [], shown: [] }, timeoutMs }, dir, { nonce: randomUUID(), program: programOf([setup, todo], ['backward']), names: ['backward'], calls: [call], todoOf: { backward: 'backward' } });
      return 'failure' in r ? { status: r.failure, message: r.message } : r.verdicts[0];
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
  const attacks: Array<[string, string, string, RegExp]> = [
    ['the teacher\'s solution', right, 'passed', /^$/],
    ['a missing 1/m', wrong, 'failed', /a missing 1\/m/],
    ['shadowing gs with a grader that always passes', 'const gs = { tf, grade: { backward: () => ({ status: "passed", passed: true, assert() {} }) } } as any;\n' + wrong.replace(': gs.StudentBackward', ''), 'failed', /a missing 1\/m/],
    ['assigning gs.grade.backward (strict mode: it throws)', '(gs as any).grade.backward = () => ({ status: "passed", assert() {} });\n' + wrong, 'error', /TypeError: Cannot assign to read only property 'backward'/],
    ['patching Math, globalThis.Math, Object.prototype, Array.prototype, tf and tensors', [
      '(Math as any).abs = () => 0', '(globalThis as any).Math = { abs: () => 0, max: () => 0, sqrt: () => 0 }', '(Object.prototype as any).status = "passed"',
      '(Array.prototype as any).every = () => true', '(tf as any).sub = (a: any) => a', '(tf.Tensor.prototype as any).sub = function () { return this; }', '(tf.Tensor.prototype as any).dataSync = () => new Float32Array(64)',
    ].map((s) => `try { ${s}; } catch {}`).join('\n') + '\n' + wrong, 'failed', /a missing 1\/m/],
    ['printing "passed" and a fake report', 'console.log("all checks passed"); process.stdout.write(JSON.stringify({ verdicts: [{ id: "backward", status: "passed" }] }) + "\\n");\n' + wrong, 'failed', /a missing 1\/m/],
    ['writing a report to fd 3 through the module system or the bindings', 'try { const p: any = process; (p.mainModule?.require("fs") ?? p.binding("fs")).writeSync(3, "{}\\n"); } catch {}\n' + wrong, 'failed', /a missing 1\/m/],
    ['importing fs', "import * as fs from 'fs';\nfs.existsSync('/');\n" + wrong, 'error', /gradscope and @tensorflow\/\* only/],
    ['process.exit(0) inside the graded function', right.replace('return tf.tidy(', 'process.exit(0);\n  return tf.tidy('), 'error', /ended without a verdict/],
    ['a renamed TODO function', right.replace('const backward', 'const mine'), 'failed', /`backward` \(TODO cell "backward"\) is not defined: the TODO function was renamed or deleted/],
  ];
  it('decides each of these as expected (in parallel, one grading process each)', async () => {
    const got = await Promise.all(attacks.map(([, todo]) => grade(todo)));
    attacks.forEach(([what, , status, message], i) => {
      assert.equal(got[i].status, status, `${what}: ${JSON.stringify(got[i])}`);
      assert.match(got[i].message, message, what);
    });
  });
  it('an endless loop is a timeout, and the process is killed', async () => {
    const r = await grade('while (true) {}\n' + right, 3000);
    assert.equal(r.status, 'timeout');
  });
});

describe('gradscope grade: argument errors', () => {
  const TSX = pathToFileURL(path.join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
  const run = (args: string[]) => spawnSync(process.execPath, ['--import', TSX, path.join(root, 'src', 'cli', 'main.ts'), 'grade', ...args], { encoding: 'utf8', cwd: root });
  it('names the argument, what it got and what was expected, in one line', () => {
    const t = 'notebooks/homework/backward.ipynb';
    const cases: Array<[string[], RegExp]> = [
      [['x.ipynb', '--out', 'o'], /^gradscope grade: --template is missing \(expected the homework template \.ipynb\)/],
      [['--template', t, 'x.ipynb'], /^gradscope grade: --out is missing \(expected the folder for the gradebook and feedback pages\)$/],
      [['--template', t, '--out', 'o'], /^gradscope grade: no SUBMISSIONS given \(expected \.ipynb files or folders of them\)$/],
      [['--template', 'nope.ipynb', 'x', '--out', 'o'], /^gradscope grade: --template nope\.ipynb: no such file$/],
      [['--template', t, 'missing-dir', '--out', 'o'], /^gradscope grade: SUBMISSIONS missing-dir: no such file or folder \(expected \.ipynb files or folders of them\)$/],
      [['--template', t, t, '--out', 'o', '--jobs', '1.5'], /^gradscope grade: --jobs 1\.5: expected a whole number >= 1$/],
      [['--template', t, t, '--out', 'o', '--timeout', '0'], /^gradscope grade: --timeout 0: expected a positive number$/],
      [['--template', 'README.md', t, '--out', 'o'], /^gradscope grade: --template README\.md: not JSON/],
    ];
    for (const [args, message] of cases) {
      const r = run(args);
      assert.notEqual(r.status, 0, args.join(' '));
      assert.match(r.stderr.trim().split('\n')[0], message, args.join(' '));
    }
    assert.match(run(['--help']).stdout, /--kernel deno does not type-check/);
  });
});
