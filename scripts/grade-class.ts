/**
 * A synthetic class for `gradscope grade` (scripts/grade-check.ts, bench/grade.ts): from the
 * teacher's solutions in notebooks/solutions/, one correct submission per homework template, one per
 * catalogued mistake (the mistakes of test/grade.test.ts, test/adamHomework.test.ts and
 * gs.STEP_MISTAKES, written as edits of the solution's source, as a student would make them), and
 * hostile submissions, each with the rows its gradebook must have.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.join(__dirname, '..');

/** What one gradebook row must say. */
export interface ExpectedRow { cell: string; status: string; points: number; message?: RegExp }
/** A submission of the class and its expected rows (the total row is checked from these). */
export interface Student { name: string; template: string; expected: ExpectedRow[]; /** Extra checks after grading (`sandboxed`: the batch ran in bubblewrap). */ after?: (out: string, sandboxed: boolean) => string[] }

type Nb = { cells: Array<{ cell_type: string; source: string | string[]; metadata: Record<string, any>; id?: string; outputs?: unknown[] }> } & Record<string, unknown>;
const src = (c: Nb['cells'][number]) => (Array.isArray(c.source) ? c.source.join('') : c.source);

/** A solution file as a TODO cell's code: import and comment lines dropped, `export ` removed. */
export function solution(file: string): string {
  return fs.readFileSync(path.join(ROOT, 'notebooks', 'solutions', file), 'utf8').split('\n')
    .filter((l) => !l.startsWith('import ') && !l.startsWith('//')).join('\n').replace(/^export /gm, '').trim() + '\n';
}

/** `text` with each [find, replace] applied (every occurrence); a find that is not there is a broken catalogue. */
export function edit(text: string, edits: Array<[string, string]>): string {
  for (const [find, replace] of edits) {
    if (!text.includes(find)) throw new Error(`grade-class: ${JSON.stringify(find)} is not in the solution any more: update the catalogue`);
    text = text.split(find).join(replace);
  }
  return text;
}

const TEMPLATES = {
  backward: { file: 'backward.ipynb', todo: 'backward', solution: 'backward.ts', id: 'backward', points: 10 },
  init: { file: 'init.ipynb', todo: 'init', solution: 'init.ts', id: 'init', points: 5 },
  adam: { file: 'adam.ipynb', todo: 'adam', solution: 'adam.ts', id: 'adam', points: 5 },
  'lstm-step': { file: 'lstm-step.ipynb', todo: 'lstmStep', solution: 'lstmStep.ts', id: 'lstm-step', points: 10 },
} as const;
type Hw = keyof typeof TEMPLATES;

/** The template notebook of a homework. */
export const templatePath = (hw: Hw): string => path.join(ROOT, 'notebooks', 'homework', TEMPLATES[hw].file);

