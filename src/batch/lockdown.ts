/**
 * Locks the grading process before a student's code runs in it (verdict.ts): the JavaScript
 * built-ins (Math, Object, Array, Function, JSON, Reflect, typed arrays, ... and their prototypes)
 * are frozen and their global names made read-only, and so are the exports of every module of
 * gradscope and TensorFlow.js already loaded, with their functions and classes' prototypes. A
 * student can then neither patch `Math.abs`, `tf.Tensor.prototype.sub` or `gs.grade.backward`,
 * nor swap `globalThis.Math`: in strict code the attempt throws a TypeError, in sloppy code it does
 * nothing. Instances (tensors, tf's engine and its kernel registry) are not frozen: tf mutates them.
 */

const GLOBALS = [
  'Object', 'Function', 'Array', 'Number', 'String', 'Boolean', 'Symbol', 'BigInt', 'Math', 'JSON', 'Reflect', 'Proxy',
  'Promise', 'Map', 'Set', 'WeakMap', 'WeakSet', 'Date', 'RegExp', 'Error', 'TypeError', 'RangeError', 'SyntaxError',
  'ReferenceError', 'EvalError', 'URIError', 'AggregateError', 'ArrayBuffer', 'SharedArrayBuffer', 'DataView', 'Atomics',
  'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array',
  'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array', 'isFinite', 'isNaN', 'parseFloat', 'parseInt',
  'Infinity', 'NaN', 'undefined', 'globalThis', 'Buffer',
];

/**
 * Takes away what would let code reach Node's module system or its native bindings: a student's
 * code gets its own `require` (gradscope and tfjs only), and without these it has no other way to
 * load `fs`, `inspector` or `worker_threads`, or to patch the bindings the grader's report goes
 * through.
 */
export function closeProcess(): void {
  const p = process as unknown as Record<string, unknown>;
  for (const name of ['binding', '_linkedBinding', 'dlopen', 'mainModule', 'getBuiltinModule', 'moduleLoadList']) {
    try { Object.defineProperty(p, name, { value: undefined, writable: false, configurable: false }); } catch { /* not there */ }
  }
}

/** Freezes `value`, and for a function its prototype object and the functions on both (`up`: the prototype's chain too). */
function freezeDeep(value: unknown, seen: Set<unknown>, up = false): void {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null || seen.has(value)) return;
  seen.add(value);
  if (ArrayBuffer.isView(value)) return; // typed arrays cannot be frozen while they have elements
  try { Object.freeze(value); } catch { return; }
  if (typeof value === 'function') {
    const proto = (value as { prototype?: unknown }).prototype;
    if (proto && typeof proto === 'object') {
      freezeDeep(proto, seen);
      for (const k of Reflect.ownKeys(proto)) {
        const d = Object.getOwnPropertyDescriptor(proto, k);
        if (d && typeof d.value === 'function') freezeDeep(d.value, seen);
      }
      if (up) freezeDeep(Object.getPrototypeOf(proto), seen, up);
    }
    for (const k of Reflect.ownKeys(value)) {
      const d = Object.getOwnPropertyDescriptor(value, k);
      if (d && typeof d.value === 'function') freezeDeep(d.value, seen);
    }
  }
}

/** Properties ordinary code sets on its own objects (`e.name = ...`, `o.toString = ...`) that a frozen prototype would forbid (JavaScript's "override mistake"). */
const OVERRIDABLE = ['constructor', 'name', 'message', 'stack', 'toString', 'valueOf', 'toJSON', 'cause'];

/** Makes `key` of `proto` an accessor whose setter defines the property on the object assigned to, so freezing `proto` keeps that working. */
function allowOverride(proto: object): void {
  for (const key of OVERRIDABLE) {
    const d = Object.getOwnPropertyDescriptor(proto, key);
    if (!d || !('value' in d) || !d.configurable) continue;
    const value = d.value;
    Object.defineProperty(proto, key, {
      get() { return value; },
      set(this: object, v: unknown) {
        if (this === proto) throw new TypeError(`Cannot assign to read only property '${key}' of a frozen built-in`);
        Object.defineProperty(this, key, { value: v, writable: true, enumerable: true, configurable: true });
      },
      enumerable: d.enumerable, configurable: false,
    });
  }
}

/** The JavaScript built-ins: frozen, and their global names read-only. */
export function freezeIntrinsics(): void {
  const seen = new Set<unknown>();
  const g = globalThis as unknown as Record<string, unknown>;
  for (const name of GLOBALS) {
    const proto = (g[name] as { prototype?: unknown } | undefined)?.prototype;
    if (proto && typeof proto === 'object') allowOverride(proto);
  }
  for (const name of GLOBALS) {
    const v = g[name];
    if (name !== 'globalThis') freezeDeep(v, seen);
    for (const k of typeof v === 'function' || (typeof v === 'object' && v) ? Reflect.ownKeys(v as object) : []) {
      const d = Object.getOwnPropertyDescriptor(v, k);
      if (d && (typeof d.value === 'object' || typeof d.value === 'function')) freezeDeep(d.value, seen);
    }
    const d = Object.getOwnPropertyDescriptor(globalThis, name);
    if (d && d.configurable) Object.defineProperty(globalThis, name, { value: v, writable: false, enumerable: d.enumerable, configurable: false });
  }
  // the prototypes only reachable through instances: async and generator functions, iterators
  for (const v of [async function () {}, function* () {}, async function* () {}, [][Symbol.iterator](), new Map().entries(), ''[Symbol.iterator]()]) {
    for (let p = Object.getPrototypeOf(v); p && p !== Object.prototype; p = Object.getPrototypeOf(p)) freezeDeep(p, seen, true);
  }
}

/**
 * Freezes the exports of the loaded modules whose file path passes `owned` (gradscope's and
 * TensorFlow.js's), their functions and their classes' prototypes, one level into plain objects
 * (namespaces such as `gs.grade`, `gs.optimizers`, `tf.train`).
 */
export function freezeModules(owned: (file: string) => boolean): number {
  const seen = new Set<unknown>();
  let n = 0;
  for (const [file, mod] of Object.entries(require.cache)) {
    if (!mod || !owned(file)) continue;
    const exports = mod.exports as Record<string | symbol, unknown>;
    if ((typeof exports !== 'object' && typeof exports !== 'function') || exports === null) continue;
    for (const k of Reflect.ownKeys(exports)) {
      const d = Object.getOwnPropertyDescriptor(exports, k);
      const v = d && 'value' in d ? d.value : d?.get ? safeGet(exports, k) : undefined;
      if (typeof v === 'function') freezeDeep(v, seen);
      else if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype && !seen.has(v)) {
        seen.add(v);
        for (const kk of Reflect.ownKeys(v)) {
          const dd = Object.getOwnPropertyDescriptor(v, kk);
          if (dd && typeof dd.value === 'function') freezeDeep(dd.value, seen);
        }
        Object.freeze(v);
      }
    }
    Object.freeze(exports);
    n++;
  }
  return n;
}

function safeGet(o: Record<string | symbol, unknown>, k: string | symbol): unknown {
  try { return o[k]; } catch { return undefined; }
}
