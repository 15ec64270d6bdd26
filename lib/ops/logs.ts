import { DescribeLogStreamsCommand, FilterLogEventsCommand, GetLogEventsCommand, type CloudWatchLogsClient, type FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeTasksCommand } from '@aws-sdk/client-ecs';
import type { AppSettings } from '../../domain/settings';
import { checkProcessName } from './name-checks';
import { pipelineExecutionName } from '../../domain/names';
import { BUILD_PK, readBuildRecord, type BuildRecord } from '../../domain/table';
import { UsageError } from './usage-error';
import { aws, awsCallError, CannotProceed, checkBuildKey, describeExecution, executionArn, getBuild, locateApp, NotFound, queryPages, type AppTarget, type LocateOptions, type OpsClients } from './aws';
import type { Clock } from './wall-clock';
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

/** The time build N ran, and the build that replaced it. */
interface BuildWindow {
  /** When build N's release execution started (else when the build was recorded). */
  readonly from: number;
  /** When a later build's deploy recorded its release (`releasedAt`); null: build N is current. */
  readonly to: number | null;
  /** When that later build's release execution started (else when it was recorded); null if unknown. */
  readonly nextStart: number | null;
  readonly build: BuildRecord;
}

/**
 * The time build N ran: from the start of its release execution (the release task included; else
 * when it was recorded) until a later release of another build replaced it (null: it still runs).
 */
async function buildWindow(clients: OpsClients, target: AppTarget, key: string): Promise<BuildWindow> {
  const build = await getBuild(clients, target, key);
  if (!build) throw new NotFound(`build ${key} of app "${target.app}" is not recorded (see slipway pipelines ${target.app})`);
  const release = await describeExecution(clients, executionArn(target, 'release', pipelineExecutionName(target.app, build.buildKey, 'release')));
  const from = release?.startDate?.getTime() ?? (build.eventTime ? Date.parse(build.eventTime) : NaN);
  if (Number.isNaN(from)) throw new CannotProceed(`build ${key} of app "${target.app}" was never released: it has no logs of its own`);
  let to: number | null = null;
  let next: BuildRecord | undefined;
  let pages = 0;
  const query = {
    KeyConditionExpression: 'pk = :pk',
    FilterExpression: 'releasedAt > :from AND sk <> :sk',
    ExpressionAttributeValues: { ':pk': { S: BUILD_PK }, ':from': { S: new Date(from).toISOString() }, ':sk': { S: build.sortKey } },
    ProjectionExpression: 'releasedAt, sk, buildKey, eventTime',
  };
  for await (const items of queryPages(clients, target, query)) {
    for (const item of items) {
      const at = Date.parse(item.releasedAt?.S ?? '');
      if (!Number.isNaN(at) && (to === null || at < to)) {
        to = at;
        next = readBuildRecord(item);
      }
    }
    if (++pages >= MAX_BUILD_PAGES) break;
  }
  let nextStart: number | null = null;
  if (next?.buildKey) {
    const nextRelease = await describeExecution(clients, executionArn(target, 'release', pipelineExecutionName(target.app, next.buildKey, 'release')));
    const start = nextRelease?.startDate?.getTime() ?? (next.eventTime ? Date.parse(next.eventTime) : NaN);
    nextStart = Number.isNaN(start) ? null : start;
  }
  return { from, to, nextStart, build };
}

/**
 * PERMISSIONS FOR lib/ops/permissions.ts (owned elsewhere): the calls `logs --build N` makes to tell
 * build N's tasks from the others, to add to the `logs` entry of CLI_PERMISSIONS (both roles).
 */
export const LOGS_BUILD_CALLS = [
  { action: 'ecs:DescribeTasks', resource: { kind: 'clusterTasks' }, why: '--build: which image each task that logged in the window ran' },
  { action: 'logs:DescribeLogStreams', resource: { kind: 'appLogGroup' }, why: '--build: when the stream of a task ECS no longer describes was created' },
] as const;

/** DescribeTasks takes at most 100 tasks (AWS API Reference, DescribeTasks `tasks`). */
const DESCRIBE_TASKS_MAX = 100;
/** At most this many streams of forgotten tasks are looked up (DescribeLogStreams) per command. */
const MAX_STREAM_LOOKUPS = 50;

