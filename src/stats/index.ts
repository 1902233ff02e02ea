/** Statistics of vanishing and exploding gradients: per layer, across depths and inits, in theory, in training. */
export { layerStats, LAYER_STATISTICS, type LayerStatsRow, type LayerStatsOptions, type LayerStatistic } from './layerStats';
export { depthSweep, type DepthRow, type DepthSweepOptions } from './depthSweep';
export { deepLinear, type DeepLinearRow, type DeepLinearResult } from './deepLinear';
export { varianceTheory, gaussianMean, type VarianceRow, type VarianceTheoryOptions } from './varianceTheory';
export { train, type TrainHistory, type TrainOptions, type EpochRow } from '../train/train';
export { activationHistograms, type HistogramRow, type HistogramOptions } from './histograms';
