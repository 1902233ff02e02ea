/**
 * What gs.show / gs.save make of a value: its text form, an HTML table when it is a report or a
 * table of rows, and its chart when gradscope knows how to draw it.
 */
import { inspect } from 'util';
import * as charts from '../charts';
import type { ChartSpec } from '../charts/common';
import { fmt, VERDICT_COLORS } from '../charts/common';
import type { CheckReport } from '../check/report';
import type { DeepLinearResult } from '../stats/deepLinear';
import type { TrainHistory } from '../train/train';
import type { DepthRow } from '../stats/depthSweep';
import { isChartSpec } from './svg';
import { cell, escapeHtml, htmlTable, SHORT_ROWS, textTable } from './table';

/** A value ready to display. */
export interface Described {
  kind: 'chart' | 'report' | 'table' | 'text';
  /** The text/plain form. */
  text: string;
  /** An HTML table (reports and tables). */
  html?: string;
  /** The chart, when there is one. */
  spec?: ChartSpec;
  /** A title for pages and captions. */
  title: string;
}

type Row = Record<string, unknown>;

export function isCheckReport(x: unknown): x is CheckReport {
  const r = x as CheckReport;
  return !!r && typeof r === 'object' && Array.isArray(r.blocks) && typeof r.verdict === 'string' && !!r.bands && typeof r.bands === 'object';
}
const isDeepLinear = (x: unknown): x is DeepLinearResult =>
  !!x && typeof x === 'object' && Array.isArray((x as DeepLinearResult).rows) && typeof (x as DeepLinearResult).expected === 'number';
const isHistory = (x: unknown): x is TrainHistory =>
  !!x && typeof x === 'object' && Array.isArray((x as TrainHistory).epochs) && typeof (x as TrainHistory).optimizer === 'string';
const isRows = (x: unknown): x is Row[] => Array.isArray(x) && x.length > 0 && x.every((r) => r !== null && typeof r === 'object' && !Array.isArray(r));
const has = (rows: Row[], ...keys: string[]): boolean => keys.every((k) => k in rows[0]);

/** The chart gradscope draws for a table of rows, by the rows' columns (undefined when none fits). */
function chartOfRows(rows: Row[]): ChartSpec | undefined {
  if (has(rows, 'layer', 'statistic', 'value', 'init')) return charts.layerGradients(rows as unknown as DepthRow[]);
  if (has(rows, 'layer', 'gradNormW', 'init')) return charts.layerGradients(rows as never);
  if (has(rows, 'layer', 'varZ', 'stdA')) return charts.variance(rows as never);
  if (has(rows, 'layer', 'x0', 'x1', 'fraction')) return charts.activationHistograms(rows as never);
  if (has(rows, 'eps', 'method', 'precision', 'error')) return charts.epsilonSweep(rows as never);
  return undefined;
}

/** depthSweep's long rows pivoted to one row per (init, hidden, layer), one column per statistic. */
function pivot(rows: DepthRow[]): Row[] {
  const out = new Map<string, Row>();
  for (const r of rows) {
    const key = `${r.init}|${r.hidden}|${r.layer}`;
    if (!out.has(key)) out.set(key, { init: r.init, hidden: r.hidden, layer: r.layer });
    out.get(key)![r.statistic] = r.value;
  }
  return [...out.values()];
}