/** How `logs --build N` placed each task that logged in build N's window. */
export interface BuildTaskCounts {
  /** Tasks ECS describes whose container ran build N's image (or one of its recorded task definitions): shown. */
  readonly traced: number;
  /** Tasks ECS describes that ran another build: left out. */
  readonly otherBuilds: number;
  /**
   * Tasks ECS no longer describes (it keeps stopped tasks for about an hour: ListTasks, "stopped tasks
   * appear in the returned results for at least one hour") whose stream began between build N's release
   * start and the next build's: shown, placed by time only (rarely another build's task: one that ECS
   * started for the previous build while build N's release ran).
   */
  readonly byTime: number;
  /** Tasks ECS no longer describes whose stream began before build N's release started: left out. */
  readonly beforeRelease: number;
  /** Tasks ECS no longer describes whose stream began after the next build's release started: left out. */
  readonly afterNextRelease: number;
}

type Placement = keyof BuildTaskCounts;

/**
 * Tells build N's tasks from the others, for `logs --build N`. A task runs build N when its container
 * runs build N's image (every revision of build N, the config changes' included, and every one-off,
 * release and scheduled task of it, runs the image the build recorded: functions/register-task-definitions,
 * functions/register-config-revisions) or one of the task definitions its deploy recorded. ECS describes
 * a task while it runs and for about an hour after it stops; an older task is placed by when its log
 * stream was created (the awslogs driver creates it when the container starts): build N's tasks cannot
 * start before its release does, and from the next build's release on the tasks that start are the
 * next build's.
 */
class BuildTasks {
  private readonly placed = new Map<string, Placement>();
  private lookups = 0;

  constructor(
    private readonly clients: OpsClients,
    private readonly cluster: string,
    private readonly logGroup: string,
    private readonly window: BuildWindow,
  ) {}

  counts(): BuildTaskCounts {
    const c = { traced: 0, otherBuilds: 0, byTime: 0, beforeRelease: 0, afterNextRelease: 0 };
    for (const p of this.placed.values()) c[p]++;
    return c;
  }

  /** Whether each event is build N's, in order; places the tasks not seen before first. */
  async keep(events: readonly FilteredLogEvent[]): Promise<boolean[]> {
    const streams = new Map<string, string>();
    for (const e of events) {
      const task = parseStreamName(e.logStreamName ?? '').task;
      if (task && !this.placed.has(task)) streams.set(task, e.logStreamName ?? '');
    }
    await this.place(streams);
    return events.map((e) => {
      const task = parseStreamName(e.logStreamName ?? '').task;
      // A stream not named by the awslogs driver has no task to trace: kept, by time.
      const p = task ? this.placed.get(task) : 'byTime';
      return p === 'traced' || p === 'byTime';
    });
  }

  private runsBuild(task: { taskDefinitionArn?: string; containers?: { image?: string }[] }): boolean {
    const { build } = this.window;
    if (build.image && task.containers?.some((c) => c.image === build.image)) return true;
    return Boolean(task.taskDefinitionArn && build.releaseProcesses?.some((p) => p.taskDefinitionArn === task.taskDefinitionArn));
  }

  private async place(streams: Map<string, string>): Promise<void> {
    const ids = [...streams.keys()];
    const ecs = this.clients.ecs;
    const missing: string[] = [];
    for (let i = 0; i < ids.length; i += DESCRIBE_TASKS_MAX) {
      const batch = ids.slice(i, i + DESCRIBE_TASKS_MAX);
      if (!ecs) {
        missing.push(...batch);
        continue;
      }
      const out = await aws(`ECS DescribeTasks in ${this.cluster}`, () => ecs.send(new DescribeTasksCommand({ cluster: this.cluster, tasks: batch })));
      const seen = new Set<string>();
      for (const t of out.tasks ?? []) {
        const id = (t.taskArn ?? '').slice((t.taskArn ?? '').lastIndexOf('/') + 1);
        if (!streams.has(id)) continue;
        seen.add(id);
        this.placed.set(id, this.runsBuild(t) ? 'traced' : 'otherBuilds');
      }
      // ECS answers a task it no longer keeps with a failure (reason MISSING).
      for (const id of batch) if (!seen.has(id)) missing.push(id);
    }
    for (const id of missing) this.placed.set(id, await this.placeByStream(streams.get(id) ?? ''));
  }

