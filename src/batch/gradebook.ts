/** The gradebook of `gradscope grade` (CSV and JSON) and its progress line. */
import fs from 'node:fs';
import path from 'node:path';
import type { Graded, Row } from './submission';

/** The CSV header. */
export const HEADER = ['submission', 'cell', 'points', 'max_points', 'status', 'message'] as const;

const field = (v: string | number): string => {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** gradebook.csv: one row per submission and grader cell, then its `total` row. */
export function toCsv(graded: Graded[]): string {
  const rows: Row[] = graded.flatMap((g) => [...g.rows, g.total]);
  return [HEADER.join(','), ...rows.map((r) => HEADER.map((h) => field(r[h])).join(','))].join('\n') + '\n';
}

/** gradebook.json: the same rows, per submission, with notes and timings. */
export function toJson(graded: Graded[]): string {
  return JSON.stringify({
    submissions: graded.map((g) => ({ submission: g.submission, rows: g.rows, total: g.total, notes: g.notes, seconds: g.seconds })),
  }, null, 2) + '\n';
}

/** Writes DIR/gradebook.csv and DIR/gradebook.json (through a temporary file, so a reader never sees half). */
export function writeGradebook(dir: string, graded: Graded[]): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, text] of [['gradebook.csv', toCsv(graded)], ['gradebook.json', toJson(graded)]]) {
    const tmp = path.join(dir, `.${name}.tmp`);
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, path.join(dir, name));
  }
}

/** The progress display: a redrawn bar on a terminal, one line per submission otherwise. */
export function progress(total: number, tty: boolean, write: (s: string) => void) {
  let done = 0, passed = 0, failed = 0;
  const bar = () => {
    const width = 24, full = total ? Math.round((done / total) * width) : width;
    return `[${'#'.repeat(full)}${'.'.repeat(width - full)}] ${done}/${total}  passed ${passed}  not passed ${failed}`;
  };
  if (tty) write(bar());
  return {
    /** One submission finished. */
    add(g: Graded): void {
      done++;
      if (g.total.status === 'passed') passed++; else failed++;
      const line = `${done}/${total} ${g.submission}: ${g.total.points}/${g.total.max_points} ${g.total.status} (${g.seconds.total.toFixed(1)} s)`;
      if (tty) write(`\r\x1b[2K${line}\n${bar()}`);
      else write(`${line}  [passed ${passed}, not passed ${failed}]\n`);
    },
    end(): void { if (tty) write('\n'); },
  };
}
