/**
 * Vega-Lite spec -> SVG in Node, synchronously: vega-lite compiles to Vega, a headless View
 * (renderer 'none') runs its dataflow with `view.run()` (synchronous when all data is inline, as in
 * every gradscope chart), and vega's SVGStringRenderer draws the scenegraph. This is what
 * `view.toSVG()` does after awaiting `runAsync()`, minus the await; the tests check that both give
 * the same string.
 */
import type * as Vega from 'vega';
import type * as VegaLite from 'vega-lite';
import { GradscopeError, invalid } from '../core/errors';
import type { ChartSpec } from '../charts/common';

let vegaMod: typeof Vega | undefined;
let vlMod: typeof VegaLite | undefined;
/* eslint-disable @typescript-eslint/no-var-requires */
const vega = (): typeof Vega => (vegaMod ??= require('vega') as typeof Vega); // loaded on first use (~0.5 s)
const vl = (): typeof VegaLite => (vlMod ??= require('vega-lite') as typeof VegaLite);

/** True for a Vega-Lite spec object (it carries a vega-lite `$schema`). */
export function isChartSpec(x: unknown): x is ChartSpec {
  return !!x && typeof x === 'object' && !Array.isArray(x) && typeof (x as { $schema?: unknown }).$schema === 'string' &&
    /vega-lite/.test((x as { $schema: string }).$schema);
}

/** Compiles a Vega-Lite spec to Vega, collecting vega-lite's warnings instead of printing them. */
export function compile(spec: ChartSpec): { vega: Vega.Spec; warnings: string[] } {
  if (!isChartSpec(spec)) throw invalid('spec', spec, 'a Vega-Lite spec with "$schema": "https://vega.github.io/schema/vega-lite/v5.json" (e.g. from gs.charts)');
  const warnings: string[] = [];
  const logger = {
    level(): number { return 0; },
    error(...a: unknown[]) { warnings.push(a.map(String).join(' ')); return this; },
    warn(...a: unknown[]) { warnings.push(a.map(String).join(' ')); return this; },
    info() { return this; },
    debug() { return this; },
  } as unknown as Parameters<typeof VegaLite.compile>[1] extends infer O ? O extends { logger?: infer L } ? L : never : never;
  try {
    return { vega: vl().compile(spec, { logger }).spec as Vega.Spec, warnings };
  } catch (e) {
    throw new GradscopeError('spec', `invalid spec: vega-lite cannot compile it: ${(e as Error).message}`);
  }
}

/** A headless View whose dataflow has run (synchronously). */
function runView(spec: ChartSpec): Vega.View {
  const v = vega();
  const view = new v.View(v.parse(compile(spec).vega), { renderer: 'none' });
  view.logLevel(v.Error);
  view.run();
  const internal = view as unknown as { _pulse: unknown; _pending: unknown };
  if (internal._pulse || internal._pending) {
    throw new GradscopeError('spec', 'invalid spec: its data loads asynchronously (a URL?), so it cannot be drawn synchronously (expected inline data: { values: [...] })');
  }
  return view;
}

/**
 * Renders a Vega-Lite spec to an SVG string, synchronously, in Node (no browser, no network).
 *
 * @example
 * ```ts
 * const svg = gs.toSVG(gs.charts.layerGradients(rows));   // '<svg xmlns=...'
 * ```
 */
export function toSVG(spec: ChartSpec): string {
  const view = runView(spec);
  try {
    const v = vega();
    const internal = view as unknown as { _viewWidth: number; _viewHeight: number; _origin: [number, number] };
    const pad = view.padding() as { left: number; right: number; top: number; bottom: number };
    const width = Math.max(0, internal._viewWidth + pad.left + pad.right);
    const height = Math.max(0, internal._viewHeight + pad.top + pad.bottom);
    const r = new (v as unknown as { SVGStringRenderer: new (loader: unknown) => SvgRenderer }).SVGStringRenderer(view.loader());
    r.initialize(null, width, height, [pad.left + internal._origin[0], pad.top + internal._origin[1]], 1).background(view.background());
    r.render((view.scenegraph() as unknown as { root: unknown }).root);
    return r.svg();
  } finally {
    view.finalize();
  }
}

interface SvgRenderer {
  initialize(el: null, width: number, height: number, origin: [number, number], scale: number): SvgRenderer;
  background(bg: unknown): SvgRenderer;
  render(scene: unknown): SvgRenderer;
  svg(): string;
}

/** The same SVG through vega's own asynchronous `view.toSVG()` (used by the tests as a reference). */
export async function toSVGAsync(spec: ChartSpec): Promise<string> {
  const view = runView(spec);
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
