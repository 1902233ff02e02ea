/**
 * Mode 'directional' in float64, first: one joint direction over every block, two evaluations and no
 * autograd, offered by a family's exact paths (`paths.joint`); when it does not settle the check the
 * per-block directions (directional.ts) decide.
 */
import { ticker } from '../core/progress';
import { rng, unitVector } from '../core/random';
import { ATOL_FACTOR, U32, U64, along, type RankOne } from '../nn/numeric';
import type { ParamBlock } from '../nn/block';
import { BANDS, FLOOR_FACTOR, relativeError } from './report';
import { timed, type Body, type Context } from './context';
import { finite } from './judge';

/** x . (alpha beta^T) over a W block of a theta-ordered x: sum_i alpha_i sum_c x[i, c] beta_c. */
function alongRankOne(x: ArrayLike<number>, slot: ParamBlock, alpha: Float64Array, beta: Float64Array): number {
  let s = 0;
  for (let i = 0; i < slot.rows; i++) {
    let q = 0;
    const row = slot.offset + i * slot.cols;
    for (let c = 0; c < slot.cols; c++) q += x[row + c] * beta[c];
    s += alpha[i] * q;
  }
  return s;
}

/**
 * A block's part of a joint direction must stand this far above its round-off bound (|hand . v_s| >
 * JOINT_GATE * blocks * atol_s): then a wrong block moves the joint difference by more than FLOOR_FACTOR
 * x the joint noise (for a doubled or sign-flipped block, and a zeroed one fails the gate), where a
 * direction of its own would. Below it, per-block directions decide.
 */
const JOINT_GATE = 2 * FLOOR_FACTOR;

/**
 * Float64 directional, first look: one joint random direction u over every block at once, two loss
 * evaluations and no autograd. u's part on block s is a random unit vector v_s (rank one, alpha beta^T,
 * on a W block) weighted by 1 / atol_s, its round-off bound along v_s (mlp/roundoff.ts
 * alongMagnitudes64: no per-entry bound needed), so every block weighs the same in
 *   u . hand  vs  (J(theta + eps u) - J(theta - eps u)) / 2 eps.
 * The noise allowed is the round-off bound of a correct float32 backward along u plus the numbers'
 * own (u64 sum_r |L_r(+) - L_r(-)| / eps); without autograd nothing else is needed. They must agree
 * to FLOOR_FACTOR x that noise, the numeric value must stand above it, and every block's part above
 * its own (JOINT_GATE). Returns the report body when all that holds; else the evaluations spent (0 when
 * nothing ran: a kink nearby, a bad shape, a block too small to see), and the per-block check decides.
 */
