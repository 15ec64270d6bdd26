/**
 * What the pages show, read from sources a browser may call (DynamoDB, ECS, CloudWatch Logs, SSM,
 * Application Auto Scaling). Each function takes an app's clients and returns plain values; none imports
 * UI code. Keys, names and record shapes come from domain/ (one owner for each fact).
 */
import { GetItemCommand, QueryCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, type Service } from '@aws-sdk/client-ecs';
import { GetParameterCommand, GetParametersByPathCommand } from '@aws-sdk/client-ssm';
import { appParameterPath, configParameterPath, serviceName, settingsParameterName, TAGS, taskDefinitionFamily, taskDefinitionOfArn } from '../../domain/names';
import { BUILD_PK, DEPLOY_CLAIM, dynamoKey, readBuildRecord, readCurrentRelease, readDeployClaim, RELEASE_CURRENT, type BuildRecord, type CurrentReleaseItem, type DeployClaimItem } from '../../domain/table';
import { readAppSettings, type AppSettings } from '../../domain/settings';
import { readRunProgress, type RunProgress } from '../../domain/run-progress';
import type { AppClients } from './aws';

/** How many of an app's newest builds the pages read. */
export const RUNS_SHOWN = 15;

/** A read failed in a way the person can act on (their role, a missing record). */
export class DataError extends Error {
  public override readonly name = 'DataError';
}

/** The app's settings parameter, read and checked as the control plane reads it. */
export async function loadSettings(clients: AppClients, prefix: string, app: string): Promise<AppSettings> {
  const name = settingsParameterName(appParameterPath(prefix, app));
  const out = await clients.ssm.send(new GetParameterCommand({ Name: name }));
  const read = readAppSettings(out.Parameter?.Value, app);
  if (!read.ok) throw new DataError(`the settings parameter ${name} is not valid (${read.problem === 'invalid' ? `${read.at}: ${read.message}` : read.problem}): deploy the app stack again`);
  return read.settings;
}

/** One process type's service as ECS reports it. */
export interface ProcessState {
  readonly process: string;
  readonly service: string;
  /** Whether the service exists (an app never deployed has none). */
  readonly exists: boolean;
  readonly running: number;
  readonly desired: number;
  readonly pending: number;
  /** The primary deployment's task definition. */
  readonly taskDefinition?: string;
  /** The build the primary deployment runs, when a record names its task definition. */
  readonly build?: string;
  /** The primary deployment's rollout (IN_PROGRESS, COMPLETED, FAILED). */
  readonly rollout?: string;
  /** More than one deployment: a deployment is in progress. */
  readonly deployments: number;
}

/** One run of the pipelines for a build: what happened, from the build's record. */
export interface Run {
  readonly build: string;
  readonly record: BuildRecord;
  readonly state: 'building-failed' | 'running' | 'failed' | 'deployed' | 'superseded' | 'waiting' | 'not-deployed';
  /** The timeline, oldest first. */
  readonly events: readonly RunEvent[];
  /** The failure a redrive would fix (while `state` is failed), or that a redrive running now is fixing (`redrivenAt`). */
  readonly failure?: RunFailure;
  /** Where a run in progress is, in words (only while `state` is running or waiting). */
  readonly stage?: string;
}

export interface RunEvent {
  readonly at?: string;
  readonly what: string;
  readonly kind: 'ok' | 'fail' | 'info' | 'running';
  readonly detail?: string;
  readonly link?: string;
}

export interface RunFailure {
  readonly pipeline: string;
  readonly step: string;
  readonly error: string;
  readonly cause: string;
  readonly logLink?: string;
  readonly execution?: string;
  readonly at?: string;
  /** When the redrive running now started (the failure stays shown until it ends). */
  readonly redrivenAt?: string;
}

/** What the apps page and the app page show of one app. */
export interface AppOverview {
  readonly app: string;
  readonly settings: AppSettings;
  readonly current?: CurrentReleaseItem;
  readonly claim?: DeployClaimItem;
  readonly processes: readonly ProcessState[];
  readonly runs: readonly Run[];
}

