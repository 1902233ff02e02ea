/**
 * The renderer behind the `[Symbol.for('Jupyter.display')]()` method of gradscope's values
 * (src/core/jupyter.ts): a cell whose last expression is a chart, report, table, training history or
 * grader result shows it as gs.show does. Installed when display/ loads.
 */
import { setDisplayRenderer, type DisplayResult } from '../core/jupyter';
import { bundles } from './bundle';
import { denoSend, inDeno, settle } from './deno';
import { describe } from './describe';
import { inTslab, transport } from './tslab';

/**
 * What the display method returns for `x`, for the kernel it runs in:
 * - tslab (gradscope's kernel): every bundle but the last goes out now as display_data; the last
 *   is returned as `[data, metadata]` (IPython's `_repr_mimebundle_` convention), which the
 *   kernel publishes as the execute_result with its metadata.
 * - Deno: every bundle goes out as display_data, and the execute_result is one line of text (the
 *   first of the last bundle's text, e.g. the chart's title). Deno publishes the execute_result
 *   with empty metadata, so a chart returned there would lose its PNG's display size: nbconvert's
 *   HTML (and GitHub) would show the 2x PNG at twice the chart's size. And Deno 2.9.6 publishes a
 *   cell's execute_result after its idle a third of the time, where nbconvert and JupyterLab drop
 *   it; display_data sent before the cell ends (then {@link settle}) arrive. So a chart shows at
 *   its size everywhere, and what could be lost is the one-line summary.
 * - no kernel: `{ 'text/plain': gs.toText(x) }`.
 */
export function render(x: object): DisplayResult {
  if (inTslab()) {
    const all = bundles(x);
    const last = all.pop()!;
    if (all.length) {
      const send = transport();
      for (const b of all) send(b, false);
    }
    return [last.data, last.metadata];
  }
  if (inDeno()) {
    const all = bundles(x);
    for (const b of all) denoSend(b);
    const pending = settle();
    const line = { 'text/plain': String(all[all.length - 1].data['text/plain'] ?? '').split('\n')[0] };
    return pending ? pending.then(() => line) : line;
  }
  return { 'text/plain': describe(x).text };
}

setDisplayRenderer(render);
