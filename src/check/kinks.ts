/**
 * The kink policy: an entry whose +-eps step crosses a relu kink has a difference quotient, not a
 * derivative, so it is compared with autograd (or the right-sided g'(0) = 1 reference, whichever is
 * closer); a block made only of such entries is at best 'ok', 'inconclusive' where autograd is about 0.
 */
import { fmt } from '../core/errors';
import { entryIndex } from '../nn/numeric';
import type { ParamBlock } from '../nn/block';
import { worstVerdict, type BlockResult, type EntryResult, type Verdict } from './report';
import { atolAt, type Context } from './context';
import { judgeKinks, pick } from './judge';

/** The reference an entry at a kink is compared with: autograd, or the right-sided gradient where that is closer to hand. */
export function kinkRef(ctx: Context, i: number): number {
  const { hand, auto } = ctx.analytic, alt = ctx.alt;
  return alt && Math.abs(hand[i] - alt[i]) < Math.abs(hand[i] - auto[i]) ? alt[i] : auto[i];
}

/** A worst-list entry at a kink: compared with autograd (numeric is the difference quotient, not a derivative there). */
export function kinkEntry(ctx: Context, s: ParamBlock, i: number, numeric: number): EntryResult {
  const ref = kinkRef(ctx, i), h = ctx.analytic.hand[i];
  return { block: s.grad, index: entryIndex(s, i), analytic: h, numeric, autograd: ref, difference: h - ref, kink: true };
}

/** The block result for entries at a kink only, or the kink part merged into a numeric one. */
export function withKinks(ctx: Context, b: BlockResult, th: number[], autogradOnly = b.checked === th.length): BlockResult {
  if (!th.length) return { ...b, basis: 'numeric' };
  const { hand, auto } = ctx.analytic;
  const k = judgeKinks(pick(hand, th), pick(auto, th), ctx.alt && pick(ctx.alt, th), th.map((i) => atolAt(ctx, i)));
  const sided = k.right && k.verdict === 'great' ? ` (${k.right} with g'(0) = 1, the other valid one-sided derivative)` : '';
  if (autogradOnly) {
    // every entry at a kink: autograd alone decides, and a match is 'ok', never 'great'; a match
    // with an autograd about 0 is 'inconclusive' (a zero gradient would match it too)
    const verdict: Verdict = k.vacuous ? 'inconclusive' : k.verdict === 'great' ? 'ok' : k.verdict;
    const reason = k.vacuous ? 'every entry sits at a kink and autograd is about 0 there: a zero gradient would match it too' : undefined;
    return { ...b, relativeError: k.error, verdict, basis: 'autograd', label: `${th.length}/${b.checked} at a kink: compared with autograd only${sided}`, floor: undefined, bands: undefined, ratio: undefined, reason };
  }
  const verdict = worstVerdict([b.verdict, k.verdict]);
  const label = k.verdict === 'great' ? (sided ? `kinks match autograd${sided}` : undefined) : `${th.length} entries at a kink differ from autograd (relative error ${fmt(k.error)})`;
  return { ...b, verdict, basis: 'numeric+autograd', ...(label ? { label } : {}) };
}

