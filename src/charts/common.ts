/**
 * What every chart shares: the Vega-Lite 5 `$schema` (JupyterLab 4 / Notebook 7 draw with a bundled
 * vega-lite 5.6, so specs use nothing newer), the options merge, the verdict colours.
 */
import type { TopLevelSpec } from 'vega-lite';
import { invalid, knownKeys, number } from '../core/errors';
import { displayable as jupyterDisplayable } from '../core/jupyter';
import type { DepthRow } from '../stats/depthSweep';
import type { LayerStatistic, LayerStatsRow } from '../stats/layerStats';

/** A Vega-Lite 5 spec with its data inline, as every gs.charts function returns. */
export type ChartSpec = TopLevelSpec & {
  /** The Vega-Lite schema URL, {@link charts.SCHEMA} for gradscope's charts (an identifier: nothing is fetched). */
  $schema: string;
};

/** The `$schema` of every gs.charts spec: Vega-Lite 5 (JupyterLab 4 and Notebook 7 bundle vega-lite 5.6). */
export const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

/** Options every chart takes (each chart's `defaults` object fills them in). */
export interface BaseOptions {
  /** Chart title. */
  title?: string;
  /** Plot width in pixels (10 to 10000; each chart has its own default). */
  width?: number;
  /** Plot height in pixels (10 to 10000; each chart has its own default, gradCheck's grows with the blocks). */
  height?: number;
}

/** defaults <- options, rejecting unknown keys and bad sizes. */
export function withDefaults<D extends BaseOptions>(defaults: D, options: Partial<D> | undefined): D {
  knownKeys('options', options, Object.keys(defaults));
  const o = { ...defaults, ...(options ?? {}) } as D;
  number('width', o.width, { min: 10, max: 10000 });
  number('height', o.height, { min: 10, max: 10000 });
  if (typeof o.title !== 'string') throw invalid('title', o.title, 'a string');
  return o;
}

/** Throws unless `rows` is a non-empty array of objects. */
export function rowsOf<T>(name: string, rows: unknown, expected: string): T[] {
  if (!Array.isArray(rows) || rows.length === 0 || rows.some((r) => r === null || typeof r !== 'object')) {
    throw invalid(name, rows, `a non-empty array of ${expected}`);
  }
  return rows as T[];
}

/** Verdict colours: green, blue, orange, red. */
export const VERDICT_COLORS = { great: '#2ca02c', ok: '#1f77b4', inconclusive: '#7f7f7f', worry: '#ff7f0e', wrong: '#d62728' } as const;

/** A value a log axis can draw. */
export const positive = (v: number): boolean => Number.isFinite(v) && v > 0;

export { short as fmt } from '../core/format';
import { short as fmtShort } from '../core/format';

/** The "subscript" of a layer for titles: ||dW^l||. */
export const LABELS: Record<string, string> = {
  gradNormW: 'gradient norm ||dW^l||',
  gradMeanAbsW: 'mean |dW^l|',
  gradStdW: 'std of dW^l',
  gradNormB: 'gradient norm ||db^l||',
  gradMeanAbsB: 'mean |db^l|',
  gradStdB: 'std of db^l',
  activationMean: 'mean of a^l',
  activationStd: 'std of a^l',
  zStd: 'std of z^l',
  saturated: 'fraction saturated',
  dead: 'fraction of dead units',
};

/** The series of a per-layer chart: `init / hidden`. */
export const seriesOf = (r: { init: string; hidden: string }): string => `${r.init} / ${r.hidden}`;

/** One point of a per-layer chart: the layer, its series `init / hidden` and the statistic's value. */
export interface LayerPoint { layer: number; series: string; value: number }

/**
 * One statistic per layer from gs.depthSweep's long rows or gs.layerStats' rows (mixed is fine).
 *
 * @example
 * ```ts
 * layerPoints(gs.layerStats(net, X, Y), 'activationStd'); // [{ layer: 1, series: 'he / relu', value: 0.83 }, ...]
 * ```
 */
export function layerPoints(rows: (DepthRow | LayerStatsRow)[], statistic: LayerStatistic): LayerPoint[] {
  return rows.flatMap((r): LayerPoint[] => {
    const series = seriesOf(r);
    if ('statistic' in r) return r.statistic === statistic ? [{ layer: r.layer, series, value: r.value }] : [];
    return [{ layer: r.layer, series, value: r[statistic] }];
  });
}

/** One entry of a layered spec's `layer` array. */
export type Layer = Extract<ChartSpec, { layer: unknown }>['layer'][number];

