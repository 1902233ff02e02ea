/**
 * Seeded random numbers, so every initialisation, dropout mask and sample is reproducible.
 * mulberry32 for uniforms, Box-Muller for normals.
 */

/**
 * A seeded generator: `uniform()` in [0, 1), `normal()` ~ N(0, 1).
 *
 * @inline
 */
export interface Rng {
  /** A uniform draw in [0, 1) (mulberry32). */
  uniform(): number;
  /** A standard normal draw (Box-Muller). */
  normal(): number;
  /** Integer in [0, n). */
  int(n: number): number;
}

/** Creates a generator; the same seed gives the same stream. */
export function rng(seed: number): Rng {
  let s = (Math.floor(seed) ^ 0x9e3779b9) >>> 0;
  let spare: number | undefined;
  const uniform = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = (): number => {
    if (spare !== undefined) {
      const v = spare;
      spare = undefined;
      return v;
    }
    let u = 0;
    while (u === 0) u = uniform();
    const v = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
  return { uniform, normal, int: (n) => Math.floor(uniform() * n) };
}

/** A random unit vector of length n (uniform on the sphere). */
export function unitVector(n: number, r: Rng): Float64Array {
  const v = new Float64Array(n);
  let norm = 0;
  for (let i = 0; i < n; i++) {
    v[i] = r.normal();
    norm += v[i] * v[i];
  }
  norm = Math.sqrt(norm);
  for (let i = 0; i < n; i++) v[i] /= norm;
  return v;
}

/** k distinct indices from [0, n), sorted (all of them when k >= n). */
export function sampleIndices(n: number, k: number, r: Rng): number[] {
  if (k >= n) return Array.from({ length: n }, (_, i) => i);
  const picked = new Set<number>();
  while (picked.size < k) picked.add(r.int(n));
  return [...picked].sort((a, b) => a - b);
}