/** Raw record fields the domain reader leaves out (execution-status writes them). */
const str = (item: Record<string, AttributeValue>, key: string): string | undefined => item[key]?.S;

interface RawRun {
  readonly record: BuildRecord;
  /** The stage and failure history (domain/run-progress.ts); absent in records written before them. */
  readonly progress?: RunProgress;
  readonly failedPipeline?: string;
  readonly failedStep?: string;
  readonly failedLogLink?: string;
  readonly redrivenAt?: string;
  readonly redriveCount?: string;
  readonly recoveredAt?: string;
  readonly supersededAt?: string;
  readonly supersededBy?: string;
}

/** The timeline of a build's run, from its record (pure: the records are the only source). */
export function runOf(raw: RawRun, claim: DeployClaimItem | undefined, current: CurrentReleaseItem | undefined): Run {
  const r = raw.record;
  const events: RunEvent[] = [];
  events.push({ at: r.eventTime, what: `Build ${r.status === 'SUCCEEDED' ? 'succeeded' : (r.status ?? 'recorded').toLowerCase()}`, kind: r.status === 'SUCCEEDED' ? 'ok' : r.status === 'FAILED' || r.status === 'FAULT' || r.status === 'TIMED_OUT' || r.status === 'STOPPED' ? 'fail' : 'info', detail: r.commit ? `commit ${r.commit.slice(0, 12)}` : undefined, link: r.logLink });
  const p = raw.progress;
  // A redrive that started after the failure it follows is running: the failure is not the run's state any more.
  const redriving = r.pipelineError !== undefined && !!raw.redrivenAt && !!r.failedAt && raw.redrivenAt > r.failedAt;
  const failing = r.pipelineError !== undefined && !redriving;
  if (p?.releaseStartedAt) events.push({ at: p.releaseStartedAt, what: 'Release started', kind: 'info' });
  if (p?.releaseSucceededAt) events.push({ at: p.releaseSucceededAt, what: 'Release succeeded', kind: 'ok' });
  if (p?.deployStartedAt) events.push({ at: p.deployStartedAt, what: 'Deploy started', kind: 'info', detail: p.deployProcesses?.join(', ') });
  for (const d of p?.processesDeployed ?? []) events.push({ at: d.at, what: `${d.process} deployed`, kind: 'ok' });
  if (p && p.failures.length > 0) {
    // Every failure of the run, each with the redrive that followed it (execution-status keeps them).
    p.failures.forEach((f, i) => {
      events.push({ at: f.at, what: `${f.pipeline} failed at “${f.step}”`, kind: 'fail', detail: f.error, link: f.logLink });
      if (f.redrivenAt) events.push({ at: f.redrivenAt, what: `Redriven (${i + 1})`, kind: 'info' });
    });
  } else {
    if (r.failedAt) {
      events.push({ at: r.failedAt, what: `${raw.failedPipeline ?? 'pipeline'} failed${raw.failedStep ? ` at “${raw.failedStep}”` : ''}`, kind: 'fail', detail: r.pipelineError ?? undefined, link: raw.failedLogLink || undefined });
    }
    if (raw.redrivenAt) events.push({ at: raw.redrivenAt, what: `Redriven${raw.redriveCount ? ` (${raw.redriveCount})` : ''}`, kind: 'info' });
  }
  if (raw.supersededAt) events.push({ at: raw.supersededAt, what: `Superseded by build ${raw.supersededBy ?? '?'}`, kind: 'info' });
  if (r.releasedAt) events.push({ at: r.releasedAt, what: 'Deployed', kind: 'ok', detail: r.releaseProcesses?.map((p) => p.process).join(', ') });
  // After Deployed when both have the same time: the release is recorded before the execution ends.
  if (raw.recoveredAt) events.push({ at: raw.recoveredAt, what: 'Redrive succeeded', kind: 'ok' });
  let state: Run['state'];
  const claimed = claim?.execution !== undefined && claim.buildSortKey === r.sortKey;
  if (r.status && r.status !== 'SUCCEEDED' && r.status !== 'IN_PROGRESS') state = 'building-failed';
  else if (failing) state = 'failed';
  else if (r.releasedAt) state = 'deployed';
  else if (raw.supersededAt || (current && current.buildSortKey > r.sortKey && /^\d+$/.test(r.sortKey))) state = 'superseded';
  else if (claimed || redriving) state = 'running';
  else state = 'waiting';
  const stage = state === 'running' || state === 'waiting' ? stageOf(p, claimed) : undefined;
  if (stage) events.push({ what: stage, kind: 'running' });
  sortEvents(events);
  const failure: RunFailure | undefined = state === 'failed' || (state === 'running' && redriving)
    ? { pipeline: raw.failedPipeline ?? '?', step: raw.failedStep ?? '(unknown)', error: r.pipelineError ?? '', cause: r.pipelineCause ?? '', logLink: raw.failedLogLink || undefined, execution: r.failedExecution, at: r.failedAt, ...(redriving ? { redrivenAt: raw.redrivenAt } : {}) }
    : undefined;
  return { build: r.buildKey, record: r, state, events, ...(failure ? { failure } : {}), ...(stage ? { stage } : {}) };
}

