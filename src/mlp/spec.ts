/** The MLP's architecture as a plain object: enough to rebuild its forward pass anywhere (mirror64, fast64). */
import type { Activation } from '../nn/activations';
import type { Output } from '../nn/losses';
import type { Init } from '../nn/init';

/** The architecture, fixed at construction; enough to rebuild the forward pass anywhere (see mirror64). */
export interface NetSpec {
  /** Layer widths [n0, n1, ..., nL]. */
  sizes: number[];
  /** Hidden activation g. */
  hidden: Activation;
  /** Output layer and its loss. */
  output: Output;
  /** The initialisation the weights were drawn with (the default resolved: he or xavier). */
  init: Init;
  /** The seed of the weights and of the dropout masks. */
  seed: number;
  /** residual[l] is true when hidden layer l has an identity skip from a^(l-1) (index 0 unused). */
  residual: boolean[];
  /** Keep probability of inverted dropout on hidden layers (1 = no dropout). */
  keepProb: number;
  /** L2 strength lambda. */
  l2: number;
}

