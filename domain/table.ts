import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { BUILD_SORT_KEY_DIGITS } from './constants';

/**
 * The keys of the items in an app's table and in a control plane's table. The ASL files write some of
 * these items too (their `pk`/`sk` are literals there): test/domain/asl-constants.test.ts checks every
 * literal key in statemachines/ is one of these.
 *
 * | item | pk | sk | written by |
 * |---|---|---|---|
 * | a build's record | `BUILD` | {@link buildSortKey} | build and deploy machines, execution-status |
 * | the running release | `RELEASE` | `CURRENT` | deploy machine |
 * | the deploy claim | `APP` | `DEPLOY` | deploy machine, execution-status |
 * | the config redeploy claim | `CONFIG` | `REDEPLOY` | config-change machine, execution-status |
 * | what execution-status processed | `EXECUTION` | execution ARN | execution-status |
 * | a deploy waiting on ECS (control table) | `WAITER` | {@link waiterSortKey} | update-service, deployment-events |
 * | the sweep's high-water mark (control table) | `SWEEP` | `execution-status` | execution-status |
 * | the numbered releases, their counter, the stored scales | see domain/releases.ts | | update-service, `slipway scale` |
 */

/** A table item's key. */
export interface ItemKey {
  readonly pk: string;
  readonly sk: string;
}

/** The tables' partition-key and sort-key attribute names (both strings). */
export const PARTITION_KEY = 'pk';
export const SORT_KEY = 'sk';

/** Attribute holding an item's expiry (epoch seconds): the TTL attribute of the app and control tables. */
export const TTL_ATTRIBUTE = 'expiresAt';

/** A build's record: `pk = "BUILD"`, `sk = <build sort key>` (the ASL's `$.build.sortKey`). */
export const BUILD_PK = 'BUILD';

/** The current release (what the app's services run): build, image and the processes' revisions. */
export const RELEASE_CURRENT: ItemKey = { pk: 'RELEASE', sk: 'CURRENT' };

/** The app's deploy claim: the newest build being deployed and the execution that holds it. */
export const DEPLOY_CLAIM = { pk: 'APP', sk: 'DEPLOY' } as const satisfies ItemKey;

/** The config-change redeploy claim: a redeploy is scheduled by the execution in `claimedBy`. */
export const CONFIG_REDEPLOY_CLAIM = { pk: 'CONFIG', sk: 'REDEPLOY' } as const satisfies ItemKey;

/**
 * Reserved: an app table created before the settings parameter may still hold its settings under this key.
 * Nothing writes or reads it; it is listed so that no other item takes it (test/domain/table.test.ts).
 */
export const SETTINGS_KEY = { pk: 'APP', sk: 'SETTINGS' } as const satisfies ItemKey;

/**
 * What execution-status last processed for an execution: `pk = "EXECUTION"`, `sk = <execution ARN>`,
 * with the status, redrive count and rank of that event (see functions/execution-status/decide.ts).
 */
export const EXECUTION_PK = 'EXECUTION';

/**
 * execution-status's sweep high-water mark, in the control plane's table: the time up to which it has
 * looked at every stopped execution of the control plane's state machines (`until`, ISO 8601).
 */
export const SWEEP_MARK = { pk: 'SWEEP', sk: 'execution-status' } as const satisfies ItemKey;

/** A deploy waiting on an ECS deployment, in the control plane's table: `pk = "WAITER"`. */
export const WAITER_PK = 'WAITER';

/** A build number (CodeBuild's `build-number`), as opposed to the uuid of a build without one. */
const BUILD_NUMBER = /^\d+$/;

/** The sort key of a build: its number zero-padded to {@link BUILD_SORT_KEY_DIGITS} digits, else the key itself (a uuid). */
export function buildSortKey(buildKey: string): string {
  return BUILD_NUMBER.test(buildKey) ? buildKey.padStart(BUILD_SORT_KEY_DIGITS, '0') : buildKey;
}

/**
 * The build key and sort key of a CodeBuild build: its build number when it has one, else the uuid at
 * the end of its build id (`<project>:<uuid>`).
 */
export function buildKeysOf(buildNumber: number | undefined, buildId: string): { buildKey: string; sortKey: string } {
  const uuid = buildId.slice(buildId.lastIndexOf(':') + 1);
  return buildNumber !== undefined ? { buildKey: String(buildNumber), sortKey: buildSortKey(String(buildNumber)) } : { buildKey: uuid, sortKey: uuid };
}

/** Key of a build's record. */
export function buildRecordKey(buildKey: string): ItemKey {
  return { pk: BUILD_PK, sk: buildSortKey(buildKey) };
}

/** Key of execution-status's marker of an execution. */
export function executionMarkerKey(executionArn: string): ItemKey {
  return { pk: EXECUTION_PK, sk: executionArn };
}

