/**
 * The WebAssembly SIMD kernels (core/gemm64.wat: the product; lstm/step64.wat: the LSTM's step as
 * differences) against the plain JS they stand in for (math64's `mul`, lstm/delta64.ts's loop).
 *
 * Stated tolerance: none. Each output is the same sum in the same order with a separate multiply
 * and add, so the two agree bit for bit (Object.is), for every size (blocks of 4 rows and 4 columns
 * and the padding of the rest), stride and column offset; and so the recurrent checks' entries are
 * the same numbers with the kernel and without it (GRADSCOPE_SIMD=0). A kernel with a planted
 * error is caught by the same comparison, and the .wasm in use is the build of the .wat beside it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as gs from '../src/index';
import { mul } from '../src/core/math64';
import { affine, kernel, product, simd, times, useWasm } from '../src/core/gemm64';
import { transpose } from '../src/core/math64';

const { tf } = gs;
const SRC = join(__dirname, '..', 'src');
const GEMM = join(SRC, 'core', 'gemm64.wat'), STEP = join(SRC, 'lstm', 'step64.wat');

/** A .wat compiled by wabt, as scripts/build-wasm.cjs does, after `change` (a planted error). */
async function compile(change: (wat: string) => string = (w) => w, wat = GEMM): Promise<Uint8Array<ArrayBuffer>> {
  const wabt = await (require('wabt') as () => Promise<{ parseWat(name: string, text: string, f: object): { validate(): void; toBinary(o: object): { buffer: Uint8Array }; destroy(): void } }>)();
  const mod = wabt.parseWat('kernel.wat', change(readFileSync(wat, 'utf8')), { simd: true });
  mod.validate();
  const { buffer } = mod.toBinary({});
  mod.destroy();
  return new Uint8Array(buffer);
}

let seed = 7;
const rand = (n: number): Float64Array => Float64Array.from({ length: n }, () => { seed = (seed * 16807) % 2147483647; return seed / 2147483647 - 0.5; });

/** Sizes where the product and mul differ, as a list of strings (empty: bit for bit the same). */
function disagreements(mod: WebAssembly.Module | null): string[] {
  const bad: string[] = [];
  for (const [rows, n, N] of [[32, 32, 128], [4, 4, 4], [5, 7, 9], [9, 1, 6], [3, 33, 13], [16, 16, 64], [13, 6, 130], [32, 32, 96]]) {
    for (const [ldo, oo] of [[N, 0], [N + 5, 3]]) {
      const A = rand(rows * n), WT = rand(N * n);
      const p = product(WT, n, N, rows + 3, mod); // room for more rows than given
      const want = new Float64Array(rows * ldo + oo + N), got = Float64Array.from(want);
      mul(A, rows, n, WT, N, want, ldo, oo);
      p(A, rows, got, ldo, oo);
      if (!want.every((v, i) => Object.is(v, got[i]))) bad.push(`${rows}x${n} by ${n}x${N} (ldo ${ldo}, oo ${oo})`);
    }
  }
  return bad;
}

/**
 * The recurrent nets whose exact-path entries differ between the kernels and GRADSCOPE_SIMD=0, as
 * "net (eps): k of n": eps 1e-6 (every tanh argument tiny: the series) and 0.05 (some above 2^-10: Math.tanh).
 */
function recurrentDifferences(): string[] {
  const was = process.env.GRADSCOPE_SIMD;
  const nets: [string, () => gs.Rnn | gs.Lstm | gs.Gru][] = [
    ['rnn', () => gs.rnn({ nx: 3, na: 16, ny: 2, seed: 1 })],
    ['lstm', () => gs.lstm({ nx: 3, na: 12, ny: 1, seed: 2 })],
    ['lstm lecture', () => gs.lstm({ nx: 3, na: 12, ny: 1, seed: 3, variant: 'lecture' })],
    ['gru', () => gs.gru({ nx: 3, na: 16, ny: 3, seed: 4 })],
  ];
  const found: string[] = [];
  try {
    for (const [name, make] of nets) {
      const net = make();
      const ny = net.spec.ny;
      const X = tf.randomNormal([8, 5, 3], 0, 1, 'float32', 5);
      const Y = tf.tidy(() => (ny === 1 ? tf.randomUniform([8, 1], 0, 1, 'float32', 6).round() : tf.oneHot(tf.randomUniform([8], 0, ny, 'int32', 6), ny).toFloat()));
      const n0 = tf.memory().numTensors;
      const values = (simdOn: boolean, eps: number): Float64Array => {
        if (simdOn) delete process.env.GRADSCOPE_SIMD; else process.env.GRADSCOPE_SIMD = '0';
        const paths = net.exactPaths(X, Y, { seed: 0, precision: 'float64', autograd: false, notes: [] })!;
        try { return paths.entries(undefined, eps, () => undefined).values; } finally { paths.dispose(); }
      };
      for (const eps of [1e-6, 0.05]) {
        const on = values(true, eps), off = values(false, eps);
        assert.ok(on.some((v) => v !== 0), `${name}: all zero`);
        const differ = on.filter((v, i) => !Object.is(v, off[i])).length;
        if (differ) found.push(`${name} (${eps}): ${differ} of ${on.length}`);
      }
      assert.equal(tf.memory().numTensors, n0, `${name}: tensors left`);
      net.dispose(); tf.dispose([X, Y]);
    }
  } finally {
    if (was === undefined) delete process.env.GRADSCOPE_SIMD; else process.env.GRADSCOPE_SIMD = was;
  }
  return found;
}

