/**
 * Where each parameter block sits in theta, from the spec alone (the same order as Net.blocks:
 * W1 row-major, b1, W2, b2, ...); nn/numeric.ts goes between a theta index and (block, entry).
 */
import type { NetSpec } from './spec';
import type { Slot } from '../nn/numeric';

/**
 * The blocks of theta for a spec: [dW1, db1, dW2, db2, ...] with offsets.
 *
 * @example
 * ```ts
 * layout(net.spec).map((s) => `${s.name}@${s.offset}`); // ['dW1@0', 'db1@12', 'dW2@15', 'db2@18']
 * ```
 */
export function layout(spec: NetSpec): Slot[] {
  const slots: Slot[] = [];
  let offset = 0;
  for (let l = 1; l < spec.sizes.length; l++) {
    const [nIn, nOut] = [spec.sizes[l - 1], spec.sizes[l]];
    slots.push({ name: `dW${l}`, layer: l, kind: 'W', rows: nIn, cols: nOut, offset, size: nIn * nOut });
    offset += nIn * nOut;
    slots.push({ name: `db${l}`, layer: l, kind: 'b', rows: 1, cols: nOut, offset, size: nOut });
    offset += nOut;
  }
  return slots;
}
