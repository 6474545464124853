import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
// js-yaml rather than the `yaml` package: 20 ms for a config of 2,000 feeds against 150 ms, paid by every
// worker at start (issue 17: four workers starting together on two cores).
import { CORE_SCHEMA, load as loadYaml } from 'js-yaml';
import { z } from 'zod';
import { cronProblem } from './cron.js';
import { ConfigError } from './errors.js';
import { resolveFeedLocation } from './feed-location.js';
import type { ClusterLevel } from './model.js';

/** Entries read from one document (fetch.maxItems): real feeds carry at most a few thousand (long podcast
 * archives); the body cap bounds the rest, and a document with more is cut, with a warning. */
const DEFAULT_MAX_ITEMS = 100_000;

/** The configuration shipped with feedmerge, used when no --config is given. */
export const DEFAULT_CONFIG_PATH = fileURLToPath(new URL('../config/feedmerge.yaml', import.meta.url));

const cronExpression = z
  .string()
  .trim()
  .min(1, 'must be a cron expression such as "*/30 * * * *"')
  .superRefine((expression, context) => {
    const problem = expression === '' ? null : cronProblem(expression);
    if (problem !== null) context.addIssue({ code: 'custom', message: problem });
  });

const feedEntry = z
  .strictObject({
    url: z.string().trim().min(1, 'must not be empty'),
    name: z.string().trim().min(1).optional(),
    schedule: cronExpression.optional(),
    /** HTTP Basic user name for a private feed (else the URL's userinfo, if any). */
    username: z.string().min(1).optional(),
    /** HTTP Basic password; prefer passwordFile, which keeps it out of the config file. */
    password: z.string().optional(),
    /** File holding the password (first line), read at each fetch: a systemd credential, a Docker secret. */
    passwordFile: z.string().min(1).optional(),
  })
  .refine((feed) => !(feed.password !== undefined && feed.passwordFile !== undefined), {
    message: 'give password or passwordFile, not both',
  })
  .refine((feed) => feed.username !== undefined || (feed.password === undefined && feed.passwordFile === undefined), {
    message: 'password and passwordFile need a username',
  });

const outputFeed = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be lower-case letters, digits, "-" or "_" (it names the files)'),
  title: z.string().min(1).optional(),
  /** Only stories carried by at least one of these sources (names or URLs). */
  sources: z.array(z.string().min(1)).optional(),
  /** Only stories whose text contains at least one of these words (case-insensitive). */
  keywords: z.array(z.string().min(1)).optional(),
  /** Only stories at least this many outlets carried (sources read and outlets they credit). */
  minOutlets: z.number().int().positive().optional(),
  /** Leave out stories whose text contains any of these words (case-insensitive, whole words). */
  excludeKeywords: z.array(z.string().min(1)).optional(),
  /** Only stories changed (a new outlet, a changed version) within this many days of the run. */
  maxAgeDays: z.number().positive().max(3650).optional(),
  limit: z.number().int().positive().max(10_000).default(50),
});

/**
 * Every option with its default, in one table. Relative paths resolve against `root`,
 * which itself is relative to the config file's folder (so cron's working folder never matters).
 */
const configSchema = z.strictObject({
  root: z.string().default('.'),
  database: z.string().min(1).default('data/feedmerge.db'),
  output: z.string().min(1).default('public'),
  seeds: z
    .array(
      z.union([z.string().min(1), z.strictObject({ path: z.string().min(1), name: z.string().trim().min(1) })], {
        error: 'expected a path, or {path, name} naming the outlet',
      }),
    )
    .default([]),
  feeds: z.array(feedEntry).default([]),
  title: z.string().min(1).default('feedmerge'),
  /** Public URL the published feeds are reachable at (used for self links and ids). */
  baseUrl: z.url().default('http://localhost:8080/'),
  fetch: z
    .strictObject({
      timeoutSeconds: z.number().positive().max(600).default(20),
      // 32 MiB: a long archive or a large aggregator feed fits (Miniflux allows 15 MiB); a hostile stream stops here.
      maxBodyBytes: z
        .number()
        .int()
        .positive()
        .default(32 * 1024 * 1024),
      maxItems: z.number().int().positive().default(DEFAULT_MAX_ITEMS),
      concurrency: z.number().int().positive().max(256).default(8),
      perHostConcurrency: z.number().int().positive().max(64).default(2),
      maxRedirects: z.number().int().min(0).max(20).default(5),
      /** Refuse feed URLs (and redirects) that resolve to private, loopback or link-local addresses. */
      blockPrivateAddresses: z.boolean().default(false),
    })
    .prefault({}),
  cluster: z
    .strictObject({
      level: z.enum(['duplicates', 'stories']).default('stories'),
      /** Items further apart in time than this are never compared (dated items only). */
      windowDays: z.number().positive().max(3650).default(7),
    })
    .prefault({}),
  publish: z
    .strictObject({
      feeds: z
        .array(outputFeed)
        .min(1)
        .default([{ name: 'all', limit: 50 }]),
      /** Serve /opml, the public feeds' list (private feeds are never in it); false turns it off. */
      opml: z.boolean().default(true),
      /** WebSub: hubs the feeds advertise and that are told after each run which feeds changed. */
      websub: z.strictObject({ hubs: z.array(z.url({ protocol: /^https?$/ })).default([]) }).prefault({}),
    })
    .prefault({}),
  /** Serve /metrics (Prometheus text format); false turns it off. */
  metrics: z.boolean().default(true),
  schedule: z
    .strictObject({
      default: cronExpression.default('*/30 * * * *'),
    })
    .prefault({}),
  server: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(8080),
    })
    .prefault({}),
  retention: z
    .strictObject({
      days: z.number().positive().default(90),
    })
    .prefault({}),
});

