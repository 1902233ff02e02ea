// The `gradscope` command (src/cli): usage, errors, and `gradscope kernel` with and without a Python
// Jupyter. Runs the TypeScript source with tsx, as bin/gradscope.cjs runs its build; every kernel
// registration goes to a temporary JUPYTER_DATA_DIR or --prefix, never the user's own folders.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { jupyterDataDir } from '../src/cli/kernel';
import { inNpxCache, LAUNCHER } from '../src/cli/paths';
import { parse } from '../src/cli/args';

const root = path.join(__dirname, '..');
const TSX = pathToFileURL(path.join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href; // from any cwd
function gradscope(args: string[], env: NodeJS.ProcessEnv = {}, cwd = root) {
  const r = spawnSync(process.execPath, ['--import', TSX, path.join(root, 'src', 'cli', 'main.ts'), ...args], { cwd, encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: r.status, out: r.stdout, err: r.stderr };
}
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'gradscope-cli-'));

describe('gradscope (the command)', () => {
  it('--help lists the commands; no command prints usage and exits 2; an unknown command lists the right ones', () => {
    const help = gradscope(['--help']);
    assert.equal(help.status, 0);
    for (const c of ['kernel', 'export', 'grade', 'native']) assert.match(help.out, new RegExp(`^  ${c} `, 'm'));
    const none = gradscope([]);
    assert.equal(none.status, 2);
    assert.match(none.out, /usage: gradscope <command>/);
    const bad = gradscope(['kernal']);
    assert.equal(bad.status, 2);
    assert.equal(bad.err.trim(), 'gradscope: unknown command "kernal" (commands: kernel, export, grade, native; gradscope --help)');
  });

  it('each command has --help; an unknown option or a missing value is a one-line error listing the options', () => {
    assert.match(gradscope(['kernel', '--help']).out, /--display-name TEXT/);
    assert.match(gradscope(['export', '--help']).out, /--allow-errors/);
    const opt = gradscope(['kernel', '--nmae', 'x']);
    assert.equal(opt.status, 2);
    assert.equal(opt.err.trim(), 'gradscope kernel: unknown option --nmae (its options: --name, --display-name, --user, --sys-prefix, --prefix; gradscope kernel --help)');
    const value = gradscope(['export', 'a.ipynb', '--timeout']);
    assert.equal(value.status, 2);
    assert.equal(value.err.trim(), 'gradscope export: --timeout needs a value');
    assert.equal(gradscope(['export', 'a.ipynb', '--timeout', '-3']).err.trim(), 'gradscope export: --timeout -3: expected a positive number');
    assert.equal(gradscope(['export', 'a.ipynb', '--timeout=0']).err.trim(), 'gradscope export: --timeout 0: expected a positive number');
    assert.deepEqual(parse('x', ['a', '--out=d', '--flag', '--', '--b'], { out: 'value', flag: 'flag' }), { options: { out: 'd', flag: true }, rest: ['a', '--b'] });
  });

  it('export names a missing file, a folder and a file that is not a notebook, before running anything', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'notes.ipynb'), 'not json');
    fs.writeFileSync(path.join(dir, 'data.ipynb'), JSON.stringify({ rows: [] }));
    const cases: [string, RegExp][] = [
      ['missing.ipynb', /^gradscope export: missing\.ipynb: no such file$/],
      ['.', /^gradscope export: \.: not a file \(give \.ipynb files\)$/],
      ['notes.ipynb', /^gradscope export: notes\.ipynb: not a notebook \(not JSON: /],
      ['data.ipynb', /^gradscope export: data\.ipynb: not a notebook \(expected nbformat 4 JSON with a cells list\)$/],
    ];
    for (const [file, message] of cases) {
      const r = gradscope(['export', file], {}, dir);
      assert.equal(r.status, 1, file);
      assert.match(r.err.trim(), message);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('kernel without a Python Jupyter writes the kernelspec into Jupyter\'s per-user folder and says a front end is needed', () => {
    const data = tmp();
    const r = gradscope(['kernel', '--display-name', 'TS (course)'], { GRADSCOPE_PYTHON: '/nonexistent/python3', JUPYTER_DATA_DIR: data });
    assert.equal(r.status, 0, r.err);
    const file = path.join(data, 'kernels', 'gradscope', 'kernel.json');
    const spec = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.deepEqual(spec.argv, [process.execPath, LAUNCHER, 'kernel', '--config-path', '{connection_file}']);
    assert.equal(spec.display_name, 'TS (course)');
    assert.equal(spec.language, 'typescript');
    assert.match(r.out, /written directly \(no Python jupyter_client found\)/);
    assert.match(r.out, /you need a front end, e\.g\. VS Code with its Jupyter extension,\nor JupyterLab/);
    fs.rmSync(data, { recursive: true, force: true });
  });

  it('kernel --prefix DIR writes DIR/share/jupyter/kernels/NAME; --sys-prefix without a Python Jupyter is refused; a bad name is refused', () => {
    const prefix = tmp();
    const r = gradscope(['kernel', '--prefix', prefix, '--name', 'gs-course'], { GRADSCOPE_PYTHON: '/nonexistent/python3' });
    assert.equal(r.status, 0, r.err);
    assert.ok(fs.existsSync(path.join(prefix, 'share', 'jupyter', 'kernels', 'gs-course', 'kernel.json')));
    assert.match(r.out, /^registered kernel "gs-course"/);
    const sys = gradscope(['kernel', '--sys-prefix'], { GRADSCOPE_PYTHON: '/nonexistent/python3' });
    assert.equal(sys.status, 1);
    assert.match(sys.err, /--sys-prefix installs into the Python environment of a Jupyter, and no Python with jupyter_client was found/);
    const both = gradscope(['kernel', '--user', '--prefix', prefix]);
    assert.equal(both.err.trim(), 'gradscope kernel: give one of --user, --sys-prefix, --prefix (got --user and --prefix)');
    const name = gradscope(['kernel', '--name', 'my kernel']);
    assert.equal(name.status, 2);
    assert.match(name.err, /--name "my kernel": expected letters, digits/);
    fs.rmSync(prefix, { recursive: true, force: true });
  });

  it("Jupyter's per-user data folder on each platform, and npx's cache recognised", () => {
    const home = '/home/u';
    assert.equal(jupyterDataDir({}, 'linux', home), '/home/u/.local/share/jupyter');
    assert.equal(jupyterDataDir({ XDG_DATA_HOME: '/x' }, 'linux', home), '/x/jupyter');
    assert.equal(jupyterDataDir({ JUPYTER_DATA_DIR: '/j' }, 'linux', home), '/j');
    assert.equal(jupyterDataDir({}, 'darwin', home), '/home/u/Library/Jupyter');
    assert.equal(jupyterDataDir({ APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'win32', home), path.join('C:\\Users\\u\\AppData\\Roaming', 'jupyter'));
    assert.equal(inNpxCache('/home/u/.npm/_npx/1a2b3c/node_modules/gradscope'), true);
    assert.equal(inNpxCache('/home/u/course/node_modules/gradscope'), false);
  });

  it('the kernel launcher says why it cannot start, on stderr, with a non-zero exit', () => {
    const r = spawnSync(process.execPath, [LAUNCHER, 'kernel'], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /gradscope kernel \(.*tslab-kernel\.cjs\): usage: node tslab-kernel\.cjs kernel --config-path <connection file>/);
    const missing = spawnSync(process.execPath, [LAUNCHER, 'kernel', '--config-path', '/nonexistent/connection.json'], { encoding: 'utf8', timeout: 60_000 });
    assert.notEqual(missing.status, 0);
    assert.match(missing.stderr, /\/nonexistent\/connection\.json/);
  });
});