export function jointCheck(ctx: Context, K: number): Body | number {
  const { slots, analytic, eps, notes } = ctx;
  const joint = ctx.paths.joint;
  if (!joint || analytic.bad.size || !finite(analytic.hand) || ctx.paths.nearKinks(slots, eps).some(Boolean)) return 0;
  // v_s: a random unit vector, rank one on a W block (alpha beta^T, both Gaussian, never formed), so
  // the round-off bound along it needs no per-entry bound (joint.alongMagnitudes)
  const r = rng(ctx.seed + 49979687);
  const bounded = !!joint.alongMagnitudes;
  const parts = Array.from({ length: K }, () => slots.map((slot) => {
    if (slot.kind === 'b' || !bounded) return { slot, v: unitVector(slot.size, r) };
    const alpha = unitVector(slot.rows, r), beta = unitVector(slot.cols, r);
    return { slot, v: new Float64Array(0), alpha, beta };
  }));
  const hand = parts.map((ds) => ds.map((d) => d.alpha ? alongRankOne(analytic.hand, d.slot, d.alpha, d.beta) : along(analytic.hand, d)));
  // the weights' denominators: each block's round-off bound along v_s; without one (the recurrent
  // families size round-off by each difference's own terms), v_s . checked itself, sign included, so
  // that every block adds the same 1 / |w| to u . checked (no cancellation between blocks) and a
  // doubled, halved or sign-flipped one shows
  const atol = bounded ? parts.map((ds) => Array.from(joint.alongMagnitudes!(ds), (x) => ATOL_FACTOR * U32 * x)) : hand;
  if (bounded && atol.some((row, k) => row.some((x, i) => !(x > 0) || !(Math.abs(hand[k][i]) > JOINT_GATE * slots.length * x)))) return 0;
  if (!bounded && atol.some((row) => row.some((x) => !(Math.abs(x) > 0) || !Number.isFinite(x)))) return 0;
  // unbounded weights: each block carries 1/B of u . checked, so one block's error is diluted B-fold
  // against a noise bound that sums B blocks' (whose actual errors add about as sqrt(B)): held to
  // FLOOR_FACTOR / sqrt(B), one wrong entry shows about as it does in its block's own direction
  const limit = bounded ? FLOOR_FACTOR : FLOOR_FACTOR / Math.sqrt(slots.length);
  const t = ticker(ctx.report, K, 'directional');
  const H: number[] = [], N: number[] = [], noise: number[] = [];
  let spent = 0;
  for (let k = 0; k < K; k++) {
    const w = atol[k].map((x) => 1 / x);
    const wn = Math.hypot(...w);
    const u = new Float64Array(ctx.model.size); // u's b parts; its W parts are the factors
    const factors: RankOne[] = [];
    parts[k].forEach((d, i) => {
      if (d.alpha && d.beta) factors[d.slot.layer] = { alpha: d.alpha, beta: d.beta, scale: w[i] / wn };
      else for (let e = 0; e < d.slot.size; e++) u[d.slot.offset + e] = (w[i] / wn) * d.v[e];
    });
    const num = timed(ctx.time, () => joint.difference(u, eps, factors));
    spent += num.evaluations;
    t.tick(k + 1);
    const h = hand[k].reduce((q, x, i) => q + (w[i] / wn) * x, 0);
    // a correct float32 backward's round-off along u (by the blocks' bounds, else by the difference's own
    // terms as the per-block check of those families does), plus the numbers' own: u64 sum_r |rows| / eps
    const bound = (bounded ? atol[k].reduce((q, x, i) => q + (w[i] / wn) * x, 0) : ATOL_FACTOR * U32 * num.scale) + (2 * joint.rows * U64 * num.scale);
    const ratio = Math.abs(h - num.value) / bound;
    const fails = num.kink ? 'crossed a relu kink' : !Number.isFinite(num.value) ? 'is not finite'
      : ratio > limit ? `differs from u . checked by ${ratio.toExponential(1)} x the noise` : Math.abs(num.value) <= FLOOR_FACTOR * bound ? 'is about 0 next to the noise' : '';
    if (fails) {
      t.finish();
      notes.push(`directional: one joint direction over all ${slots.length} blocks first: its difference ${fails}, so each block got a direction of its own`);
      return spent;
    }
    H.push(h); N.push(num.value); noise.push(bound);
  }
  t.finish();
  const error = relativeError(H, N);
  const dist = Math.sqrt(H.reduce((q, h, k) => q + (h - N[k]) ** 2, 0)), bound = Math.sqrt(noise.reduce((q, x) => q + x * x, 0));
  const ratio = dist / bound;
  const raw = BANDS.float64;
  const relNoise = bound / (Math.hypot(...H) + Math.hypot(...N));
  if (error > raw.great) notes.push(`float32 round-off: the checked gradient is float32 (tf has no float64); along u a correct one may miss the numbers by ${relNoise.toExponential(1)} relative (the noise), so a relative error of ${error.toExponential(1)} is great by its ratio ${ratio.toExponential(1)} <= ${FLOOR_FACTOR}`);
  notes.push(`directional: ${K} joint random direction(s) u over all ${slots.length} blocks (each block's part weighted by 1 / ${bounded ? 'its float32 round-off bound, so none is diluted' : `its part of u . checked, so each adds the same to u . checked; held to ${limit.toPrecision(2)} x the noise`}), u . grad compared with (J(theta + eps u) - J(theta - eps u)) / 2 eps: within ${ratio.toExponential(1)} x the noise (the round-off bound of a correct float32 backward along u plus the numbers' own), so no block needed a direction of its own and autograd was not run`);
  return {
    relativeError: error,
    pairs: { handVsAutograd: NaN, handVsNumeric: error, autogradVsNumeric: NaN },
    blocks: slots.map((s) => ({ name: s.grad, relativeError: error, verdict: 'great' as const, checked: K, size: s.size, kinks: 0, bands: raw, ratio, noise: bound, basis: 'numeric' as const })),
    worst: [],
    verdict: 'great',
    bands: raw,
    evaluations: spent,
    checked: K,
    kinks: 0,
  };
}

