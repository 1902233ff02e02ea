/** The steps central differences use, by precision. */
import { FLOAT32_EPS } from '../nn/numeric';
import type { Precision } from './report';

export { FLOAT32_EPS };

/**
 * The smallest eps each precision can difference with: below it the round-off of J(theta +- eps),
 * about u |J| / eps (u = 1.1e-16 in float64, 6e-8 in float32), swamps any gradient.
 */
export const MIN_EPS: Record<Precision, number> = { float64: 1e-12, float32: 1e-4 };

