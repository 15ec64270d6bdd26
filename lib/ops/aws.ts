import { DynamoDBClient, GetItemCommand, QueryCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, DescribeStateMachineCommand, GetExecutionHistoryCommand, SFNClient, type DescribeExecutionCommandOutput, type HistoryEvent } from '@aws-sdk/client-sfn';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { LambdaClient, GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { ECSClient } from '@aws-sdk/client-ecs';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { BUILD_PIPELINES, STATE_MACHINES, stateMachineName, type BuildPipelineName, type StateMachineName } from '../pipeline-contract';
import { APP_NAME, APP_NAME_MAX } from '../../functions/shared/settings';
import { cliClient } from '../cli/aws-clients';
import { AWS_ERROR_NAMES, AwsError, describeAwsError as describeLine, UsageError, type AwsErrorName } from '../cli/errors';

/** The AWS clients the pipeline commands use (tests pass clients mocked with aws-sdk-client-mock). */
export interface OpsClients {
  readonly sfn: SFNClient;
  readonly dynamodb: DynamoDBClient;
  readonly sts: STSClient;
  /** Optional: finds a failed function's log group (falls back to /aws/lambda/<name>). */
  readonly lambda?: LambdaClient;
  /** Optional: task definitions, for `slipway diff`. */
  readonly ecs?: ECSClient;
  /** Optional: the app's log events, for `slipway logs` and `slipway run`. */
  readonly logs?: CloudWatchLogsClient;
}

/**
 * Clients from the standard SDK chain (AWS_PROFILE, AWS_REGION, SSO, instance roles, ...), with the
 * CLI's bounded timeouts.
 */
export function defaultClients(): OpsClients {
  return {
    sfn: cliClient((c) => new SFNClient(c)),
    dynamodb: cliClient((c) => new DynamoDBClient(c)),
    sts: cliClient((c) => new STSClient(c)),
    lambda: cliClient((c) => new LambdaClient(c)),
    ecs: cliClient((c) => new ECSClient(c)),
    logs: cliClient((c) => new CloudWatchLogsClient(c)),
  };
}

/** Something the operator asked for does not exist (build, execution, app, release). Exit 1. */
export class NotFound extends Error {
  public override readonly name = 'NotFound';
}

/** The pipeline is in a state where the command cannot act (nothing failed, not redrivable, ...). Exit 1. */
export class CannotProceed extends Error {
  public override readonly name = 'CannotProceed';
}

/**
 * An AWS call failed for a reason outside the shared vocabulary (see AWS_ERROR_NAMES); the message is
 * one line that says which call, on what, and the service's error. Exit 1.
 */
export class AwsCallFailed extends Error {
  public override readonly name = 'AwsCallFailed';
}

/**
 * Runs one AWS call and turns its failure into one clear line: missing credentials or region, access
 * denied, a missing resource, or the service's own message, always naming the call.
 */
export async function aws<T>(what: string, call: () => Promise<T>, notFound?: (message: string) => Error): Promise<T> {
  try {
    return await call();
  } catch (e) {
    throw describeAwsError(e, what, notFound);
  }
}

/**
 * The one-line error for an AWS SDK failure: NotFound (exit 1) for a missing resource, one of the
 * shared names (NoCredentials, AccessDenied, Throttled, TimedOut, ...) when it is one, else AwsCallFailed.
 */
export function describeAwsError(e: unknown, what: string, notFound?: (message: string) => Error): Error {
  const err = e as Error & { $metadata?: unknown; code?: string };
  if (err instanceof NotFound || err instanceof CannotProceed || err instanceof AwsCallFailed || err instanceof UsageError || err instanceof AwsError) return err;
  const name = err?.name ?? 'Error';
  if (/ExecutionDoesNotExist|StateMachineDoesNotExist|ResourceNotFound|NotFound/i.test(name)) {
    const message = String(err?.message ?? e).replace(/\s*\n\s*/g, ' ').trim();
    return notFound ? notFound(message) : new NotFound(`${what}: not found (${message})`);
  }
  const line = describeLine(e, what);
  return (AWS_ERROR_NAMES as readonly string[]).includes(line.name) ? new AwsError(line.name as AwsErrorName, line.message) : new AwsCallFailed(line.message);
}

/** Where an app's pipelines live in one account and region. */
export interface AppTarget {
  readonly app: string;
  readonly prefix: string;
  readonly region: string;
  readonly account: string;
  readonly partition: string;
  readonly tableName: string;
  /** State machine ARNs by pipeline. */
  readonly stateMachines: Record<StateMachineName, string>;
}

/** Options that locate an app. */
export interface LocateOptions {
  /** Name prefix of the deployment (config `prefix`). @default "slipway" */
  readonly prefix?: string;
  /** The app's table, when it cannot be read from the build state machine's definition. */
  readonly table?: string;
}

/** `aws`, `aws-cn` or `aws-us-gov`, from the region. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** Checks an app name before it goes into ARNs. */
export function checkAppName(app: string): void {
  if (!APP_NAME.test(app)) throw new UsageError(`"${app}" is not an app name (lowercase letters, digits and hyphens, starting with a letter, ${APP_NAME_MAX} characters at most)`);
}

/** Reads the table name from a state machine definition: the TableName of its first DynamoDB task. */
export function tableFromDefinition(definition: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(definition);
  } catch {
    return undefined;
  }
  const visit = (states: Record<string, Record<string, unknown>> | undefined): string | undefined => {
    for (const state of Object.values(states ?? {})) {
      const resource = state.Resource;
      const params = state.Parameters as Record<string, unknown> | undefined;
      if (typeof resource === 'string' && resource.includes(':::dynamodb:') && typeof params?.TableName === 'string') return params.TableName;
      const inner = (state.ItemProcessor ?? state.Iterator) as { States?: Record<string, Record<string, unknown>> } | undefined;
      const found = visit(inner?.States) ?? ((state.Branches as { States?: Record<string, Record<string, unknown>> }[] | undefined) ?? []).map((b) => visit(b.States)).find(Boolean);
      if (found) return found;
    }
    return undefined;
  };
  return visit((parsed as { States?: Record<string, Record<string, unknown>> }).States);
}

