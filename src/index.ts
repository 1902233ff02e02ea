/**
 * gradscope: see backpropagation. Networks on TensorFlow.js tensors, their hand-written backward
 * pass checked against tf autograd and float64 finite differences, and the statistics and charts
 * of vanishing and exploding gradients.
 */
export { tf, ready, backendInfo, type BackendInfo, type BackendName } from './backend';
export type { Tf } from './tf';
export { GradscopeError } from './errors';
export { ACTIVATIONS, type Activation } from './activations';
export { INIT_NAMES, initVariance, type Init, type InitName } from './init';
export { OUTPUTS, type Output } from './losses';
export { mlp, Net, type MlpOptions, type NetSpec, type Block, type Cache, type Grads } from './mlp';
export { numericDerivative, epsilonSweep, DEFAULT_EPS, type EpsilonRow, type Method, type ScalarFn } from './derivative';
export { BANDS, relativeError, verdictOf, type CheckReport, type BlockResult, type EntryResult, type Verdict, type Precision, type Bands } from './report';
export { grade, BACKWARD_CASES, EXTENDED_CASES, INIT_CASES, type StudentBackward, type StudentInit, type GradeResult, type GradeCase, type GradeBlock, type BackwardCase, type InitCase } from './grade';
// statistics, charts, display (issue 3)
export { layerStats, LAYER_STATISTICS, depthSweep, deepLinear, varianceTheory, train, activationHistograms } from './stats';
export type { LayerStatsRow, LayerStatsOptions, LayerStatistic, DepthRow, DepthSweepOptions, DeepLinearRow, DeepLinearResult, VarianceRow, VarianceTheoryOptions, TrainHistory, TrainOptions, EpochRow, HistogramRow, HistogramOptions } from './stats';
export * as charts from './charts';
// optimisers, softmax, input normalisation, Hoeffding (issue 13)
export * as optimizers from './optimizers';
export { softmax, softmaxTemperature, type SoftmaxOptions } from './softmax';
export { normalizer, normalizationDemo, type Normalizer, type DescentRun, type NormalizationDemoOptions } from './normalize';
export { hoeffding, hoeffdingSimulation, type HoeffdingOptions, type HoeffdingRow, type HoeffdingSimulationOptions } from './hoeffding';
export { TRAIN_LR, type StepSizeRow } from './stats/train';
export type { ChartSpec } from './charts';
export { show, toText, toSVG, toPNG, save, progress, type Progress, type ProgressOptions, type PngOptions, type ShowOptions } from './display';
export { gradCheck, numericGrads, MIN_EPS, type GradCheckOptions, type BackwardFn, type CheckMode, type NumericGrads } from './gradcheck';
export { FLOOR_FACTOR, VERDICTS, floorBands, formatReport, worstVerdict } from './report';
export type { Progress as CheckProgress, OnProgress } from './numeric/progress';
export { checkGradients, type CheckGradientsOptions, type TensorFn } from './checkGradients';
// recurrent networks through time (issue 12)
export type { Model, ModelCache, ParamBlock, Loss64 } from './model';
export { rnn, Rnn, rnnStepBackward, type RnnOptions, type RnnSpec, type RnnCache, type RnnStep, type RnnStepGrads, type RnnStepBackward } from './rnn/rnn';
export { lstm, Lstm, lstmStepBackward, LSTM_VARIANTS, type LstmOptions, type LstmSpec, type LstmCache, type LstmStep, type LstmStepGrads, type LstmStepBackward, type LstmVariant } from './lstm/lstm';
export type { SequenceOutputs } from './rnn/sequence';
export { gradientThroughTime, type ThroughTimeRow, type ThroughTimeOptions } from './rnn/throughTime';
export { gradeLstmStep, STEP_MISTAKES, STEP_OUTPUTS, type StudentLstmStep, type StepGradeResult, type StepGradeCase, type StepMistake } from './lstm/homework';
