/**
 * The seeds' gradient check, as written (and CS231n's eval_numerical_gradient): for each entry,
 * perturb theta, run the whole float64 forward pass, difference the costs.
 *   d theta_approx[i] = (J(theta + eps e_i) - J(theta - eps e_i)) / 2 eps
 * This is the baseline the fast checker is measured and tested against.
 */
import { activations } from '../nn/activations';
import type { NetSpec } from './spec';
import { cost64, forward64, type Batch64 } from './mirror64';
import { allIndices, steps, type NumericResult } from '../nn/numeric';

/**
 * True when some hidden pre-activation (of a unit not dropped) has a different sign in zA and zB
 * (only for g with a kink: relu, leakyRelu).
 *
 * @example
 * ```ts
 * crossed(spec, batch, forward64(spec, thetaPlus, batch).z, forward64(spec, theta, batch).z);
 * ```
 */
export function crossed(spec: NetSpec, batch: Batch64, zA: Float64Array[], zB: Float64Array[]): boolean {
  if (!activations[spec.hidden].kink) return false;
  for (let l = 1; l < zA.length - 1; l++) {
    const D = batch.D[l];
    for (let i = 0; i < zA[l].length; i++) if ((zA[l][i] > 0) !== (zB[l][i] > 0) && (!D || D[i] !== 0)) return true;
  }
  return false;
}

/**
 * Central differences of the float64 mirror, one full forward pass per evaluation.
 *
 * @example
 * ```ts
 * const batch = batch64(net.spec, X, y);
 * const { values } = naiveGrad64(net.spec, net.toVector(), batch, { eps: 1e-7 });
 * ```
 */
export function naiveGrad64(
  spec: NetSpec,
  theta: Float64Array,
  batch: Batch64,
  { eps = 1e-7, indices, tick }: { eps?: number; indices?: Int32Array; tick?: (done: number) => void } = {},
): NumericResult {
  const idx = indices ?? allIndices(theta.length);
  const values = new Float64Array(idx.length);
  const kinks = new Uint8Array(idx.length);
  const scale = new Float64Array(idx.length);
  const t = Float64Array.from(theta);
  const zBase = forward64(spec, t, batch).z;
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k];
    const w = t[i];
    const [hp, hm] = steps(w, eps);
    t[i] = w + hp;
    const plus = cost64(spec, t, batch);
    t[i] = w - hm;
    const minus = cost64(spec, t, batch);
    t[i] = w;
    values[k] = (plus.J - minus.J) / (hp + hm); // (J+ - J-) / 2 eps
    let size = Math.abs(plus.l2 - minus.l2);
    for (let r = 0; r < batch.m; r++) size += Math.abs(plus.rows[r] - minus.rows[r]) / batch.m;
    scale[k] = size / (hp + hm);
    kinks[k] = crossed(spec, batch, plus.z, zBase) || crossed(spec, batch, minus.z, zBase) ? 1 : 0;
    tick?.(k + 1);
  }
  return { indices: idx, values, kinks, scale, evaluations: 2 * idx.length };
}
