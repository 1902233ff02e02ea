/** Shared by the chart and display tests: a hand-made CheckReport, vega-lite 5.6 rendering and SVG readers. */
import assert from 'node:assert/strict';
import * as vega from 'vega';
import * as gs from '../src/index';

/** vega-lite 5.6.1, what JupyterLab 4 bundles (package alias vega-lite-56). */
// eslint-disable-next-line @typescript-eslint/no-var-requires
export const vl56 = require('vega-lite-56') as typeof import('vega-lite');

/** Compiles a chart with vega-lite 5.6 (asserting no warnings; `label` names it in the failure) and renders it through vega 5: the SVG and its texts. */
export async function render56(spec: gs.ChartSpec, label?: string): Promise<{ svg: string; texts: string[] }> {
  const warnings: string[] = [];
  const logger = { level: () => logger, warn: (...m: unknown[]) => { warnings.push(m.join(' ')); return logger; }, info: () => logger, debug: () => logger, error: (...m: unknown[]) => { throw new Error(m.join(' ')); } };
  const { spec: vg } = vl56.compile(spec as never, { logger: logger as never });
  assert.deepEqual(warnings, [], label && `${label}: vega-lite 5.6 warnings`);
  const view = new vega.View(vega.parse(vg), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return { svg, texts: svgTexts(svg) };
}

/** A report with one failing block (dW2), one exact zero (db2), and one block in each other band. */
export function fakeReport(): gs.CheckReport {
  const blocks: gs.BlockResult[] = [
    { name: 'dW1', relativeError: 2e-9, verdict: 'great', checked: 6, size: 6, kinks: 0 },
    { name: 'db1', relativeError: 3e-6, verdict: 'ok', checked: 3, size: 3, kinks: 0 },
    { name: 'dW2', relativeError: 0.31, verdict: 'wrong', checked: 3, size: 3, kinks: 0 },
    { name: 'db2', relativeError: 0, verdict: 'great', checked: 1, size: 1, kinks: 0 },
    { name: 'dW3', relativeError: 2e-4, verdict: 'worry', checked: 1, size: 1, kinks: 0 },
  ];
  return {
    relativeError: 0.12,
    pairs: { handVsAutograd: 0.12, handVsNumeric: 0.12, autogradVsNumeric: 3e-10 },
    blocks,
    worst: [{ block: 'dW2', index: [1, 0], analytic: 0.5, numeric: 0.25, difference: 0.25, kink: false }],
    verdict: 'wrong',
    bands: gs.BANDS.float64,
    precision: 'float64',
    eps: 1e-7,
    mode: 'full',
    backend: 'wasm',
    evaluations: 26,
    seconds: 0.01,
    time: { analytic: 0.004, numeric: 0.005 },
    notes: ['dW2 is wrong: the hand-written backward differs from both autograd and the numerical gradient'],
    toString: () => 'gradient check: wrong (dW2)',
  };
}

/** Text content of every <text> element. */
export function svgTexts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1].replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'"));
}

/** Number of line paths (one per series) in mark-line groups, optionally of the layer whose name starts with `name`. */
export function linePaths(svg: string, name = ''): number {
  return [...svg.matchAll(/<g class="mark-line role-mark ([^"]*)"[^>]*><path /g)].filter((m) => m[1].startsWith(name)).length;
}

/** Number of items of a mark type (symbol, rect, rule, text) drawn as marks (not axes/legends). */
export function markItems(svg: string, type: string): number {
  const groups = [...svg.matchAll(new RegExp(`<g class="mark-${type} role-mark[^"]*"[^>]*>(.*?)</g>`, 'g'))];
  const tag = type === 'text' ? '<text' : type === 'rect' ? '<path' : type === 'rule' ? '<line' : '<path';
  return groups.reduce((n, g) => n + g[1].split(tag).length - 1, 0);
}
