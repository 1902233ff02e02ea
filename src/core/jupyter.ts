/**
 * The display hook of a notebook kernel: a value with a `[Symbol.for('Jupyter.display')]()` method
 * is shown by what that method returns when it is a cell's last expression. Deno's kernel calls it
 * (and awaits a promise it returns); gradscope's tslab kernel does the same.
 *
 * This module is a leaf: charts/, stats/ and the graders mark their results with
 * {@link displayable} without importing display/; display/ installs the renderer when it loads.
 */

/** The symbol a kernel looks for on a cell's value: `Symbol.for('Jupyter.display')`. */
export const JUPYTER_DISPLAY: unique symbol = Symbol.for('Jupyter.display');

/**
 * What the display method returns (see display/hook.ts): a MIME bundle, IPython's
 * `[data, metadata]` pair, or (under Deno) a promise of a bundle.
 */
export type DisplayResult = Record<string, unknown> | [Record<string, unknown>, Record<string, unknown>] | Promise<Record<string, unknown>>;

let renderer: ((x: object) => DisplayResult) | undefined;

/**
 * Sets the function behind every {@link displayable} value's display method (display/ sets it
 * when it loads; `undefined` restores the JSON fallback).
 *
 * @example
 * ```ts
 * setDisplayRenderer((x) => ({ 'text/plain': JSON.stringify(x) }));
 * ```
 */
export function setDisplayRenderer(fn: ((x: object) => DisplayResult) | undefined): void {
  renderer = fn;
}

/**
 * Gives `x` a non-enumerable, configurable `[JUPYTER_DISPLAY]()` method that renders it as
 * `gs.show` shows it, and returns `x`. JSON.stringify, deepStrictEqual, object spread and
 * Vega-Lite's compiler do not see the method: `x` stays plain data.
 *
 * @example
 * ```ts
 * const rows = displayable([{ layer: 1, value: 0.5 }]);
 * JSON.stringify(rows);            // '[{"layer":1,"value":0.5}]'
 * (rows as any)[JUPYTER_DISPLAY]();   // outside a kernel: { 'text/plain': ... }
 * ```
 */
export function displayable<T extends object>(x: T): T {
  const display = (): DisplayResult => (renderer ? renderer(x) : { 'text/plain': JSON.stringify(x, null, 2) ?? String(x) });
  Object.defineProperty(x, JUPYTER_DISPLAY, { value: display, enumerable: false, configurable: true, writable: true });
  return x;
}
