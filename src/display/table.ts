/** Rows of plain objects as a monospace text table and as an HTML table. */
import { fmt } from '../charts/common';

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

/** A monospace table; at most `limit` rows, then a "... n more rows" line. */
export function textTable(rows: Row[], limit = 40): string {
  const cols = columns(rows);
  const shown = rows.slice(0, limit).map((r) => cols.map((c) => cell(r[c])));
  const widths = cols.map((c, j) => Math.max(c.length, ...shown.map((r) => r[j].length)));
  const line = (cells: string[]): string => cells.map((s, j) => (j === 0 ? s.padEnd(widths[j]) : s.padStart(widths[j]))).join('  ').trimEnd();
  const out = [line(cols), widths.map((w) => '-'.repeat(w)).join('  '), ...shown.map(line)];
  if (rows.length > limit) out.push(`... ${rows.length - limit} more rows`);
  return out.join('\n');
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** An HTML table; `style(row, column)` may return inline CSS for a cell (verdict colours). */
export function htmlTable(rows: Row[], { limit = 200, caption, style }: { limit?: number; caption?: string; style?: (row: Row, col: string) => string | undefined } = {}): string {
  const cols = columns(rows);
  const head = `<tr>${cols.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr>`;
  const body = rows.slice(0, limit).map((r) => `<tr>${cols.map((c) => {
    const css = style?.(r, c);
    const num = typeof r[c] === 'number';
    return `<td style="${num ? 'text-align:right;' : ''}${css ?? ''}">${escapeHtml(cell(r[c]))}</td>`;
  }).join('')}</tr>`).join('');
  const more = rows.length > limit ? `<tr><td colspan="${cols.length}">... ${rows.length - limit} more rows</td></tr>` : '';
  const cap = caption ? `<caption style="text-align:left;font-weight:bold">${escapeHtml(caption)}</caption>` : '';
  return `<table class="gradscope" style="border-collapse:collapse;font-family:monospace;font-size:12px">${cap}<thead>${head}</thead><tbody>${body}${more}</tbody></table>`;
}
