/**
 * gradscope: see backpropagation. Networks on TensorFlow.js tensors, their hand-written backward
 * pass checked against tf autograd and float64 finite differences, and the statistics and charts
 * of vanishing and exploding gradients.
 *
 * ```ts
 * import * as gs from 'gradscope';
 * const tf = gs.tf;   // the TensorFlow.js instance gradscope uses: share tensors with it
 * ```
 *
 * Every call is synchronous and leaves `tf.memory().numTensors` where it found it (a call that
 * returns tensors hands them to you). Bad input throws a {@link GradscopeError} that names the
 * argument, what it got and what was expected. README.md's "API" section is a tour; this reference
 * (`npm run docs` writes it to out/docs/) has every export.
 *
 * @packageDocumentation
 */
export { tf, ready, backendInfo, type BackendInfo, type BackendName } from './core/backend';
export type { Tf } from './core/tf';
export { GradscopeError } from './core/errors';
export { ACTIVATIONS, type Activation } from './nn/activations';
export { INIT_NAMES, initVariance, type Init, type InitName } from './nn/init';
export { OUTPUTS, type Output } from './nn/losses';
export { mlp, Mlp, Net, type MlpOptions, type NetSpec, type Block, type Cache, type Grads } from './mlp/mlp';
export { numericDerivative, epsilonSweep, DEFAULT_EPS, type EpsilonRow, type Method, type ScalarFn } from './check/derivative';
export { BANDS, relativeError, verdictOf, type CheckReport, type BlockResult, type EntryResult, type Verdict, type Precision, type Bands } from './check/report';
export { grade } from './grade/grade';
export { BACKWARD_CASES, EXTENDED_CASES, type StudentBackward, type StudentInit, type GradeResult, type GradeCase, type GradeBlock, type BackwardCase } from './mlp/homework';
export { INIT_CASES, type InitCase } from './mlp/gradeInit';
export type { Assertable, GradeFailure, GradeStatus } from './grade/assertable';
// statistics, charts, display (issue 3)
export { layerStats, LAYER_STATISTICS, depthSweep, deepLinear, varianceTheory, train, activationHistograms } from './stats';
export type { LayerStatsRow, LayerStatsOptions, LayerStatistic, DepthRow, DepthSweepOptions, DeepLinearRow, DeepLinearResult, VarianceRow, VarianceTheoryOptions, TrainHistory, TrainOptions, EpochRow, HistogramRow, HistogramOptions } from './stats';
/**
 * Vega-Lite 5 charts: each function returns a plain spec with its data inline, to print, edit and
 * pass to {@link show}, {@link toSVG}, {@link toPNG} or {@link save}. Each is tested to compile
 * under vega-lite 5.6, the version JupyterLab 4 bundles.
 *
 * @example
 * ```ts
 * const chart = gs.charts.deepLinear(gs.deepLinear({ depth: 150, scale: 1.1 }));
 * gs.show(chart);                      // notebook: Vega-Lite + PNG + text; terminal: the text
 * gs.save(chart, 'out/deep.svg');      // .svg | .png | .json | .html (standalone, offline)
 * ```
 */