/**
 * Finds an app's state machines (named `<prefix>-<app>-<pipeline>`) in the caller's account and region,
 * and its table (read from the build state machine's definition, or `options.table`).
 */
export async function locateApp(clients: OpsClients, app: string, options: LocateOptions = {}): Promise<AppTarget> {
  checkAppName(app);
  const prefix = options.prefix ?? 'slipway';
  const region = await aws('reading the AWS region', () => clients.sfn.config.region()).catch(() => undefined);
  if (!region) throw new AwsError('NoRegion', 'no AWS region: pass --region, set AWS_REGION, or use a profile with a region');
  const identity = await aws('STS GetCallerIdentity', () => clients.sts.send(new GetCallerIdentityCommand({})));
  const account = identity.Account;
  if (!account) throw new AwsCallFailed('STS GetCallerIdentity returned no account');
  const partition = partitionOf(region);
  const stateMachines = Object.fromEntries(
    STATE_MACHINES.map((p) => [p, `arn:${partition}:states:${region}:${account}:stateMachine:${stateMachineName(prefix, app, p)}`]),
  ) as Record<StateMachineName, string>;
  let tableName = options.table;
  if (!tableName) {
    const described = await aws(
      `Step Functions DescribeStateMachine ${stateMachineName(prefix, app, 'build')}`,
      () => clients.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: stateMachines.build })),
      () => new NotFound(`app "${app}" has no state machine ${stateMachineName(prefix, app, 'build')} in account ${account}, region ${region}: check AWS_REGION/AWS_PROFILE, or pass --prefix if the deployment uses another prefix`),
    );
    tableName = tableFromDefinition(described.definition ?? '');
    if (!tableName) throw new NotFound(`the definition of ${stateMachineName(prefix, app, 'build')} names no DynamoDB table: pass --table <name>`);
  }
  return { app, prefix, region, account, partition, tableName, stateMachines };
}

