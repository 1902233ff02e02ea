import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.join(__dirname, '..');
/** Runs a snippet in a fresh Node with gradscope loaded as `gs` and the given GRADSCOPE_BACKEND. */
function run(code: string, backend?: string) {
  const env = { ...process.env };
  delete env.GRADSCOPE_BACKEND;
  if (backend !== undefined) env.GRADSCOPE_BACKEND = backend;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', `const gs = require('./src/index'); ${code}`], { cwd: root, env, encoding: 'utf8' });
  return { status: r.status, out: r.stdout.trim(), err: r.stderr };
}

describe('backend selection', () => {
  it('is usable synchronously right after require (no await), on the best backend that loads', () => {
    const r = run(`const net = gs.mlp({ sizes: [3, 4, 1] }); const J = net.loss(gs.tf.ones([2, 3]), gs.tf.ones([2, 1])); console.log(JSON.stringify({ J, info: gs.backendInfo() }));`);
    assert.equal(r.status, 0, r.err);
    const { J, info } = JSON.parse(r.out);
    assert.ok(J > 0 && Number.isFinite(J));
    assert.equal(info.ready, true);
    assert.equal(info.active, info.chosen);
    // here tfjs-node cannot install, so the chain must have fallen through to wasm and said why
    if (info.chosen !== 'tensorflow') {
      assert.equal(info.chosen, 'wasm');
      assert.match(info.skipped.tensorflow, /tfjs-node/);
    }
  });

  it('GRADSCOPE_BACKEND=cpu forces the pure-JS backend and says so', () => {
    const r = run(`console.log(JSON.stringify(gs.backendInfo()))`, 'cpu');
    assert.equal(r.status, 0, r.err);
    const info = JSON.parse(r.out);
    assert.equal(info.active, 'cpu');
    assert.equal(info.forced, 'cpu');
  });

  it('GRADSCOPE_BACKEND=wasm gives the same loss as cpu', () => {
    const code = `const net = gs.mlp({ sizes: [5, 7, 2], output: 'softmax', seed: 3 }); console.log(net.loss(gs.tf.randomNormal([4, 5], 0, 1, 'float32', 1), gs.tf.tensor1d([0, 1, 1, 0])));`;
    const [wasm, cpu] = [run(code, 'wasm'), run(code, 'cpu')];
    assert.equal(wasm.status, 0, wasm.err);
    assert.ok(Math.abs(Number(wasm.out) - Number(cpu.out)) < 1e-6, `${wasm.out} vs ${cpu.out}`);
  });

  it('a forced backend that cannot load fails with a clear message; an unknown one is rejected', () => {
    const r = run(`console.log(gs.backendInfo().active)`, 'tensorflow');
    if (r.status === 0) {
      assert.equal(r.out, 'tensorflow'); // tfjs-node is installed on this machine
    } else {
      assert.match(r.err, /GRADSCOPE_BACKEND=tensorflow but @tensorflow\/tfjs-node does not load/);
    }
    const bad = run(`0`, 'gpu');
    assert.notEqual(bad.status, 0);
    assert.match(bad.err, /invalid GRADSCOPE_BACKEND: "gpu" \(expected one of tensorflow, wasm, cpu\)/);
  });
});
