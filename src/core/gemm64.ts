/**
 * The float64 product O = A W in WebAssembly SIMD: gemm64.wat, compiled by the package's own build
 * (scripts/build-wasm.cjs, wabt) into gemm64.wasm beside this file. Each output is the same sum in
 * the same order as math64's `mul`, with a separate multiply and add, so the numbers are identical
 * bit for bit (test/gemm64.test.ts); about 4-5x faster on 32 x 32 by 32 x 128 products. `product`:
 * by a W used many times (the recurrent checks' dz = da^(t-1) W_a); `times` and `affine`: once (the
 * MLP's float64 passes); `Arena`: arrays in a kernel's own memory, for kernels working in place (the
 * LSTM's step, lstm/step64.wat). Where a .wasm is missing, WebAssembly SIMD is not there, or
 * GRADSCOPE_SIMD=0, the plain JS runs instead.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mul, transpose } from './math64';

/** out[i, oo + c] = sum_r A[i, r] W[r, c] for i < rows, c < N: `mul(A, rows, n, WT, N, out, ldo, oo)` with W fixed. */
export type Product = (A: Float64Array, rows: number, out: Float64Array, ldo: number, oo: number) => void;

/** Below this many multiply-adds a product stays in JS (the copies in and out would cost more). */
const MIN_MADDS = 4096;
/** The same for a product run once (its W laid out in the scratch memory for one call). */
const ONCE_MADDS = 65536;

const compiled = new Map<string, WebAssembly.Module | null>();

/**
 * A built .wasm (scripts/build-wasm.cjs), compiled once: null when it cannot run here (not built, no SIMD).
 *
 * @example
 * ```ts
 * const step = wasmModule(join(__dirname, 'step64.wasm'));   // src/lstm/delta64.ts
 * ```
 */
export function wasmModule(path: string): WebAssembly.Module | null {
  if (!compiled.has(path)) {
    let mod: WebAssembly.Module | null = null;
    try {
      const bytes = readFileSync(path);
      if (WebAssembly.validate(bytes)) mod = new WebAssembly.Module(bytes);
    } catch { /* not built: the JS paths run */ }
    compiled.set(path, mod);
  }
  return compiled.get(path)!;
}

/**
 * Puts `mod` in place of the built module at `path` (null: the JS paths run; undefined: the built one
 * again). For tests: a kernel with a planted error must change the checks' numbers.
 *
 * @example
 * ```ts
 * useWasm(join(__dirname, 'step64.wasm'), plantedModule);
 * ```
 */
export function useWasm(path: string, mod: WebAssembly.Module | null | undefined): void {
  if (mod === undefined) compiled.delete(path); else compiled.set(path, mod);
}

/** The compiled product kernel, or null when it cannot run here (not built, no SIMD). */
export function kernel(): WebAssembly.Module | null {
  return wasmModule(join(__dirname, 'gemm64.wasm'));
}

/** Whether products run in WebAssembly SIMD here: the kernel loads and GRADSCOPE_SIMD is not 0. */
export function simd(): boolean {
  return process.env.GRADSCOPE_SIMD !== '0' && kernel() !== null;
}

/**
 * The product by a fixed W (given transposed, WT [N, n] row-major, as `mul` takes it) for up to
 * `maxRows` rows of A: W is laid out once in the kernel's own memory, A copied in and O copied out
 * at each call. `mod`: the kernel to run (default: the built one, where it runs here; null: `mul`).
 *
 * @example
 * ```ts
 * const byWa = product(WaT, na, 4 * na, 2 * m);
 * byWa(da, 2 * m, dz, 4 * na, 0);   // dz = da W_a, the same numbers as mul(da, 2 * m, na, WaT, 4 * na, dz, 4 * na, 0)
 * ```
 */
