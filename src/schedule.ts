import cron, { type ScheduledTask } from 'node-cron';
import { isValidCron } from './cron.js';
import { describeError } from './errors.js';
import type { Logger } from './log.js';

/** What happened to a run request. */
type RequestOutcome = 'started' | 'queued' | 'merged' | 'closed';

/**
 * Runs work one at a time. A request arriving while a run is in flight waits: all such requests merge into
 * one follow-up run covering the union of their tags, so a slow run never stacks up a backlog of ticks and
 * no source is ever read by two runs at once.
 */
export interface RunQueue {
  /** Asks for a run covering `tags` (e.g. which schedules fired); `reason` is for the log. */
  request(tags: Iterable<string>, reason: string): RequestOutcome;
  /** True while a run is in flight. */
  readonly busy: boolean;
  /** Resolves once nothing runs and nothing waits. */
  idle(): Promise<void>;
  /** Refuses further requests, drops the waiting one, and resolves when the run in flight has finished. */
  close(): Promise<void>;
}

/** A queue that calls `execute` for each (merged) request, strictly one after another; a failing run is logged, never thrown. */
export function createRunQueue(execute: (tags: ReadonlySet<string>) => Promise<void>, log: Logger): RunQueue {
  let running: Promise<void> | null = null;
  let pending: Set<string> | null = null;
  let closed = false;
  let idleWaiters: (() => void)[] = [];

  const start = (tags: Set<string>): void => {
    running = (async () => {
      try {
        await execute(tags);
      } catch (error) {
        log.error({ tags: [...tags] }, `scheduler: run failed: ${describeError(error)}`);
      }
    })().then(() => {
      running = null;
      const next = pending;
      pending = null;
      if (next && !closed) start(next);
      else for (const wake of idleWaiters.splice(0)) wake();
    });
  };

  return {
    request(tags, reason) {
      if (closed) {
        log.debug(`scheduler: ${reason}: shutting down, not started`);
        return 'closed';
      }
      if (!running) {
        start(new Set(tags));
        return 'started';
      }
      if (pending) {
        for (const tag of tags) pending.add(tag);
        log.info(`scheduler: ${reason}: a run is in flight and another is waiting; merged into the waiting one`);
        return 'merged';
      }
      pending = new Set(tags);
      log.info(`scheduler: ${reason}: a run is in flight; this one waits for it`);
      return 'queued';
    },
    get busy() {
      return running !== null;
    },
    idle() {
      return running ? new Promise<void>((resolve) => idleWaiters.push(resolve)) : Promise.resolve();
    },
    async close() {
      closed = true;
      if (pending) log.info(`scheduler: dropping the waiting run (${[...pending].join(', ')}): shutting down`);
      pending = null;
      while (running) await running;
      for (const wake of idleWaiters.splice(0)) wake();
      idleWaiters = [];
    },
  };
}

/** One recurring job: a cron expression (node-cron syntax: 5 fields, or 6 with seconds first) and what it fires. */
export interface CronJob {
  readonly expression: string;
  readonly fire: () => void;
}

/** The set of cron jobs of a daemon, kept in step with the schedules the sources use. */
interface CronJobs {
  /** Makes the running jobs exactly `jobs` (by name): new ones start, changed ones restart, missing ones stop. */
  sync(jobs: ReadonlyMap<string, CronJob>): void;
  /** Names of the running jobs with their expressions. */
  list(): { readonly name: string; readonly expression: string; readonly nextRun: string | null }[];
  /** Stops every job; no tick fires afterwards. */
  stop(): void;
}

/** Starts and stops node-cron tasks by name; node-cron's own warnings (missed ticks) go to our logger. */
export function createCronJobs(log: Logger): CronJobs {
  const tasks = new Map<string, { expression: string; task: ScheduledTask }>();
  const cronLog = {
    info: (message: string) => log.debug(`cron: ${message}`),
    warn: (message: string) => log.warn(`cron: ${message}`),
    error: (message: string | Error) => log.error(`cron: ${describeError(message)}`),
    debug: (message: string | Error) => log.debug(`cron: ${describeError(message)}`),
  };
  let stopped = false;
  const remove = (name: string): void => {
    void tasks.get(name)?.task.destroy();
    tasks.delete(name);
  };
  return {
    sync(jobs) {
      if (stopped) return;
      for (const name of [...tasks.keys()]) {
        const job = jobs.get(name);
        if (!job || job.expression !== tasks.get(name)!.expression) remove(name);
      }
      for (const [name, job] of jobs) {
        if (tasks.has(name)) continue;
        if (!isValidCron(job.expression)) {
          log.error(`scheduler: ${name}: invalid cron expression "${job.expression}"; job not scheduled`);
          continue;
        }
        // The queue prevents overlap across jobs; fire() only enqueues, so it returns at once.
        const task = cron.schedule(job.expression, () => job.fire(), { name, logger: cronLog });
        tasks.set(name, { expression: job.expression, task });
        log.debug({ job: name, expression: job.expression }, `scheduler: job ${name} scheduled`);
      }
    },
    list() {
      return [...tasks].map(([name, { expression, task }]) => ({
        name,
        expression,
        nextRun: task.getNextRun()?.toISOString() ?? null,
      }));
    },
    stop() {
      stopped = true;
      for (const name of [...tasks.keys()]) remove(name);
    },
  };
}
