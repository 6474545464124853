/** Public API of the clustering stage: pure functions from items to cluster assignments and explanations. */
export { assignToClusters, clusterWithStrategy, type CandidateStrategy, type ClusterOptions } from './assign.js';
export { explainPair, formatExplanation, type PairExplanation, type ScoreLine } from './explain.js';
export { foldText } from './normalize.js';
export { THRESHOLDS } from './thresholds.js';
