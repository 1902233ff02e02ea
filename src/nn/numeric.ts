/** What every numerical-gradient routine returns, aligned with the theta indices it was asked for. */
export interface NumericResult {
  /** theta indices, ascending */
  indices: Int32Array;
  /** d theta_approx[k] = (J(theta + h e_k) - J(theta - h e_k)) / 2h for each index */
  values: Float64Array;
  /** 1 where theta +- h moved a relu/leakyRelu pre-activation across 0 */
  kinks: Uint8Array;
  /**
   * Size of the terms the entry sums: (1/m) sum_r |L_r(+h) - L_r(-h)| / 2h (+ |L2 part|). A float32
   * gradient of this entry carries round-off of about u32 * scale, even where the terms cancel to 0.
   */
  scale: Float64Array;
  /** Loss evaluations, counted as full forward passes would be (2 per entry). */
  evaluations: number;
}

/**
 * Every index 0..n-1.
 *
 * @example
 * ```ts
 * allIndices(3); // Int32Array [0, 1, 2]
 * ```
 */
export function allIndices(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i);
}

/**
 * The actual steps: h+ = (w + eps) - w and h- = w - (w - eps), exact in float64.
 *
 * @example
 * ```ts
 * steps(0.3, 1e-7); // [1.0000000000287557e-7, 9.999999999732445e-8]
 * ```
 */
export function steps(w: number, eps: number): [number, number] {
  return [w + eps - w, w - (w - eps)];
}
