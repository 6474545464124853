/** Public API of the clustering stage: pure functions from items to cluster assignments and explanations. */
export { assignStepwise, assignToClusters, clusterWithStrategy, type ClusterOptions } from './assign.js';
export { explainPair, formatExplanation } from './explain.js';
