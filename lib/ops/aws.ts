import { DynamoDBClient, GetItemCommand, QueryCommand, type AttributeValue, type QueryCommandInput } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient, type DescribeExecutionCommandOutput, type HistoryEvent } from '@aws-sdk/client-sfn';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { LambdaClient, GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { ECSClient } from '@aws-sdk/client-ecs';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { CodeBuildClient } from '@aws-sdk/client-codebuild';
import { BUILD_PIPELINES, STATE_MACHINES, type BuildPipelineName, type StateMachineName } from '../../domain/pipelines';
import { appAndBuildOf, appOfParameter, appOfProject, appParameterPath, lambdaLogGroupName, settingsParameterName, stateMachineName } from '../../domain/names';
import { checkAppName } from './name-checks';
import { DEFAULT_PREFIX } from '../../domain/constants';
import { buildOfExecutionInput } from '../../domain/executions';
import { BUILD_PK, buildSortKey, DEPLOY_CLAIM, dynamoKey, readBuildRecord, readCurrentRelease, readDeployClaim, RELEASE_CURRENT, type BuildRecord, type CurrentReleaseItem, type DeployClaimItem } from '../../domain/table';
import { readAppSettings, type AppSettings } from '../../domain/settings';
import { cliClient } from './aws-clients';
import { UsageError } from './usage-error';
import { AWS_ERROR_NAMES, AwsError, describeAwsError, oneLine, type AwsErrorName } from './aws-errors';

/** The AWS clients the pipeline commands use (tests pass clients mocked with aws-sdk-client-mock). */
export interface OpsClients {
  readonly sfn: SFNClient;
  readonly dynamodb: DynamoDBClient;
  readonly sts: STSClient;
  /** Parameter Store: the app's settings parameter, which says where its records and state machines are. */
  readonly ssm: SSMClient;
  /** Optional: finds a failed function's log group (falls back to /aws/lambda/<name>). */
  readonly lambda?: LambdaClient;
  /** Optional: task definitions, for `slipway diff`. */
  readonly ecs?: ECSClient;
  /** Optional: the app's log events, for `slipway logs` and `slipway run`. */
  readonly logs?: CloudWatchLogsClient;
  /** Optional: the app's alarms, for `slipway alarms`. */
  readonly cloudwatch?: CloudWatchClient;
  /** Optional: the services' scalable targets, for `slipway scale`. */
  readonly autoscaling?: ApplicationAutoScalingClient;
  /** Optional: the app's schedule group's tags, for `slipway doctor`. */
  readonly scheduler?: SchedulerClient;
  /** Optional: the app's CodeBuild project, for `slipway build`. */
  readonly codebuild?: CodeBuildClient;
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
    ssm: cliClient((c) => new SSMClient(c)),
    lambda: cliClient((c) => new LambdaClient(c)),
    ecs: cliClient((c) => new ECSClient(c)),
    logs: cliClient((c) => new CloudWatchLogsClient(c)),
    cloudwatch: cliClient((c) => new CloudWatchClient(c)),
    autoscaling: cliClient((c) => new ApplicationAutoScalingClient(c)),
    scheduler: cliClient((c) => new SchedulerClient(c)),
    codebuild: cliClient((c) => new CodeBuildClient(c)),
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
    throw awsCallError(e, what, notFound);
  }
}

/**
 * The error to throw for a failed AWS SDK call, worded by {@link describeAwsError}: NotFound (exit 1) for
 * a missing resource, an AwsError under one of the shared names (NoCredentials, AccessDenied, Throttled,
 * TimedOut, ...) when it is one, else AwsCallFailed.
 */
export function awsCallError(e: unknown, what: string, notFound?: (message: string) => Error): Error {
  const err = e as Error & { $metadata?: unknown; code?: string };
  if (err instanceof NotFound || err instanceof CannotProceed || err instanceof AwsCallFailed || err instanceof UsageError || err instanceof AwsError) return err;
  const name = err?.name ?? 'Error';
  if (/ExecutionDoesNotExist|StateMachineDoesNotExist|ResourceNotFound|NotFound/i.test(name)) {
    const message = oneLine(String(err?.message ?? e));
    return notFound ? notFound(message) : new NotFound(`${what}: not found (${message})`);
  }
  const line = describeAwsError(e, what);
  return (AWS_ERROR_NAMES as readonly string[]).includes(line.name) ? new AwsError(line.name as AwsErrorName, line.message) : new AwsCallFailed(line.message);
}