/** ARN of an execution of one of the app's state machines. */
export function executionArn(target: AppTarget, pipeline: StateMachineName, name: string): string {
  return `arn:${target.partition}:states:${target.region}:${target.account}:execution:${stateMachineName(target.prefix, target.app, pipeline)}:${name}`;
}

/** The parts of an execution ARN. */
export interface ParsedExecutionArn {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  readonly stateMachine: string;
  readonly name: string;
}

/** Parses `arn:aws:states:<region>:<account>:execution:<state machine>:<name>`; undefined if it is not one. */
export function parseExecutionArn(arn: string): ParsedExecutionArn | undefined {
  const m = /^arn:(aws[a-z-]*):states:([a-z0-9-]+):(\d{12}):execution:([A-Za-z0-9_-]{1,80}):([A-Za-z0-9_-]{1,80})$/.exec(arn);
  return m ? { partition: m[1], region: m[2], account: m[3], stateMachine: m[4], name: m[5] } : undefined;
}

/** Which pipeline an execution ARN belongs to, from its state machine name (`...-build`). */
export function pipelineOfArn(arn: string): BuildPipelineName | undefined {
  const parsed = parseExecutionArn(arn);
  return BUILD_PIPELINES.find((p) => parsed?.stateMachine.endsWith(`-${p}`));
}

/** DescribeExecution, or undefined when the execution does not exist. */
export async function describeExecution(clients: OpsClients, arn: string): Promise<DescribeExecutionCommandOutput | undefined> {
  try {
    return await clients.sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
  } catch (e) {
    if ((e as Error).name === 'ExecutionDoesNotExist') return undefined;
    throw describeAwsError(e, `Step Functions DescribeExecution ${arn}`);
  }
}

