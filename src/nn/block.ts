/**
 * One parameter block of theta: W^l, b^l, Wf, by, ... Every model's `blocks` list, the checker's
 * indexing and the reports use this one description (it was three: Slot, Block and ParamBlock).
 * theta is the blocks in order, each row-major: entry k of block B is theta[B.offset + k].
 */

/** One parameter block of theta. */
export interface ParamBlock {
  /** Parameter name: 'W1', 'b1', 'Wf', 'by', ... */
  name: string;
  /** Gradient name: 'd' + name ('dW1', ...), as reports and grads use it. */
  grad: string;
  /** The parameter's shape, e.g. [n(l-1), n(l)] for W^l, [n(l)] for b^l. */
  shape: number[];
  /** 'W' for a matrix, indexed [row, col]; 'b' for a vector, indexed [entry]. */
  kind: 'W' | 'b';
  /** Rows of a W block (1 for b). */
  rows: number;
  /** Columns of a W block (the length of b). */
  cols: number;
  /** Position of its first entry in theta. */
  offset: number;
  /** Number of entries (rows x cols). */
  size: number;
  /**
   * Backward order: blocks with a larger `layer` sit nearer the loss. The float32 round-off a
   * backward pass leaves in a block is bounded by the largest terms it carried through every block
   * of a larger or equal layer (the MLP: layer l; a recurrent net: output layer 2, recurrent 1).
   */
  layer: number;
}

/**
 * The block for parameter `name` of `shape` at `offset` in theta (a 2-D shape is a W, else a b).
 *
 * @example
 * ```ts
 * paramBlock('W1', [4, 3], 0, 1); // { name: 'W1', grad: 'dW1', kind: 'W', rows: 4, cols: 3, size: 12, ... }
 * ```
 */
export function paramBlock(name: string, shape: number[], offset: number, layer: number): ParamBlock {
  const matrix = shape.length === 2;
  const size = shape.reduce((p, q) => p * q, 1);
  return { name, grad: `d${name}`, shape: [...shape], kind: matrix ? 'W' : 'b', rows: matrix ? shape[0] : 1, cols: matrix ? shape[1] : size, offset, size, layer };
}
