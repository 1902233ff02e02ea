/**
 * Which TensorFlow.js engine gradscope uses, chosen once at load:
 * `tensorflow` (@tensorflow/tfjs-node, native) if its binding loads, else `wasm`
 * (@tensorflow/tfjs-backend-wasm), else `cpu` (pure JS). `GRADSCOPE_BACKEND` forces one.
 *
 * Why this order (README, "Native backend"; BENCHMARKS.md (d)): tfjs-node is there only when someone
 * installed it on purpose (`npm run native`), and it wins where waiting happens: a forward + backward
 * of [784, 512, 512, 10] at batch 256 takes a third to a fifth of wasm's time. On the small nets most
 * checks use, wasm is 3x faster (0.4 ms against 1.2 ms, both far below a check's float64 work), smaller
 * and bit-exact; without tfjs-node it is the default. One engine per process: tensors live on one
 * backend, and a choice per call would copy them between backends and change their last bits mid-notebook.
 */
import { simd } from './gemm64';
import type * as tfTypes from '@tensorflow/tfjs';

/**
 * A TensorFlow.js backend gradscope can run on: `tensorflow` (@tensorflow/tfjs-node, TensorFlow's
 * native CPU library; built by `npm run native`), `wasm` (@tensorflow/tfjs-backend-wasm, started
 * synchronously at load) or `cpu` (pure JS). `GRADSCOPE_BACKEND=tensorflow|wasm|cpu` forces one.
 */
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
const BACKENDS: BackendName[] = ['tensorflow', 'wasm', 'cpu'];

/** What {@link backendInfo} reports. */
export interface BackendInfo {
  /** The backend tf is using right now (`tf.getBackend()`). */
  active: string;
  /** The backend gradscope chose (or was told to use with GRADSCOPE_BACKEND). */
  chosen: BackendName;
  /** True once the chosen backend is initialised (at load: gradscope starts it synchronously). */
  ready: boolean;
  /** The wasm binary in use (the SIMD build when this Node supports it). */
  wasmBinary?: string;
  /** Set when GRADSCOPE_BACKEND forced the choice. */
  forced?: BackendName;
  /** The TensorFlow C library tfjs-node runs, e.g. `2.21.0` (set when the tensorflow backend loaded). */
  tensorflow?: string;
  /** Why each better backend was not used, e.g. `{ tensorflow: "Cannot find module '@tensorflow/tfjs-node'" }`. */
  skipped: Partial<Record<BackendName, string>>;
  /**
   * How the float64 checks' matrix products (and the LSTM's step) run, whatever the tf backend:
   * `'wasm-simd'`, gradscope's own WebAssembly SIMD kernels, or `'js'` (no WebAssembly SIMD, the
   * package not built, or GRADSCOPE_SIMD=0). The same numbers either way; the kernels are faster.
   */
  float64: 'wasm-simd' | 'js';
}

function firstLine(e: unknown): string {
  return String(e instanceof Error ? e.message : e).split('\n')[0];
}

const forcedRaw = (typeof process !== 'undefined' ? process.env.GRADSCOPE_BACKEND : undefined)?.trim();
let forced: BackendName | undefined;
if (forcedRaw) {
  if (!BACKENDS.includes(forcedRaw as BackendName)) {
    throw new Error(`invalid GRADSCOPE_BACKEND: ${JSON.stringify(forcedRaw)} (expected one of ${BACKENDS.join(', ')})`);
  }
  forced = forcedRaw as BackendName;
}

const skipped: Partial<Record<BackendName, string>> = {};
let wasmBinary: string | undefined;
let chosen: BackendName = 'cpu';
let engine: typeof tfTypes | undefined;

// tfjs's console warnings are about its own setup: the cpu backend's "install our node backend"
// banner on first use (printed when a process switches to cpu, even with tfjs-node loaded) and
// "Platform node has already been set". backendInfo() says which backend runs and why; the banner
// in a notebook or report is noise. PROD silences tfjs's warn() and nothing else.
(require('@tensorflow/tfjs') as typeof tfTypes).env().set('PROD', true);
let tensorflowVersion: string | undefined;

