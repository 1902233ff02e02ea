/**
 * Optimisers in lecture 003's notation, each a float64 `step` (to reproduce a textbook's step by
 * hand) and a tensor `stepTensor` (what gs.train uses) with the same formula, and a comparison
 * with tf.train's optimiser of the same name that names a wrong step's mistake.
 */
export { sgd } from './sgd';
export { momentum } from './momentum';
export { adagrad } from './adagrad';
export { rmsprop } from './rmsprop';
export { adam } from './adam';
export { OPTIMIZERS } from './registry';
export { compare, type StepFn, type CompareOptions, type CompareRow, type Comparison } from './compare';
export { MISTAKES } from './mistakes';
export { OPTIMIZER_NAMES, type Optimizer, type OptimizerName, type OptimizerState, type TensorState, type StepOptions, type StepResult, type TensorStepResult } from './common';
