/**
 * Mode 'directional', per block: a few random unit directions per block, v . grad against the
 * difference along v, the coordinates next to a kink left out (compared with autograd instead); a
 * failing block is confirmed entry by entry before it is called wrong (PyTorch's fast-mode lesson);
 * in float32, once a block is wrong, the blocks that passed are confirmed too, so every faulty one is named.
 */
import { ticker } from '../core/progress';
import { rng, unitVector } from '../core/random';
import { ATOL_FACTOR, U32, along, type Direction } from '../nn/numeric';
import type { ParamBlock } from '../nn/block';
import { BANDS, WORST, relativeError, worstVerdict, type BlockResult, type EntryResult } from './report';
import { atolAt, numeric, timed, type Body, type Context } from './context';
import { judge, norm } from './judge';
import { kinkEntry, withKinks } from './kinks';
import { compareEntries, suspectIndices } from './entries';

/**
 * Directional: a few random unit directions per block, with the coordinates next to a kink left out
 * (compared with autograd instead). A block whose direction still crosses a kink, or that fails, is
 * checked entry by entry before the report calls it anything.
 */
export function directionalCheck(ctx: Context, K: number, spent = 0): Body {
  const { paths, slots, analytic, notes, precision, eps } = ctx;
  const raw = BANDS[precision];
  const r = rng(ctx.seed + 32452843);
  const near = paths.nearKinks(slots, eps);
  const dirs: Direction[] = [];
  const kinkCoords = new Map<ParamBlock, number[]>();
  for (const s of slots) {
    const th: number[] = [];
    for (let e = 0; e < s.size; e++) if (near[s.offset + e]) th.push(s.offset + e);
    kinkCoords.set(s, th);
    for (let k = 0; k < K && th.length < s.size; k++) {
      const v = unitVector(s.size, r);
      if (th.length) {
        for (const i of th) v[i - s.offset] = 0;
        const nv = norm(v);
        for (let e = 0; e < s.size; e++) v[e] /= nv;
      }
      dirs.push({ slot: s, v });
    }
  }
  const t = ticker(ctx.report, dirs.length, 'directional');
  const num = timed(ctx.time, () => paths.directions(dirs, eps, (done) => t.tick(done)));
  t.finish();
  const blocks: BlockResult[] = [];
  const failing: ParamBlock[] = [];
  const kinked: ParamBlock[] = [];
  const H: number[] = [], A: number[] = [], N: number[] = [];
  let atolAll = 0;
  const alongAtol = (d: Direction): number => { let s = 0; for (let e = 0; e < d.slot.size; e++) s += Math.abs(d.v[e]) * atolAt(ctx, d.slot.offset + e); return s; };
  let kinkTotal = 0;
  const usable = dirs.map((d, i) => [d, i] as const).filter(([d, i]) => !num.kinks[i] && !analytic.bad.has(d.slot.grad));
  const overall0 = relativeError(usable.map(([d]) => along(analytic.auto, d)), usable.map(([, i]) => num.values[i]));
  const overall = Number.isFinite(overall0) ? overall0 : 0;
  for (const s of slots) {
    const ds = dirs.map((d, i) => [d, i] as const).filter(([d]) => d.slot === s);
    const coords = kinkCoords.get(s)!;
    kinkTotal += coords.length;
    if (analytic.bad.has(s.grad)) {
      blocks.push({ name: s.grad, relativeError: 1, verdict: 'wrong', checked: ds.length, size: s.size, kinks: coords.length });
      notes.push(`${analytic.bad.get(s.grad)}: reported wrong`);
      continue;
    }
    if (ds.some(([, i]) => num.kinks[i])) {
      kinked.push(s);
      blocks.push({ name: s.grad, relativeError: NaN, verdict: 'inconclusive', checked: 0, size: s.size, kinks: coords.length });
      continue;
    }
    let b: BlockResult = { name: s.grad, relativeError: 0, verdict: 'great', checked: ds.length + coords.length, size: s.size, kinks: coords.length };
    if (ds.length) {
      const h = ds.map(([d]) => along(analytic.hand, d)), a = ds.map(([d]) => along(analytic.auto, d)), n = ds.map(([, i]) => num.values[i]);
      H.push(...h); A.push(...a); N.push(...n);
      const da = Math.sqrt(ds.reduce((q, [d, i]) => q + Math.max(alongAtol(d), paths.scaleBound ? ATOL_FACTOR * U32 * num.scale[i] : 0) ** 2, 0));
      atolAll = Math.sqrt(atolAll ** 2 + da ** 2);
      const j = judge(h, a, n, da, raw, overall);
      b = { ...b, relativeError: j.error, verdict: j.verdict, floor: j.floor, bands: j.bands, ratio: j.ratio, noise: j.noise, ...(j.reason ? { reason: j.reason } : {}) };
      if (j.verdict === 'worry' || j.verdict === 'wrong') failing.push(s);
    }
    blocks.push(withKinks(ctx, b, coords, ds.length === 0));
  }
  const all = judge(H, A, N, atolAll, raw);
  // the coordinates at a kink were compared with autograd: the worst of them are named too
  let worst: EntryResult[] = slots.flatMap((s) => kinkCoords.get(s)!.map((i) => kinkEntry(ctx, s, i, NaN)))
    .sort((p, q) => Math.abs(q.difference) - Math.abs(p.difference)).slice(0, WORST);
  let evaluations = num.evaluations + spent;
  notes.push(`directional: ${K} random unit direction(s) v per block, v . grad compared with (J(theta + eps v) - J(theta - eps v)) / 2 eps`);
  if (kinkTotal) notes.push(`${kinkTotal} coordinate(s) sit next to a relu kink: left out of the directions and compared with autograd (either one-sided derivative accepted where z = 0 exactly)`);
  if (failing.length || kinked.length) {
    // PyTorch's fast-mode lesson: confirm entry by entry before calling the gradient wrong. First the
    // ceil(samples/2) entries where hand and autograd differ most; a block they do not confirm gets
    // its full `samples` (the same suspects and random entries) before it is called not confirmed.
    // A block whose direction crossed a kink anyway is checked on its full `samples` straight away.
    const k = ctx.samples, first = Math.ceil(k / 2);
    const confirmOn = (on: ParamBlock[], total: number): Body => {
      const idx = suspectIndices(on, analytic, first, total, ctx.seed);
      const t2 = ticker(ctx.report, idx.length, 'confirm');
      const entries = numeric(ctx, idx, t2);
      t2.finish();
      evaluations += entries.evaluations;
      return compareEntries({ ...ctx, slots: on }, entries, 'sparse', []);
    };
    const agreed = (b: BlockResult): boolean => b.verdict === 'worry' || b.verdict === 'wrong';
    const sub = failing.length ? confirmOn(failing, first) : undefined;
    const retry = [...kinked, ...(first < k && sub ? failing.filter((s) => !agreed(sub.blocks.find((b) => b.name === s.grad)!)) : [])];
    const again = retry.length ? confirmOn(retry, k) : undefined;
    const results = [...(sub?.blocks ?? []).filter((b) => !again?.blocks.some((x) => x.name === b.name)), ...(again?.blocks ?? [])];
    worst = [...worst, ...(sub?.worst ?? []).filter((w) => !retry.some((s) => s.grad === w.block)), ...(again?.worst ?? [])]
      .sort((p, q) => Math.abs(q.difference) - Math.abs(p.difference)).slice(0, WORST);
    // float32: a direction's error can sit inside the float32 bands while its block is wrong (a large
    // error on a few entries nearly orthogonal to v). Once the check is wrong, the blocks that passed
    // their directions are confirmed entry by entry too, so that every faulty block is named.
    const passed = precision === 'float32' && failing.length ? slots.filter((s) => !failing.includes(s) && !kinked.includes(s) && !analytic.bad.has(s.name)) : [];
    const extra = passed.length ? confirmOn(passed, first) : undefined;
    for (const b of extra?.blocks ?? []) {
      if (!agreed(b)) continue;
      const i = blocks.findIndex((x) => x.name === b.name);
      notes.push(`${b.name}: passed its direction(s) (error ${blocks[i].relativeError.toExponential(1)}) but not entry by entry: ${b.checked} entries give error ${b.relativeError.toExponential(1)}: ${b.verdict}`);
      blocks[i] = { ...b, checked: blocks[i].checked + b.checked, kinks: blocks[i].kinks + b.kinks };
      worst = [...worst, ...(extra?.worst ?? []).filter((w) => w.block === b.name)].sort((p, q) => Math.abs(q.difference) - Math.abs(p.difference)).slice(0, WORST);
    }
    for (const b of results) {
      const i = blocks.findIndex((x) => x.name === b.name);
      const wasKinked = kinked.some((s) => s.grad === b.name);
      notes.push(wasKinked
        ? `${b.name}: its direction crossed a relu kink; checked on ${b.checked} entries instead: ${b.verdict}`
        : agreed(b)
          ? `${b.name}: directional error ${blocks[i].relativeError.toExponential(1)} confirmed on ${b.checked} entries (error ${b.relativeError.toExponential(1)}): ${b.verdict}`
          : `${b.name}: directional error ${blocks[i].relativeError.toExponential(1)} NOT confirmed: ${b.checked} entries agree (error ${b.relativeError.toExponential(1)}); run mode 'full' to be sure`);
      blocks[i] = wasKinked ? b : { ...b, checked: blocks[i].checked + b.checked, kinks: blocks[i].kinks + b.kinks };
    }
  }
  const verdicts = [analytic.bad.size ? 'wrong' as const : failing.length || kinked.length || !H.length ? 'great' as const : all.verdict, ...blocks.map((b) => b.verdict)];
  return {
    relativeError: all.error,
    pairs: { handVsAutograd: relativeError(analytic.hand, analytic.auto), handVsNumeric: all.error, autogradVsNumeric: all.floor },
    blocks,
    worst,
    verdict: worstVerdict(verdicts),
    bands: all.bands,
    evaluations,
    floor: all.floor,
    checked: dirs.length,
    kinks: kinkTotal,
    ...(all.reason && H.length && !failing.length ? { reason: all.reason } : {}),
  };
}