/** Every event of an execution's history, following nextToken through all pages. */
export async function getFullHistory(clients: OpsClients, arn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await aws(
      `Step Functions GetExecutionHistory ${arn}`,
      () => clients.sfn.send(new GetExecutionHistoryCommand({ executionArn: arn, maxResults: 1000, nextToken, includeExecutionData: true })),
      () => new NotFound(`execution ${arn} does not exist (or is older than Step Functions keeps: 90 days after it closed)`),
    );
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

/** A build as the build pipeline records it (pk BUILD, sk the zero-padded build number). */
export interface BuildItem {
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

/** The app's current release (pk RELEASE, sk CURRENT). */
export interface CurrentRelease {
  readonly buildKey: string;
  readonly buildSortKey: string;
  readonly image?: string;
  readonly commit?: string;
  readonly execution?: string;
  readonly releasedAt?: string;
}

/** The build key's sort key: a build number zero-padded to 10 digits, else the key itself (a uuid). */
export function sortKeyOf(buildKey: string): string {
  return /^\d+$/.test(buildKey) ? buildKey.padStart(10, '0') : buildKey;
}

/** Checks a build argument: a build number (or the uuid of a build without one). */
export function checkBuildKey(build: string): string {
  const key = /^\d+$/.test(build) ? String(Number(build)) : build;
  if (!/^(\d{1,10}|[0-9a-f-]{36})$/.test(key) || key === '0') throw new UsageError(`"${build}" is not a build number`);
  return key;
}

const s = (item: Record<string, AttributeValue>, key: string): string | undefined => item[key]?.S;

function parseProcesses(json: string | undefined): { process: string; taskDefinitionArn: string }[] | undefined {
  if (!json) return undefined;
  try {
    const list = JSON.parse(json) as { process?: unknown; taskDefinitionArn?: unknown }[];
    if (!Array.isArray(list)) return undefined;
    return list.filter((p) => typeof p.process === 'string' && typeof p.taskDefinitionArn === 'string').map((p) => ({ process: p.process as string, taskDefinitionArn: p.taskDefinitionArn as string }));
  } catch {
    return undefined;
  }
}

/** Parses a BUILD item. */
export function buildItem(item: Record<string, AttributeValue>): BuildItem {
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
    releaseProcesses: parseProcesses(s(item, 'releaseProcesses')),
    deployExecution: s(item, 'deployExecution'),
  };
}

/** The most recent builds, newest first. */
export async function recentBuilds(clients: OpsClients, target: AppTarget, limit: number, options: { before?: string; releasedOnly?: boolean } = {}): Promise<BuildItem[]> {
  const builds: BuildItem[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await aws(`DynamoDB Query on ${target.tableName}`, () =>
      clients.dynamodb.send(
        new QueryCommand({
          TableName: target.tableName,
          KeyConditionExpression: options.before ? 'pk = :pk AND sk < :before' : 'pk = :pk',
          ExpressionAttributeValues: { ':pk': { S: 'BUILD' }, ...(options.before ? { ':before': { S: options.before } } : {}) },
          ...(options.releasedOnly ? { FilterExpression: 'attribute_exists(releasedAt)' } : {}),
          ScanIndexForward: false,
          Limit: options.releasedOnly ? Math.max(limit, 25) : limit,
          ExclusiveStartKey: startKey,
        }),
      ),
    );
    builds.push(...(page.Items ?? []).map(buildItem));
    startKey = page.LastEvaluatedKey;
  } while (startKey && builds.length < limit);
  return builds.slice(0, limit);
}

/** One build's record, or undefined. */
export async function getBuild(clients: OpsClients, target: AppTarget, buildKey: string): Promise<BuildItem | undefined> {
  const out = await aws(`DynamoDB GetItem on ${target.tableName}`, () =>
    clients.dynamodb.send(new GetItemCommand({ TableName: target.tableName, Key: { pk: { S: 'BUILD' }, sk: { S: sortKeyOf(buildKey) } }, ConsistentRead: true })),
  );
  return out.Item ? buildItem(out.Item) : undefined;
}

/** The app's current release, or undefined before the first deploy. */
export async function getCurrentRelease(clients: OpsClients, target: AppTarget): Promise<CurrentRelease | undefined> {
  const out = await aws(`DynamoDB GetItem on ${target.tableName}`, () =>
    clients.dynamodb.send(new GetItemCommand({ TableName: target.tableName, Key: { pk: { S: 'RELEASE' }, sk: { S: 'CURRENT' } }, ConsistentRead: true })),
  );
  const item = out.Item;
  if (!item) return undefined;
  return { buildKey: s(item, 'buildKey') ?? '', buildSortKey: s(item, 'buildSortKey') ?? '', image: s(item, 'image'), commit: s(item, 'commit'), execution: s(item, 'execution'), releasedAt: s(item, 'releasedAt') };
}

/** The build holding the app's deploy claim (pk APP, sk DEPLOY), or undefined. */
export async function getDeployClaim(clients: OpsClients, target: AppTarget): Promise<{ buildKey: string; buildSortKey: string; execution?: string } | undefined> {
  const out = await aws(`DynamoDB GetItem on ${target.tableName}`, () =>
    clients.dynamodb.send(new GetItemCommand({ TableName: target.tableName, Key: { pk: { S: 'APP' }, sk: { S: 'DEPLOY' } }, ConsistentRead: true })),
  );
  const item = out.Item;
  if (!item?.buildSortKey?.S) return undefined;
  return { buildKey: s(item, 'buildKey') ?? '', buildSortKey: item.buildSortKey.S, execution: s(item, 'execution') };
}

/** The log group of a Lambda function (its logging config), else the default `/aws/lambda/<name>`. */
export async function functionLogGroup(clients: OpsClients, functionName: string): Promise<string> {
  const fallback = `/aws/lambda/${functionName.slice(functionName.lastIndexOf(':function:') >= 0 ? functionName.lastIndexOf(':function:') + 10 : 0).split(':')[0]}`;
  if (!clients.lambda) return fallback;
  try {
    const out = await clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
    return out.LoggingConfig?.LogGroup ?? fallback;
  } catch {
    // Without lambda:GetFunctionConfiguration the default group name is the best guess.
    return fallback;
  }
}
