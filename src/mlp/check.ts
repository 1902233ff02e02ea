/**
 * gs.BackwardFn with the MLP as its default model (a student's backward gets `net: gs.Mlp` unless
 * parameterised: gs.BackwardFn<gs.Lstm>).
 */
import type { CacheOf } from '../check/context';
import type { Grads, Model } from '../nn/model';
import type { Tensor, Tensor2D } from '@tensorflow/tfjs';
import type { Mlp } from './mlp';

/**
 * A backward pass to check: gets the net, the cache of its forward pass and the labels y as a
 * float tensor (one-hot for softmax); returns `{ dW1, db1, ... }`. M: the model (default the MLP).
 */
export type BackwardFn<M extends Model<any> = Mlp> = (net: M, cache: CacheOf<M>, Y: Tensor2D) => Grads | Record<string, Tensor> | undefined | void; // eslint-disable-line @typescript-eslint/no-explicit-any