type ParsedConfig = z.infer<typeof configSchema>;

/** A configured feed with its location resolved. */
interface FeedConfig {
  readonly url: string;
  readonly name: string | undefined;
  readonly schedule: string | undefined;
  /** HTTP Basic credentials from the username/password/passwordFile keys (passwordFile resolved against root). */
  readonly auth?:
    { readonly username: string; readonly password?: string | undefined; readonly passwordFile?: string | undefined } | undefined;
}

/** One output feed. */
export interface OutputFeedConfig {
  readonly name: string;
  readonly title: string;
  readonly sources: readonly string[] | undefined;
  readonly keywords: readonly string[] | undefined;
  readonly minOutlets?: number | undefined;
  readonly excludeKeywords?: readonly string[] | undefined;
  readonly maxAgeDays?: number | undefined;
  readonly limit: number;
}

/** The validated, frozen configuration every stage receives. Paths are absolute. */
export interface Config {
  readonly configPath: string;
  readonly root: string;
  readonly database: string;
  readonly output: string;
  readonly seeds: readonly string[];
  /** Outlet names given to seed paths (`{path, name}` entries): a file's, or every file's of a folder. */
  readonly seedNames: ReadonlyMap<string, string>;
  readonly feeds: readonly FeedConfig[];
  readonly title: string;
  readonly baseUrl: string;
  readonly fetch: Readonly<ParsedConfig['fetch']>;
  readonly cluster: { readonly level: ClusterLevel; readonly windowDays: number };
  readonly publish: {
    readonly feeds: readonly OutputFeedConfig[];
    readonly opml: boolean;
    readonly websub: { readonly hubs: readonly string[] };
  };
  readonly metrics: boolean;
  readonly schedule: { readonly default: string };
  readonly server: Readonly<ParsedConfig['server']>;
  readonly retention: Readonly<ParsedConfig['retention']>;
}

/** Reads, validates and resolves a config file; every problem is one ConfigError line naming the key. */
export function loadConfig(path: string = DEFAULT_CONFIG_PATH): Config {
  const configPath = resolve(path);
  let text: string;
  try {
    text = readFileSync(configPath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory' : String(code ?? error);
    throw new ConfigError(`config: ${configPath}: ${why}`, { cause: error });
  }
  let data: unknown;
  try {
    data = loadYaml(text, { schema: CORE_SCHEMA, filename: configPath }) ?? {};
  } catch (error) {
    const first = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    throw new ConfigError(`config: ${configPath}: invalid YAML: ${first}`, { cause: error });
  }
  return parseConfig(data, configPath);
}

/** Validates an already parsed config object (exported for tests and embedding). */
export function parseConfig(data: unknown, configPath: string): Config {
  const parsed = configSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
    throw new ConfigError(`config: ${configPath}: ${key}: ${describeIssue(issue)}`);
  }
  const value = parsed.data;
  const root = resolve(dirname(configPath), value.root);
  const atRoot = (p: string): string => (isAbsolute(p) ? p : resolve(root, p));
  const feeds = value.feeds.map((feed, index) => {
    const resolved = resolveFeedLocation(feed.url, atRoot);
    if ('problem' in resolved) throw new ConfigError(`config: ${configPath}: feeds.${index}.url: ${resolved.problem}`);
    return {
      url: resolved.location,
      name: feed.name,
      schedule: feed.schedule,
      ...(feed.username === undefined
        ? {}
        : {
            auth: {
              username: feed.username,
              password: feed.password,
              passwordFile: feed.passwordFile === undefined ? undefined : atRoot(feed.passwordFile),
            },
          }),
    };
  });
  const seenUrls = new Set<string>();
  feeds.forEach((feed, index) => {
    if (seenUrls.has(feed.url)) {
      throw new ConfigError(`config: ${configPath}: feeds.${index}.url: duplicate feed ${feed.url}`);
    }
    seenUrls.add(feed.url);
  });
  const config: Config = {
    configPath,
    root,
    // A postgres:// or postgresql:// URL names a server (issue 17); anything else is a SQLite file path.
    database: /^postgres(ql)?:\/\//i.test(value.database) ? value.database : atRoot(value.database),
    output: atRoot(value.output),
    seeds: value.seeds.map((seed) => atRoot(typeof seed === 'string' ? seed : seed.path)),
    seedNames: new Map(value.seeds.flatMap((seed) => (typeof seed === 'string' ? [] : [[atRoot(seed.path), seed.name] as const]))),
    feeds,
    title: value.title,
    baseUrl: value.baseUrl.endsWith('/') ? value.baseUrl : `${value.baseUrl}/`,
    fetch: value.fetch,
    cluster: value.cluster,
    publish: {
      feeds: value.publish.feeds.map((feed) => ({
        name: feed.name,
        title: feed.title ?? (feed.name === 'all' ? value.title : `${value.title}: ${feed.name}`),
        sources: feed.sources,
        keywords: feed.keywords,
        minOutlets: feed.minOutlets,
        excludeKeywords: feed.excludeKeywords,
        maxAgeDays: feed.maxAgeDays,
        limit: feed.limit,
      })),
      opml: value.publish.opml,
      websub: { hubs: value.publish.websub.hubs },
    },
    metrics: value.metrics,
    schedule: value.schedule,
    server: value.server,
    retention: value.retention,
  };
  return deepFreeze(config);
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown key ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  if (issue.code === 'invalid_type') return `expected ${issue.expected}`;
  return issue.message;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
