/**
 * Plain-JS float64 multiply-adds a second on this machine (`node --import tsx bench/madds.ts`): the
 * row-by-vector dot products every float64 mirror runs, at four sizes. src/core/limits.ts's
 * MADDS_PER_SECOND (the work budget's time estimates) is the lower end of what this prints.
 */
function rate(n: number, reps: number): number {
  const A = new Float64Array(n * n), x = new Float64Array(n), y = new Float64Array(n);
  for (let i = 0; i < A.length; i++) A[i] = Math.sin(i);
  for (let i = 0; i < n; i++) x[i] = Math.cos(i);
  const t0 = performance.now();
  for (let r = 0; r < reps; r++) {
    for (let i = 0; i < n; i++) {
      let s = 0;
      const o = i * n;
      for (let k = 0; k < n; k++) s += A[o + k] * x[k];
      y[i] = s + y[i] * 1e-9;
    }
  }
  return (n * n * reps) / ((performance.now() - t0) / 1000);
}

for (const [n, reps] of [[32, 200000], [128, 20000], [512, 1500], [2048, 100]]) {
  rate(n, Math.ceil(reps / 10)); // warm-up
  console.log(`n ${String(n).padStart(4)}: ${rate(n, reps).toExponential(2)} multiply-adds a second`);
}