export * as charts from './charts';
// optimisers, softmax, input normalisation, Hoeffding (issue 13)
/**
 * Optimisers in lecture 003's notation: sgd, momentum, AdaGrad, RMSProp and Adam, each a float64
 * `step` on plain arrays (to reproduce a textbook's step by hand) and a `stepTensor` with the same
 * formula (what {@link train} uses), plus {@link optimizers.compare}, which checks a step against
 * tf.train's optimiser and the papers' rule and names a wrong step's mistake. Steps are elementwise,
 * never change their inputs, and return `{ w, state }`; the state of one step goes into the next.
 *
 * ```text
 * sgd:      w <- w - lr dw
 * momentum: dTheta <- beta dTheta + lr dw,  w <- w - dTheta       (the lecture's Delta theta)
 * adagrad:  cache <- cache + dw^2,  w <- w - lr dw / (sqrt(cache) + eps)          (Duchi et al. 2011)
 * rmsprop:  cache <- decay cache + (1 - decay) dw^2,  same step                  (Tieleman and Hinton 2012)
 * adam:     m <- beta1 m + (1 - beta1) dw,  v <- beta2 v + (1 - beta2) dw^2,  t = steps before this one,
 *           w <- w - lr (m / (1 - beta1^(t+1))) / (sqrt(v / (1 - beta2^(t+1))) + eps)   (Kingma and Ba 2015)
 * ```
 *
 * Options: `lr`, `beta` (momentum), `decay` (RMSProp), `beta1`, `beta2`, `eps` (added to the square
 * root, as in the papers; default 1e-8), each optimiser accepting only its own.
 *
 * @example
 * ```ts
 * const step1 = gs.optimizers.adam.step([1], [2], {}, { lr: 0.1 });
 * console.log(step1.w, step1.state);   // [0.9000000005] (m-hat 2, v-hat 4), { m: [0.2], v: [0.004], t: 1 }
 * gs.optimizers.momentum.step([1], [1], { dTheta: new Float64Array([0.1]) }, { lr: 0.1, beta: 0.9 }).w;   // [0.81]
 * ```
 */
export * as optimizers from './optimizers';
export { softmax, softmaxTemperature, type SoftmaxOptions } from './lectures/softmax';
export { normalizer, normalizationDemo, type Normalizer, type DescentRun, type NormalizationDemoOptions } from './lectures/normalize';
export { hoeffding, hoeffdingSimulation, type HoeffdingOptions, type HoeffdingRow, type HoeffdingSimulationOptions } from './lectures/hoeffding';
export { TRAIN_LR, type StepSizeRow } from './train/train';
export type { ChartSpec } from './charts';
export { show, toText, toSVG, toPNG, save, progress, type Progress, type ProgressOptions, type PngOptions, type ShowOptions } from './display';
export { gradCheck, MIN_EPS, type CheckMode } from './check/gradcheck';
export { numericGrads, type NumericGrads } from './check/numericGrads';
export type { BackwardFn } from './mlp/check';
export type { GradCheckOptions } from './check/context';
export { FLOOR_FACTOR, VERDICTS, floorBands, formatReport, worstVerdict } from './check/report';
export type { Progress as CheckProgress, OnProgress } from './core/progress';
export { checkGradients, type CheckGradientsOptions, type TensorFn } from './check/checkGradients';
// recurrent networks through time (issue 12)
export type { Model, ModelCache, ParamBlock, Loss64, NumericPaths, PathOptions, JointPaths } from './nn/model';
export type { Slot, Direction, DirectionalResult, DirectionPart, RankOne, NumericResult } from './nn/numeric';
export { rnn, Rnn, rnnStepBackward, type RnnOptions, type RnnSpec, type RnnCache, type RnnStep, type RnnStepGrads, type RnnStepBackward } from './rnn/rnn';
export { lstm, Lstm, lstmStepBackward, LSTM_VARIANTS, type LstmOptions, type LstmSpec, type LstmCache, type LstmStep, type LstmStepGrads, type LstmStepBackward, type LstmVariant } from './lstm/lstm';
export { gru, Gru, gruStepBackward, type GruOptions, type GruSpec, type GruCache, type GruStep, type GruStepGrads, type GruStepBackward } from './gru/gru';
export type { SequenceOutputs } from './recurrent/sequence';
export { gradientThroughTime, type ThroughTimeRow, type ThroughTimeOptions, type ThroughTimeModel, type StepNorm } from './recurrent/throughTime';
export { gradeLstmStep, STEP_MISTAKES, STEP_OUTPUTS, type StudentLstmStep, type StepGradeResult, type StepGradeCase, type StepMistake } from './lstm/homework';
