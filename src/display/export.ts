/** gs.toSVG, gs.toPNG, gs.save: a chart, report or table to SVG, PNG, JSON or a standalone HTML page. */
import * as fs from 'fs';
import * as path from 'path';
import { GradscopeError, invalid } from '../core/errors';
import { describe } from './describe';
import type { ChartSpec } from '../charts/common';
import { svgToPNG, type PngOptions } from './png';
import { toSVG as specToSVG } from './svg';
import { knownKeys, number } from '../core/errors';
import { escapeHtml } from './table';

/** The chart of x: x itself when it is a spec, else the chart gradscope draws for it. */
export function chartOf(x: unknown, what = 'x'): ChartSpec {
  const { spec } = describe(x);
  if (!spec) throw new GradscopeError(what, `invalid ${what}: gradscope has no chart for this value (expected a Vega-Lite spec from gs.charts, a CheckReport, or gs.layerStats / gs.depthSweep / gs.deepLinear / gs.train results)`);
  return spec;
}

/**
 * Renders a chart to an SVG string, synchronously, in Node (no browser, no network). Takes a
 * Vega-Lite spec, or anything gs.show draws (a CheckReport, gs.layerStats rows, ...).
 *
 * @example
 * ```ts
 * const svg = gs.toSVG(gs.charts.layerGradients(rows));   // '<svg xmlns=...'
 * ```
 */
export function toSVG(x: unknown): string {
  return specToSVG(chartOf(x, 'spec'));
}

/**
 * Renders a chart to PNG bytes (a Buffer), synchronously (resvg, fonts from the system). The image
 * is round(width * scale) x round(height * scale) pixels of the SVG's size; scale defaults to 2.
 *
 * @example
 * ```ts
 * const png = gs.toPNG(gs.charts.gradCheck(report));       // Buffer, starts with \x89PNG
 * ```
 */
export function toPNG(x: unknown, options: PngOptions = {}): Buffer {
  knownKeys('options', options, ['scale']);
  const scale = number('scale', options.scale ?? 2, { min: 0, max: 16, openMin: true });
  return svgToPNG(toSVG(x), scale);
}

const EXTENSIONS = ['.svg', '.png', '.json', '.html'];

/** A page that shows the chart with no network: the SVG inline (plus the table for reports). */
export function page(x: unknown): string {
  const d = describe(x, { full: true });
  const svg = d.spec ? specToSVG(d.spec) : '';
  const spec = d.spec ? `<script type="application/json" id="vega-lite-spec">${JSON.stringify(d.spec).replace(/</g, '\\u003c')}</script>` : '';
  const numbers = d.spec && d.kind === 'chart' ? `<details><summary>the numbers</summary><pre>${escapeHtml(d.text)}</pre></details>` : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(d.title)}</title>
<style>${PAGE_CSS}</style>
</head>
<body>
<main>
${d.html ?? (d.spec ? '' : `<pre>${escapeHtml(d.text)}</pre>`)}
${svg ? `<figure class="chart">${svg}</figure>` : ''}
${numbers}
</main>
${spec}
</body>
</html>
`;
}

const PAGE_CSS = [
  'body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#fafafa;color:#222}',
  'main{max-width:1000px;margin:24px auto;padding:24px 32px;background:#fff;border:1px solid #e4e4e4;border-radius:6px}',
  'table.gradscope{margin:12px 0 20px}',
  'figure.chart{margin:16px 0}',
  '.chart svg{max-width:100%;height:auto}',
  'pre{font-size:12px;background:#f4f4f4;padding:8px 12px;overflow:auto}',
  'details{margin:8px 0} summary{cursor:pointer;color:#555}',
].join('\n');

/** JSON text of `x`, or a GradscopeError naming `x` when it has none (circular, BigInt, a function, undefined). */
function jsonOf(x: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(x, null, 2);
  } catch (e) {
    const why = /circular/i.test(String((e as Error).message)) ? 'a circular object' : `a value JSON cannot hold (${String((e as Error).message).split('\n')[0]})`;
    throw new GradscopeError('x', `invalid x: ${why} (expected a JSON-serialisable value for a .json file: a chart spec, a report, rows; or save it as .html / .svg / .png)`);
  }
  if (text === undefined) throw invalid('x', x, 'a JSON-serialisable value for a .json file');
  return text + '\n';
}

/** The first existing ancestor of `abs` that is not a directory, if any. */
function fileInTheWay(abs: string): string | undefined {
  for (let d = path.dirname(abs); ; d = path.dirname(d)) {
    let st: fs.Stats | undefined;
    try { st = fs.statSync(d); } catch { st = undefined; }
    if (st) return st.isDirectory() ? undefined : d;
    if (path.dirname(d) === d) return undefined;
  }
}

/** Writes, turning the file system's refusal into a GradscopeError that names the path and why. */
function write(file: string, abs: string, content: string | Buffer): void {
  const refuse = (why: string): GradscopeError => new GradscopeError('path', `invalid path: ${JSON.stringify(file)} (expected a file path gs.save can write: ${why})`);
  let st: fs.Stats | undefined;
  try { st = fs.statSync(abs); } catch { st = undefined; }
  if (st?.isDirectory()) throw refuse(`${abs} is a directory`);
  const blocker = fileInTheWay(abs);
  if (blocker) throw refuse(`${blocker} is a file, not a directory`);
  try {
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, content);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw refuse(`${err.code ?? 'error'}: ${String(err.message).split('\n')[0]}`);
  }
}

/**
 * Writes `x` (a chart spec, a CheckReport, rows, ...) to `file` by its extension:
 * .svg and .png the chart, .json the value itself (a spec is a value too), .html a standalone page
 * with the SVG inline (no scripts, no network) and, for reports and tables, the HTML table with
 * every row. Missing folders are created. Returns the absolute path. From a terminal this is the
 * way to see a chart: `gs.save(chart, 'chart.png')`, then open the file.
 *
 * @example
 * ```ts
 * gs.save(gs.charts.epsilonSweep(rows), 'eps.png');
 * gs.save(report, 'check.html');
 * ```
 */
export function save(x: unknown, file: string): string {
  if (typeof file !== 'string' || !file) throw invalid('path', file, `a file name ending in ${EXTENSIONS.join(', ')}`);
  if (file.includes('\0')) throw invalid('path', file, 'a file path without NUL bytes');
  const ext = path.extname(file).toLowerCase();
  if (!EXTENSIONS.includes(ext)) throw invalid('path', file, `a file name ending in ${EXTENSIONS.join(', ')}`);
  if (x === undefined || x === null) throw invalid('x', x, 'a value to save: a chart spec from gs.charts, a CheckReport, rows from gs.layerStats / gs.depthSweep, a gs.deepLinear or gs.train result');
  const abs = path.resolve(file);
  let content: string | Buffer;
  if (ext === '.json') content = jsonOf(x);
  else if (ext === '.html') content = page(x);
  else {
    const spec = chartOf(x);
    content = ext === '.svg' ? specToSVG(spec) : svgToPNG(specToSVG(spec));
  }
  write(file, abs, content);
  return abs;
}
