/**
 * The display bundles gs.show sends, as pure data (the tests inspect them without a kernel):
 * - a chart: ONE display_data with `application/vnd.vegalite.v5+json` (the spec as a JSON object;
 *   vega-embed would read a string as a URL), `image/svg+xml` (rendered in Node, for nbconvert's
 *   HTML and GitHub) and `text/plain`; no `text/html`, which JupyterLab would prefer to the chart;
 * - a report or table: `text/html` + `text/plain` first, then its chart's bundle.
 */
import type { ChartSpec } from '../charts/common';
import { describe } from './describe';
import { toSVG } from './svg';
import type { DisplayContent } from './tslab';

export const VEGALITE_MIME = 'application/vnd.vegalite.v5+json';

/** The single bundle of a chart. */
export function chartBundle(spec: ChartSpec, text: string): DisplayContent {
  const json = JSON.parse(JSON.stringify(spec)) as object; // a plain JSON object (NaN -> null, no prototypes)
  return { data: { [VEGALITE_MIME]: json, 'image/svg+xml': toSVG(spec), 'text/plain': text }, metadata: {} };
}

/** Every message gs.show sends for `x`, in order. */
export function bundles(x: unknown): DisplayContent[] {
  const d = describe(x);
  const out: DisplayContent[] = [];
  if (d.html) out.push({ data: { 'text/html': d.html, 'text/plain': d.text }, metadata: {} });
  if (d.spec) out.push(chartBundle(d.spec, d.kind === 'chart' ? d.text : `chart: ${d.title}`));
  if (!out.length) out.push({ data: { 'text/plain': d.text }, metadata: {} });
  return out;
}

