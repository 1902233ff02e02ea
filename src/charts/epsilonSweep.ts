/**
 * Error of a numerical derivative against eps, both axes log (seed 000): the one-sided quotient's
 * error falls with slope 1, the two-sided one's with slope 2, until round-off (~ u / eps) rises
 * again, much earlier in float32 than in float64.
 */
import { invalid } from '../core/errors';
import type { EpsilonRow } from '../check/derivative';
import { fmt, positive, rowsOf, SCHEMA, withDefaults, type BaseOptions, type ChartSpec, type Layer } from './common';
import { displayable } from './common';

/** Options of {@link epsilonSweep}. */
export interface EpsilonSweepOptions extends BaseOptions {
  /** The eps whose estimates are marked and labelled (seed 000: 0.01 -> 3.03 and 3.0001). Default 0.01. */
  markEps?: number;
  /** Draw the slope-1 and slope-2 guide lines. Default true. */
  guides?: boolean;
}

export const defaults: Required<EpsilonSweepOptions> = {
  title: 'Finite-difference error against eps',
  width: 460,
  height: 300,
  markEps: 0.01,
  guides: true,
};

/** Guides run parallel to the data, this factor above it. */
const GUIDE_OFFSET = 4;

const METHOD_LABEL = { forward: 'one-sided (forward)', central: 'two-sided (central)' } as const;

/** A guide error = c eps^k through the float64 row of `method` nearest markEps, clipped to the drawn errors. */
function guide(rows: EpsilonRow[], method: 'forward' | 'central', k: number, markEps: number, yMin: number): { eps: number; error: number; guide: string }[] {
  const own = rows.filter((r) => r.method === method && r.precision === 'float64' && positive(r.error));
  if (!own.length) return [];
  const anchor = own.reduce((a, b) => (Math.abs(Math.log(b.eps / markEps)) < Math.abs(Math.log(a.eps / markEps)) ? b : a));
  const c = (GUIDE_OFFSET * anchor.error) / anchor.eps ** k; // error = c eps^k, drawn GUIDE_OFFSET times above the data so both show
  const epsMax = Math.max(...rows.map((r) => r.eps));
  const epsMin = Math.max(Math.min(...rows.map((r) => r.eps)), (yMin / c) ** (1 / k));
  if (!(epsMin < epsMax)) return [];
  const name = `slope ${k} (error ~ eps${k === 2 ? '^2' : ''})`;
  return [{ eps: epsMax, error: c * epsMax ** k, guide: name }, { eps: epsMin, error: c * epsMin ** k, guide: name }];
}

/**
 * Error against eps on log-log axes, from gs.epsilonSweep rows: colour tells one-sided from
 * two-sided, dashes tell float64 from float32; slope-1 and slope-2 guides; the estimates at
 * eps = 0.01 (seed 000's 3.03 and 3.0001 for a^3 at 1) marked and labelled.
 *
 * @example
 * ```ts
 * const rows = gs.epsilonSweep((a) => a ** 3, 1, { exact: 3 });
 * gs.show(gs.charts.epsilonSweep(rows));
 * ```
 */