/** Where a run in progress is, from the stage its record holds (domain/run-progress.ts). */
export function stageOf(p: RunProgress | undefined, claimed: boolean): string {
  if (!p?.stage) return claimed ? 'Deploying' : 'Build recorded, starting the release';
  if (p.stage === 'deploying') {
    const done = new Set(p.processesDeployed.map((d) => d.process));
    const all = p.deployProcesses ?? [];
    const waiting = all.filter((x) => !done.has(x));
    if (all.length === 0) return 'Deploying';
    return waiting.length === 0 ? `Deploying: ${all.join(', ')} deployed, recording the release` : `Deploying ${waiting.join(', ')}${done.size ? ` (${[...done].join(', ')} deployed)` : ''}`;
  }
  if (p.stage === 'release-succeeded') return 'Release succeeded, starting the deploy';
  if (p.stage === 'release-started') return 'Running the release';
  return 'Recording the release';
}

function sortEvents(events: RunEvent[]): void {
  // Stable: events without a time (in progress) stay last.
  events.sort((a, b) => (a.at && b.at ? (a.at < b.at ? -1 : a.at > b.at ? 1 : 0) : a.at ? -1 : b.at ? 1 : 0));
}

function rawRun(item: Record<string, AttributeValue>): RawRun {
  return {
    record: readBuildRecord(item),
    progress: readRunProgress(item),
    failedPipeline: str(item, 'failedPipeline'),
    failedStep: str(item, 'failedStep'),
    failedLogLink: str(item, 'failedLogLink'),
    redrivenAt: str(item, 'redrivenAt'),
    redriveCount: item.redriveCount?.N,
    recoveredAt: str(item, 'recoveredAt'),
    supersededAt: str(item, 'supersededAt'),
    supersededBy: str(item, 'supersededBy'),
  };
}