describe('gemm64: the WebAssembly SIMD product', () => {
  it('is built from the .wat beside it, and runs here', async () => {
    assert.ok(simd(), 'gemm64.wasm did not load (run `npm run build`), or WebAssembly SIMD is missing');
    for (const wat of [GEMM, STEP]) {
      assert.deepEqual(new Uint8Array(readFileSync(wat.replace(/\.wat$/, '.wasm'))), await compile(undefined, wat), `${wat}: its .wasm is stale: run \`npm run build\``);
    }
  });

  it('gives mul\'s numbers bit for bit: every size, stride and column offset', () => {
    assert.deepEqual(disagreements(kernel()), []);
    assert.deepEqual(disagreements(null), []); // the JS fallback is mul itself
  });

  it('times and affine (one-off products, one scratch memory kept between calls) give mul\'s numbers, W given either way', () => {
    // sizes under and over the one-off threshold, odd columns, and 600,000 rows: chunks of the 64 MB scratch
    for (const [rows, n, N] of [[3, 5, 7], [64, 784, 128], [61, 33, 13], [9, 130, 6], [600000, 8, 8]]) {
      const A = rand(rows * n), W = rand(n * N), WT = transpose(W, n, N), b = rand(N);
      const want = new Float64Array(rows * N);
      mul(A, rows, n, WT, N, want, N, 0);
      for (const got of [times(A, rows, n, N, W), times(A, rows, n, N, undefined, WT), times(A, rows, n, N, W, WT)]) {
        assert.ok(want.every((v, i) => Object.is(v, got[i])), `times ${rows}x${n} by ${n}x${N}`);
      }
      const z = affine(A, W, b, rows, n, N);
      assert.ok(want.every((v, i) => Object.is(b[i % N] + v, z[i])), `affine ${rows}x${n} by ${n}x${N}`);
    }
  });

  it('catches a kernel with a planted error', async () => {
    // the fourth row's pointer not advanced: its sums read A[i + 3, 0] n times
    const stuck = await compile((w) => w.replace('(local.set $p3 (i32.add (local.get $p3) (i32.const 8)))', ''));
    assert.ok(disagreements(new WebAssembly.Module(stuck)).length > 0);
    // one sum taken as a fused-like reordering: (x w + s) is the same, but s - x w is not
    const sign = await compile((w) => w.replace('(local.set $s31 (f64x2.add (local.get $s31)', '(local.set $s31 (f64x2.sub (local.get $s31)'));
    assert.ok(disagreements(new WebAssembly.Module(sign)).length > 0);
  });

  it('leaves the recurrent checks\' entries unchanged (GRADSCOPE_SIMD=0 against the kernels), and catches a planted error in either', async () => {
    assert.deepEqual(recurrentDifferences(), []);
    // a step kernel reading Gamma_u where it should read Gamma_f (dc = ... + Gamma_f dc_prev + ...)
    const stepWasm = join(SRC, 'lstm', 'step64.wasm');
    const swapped = await compile((w) => w.replace('(f64x2.mul (v128.load (i32.add (local.get $q) (i32.mul (local.get $mn) (i32.const 5)))) (local.get $dcp))', '(f64x2.mul (v128.load (i32.add (local.get $q) (i32.mul (local.get $mn) (i32.const 2)))) (local.get $dcp))'), STEP);
    // a product kernel whose last column block drops its last row's sums
    const dropped = await compile((w) => w.replace('(v128.store offset=16 (local.get $po) (local.get $s31))', ''));
    for (const [path, bytes, hit] of [[stepWasm, swapped, /^lstm/], [join(SRC, 'core', 'gemm64.wasm'), dropped, /./]] as const) {
      useWasm(path, new WebAssembly.Module(bytes));
      try {
        const found = recurrentDifferences();
        assert.ok(found.length > 0 && found.every((f) => hit.test(f)), `${path}: ${found.join('; ') || 'not caught'}`);
      } finally {
        useWasm(path, undefined);
      }
    }
  });
});