function reportHtml(r: CheckReport, limit = Infinity): string {
  const color = (v: string): string => VERDICT_COLORS[v as keyof typeof VERDICT_COLORS] ?? '#333';
  const head = `<div style="font-family:sans-serif;margin:4px 0"><b style="color:${color(r.verdict)}">gradient check: ${escapeHtml(r.verdict.toUpperCase())}</b>` +
    ` relative error ${escapeHtml(fmt(r.relativeError))} &middot; ${escapeHtml(r.precision)}, eps ${escapeHtml(fmt(r.eps))}, ${escapeHtml(String(r.mode))}` +
    `${r.backend ? `, ${escapeHtml(String(r.backend))}` : ''}${typeof r.seconds === 'number' ? `, ${r.seconds.toFixed(2)} s` : ''}</div>` +
    (r.reason ? `<div style="font-family:sans-serif;margin:4px 0;color:${color('inconclusive')}">inconclusive: ${escapeHtml(r.reason)}</div>` : '');
  const labelled = r.blocks.some((b) => b.label || b.reason);
  const blocks = htmlTable(r.blocks.map((b) => ({ block: b.name, relativeError: b.relativeError, verdict: b.verdict, checked: b.checked, size: b.size, kinks: b.kinks, ...(labelled ? { note: [b.label, b.reason].filter(Boolean).join('; ') } : {}) })), {
    limit: Math.max(limit, 40),
    style: (row, c) => (c === 'verdict' || (c === 'block' && row.verdict === 'wrong') ? `color:${color(String(row.verdict))};font-weight:bold` : undefined),
  });
  const pairs = r.pairs ? htmlTable([{ handVsAutograd: r.pairs.handVsAutograd, handVsNumeric: r.pairs.handVsNumeric, autogradVsNumeric: r.pairs.autogradVsNumeric }], { caption: 'pairs', limit }) : '';
  const worst = Array.isArray(r.worst) && r.worst.length
    ? htmlTable(r.worst.slice(0, limit === Infinity ? undefined : 10).map((w) => ({ block: w.block, index: `[${w.index.join(', ')}]`, analytic: w.analytic, numeric: w.numeric, ...(r.worst.some((x) => x.kink) ? { autograd: w.kink ? w.autograd ?? NaN : '' } : {}), difference: w.difference, kink: w.kink })), { caption: 'worst entries (at a kink: compared with autograd, difference = analytic - autograd)', limit })
    : '';
  const notes = Array.isArray(r.notes) && r.notes.length ? `<ul style="font-family:sans-serif;font-size:12px">${r.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : '';
  return `<div class="gradscope-report">${head}${blocks}${pairs}${worst}${notes}</div>`;
}

function reportText(r: CheckReport): string {
  const own = typeof r.toString === 'function' && r.toString !== Object.prototype.toString ? r.toString() : '';
  if (own) return own;
  return [`gradient check: ${r.verdict} (relative error ${fmt(r.relativeError)}, ${r.precision}, eps ${fmt(r.eps)})`,
    textTable(r.blocks.map((b) => ({ block: b.name, relativeError: b.relativeError, verdict: b.verdict, checked: b.checked, size: b.size })))].join('\n');
}

/**
 * Options of the text and table forms (gs.show, gs.toText, gs.save).
 *
 * @inline
 */
export interface DescribeOptions {
  /**
   * Every row of every table (default false: at most 12 rows per table, the first and last six,
   * with a line saying how many are left out).
   */
  full?: boolean;
}

type Node = { mark?: unknown; data?: { values?: Row[] }; layer?: Node[]; vconcat?: Node[]; hconcat?: Node[]; concat?: Node[]; spec?: Node; title?: unknown };
const DECORATION = new Set(['rect', 'rule', 'text']);

/** Every inline dataset of a spec with the marks drawn from it, in spec order. */
function datasets(spec: Node): { values: Row[]; marks: string[] }[] {
  const found: { values: Row[]; marks: string[] }[] = [];
  const markOf = (n: Node): string | undefined => (typeof n.mark === 'string' ? n.mark : (n.mark as { type?: string } | undefined)?.type);
  const visit = (n: Node, inherited: { values: Row[]; marks: string[] } | undefined): void => {
    let own = inherited;
    if (Array.isArray(n.data?.values)) {
      const same = found.find((d) => d.values === n.data!.values);
      own = same ?? { values: n.data!.values, marks: [] };
      if (!same) found.push(own);
    }
    const m = markOf(n);
    if (m && own && !own.marks.includes(m)) own.marks.push(m);
    for (const k of ['layer', 'vconcat', 'hconcat', 'concat'] as const) for (const c of n[k] ?? []) visit(c, k === 'layer' ? own : undefined);
    if (n.spec) visit(n.spec, own);
  };
  visit(spec, undefined);
  return found.filter((d) => d.values.length > 0);
}

/**
 * The text form of a chart: its title and subtitle, then a table of every dataset it draws: the
 * plotted data first (lines, points, bars), then guides (bands, rules, labels). Short by default.
 */
export function chartText(spec: ChartSpec, options: DescribeOptions = {}): string {
  const s = spec as Node & { title?: string | { text?: string; subtitle?: string | string[] } };
  const sub = typeof s.title === 'object' ? s.title?.subtitle : undefined;
  const title = typeof s.title === 'string' ? s.title : [s.title?.text, ...(Array.isArray(sub) ? sub : [sub])].filter(Boolean).join(' - ');
  const limit = options.full ? Infinity : SHORT_ROWS;
  const sets = datasets(s);
  const drawn = (d: { marks: string[] }): boolean => d.marks.length === 0 || d.marks.some((m) => !DECORATION.has(m));
  const ordered = [...sets.filter(drawn), ...sets.filter((d) => !drawn(d))];
  const rows = sets.reduce((n, d) => n + d.values.length, 0);
  const parts = [`${title || 'chart'} (Vega-Lite, ${rows} data rows${sets.length > 1 ? ` in ${sets.length} tables` : ''})`];
  for (const d of ordered) {
    if (sets.length > 1) parts.push(`${d.marks.length ? d.marks.join(' + ') : 'data'} (${d.values.length} rows):`);
    parts.push(textTable(d.values, limit));
  }
  return parts.join('\n');
}

/** Sorts out what `x` is and how to show it. */
export function describe(x: unknown, options: DescribeOptions = {}): Described {
  const limit = options.full ? Infinity : SHORT_ROWS;
  if (isChartSpec(x)) {
    const t = (x as { title?: string | { text?: string } }).title;
    return { kind: 'chart', text: chartText(x, options), spec: x, title: (typeof t === 'string' ? t : t?.text) || 'chart' };
  }
  if (isCheckReport(x)) return { kind: 'report', text: reportText(x), html: reportHtml(x, limit), spec: charts.gradCheck(x), title: `gradient check: ${x.verdict}` };
  if (isDeepLinear(x)) {
    const rows = x.rows as unknown as Row[];
    const caption = `deep linear net: W = ${x.scale} I, ${x.depth} layers: ||y|| / ||x|| = ${fmt(x.output)} (float64), ${fmt(x.output32)} (float32), scale^L = ${fmt(x.expected)}`;
    return { kind: 'table', text: `${caption}\n${textTable(rows, limit)}`, html: htmlTable(rows, { caption, limit }), spec: charts.deepLinear(x), title: caption };
  }
  if (isHistory(x)) {
    const rows = x.epochs.map((e) => ({ epoch: e.epoch, loss: e.loss, ...Object.fromEntries(e.gradNorm.map((g, i) => [`||dW${i + 1}||`, g])) }));
    const caption = `training: ${x.optimizer}, lr ${x.lr}, ${x.epochs.length - 1} epochs${x.diverged !== undefined ? `, diverged at epoch ${x.diverged}` : ''}`;
    return { kind: 'table', text: `${caption}\n${textTable(rows, limit)}`, html: htmlTable(rows, { caption, limit }), spec: charts.training(x), title: caption };
  }
  if (isRows(x)) {
    const table = has(x, 'layer', 'statistic', 'value', 'init') ? pivot(x as unknown as DepthRow[]) : x;
    let spec: ChartSpec | undefined;
    try { spec = chartOfRows(x); } catch { spec = undefined; } // rows that look alike but cannot be drawn: table only
    return { kind: 'table', text: textTable(table, limit), html: htmlTable(table, { limit }), spec, title: `${x.length} rows` };
  }
  const text = typeof x === 'string' ? x : inspect(x, { depth: 4 });
  return { kind: 'text', text, title: cell(text).slice(0, 60) };
}
