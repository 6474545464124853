import { parentPort } from 'node:worker_threads';
import { FetchError, ParseError } from '../../errors.js';
import { parseFeed } from './parse.js';
import type { ParseRequest, ParseResponse } from './parse-pool.js';

/**
 * A feed-parsing thread of a run (see parse-pool.ts): parses each document it is sent and answers with the
 * feed, or with the error's class and message, which the pool raises again as the same class.
 */
parentPort!.on('message', (request: ParseRequest) => {
  // A Buffer arrives as a plain Uint8Array: the same bytes, viewed as a Buffer again.
  const body = Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength);
  parseFeed(body, request.options).then(
    (feed) => parentPort!.postMessage({ id: request.id, feed } satisfies ParseResponse),
    (error: unknown) => {
      const kind = error instanceof ParseError ? 'parse' : error instanceof FetchError ? 'fetch' : 'other';
      const message = error instanceof Error ? error.message : String(error);
      parentPort!.postMessage({ id: request.id, error: { kind, message } } satisfies ParseResponse);
    },
  );
});
