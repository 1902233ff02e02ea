/**
 * The MLP's offer of exact fast paths to gs.gradCheck (nn/numeric.ts NumericPaths): the numbers of
 * the seeds' loop over the float64 mirror from one cached base pass (fast64: cached layers, only the
 * change carried downstream; directional64 and the joint direction), float32 rows on tf, the kink
 * screen, the right-sided reference at z = 0 and the magnitude bound of roundoff.ts (which is what
 * keeps fitted nets from false alarms). Dropout masks are drawn from the check's seed and held fixed.
 */
import type { Tensor, Tensor2D } from '@tensorflow/tfjs';
import { tf } from '../core/backend';
import { matrix } from '../core/errors';
import { rng } from '../core/random';
import { activations } from '../nn/activations';
import type { Grads, NumericPaths, PathOptions } from '../nn/model';
import type { ParamBlock } from '../nn/block';
import type { Cache, MlpCore as Net } from './net';
import { batch64 } from './mirror64';
import { layout } from './layout';
import { base64, type Base64 } from './propagate';
import { fastGrad64 } from './fast64';
import { directional64, joint64 } from './directional64';
import { directional32, float32Grad } from './float32';
import { alongMagnitudes64, magnitudes64 } from './roundoff';

/**
 * The dropout masks D^l a check holds fixed: drawn from the check's seed (the net's own mask
 * stream is left alone); [] without dropout. The caller disposes them.
 *
 * @example
 * ```ts
 * const D = checkMasks(net, 6, 0); // what gs.gradCheck(net, X, Y) uses for 6 examples
 * ```
 */
export function checkMasks(net: Net, m: number, seed: number): (Tensor2D | undefined)[] {
  return net.spec.keepProb < 1 ? net.sampleMasks(m, rng(seed + 104729)) : [];
}

/**
 * The reference gradient with the right-sided g'(0) = 1 at relu kinks (net.backward with `right`),
 * when some kept hidden pre-activation is exactly 0 in tf's pass; undefined otherwise.
 */
function rightSided(net: Net, cache: Cache, y: Tensor2D): Float64Array | undefined {
  if (!activations[net.spec.hidden].kink) return undefined;
  let zero = false;
  for (let l = 1; l < net.depth && !zero; l++) {
    const z = cache.z[l]!.dataSync(), D = cache.D[l]?.dataSync();
    for (let i = 0; i < z.length; i++) if (z[i] === 0 && (!D || D[i] !== 0)) { zero = true; break; }
  }
  if (!zero) return undefined;
  const g = net.backward(cache, y, { right: true });
  try {
    return net.gradsToVector(g);
  } finally {
    tf.dispose(Object.values(g));
  }
}

/** Notes relu units whose z has a different sign in tf's float32 forward pass and the float64 mirror. */
function mirrorSigns(net: Net, cache: Cache, z: Float64Array[], notes: string[]): void {
  if (!activations[net.spec.hidden].kink) return;
  let differ = 0;
  for (let l = 1; l < net.depth; l++) {
    const zt = cache.z[l]!.dataSync();
    for (let i = 0; i < zt.length; i++) if ((zt[i] > 0) !== (z[l][i] > 0)) differ++;
  }
  if (differ) notes.push(`${differ} pre-activation(s) sit so close to the relu kink that float32 and float64 disagree on their sign; gradients through them can differ`);
}

/**
 * Coordinates of theta whose own +-eps step can move a hidden pre-activation across a relu kink:
 * W^l[i, c] and b^l[c] where some kept unit has |z^l[r, c]| <= 2 eps (||a^(l-1)_r|| + 1) (for W, only
 * rows with a^(l-1)[r, i] != 0). A unit direction moves z^l[r, c] by at most eps (||a^(l-1)_r|| + 1).
 * Directional mode leaves them out of its directions and compares them with autograd.
 */
