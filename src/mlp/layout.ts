/**
 * Where each parameter block sits in theta, from the spec alone (the same order as Net.blocks:
 * W1 row-major, b1, W2, b2, ...); nn/numeric.ts goes between a theta index and (block, entry).
 */
import type { NetSpec } from './spec';
import { paramBlock, type ParamBlock } from '../nn/block';

/**
 * The blocks of theta for a spec: [dW1, db1, dW2, db2, ...] with offsets.
 *
 * @example
 * ```ts
 * layout(net.spec).map((s) => `${s.name}@${s.offset}`); // ['W1@0', 'b1@12', 'W2@15', 'b2@18']
 * ```
 */
export function layout(spec: NetSpec): ParamBlock[] {
  const slots: ParamBlock[] = [];
  let offset = 0;
  for (let l = 1; l < spec.sizes.length; l++) {
    const [nIn, nOut] = [spec.sizes[l - 1], spec.sizes[l]];
    slots.push(paramBlock(`W${l}`, [nIn, nOut], offset, l));
    offset += nIn * nOut;
    slots.push(paramBlock(`b${l}`, [nOut], offset, l));
    offset += nOut;
  }
  return slots;
}
