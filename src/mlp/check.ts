/**
 * gs.gradCheck's public option types with the MLP as their default model (gs.BackwardFn is the
 * MLP's backward unless parameterised: gs.BackwardFn<gs.Lstm>).
 */
import type { BackwardFn as ModelBackwardFn, GradCheckOptions as ModelGradCheckOptions } from '../check/context';
import type { Model } from '../nn/model';
import type { Mlp } from './mlp';

/** A backward pass to check: gets the net, the cache of its forward pass and the labels y as a float tensor (one-hot for softmax). M: the model (default the MLP). */
export type BackwardFn<M extends Model<any> = Mlp> = ModelBackwardFn<M>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Options of gs.gradCheck; M: the model (default the MLP). */
export type GradCheckOptions<M extends Model<any> = Mlp> = ModelGradCheckOptions<M>; // eslint-disable-line @typescript-eslint/no-explicit-any
