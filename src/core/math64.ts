/**
 * The float64 linear algebra every float64 mirror uses (the MLP's and the recurrent families'): dot
 * products, a transpose and the affine map z = a W + b, on row-major Float64Arrays.
 */

/**
 * z = a W + b for a [m, nIn], W [nIn, nOut]: the float64 matrix product,
 *   z[i, k] = b[k] + sum_j a[i, j] W[j, k],
 * as dot products of a's rows with W's columns (WT: W transposed, made here unless given), two rows
 * by four columns at a time.
 */
export function affine(a: Float64Array, W: Float64Array, b: Float64Array, m: number, nIn: number, nOut: number, WT = transpose(W, nIn, nOut)): Float64Array {
  const z = new Float64Array(m * nOut);
  // two rows of a against four columns of W at a time: eight sums in registers, six loads per eight products
  let i = 0;
  for (; i + 1 < m; i += 2) {
    const p0 = i * nIn, p1 = p0 + nIn, o0 = i * nOut, o1 = o0 + nOut;
    let k = 0;
    for (; k + 3 < nOut; k += 4) {
      const q0 = k * nIn, q1 = q0 + nIn, q2 = q1 + nIn, q3 = q2 + nIn;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      for (let j = 0; j < nIn; j++) {
        const x0 = a[p0 + j], x1 = a[p1 + j], w0 = WT[q0 + j], w1 = WT[q1 + j], w2 = WT[q2 + j], w3 = WT[q3 + j];
        s00 += x0 * w0; s01 += x0 * w1; s02 += x0 * w2; s03 += x0 * w3;
        s10 += x1 * w0; s11 += x1 * w1; s12 += x1 * w2; s13 += x1 * w3;
      }
      z[o0 + k] = b[k] + s00; z[o0 + k + 1] = b[k + 1] + s01; z[o0 + k + 2] = b[k + 2] + s02; z[o0 + k + 3] = b[k + 3] + s03;
      z[o1 + k] = b[k] + s10; z[o1 + k + 1] = b[k + 1] + s11; z[o1 + k + 2] = b[k + 2] + s12; z[o1 + k + 3] = b[k + 3] + s13;
    }
    for (; k < nOut; k++) {
      z[o0 + k] = b[k] + dot(a, p0, WT, k * nIn, nIn);
      z[o1 + k] = b[k] + dot(a, p1, WT, k * nIn, nIn);
    }
  }
  for (; i < m; i++) for (let k = 0; k < nOut; k++) z[i * nOut + k] = b[k] + dot(a, i * nIn, WT, k * nIn, nIn);
  return z;
}

/** The transpose of a row-major [rows, cols] matrix, row-major [cols, rows]. */
export function transpose(w: Float64Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(w.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = w[i * cols + j];
  return t;
}

/** sum_j x[p + j] y[q + j] for j < n, in four interleaved partial sums (the loop JS runs fastest). */
export function dot(x: Float64Array, p: number, y: Float64Array, q: number, n: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, j = 0;
  for (; j + 3 < n; j += 4) {
    s0 += x[p + j] * y[q + j];
    s1 += x[p + j + 1] * y[q + j + 1];
    s2 += x[p + j + 2] * y[q + j + 2];
    s3 += x[p + j + 3] * y[q + j + 3];
  }
  for (; j < n; j++) s0 += x[p + j] * y[q + j];
  return s0 + s1 + (s2 + s3);
}
