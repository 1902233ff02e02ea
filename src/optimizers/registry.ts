/** The five optimisers by name. */
import type { Optimizer, OptimizerName } from './common';
import { sgd } from './sgd';
import { momentum } from './momentum';
import { adagrad } from './adagrad';
import { rmsprop } from './rmsprop';
import { adam } from './adam';

export const OPTIMIZERS: Record<OptimizerName, Optimizer> = { sgd, momentum, adagrad, rmsprop, adam };
