/** The five optimisers by name. */
import type { Optimizer, OptimizerName } from './common';
import { sgd } from './sgd';
import { momentum } from './momentum';
import { adagrad } from './adagrad';
import { rmsprop } from './rmsprop';
import { adam } from './adam';

/**
 * The five optimisers by name, for code that picks one at run time.
 *
 * @example
 * ```ts
 * gs.optimizers.OPTIMIZERS.rmsprop.defaults;   // { lr: 0.001, decay: 0.9, eps: 1e-8 }
 * ```
 */
export const OPTIMIZERS: Record<OptimizerName, Optimizer> = { sgd, momentum, adagrad, rmsprop, adam };