/** Sort key of a waiter: `<service name>#<deployment id>` (a service name `<app>--<process>` is unique in the cluster). */
export function waiterSortKey(serviceName: string, deploymentId: string): string {
  return `${serviceName}#${deploymentId}`;
}

/** The sort-key prefix of every waiter of one service. */
export function waiterSortKeyPrefix(serviceName: string): string {
  return `${serviceName}#`;
}

/** Key of a waiter. */
export function waiterKey(serviceName: string, deploymentId: string): ItemKey {
  return { pk: WAITER_PK, sk: waiterSortKey(serviceName, deploymentId) };
}

/** An item key as DynamoDB's API takes it (`Key: { pk: { S }, sk: { S } }`). */
export function dynamoKey(key: ItemKey): Record<'pk' | 'sk', AttributeValue> {
  return { pk: { S: key.pk }, sk: { S: key.sk } };
}

/** A TTL attribute value `seconds` after `at` (epoch seconds, as DynamoDB's TTL reads it). */
export function expiresAt(at: Date | number, seconds: number): AttributeValue {
  const ms = typeof at === 'number' ? at : at.getTime();
  return { N: String(Math.floor(ms / 1000) + seconds) };
}

/** The current release as the deploy machine writes it (`RELEASE`/`CURRENT`). */
export interface CurrentReleaseItem {
  readonly buildKey: string;
  readonly buildSortKey: string;
  readonly image?: string;
  readonly commit?: string;
  /** JSON: `[{ process, taskDefinitionArn }]` of the services the release runs. */
  readonly processes?: string;
  readonly execution?: string;
  readonly releasedAt?: string;
}

/**
 * Reads the current release item (GetItem's `Item`), or undefined when there is none. An item written
 * before `buildSortKey` was stored gets it from its build key.
 */
export function readCurrentRelease(item: Record<string, AttributeValue> | undefined): CurrentReleaseItem | undefined {
  const buildKey = item?.buildKey?.S;
  if (!item || !buildKey) return undefined;
  const s = (name: string): string | undefined => item[name]?.S;
  return {
    buildKey,
    buildSortKey: s('buildSortKey') ?? buildSortKey(buildKey),
    ...(s('image') !== undefined ? { image: s('image') } : {}),
    ...(s('commit') !== undefined ? { commit: s('commit') } : {}),
    ...(s('processes') !== undefined ? { processes: s('processes') } : {}),
    ...(s('execution') !== undefined ? { execution: s('execution') } : {}),
    ...(s('releasedAt') !== undefined ? { releasedAt: s('releasedAt') } : {}),
  };
}

/** The deploy claim (`APP`/`DEPLOY`): the build that holds the app, and the deploy execution that claimed it. */
export interface DeployClaimItem {
  readonly buildKey: string;
  readonly buildSortKey: string;
  readonly execution?: string;
}

/** Reads the deploy claim item (GetItem's `Item`), or undefined when no build holds the app. */
export function readDeployClaim(item: Record<string, AttributeValue> | undefined): DeployClaimItem | undefined {
  const sortKey = item?.buildSortKey?.S;
  if (!item || !sortKey) return undefined;
  const execution = item.execution?.S;
  return { buildKey: item.buildKey?.S ?? '', buildSortKey: sortKey, ...(execution !== undefined ? { execution } : {}) };
}

/** A build as the build pipeline records it (pk BUILD, sk the zero-padded build number). */
export interface BuildRecord {
  readonly sortKey: string;
  readonly buildKey: string;
  readonly status?: string;
  readonly buildId?: string;
  readonly project?: string;
  readonly commit?: string;
  readonly image?: string;
  readonly logLink?: string;
  readonly eventTime?: string;
  /** The build execution that recorded it (EventBridge starts it under a random name). */
  readonly recordedBy?: string;
  readonly pipelineError?: string;
  readonly pipelineCause?: string;
  readonly failedExecution?: string;
  readonly failedAt?: string;
  /** Set by a deploy that succeeded. */
  readonly releasedAt?: string;
  readonly releaseProcesses?: { process: string; taskDefinitionArn: string }[];
  readonly deployExecution?: string;
}

const s = (item: Record<string, AttributeValue>, key: string): string | undefined => item[key]?.S;

/** A JSON list of `{ process, taskDefinitionArn }` (the release's processes), or undefined when it is not one. */
export function readProcessList(json: string | undefined): { process: string; taskDefinitionArn: string }[] | undefined {
  if (!json) return undefined;
  try {
    const list = JSON.parse(json) as { process?: unknown; taskDefinitionArn?: unknown }[];
    if (!Array.isArray(list)) return undefined;
    return list.filter((p) => typeof p.process === 'string' && typeof p.taskDefinitionArn === 'string').map((p) => ({ process: p.process as string, taskDefinitionArn: p.taskDefinitionArn as string }));
  } catch {
    return undefined;
  }
}