/**
 * The app's settings parameter exists but is not what the app stack writes (not JSON, or not valid
 * against the settings schema, or another app's): the app stack must be deployed again. Exit 1.
 */
export class InvalidSettings extends Error {
  public override readonly name = 'InvalidSettings';
}

/**
 * The execution the operator named belongs to another app than the one the command is for (the shared
 * control plane's state machines run every app of the cluster): nothing was done. Exit 1.
 */
export class WrongApp extends Error {
  public override readonly name = 'WrongApp';
}

/** Where an app's pipelines live in one account and region. */
export interface AppTarget {
  readonly app: string;
  readonly prefix: string;
  readonly region: string;
  readonly account: string;
  readonly partition: string;
  /** The app's own DynamoDB table (builds, releases, claims): the settings' `table`, or `--table`. */
  readonly tableName: string;
  /** The shared control plane that serves the app (its cluster's name): the settings' `controlPlane`. */
  readonly controlPlane: string;
  /** The app's settings parameter, `/<prefix>/apps/<app>/settings`. */
  readonly settingsParameter: string;
  /** The app's settings, validated. */
  readonly settings: AppSettings;
  /** ARNs of the control plane's state machines (shared by every app of the cluster), by pipeline. */
  readonly stateMachines: Record<StateMachineName, string>;
}

/** Options that locate an app. */
export interface LocateOptions {
  /** Name prefix of the deployment (config `prefix`). @default "slipway" */
  readonly prefix?: string;
  /** The app's table, instead of the one its settings name (a table restored under another name). */
  readonly table?: string;
}

/** `aws`, `aws-cn` or `aws-us-gov`, from the region. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/**
 * Parses and validates the value of an app's settings parameter (JSON, {@link appSettingsSchema}).
 * @throws InvalidSettings naming the parameter, the bad field and what to do.
 */
export function parseSettings(value: string | undefined, parameter: string, app?: string): AppSettings {
  const redeploy = 'deploy the app stack again (npx cdk deploy) with this version of Slipway';
  const read = readAppSettings(value, app);
  if (read.ok) return read.settings;
  switch (read.problem) {
    case 'not-json':
      throw new InvalidSettings(`the settings parameter ${parameter} is not JSON: ${redeploy}`);
    case 'invalid':
      throw new InvalidSettings(`the settings parameter ${parameter} is invalid at ${read.at}: ${read.message}: ${redeploy}`);
    case 'other-app':
      throw new InvalidSettings(`the settings parameter ${parameter} is app "${read.app}"'s, not "${app}"'s: ${redeploy}`);
  }
}

/** Region and account of an SSM parameter ARN (`arn:<partition>:ssm:<region>:<account>:parameter/...`). */
function parameterArnParts(arn: string | undefined): { region: string; account: string } | undefined {
  const m = /^arn:aws[a-z-]*:ssm:([a-z0-9-]+):(\d{12}):parameter\//.exec(arn ?? '');
  return m ? { region: m[1], account: m[2] } : undefined;
}

/**
 * Finds an app from its settings parameter `/<prefix>/apps/<app>/settings` (its entry in the shared
 * control plane): its table (or `options.table`), the control plane that serves it and that control
 * plane's state machines, `<prefix>-<controlPlane>-<pipeline>`, in the parameter's account and the
 * settings' region.
 * @throws NotFound when the parameter does not exist (the app is not deployed here), InvalidSettings
 *   when it is not valid settings.
 */
