/**
 * Where each parameter block sits in theta, from the spec alone (the same order as Net.blocks:
 * W1 row-major, b1, W2, b2, ...), and helpers to go between a theta index and (block, entry).
 */
import type { NetSpec } from './mlp';

/** One block of theta: W^l ([n(l-1), n(l)], row-major) or b^l ([n(l)]). */
export interface Slot {
  /** 'dW1', 'db1', ... (gradient names, as reports use them) */
  name: string;
  layer: number;
  kind: 'W' | 'b';
  rows: number;
  cols: number;
  offset: number;
  size: number;
}

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

/**
 * The block holding theta index k.
 *
 * @example
 * ```ts
 * slotOf(layout(net.spec), 13).name; // 'db1' for sizes [4, 3, 2]
 * ```
 */
export function slotOf(slots: Slot[], k: number): Slot {
  for (const s of slots) if (k < s.offset + s.size) return s;
  throw new RangeError(`theta index ${k} out of range`);
}

/**
 * The entry's position inside its block: [row, col] for W, [unit] for b.
 *
 * @example
 * ```ts
 * entryIndex(layout(net.spec)[0], 4); // [1, 1] for W1 of shape [4, 3]
 * ```
 */
export function entryIndex(s: Slot, k: number): number[] {
  const e = k - s.offset;
  return s.kind === 'W' ? [Math.floor(e / s.cols), e % s.cols] : [e];
}
