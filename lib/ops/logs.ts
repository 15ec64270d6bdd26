import { QueryCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { FilterLogEventsCommand, GetLogEventsCommand, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { PROCESS_NAME, type AppSettings } from '../../functions/shared/settings';
import { UsageError } from '../cli/errors';
import { aws, CannotProceed, checkBuildKey, describeAwsError, describeExecution, executionArn, getBuild, locateApp, NotFound, pipelineExecutionName, type AppTarget, type LocateOptions, type OpsClients } from './aws';
import type { Clock } from './commands';
import type { LogEvent, LogsOutput } from './schemas';
import { escapeForTerminal } from './terminal';

/**
 * `slipway logs`: the app's CloudWatch logs. Every process type (and the release task, a task of the
 * release process type) logs to the app's log group through the awslogs driver, one stream per task:
 * `<process>/<container>/<task id>` (functions/register-task-definitions/task-definition.ts, the
 * container is named after the process type). Also the log-stream reader `slipway run` follows its
 * task with.
 */

/** How often `--follow` polls by default, and the bounds of `--interval`. */
export const FOLLOW_INTERVAL_SECONDS = { default: 2, min: 1, max: 60 } as const;
/** What `--since` means when it is not given (with `--follow` a short history, then new lines, as `heroku logs --tail`). */
export const DEFAULT_SINCE = { read: '1h', follow: '5m' } as const;
/** The oldest `--since` accepted: CloudWatch keeps the app's logs for its retention; 90 days is plenty. */
const MAX_SINCE_MS = 90 * 86_400_000;
/** At most this many pages of builds are read to find when a build's release was replaced. */
const MAX_BUILD_PAGES = 20;

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Reads `--since`: a duration back from now (`30s`, `10m`, `2h`, `7d`) or an ISO 8601 time.
 * @returns the start time in epoch milliseconds.
 * @throws UsageError for anything else (`10x`, `-5m`, a time in the future).
 */
export function parseSince(value: string, now: Date): number {
  const m = /^(\d{1,6})([smhd])$/.exec(value);
  let start: number;
  if (m) {
    start = now.getTime() - Number(m[1]) * UNITS[m[2]];
  } else if (/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) && !Number.isNaN(Date.parse(value))) {
    start = Date.parse(value);
    if (start > now.getTime()) throw new UsageError(`--since ${JSON.stringify(value)} is in the future`);
  } else {
    throw new UsageError(`--since must be a duration (30s, 10m, 2h, 7d) or an ISO 8601 time, got ${JSON.stringify(value.slice(0, 40))}`);
  }
  if (now.getTime() - start > MAX_SINCE_MS) throw new UsageError(`--since ${JSON.stringify(value)} is more than 90 days back`);
  return start;
}

/** Checks a process type argument before it goes into a stream prefix. @throws UsageError */
export function checkProcessName(process: string, option = 'process'): void {
  if (!PROCESS_NAME.test(process)) throw new UsageError(`${option} ${JSON.stringify(process.slice(0, 40))} is not a process type name (lowercase letters, digits and hyphens, starting with a letter)`);
}

/** Reads `--interval` for following. @throws UsageError */
export function parseInterval(value: string | undefined): number {
  if (value === undefined) return FOLLOW_INTERVAL_SECONDS.default * 1000;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < FOLLOW_INTERVAL_SECONDS.min || n > FOLLOW_INTERVAL_SECONDS.max) {
    throw new UsageError(`--interval must be a whole number of seconds from ${FOLLOW_INTERVAL_SECONDS.min} to ${FOLLOW_INTERVAL_SECONDS.max}, got ${JSON.stringify(value.slice(0, 20))}`);
  }
  return n * 1000;
}

/** The process type and task of an awslogs stream `<process>/<container>/<task id>`. */
export function parseStreamName(stream: string): { process: string | null; task: string | null } {
  const parts = stream.split('/');
  return parts.length === 3 ? { process: parts[0], task: parts[2] } : { process: null, task: null };
}

/** One log event as `logs` and `run` print it. */
export function logEvent(stream: string, timestamp: number | undefined, message: string | undefined, eventId?: string): LogEvent {
  const { process, task } = parseStreamName(stream);
  return {
    timestamp: new Date(timestamp ?? 0).toISOString(),
    process,
    task,
    stream,
    // The awslogs driver sends a line per event; a trailing newline is the line's own end.
    message: (message ?? '').replace(/\r?\n$/, ''),
    ...(eventId ? { eventId } : {}),
  };
}

