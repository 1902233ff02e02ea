/** gs.toSVG, gs.toPNG, gs.save: a chart, report or table to SVG, PNG, JSON or a standalone HTML page. */
import * as fs from 'fs';
import * as path from 'path';
import { GradscopeError, invalid } from '../errors';
import { describe } from './describe';
import type { ChartSpec } from '../charts/common';
import { svgToPNG, type PngOptions } from './png';
import { toSVG as specToSVG } from './svg';
import { knownKeys, number } from '../errors';
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
  const d = describe(x);
  const svg = d.spec ? specToSVG(d.spec) : '';
  const spec = d.spec ? `<script type="application/json" id="vega-lite-spec">${JSON.stringify(d.spec).replace(/</g, '\\u003c')}</script>` : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(d.title)}</title>
<style>body{font-family:sans-serif;margin:16px} .chart svg{max-width:100%;height:auto} pre{font-size:12px}</style>
</head>
<body>
${d.html ?? (d.spec ? '' : `<pre>${escapeHtml(d.text)}</pre>`)}
${svg ? `<div class="chart">${svg}</div>` : ''}
${spec}
</body>
</html>
`;
}

/**
 * Writes `x` (a chart spec, a CheckReport, rows, ...) to `file` by its extension:
 * .svg and .png the chart, .json the value itself (a spec is a value too), .html a standalone page
 * with the SVG inline (no scripts, no network) and, for reports and tables, the HTML table.
 * Returns the absolute path.
 *
 * @example
 * ```ts
 * gs.save(gs.charts.epsilonSweep(rows), 'eps.png');
 * gs.save(report, 'check.html');
 * ```
 */
export function save(x: unknown, file: string): string {
  if (typeof file !== 'string' || !file) throw invalid('path', file, `a file name ending in ${EXTENSIONS.join(', ')}`);
  const ext = path.extname(file).toLowerCase();
  if (!EXTENSIONS.includes(ext)) throw invalid('path', file, `a file name ending in ${EXTENSIONS.join(', ')}`);
  const abs = path.resolve(file);
  let content: string | Buffer;
  if (ext === '.json') content = JSON.stringify(x, null, 2) + '\n';
  else if (ext === '.html') content = page(x);
  else {
    const spec = chartOf(x);
    content = ext === '.svg' ? specToSVG(spec) : svgToPNG(specToSVG(spec));
  }
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  fs.writeFileSync(abs, content);
  return abs;
}