const MISTAKES: Record<Hw, Array<[string, Array<[string, string]>, RegExp]>> = {
  backward: [
    ['missing 1/m in dW', [['.matMul(delta).div(m)', '.matMul(delta)']], /dW2 is wrong.*a missing 1\/m/],
    ['db summed, not averaged', [['delta.mean(0)', 'delta.sum(0)']], /db2 .*summed over the batch instead of averaged/],
    ['sign flipped', [['a[L].sub(Y)', 'Y.sub(a[L])']], /sign is flipped/],
    ['g instead of dg', [["case 'tanh': return tf.scalar(1).sub(tf.tanh(zl).square());", "case 'tanh': return tf.tanh(zl);"]], /dW1 is wrong/],
    ["forgot g'(z)", [['.mul(dg(z[l - 1]!))', '']], /dW1 is wrong/],
    ['transposed dW', [['a[l - 1].transpose().matMul(delta)', 'delta.transpose().matMul(a[l - 1])']], /transposed/],
    ['db over the wrong axis', [['delta.mean(0)', 'delta.mean(1)']], /reduced over the wrong axis/],
    ['forgot db1', [['return grads;', 'delete grads.db1;\n    return grads;']], /db1 is missing/],
    ['relu wrong side', [['zl.greater(0)', 'zl.less(0)']], /net B .*dW2 is wrong/],
  ],
  init: [
    ['Xavier for relu', [["hidden === 'relu' || hidden === 'leakyRelu' ? 2 / nIn : 1 / nIn", '1 / nIn']], /Xavier/],
    ['He for tanh and sigmoid', [["hidden === 'relu' || hidden === 'leakyRelu' ? 2 / nIn : 1 / nIn", '2 / nIn']], /He/],
    ['n_out for n_in', [['2 / nIn : 1 / nIn', '2 / nOut : 1 / nOut']], /n_out used where n_in/],
    ['variance for std', [['.mul(Math.sqrt(variance))', '.mul(variance)']], /square root|sqrt/],
    ['0.01 * randn', [['.mul(Math.sqrt(variance))', '.mul(0.01)']], /0\.01 \* randn/],
    ['uniform [0, 1)', [['gs.tf.randomNormal([nIn, nOut]).mul(Math.sqrt(variance))', 'gs.tf.randomUniform([nIn, nOut])']], /not centred on 0/],
    ['all zeros', [['gs.tf.randomNormal([nIn, nOut]).mul(Math.sqrt(variance))', 'gs.tf.zeros([nIn, nOut])']], /symmetry/],
    ['[n_out, n_in] shape', [['[nIn, nOut]', '[nOut, nIn]']], /expected \[512, 128\]/],
  ],
  adam: [
    ['missing bias correction', [['m[i] / (1 - o.beta1 ** (t + 1))', 'm[i]'], ['v[i] / (1 - o.beta2 ** (t + 1))', 'v[i]']], /missing bias correction/],
    ['t off by one', [['(t + 1))', '(t + 2))']], /t off by one/],
    ['eps misplaced', [['(Math.sqrt(vHat) + o.eps)', 'Math.sqrt(vHat + o.eps)']], /eps misplaced/],
    ['decay swapped', [['beta1', 'BETA_'], ['beta2', 'beta1'], ['BETA_', 'beta2']], /decay swapped/],
  ],
  'lstm-step': [
    ['carry left out', [['const dcTotal = dc.add(da.mul(Go).mul(one.sub(tc.square())));', 'const dcTotal = da.mul(Go).mul(one.sub(tc.square()));']], /the carry dc from step t\+1 is left out/],
    ["tanh'(c) missing", [['dc.add(da.mul(Go).mul(one.sub(tc.square())))', 'dc.add(da.mul(Go))']], /tanh'\(c\) is missing in dc_total/],
    ['dcPrev without the forget gate', [['dcPrev: dcTotal.mul(Gf),', 'dcPrev: dcTotal,']], /without the forget gate/],
    ['forget gate from c', [['dcTotal.mul(cPrev).mul(', 'dcTotal.mul(c).mul(']], /uses c instead of c_prev/],
    ['candidate from c', [['one.sub(cTilde.square())', 'one.sub(c.square())']], /uses c instead of c~/],
    ['concatenation order', [['tf.concat([aPrev, x], 1)', 'tf.concat([x, aPrev], 1)']], /wrong order/],
    ['da_prev without the forget share', [['deltaF.matMul(top(Wf)).add(deltaU.matMul(top(Wu)))', 'deltaU.matMul(top(Wu))']], /misses the forget gate's share/],
  ],
};

/** Writes the class under `dir` (dir/<homework>/<student>.ipynb; `out`: where homework backward's gradebook goes, which a hostile one tries to write to); returns what each must get. */
export function buildClass(dir: string, out: string, hostile = true): Student[] {
  const students: Student[] = [];
  const write = (hw: Hw, name: string, nb: Nb | string, expected: ExpectedRow[], after?: Student['after']) => {
    fs.mkdirSync(path.join(dir, hw), { recursive: true });
    fs.writeFileSync(path.join(dir, hw, `${name}.ipynb`), typeof nb === 'string' ? nb : JSON.stringify(nb, null, 1));
    students.push({ name: `${name}.ipynb`, template: hw, expected, after });
  };
  for (const hw of Object.keys(TEMPLATES) as Hw[]) {
    const t = TEMPLATES[hw];
    const template = JSON.parse(fs.readFileSync(templatePath(hw), 'utf8')) as Nb;
    const withTodo = (code: string, change?: (nb: Nb) => void): Nb => {
      const nb = JSON.parse(JSON.stringify(template)) as Nb;
      for (const c of nb.cells) if (c.metadata?.gradscope?.todo === t.todo) c.source = code;
      change?.(nb);
      return nb;
    };
    const sol = solution(t.solution);
    const pass: ExpectedRow[] = [{ cell: t.id, status: 'passed', points: t.points }];
    const fail = (message: RegExp): ExpectedRow[] => [{ cell: t.id, status: 'failed', points: 0, message }];
    write(hw, 'correct', withTodo(sol), pass);
    write(hw, 'unfinished', withTodo(src(template.cells.find((c) => c.metadata?.gradscope?.todo === t.todo)!)), fail(/not yet implemented/));
    for (const [mistake, edits, message] of MISTAKES[hw]) write(hw, `mistake-${mistake.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '')}`, withTodo(edit(sol, edits)), fail(message));
    if (hw === 'backward' && hostile) hostiles(dir, out, sol, withTodo, (name, nb, expected, after) => write('backward', name, nb, expected, after));
  }
  return students;
}

/** The hostile submissions (homework backward). */
function hostiles(dir: string, outDir: string, sol: string, withTodo: (code: string, change?: (nb: Nb) => void) => Nb,
  write: (name: string, nb: Nb | string, expected: ExpectedRow[], after?: Student['after']) => void): void {
  const row = (status: string, message?: RegExp): ExpectedRow[] => [{ cell: 'backward', status, points: status === 'passed' ? 10 : 0, message }];
  const wrong = 'const backward: gs.StudentBackward = (net, cache, Y) => { const g = net.backward(cache, Y); g.dW1 = g.dW1.mul(2); return g; };\n';
  const isGrader = (c: Nb['cells'][number]) => c.metadata?.gradscope?.grader === true;
  write('infinite-loop', withTodo('while (true) { /* forever */ }\n' + sol), row('timeout', /timeout/));
  write('process-exit', withTodo('process.exit(3);\n' + sol), row('error', /the kernel died/));
  write('kernel-crash', withTodo('process.kill(process.pid, "SIGSEGV");\n' + sol), row('error', /the kernel died/));
  write('not-json', 'this is not { json', row('invalid', /not JSON/));
  write('not-a-notebook', JSON.stringify({ rows: [1, 2, 3] }), row('invalid', /not a notebook/));
  write('grader-deleted', withTodo(sol, (nb) => { nb.cells = nb.cells.filter((c) => !isGrader(c)); }), row('passed'));
  write('grader-deleted-wrong', withTodo(wrong, (nb) => { nb.cells = nb.cells.filter((c) => !isGrader(c)); }), row('failed', /dW1 is wrong/));
  write('grader-edited', withTodo(wrong, (nb) => { for (const c of nb.cells) if (isGrader(c)) c.source = '// result.assert();\nconsole.log("passed");'; }), row('failed', /dW1 is wrong/));
  write('fake-grader-cell', withTodo(wrong, (nb) => {
    nb.cells.push({ cell_type: 'code', source: 'console.log("bonus passed")', metadata: { gradscope: { grader: true, check: true, id: 'bonus', points: 100 } }, outputs: [] });
    nb.cells.push({ cell_type: 'code', source: 'console.log("nbgrader bonus")', metadata: { nbgrader: { grade: true, grade_id: 'bonus2', points: 50 } }, outputs: [] });
  }), row('failed', /dW1 is wrong/));
  write('todo-renamed', withTodo(sol.replace('const backward', 'const myBackward')), row('failed', /`backward` \(TODO cell "backward"\) is not defined: the TODO function was renamed or deleted/));
  write('todo-cell-missing', withTodo(sol, (nb) => { nb.cells = nb.cells.filter((c) => !c.metadata?.gradscope?.todo); }), row('failed', /not yet implemented/));
  write('million-lines', withTodo(sol + 'for (let i = 0; i < 1e6; i++) console.log(`line ${i}`);\n'), row('passed'), (out) => {
    const page = path.join(out, 'feedback', 'million-lines.html');
    const size = fs.existsSync(page) ? fs.statSync(page).size : -1;
    return size > 0 && size < 3_000_000 && fs.readFileSync(page, 'utf8').includes('output capped') ? [] : [`million-lines.html: expected a page under 3 MB that says the output was capped (size ${size})`];
  });
  write('waits-for-input', withTodo(sol + 'await new Promise((resolve) => process.stdin.once("data", resolve));\n'), row('timeout', /timeout/));
  write('never-resolves', withTodo(sol + 'await new Promise(() => {});\n'), row('timeout', /timeout/));
  // writes outside its folder, reads another submission: the sandbox hides both; the grading process refuses `fs`
  const targets = (out: string) => [path.join(dir, 'backward', 'PWNED.txt'), path.join(out, 'PWNED.txt'), path.join(os.homedir(), 'gradscope-PWNED.txt'), '/tmp/gradscope-PWNED.txt'];
  const probe = (out: string) => `import * as fs from 'fs';\nfor (const p of ${JSON.stringify(targets(out))}) { try { fs.writeFileSync(p, 'pwned'); console.log('wrote ' + p); } catch (e) { console.log('could not write ' + p + ': ' + (e as Error).message.split(':')[0]); } }\n` +
    `try { fs.readFileSync(${JSON.stringify(path.join(dir, 'backward', 'correct.ipynb'))}); console.log('read another submission: YES'); } catch { console.log('read another submission: no'); }\n`;
  write('writes-outside', withTodo(sol, (nb) => { const at = nb.cells.findIndex((c) => c.metadata?.gradscope?.todo); nb.cells.splice(at + 1, 0, { cell_type: 'code', source: probe(outDir), metadata: {}, outputs: [] }); }), row('error', /gradscope and @tensorflow\/\* only/), (out, sandboxed) => {
    if (!sandboxed) { // without bubblewrap nothing stops these writes: say so, and clean up
      for (const p of targets(out)) fs.rmSync(p, { force: true });
      console.log('writes-outside: no bubblewrap sandbox here, so its writes outside its folder were not stopped (checked only with bubblewrap)');
      return [];
    }
    const bad = targets(out).filter((p) => fs.existsSync(p)).map((p) => `writes-outside: ${p} exists after grading`);
    const page = path.join(out, 'feedback', 'writes-outside.html');
    if (!fs.existsSync(page) || !fs.readFileSync(page, 'utf8').includes('read another submission: no')) bad.push('writes-outside.html: expected "read another submission: no"');
    return bad;
  });
  // attacks on the grade itself: each with a wrong answer that must not pass
  write('shadows-gs', withTodo('const gs = { grade: { backward: () => ({ status: "passed", passed: true, assert() {} }) } } as any;\n' + wrong.replace(': gs.StudentBackward', ': any')), row('failed', /dW1 is wrong/));
  write('assigns-gs-grade', withTodo('try { (gs as any).grade.backward = () => ({ status: "passed", passed: true, assert() {} }); } catch {}\ntry { (gs as any).grade = { backward: () => ({ status: "passed", assert() {} }) }; } catch {}\n' + wrong), row('failed', /dW1 is wrong/));
  write('patches-math', withTodo('try { (Math as any).abs = () => 0; } catch {}\ntry { (Math as any).max = () => 0; } catch {}\ntry { (globalThis as any).Math = { ...Math, abs: () => 0, max: () => 0, sqrt: () => 0 }; } catch {}\ntry { (Object.prototype as any).status = "passed"; } catch {}\n' + wrong), row('failed', /dW1 is wrong/));
  write('patches-tf', withTodo('try { (tf as any).Tensor.prototype.sub = function () { return this; }; } catch {}\ntry { (tf as any).sub = (a: any) => a; } catch {}\ntry { (tf.Tensor.prototype as any).dataSync = function () { return new Float32Array(64); }; } catch {}\ntry { (Array.prototype as any).every = () => true; (Array.prototype as any).some = () => false; } catch {}\n' + wrong), row('failed', /dW1 is wrong/));
  write('prints-passed', withTodo('console.log("backward: all checks passed\\n10/10 passed");\nconsole.log(JSON.stringify({ verdicts: [{ id: "backward", status: "passed", message: "" }] }));\n' + wrong), row('failed', /dW1 is wrong/));
  write('forges-report', withTodo('try { const p: any = process; const fs = p.mainModule ? p.mainModule.require("fs") : p.binding("fs"); fs.writeSync(3, JSON.stringify({ nonce: "guess", verdicts: [{ id: "backward", status: "passed", message: "" }] }) + "\\n"); } catch {}\n' + wrong), row('failed', /dW1 is wrong/));
}
