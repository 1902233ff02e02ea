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
    assert.equal(info.float64, 'wasm-simd', "gradscope's float64 kernels (the build's gemm64.wasm) load");
    // without `npm run native` tfjs-node is not there: the chain falls through to wasm and says why
    if (info.chosen !== 'tensorflow') {
      assert.equal(info.chosen, 'wasm');
      assert.match(info.skipped.tensorflow, /tfjs-node|tfjs_binding/);
      assert.equal(info.tensorflow, undefined);
    } else {
      assert.match(info.tensorflow, /^\d+\.\d+\.\d+/, 'backendInfo().tensorflow names the TensorFlow library');
    }
  });

  it('GRADSCOPE_BACKEND=cpu forces the pure-JS backend and says so', () => {
    const r = run(`console.log(JSON.stringify(gs.backendInfo()))`, 'cpu');
    assert.equal(r.status, 0, r.err);
    const info = JSON.parse(r.out);
    assert.equal(info.active, 'cpu');
    assert.equal(info.forced, 'cpu');
  });

  it('loads and switches backends without a line on stderr: no TensorFlow log lines, no tfjs banner', () => {
    // the default chain (tensorflow where `npm run native` built it), then every backend in turn:
    // switching to cpu is what printed tfjs's "install our node backend" banner.
    const code = `const { switchBackend } = require('./src/core/backend');
      const out = [gs.backendInfo().active];
      for (const b of ['tensorflow', 'wasm', 'cpu']) if (switchBackend(b)) { gs.tf.exp(gs.tf.ones([3])).dataSync(); out.push(gs.tf.getBackend()); }
      console.log(out.join(' '));`;
    const r = run(code);
    assert.equal(r.status, 0, r.err);
    assert.match(r.out, /^(tensorflow|wasm) (tensorflow )?wasm cpu$/);
    assert.equal(r.err, '', 'stderr must be empty');
  });

  it('import, await gs.ready(), a first op: nothing on stderr on any backend (tfjs prints its banner on the cpu backend\'s first tensor unless PROD is set)', () => {
    const code = `gs.ready().then((info) => console.log(JSON.stringify({ active: info.active, prod: gs.tf.env().getBool('PROD'), y: Array.from(gs.tf.square(gs.tf.tensor1d([1, 2])).dataSync()) })));`;
    for (const backend of [undefined, 'cpu', 'wasm']) {
      const r = run(code, backend);
      assert.equal(r.status, 0, r.err);
      const out = JSON.parse(r.out);
      assert.deepEqual(out.y, [1, 4]);
      if (backend) assert.equal(out.active, backend);
      assert.equal(out.prod, true, 'gradscope sets tfjs\'s PROD flag, which silences its warn()');
      assert.equal(r.err, '', `stderr must be empty (GRADSCOPE_BACKEND=${backend ?? ''})`);
    }
  });

  it('switchBackend reports a backend that cannot run instead of switching', () => {
    const r = run(`const { switchBackend } = require('./src/core/backend'); const before = gs.tf.getBackend(); console.log(JSON.stringify({ ok: switchBackend('tensorflow'), active: gs.tf.getBackend(), before }));`, 'wasm');
    assert.equal(r.status, 0, r.err);
    const { ok, active, before } = JSON.parse(r.out);
    // forced to wasm, gradscope never loaded tfjs-node: tensorflow is not registered in that process
    assert.equal(ok, false);
    assert.equal(active, before);
    assert.equal(active, 'wasm');
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
