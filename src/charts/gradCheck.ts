/**
 * A gradient check at a glance: relative error per parameter block on a log axis, over the verdict
 * bands (seed 000: < 1e-7 great, < 1e-5 ok, < 1e-3 worry, else wrong; float32 bands from the
 * report), coloured by verdict so a failing block stands out in red with its name and error.
 */
import { invalid } from '../core/errors';
import type { CheckReport, Verdict } from '../check/report';
import { fmt, SCHEMA, VERDICT_COLORS, withDefaults, type BaseOptions, type ChartSpec } from './common';
import { displayable } from './common';

/** Options of {@link gradCheck}. */
export interface GradCheckOptions extends BaseOptions {
  /** Where the log axis starts; errors below it (and exact zeros) are drawn at it. Default 1e-12 (float64) or 1e-9 (float32). */
  floor?: number;
}

export const defaults: Required<GradCheckOptions> = {
  title: '',
  width: 420,
  height: 0,
  floor: 0,
};

const VERDICTS: Verdict[] = ['great', 'ok', 'inconclusive', 'worry', 'wrong'];

/** Checks the fields the chart reads. */
function checkReport(report: unknown): CheckReport {
  const r = report as CheckReport;
  if (!r || typeof r !== 'object' || !Array.isArray(r.blocks) || !r.bands || typeof r.verdict !== 'string') {
    throw invalid('report', report, 'a CheckReport from gs.gradCheck or gs.checkGradients');
  }
  if (r.blocks.length === 0) throw invalid('report.blocks', r.blocks, 'at least one checked block');
  return r;
}

/**
 * Relative error per block (dW1, db1, ...) on a log axis, the verdict bands shaded and ruled,
 * each block coloured by its verdict; 'wrong' blocks get a big red cross and a bold label.
 *
 * @example
 * ```ts
 * const report = gs.gradCheck(net, X, Y);
 * gs.show(gs.charts.gradCheck(report));
 * ```
 */