// 1. tensorflow: the native binding. tfjs-node brings its own copy of tfjs; use that one.
if (!forced || forced === 'tensorflow') {
  // TensorFlow's C++ logging writes to stderr as the library loads: with these defaults nothing
  // (INFO/WARNING off; the oneDNN notice is logged before TF_CPP_MIN_LOG_LEVEL applies, so oneDNN's
  // custom ops are off, which also halved the forward + backward times of BENCHMARKS.md (d); the
  // exp/log-type kernels differ from wasm's last bits either way). A user's own settings win.
  if (typeof process !== 'undefined') {
    process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
    process.env.TF_ENABLE_ONEDNN_OPTS ??= '0';
  }
  try {
    // tfjs-node 4.22 calls util.isNullOrUndefined in most kernels; Node 23 removed it and Deno's
    // node:util lacks it (there tfjs-node loads, then its first add throws). Same meaning, where missing.
    const util = require('util') as { isNullOrUndefined?: (x: unknown) => boolean };
    if (typeof util.isNullOrUndefined !== 'function') util.isNullOrUndefined = (x) => x === null || x === undefined;
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const node = require('@tensorflow/tfjs-node') as typeof tfTypes;
    engine = node;
    // A binding that loads can still fail in its kernels: one op must run, else wasm, with the reason.
    let sum: number | string;
    try { sum = node.tidy(() => node.add(node.tensor1d([1, 2]), node.scalar(1)).dataSync()[1]); } catch (e) { sum = firstLine(e); }
    if (sum !== 3) throw new Error(`its binding loads, but its first op (2 + 1) gives ${typeof sum === 'number' ? sum : `an error: ${sum}`}`);
    chosen = 'tensorflow';
    try {
      tensorflowVersion = String((engine.backend() as unknown as { binding: { TF_Version: string } }).binding.TF_Version);
    } catch {
      tensorflowVersion = undefined;
    }
  } catch (e) {
    engine = undefined;
    skipped.tensorflow = firstLine(e);
    if (forced) {
      throw new Error(
        `GRADSCOPE_BACKEND=tensorflow but @tensorflow/tfjs-node does not load: ${skipped.tensorflow}. ` +
          `In a gradscope checkout, \`npm run native\` builds it from a TensorFlow wheel; or unset GRADSCOPE_BACKEND.`,
      );
    }
  }
}
if (!engine) engine = require('@tensorflow/tfjs') as typeof tfTypes;

/** The TensorFlow.js instance gradscope uses; a user's tensors and gradscope's share this engine. */
export const tf: import('./tf').Tf = engine; // a type of gradscope's own: `const tf = gs.tf;` compiles in any notebook folder
/** tf's tensor types under the same name, so `gs.tf.Tensor2D` works as a type as well. */
// eslint-disable-next-line @typescript-eslint/no-namespace
export declare namespace tf {
  /** tf.Tensor: a tensor of any rank (R). */
  export type Tensor<R extends tfTypes.Rank = tfTypes.Rank> = tfTypes.Tensor<R>;
  /** tf.Scalar: a rank-0 tensor. */
  export type Scalar = tfTypes.Scalar;
  /** tf.Tensor1D: a vector, e.g. class indices [m] or a bias b^l [n(l)]. */
  export type Tensor1D = tfTypes.Tensor1D;
  /** tf.Tensor2D: a matrix, e.g. X [m, n0] or W^l [n(l-1), n(l)]. */
  export type Tensor2D = tfTypes.Tensor2D;
  /** tf.Tensor3D: e.g. a sequence batch X [m, T, nx]. */
  export type Tensor3D = tfTypes.Tensor3D;
  /** tf.Variable: a trainable tensor; every network parameter is one. */
  export type Variable<R extends tfTypes.Rank = tfTypes.Rank> = tfTypes.Variable<R>;
  /** tf.Rank: the rank type parameter of Tensor and Variable. */
  export type Rank = tfTypes.Rank;
  /** tf.TensorContainer: a tensor, or arrays and objects of them (what tf.dispose and tf.tidy take). */
  export type TensorContainer = tfTypes.TensorContainer;
}