/**
 * A log event as one terminal line, like `heroku logs`: `<time> <process>[<task>]: <message>`, every
 * part from AWS escaped (a log line can carry escape sequences that clear the screen or fake a line).
 */
export function renderLogEvent(e: LogEvent): string {
  const source = e.process ? `${e.process}[${(e.task ?? '').slice(0, 8)}]` : e.stream;
  return `${e.timestamp} ${escapeForTerminal(source)}: ${escapeForTerminal(e.message)}`;
}

/** Options of {@link streamLogs}. */
export interface LogsOptions extends LocateOptions {
  /** Only this process type's tasks (the release task is one of the release process type's). */
  readonly process?: string;
  /** Only the time build N ran: from its release (the release task included) until the next release. */
  readonly build?: string;
  /** `--since`: a duration or an ISO time (not with build). @default "1h", "5m" with follow */
  readonly since?: string;
  readonly follow?: boolean;
  readonly clock: Clock;
  /** Between polls while following. */
  readonly intervalMs?: number;
  /** Following stops after this long. */
  readonly timeoutMs?: number;
  /** Each event, in time order, as it is read. */
  readonly onEvent: (event: LogEvent) => void;
}

/** The app's settings (read from its settings parameter when the app was located). */
export async function appSettings(_clients: OpsClients, target: AppTarget): Promise<AppSettings> {
  return target.settings;
}

/** The log group of the app's tasks (one for every process type; the settings parameter names it). */
export function appLogGroup(settings: AppSettings, process?: string): string {
  const p = process ? settings.processes[process] : Object.values(settings.processes)[0];
  return p.logGroup;
}

/**
 * The time build N ran: from the start of its release execution (the release task included; else
 * when it was recorded) until a later release of another build replaced it (null: it still runs).
 */
