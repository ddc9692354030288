/** Customer lifetime value: Pareto/NBD purchase model, Gamma-Gamma spend model and the `int_customer__clv` code model. */
export {
  fitParetoNbd,
  paretoNbdExpectedPurchases,
  paretoNbdLogLikelihood,
  paretoNbdProbabilityAlive,
  paretoNbdUnconditionalExpectedPurchases,
  scoreParetoNbd,
  type ParetoNbdFit,
  type ParetoNbdFitOptions,
  type ParetoNbdParams,
  type ParetoNbdScores,
} from './paretoNbd.ts';
export {
  fitGammaGamma,
  gammaGammaExpectedAverageValue,
  gammaGammaLogLikelihood,
  gammaGammaPopulationMean,
  type GammaGammaFit,
  type GammaGammaFitOptions,
  type GammaGammaParams,
  type SpendSummary,
} from './gammaGamma.ts';
export { aggregateRfm, type AggregatedRfm, type RfmSummary } from './rfmSummary.ts';
export {
  PARETO_NBD_FALLBACK_PARAMS,
  CLV_HORIZON_DAYS,
  DEFAULT_CLV_OPTIONS,
  computeClvScores,
  type ClvComputation,
  type ClvInput,
  type ClvOptions,
  type ClvScores,
} from './clvScores.ts';
export { buildClvTable, clvModel, type ClvBuildOptions } from './clvModel.ts';
export { hyp2f1, hyp2f1Log, type SignedLog } from './hypergeometric.ts';
export { gammaSign, logAbsGamma } from './logGamma.ts';
export {
  minimizeWithRestarts,
  nelderMead,
  type MinimizeResult,
  type NelderMeadOptions,
  type Objective,
} from './nelderMead.ts';
