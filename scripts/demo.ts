/**
 * `npm start`: the main job, no Jupyter needed. Runs three small experiments and writes
 * out/report.html, one standalone page (tables + inline SVG charts, no scripts, opens offline):
 *   1. the eps sweep of f(a) = a^3 (3.0001 vs 3.03), float64 and float32;
 *   2. a gradient check of a correct network, then of one with a planted bug (dW2 missing its 1/m),
 *      found and located by block;
 *   3. the layer-gradient sweep: a 20-layer ReLU net with inits small / lecun / xavier / he.
 * Also writes out/report.json (what the page holds; scripts/browser-check.ts reads the chart count).
 */
import fs from 'node:fs';
import path from 'node:path';
import * as gs from '../src/index';

const OUT = path.resolve(__dirname, '..', 'out');
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const num = (x: number) => (!Number.isFinite(x) ? String(x) : x === 0 ? '0' : Math.abs(x) >= 1e-3 && Math.abs(x) < 1e5 ? String(Number(x.toPrecision(5))) : x.toExponential(2));

function table(rows: Record<string, unknown>[], highlight?: (r: Record<string, unknown>) => boolean): string {
  const cols = Object.keys(rows[0] ?? {});
  const cell = (v: unknown) => esc(typeof v === 'number' ? num(v) : String(v));
  return `<table><thead><tr>${cols.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr${highlight?.(r) ? ' class="bad"' : ''}>${cols.map((c) => `<td>${cell(r[c])}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

let charts = 0;
function figure(spec: gs.ChartSpec, caption: string): string {
  charts++;
  return `<figure class="gs-chart">${gs.toSVG(spec)}<figcaption>${esc(caption)}</figcaption></figure>`;
}

function step<T>(label: string, fn: () => T): T {
  const t0 = Date.now();
  process.stdout.write(`${label} ... `);
  const r = fn();
  console.log(`${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return r;
}

async function main() {
  const t0 = Date.now();
  const info = await gs.ready();
  console.log(`gradscope demo (backend ${info.active})`);
  const sections: string[] = [];
  const summary: Record<string, unknown> = {};

  // 1. eps sweep
  const eps = step('1/3 eps sweep of f(a) = a^3 at a = 1', () => {
    const rows = gs.epsilonSweep((a, r) => r(r(a * a) * a), 1, { exact: 3 });
    const at = (method: string) => rows.find((r) => r.eps === 0.01 && r.method === method && r.precision === 'float64')!.estimate;
    return { rows, central: at('central'), forward: at('forward') };
  });
  summary.eps = { central: eps.central, forward: eps.forward };
  sections.push(`<section><h2>1. Numerical derivative: two-sided beats one-sided</h2>
<p>f(a) = a<sup>3</sup>, f'(1) = 3. At eps = 0.01 the two-sided quotient gives <b>${num(eps.central)}</b>, the one-sided <b>${num(eps.forward)}</b>
(lecture notes: 3.0001 and 3.03). The error falls like eps<sup>2</sup> (two-sided) or eps (one-sided) until round-off takes over, much earlier in float32.</p>
${figure(gs.charts.epsilonSweep(eps.rows), 'Finite-difference error against eps, float64 and float32')}</section>`);

  // 2. gradient check with a planted bug
  const check = step('2/3 gradient check, correct and with a planted bug', () => {
    const { tf } = gs;
    const net = gs.mlp({ sizes: [4, 5, 3, 1], hidden: 'tanh', output: 'sigmoid', seed: 1 });
    const m = 16;
    const X = tf.randomNormal([m, 4], 0, 1, 'float32', 2) as gs.tf.Tensor2D;
    const Y = tf.randomUniform([m, 1], 0, 1, 'float32', 3).round() as gs.tf.Tensor2D;
    const good = gs.gradCheck(net, X, Y);
    const planted: gs.StudentBackward = (n, cache, y) => {
      const g = n.backward(cache, y);
      const wrong = g.dW2.mul(m); // the planted bug: dW2 = a1^T delta2, the / m forgotten
      g.dW2.dispose();
      g.dW2 = wrong;
      return g;
    };
    const bad = gs.gradCheck(net, X, Y, { backward: planted as never });
    tf.dispose([X, Y]);
    net.dispose();
    return { good, bad };
  });
  const worstBlock = [...check.bad.blocks].sort((a, b) => b.relativeError - a.relativeError)[0];
  summary.gradCheck = { correct: { relativeError: check.good.relativeError, verdict: check.good.verdict }, planted: { relativeError: check.bad.relativeError, verdict: check.bad.verdict, worstBlock: worstBlock.name } };
  const blockRows = check.bad.blocks.map((b) => ({ block: b.name, 'relative error (correct net)': check.good.blocks.find((g) => g.name === b.name)?.relativeError ?? NaN, 'relative error (planted bug)': b.relativeError, verdict: b.verdict }));
  sections.push(`<section><h2>2. Gradient check: a planted bug, found and located</h2>
<p>A [4, 5, 3, 1] tanh network, m = 16. The hand-written backward against float64 central differences (eps = ${num(check.good.eps)}):
relative error <b>${num(check.good.relativeError)}</b> (${check.good.verdict}). Then the same check of a backward pass that forgot the 1/m in dW2:
relative error <b>${num(check.bad.relativeError)}</b> (${check.bad.verdict}), and the per-block table puts the bug in <b>${esc(worstBlock.name)}</b>.</p>
${table(blockRows, (r) => r.verdict === 'wrong')}
<p>Pairs (correct net): hand-written vs autograd ${num(check.good.pairs.handVsAutograd)}, hand-written vs numeric ${num(check.good.pairs.handVsNumeric)}, autograd vs numeric ${num(check.good.pairs.autogradVsNumeric)}.</p>
${figure(gs.charts.gradCheck(check.bad), 'Relative error per block with the planted bug; verdict bands as rules')}</section>`);

  // 3. layer-gradient sweep
  const sweep = step('3/3 layer-gradient sweep, 20 relu layers x 4 inits', () =>
    gs.depthSweep({ depth: 20, width: 128, hidden: ['relu'], init: ['small', 'lecun', 'xavier', 'he'], seed: 2, onProgress: false }));
  const grad = (init: string, layer: number) => sweep.find((r) => r.init === init && r.layer === layer && r.statistic === 'gradNormW')?.value ?? NaN;
  const sweepRows = ['small', 'lecun', 'xavier', 'he'].map((init) => ({ init, '||dW^1||': grad(init, 1), '||dW^20||': grad(init, 20), '||dW^1|| / (he\'s ||dW^1||)': grad(init, 1) / grad('he', 1) }));
  summary.depthSweep = sweepRows;
  sections.push(`<section><h2>3. Vanishing gradients and initialisation</h2>
<p>A 20-layer ReLU network of width 128, the same data, four initialisations. With 0.01 * randn (Var(W) = 1e-4) every gradient is around
${num(grad('small', 1))}: nothing can learn. With Var(W) = 1/n (lecun; xavier's 2/(n_in + n_out) is the same for equal widths) each ReLU
halves the signal's variance, and the gradients end up ${num(grad('he', 1) / grad('lecun', 1))} times smaller than with He's 2/n, which keeps
the signal the same size through all 20 layers (He et al. 2015).</p>
${table(sweepRows)}
${figure(gs.charts.layerGradients(sweep), 'Gradient norm ||dW^l|| per layer (log scale), one line per init')}</section>`);

  const html = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>gradscope report</title>
<style>
body{font-family:system-ui,sans-serif;max-width:980px;margin:24px auto;padding:0 16px;color:#222}
table{border-collapse:collapse;margin:12px 0;font-size:13px}th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}
th{background:#f3f3f3}tr.bad td{background:#fde2e2;font-weight:bold}figure{margin:12px 0}figure svg{max-width:100%;height:auto}
figcaption{font-size:12px;color:#555}
</style></head><body>
<h1>gradscope report</h1>
<p>Generated by <code>npm start</code> (backend ${esc(info.active)}). Standalone: charts are inline SVG, no scripts, no network.</p>
${sections.join('\n')}
</body></html>
`;
  fs.mkdirSync(OUT, { recursive: true });
  const file = path.join(OUT, 'report.html');
  fs.writeFileSync(file, html);
  fs.writeFileSync(path.join(OUT, 'report.json'), JSON.stringify({ charts, seconds: (Date.now() - t0) / 1000, ...summary }, null, 2) + '\n');
  console.log(`wrote ${path.relative(process.cwd(), file) || file} (${charts} charts) in ${((Date.now() - t0) / 1000).toFixed(1)} s; open it in a browser`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