/** Reads a build's record (a `BUILD` item), as the build, deploy and execution-status writers leave it. */
export function readBuildRecord(item: Record<string, AttributeValue>): BuildRecord {
  const sortKey = s(item, 'sk') ?? '';
  return {
    sortKey,
    buildKey: s(item, 'buildKey') ?? sortKey.replace(/^0+(?=\d)/, ''),
    status: s(item, 'status'),
    buildId: s(item, 'buildId'),
    project: s(item, 'project'),
    commit: s(item, 'commit'),
    image: s(item, 'image'),
    logLink: s(item, 'logLink'),
    eventTime: s(item, 'eventTime'),
    recordedBy: s(item, 'recordedBy'),
    pipelineError: s(item, 'pipelineError'),
    pipelineCause: s(item, 'pipelineCause'),
    failedExecution: s(item, 'failedExecution'),
    failedAt: s(item, 'failedAt'),
    releasedAt: s(item, 'releasedAt'),
    releaseProcesses: readProcessList(s(item, 'releaseProcesses')),
    deployExecution: s(item, 'deployExecution'),
  };
}

/**
 * A deploy waiting on an ECS deployment: the task token of its `.waitForTaskToken` state, stored in the
 * shared control plane's table (CONTROL_TABLE_NAME) under `pk = "WAITER"`, `sk = "<service name>#<deployment
 * id>"` (a service name `<app>--<process>` is unique in the cluster), with the app and its table. A settled waiter stays (with
 * `settledAt`) until its TTL: it is the record of which attempt (redrive count) started the deployment,
 * so that a redrive starts a new deployment instead of waiting on the one that failed.
 */
export interface Waiter {
  /** The app whose deploy waits (absent only in waiters written before the shared control plane). */
  readonly app?: string;
  /** The app's table (where its deploy claim and records are). */
  readonly table?: string;
  readonly serviceName: string;
  readonly deploymentId: string;
  readonly process: string;
  readonly taskDefinitionArn: string;
  readonly taskToken: string;
  /** The deploy execution's name. */
  readonly execution: string;
  /** `$$.Execution.RedriveCount` of the attempt that started (or adopted) the deployment. @default 0 */
  readonly redriveCount?: number;
  /** When the deploy gives up on the deployment (ISO time): the sweep's final check then fails it with DeploymentTimedOut. */
  readonly deadline?: string;
  /** The deploy timeout in seconds (for the DeploymentTimedOut cause). */
  readonly timeoutSeconds?: number;
  /** What the deploy did to the service (create, update, reuse, redeploy), passed on in the state's output. */
  readonly action?: string;
  /** When the deploy was resumed (or found closed); a settled waiter is never resumed again. */
  readonly settledAt?: string;
}

/** A waiter as the control table stores it (without its timestamps). */
export function waiterItem(w: Waiter): Record<string, AttributeValue> {
  const item: Record<string, AttributeValue> = {
    ...dynamoKey(waiterKey(w.serviceName, w.deploymentId)),
    serviceName: { S: w.serviceName },
    deploymentId: { S: w.deploymentId },
    process: { S: w.process },
    taskDefinitionArn: { S: w.taskDefinitionArn },
    taskToken: { S: w.taskToken },
    execution: { S: w.execution },
    redriveCount: { N: String(w.redriveCount ?? 0) },
  };
  if (w.app) item.app = { S: w.app };
  if (w.table) item.table = { S: w.table };
  if (w.deadline) item.deadline = { S: w.deadline };
  if (w.timeoutSeconds !== undefined) item.timeoutSeconds = { N: String(w.timeoutSeconds) };
  if (w.action) item.action = { S: w.action };
  if (w.settledAt) item.settledAt = { S: w.settledAt };
  return item;
}

/** Reads a waiter item (Query's `Items`). */
export function readWaiter(item: Record<string, AttributeValue>): Waiter {
  const n = (v: AttributeValue | undefined) => (v?.N !== undefined ? Number(v.N) : undefined);
  return {
    ...(item.app?.S ? { app: item.app.S } : {}),
    ...(item.table?.S ? { table: item.table.S } : {}),
    serviceName: item.serviceName?.S ?? '',
    deploymentId: item.deploymentId?.S ?? '',
    process: item.process?.S ?? '',
    taskDefinitionArn: item.taskDefinitionArn?.S ?? '',
    taskToken: item.taskToken?.S ?? '',
    execution: item.execution?.S ?? '',
    redriveCount: n(item.redriveCount) ?? 0,
    ...(item.deadline?.S ? { deadline: item.deadline.S } : {}),
    ...(n(item.timeoutSeconds) !== undefined ? { timeoutSeconds: n(item.timeoutSeconds) } : {}),
    ...(item.action?.S ? { action: item.action.S } : {}),
    ...(item.settledAt?.S ? { settledAt: item.settledAt.S } : {}),
  };
}
