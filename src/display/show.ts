/**
 * gs.show: inside a tslab notebook, the display bundles of bundle.ts through the kernel's live
 * tslab; in Deno's kernel, the same bundles through Deno.jupyter.broadcast; anywhere else, the
 * text form on stdout. gs.toText: that text form as a string.
 */
import { bundles } from './bundle';
import { describe, type DescribeOptions } from './describe';
import { invalid, knownKeys } from '../core/errors';
import { inTslab, transport } from './tslab';
import { denoSend, inDeno, settle } from './deno';

/** Options of {@link show} and {@link toText}. */
export type ShowOptions = DescribeOptions;

function checked(options: ShowOptions): ShowOptions {
  knownKeys('options', options, ['full']);
  if (options.full !== undefined && typeof options.full !== 'boolean') {
    throw invalid('options.full', options.full, 'true or false');
  }
  return options;
}

/**
 * Shows a chart spec, a gradient-check report, a stats table (rows from gs.layerStats,
 * gs.depthSweep, ...), a deepLinear result or a training history. In a notebook (tslab or Deno's
 * kernel): a chart is ONE display_data (Vega-Lite JSON + PNG + text); a report or table is an HTML
 * table, then its chart.
 * Outside a notebook (a terminal, a script) it prints the text form: the title and the numbers of
 * each table. Tables show at most 12 rows (the first and last six) unless `{ full: true }`.
 * For a picture from a terminal: `gs.save(chart, 'chart.png')`.
 *
 * @example
 * ```ts
 * gs.show(gs.charts.layerGradients(gs.depthSweep({ depth: 20 })));
 * gs.show(gs.gradCheck(net, X, Y));        // table of blocks + chart
 * gs.show(gs.layerStats(net, X, Y), { full: true });   // every row
 * ```
 */
export function show(x: unknown, options: ShowOptions = {}): void {
  checked(options);
  if (inTslab()) {
    const send = transport(); // throws a one-line GradscopeError when the kernel's tslab cannot be reached
    for (const b of bundles(x, options)) send(b, false);
    return;
  }
  if (inDeno()) {
    for (const b of bundles(x, options)) denoSend(b);
    settle(); // the messages go out before the cell can end (deno.ts)
    return;
  }
  console.log(describe(x, options).text);
}

/**
 * The text form gs.show prints outside a notebook: for a chart its title, subtitle and the rows of
 * every table it draws (plotted data first, then guides such as verdict bands); for a report its
 * table; for rows the rows. At most 12 rows per table (the first and last six) unless `{ full: true }`.
 *
 * @example
 * ```ts
 * console.log(gs.toText(gs.charts.deepLinear(gs.deepLinear({ depth: 150, scale: 1.1 }))));
 * gs.toText(rows, { full: true });          // every row
 * ```
 */
export function toText(x: unknown, options: ShowOptions = {}): string {
  return describe(x, checked(options)).text;
}
