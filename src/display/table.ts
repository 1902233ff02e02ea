/** Rows of plain objects as a monospace text table and as an HTML table. */
import { short as fmt } from '../core/format';

type Row = Record<string, unknown>;

/** A cell as text: numbers to 5 significant digits (1.2e-7 style when small), NaN as '-'. */
export function cell(v: unknown): string {
  if (typeof v === 'number') return Number.isNaN(v) ? '-' : Number.isInteger(v) && Math.abs(v) < 1e9 ? String(v) : fmt(v);
  if (Array.isArray(v)) return v.map(cell).join(' ');
  if (v === undefined || v === null) return '';
  return String(v);
}

/** Column names in order of first appearance. */
export function columns(rows: Row[]): string[] {
  const cols: string[] = [];
  for (const r of rows) for (const k of Object.keys(r)) if (!cols.includes(k)) cols.push(k);
  return cols;
}

/** Rows shown by default: the first and last half of this many (the extremes are usually the interesting ones). */
export const SHORT_ROWS = 12;

/** The rows to show: all when `limit` is Infinity or not exceeded, else the first and last limit/2 and the count left out. */
export function shortRows<T>(rows: T[], limit: number): { head: T[]; tail: T[]; omitted: number } {
  if (!(rows.length > limit)) return { head: rows, tail: [], omitted: 0 };
  const h = Math.ceil(limit / 2), t = Math.floor(limit / 2);
  return { head: rows.slice(0, h), tail: t > 0 ? rows.slice(rows.length - t) : [], omitted: rows.length - h - t };
}

/** The line that stands for left-out rows. */
export const omittedLine = (n: number): string => `... ${n} more row${n === 1 ? '' : 's'} (all of them: { full: true })`;

/** A monospace table: numbers right-aligned; beyond `limit` rows, the first and last ones around a "... n more rows" line. */
export function textTable(rows: Row[], limit = SHORT_ROWS): string {
  const cols = columns(rows);
  const { head, tail, omitted } = shortRows(rows, limit);
  const cells = (r: Row): string[] => cols.map((c) => cell(r[c]));
  const shown = [...head, ...tail].map(cells);
  const numeric = cols.map((c) => rows.some((r) => typeof r[c] === 'number'));
  const widths = cols.map((c, j) => Math.max(c.length, ...shown.map((r) => r[j].length)));
  const line = (cs: string[]): string => cs.map((s, j) => (numeric[j] ? s.padStart(widths[j]) : s.padEnd(widths[j]))).join('  ').trimEnd();
  const out = [line(cols), widths.map((w) => '-'.repeat(w)).join('  '), ...head.map(cells).map(line)];
  if (omitted) out.push(omittedLine(omitted));
  out.push(...tail.map(cells).map(line));
  return out.join('\n');
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const TABLE_CSS = 'border-collapse:collapse;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;margin:6px 0';
const TH_CSS = 'padding:3px 10px;border-bottom:1px solid #999;text-align:left;font-weight:bold';
const TD_CSS = 'padding:2px 10px;border-bottom:1px solid #e4e4e4;white-space:nowrap';

/**
 * An HTML table with padded cells; numeric columns right-aligned in tabular figures (their header too),
 * so numbers line up and never run together. `style(row, column)` may add inline CSS (verdict colours).
 */
export function htmlTable(rows: Row[], { limit = SHORT_ROWS, caption, style }: { limit?: number; caption?: string; style?: (row: Row, col: string) => string | undefined } = {}): string {
  const cols = columns(rows);
  const numeric = cols.map((c) => rows.some((r) => typeof r[c] === 'number'));
  const align = (j: number): string => (numeric[j] ? 'text-align:right;font-variant-numeric:tabular-nums;' : 'text-align:left;');
  const head = `<tr>${cols.map((c, j) => `<th style="${TH_CSS};${align(j)}">${escapeHtml(c)}</th>`).join('')}</tr>`;
  const tr = (r: Row): string => `<tr>${cols.map((c, j) => {
    const css = style?.(r, c);
    return `<td style="${TD_CSS};${align(j)}${css ?? ''}">${escapeHtml(cell(r[c]))}</td>`;
  }).join('')}</tr>`;
  const { head: first, tail, omitted } = shortRows(rows, limit);
  const more = omitted ? `<tr><td colspan="${cols.length}" style="${TD_CSS};color:#666;font-style:italic">${escapeHtml(omittedLine(omitted))}</td></tr>` : '';
  const cap = caption ? `<caption style="text-align:left;font-weight:bold;font-family:sans-serif;padding:4px 0">${escapeHtml(caption)}</caption>` : '';
  return `<table class="gradscope" style="${TABLE_CSS}">${cap}<thead>${head}</thead><tbody>${first.map(tr).join('')}${more}${tail.map(tr).join('')}</tbody></table>`;
}
