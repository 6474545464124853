import { parentPort, workerData } from 'node:worker_threads';
import { assignToClusters, type ClusterOptions } from './cluster/index.js';
import type { ClusteredInput, ClusterInput } from './model.js';

/**
 * The clustering step of a large run, in a worker thread (see pipeline.ts `assignInterruptibly`): the main
 * thread stays free to hear SIGTERM and ends the worker instead of waiting seconds for the computation.
 */
const { existing, fresh, options } = workerData as {
  existing: readonly ClusteredInput[];
  fresh: readonly ClusterInput[];
  options: ClusterOptions;
};
parentPort!.postMessage(assignToClusters(existing, fresh, options));
