import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.join(__dirname, '..');
/** Runs `gradscope native` (npm run native) with these arguments, from the TypeScript source. */
function native(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'src', 'cli', 'main.ts'), 'native', ...args], { cwd: root, encoding: 'utf8' });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

describe('npm run native', () => {
  it('--check says whether tfjs-node loads, and agrees with the backend gradscope chose', () => {
    const r = native('--check');
    const gs = spawnSync(process.execPath, ['--import', 'tsx', '-e', `console.log(require('./src/index').backendInfo().chosen)`], { cwd: root, encoding: 'utf8', env: { ...process.env, GRADSCOPE_BACKEND: '' } });
    const chosen = gs.stdout.trim();
    if (chosen === 'tensorflow') {
      assert.equal(r.status, 0, r.err);
      assert.match(r.out, /\[native\] ok: already installed; @tensorflow\/tfjs-node \d+\.\d+\.\d+ runs TensorFlow \d+\.\d+\.\d+ \(backend tensorflow\)/);
    } else {
      assert.equal(r.status, 1, r.out);
      assert.match(r.err, /\[native\] error: @tensorflow\/tfjs-node does not load: .+\. Run: npm run native/);
    }
    assert.match(r.out, /^\[native 1\] checking whether @tensorflow\/tfjs-node already loads/m, 'a progress line per step');
  });

  it('an unknown option, a missing value or a wheel that is not there is a one-line error naming it', () => {
    const bad = native('--whell', 'x.whl');
    assert.equal(bad.status, 1);
    assert.equal(bad.err.trim(), '[native] error: unknown option --whell (expected one of --wheel, --libtensorflow, --tf-version, --force, --check, --help; npm run native -- --help)');
    const empty = native('--wheel');
    assert.equal(empty.status, 1);
    assert.equal(empty.err.trim(), '[native] error: --wheel needs a value');
    const version = native('--tf-version', 'latest');
    assert.equal(version.status, 1);
    assert.equal(version.err.trim(), '[native] error: --tf-version latest: expected X.Y.Z');
    // checked first, before anything is changed
    const missing = native('--wheel', '/nonexistent/tensorflow_cpu-2.21.0.whl');
    assert.equal(missing.status, 1);
    assert.equal(missing.err.trim(), '[native] error: --wheel /nonexistent/tensorflow_cpu-2.21.0.whl: no such file');
  });
});
