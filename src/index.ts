/**
 * gradscope: see backpropagation. Networks on TensorFlow.js tensors, their hand-written backward
 * pass checked against tf autograd and float64 finite differences, and the statistics and charts
 * of vanishing and exploding gradients.
 */
export { tf, ready, backendInfo, type BackendInfo, type BackendName } from './backend';
export { GradscopeError } from './errors';
export { ACTIVATIONS, type Activation } from './activations';
export { INIT_NAMES, initVariance, type Init, type InitName } from './init';
export { OUTPUTS, type Output } from './losses';
export { mlp, Net, type MlpOptions, type NetSpec, type Block, type Cache, type Grads } from './mlp';
export { numericDerivative, epsilonSweep, DEFAULT_EPS, type EpsilonRow, type Method, type ScalarFn } from './derivative';
export { BANDS, relativeError, verdictOf, type CheckReport, type BlockResult, type EntryResult, type Verdict, type Precision, type Bands } from './report';