async function buildWindow(clients: OpsClients, target: AppTarget, key: string): Promise<{ from: number; to: number | null }> {
  const build = await getBuild(clients, target, key);
  if (!build) throw new NotFound(`build ${key} of app "${target.app}" is not recorded (see slipway pipelines ${target.app})`);
  const release = await describeExecution(clients, executionArn(target, 'release', pipelineExecutionName(target.app, build.buildKey, 'release')));
  const from = release?.startDate?.getTime() ?? (build.eventTime ? Date.parse(build.eventTime) : NaN);
  if (Number.isNaN(from)) throw new CannotProceed(`build ${key} of app "${target.app}" was never released: it has no logs of its own`);
  let to: number | null = null;
  let startKey: Record<string, AttributeValue> | undefined;
  let pages = 0;
  do {
    const page = await aws(`DynamoDB Query on ${target.tableName}`, () =>
      clients.dynamodb.send(
        new QueryCommand({
          TableName: target.tableName,
          KeyConditionExpression: 'pk = :pk',
          FilterExpression: 'releasedAt > :from AND sk <> :sk',
          ExpressionAttributeValues: { ':pk': { S: 'BUILD' }, ':from': { S: new Date(from).toISOString() }, ':sk': { S: build.sortKey } },
          ProjectionExpression: 'releasedAt',
          ExclusiveStartKey: startKey,
        }),
      ),
    );
    for (const item of page.Items ?? []) {
      const at = Date.parse(item.releasedAt?.S ?? '');
      if (!Number.isNaN(at) && (to === null || at < to)) to = at;
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey && ++pages < MAX_BUILD_PAGES);
  return { from, to };
}

function logsClient(clients: OpsClients): CloudWatchLogsClient {
  if (!clients.logs) throw new UsageError('this command needs a CloudWatch Logs client (OpsClients.logs)');
  return clients.logs;
}

/**
 * `slipway logs <app> [process]`: prints the app's log events from `--since` (or build N's time) in
 * time order, every page of FilterLogEvents; with `follow`, polls for new events every `intervalMs`
 * until `timeoutMs` (or the end of build N's time, or Ctrl-C), as `heroku logs --tail` does.
 */
export async function streamLogs(clients: OpsClients, app: string, options: LogsOptions): Promise<LogsOutput> {
  const { clock } = options;
  if (options.process !== undefined) checkProcessName(options.process);
  if (options.build !== undefined && options.since !== undefined) throw new UsageError('give --build or --since, not both');
  const key = options.build !== undefined ? checkBuildKey(options.build) : undefined;
  const sinceStart = key === undefined ? parseSince(options.since ?? (options.follow ? DEFAULT_SINCE.follow : DEFAULT_SINCE.read), clock.now()) : undefined;
  const client = logsClient(clients);
  const target = await locateApp(clients, app, options);
  const settings = await appSettings(clients, target);
  if (options.process !== undefined && !settings.processes[options.process]) {
    throw new UsageError(`app "${app}" has no process type "${options.process}" (it has: ${Object.keys(settings.processes).join(', ')})`);
  }
  const logGroup = appLogGroup(settings, options.process);
  const window = key !== undefined ? await buildWindow(clients, target, key) : { from: sinceStart as number, to: null };
  const deadline = clock.now().getTime() + (options.timeoutMs ?? 3_600_000);
  // Events already printed at or after `start` (a poll starts again at the last timestamp seen).
  const seen = new Map<string, number>();
  let start = window.from;
  let count = 0;
  let stopped: LogsOutput['stopped'] = 'end';
  for (;;) {
    let nextToken: string | undefined;
    do {
      const page = await aws(`CloudWatch Logs FilterLogEvents ${logGroup}`, () =>
        client.send(
          new FilterLogEventsCommand({
            logGroupName: logGroup,
            ...(options.process ? { logStreamNamePrefix: `${options.process}/` } : {}),
            startTime: start,
            ...(window.to !== null ? { endTime: window.to } : {}),
            nextToken,
          }),
        ),
        () => new NotFound(`the log group ${logGroup} of app "${app}" does not exist (yet): no task has logged`),
      );
      for (const e of page.events ?? []) {
        const id = e.eventId ?? `${e.logStreamName}/${e.timestamp}/${e.message}`;
        if (seen.has(id)) continue;
        seen.set(id, e.timestamp ?? 0);
        count++;
        options.onEvent(logEvent(e.logStreamName ?? '', e.timestamp, e.message, e.eventId));
      }
      nextToken = page.nextToken;
    } while (nextToken);
    if (!options.follow) break;
    const now = clock.now().getTime();
    if (window.to !== null && now > window.to) break;
    if (now >= deadline) {
      stopped = 'timeout';
      break;
    }
    // Start the next poll at the newest event seen: events that arrive late with the same timestamp are
    // still found, the ones printed are skipped.
    const newest = Math.max(start, ...seen.values());
    for (const [id, at] of seen) if (at < newest) seen.delete(id);
    start = newest;
    await clock.sleep(options.intervalMs ?? FOLLOW_INTERVAL_SECONDS.default * 1000);
  }
  return {
    app,
    logGroup,
    process: options.process ?? null,
    build: key ?? null,
    from: new Date(window.from).toISOString(),
    to: window.to !== null ? new Date(window.to).toISOString() : null,
    events: count,
    followed: Boolean(options.follow),
    stopped,
  };
}

/**
 * Reads one log stream from where `token` left off, every page (GetLogEvents returns the token it was
 * given once the stream has nothing newer). A stream that does not exist yet has no events.
 * @returns the token to continue from.
 */
export async function readStream(client: CloudWatchLogsClient, logGroup: string, stream: string, token: string | undefined, onEvent: (event: LogEvent) => void): Promise<string | undefined> {
  let current = token;
  for (let pages = 0; pages < 1000; pages++) {
    let page;
    try {
      page = await client.send(new GetLogEventsCommand({ logGroupName: logGroup, logStreamName: stream, startFromHead: true, ...(current ? { nextToken: current } : {}) }));
    } catch (e) {
      // The awslogs driver creates the stream when the container starts.
      if ((e as Error).name === 'ResourceNotFoundException') return current;
      throw describeAwsError(e, `CloudWatch Logs GetLogEvents ${logGroup} ${stream}`);
    }
    for (const e of page.events ?? []) onEvent(logEvent(stream, e.timestamp, e.message));
    const next = page.nextForwardToken;
    if (!next || next === current) return next ?? current;
    current = next;
  }
  return current;
}

/** Text output of `logs` after the events: a line only when there were none. */
export function renderLogsEnd(out: LogsOutput): string | undefined {
  if (out.events > 0) return undefined;
  const what = out.process ? `process type ${out.process}` : 'any process type';
  const when = out.build ? `build ${out.build}'s time (${out.from} to ${out.to ?? 'now'})` : `since ${out.from}`;
  return `no log events from ${what} of ${out.app} in ${escapeForTerminal(out.logGroup)} ${when}`;
}
