/**
 * Modes 'full' and 'sparse': every entry (or a seeded sample per block) differenced and compared
 * entry by entry, per block; and the entries a failing directional block is confirmed on.
 */
import { ticker } from '../core/progress';
import { rng, sampleIndices } from '../core/random';
import { entryIndex, blockOf, type NumericResult } from '../nn/numeric';
import type { ParamBlock } from '../nn/block';
import { BANDS, FLOOR_FACTOR, WORST, relativeError, worstVerdict, type BlockResult, type EntryResult } from './report';
import { atolAt, numeric, type Analytic, type Body, type CheckMode, type Context } from './context';
import { judge, pick, pickAt, TopK } from './judge';
import { kinkEntry, kinkRef, withKinks } from './kinks';

/** `samples` seeded entries per block, as sorted theta indices. */
export function sparseIndices(slots: ParamBlock[], samples: number, seed: number): Int32Array {
  const r = rng(seed + 15485863);
  const out: number[] = [];
  for (const s of slots) for (const e of sampleIndices(s.size, samples, r)) out.push(s.offset + e);
  return Int32Array.from(out);
}

/**
 * The entries to confirm a failing block on, `total` per block: the `suspects`
 * where the checked gradient and autograd differ most (where a bug shows, and the entries the
 * report's worst list should name), then seeded random ones (a bug autograd shares, or a
 * numeric-side failure, shows there too), as sorted theta indices.
 */
export function suspectIndices(slots: ParamBlock[], { hand, auto }: Analytic, suspects: number, total: number, seed: number): Int32Array {
  const r = rng(seed + 15485863);
  const out: number[] = [];
  for (const s of slots) {
    const picked = new Set<number>();
    for (let t = 0; t < Math.min(suspects, s.size); t++) {
      let best = -1, gap = -1; // the next largest |hand - auto| (one scan each: suspects is small)
      for (let e = 0; e < s.size; e++) {
        const d = Math.abs(hand[s.offset + e] - auto[s.offset + e]);
        if (d > gap && !picked.has(e)) [best, gap] = [e, d];
      }
      picked.add(best);
    }
    const rest: number[] = [];
    for (let e = 0; e < s.size; e++) if (!picked.has(e)) rest.push(e);
    for (const e of sampleIndices(rest.length, Math.max(0, total - picked.size), r)) picked.add(rest[e]);
    for (const e of picked) out.push(s.offset + e);
  }
  return Int32Array.from(out.sort((p, q) => p - q));
}

/** Full or sparse: entry-by-entry comparison. */
export function entryCheck(ctx: Context, indices: Int32Array | undefined, mode: CheckMode, phase = 'numeric'): Body {
  const { notes } = ctx;
  const total = indices ? indices.length : ctx.model.size;
  const t = ticker(ctx.report, total, phase);
  const num = numeric(ctx, indices, t);
  t.finish();
  return compareEntries(ctx, num, mode, notes);
}