export function gradCheck(report: CheckReport, options?: GradCheckOptions): ChartSpec {
  const r = checkReport(report);
  const o = withDefaults({ ...defaults, height: 10 + 26 * r.blocks.length }, options);
  const { great, ok, worry } = r.bands;
  const floor = o.floor > 0 ? o.floor : Math.min(r.precision === 'float32' ? 1e-9 : 1e-12, great / 100);
  const top = 1; // ||a - b|| / (||a|| + ||b||) <= 1
  const blocks = r.blocks.map((b, i) => {
    const e = b.relativeError;
    const shown = Number.isFinite(e) ? Math.min(top, Math.max(floor, e)) : top;
    const failing = b.verdict === 'wrong';
    return {
      order: i,
      block: b.name,
      error: e,
      x: shown,
      verdict: b.verdict,
      label: `${Number.isFinite(e) ? (e === 0 ? '0' : fmt(e)) : 'NaN'}  ${failing ? 'WRONG' : b.verdict}${b.basis === 'autograd' ? ' (vs autograd)' : ''}`,
      failing,
    };
  });
  const bands = [
    { verdict: 'great', lo: floor, hi: great },
    { verdict: 'ok', lo: great, hi: ok },
    { verdict: 'worry', lo: ok, hi: worry },
    { verdict: 'wrong', lo: worry, hi: top },
  ].map((b) => ({ ...b, fill: VERDICT_COLORS[b.verdict as Verdict] }));
  // a threshold within a decade of the one before it (the float32 floor can push 'great' next to 'ok')
  // gets its label inside the plot instead of above it, so the two never print on top of each other
  const rules = [great, ok, worry].map((v, i, all) => ({ x: v, label: fmt(v), inside: i > 0 && v / all[i - 1] < 10 }));
  const x = { field: 'x', type: 'quantitative' as const, title: 'relative error ||a - n|| / (||a|| + ||n||) (log)', scale: { type: 'log' as const, domain: [floor, top] }, axis: { format: '.0e' } };
  const y = { field: 'block', type: 'nominal', title: 'block', sort: { field: 'order' } } as const;
  const color = { field: 'verdict', type: 'nominal' as const, title: 'verdict', scale: { domain: VERDICTS, range: VERDICTS.map((v) => VERDICT_COLORS[v]) }, legend: { orient: 'bottom' as const } };
  const failing = blocks.filter((b) => b.failing).map((b) => b.block);
  const worst = r.blocks.reduce((a, b) => (!(a.relativeError >= b.relativeError) ? b : a));
  const spec: ChartSpec = {
    $schema: SCHEMA,
    title: {
      text: o.title || `Gradient check: ${r.verdict.toUpperCase()}`,
      subtitle: failing.length
        ? `failing: ${failing.join(', ')} | ${r.precision}, eps ${fmt(r.eps)}`
        : r.verdict === 'inconclusive'
          ? `cannot tell right from wrong: ${r.blocks.filter((b) => b.verdict === 'inconclusive').map((b) => b.name).join(', ')} (see the report's reason) | ${r.precision}, eps ${fmt(r.eps)}`
          : `worst block ${worst.name}: ${fmt(worst.relativeError)} | ${r.precision}, eps ${fmt(r.eps)}`,
      ...(r.verdict === 'wrong' ? { color: VERDICT_COLORS.wrong } : {}),
    },
    width: o.width,
    height: o.height,
    layer: [
      {
        data: { values: bands },
        mark: { type: 'rect', opacity: 0.12 },
        encoding: { x: { ...x, field: 'lo' }, x2: { field: 'hi' }, fill: { field: 'fill', type: 'nominal', scale: null } }, // colours as data: no second legend
      },
      {
        data: { values: rules },
        layer: [
          { mark: { type: 'rule', color: '#555', strokeDash: [4, 3] }, encoding: { x } },
          { transform: [{ filter: '!datum.inside' }], mark: { type: 'text', baseline: 'bottom', dy: -2, fontSize: 10, color: '#555' }, encoding: { x, y: { value: 0 }, text: { field: 'label', type: 'nominal' } } },
          { transform: [{ filter: 'datum.inside' }], mark: { type: 'text', baseline: 'top', align: 'left', dx: 3, dy: 2, fontSize: 10, color: '#555' }, encoding: { x, y: { value: 0 }, text: { field: 'label', type: 'nominal' } } },
        ],
      },
      {
        data: { values: blocks },
        layer: [
          { mark: { type: 'rule', strokeWidth: 2 }, encoding: { x: { ...x, field: 'x' }, x2: { datum: floor }, y, color } },
          {
            mark: { type: 'point', filled: true },
            encoding: {
              x, y, color,
              shape: { condition: { test: 'datum.failing', value: 'cross' }, value: 'circle' },
              size: { condition: { test: 'datum.failing', value: 420 }, value: 110 },
              tooltip: [{ field: 'block', type: 'nominal' }, { field: 'error', type: 'quantitative', format: '.3e' }, { field: 'verdict', type: 'nominal' }],
            },
          },
          // each label over a white halo (the same text stroked), so it stays legible where it crosses a band's dashed rule
          {
            transform: [{ filter: '!datum.failing' }],
            mark: { type: 'text', align: 'left', dx: 12, fontSize: 11, stroke: 'white', strokeWidth: 4, strokeJoin: 'round', opacity: 0.85 },
            encoding: { x, y, text: { field: 'label', type: 'nominal' } },
          },
          {
            transform: [{ filter: '!datum.failing' }],
            mark: { type: 'text', align: 'left', dx: 12, fontSize: 11, color: '#333' },
            encoding: { x, y, text: { field: 'label', type: 'nominal' } },
          },
          {
            transform: [{ filter: 'datum.failing' }],
            mark: { type: 'text', align: 'left', dx: 14, fontSize: 13, fontWeight: 'bold', stroke: 'white', strokeWidth: 4, strokeJoin: 'round', opacity: 0.85 },
            encoding: { x, y, text: { field: 'label', type: 'nominal' } },
          },
          {
            transform: [{ filter: 'datum.failing' }],
            mark: { type: 'text', align: 'left', dx: 14, fontSize: 13, fontWeight: 'bold', color: VERDICT_COLORS.wrong },
            encoding: { x, y, text: { field: 'label', type: 'nominal' } },
          },
        ],
      },
    ],
  };
  return displayable(spec);
}