export async function locateApp(clients: OpsClients, app: string, options: LocateOptions = {}): Promise<AppTarget> {
  checkAppName(app);
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const region = await aws('reading the AWS region', () => clients.ssm.config.region()).catch(() => undefined);
  if (!region) throw new AwsError('NoRegion', 'no AWS region: pass --region, set AWS_REGION, or use a profile with a region');
  const settingsParameter = settingsParameterName(appParameterPath(prefix, app));
  const out = await aws(
    `SSM GetParameter ${settingsParameter}`,
    () => clients.ssm.send(new GetParameterCommand({ Name: settingsParameter })),
    () =>
      new NotFound(
        `app "${app}" is not deployed in region ${region}: there is no settings parameter ${settingsParameter}. Deploy its app stack (npx cdk deploy), check --region/--profile, or pass --prefix if the deployment uses another prefix (slipway apps lists the apps deployed here)`,
      ),
  );
  const settings = parseSettings(out.Parameter?.Value, settingsParameter, app);
  let account = parameterArnParts(out.Parameter?.ARN)?.account;
  if (!account) {
    const identity = await aws('STS GetCallerIdentity', () => clients.sts.send(new GetCallerIdentityCommand({})));
    account = identity.Account;
  }
  if (!account) throw new AwsCallFailed('STS GetCallerIdentity returned no account');
  const at = settings.region;
  const partition = partitionOf(at);
  const stateMachines = Object.fromEntries(
    STATE_MACHINES.map((p) => [p, `arn:${partition}:states:${at}:${account}:stateMachine:${stateMachineName(prefix, settings.controlPlane, p)}`]),
  ) as Record<StateMachineName, string>;
  return { app, prefix, region: at, account, partition, tableName: options.table ?? settings.table, controlPlane: settings.controlPlane, settingsParameter, settings, stateMachines };
}

/** ARN of an execution of one of the control plane's state machines. */
export function executionArn(target: AppTarget, pipeline: StateMachineName, name: string): string {
  return `${target.stateMachines[pipeline].replace(':stateMachine:', ':execution:')}:${name}`;
}

/** Who an execution of the shared control plane is for, as far as its name or input says. */
export interface ExecutionOwner {
  readonly app?: string;
  readonly build?: string;
}

const record = (v: unknown): Record<string, unknown> | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);

/**
 * The app (and build, when known) an execution belongs to: from its name (`<app>--<build>-release`,
 * `<app>--<build>-deploy`, a CLI's `<app>--<build>-redeploy-<time>`), else from its input: `app` (every
 * input the pipelines and the CLI start carries it), or the AWS event that started it: a CodeBuild event
 * of project `<prefix>-<app>`, a Parameter Store change under `/<prefix>/apps/<app>/`, a Slipway milestone
 * (`detail.app`).
 */
export function executionOwner(name: string | undefined, input: string | undefined, prefix: string): ExecutionOwner {
  const fromName = appAndBuildOf(name);
  if (fromName.app) return fromName;
  let parsed: Record<string, unknown> | undefined;
  try {
    parsed = record(JSON.parse(input ?? ''));
  } catch {
    return {};
  }
  if (!parsed) return {};
  const buildOf = (b: unknown): string | undefined => {
    const key = record(b)?.buildKey;
    return typeof key === 'string' ? key : undefined;
  };
  if (typeof parsed.app === 'string') return { app: parsed.app, ...(buildOf(parsed.build) ? { build: buildOf(parsed.build) } : {}) };
  const detail = record(parsed.detail);
  if (!detail) return {};
  const projectApp = parsed.source === 'aws.codebuild' && typeof detail['project-name'] === 'string' ? appOfProject(prefix, detail['project-name']) : undefined;
  if (projectApp) {
    // The build key as the build pipeline records it: the build number, else the build id's UUID.
    const build = buildOfExecutionInput(parsed);
    return { app: projectApp, ...(build !== undefined ? { build } : {}) };
  }
  if (parsed.source === 'aws.ssm' && typeof detail.name === 'string') {
    const app = appOfParameter(prefix, detail.name);
    return app ? { app } : {};
  }
  if (typeof detail.app === 'string') return { app: detail.app };
  return {};
}

/**
 * Checks that an execution of the shared state machines is the app's before a command acts on it.
 * @throws WrongApp when its name or input says it is another app's (or, with `strict`, when neither says).
 */