// 2. wasm, 3. cpu.
if (chosen !== 'tensorflow') {
  if (!forced || forced === 'wasm') {
    try {
      startWasmSync();
      chosen = 'wasm';
    } catch (e) {
      skipped.wasm = firstLine(e);
      if (forced) throw new Error(`GRADSCOPE_BACKEND=wasm but @tensorflow/tfjs-backend-wasm does not load: ${skipped.wasm}`);
    }
  } else {
    skipped.wasm = `GRADSCOPE_BACKEND=${forced}`;
  }
  if (chosen !== 'wasm') chosen = 'cpu';
}
/**
 * Loads the wasm backend synchronously, so gradscope is usable as soon as it is required (no
 * `await` needed): tfjs-backend-wasm's own init is async, but its Emscripten module can be
 * instantiated with `new WebAssembly.Instance`, which Node allows for any size. Same binary,
 * same kernels; only the loading differs. Prefers the SIMD build.
 */
function startWasmSync(): void {
  const wasm = require('@tensorflow/tfjs-backend-wasm') as { BackendWasm: new (module: unknown) => unknown };
  const path = require('path') as typeof import('path');
  const fs = require('fs') as typeof import('fs');
  const dir = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'wasm-out');
  const factory = require(path.join(dir, 'tfjs-backend-wasm.js')) as (config: object) => Promise<unknown>;
  let lastError: unknown;
  for (const file of ['tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm.wasm']) {
    try {
      const binary = fs.readFileSync(path.join(dir, file));
      // Emscripten fills in the config object it is given: it becomes the module.
      const module: Record<string, any> = {
        instantiateWasm(imports: WebAssembly.Imports, receive: (instance: WebAssembly.Instance) => void) {
          const instance = new WebAssembly.Instance(new WebAssembly.Module(binary), imports);
          receive(instance);
          return instance.exports;
        },
      };
      const hooks = { uncaughtException: process.listeners('uncaughtException'), unhandledRejection: process.listeners('unhandledRejection') };
      factory(module).catch(() => undefined);
      // Emscripten's Node glue adds process handlers that rethrow any uncaught exception or unhandled
      // rejection. In a tslab kernel (which logs them and carries on) that turns a stray rejected
      // promise in a cell into a dead kernel; elsewhere Node's own default does the same thing
      // without printing the minified glue. Remove them.
      for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
        const emitter = process as NodeJS.EventEmitter;
        for (const f of emitter.listeners(event)) if (!(hooks[event] as unknown[]).includes(f)) emitter.removeListener(event, f as (...args: unknown[]) => void);
      }
      if (typeof module.cwrap !== 'function') throw new Error(`${file} did not initialise synchronously`);
      const cwrap = module.cwrap as (name: string, ret: string | null, args: string[]) => unknown;
      module.tfjs = {
        init: cwrap('init', null, []),
        initWithThreadsCount: cwrap('init_with_threads_count', null, ['number']),
        getThreadsCount: cwrap('get_threads_count', 'number', []),
        registerTensor: cwrap('register_tensor', null, ['number', 'number', 'number']),
        disposeData: cwrap('dispose_data', null, ['number']),
        dispose: cwrap('dispose', null, []),
      };
      tf.removeBackend('wasm');
      tf.registerBackend('wasm', () => new wasm.BackendWasm(module) as never, 2);
      void tf.setBackend('wasm'); // synchronous for a backend whose factory is synchronous
      if (tf.getBackend() !== 'wasm') throw new Error('tf.setBackend("wasm") did not take effect');
      wasmBinary = file;
      return;
    } catch (e) {
      lastError = e;
    }
  }
  throw lastError;
}
if (chosen === 'cpu') {
  void tf.setBackend('cpu'); // cpu is synchronous too (PROD, set above, keeps its banner quiet)
}
/**
 * Switches this process's tf to another backend, registering wasm synchronously first if it is not
 * registered yet (when tensorflow was chosen). For benchmarks that compare backends in one run;
 * gradscope's own choice ({@link backendInfo}'s `chosen`) stays as it was. Returns false when that
 * backend cannot run here (tensorflow without tfjs-node, or a wasm binary that does not load).
 *
 * @example
 * ```ts
 * import { switchBackend } from 'gradscope/src/backend';
 * switchBackend('cpu'); // tf.getBackend() === 'cpu'
 * ```
 */