export function product(WT: Float64Array, n: number, N: number, maxRows: number, mod: WebAssembly.Module | null = simd() ? kernel() : null): Product {
  const js: Product = (A, rows, out, ldo, oo) => mul(A, rows, n, WT, N, out, ldo, oo);
  if (!mod || maxRows * n * N < MIN_MADDS || N < 4) return js;
  const Np = Math.ceil(N / 4) * 4, Rp = Math.ceil(maxRows / 4) * 4; // the kernel's blocks: 4 rows by 4 columns
  const arena = Arena.create(n * Np + Rp * (n + Np) + 8, mod);
  if (!arena) return js;
  const WTp = Np === N ? WT : new Float64Array(Np * n); // W's columns padded with zeros to Np
  if (WTp !== WT) WTp.set(WT);
  const byW = arena.product(WTp, n, Np), Ain = arena.alloc(Rp * n), O = arena.alloc(Rp * Np);
  return (A, rows, out, ldo, oo) => {
    if (rows > Rp) return js(A, rows, out, ldo, oo);
    Ain.set(A.length === rows * n ? A : A.subarray(0, rows * n));
    byW(Ain, rows, O, Np, 0);
    if (ldo === Np && oo === 0) out.set(O.subarray(0, rows * Np));
    else for (let i = 0; i < rows; i++) out.set(O.subarray(i * Np, i * Np + N), i * ldo + oo);
  };
}

/** The kernel's instance for one-off products (`times`), its memory grown as needed (at most SCRATCH_BYTES). */
let scratch: { mod: WebAssembly.Module; memory: WebAssembly.Memory; gemm: Gemm; f: Float64Array } | undefined;
const SCRATCH_BYTES = 64 * 2 ** 20;
type Gemm = (a: number, w: number, o: number, rows: number, n: number, N: number, ldo: number) => void;

/**
 * O = A W once, for A [rows, n] and W [n, N] row-major, given as W or transposed as WT [N, n] (or
 * both): the kernel where it pays, else `mul`; the same numbers either way. The kernel's memory is
 * one scratch area kept between calls (a new WebAssembly.Memory each call costs more than the
 * product), rows taken in chunks so it stays under 64 MB.
 *
 * @example
 * ```ts
 * const O = times(X, m, nx, nh, W);          // [m, nh]
 * const E = times(D, m, nh, nx, undefined, W);   // D W^T: W is that product's W transposed
 * ```
 */
export function times(A: Float64Array, rows: number, n: number, N: number, W?: Float64Array, WT?: Float64Array): Float64Array {
  const out = new Float64Array(rows * N);
  const mod = simd() ? kernel() : null;
  const Np = Math.ceil(N / 4) * 4;
  const chunk = Math.floor((SCRATCH_BYTES / 8 - n * Np) / (n + Np) / 4) * 4; // rows per call that fit beside W
  if (!mod || rows * n * N < ONCE_MADDS || N < 4 || chunk < 4) {
    mul(A, rows, n, WT ?? transpose(W!, n, N), N, out, N, 0);
    return out;
  }
  const R = Math.min(chunk, Math.ceil(rows / 4) * 4);
  const aOff = n * Np, oOff = aOff + R * n, bytes = (oOff + R * Np) * 8;
  if (scratch?.mod !== mod) {
    const memory = new WebAssembly.Memory({ initial: 1 });
    scratch = { mod, memory, gemm: new WebAssembly.Instance(mod, { env: { memory } }).exports.gemm as Gemm, f: new Float64Array(memory.buffer) };
  }
  if (scratch.memory.buffer.byteLength < bytes) {
    scratch.memory.grow(Math.ceil((bytes - scratch.memory.buffer.byteLength) / 65536));
    scratch.f = new Float64Array(scratch.memory.buffer); // growing detaches the old view
  }
  const { f, gemm } = scratch;
  if (W && Np === N) f.set(W.subarray(0, n * N));
  else if (W) for (let r = 0; r < n; r++) f.set(W.subarray(r * N, r * N + N), r * Np);
  else for (let r = 0; r < n; r++) for (let c = 0; c < N; c++) f[r * Np + c] = WT![c * n + r];
  for (let i0 = 0; i0 < rows; i0 += R) {
    const k = Math.min(R, rows - i0);
    f.set(A.subarray(i0 * n, (i0 + k) * n), aOff);
    gemm(aOff * 8, 0, oOff * 8, Math.ceil(k / 4) * 4, n, Np, Np);
    if (Np === N) out.set(f.subarray(oOff, oOff + k * N), i0 * N);
    else for (let i = 0; i < k; i++) out.set(f.subarray(oOff + i * Np, oOff + i * Np + N), (i0 + i) * N);
  }
  return out;
}