export function assertExecutionOf(app: string, d: { readonly name?: string; readonly input?: string; readonly executionArn?: string }, prefix: string, strict = false): void {
  const owner = executionOwner(d.name, d.input, prefix);
  if (owner.app === app || (owner.app === undefined && !strict)) return;
  const what = `execution ${d.name ?? d.executionArn ?? '?'}`;
  if (owner.app === undefined) throw new WrongApp(`${what} does not say which app it belongs to (neither its name nor its input names one), so it was left alone: name it by app and build (slipway redrive ${app} <build>)`);
  throw new WrongApp(`${what} belongs to app "${owner.app}", not "${app}": nothing was done (the control plane's state machines run every app of the cluster; see slipway pipelines ${owner.app})`);
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
    throw awsCallError(e, `Step Functions DescribeExecution ${arn}`);
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

/** Checks a build argument: a build number (or the uuid of a build without one). */
export function checkBuildKey(build: string): string {
  const key = /^\d+$/.test(build) ? String(Number(build)) : build;
  if (!/^(\d{1,10}|[0-9a-f-]{36})$/.test(key) || key === '0') throw new UsageError(`"${build}" is not a build number`);
  return key;
}


/** The items of a Query on the app's table, a page at a time, until the last page or the caller stops. */
export async function* queryPages(clients: OpsClients, target: AppTarget, query: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>): AsyncGenerator<Record<string, AttributeValue>[]> {
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await aws(`DynamoDB Query on ${target.tableName}`, () => clients.dynamodb.send(new QueryCommand({ ...query, TableName: target.tableName, ExclusiveStartKey: startKey })));
    yield page.Items ?? [];
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}

/** The most recent builds, newest first. */
export async function recentBuilds(clients: OpsClients, target: AppTarget, limit: number, options: { before?: string; releasedOnly?: boolean } = {}): Promise<BuildRecord[]> {
  const builds: BuildRecord[] = [];
  const query = {
    KeyConditionExpression: options.before ? 'pk = :pk AND sk < :before' : 'pk = :pk',
    ExpressionAttributeValues: { ':pk': { S: BUILD_PK }, ...(options.before ? { ':before': { S: options.before } } : {}) },
    ...(options.releasedOnly ? { FilterExpression: 'attribute_exists(releasedAt)' } : {}),
    ScanIndexForward: false,
    Limit: options.releasedOnly ? Math.max(limit, 25) : limit,
  };
  for await (const items of queryPages(clients, target, query)) {
    builds.push(...items.map(readBuildRecord));
    if (builds.length >= limit) break;
  }
  return builds.slice(0, limit);
}

/** One build's record, or undefined. */
export async function getBuild(clients: OpsClients, target: AppTarget, buildKey: string): Promise<BuildRecord | undefined> {
  const out = await aws(`DynamoDB GetItem on ${target.tableName}`, () =>
    clients.dynamodb.send(new GetItemCommand({ TableName: target.tableName, Key: dynamoKey({ pk: BUILD_PK, sk: buildSortKey(buildKey) }), ConsistentRead: true })),
  );
  return out.Item ? readBuildRecord(out.Item) : undefined;
}

/** The app's current release, or undefined before the first deploy. */
export async function getCurrentRelease(clients: OpsClients, target: AppTarget): Promise<CurrentReleaseItem | undefined> {
  const out = await aws(`DynamoDB GetItem on ${target.tableName}`, () =>
    clients.dynamodb.send(new GetItemCommand({ TableName: target.tableName, Key: dynamoKey(RELEASE_CURRENT), ConsistentRead: true })),
  );
  return readCurrentRelease(out.Item);
}

/** The build holding the app's deploy claim (pk APP, sk DEPLOY), or undefined. */
export async function getDeployClaim(clients: OpsClients, target: AppTarget): Promise<DeployClaimItem | undefined> {
  const out = await aws(`DynamoDB GetItem on ${target.tableName}`, () =>
    clients.dynamodb.send(new GetItemCommand({ TableName: target.tableName, Key: dynamoKey(DEPLOY_CLAIM), ConsistentRead: true })),
  );
  return readDeployClaim(out.Item);
}

/** The log group of a Lambda function (its logging config), else the default `/aws/lambda/<name>`. */
export async function functionLogGroup(clients: OpsClients, functionName: string): Promise<string> {
  const fallback = lambdaLogGroupName(functionName.slice(functionName.lastIndexOf(':function:') >= 0 ? functionName.lastIndexOf(':function:') + 10 : 0).split(':')[0]);
  if (!clients.lambda) return fallback;
  try {
    const out = await clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
    return out.LoggingConfig?.LogGroup ?? fallback;
  } catch {
    // Without lambda:GetFunctionConfiguration the default group name is the best guess.
    return fallback;
  }
}
