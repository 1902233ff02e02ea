/**
 * Input normalisation seen (lecture 001): the contours of the cost J(w1, w2) for two inputs on very
 * different scales, before and after normalisation, each with its gradient-descent path and the
 * number of steps it took. Both panels have equal x and y units, so long thin ellipses look long
 * and thin and round ones round.
 */
import type { DescentRun } from '../lectures/normalize';
import { invalid } from '../core/errors';
import { SCHEMA, withDefaults, type BaseOptions, type ChartSpec } from './common';
import { displayable } from './common';

/** Options of {@link normalization}. */
export interface NormalizationOptions extends BaseOptions {
  /** Contour levels as fractions of J(w0) - J*. Default [1, 0.3, 0.1, 0.03, 0.01]. */
  levels?: number[];
}

export const defaults: Required<NormalizationOptions> = {
  title: 'Cost contours and gradient descent, raw vs normalised inputs',
  width: 260,
  height: 260,
  levels: [1, 0.3, 0.1, 0.03, 0.01],
};

/** Points of the ellipse (w - w*)^T H (w - w*) = 2 delta. */
function ellipse(run: DescentRun, delta: number, k = 96): { w1: number; w2: number; i: number }[] {
  const [[a, b], [, c]] = run.hessian;
  const tr = a + c, disc = Math.sqrt(Math.max(0, ((a - c) / 2) ** 2 + b * b));
  const l1 = tr / 2 + disc, l2 = tr / 2 - disc;
  const theta = Math.abs(b) < 1e-300 ? (a >= c ? 0 : Math.PI / 2) : Math.atan2(l1 - a, b); // eigenvector of l1
  const v1 = [Math.cos(theta), Math.sin(theta)], v2 = [-Math.sin(theta), Math.cos(theta)];
  const r1 = Math.sqrt((2 * delta) / l1), r2 = Math.sqrt((2 * delta) / l2);
  return Array.from({ length: k + 1 }, (_, i) => {
    const t = (2 * Math.PI * i) / k;
    return { w1: run.wStar[0] + r1 * Math.cos(t) * v1[0] + r2 * Math.sin(t) * v2[0], w2: run.wStar[1] + r1 * Math.cos(t) * v1[1] + r2 * Math.sin(t) * v2[1], i };
  });
}

function panel(run: DescentRun, title: string, o: Required<NormalizationOptions>) {
  const J0 = run.path[0].J;
  const contours = o.levels.flatMap((f) => ellipse(run, f * (J0 - run.JStar)).map((p) => ({ ...p, level: `${f}` })));
  const pts = [...contours, ...run.path];
  const span = (k: 'w1' | 'w2') => [Math.min(...pts.map((p) => p[k])), Math.max(...pts.map((p) => p[k]))];
  const [x0, x1] = span('w1'), [y0, y1] = span('w2');
  const half = (1.08 * Math.max(x1 - x0, y1 - y0)) / 2, cx = (x0 + x1) / 2, cy = (y0 + y1) / 2; // equal units on both axes
  const x = { field: 'w1', type: 'quantitative' as const, title: 'w1', scale: { domain: [cx - half, cx + half], nice: false, zero: false } };
  const y = { field: 'w2', type: 'quantitative' as const, title: 'w2', scale: { domain: [cy - half, cy + half], nice: false, zero: false } };
  return {
    title: { text: title, subtitle: `${run.converged ? `${run.steps} steps` : `not converged in ${run.steps} steps`} at lr ${Number(run.lr.toPrecision(3))}; lambda_max / lambda_min = ${Number(run.condition.toPrecision(3))}` },
    width: o.width,
    height: o.height,
    layer: [
      { data: { values: contours }, mark: { type: 'line', strokeWidth: 1, color: '#999', clip: true }, encoding: { x, y, detail: { field: 'level' }, order: { field: 'i', type: 'quantitative' } } },
      { data: { values: run.path }, mark: { type: 'line', color: '#d62728', strokeWidth: 1.5, point: { filled: true, size: 12, color: '#d62728' }, clip: true }, encoding: { x, y, order: { field: 'step', type: 'quantitative' } } },
      { data: { values: [{ w1: run.wStar[0], w2: run.wStar[1] }] }, mark: { type: 'point', shape: 'cross', size: 120, color: 'black', filled: true }, encoding: { x, y } },
    ],
  };
}

/**
 * Two panels, raw and normalised inputs: J's contours, the gradient-descent path (red) and w* (cross).
 *
 * @example
 * ```ts
 * gs.show(gs.charts.normalization(gs.normalizationDemo({ scales: [1, 10] })));
 * ```
 */
export function normalization(demo: { raw: DescentRun; normalised: DescentRun }, options?: NormalizationOptions): ChartSpec {
  const o = withDefaults(defaults, options);
  if (!demo || typeof demo !== 'object') throw invalid('demo', demo, 'the result of gs.normalizationDemo()');
  for (const k of ['raw', 'normalised'] as const) {
    const run = demo[k];
    if (!run || !Array.isArray(run.path) || run.path.length === 0 || !Array.isArray(run.wStar) || !Array.isArray(run.hessian)) {
      throw invalid(`demo.${k}`, run && typeof run === 'object' ? { ...run, path: Array.isArray(run.path) ? `${run.path.length} points` : run.path } : run, 'a run of gs.normalizationDemo() with a non-empty path (step 0 is the start), wStar and hessian');
    }
  }
  if (!Array.isArray(o.levels) || o.levels.length === 0 || o.levels.some((l) => !(l > 0))) throw invalid('levels', o.levels, 'fractions > 0 of J(w0) - J*');
  return displayable({
    $schema: SCHEMA,
    title: { text: o.title, subtitle: `raw: ${demo.raw.steps} steps, normalised: ${demo.normalised.steps} steps to within ${100 * demo.raw.tol}% of the distance to w*, each at its best fixed learning rate 2 / (lambda_max + lambda_min)` },
    hconcat: [panel(demo.raw, 'raw inputs', o), panel(demo.normalised, 'normalised inputs (x - mu) / sigma', o)],
  } as ChartSpec);
}