  private async placeByStream(stream: string): Promise<Placement> {
    const logs = this.clients.logs;
    if (!logs || this.lookups >= MAX_STREAM_LOOKUPS) return 'byTime';
    this.lookups++;
    const out = await aws(`CloudWatch Logs DescribeLogStreams ${this.logGroup} ${stream}`, () => logs.send(new DescribeLogStreamsCommand({ logGroupName: this.logGroup, logStreamNamePrefix: stream, limit: 1 })));
    const created = out.logStreams?.find((s) => s.logStreamName === stream)?.creationTime;
    if (created === undefined) return 'byTime';
    if (created < this.window.from) return 'beforeRelease';
    // From the next build's release on, a task that starts runs that build (its release task, then its
    // deploy's tasks), or, rarely, build N again (a replacement, a one-off or scheduled task before the
    // next deploy starts): left out, counted.
    if (this.window.nextStart !== null && created >= this.window.nextStart) return 'afterNextRelease';
    return 'byTime';
  }
}

/** What {@link streamLogs} returns: the output, and with `--build` how its tasks were placed. */
export interface LogsResult extends LogsOutput {
  readonly buildTasks?: BuildTaskCounts;
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
export async function streamLogs(clients: OpsClients, app: string, options: LogsOptions): Promise<LogsResult> {
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
  const built = key !== undefined ? await buildWindow(clients, target, key) : undefined;
  const window = built ?? { from: sinceStart as number, to: null };
  const buildTasks = built ? new BuildTasks(clients, settings.cluster, logGroup, built) : undefined;
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
      const events = (page.events ?? []).filter((e) => !seen.has(eventKey(e)));
      const keep = buildTasks ? await buildTasks.keep(events) : events.map(() => true);
      events.forEach((e, i) => {
        // Every event read is remembered, kept or not: the next poll starts at the newest one.
        seen.set(eventKey(e), e.timestamp ?? 0);
        if (!keep[i]) return;
        count++;
        options.onEvent(logEvent(e.logStreamName ?? '', e.timestamp, e.message, e.eventId));
      });
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
    ...(buildTasks ? { buildTasks: buildTasks.counts() } : {}),
  };
}

const eventKey = (e: FilteredLogEvent) => e.eventId ?? `${e.logStreamName}/${e.timestamp}/${e.message}`;

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
      throw awsCallError(e, `CloudWatch Logs GetLogEvents ${logGroup} ${stream}`);
    }
    for (const e of page.events ?? []) onEvent(logEvent(stream, e.timestamp, e.message));
    const next = page.nextForwardToken;
    if (!next || next === current) return next ?? current;
    current = next;
  }
  return current;
}

/**
 * Text output of `logs` after the events (stderr): a line when there were none; with `--build`, how
 * the tasks that logged in the build's time were placed, so what was shown by time only is said.
 */
export function renderLogsEnd(out: LogsResult): string | undefined {
  const what = out.process ? `process type ${out.process}` : 'any process type';
  const when = out.build ? `build ${out.build}'s time (${out.from} to ${out.to ?? 'now'})` : `since ${out.from}`;
  const none = out.events > 0 ? undefined : `no log events from ${what} of ${out.app} in ${escapeForTerminal(out.logGroup)} ${when}`;
  const t = out.buildTasks;
  if (!t || Object.values(t).every((k) => k === 0)) return none;
  const n = (k: number, one = 'task') => `${k} ${one}${k === 1 ? '' : 's'}`;
  const parts = [`build ${out.build}: ${n(t.traced)} that ran its image (ECS)`];
  if (t.byTime > 0) parts.push(`${n(t.byTime)} that ECS no longer describes (stopped over an hour ago), shown by when they started (after its release began, before the next build's)`);
  const left = [
    ...(t.otherBuilds > 0 ? [`${n(t.otherBuilds)} of other builds`] : []),
    ...(t.beforeRelease > 0 ? [`${n(t.beforeRelease)} started before its release`] : []),
    ...(t.afterNextRelease > 0 ? [`${n(t.afterNextRelease)} started after the next build's release began`] : []),
  ];
  const summary = `${parts.join('; ')}${left.length ? `; left out: ${left.join(', ')}` : ''}`;
  return none ? `${none} (${summary})` : summary;
}
