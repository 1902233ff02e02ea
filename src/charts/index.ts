/**
 * Vega-Lite 5 charts, one file each: plain JSON specs with the data inline, to print, edit,
 * `gs.show`, `gs.toSVG` or `gs.save`.
 */
export { layerGradients, type LayerGradientsOptions } from './layerGradients';
export { epsilonSweep, type EpsilonSweepOptions } from './epsilonSweep';
export { gradCheck, type GradCheckOptions } from './gradCheck';
export { activationHistograms, type ActivationHistogramsOptions } from './activationHistograms';
export { training, type TrainingOptions } from './training';
export { stepSizes, type StepSizesOptions } from './stepSizes';
export { softmaxTemperature, type SoftmaxTemperatureOptions } from './softmax';
export { normalization, type NormalizationOptions } from './normalization';
export { hoeffding, type HoeffdingChartOptions } from './hoeffding';
export { deepLinear } from './deepLinear';
export { variance } from './variance';
export { gradientThroughTime, type GradientThroughTimeOptions } from './gradientThroughTime';
export { SCHEMA, type ChartSpec, type BaseOptions } from './common';
