import { parentPort } from 'node:worker_threads';
import { FetchError, ParseError } from '../../errors.js';
import { parseFeed } from './parse.js';
import type { ParseRequest, ParseResponse } from './parse-pool.js';

/** Answers are sent together once this much time went into parsing since the last were sent, and when idle. */
const ANSWER_EVERY_MS = 20;

/**
 * A feed-parsing thread of a run (see parse-pool.ts): parses each document it is sent and answers with the
 * feed, or with the error's class and message, which the pool raises again as the same class. Documents come,
 * and answers go, several to a message.
 */
let answers: ParseResponse[] = [];
let answered = performance.now();

function sendAnswers(): void {
  if (answers.length === 0) return;
  parentPort!.postMessage(answers);
  answers = [];
  answered = performance.now();
}

parentPort!.on('message', (requests: readonly ParseRequest[]) => {
  void (async () => {
    for (const request of requests) {
      answers.push(await answer(request));
      if (performance.now() - answered >= ANSWER_EVERY_MS) sendAnswers();
    }
    sendAnswers();
  })();
});

async function answer(request: ParseRequest): Promise<ParseResponse> {
  // A Buffer arrives as a plain Uint8Array: the same bytes, viewed as a Buffer again.
  const body = Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength);
  try {
    return { id: request.id, feed: await parseFeed(body, request.options) };
  } catch (error) {
    const kind = error instanceof ParseError ? 'parse' : error instanceof FetchError ? 'fetch' : 'other';
    const message = error instanceof Error ? error.message : String(error);
    return { id: request.id, error: { kind, message } };
  }
}