export function epsilonSweep(rows: EpsilonRow[], options?: EpsilonSweepOptions): ChartSpec {
  const o = withDefaults(defaults, options);
  const input = rowsOf<EpsilonRow>('rows', rows, 'gs.epsilonSweep rows { eps, method, precision, estimate, error }');
  if (!input.every((r) => typeof r.eps === 'number' && (r.method === 'central' || r.method === 'forward') && typeof r.error === 'number')) {
    throw invalid('rows', rows, 'gs.epsilonSweep rows { eps, method, precision, estimate, error }');
  }
  const values = input
    .filter((r) => positive(r.error) && positive(r.eps))
    .map((r) => ({ eps: r.eps, error: r.error, estimate: r.estimate, method: METHOD_LABEL[r.method], precision: r.precision }));
  if (!values.length) throw invalid('rows', rows, 'some rows with error > 0 (log axis)');
  const yMin = Math.min(...values.map((v) => v.error));
  const guides = o.guides ? [...guide(input, 'forward', 1, o.markEps, yMin), ...guide(input, 'central', 2, o.markEps, yMin)] : [];
  const marked = input
    .filter((r) => r.precision === 'float64' && positive(r.error) && Math.abs(r.eps - o.markEps) <= 1e-9 * o.markEps)
    .map((r) => ({ eps: r.eps, error: r.error, label: `${fmt(r.estimate)} (${r.method === 'forward' ? 'one-sided' : 'two-sided'}, eps = ${fmt(r.eps)})` }));
  const x = { field: 'eps', type: 'quantitative', title: 'eps (log)', scale: { type: 'log' }, axis: { format: '.0e' } } as const;
  const y = { field: 'error', type: 'quantitative', title: '|estimate - exact| (log)', scale: { type: 'log' }, axis: { format: '.0e' } } as const;
  const spec: ChartSpec = {
    $schema: SCHEMA,
    title: { text: o.title, subtitle: 'colour: one-sided vs two-sided; dashes: float64 vs float32' },
    width: o.width,
    height: o.height,
    layer: [
      {
        data: { values },
        layer: [
          {
            // lines carry the dash legend: a line mark with point: true would make its legend symbols filled points, with no stroke to dash
            mark: { type: 'line', strokeWidth: 2 },
            encoding: {
              x, y,
              color: { field: 'method', type: 'nominal', title: 'difference', scale: { domain: Object.values(METHOD_LABEL), range: ['#d62728', '#1f77b4'] }, legend: { orient: 'bottom' } },
              strokeDash: { field: 'precision', type: 'nominal', title: 'precision', scale: { domain: ['float64', 'float32'], range: [[1, 0], [6, 3]] }, legend: { orient: 'bottom', symbolType: 'stroke', symbolStrokeWidth: 2, symbolSize: 300, symbolStrokeColor: '#333' } },
            },
          },
          {
            mark: { type: 'point', filled: true, size: 30 },
            encoding: {
              x, y,
              color: { field: 'method', type: 'nominal', title: 'difference', scale: { domain: Object.values(METHOD_LABEL), range: ['#d62728', '#1f77b4'] }, legend: { orient: 'bottom' } },
              tooltip: [{ field: 'method', type: 'nominal' }, { field: 'precision', type: 'nominal' }, { field: 'eps', type: 'quantitative', format: '.1e' }, { field: 'estimate', type: 'quantitative', format: '.10g' }, { field: 'error', type: 'quantitative', format: '.2e' }],
            },
          },
        ],
      },
      ...(guides.length ? [<Layer>{
        data: { values: guides },
        layer: [
          { mark: { type: 'line', color: '#888', strokeDash: [2, 2], strokeWidth: 1 }, encoding: { x, y, detail: { field: 'guide', type: 'nominal' } } },
          {
            transform: [{ filter: `datum.eps === ${Math.max(...guides.map((g) => g.eps))}` }],
            mark: { type: 'text', align: 'left', baseline: 'top', dx: 4, dy: 6, color: '#666', fontSize: 10 }, // below the line's end, clear of the marked labels
            encoding: { x, y, text: { field: 'guide', type: 'nominal' } },
          },
        ],
      }] : []),
      ...(marked.length ? [<Layer>{
        data: { values: marked },
        layer: [
          { mark: { type: 'point', shape: 'diamond', size: 120, filled: true, color: 'black' }, encoding: { x, y } },
          { mark: { type: 'text', align: 'left', dx: 8, dy: -8, fontSize: 11, fontWeight: 'bold' }, encoding: { x, y, text: { field: 'label', type: 'nominal' } } },
        ],
      }] : []),
    ],
  };
  return displayable(spec);
}
