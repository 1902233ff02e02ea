/**
 * gs.show: inside a tslab notebook, the display bundles of bundle.ts through the kernel's live
 * tslab; anywhere else, the text form on stdout.
 */
import { bundles } from './bundle';
import { describe } from './describe';
import { inTslab, transport } from './tslab';

/**
 * Shows a chart spec, a gradient-check report, a stats table (rows from gs.layerStats,
 * gs.depthSweep, ...), a deepLinear result or a training history. In tslab: a chart is ONE
 * display_data (Vega-Lite JSON + SVG + text); a report or table is an HTML table, then its chart.
 * Outside a notebook it prints the text form.
 *
 * @example
 * ```ts
 * gs.show(gs.charts.layerGradients(gs.depthSweep({ depth: 20 })));
 * gs.show(gs.gradCheck(net, X, Y));        // table of blocks + chart
 * gs.show(gs.layerStats(net, X, Y));       // table + gradient-norm chart
 * ```
 */
export function show(x: unknown): void {
  if (inTslab()) {
    const send = transport(); // throws a one-line GradscopeError when the kernel's tslab cannot be reached
    for (const b of bundles(x)) send(b, false);
    return;
  }
  console.log(describe(x).text);
}