export function switchBackend(name: BackendName): boolean {
  if (name === 'wasm' && !wasmBinary) {
    try {
      startWasmSync();
    } catch {
      return false;
    }
  }
  if (!(name in tf.engine().registryFactory)) return false;
  void tf.setBackend(name); // synchronous for all three: their factories are synchronous
  return tf.getBackend() === name;
}
let isReady = tf.getBackend() === chosen;
let readyPromise: Promise<BackendInfo> | undefined;

/**
 * Resolves with {@link backendInfo} once the chosen backend is initialised. gradscope starts its
 * backend synchronously when it is loaded, so this is already settled; it stays for code that
 * follows the tfjs habit of `await tf.ready()`.
 *
 * @example
 * ```ts
 * import * as gs from 'gradscope';
 * await gs.ready();               // { active: 'wasm', chosen: 'wasm', ... }
 * ```
 */
export function ready(): Promise<BackendInfo> {
  if (!readyPromise) {
    readyPromise = (async () => {
      if (!isReady) {
        const ok = await tf.setBackend(chosen);
        if (!ok) {
          if (forced) throw new Error(`GRADSCOPE_BACKEND=${forced} but tf.setBackend('${forced}') failed`);
          skipped[chosen] = `tf.setBackend('${chosen}') failed`;
          chosen = 'cpu';
          await tf.setBackend('cpu');
        }
      }
      await tf.ready();
      isReady = true;
      return backendInfo();
    })();
  }
  return readyPromise;
}
ready().catch(() => { /* reported again by whoever awaits ready() */ });