function nearKinks(B: Base64, slots: ParamBlock[], eps: number, size: number): Uint8Array {
  const near = new Uint8Array(size);
  if (!B.kinky) return near;
  const { n, L, m, z, a, batch } = B;
  for (let l = 1; l < L; l++) { // the output layer has no kink
    const sW = slots.find((s) => s.layer === l && s.kind === 'W'), sb = slots.find((s) => s.layer === l && s.kind === 'b');
    if (!sW && !sb) continue;
    const nIn = n[l - 1], nl = n[l], D = batch.D[l], A = a[l - 1], Z = z[l];
    for (let r = 0; r < m; r++) {
      let sq = 0;
      for (let i = 0; i < nIn; i++) sq += A[r * nIn + i] ** 2;
      const tau = 2 * eps * (Math.sqrt(sq) + 1);
      for (let c = 0; c < nl; c++) {
        if (Math.abs(Z[r * nl + c]) > tau || (D && D[r * nl + c] === 0)) continue;
        if (sb) near[sb.offset + c] = 1;
        if (sW) for (let i = 0; i < nIn; i++) if (A[r * nIn + i] !== 0) near[sW.offset + i * nl + c] = 1;
      }
    }
  }
  return near;
}

/**
 * The MLP's exact paths for one check on one batch (what `net.exactPaths(X, Y, options)` returns).
 *
 * @example
 * ```ts
 * const paths = exactPaths(net, X, Y, { seed: 0, precision: 'float64', autograd: false, notes: [] });
 * paths.start([]);
 * paths.entries(undefined, 1e-7, () => {}).values; // every entry's central difference
 * paths.dispose();
 * ```
 */
export function exactPaths(net: Net, X: Tensor, Y: Tensor, { seed, precision, autograd, notes }: PathOptions): NumericPaths<Cache> {
  net.assertFinite();
  matrix('X', X, net.spec.sizes[0]);
  const m = X.shape[0];
  const y = net.labels(Y, m);
  const D = checkMasks(net, m, seed);
  let cache: Cache, grads: Grads | undefined;
  try {
    if (D.length) notes.push(`dropout: one mask D (keepProb ${net.spec.keepProb}) drawn with the check's seed ${seed} (options.seed) and held fixed for the hand-written gradient, autograd and every numeric evaluation`);
    // float64 directional tries one joint direction first, which needs no autograd: a plain forward pass
    if (autograd) ({ cache, grads } = net.forwardAndAutograd(X as Tensor2D, y, D)); // one tf forward pass for both
    else cache = net.forward(X as Tensor2D, D.length ? { masks: D } : {}).cache; // its output is cache.a[L]
  } catch (e) {
    tf.dispose([y, ...(D.filter(Boolean) as Tensor[])]);
    throw e;
  }
  const batch = batch64(net.spec, X as Tensor2D, y, cache.D);
  const theta = net.toVector();
  // one cached float64 base pass, shared by the sign check, the round-off bound, the kink screen,
  // the numeric gradient and the confirmation
  let base: Base64 | undefined, mag: Float64Array | undefined;
  const B = (): Base64 => (base ??= base64(net.spec, theta, batch));
  const f64 = precision === 'float64';
  return {
    y, cache, grads, theta, slots: layout(net.spec), scaleBound: false,
    method: f64
      ? 'numeric: central differences of J re-evaluated in float64 by the mirror of the forward pass (cached layers, only the change carried downstream)'
      : 'numeric: central differences of J in float32 on tf (the parameters set to theta +- eps, two tf forward passes per entry)',
    autograd: () => {
      const own = net.forwardAndAutograd(X as Tensor2D, y, D);
      own.cache.dispose();
      return own.grads;
    },
    rightSided: () => rightSided(net, cache, y),
    start: (n) => { if (f64) mirrorSigns(net, cache, B().z, n); else B(); },
    magnitudes: () => (mag ??= magnitudes64(B())),
    entries: (indices, eps, tick) => f64
      ? fastGrad64(net.spec, theta, batch, { eps, indices, tick, base: B() })
      : float32Grad(net, cache, y, { eps, indices, tick }),
    directions: (dirs, eps, tick) => f64 ? directional64(net.spec, theta, batch, dirs, eps, tick, B()) : directional32(net, cache, y, dirs, eps),
    nearKinks: (slots, eps) => nearKinks(B(), slots, eps, net.size),
    joint: f64 ? { rows: m, alongMagnitudes: (parts) => alongMagnitudes64(B(), parts), difference: (u, eps, factors) => joint64(B(), theta, u, eps, factors) } : undefined,
    dispose: () => {
      tf.dispose([y, ...(D.filter(Boolean) as Tensor[])]);
      cache.dispose();
    },
  };
}