/**
 * The x encoding of a per-layer chart, with integer ticks only. For a few layers Vega's own ticks
 * fall on halves (1, 1.5, 2, ...), which `format: 'd'` prints as "1 1 2 2" (JupyterLab's vega-lite
 * 5.6 draws them so), so the tick values are listed: every layer, or every 2nd, 5th, 10th, 20th ...
 * when they would come closer than 40 px.
 *
 * @example
 * ```ts
 * layerAxis([1, 2, 3], 420).axis.values;   // [1, 2, 3]
 * layerAxis([1, 150], 420).axis.values;   // [20, 40, ..., 140]
 * ```
 */
export function layerAxis(layers: number[], width: number) {
  const lo = Math.min(...layers), hi = Math.max(...layers);
  const room = Math.max(2, Math.floor(width / 40)); // ticks that fit
  const fits = (step: number): boolean => Math.floor((hi - lo) / step) + 1 <= room;
  let step = 1;
  for (let k = 1; !fits(step); k *= 10) step = [k, 2 * k, 5 * k].find(fits) ?? 10 * k;
  const values: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi; v += step) values.push(v);
  return { field: 'layer', type: 'quantitative' as const, title: 'layer l', axis: { values: values.length ? values : [lo], format: 'd' } };
}

type SpecNode = { data?: { values?: Record<string, unknown>[] }; encoding?: Record<string, unknown>; layer?: SpecNode[]; vconcat?: SpecNode[]; hconcat?: SpecNode[]; concat?: SpecNode[]; spec?: SpecNode; title?: unknown };

/** The fields a node and its layers draw (every encoding channel but the tooltip). */
function drawnFields(n: SpecNode, out = new Set<string>()): Set<string> {
  for (const [channel, def] of Object.entries(n.encoding ?? {})) {
    if (channel === 'tooltip') continue;
    for (const d of Array.isArray(def) ? def : [def]) if (d && typeof (d as { field?: unknown }).field === 'string') out.add((d as { field: string }).field);
  }
  for (const c of n.layer ?? []) if (!c.data) drawnFields(c, out);
  if (n.spec && !n.spec.data) drawnFields(n.spec, out);
  return out;
}

const describeRow = (r: Record<string, unknown>, bad: string): string =>
  [...Object.entries(r).filter(([k, v]) => k !== bad && (typeof v === 'number' || typeof v === 'string')).slice(0, 2), [bad, r[bad]] as const]
    .map(([k, v]) => `${k} ${typeof v === 'number' ? (Number.isNaN(v) ? 'NaN' : Number.isFinite(v) ? fmtShort(v) : v > 0 ? 'Infinity' : '-Infinity') : v}`).join(', ');

/**
 * The rule for NaN and Infinity, applied to every chart once (through {@link displayable}): a row of
 * inline data whose drawn field holds NaN or +-Infinity is not drawn (Vega would lose its scale), and
 * the subtitle says how many and shows the first ones, so the text form (gs.toText) says it too.
 */
export function finiteRows<T extends object>(spec: T): T {
  const notes: string[] = [];
  const visit = (n: SpecNode, inherited: Set<string>): void => {
    if (!n || typeof n !== 'object') return;
    const fields = n.data || !inherited.size ? drawnFields(n) : inherited;
    if (Array.isArray(n.data?.values)) {
      const bad: string[] = [];
      const kept = n.data!.values.filter((r) => {
        const k = [...fields].find((f) => typeof r[f] === 'number' && !Number.isFinite(r[f] as number));
        if (k !== undefined) bad.push(describeRow(r, k));
        return k === undefined;
      });
      if (bad.length) {
        n.data!.values = kept;
        notes.push(`${bad.length} row${bad.length > 1 ? 's' : ''} holding NaN or Infinity not drawn (${bad.slice(0, 3).join('; ')}${bad.length > 3 ? '; ...' : ''})`);
      }
    }
    for (const k of ['layer', 'vconcat', 'hconcat', 'concat'] as const) for (const c of n[k] ?? []) visit(c, k === 'layer' && !c.data ? fields : new Set());
    if (n.spec) visit(n.spec, n.spec.data ? new Set() : fields);
  };
  visit(spec as SpecNode, new Set());
  if (notes.length) {
    const top = spec as SpecNode;
    const t = top.title;
    const title = typeof t === 'object' && t !== null ? (t as { text?: unknown; subtitle?: string | string[] }) : { text: t ?? '' };
    const sub = title.subtitle === undefined ? [] : Array.isArray(title.subtitle) ? title.subtitle : [title.subtitle];
    top.title = { ...title, subtitle: [...sub, ...notes] };
  }
  return spec;
}

/** A chart as every gs.charts function returns it: the NaN / Infinity rule applied, displayable in a notebook. */
export function displayable<T extends object>(spec: T): T {
  return jupyterDisplayable(finiteRows(spec));
}