/**
 * Which backend is active and why the better ones were not used. gradscope picks `tensorflow`
 * (`@tensorflow/tfjs-node`, when it loads), else `wasm` (started synchronously when gradscope
 * loads), else `cpu`. `GRADSCOPE_BACKEND=tensorflow|wasm|cpu` forces one and fails with a clear
 * message if it cannot load; `GRADSCOPE_BACKEND=wasm` keeps wasm with tfjs-node installed.
 *
 * **The native backend** (`npm run native`, in a checkout). `@tensorflow/tfjs-node` cannot install
 * itself any more (its install script downloads libtensorflow 2.9.1 and a prebuilt binding, and
 * neither URL answers), so `npm run native` builds it from a TensorFlow wheel (Linux x86-64; g++,
 * make, python3 with pip, and Node's headers, which the official Node builds ship and Debian's
 * `libnode-dev` provides). It takes `libtensorflow_cc.so.2`, `libtensorflow_framework.so.2` and the
 * C API headers the binding includes out of the wheel (pip's configured index, no other download),
 * strips their local symbol tables (the 788 MB library becomes 557 MB), installs tfjs-node's package
 * files with npm without its install script, and compiles the binding against Node's headers. The
 * TensorFlow 2.21 libraries go into tfjs-node's `deps/lib` under the names its `binding.gyp` links
 * (`libtensorflow.so`) and under the 2.9.1 names its install.js looks for, so a rerun of that
 * script downloads nothing. The tested pairing is tfjs-node 4.22.0 with TensorFlow 2.21.0
 * (`tensorflow-cpu` wheel), Node 20, N-API 8. The build is kept under `out/native/` (git-ignored,
 * about 610 MB, hard-linked into node_modules); after `npm ci` wipes node_modules, `npm run native`
 * restores it in about 10 s without pip or a compiler, and run again it only checks that tfjs-node
 * loads. node_modules grows from about 500 MB to 1.1 GB. `npm run native -- --wheel <file.whl>` or
 * `-- --libtensorflow <file.tar.gz>` uses a file you have; `-- --check` exits 1 unless tfjs-node
 * loads; exit 3 means no wheel could be had.
 *
 * **Which backend, and why** (`npm run bench -- d`, BENCHMARKS.md (d)): one forward + backward of
 * `[64, 64, 64, 10]` at batch 64 takes 1.16 ms on tensorflow, 0.39 ms on wasm, 4.8 ms on cpu; of
 * `[784, 512, 512, 10]` at batch 256, 9.0 ms, 30.5 ms and 865 ms. On small nets wasm is 3x faster
 * than tensorflow (each native call costs more than its work) and bit-exact; on the large net
 * tensorflow is 3.4x faster than wasm and 96x faster than cpu (a busier machine gave 4.9x and
 * 139x). One backend per process (tensors live on one backend; choosing per call would copy them
 * and change their last bits mid-notebook): tensorflow when tfjs-node loads, else wasm. tfjs-node
 * costs 1.5-3 s more loading per process and 365 MB resident against 76 MB on wasm; a full check of
 * `[64, 64, 64, 10]` takes 0.2 s either way.
 *
 * On tensorflow, TensorFlow's exp/log-type kernels (sigmoid, softplus, log, log1p, exp) give
 * last-bit differences that depend on where a value sits in a tensor: float32 numeric gradients then
 * agree with the per-entry tf evaluation to about 1e-5 instead of bit for bit (well below the
 * float32 verdict bands). gradscope sets `TF_CPP_MIN_LOG_LEVEL=2` and `TF_ENABLE_ONEDNN_OPTS=0`
 * before it loads tfjs-node (unless you set them): TensorFlow then prints nothing on load, and it is
 * faster (with oneDNN's custom ops the same forward + backward took 1.97 / 18.3 ms, small / large
 * net, against 1.00 / 8.82 ms without). tfjs's console notices are off too (`PROD`).
 *
 * @example
 * ```ts
 * gs.backendInfo();
 * // { active: 'wasm', chosen: 'wasm', ready: true, wasmBinary: 'tfjs-backend-wasm-simd.wasm',
 * //   skipped: { tensorflow: "Cannot find module '@tensorflow/tfjs-node'" }, float64: 'wasm-simd' }
 * // after npm run native: { active: 'tensorflow', chosen: 'tensorflow', ready: true, skipped: {},
 * //                         tensorflow: '2.21.0' }
 * ```
 */
export function backendInfo(): BackendInfo {
  const info: BackendInfo = { active: tf.getBackend(), chosen, ready: isReady, skipped: { ...skipped }, float64: simd() ? 'wasm-simd' : 'js' };
  if (wasmBinary) info.wasmBinary = wasmBinary;
  if (forced) info.forced = forced;
  if (tensorflowVersion) info.tensorflow = tensorflowVersion;
  return info;
}

/** One line for reports: `wasm (not used: tensorflow: Cannot find module ...)`, `tensorflow (TensorFlow 2.21.0)`. */
export function backendLabel(): string {
  const active = tf.getBackend();
  const name = active === 'tensorflow' && tensorflowVersion ? `tensorflow (TensorFlow ${tensorflowVersion})` : active;
  const why = Object.entries(skipped).map(([k, v]) => `${k}: ${v}`).join('; ');
  return why ? `${name} (not used: ${why})` : name;
}
