import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { FetchError, ParseError } from '../../errors.js';
import type { ParsedFeed, ParseOptions } from './parse.js';

/** Parses feed documents, here or on other threads. */
export interface FeedParser {
  /**
   * Hands a document over; resolves once the parser has taken it (at once, unless the threads already hold
   * MAX_QUEUED_BYTES of documents), with the parse's outcome to wait for: parse.ts `parseFeed`'s.
   */
  submit(body: Buffer, options: ParseOptions): Promise<{ readonly result: Promise<ParsedFeed> }>;
  /**
   * Starts the threads now instead of at the first document: loading the parser takes a thread about 0.25 s,
   * which then passes while the run loads its config, opens the database and claims its feeds (issue 18).
   */
  warm(): void;
  /** Ends the threads (what they still held fails). */
  close(): Promise<void>;
}

export interface ParseRequest {
  readonly id: number;
  readonly body: Uint8Array;
  readonly options: ParseOptions;
}

export type ParseResponse =
  | { readonly id: number; readonly feed: ParsedFeed }
  | { readonly id: number; readonly error: { readonly kind: 'parse' | 'fetch' | 'other'; readonly message: string } };

/**
 * parse.ts (rss-parser and the XML helpers), loaded at the first document parsed on this thread: a run whose
 * documents all go to the threads never loads it here (issue 17: workers starting together on few cores).
 */
let parseModule: Promise<typeof import('./parse.js')> | undefined;

function parseFeed(body: Buffer, options: ParseOptions): Promise<ParsedFeed> {
  return (parseModule ??= import('./parse.js')).then((parse) => parse.parseFeed(body, options));
}

/** Parses on the calling thread, at once. */
export const inProcessParser: FeedParser = {
  submit: (body, options) => Promise.resolve({ result: parseFeed(body, options) }),
  warm: () => undefined,
  close: () => Promise.resolve(),
};

/**
 * From this many feeds a run parses on other threads: parsing is most of reading local files (0.5 s of 1,948
 * feed files, 6,366 items; 1.5 s at 63,660), and on a second core it overlaps with fetching and storing
 * (issue 18). Below it, starting a thread (about 0.1 s to load the parser) would cost more than it saves.
 */
const POOL_MIN_FEEDS = 64;

/**
 * Documents the threads may hold at once, waiting or being parsed: enough for a store transaction's worth of
 * feeds, so the threads stay busy while this thread stores, and a bound on memory whatever the feeds.
 */
const MAX_QUEUED_BYTES = 32 * 1024 * 1024;

/** The worker's module, beside this one once built; from TypeScript sources (tsx, vitest) parsing stays in-process. */
const WORKER_URL = import.meta.url.endsWith('.js') ? new URL('./parse-worker.js', import.meta.url) : null;

/**
 * The parser for a read of up to `feeds` documents: threads, one per core beyond the first (this thread
 * fetches and stores), started at the first document (a run of unchanged feeds starts none) or when warmed
 * (the `run` command, which reads every feed without a schedule of its own); this thread alone when there is
 * one core, few feeds, or no built worker module.
 */
export function feedParser(feeds: number, threads = Math.min(availableParallelism() - 1, 4)): FeedParser {
  if (!WORKER_URL || feeds < POOL_MIN_FEEDS || threads < 1) return inProcessParser;
  return new ParsePool(WORKER_URL, threads);
}

interface Job {
  readonly resolve: (feed: ParsedFeed) => void;
  readonly reject: (error: unknown) => void;
  readonly worker: number;
  readonly body: Buffer;
  readonly options: ParseOptions;
}

/**
 * Sends each document to the thread holding the fewest. Should a thread die (it never should: parseFeed
 * throws only ParseError, which is answered), what it held and every later document are parsed on this
 * thread, as without a pool.
 */