/** The app's current release, deploy claim, newest builds and services. */
export async function loadOverview(clients: AppClients, prefix: string, app: string, settings?: AppSettings, partial?: (overview: AppOverview) => void): Promise<AppOverview> {
  const s = settings ?? (await recentSettings(clients, prefix, app));
  const table = s.table;
  const processNames = Object.keys(s.processes).sort();
  const [current, claim, builds, services] = await Promise.all([
    clients.dynamodb.send(new GetItemCommand({ TableName: table, Key: dynamoKey(RELEASE_CURRENT) })).then((o) => readCurrentRelease(o.Item)),
    clients.dynamodb.send(new GetItemCommand({ TableName: table, Key: dynamoKey(DEPLOY_CLAIM) })).then((o) => readDeployClaim(o.Item)),
    clients.dynamodb.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: BUILD_PK } }, ScanIndexForward: false, Limit: RUNS_SHOWN })).then((o) => (o.Items ?? []).map(rawRun)),
    describeServices(clients, s.cluster, processNames.map((p) => serviceName(app, p))),
  ]);
  // Which build runs a task definition: its slipway:build tag (a revision never changes: read once).
  const running = processNames.map((process) => {
    const svc = services.get(serviceName(app, process));
    return { process, arn: svc?.deployments?.find((d) => d.status === 'PRIMARY')?.taskDefinition ?? svc?.taskDefinition };
  });
  const own = ownTaskDefinitions(prefix, app, running);
  const overview = (buildOf: ReadonlyMap<string, string>): AppOverview => ({ app, settings: s, current, claim, processes: processesOf(buildOf), runs });
  const processesOf = (buildOf: ReadonlyMap<string, string>) => processNames.map((process): ProcessState => {
    const svc = services.get(serviceName(app, process));
    const primary = svc?.deployments?.find((d) => d.status === 'PRIMARY');
    const td = primary?.taskDefinition ?? svc?.taskDefinition;
    return {
      process,
      service: serviceName(app, process),
      exists: svc !== undefined && svc.status !== 'INACTIVE',
      running: svc?.runningCount ?? 0,
      desired: svc?.desiredCount ?? 0,
      pending: svc?.pendingCount ?? 0,
      ...(td ? { taskDefinition: td } : {}),
      ...(td && buildOf.has(td) ? { build: buildOf.get(td) } : {}),
      ...(primary?.rolloutState ? { rollout: primary.rolloutState } : {}),
      deployments: svc?.deployments?.length ?? 0,
    };
  });
  // Only the newest build can still be on its way through release and deploy; an older one that never
  // deployed stopped (a newer build went ahead of it).
  const runs = builds.map((b, i) => {
    const run = runOf(b, claim, current);
    return i > 0 && run.state === 'waiting' ? { ...run, state: 'not-deployed' as const, events: run.events.filter((e) => e.kind !== 'running') } : run;
  });
  // The page is shown before the builds of new revisions are known (one round trip less before it is
  // usable); they fill in when DescribeTaskDefinition answers.
  if (partial && own.some((arn) => !knownBuilds.has(arn))) partial(overview(new Map([...knownBuilds].filter((e): e is [string, string] => own.includes(e[0]) && e[1] !== undefined))));
  return overview(await buildsOf(clients, own));
}

/**
 * Starts reading the app's settings now (every other read of the app waits for them), for
 * {@link loadOverview} to use when it runs: the page asks before its first paint, not in the effect that
 * follows it. A failure is left for that read to report (and read again).
 */
export function readSettingsEarly(clients: AppClients, prefix: string, app: string): void {
  recentSettings(clients, prefix, app).catch(() => undefined);
}

/** How long the page reuses an app's settings before reading them again (they change with an app stack deploy). */
const SETTINGS_MAX_AGE_MS = 60_000;
const settingsRead = new WeakMap<AppClients, { at: number; settings: Promise<AppSettings> }>();

/** The app's settings, read again when older than {@link SETTINGS_MAX_AGE_MS} (or when the last read failed). */
function recentSettings(clients: AppClients, prefix: string, app: string): Promise<AppSettings> {
  const kept = settingsRead.get(clients);
  if (kept && Date.now() - kept.at < SETTINGS_MAX_AGE_MS) return kept.settings;
  const settings = loadSettings(clients, prefix, app);
  settingsRead.set(clients, { at: Date.now(), settings });
  settings.catch(() => settingsRead.delete(clients));
  return settings;
}

/**
 * The task definitions of `running` that are the app's own: each process type's revision only when its
 * family is that process type's (`<prefix>-<app>--<process>`). A person's role may describe any task
 * definition (ecs:DescribeTaskDefinition has no resource-level permissions, docs/dashboard.md), so the
 * page itself never asks for a revision of another family, whatever a service reports.
 */
export function ownTaskDefinitions(prefix: string, app: string, running: readonly { process: string; arn?: string }[]): string[] {
  return running.filter((r): r is { process: string; arn: string } => r.arn !== undefined && taskDefinitionOfArn(r.arn)?.family === taskDefinitionFamily(prefix, app, r.process)).map((r) => r.arn);
}

