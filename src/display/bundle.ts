/**
 * The display bundles gs.show sends, as pure data (the tests inspect them without a kernel):
 * - a chart: ONE display_data with `application/vnd.vegalite.v5+json` (the spec as a JSON object;
 *   vega-embed would read a string as a URL), `image/png` (rendered in Node) and `text/plain`.
 *   JupyterLab, Notebook 7 and VS Code draw the Vega-Lite chart; nbconvert's HTML export, GitHub and
 *   anything else without a Vega-Lite renderer show the PNG. No `image/svg+xml`: nbconvert 6.5
 *   (Debian 12's) ranks SVG above PNG and its HTML template strips every child of an inline <svg>,
 *   so a bundle carrying SVG exports as an empty box. No `text/html`, which JupyterLab would prefer
 *   to the chart. SVG stays what gs.toSVG returns and what gs.save writes.
 * - a report or table: `text/html` + `text/plain` first, then its chart's bundle.
 */
import type { ChartSpec } from '../charts/common';
import { GradscopeError } from '../core/errors';
import { describe, type DescribeOptions } from './describe';
import { svgSize, svgToPNG } from './png';
import { toSVG } from './svg';
import type { DisplayContent } from './tslab';

export const VEGALITE_MIME = 'application/vnd.vegalite.v5+json';

/** Pixels per CSS pixel of the PNG in a notebook bundle (sharp on high-density screens). */
export const PNG_SCALE = 2;

/**
 * The single bundle of a chart. When the PNG cannot be drawn (resvg's native binary missing on this
 * platform) the bundle carries the SVG instead, so the chart still shows in JupyterLab and VS Code.
 */
export function chartBundle(spec: ChartSpec, text: string, png: (svg: string, scale: number) => Buffer = svgToPNG): DisplayContent {
  const json = JSON.parse(JSON.stringify(spec)) as object; // a plain JSON object (NaN -> null, no prototypes)
  const svg = toSVG(spec);
  const { width, height } = svgSize(svg);
  let image: Buffer;
  try {
    image = png(svg, PNG_SCALE);
  } catch (e) {
    if (e instanceof GradscopeError) throw e; // a chart too large to draw: say so
    return { data: { [VEGALITE_MIME]: json, 'image/svg+xml': svg, 'text/plain': text }, metadata: {} };
  }
  return {
    data: { [VEGALITE_MIME]: json, 'image/png': image.toString('base64'), 'text/plain': text },
    // shown at the chart's own size, not PNG_SCALE times it
    metadata: { 'image/png': { width: Math.round(width), height: Math.round(height) } },
  };
}

/** Every message gs.show sends for `x`, in order. */
export function bundles(x: unknown, options: DescribeOptions = {}): DisplayContent[] {
  const d = describe(x, options);
  const out: DisplayContent[] = [];
  if (d.html) out.push({ data: { 'text/html': d.html, 'text/plain': d.text }, metadata: {} });
  if (d.spec) out.push(chartBundle(d.spec, d.kind === 'chart' ? d.text : `chart: ${d.title}`));
  if (!out.length) out.push({ data: { 'text/plain': d.text }, metadata: {} });
  return out;
}