class ParsePool implements FeedParser {
  private readonly jobs = new Map<number, Job>();
  private readonly workers: Worker[] = [];
  private readonly held: number[] = [];
  private queuedBytes = 0;
  /** Documents waiting for room under MAX_QUEUED_BYTES, in order. */
  private readonly waiting: (() => void)[] = [];
  private nextId = 0;
  /**
   * Documents handed over and not yet sent, by thread: a message costs each side tens of microseconds whatever it
   * carries, so a turn's documents go in one message (1,948 feeds: 65 ms of sending alone, 11 ms batched).
   */
  private readonly outboxes: ParseRequest[][] = [];
  private sending = false;
  private broken = false;
  private closed = false;

  constructor(
    private readonly url: URL,
    private readonly threads: number,
  ) {}

  async submit(body: Buffer, options: ParseOptions): Promise<{ readonly result: Promise<ParsedFeed> }> {
    // One document always gets in, however large (it is under fetch.maxBodyBytes).
    while (this.queuedBytes > 0 && this.queuedBytes + body.length > MAX_QUEUED_BYTES && !this.broken) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    if (this.broken) return inProcessParser.submit(body, options);
    this.warm();
    const worker = this.held.indexOf(Math.min(...this.held));
    const id = this.nextId++;
    this.held[worker]! += 1;
    this.queuedBytes += body.length;
    const result = new Promise<ParsedFeed>((resolve, reject) => this.jobs.set(id, { resolve, reject, worker, body, options }));
    this.outboxes[worker]!.push({ id, body, options });
    if (!this.sending) {
      this.sending = true;
      setImmediate(() => this.send());
    }
    return { result };
  }

  /** Sends each thread the documents handed over since the last turn of the event loop, in one message. */
  private send(): void {
    this.sending = false;
    this.outboxes.forEach((outbox, index) => {
      if (outbox.length === 0) return;
      const requests = outbox.splice(0);
      if (!this.broken) this.workers[index]!.postMessage(requests satisfies readonly ParseRequest[]);
      // A thread failed meanwhile (or the pool was closed): as every document from then on, these stay here.
      else for (const request of requests) this.takeBack(request.id);
    });
  }

  warm(): void {
    if (this.workers.length > 0 || this.broken) return;
    for (let index = 0; index < this.threads; index++) {
      const worker = new Worker(this.url);
      // The pool never keeps the process alive: an unfinished run ends on its own terms.
      worker.unref();
      worker.on('message', (responses: readonly ParseResponse[]) => {
        for (const response of responses) this.settle(response);
      });
      worker.on('error', () => this.fail(index));
      worker.on('exit', () => this.fail(index));
      this.workers.push(worker);
      this.held.push(0);
      this.outboxes.push([]);
    }
  }

  private settle(response: ParseResponse): void {
    const job = this.finish(response.id);
    if (!job) return;
    if ('feed' in response) job.resolve(response.feed);
    else job.reject(asError(response.error));
  }

  private finish(id: number): Job | undefined {
    const job = this.jobs.get(id);
    if (!job) return undefined;
    this.jobs.delete(id);
    this.held[job.worker]! -= 1;
    this.queuedBytes -= job.body.length;
    for (const wake of this.waiting.splice(0)) wake();
    return job;
  }

  private fail(worker: number): void {
    this.broken = true;
    const unsent = new Set(this.outboxes[worker]?.map((request) => request.id));
    for (const [id, job] of this.jobs) if (job.worker === worker && !unsent.has(id)) this.takeBack(id);
    for (const wake of this.waiting.splice(0)) wake();
  }

  /** Parses a job on this thread instead (rejects it once the pool is closed). */
  private takeBack(id: number): void {
    const job = this.finish(id);
    if (!job) return;
    if (this.closed) job.reject(new Error('parse: the parser was closed'));
    else parseFeed(job.body, job.options).then(job.resolve, job.reject);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.broken = true;
    for (const wake of this.waiting.splice(0)) wake();
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}

/** The error a parse raised on its thread, as the same class with the same message. */
function asError(error: { readonly kind: 'parse' | 'fetch' | 'other'; readonly message: string }): Error {
  if (error.kind === 'parse') return new ParseError(error.message);
  if (error.kind === 'fetch') return new FetchError(error.message);
  return new Error(error.message);
}