/** Each task definition's build: its `slipway:build` tag ({@link TAGS}), cached per revision for the page's life. */
const taskDefinitionBuilds = new Map<string, Promise<string | undefined>>();
/** The builds already read (undefined: the revision has no build tag). */
const knownBuilds = new Map<string, string | undefined>();

async function buildsOf(clients: AppClients, arns: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  await Promise.all(
    [...new Set(arns)].map(async (arn) => {
      let build = taskDefinitionBuilds.get(arn);
      if (!build) {
        build = clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] })).then((d) => {
          const tag = d.tags?.find((t) => t.key === TAGS.build)?.value;
          knownBuilds.set(arn, tag);
          return tag;
        });
        build.catch(() => taskDefinitionBuilds.delete(arn));
        taskDefinitionBuilds.set(arn, build);
      }
      const b = await build.catch(() => undefined);
      if (b) out.set(arn, b);
    }),
  );
  return out;
}

async function describeServices(clients: AppClients, cluster: string, names: string[]): Promise<Map<string, Service>> {
  const found = new Map<string, Service>();
  // DescribeServices takes at most 10 services per call (ECS API Reference).
  for (let i = 0; i < names.length; i += 10) {
    const out = await clients.ecs.send(new DescribeServicesCommand({ cluster, services: names.slice(i, i + 10) }));
    for (const svc of out.services ?? []) if (svc.serviceName) found.set(svc.serviceName, svc);
  }
  return found;
}

/** The revision of a task definition ARN, for display (`family:revision`). */
export function revisionLabel(arn: string | undefined): string {
  if (!arn) return '—';
  const td = taskDefinitionOfArn(arn);
  return td ? `${td.family}:${td.revision}` : arn;
}

/** One config key: its parameter's type, and its value only when it is not a secret (or was asked for). */
export interface ConfigKey {
  readonly key: string;
  readonly type: string;
  readonly value?: string;
  readonly secret: boolean;
  readonly name: string;
}

/** The app's config keys (`/<prefix>/apps/<app>/config/*`), secret values left encrypted. */
export async function loadConfigKeys(clients: AppClients, prefix: string, app: string): Promise<ConfigKey[]> {
  const path = configParameterPath(appParameterPath(prefix, app));
  const keys: ConfigKey[] = [];
  let token: string | undefined;
  do {
    const out = await clients.ssm.send(new GetParametersByPathCommand({ Path: path, Recursive: false, WithDecryption: false, NextToken: token }));
    for (const p of out.Parameters ?? []) {
      if (!p.Name) continue;
      const secret = p.Type === 'SecureString';
      keys.push({ key: p.Name.slice(path.length + 1), name: p.Name, type: p.Type ?? 'String', secret, ...(secret ? {} : { value: p.Value }) });
    }
    token = out.NextToken;
  } while (token);
  return keys.sort((a, b) => (a.key < b.key ? -1 : 1));
}

/** A secret config key's value, decrypted (asked for by the person). */
export async function revealConfigKey(clients: AppClients, name: string): Promise<string> {
  const out = await clients.ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
  return out.Parameter?.Value ?? '';
}

/**
 * Every app of the account (their settings parameters under `/<prefix>/apps`): only where no sign-in
 * limits the person to their apps' roles (a local endpoint without sign-in).
 */
export async function discoverApps(clients: AppClients, prefix: string): Promise<string[]> {
  const root = `${appParameterPath(prefix, '')}`.replace(/\/$/, '');
  const apps = new Set<string>();
  let token: string | undefined;
  do {
    const out = await clients.ssm.send(new GetParametersByPathCommand({ Path: root, Recursive: true, ParameterFilters: [{ Key: 'Type', Option: 'Equals', Values: ['String'] }], NextToken: token }));
    for (const p of out.Parameters ?? []) {
      const m = p.Name?.slice(root.length + 1).match(/^([^/]+)\/settings$/);
      if (m && p.Name === settingsParameterName(appParameterPath(prefix, m[1]))) apps.add(m[1]);
    }
    token = out.NextToken;
  } while (token);
  return [...apps].sort();
}
