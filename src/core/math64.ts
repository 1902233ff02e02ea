/**
 * The float64 linear algebra every float64 mirror uses (the MLP's and the recurrent families'): dot
 * products, a transpose and the matrix product, on row-major Float64Arrays, in plain JS (core/gemm64:
 * the product in WebAssembly SIMD, the same numbers, and the affine map z = a W + b on it).
 */

/**
 * out[i, oo + c] = sum_r A[i, r] W[r, c] for i < rows, c < N: the float64 matrix product as dot
 * products of A's rows with W's columns (W given transposed: WT [N, n] row-major), out's rows `ldo`
 * apart. Two rows by four columns at a time: eight sums in registers, six loads per eight products.
 * Every output is one sum taken in the order r = 0, 1, ..., n - 1 (the rows and columns left over
 * too), so core/gemm64's WebAssembly kernel gives the very same numbers.
 */
export function mul(A: Float64Array, rows: number, n: number, WT: Float64Array, N: number, out: Float64Array, ldo: number, oo: number): void {
  let i = 0;
  for (; i + 1 < rows; i += 2) {
    const p0 = i * n, p1 = p0 + n, o0 = i * ldo + oo, o1 = o0 + ldo;
    let c = 0;
    for (; c + 3 < N; c += 4) {
      const q0 = c * n, q1 = q0 + n, q2 = q1 + n, q3 = q2 + n;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      for (let r = 0; r < n; r++) {
        const x0 = A[p0 + r], x1 = A[p1 + r], w0 = WT[q0 + r], w1 = WT[q1 + r], w2 = WT[q2 + r], w3 = WT[q3 + r];
        s00 += x0 * w0; s01 += x0 * w1; s02 += x0 * w2; s03 += x0 * w3;
        s10 += x1 * w0; s11 += x1 * w1; s12 += x1 * w2; s13 += x1 * w3;
      }
      out[o0 + c] = s00; out[o0 + c + 1] = s01; out[o0 + c + 2] = s02; out[o0 + c + 3] = s03;
      out[o1 + c] = s10; out[o1 + c + 1] = s11; out[o1 + c + 2] = s12; out[o1 + c + 3] = s13;
    }
    for (; c < N; c++) {
      out[o0 + c] = inOrder(A, p0, WT, c * n, n);
      out[o1 + c] = inOrder(A, p1, WT, c * n, n);
    }
  }
  for (; i < rows; i++) for (let c = 0; c < N; c++) out[i * ldo + oo + c] = inOrder(A, i * n, WT, c * n, n);
}

/** sum_j x[p + j] y[q + j] for j < n, one sum in the order j = 0, 1, ... (mul's order). */
function inOrder(x: Float64Array, p: number, y: Float64Array, q: number, n: number): number {
  let s = 0;
  for (let j = 0; j < n; j++) s += x[p + j] * y[q + j];
  return s;
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