/**
 * z = a W + b for a [m, nIn], W [nIn, nOut]: the float64 matrix product,
 *   z[i, k] = b[k] + sum_j a[i, j] W[j, k]
 * ({@link times}, then b; WT: W transposed, if already made). Every mirror's affine map.
 *
 * @example
 * ```ts
 * const z1 = affine(X, W1, b1, m, nx, n1);   // z^1 = X W^1 + b^1, [m, n1]
 * ```
 */
export function affine(a: Float64Array, W: Float64Array, b: Float64Array, m: number, nIn: number, nOut: number, WT?: Float64Array): Float64Array {
  const z = times(a, m, nIn, nOut, W, WT);
  for (let i = 0; i < m; i++) for (let k = 0; k < nOut; k++) z[i * nOut + k] = b[k] + z[i * nOut + k];
  return z;
}

/**
 * Float64 arrays in one WebAssembly memory, for kernels that work on them in place (the LSTM's step,
 * src/lstm/delta64.ts): `alloc` hands out views (16-byte aligned, never moved: the memory is sized
 * once and never grows; a view's byteOffset is its address for a kernel), `product` a matrix product between views.
 *
 * @example
 * ```ts
 * const arena = new Arena(4096);
 * const A = arena.alloc(8 * 32), O = arena.alloc(8 * 128);
 * const byW = arena.product(WT, 32, 128);
 * byW(A, 8, O, 128, 0);   // O = A W, in place
 * ```
 */
export class Arena {
  readonly memory: WebAssembly.Memory;
  private top = 0;
  private readonly doubles: number;
  private gemm?: Gemm;

  /** An arena of `doubles` float64s, or null above 1 GiB or where the memory cannot be had (the JS paths then run). */
  static create(doubles: number, gemm?: WebAssembly.Module): Arena | null {
    if (!(doubles * 8 <= 2 ** 30)) return null;
    try { return new Arena(doubles, gemm); } catch { return null; }
  }

  /** Room for `doubles` float64s (plus 1 per allocation for alignment); `gemm`: the product kernel (default: the built one). */
  constructor(doubles: number, private readonly gemmModule?: WebAssembly.Module) {
    this.doubles = doubles;
    this.memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil((doubles * 8) / 65536)) });
  }

  /** n float64s (zeros), at a 16-byte boundary. */
  alloc(n: number): Float64Array {
    if (this.top + n > this.doubles) throw new Error(`Arena: ${this.top + n} float64s asked of ${this.doubles}`);
    const v = new Float64Array(this.memory.buffer, this.top * 8, n);
    this.top += n + (n & 1);
    return v;
  }

  /** The exports of a module instantiated on this memory, with `imports` beside it. */
  instance(mod: WebAssembly.Module, imports: Record<string, unknown> = {}): WebAssembly.Exports {
    return new WebAssembly.Instance(mod, { env: { memory: this.memory, ...imports } }).exports;
  }

  /**
   * out[i, oo + c] = sum_r A[i, r] W[r, c], A and out views of this arena (rows padded to a multiple
   * of 4: the kernel computes whole blocks), W given transposed (WT [N, n]), N a multiple of 4.
   */
  product(WT: Float64Array, n: number, N: number): (A: Float64Array, rows: number, out: Float64Array, ldo: number, oo: number) => void {
    if (N % 4) throw new Error(`Arena.product: N ${N} is not a multiple of 4`);
    const W = this.alloc(n * N);
    for (let r = 0; r < n; r++) for (let c = 0; c < N; c++) W[r * N + c] = WT[c * n + r];
    const gemm = (this.gemm ??= this.instance(this.gemmModule ?? kernel()!).gemm as Gemm);
    const w = W.byteOffset;
    return (A, rows, out, ldo, oo) => gemm(A.byteOffset, w, out.byteOffset + oo * 8, Math.ceil(rows / 4) * 4, n, N, ldo);
  }
}
