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
import type * as tfTypes from '@tensorflow/tfjs';

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
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    engine = require('@tensorflow/tfjs-node') as typeof tfTypes;
    chosen = 'tensorflow';
    try {
      tensorflowVersion = String((engine.backend() as unknown as { binding: { TF_Version: string } }).binding.TF_Version);
    } catch {
      tensorflowVersion = undefined;
    }
  } catch (e) {
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
  export type Tensor<R extends tfTypes.Rank = tfTypes.Rank> = tfTypes.Tensor<R>;
  export type Scalar = tfTypes.Scalar;
  export type Tensor1D = tfTypes.Tensor1D;
  export type Tensor2D = tfTypes.Tensor2D;
  export type Tensor3D = tfTypes.Tensor3D;
  export type Variable<R extends tfTypes.Rank = tfTypes.Rank> = tfTypes.Variable<R>;
  export type Rank = tfTypes.Rank;
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
 * Which backend is active and why the better ones were not used.
 *
 * @example
 * ```ts
 * gs.backendInfo();
 * // { active: 'wasm', chosen: 'wasm', ready: true,
 * //   skipped: { tensorflow: "Cannot find module '@tensorflow/tfjs-node'" } }
 * ```
 */
export function backendInfo(): BackendInfo {
  const info: BackendInfo = { active: tf.getBackend(), chosen, ready: isReady, skipped: { ...skipped } };
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