export function compareEntries(ctx: Context, num: NumericResult, mode: CheckMode, notes: string[]): Body {
  const { slots, analytic } = ctx;
  const raw = BANDS[ctx.precision];
  const { hand, auto, bad } = analytic;
  const { indices, values, kinks: isKink } = num;
  // the positions k of num in each block (a counting sort by block: typed arrays, no per-entry objects)
  const blockAt = new Int32Array(indices.length), start = new Int32Array(slots.length + 1);
  for (let k = 0, s = 0; k < indices.length; k++) {
    if (indices[k] < slots[s].offset) s = 0;
    while (indices[k] >= slots[s].offset + slots[s].size) s++;
    blockAt[k] = s;
    start[s + 1]++;
  }
  for (let s = 0; s < slots.length; s++) start[s + 1] += start[s];
  const order = new Int32Array(indices.length), fill = start.slice(0, slots.length);
  for (let k = 0; k < indices.length; k++) order[fill[blockAt[k]]++] = k;
  const byBlock = slots.map((_, s) => order.subarray(start[s], start[s + 1]));
  const isBad = slots.map((s) => bad.has(s.grad));
  const keptAll = new Int32Array(indices.length), everything = new Int32Array(indices.length); // kept: not at a kink, in a well-shaped block
  let nKept = 0, nAll = 0;
  for (let s = 0; s < slots.length; s++) if (!isBad[s]) for (const k of byBlock[s]) { everything[nAll++] = indices[k]; if (!isKink[k]) keptAll[nKept++] = k; }
  const kept = keptAll.subarray(0, nKept);
  const overall = (() => {
    const r = relativeError(pickAt(auto, indices, kept), pick(values, kept));
    return Number.isFinite(r) ? r : 0;
  })();
  const blocks: BlockResult[] = [];
  const saturated: string[] = [];
  const top = new TopK(WORST); // the largest |difference|s, earliest first on ties
  let kinkTotal = 0;
  const magAtol = (use: ArrayLike<number>): number => { let q = 0; for (let p = 0; p < use.length; p++) q += atolAt(ctx, indices[use[p]]) ** 2; return Math.sqrt(q); };
  slots.forEach((s, si) => {
    const pos = byBlock[si];
    const at: number[] = [];
    const use = new Int32Array(pos.length);
    let nUse = 0;
    for (const k of pos) if (isKink[k]) at.push(k); else use[nUse++] = k;
    kinkTotal += at.length;
    if (isBad[si]) {
      blocks.push({ name: s.grad, relativeError: 1, verdict: 'wrong', checked: pos.length, size: s.size, kinks: at.length });
      notes.push(`${bad.get(s.grad)}: reported wrong`);
      return;
    }
    let b: BlockResult = { name: s.grad, relativeError: 0, verdict: 'great', checked: pos.length, size: s.size, kinks: at.length };
    if (nUse) {
      const u = use.subarray(0, nUse);
      const j = judge(pickAt(hand, indices, u), pickAt(auto, indices, u), pick(values, u), magAtol(u), raw, overall);
      if (j.bands.great >= raw.worry) saturated.push(s.grad);
      b = { ...b, relativeError: j.error, verdict: j.verdict, floor: j.floor, bands: j.bands, ratio: j.ratio, noise: j.noise, ...(j.reason ? { reason: j.reason } : {}) };
    }
    const th = at.map((k) => indices[k]);
    blocks.push(withKinks(ctx, b, th));
    for (const k of pos) {
      const i = indices[k];
      top.offer(Math.abs(hand[i] - (isKink[k] ? kinkRef(ctx, i) : values[k])), k);
    }
  });
  const worst: EntryResult[] = top.items().map((k) => {
    const i = indices[k], s = blockOf(slots, i);
    return isKink[k] ? kinkEntry(ctx, s, i, values[k]) : { block: s.grad, index: entryIndex(s, i), analytic: hand[i], numeric: values[k], difference: hand[i] - values[k], kink: false };
  });
  const all = judge(pickAt(hand, indices, kept), pickAt(auto, indices, kept), pick(values, kept), magAtol(kept), raw);
  if (kinkTotal) {
    notes.push(`${kinkTotal} of ${indices.length} entries crossed a relu kink: their differences are not derivatives, so they were compared with autograd (either one-sided derivative accepted where z = 0 exactly); error of the others ${all.error.toExponential(2)}`);
  }
  if (all.bands.great > raw.great) {
    notes.push(`float32 floor: the checked gradient is float32 (tf has no float64); autograd vs numeric is ${all.floor.toExponential(1)} here, so the bands start at ${all.bands.great.toExponential(1)} (${FLOOR_FACTOR}x that) instead of ${raw.great}`);
  }
  if (saturated.length) {
    notes.push(`${saturated.join(', ')}: float32 round-off swamps these blocks (autograd itself is ${FLOOR_FACTOR}x-floor >= the worry band away from the numbers); judged by how much further the checked gradient is than autograd (ratio column)`);
  }
  if (mode === 'sparse') notes.push(`sparse: ${indices.length} of ${ctx.model.size} entries checked (up to ${ctx.samples} per block, seed ${ctx.seed})`);
  const verdicts = [bad.size ? 'wrong' as const : kept.length ? all.verdict : 'great' as const, ...blocks.map((b) => b.verdict)];
  return {
    relativeError: all.error,
    pairs: {
      handVsAutograd: relativeError(pick(hand, everything.subarray(0, nAll)), pick(auto, everything.subarray(0, nAll))),
      handVsNumeric: all.error,
      autogradVsNumeric: all.floor,
    },
    blocks,
    worst,
    verdict: worstVerdict(verdicts),
    bands: all.bands,
    evaluations: num.evaluations,
    floor: all.floor,
    checked: indices.length,
    kinks: kinkTotal,
    ...(all.reason && kept.length ? { reason: all.reason } : {}),
  };
}

