/**
 * The homework templates end with a check cell (`result.assert();`, metadata.gradscope.check), and
 * `npm run notebooks` (scripts/notebook-checks.ts) expects exactly that cell to fail on the template
 * as committed, with a GradscopeError "not yet implemented" (as an `error` output, or on stderr from
 * an older launcher), and every cell to run on the solved copy.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { cellError, graderProblem, strayStderr, type Nb, type RunError } from '../scripts/notebook-checks';

const dir = path.join(__dirname, '..', 'notebooks', 'homework');
const templates = fs.readdirSync(dir).filter((f) => f.endsWith('.ipynb')).sort();
const read = (f: string): Nb => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
const source = (c: Nb['cells'][number]) => (Array.isArray(c.source) ? c.source.join('') : c.source);

describe('homework templates: the check cell', () => {
  it('each template ends with one check cell, `result.assert();`, the only grader cell, with a stable id and points', () => {
    assert.deepEqual(templates, ['adam.ipynb', 'backward.ipynb', 'init.ipynb', 'lstm-step.ipynb']);
    const ids = new Set<string>();
    for (const f of templates) {
      const nb = read(f);
      const code = nb.cells.filter((c) => c.cell_type === 'code');
      const last = code[code.length - 1];
      assert.equal(source(last).trim(), 'result.assert();', f);
      const meta = last.metadata?.gradscope;
      assert.equal(meta?.grader, true, f);
      assert.equal(meta?.check, true, f);
      assert.match(meta?.id, /^[a-z][a-z0-9-]*$/, f);
      assert.ok(Number.isFinite(meta?.points) && meta.points > 0, `${f}: points ${meta?.points}`);
      assert.equal(ids.has(meta.id), false, `${f}: id ${meta.id} used twice`);
      ids.add(meta.id);
      assert.deepEqual(nb.cells.filter((c) => c.metadata?.gradscope?.grader), [last], `${f}: one grader cell (the check), so its points count once`);
      // the cell that runs the grader and shows its feedback, and the TODO it grades, keep their tags
      assert.ok(nb.cells.some((c) => c.metadata?.gradscope?.feedback === meta.id && /^const result = /.test(source(c))), `${f}: feedback cell`);
      const todo = nb.cells.find((c) => c.metadata?.gradscope?.todo);
      assert.ok(todo && fs.existsSync(path.join(dir, '..', 'solutions', `${todo.metadata!.gradscope.todo}.ts`)), `${f}: TODO cell with a solution`);
      for (const c of code) {
        assert.deepEqual(c.outputs, [], `${f}: committed without outputs`);
        assert.equal(c.execution_count, null, `${f}: committed without execution counts`);
      }
    }
  });
});

describe('npm run notebooks: what a homework run must show', () => {
  const nb = read('backward.ipynb');
  const check = nb.cells.findIndex((c) => c.metadata?.gradscope?.check);
  const todoMessage = 'backward: not yet implemented: backward returned nothing (expected dW1, db1, dW2, db2)';
  /** The executed copy: outputs per cell index. */
  const executed = (outputs: Record<number, unknown[]>): Nb => ({
    ...nb,
    cells: nb.cells.map((c, i) => (c.cell_type === 'code' ? { ...c, execution_count: i + 1, outputs: outputs[i] ?? [] } : c)),
  });
  const failure = (cell: number, errors: RunError['errors'], stderr = '', kind = 'CellExecutionError'): RunError =>
    ({ cell: cell + 1, codeCell: 0, firstLine: '', kind, message: stderr + (errors ?? []).map((e) => `${e.ename}: ${e.evalue}\n`).join(''), errors, stderr });
  const errorOutput = (ename: string, evalue: string) => ({ output_type: 'error', ename, evalue, traceback: [`${ename}: ${evalue}`] });
  const stderrOutput = (text: string) => ({ output_type: 'stream', name: 'stderr', text });

  it('the template as committed: only the check cell fails, with GradscopeError "not yet implemented" (error output, or the older stderr form)', () => {
    const asError = executed({ [check]: [errorOutput('GradscopeError', todoMessage)] });
    assert.equal(graderProblem(asError, 'todo', failure(check, [{ ename: 'GradscopeError', evalue: todoMessage }])), undefined);
    const onStderr = executed({ [check]: [stderrOutput(`GradscopeError: ${todoMessage}\n`)] });
    const run = failure(check, [], `GradscopeError: ${todoMessage}\n`);
    assert.deepEqual(cellError(run), { ename: 'GradscopeError', evalue: todoMessage });
    assert.equal(graderProblem(onStderr, 'todo', run), undefined);
  });

  it('the template as committed: anything else is a problem', () => {
    const todo = (error: RunError | undefined) => graderProblem(executed({}), 'todo', error);
    assert.match(todo(undefined)!, /ran every cell: its check cell \d+ \(`result\.assert\(\);`\) did not fail/);
    assert.match(todo(failure(check - 2, [{ ename: 'TypeError', evalue: 'x is undefined' }]))!, /failed, before the check cell .*TypeError: x is undefined/);
    assert.match(todo(failure(check, [{ ename: 'TypeError', evalue: 'result.assert is not a function' }]))!, /failed with TypeError, expected GradscopeError/);
    assert.match(todo(failure(check, [{ ename: 'GradscopeError', evalue: 'backward: net A: dW2 is wrong' }]))!, /did not say "not yet implemented": backward: net A: dW2 is wrong/);
    assert.match(todo(failure(check, [], 'some text\n'))!, /without an error output or an error line on stderr/);
    assert.match(todo(failure(check, [], '', 'CellTimeoutError'))!, /did not fail with an error but with CellTimeoutError/);
  });

  it('the solved copy: every cell runs, the check cell too', () => {
    assert.equal(graderProblem(executed({}), 'solved', undefined), undefined);
    assert.match(graderProblem(executed({}), 'solved', failure(check, [{ ename: 'GradscopeError', evalue: 'backward: net A: dW2 is wrong' }]))!, /failed on the teacher's solution .*dW2 is wrong/);
    const unrun = { ...executed({}), cells: executed({}).cells.map((c, i) => (i === check ? { ...c, execution_count: null } : c)) };
    assert.match(graderProblem(unrun, 'solved', undefined)!, /did not run/);
  });

  it('a notebook without a check cell, or a grader cell without an id, is a problem', () => {
    const without = { ...nb, cells: nb.cells.filter((_, i) => i !== check) };
    assert.match(graderProblem(without, 'solved', undefined)!, /no check cell/);
    const noId = { ...nb, cells: nb.cells.map((c, i) => (i === check ? { ...c, metadata: { gradscope: { grader: true, check: true } } } : c)) };
    assert.match(graderProblem(noId, 'solved', undefined)!, /has no metadata\.gradscope\.id/);
  });

  it('a cell that ran but wrote to stderr (a library banner) is a problem; the failing cell\'s own message is not', () => {
    const banner = '\n============================\nHi, looks like you are running TensorFlow.js in Node.js. ...\n============================\n';
    assert.match(strayStderr(executed({ 1: [stderrOutput(banner)] }), undefined)!, /cell 2 \(`import \* as gs from 'gradscope';`\) ran but wrote to stderr:\n=+\nHi, looks like you are running TensorFlow\.js/);
    const run = failure(check, [], `GradscopeError: ${todoMessage}\n`);
    assert.equal(strayStderr(executed({ [check]: [stderrOutput(`GradscopeError: ${todoMessage}\n`)] }), run), undefined);
  });
});
