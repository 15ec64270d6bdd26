import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DynamoDBClient, GetItemCommand, QueryCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  RedriveExecutionCommand,
  SFNClient,
  StartExecutionCommand,
  type DescribeExecutionCommandOutput,
} from '@aws-sdk/client-sfn';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import type { OpsClients } from '../../../lib/ops/aws';
import {
  cliExecutionName,
  deployBuild,
  executionStatus,
  listPipelines,
  redrive,
  renderPipelines,
  renderRedrive,
  renderStatus,
  rollback,
  watchPipeline,
  type Clock,
} from '../../../lib/ops/commands';
import { deployOutputSchema, pipelinesOutputSchema, redriveOutputSchema, statusOutputSchema, watchOutputSchema } from '../../../lib/ops/schemas';
import { ACCOUNT, APP, deployFailedInMap, execArn, HistoryBuilder, pages, REGION, RELEASE_LOG_LINK, releaseFailed, ROLLBACK_CAUSE, T0 } from './histories';

const sfn = mockClient(SFNClient);
const dynamodb = mockClient(DynamoDBClient);
const sts = mockClient(STSClient);
const lambda = mockClient(LambdaClient);
const clients: OpsClients = { sfn: new SFNClient({ region: REGION }), dynamodb: new DynamoDBClient({ region: REGION }), sts: new STSClient({ region: REGION }), lambda: new LambdaClient({ region: REGION }) };

const TABLE = 'ExampleAppStack-PipelinesTable1234';
const BUILD_SM = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:slipway-${APP}-build`;
const DEPLOY_SM = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:slipway-${APP}-deploy`;
const BUILD_EXEC_42 = execArn('build', '5f0c9a4e-0d7b-4c44-9f1a-2b4f0a8e7c11');
const RELEASE_42 = execArn('release', `${APP}-42-release`);
const DEPLOY_42 = execArn('deploy', `${APP}-42-deploy`);
const BUILD_EXEC_41 = execArn('build', '0b4d5e2a-0000-4c44-9f1a-2b4f0a8e7c11');
const RELEASE_41 = execArn('release', `${APP}-41-release`);
const DEPLOY_41 = execArn('deploy', `${APP}-41-deploy`);

/** A fake clock: sleeping moves time forward at once. */
function fakeClock(start = new Date('2026-11-20T12:00:00Z')): Clock & { slept: number[] } {
  let now = start.getTime();
  const slept: number[] = [];
  return { now: () => new Date(now), sleep: async (ms) => void (slept.push(ms), (now += ms)), slept };
}

const S = (v: string): AttributeValue => ({ S: v });

function buildItem(n: number, extra: Record<string, AttributeValue> = {}): Record<string, AttributeValue> {
  return {
    pk: S('BUILD'),
    sk: S(String(n).padStart(10, '0')),
    buildKey: S(String(n)),
    status: S('SUCCEEDED'),
    statusRank: { N: '1' },
    buildId: S(`arn:aws:codebuild:${REGION}:${ACCOUNT}:build/slipway-example:uuid-${n}`),
    project: S('slipway-example'),
    commit: S(`c0ffee${n}aaaaaaaaaaaa`),
    image: S(`${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/slipway/example:build-${n}`),
    logLink: S('https://console.aws.amazon.com/codesuite/codebuild/logs'),
    eventTime: S('2026-11-20T09:59:00Z'),
    recordedBy: S(n === 42 ? BUILD_EXEC_42 : BUILD_EXEC_41),
    ...extra,
  };
}

const released41 = buildItem(41, {
  releasedAt: S('2026-11-19T10:00:00Z'),
  releaseProcesses: S(JSON.stringify([{ process: 'web', serviceName: 'example-web', deploymentId: 'ecs-svc/1', taskDefinitionArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/slipway-example-web:41`, action: 'updated' }])),
  deployExecution: S(DEPLOY_41),
});

function described(arn: string, status: string, extra: Partial<DescribeExecutionCommandOutput> = {}): DescribeExecutionCommandOutput {
  return { $metadata: {}, executionArn: arn, stateMachineArn: 'sm', name: arn.slice(arn.lastIndexOf(':') + 1), status: status as 'RUNNING', startDate: T0, ...(status !== 'RUNNING' ? { stopDate: new Date(T0.getTime() + 300_000) } : {}), ...extra };
}

const definition = readFileSync(path.join(__dirname, '..', '..', '..', 'statemachines', 'build.asl.json'), 'utf8').replace(/\$\{AppTableName\}/g, TABLE);

beforeEach(() => {
  sfn.reset();
  dynamodb.reset();
  sts.reset();
  lambda.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/oncall`, UserId: 'AIDA' });
  sfn.on(DescribeStateMachineCommand, { stateMachineArn: BUILD_SM }).resolves({ definition, name: `slipway-${APP}-build`, stateMachineArn: BUILD_SM, roleArn: 'r', type: 'STANDARD', creationDate: T0 });
  sfn.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'Execution Does Not Exist', $metadata: {} }));
  dynamodb.on(GetItemCommand).resolves({});
  lambda.on(GetFunctionConfigurationCommand).resolves({ LoggingConfig: { LogGroup: '/aws/lambda/ExampleAppStack-WaitForDeployment-x1', LogFormat: 'JSON' } });
});

/** Serves an execution's history in pages of 10 events, following nextToken. */
function serveHistory(arn: string, events: ReturnType<typeof deployFailedInMap>['events']): void {
  const all = pages(events, 10);
  all.forEach((page, i) => {
    sfn.on(GetExecutionHistoryCommand, { executionArn: arn, nextToken: i === 0 ? undefined : all[i - 1].nextToken }).resolves(page);
  });
}

describe('slipway status', () => {
  test('reads every page and shows the failure inside the Map iteration with its log link', async () => {
    // Prepare
    sfn.on(DescribeExecutionCommand, { executionArn: DEPLOY_42 }).resolves(described(DEPLOY_42, 'FAILED', { error: 'DeploymentRolledBack', cause: ROLLBACK_CAUSE, redriveStatus: 'REDRIVABLE' }));
    const events = deployFailedInMap().events;
    serveHistory(DEPLOY_42, events);

    // Act
    const out = statusOutputSchema.parse(await executionStatus(clients, { arn: DEPLOY_42 }, { clock: fakeClock() }));

    // Assess
    expect(sfn.commandCalls(GetExecutionHistoryCommand)).toHaveLength(Math.ceil(events.length / 10));
    expect(out.eventCount).toBe(events.length);
    expect(out.failure).toMatchObject({ state: 'Wait for the deployment', iteration: [{ map: 'Deploy each process type', index: 0, item: 'web' }], error: 'DeploymentRolledBack', cause: ROLLBACK_CAUSE });
    expect(out.failure?.logLink).toContain('log-group/$252Faws$252Flambda$252FExampleAppStack-WaitForDeployment-x1/log-events');
    expect(lambda).toHaveReceivedCommandWith(GetFunctionConfigurationCommand, { FunctionName: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:slipway-example-wait-for-deployment` });
    expect(out.redrive).toEqual({ possible: true, status: 'REDRIVABLE', reason: null });
  });

  test('counts a throttled attempt as a retry of its step', async () => {
    sfn.on(DescribeExecutionCommand, { executionArn: DEPLOY_42 }).resolves(described(DEPLOY_42, 'FAILED', { error: 'DeploymentRolledBack', redriveStatus: 'REDRIVABLE' }));
    serveHistory(DEPLOY_42, deployFailedInMap().events);

    const out = await executionStatus(clients, { arn: DEPLOY_42 });

    const web = out.steps.find((s) => s.name === 'Create or update the service' && s.iteration[0]?.index === 0);
    expect(web).toMatchObject({ status: 'succeeded', attempts: 2, retries: [{ error: 'Lambda.TooManyRequestsException' }] });
  });

  test('human output names the failed step, iteration, error, log link and redrive command', async () => {
    sfn.on(DescribeExecutionCommand, { executionArn: DEPLOY_42 }).resolves(described(DEPLOY_42, 'FAILED', { error: 'DeploymentRolledBack', cause: ROLLBACK_CAUSE, redriveStatus: 'REDRIVABLE' }));
    serveHistory(DEPLOY_42, deployFailedInMap().events);

    const text = renderStatus(await executionStatus(clients, { arn: DEPLOY_42 }));

    expect(text).toContain('failed at: Wait for the deployment (Deploy each process type #0 web)');
    expect(text).toContain('error: DeploymentRolledBack');
    expect(text).toContain('rolled back by the deployment circuit breaker');
    expect(text).toMatch(/\n {4}#0 web\n {6}✓ Create or update the service .*1 retry \(Lambda\.TooManyRequestsException\)/);
    expect(text).toMatch(/\n {4}#1 worker\n {6}✓ Create or update the service {2}\d+s\n/);
    expect(text).toMatch(/- Wait for the deployment {2}\S+ aborted/);
    expect(text).toContain('logs: https://eu-west-1.console.aws.amazon.com/cloudwatch/home');
    expect(text).toContain(`redrive: possible — slipway redrive ${DEPLOY_42}`);
  });

  test('<app> <build> looks at the furthest pipeline and takes the release log link from the cause', async () => {
    dynamodb.on(GetItemCommand, { Key: { pk: S('BUILD'), sk: S('0000000042') } }).resolves({ Item: buildItem(42) });
    sfn.on(DescribeExecutionCommand, { executionArn: BUILD_EXEC_42 }).resolves(described(BUILD_EXEC_42, 'SUCCEEDED'));
    sfn.on(DescribeExecutionCommand, { executionArn: RELEASE_42 }).resolves(described(RELEASE_42, 'FAILED', { error: 'ReleaseFailed', redriveStatus: 'REDRIVABLE' }));
    serveHistory(RELEASE_42, releaseFailed().events);

    const out = await executionStatus(clients, { app: APP, build: '42' });

    expect(out.execution).toMatchObject({ arn: RELEASE_42, pipeline: 'release', status: 'FAILED' });
    expect(out.failure).toMatchObject({ state: 'Run release task', error: 'States.TaskFailed', executionError: 'ReleaseFailed', logLink: RELEASE_LOG_LINK });
  });

  test('a failed release task without a link in its cause gets the link of its log stream', async () => {
    // Prepare: RunTask's failure ends the execution; the cause is the stopped task, the input has the release plan.
    const h = new HistoryBuilder();
    const run = h.entered('Task', 'Run release task', h.add('ExecutionStarted', 0));
    const started = h.schedule(run, 'ecs', 'runTask.sync', { Cluster: 'production' });
    const task = { taskArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/production/0f1e2d3c`, containers: [{ name: 'web', exitCode: 137 }], stopCode: 'EssentialContainerExited' };
    const failed = h.taskFailed(started, 'ecs', 'runTask.sync', 'States.TaskFailed', JSON.stringify(task));
    h.add('ExecutionFailed', failed, { executionFailedEventDetails: { error: 'States.TaskFailed', cause: JSON.stringify(task) } });
    const input = { release: { logGroup: '/slipway/apps/example', containerName: 'web', region: REGION } };
    sfn.on(DescribeExecutionCommand, { executionArn: RELEASE_42 }).resolves(described(RELEASE_42, 'FAILED', { input: JSON.stringify(input), redriveStatus: 'REDRIVABLE' }));
    serveHistory(RELEASE_42, h.events);

    // Act
    const out = await executionStatus(clients, { arn: RELEASE_42 });

    // Assess
    expect(out.failure?.state).toBe('Run release task');
    expect(out.failure?.logLink).toBe(`https://${REGION}.console.aws.amazon.com/cloudwatch/home?region=${REGION}#logsV2:log-groups/log-group/$252Fslipway$252Fapps$252Fexample/log-events/web$252Fweb$252F0f1e2d3c`);
  });

  test('an execution older than 14 days is not redrivable, and says why', async () => {
    sfn.on(DescribeExecutionCommand, { executionArn: DEPLOY_42 }).resolves(described(DEPLOY_42, 'FAILED', { redriveStatus: 'NOT_REDRIVABLE', redriveStatusReason: 'Execution is older than 14 days' }));
    serveHistory(DEPLOY_42, deployFailedInMap().events);

    const out = await executionStatus(clients, { arn: DEPLOY_42 }, { clock: fakeClock(new Date('2026-12-10T00:00:00Z')) });

    expect(out.redrive.possible).toBe(false);
    expect(out.redrive.reason).toMatch(/^it started more than 14 days ago \(2026-11-20\)/);
  });

  test('an unknown build is NotFound with the command to list builds', async () => {
    await expect(executionStatus(clients, { app: APP, build: '77' })).rejects.toMatchObject({ name: 'NotFound', message: expect.stringContaining('slipway pipelines example') });
  });

  test('access denied is one line naming the call', async () => {
    sfn.on(DescribeExecutionCommand, { executionArn: DEPLOY_42 }).rejects(Object.assign(new Error('User: arn:aws:iam::123456789012:user/x is not authorized to perform: states:DescribeExecution'), { name: 'AccessDeniedException', $metadata: {} }));

    const error = await executionStatus(clients, { arn: DEPLOY_42 }).catch((e: Error) => e);

    expect(error).toMatchObject({ name: 'AccessDenied' });
    expect((error as Error).message).toMatch(/^access denied: Step Functions DescribeExecution arn:aws:states:.*not authorized/);
    expect((error as Error).message).not.toContain('\n');
  });
});

describe('slipway pipelines', () => {
  beforeEach(() => {
    dynamodb.on(QueryCommand).resolves({ Items: [buildItem(42), released41] });
    dynamodb.on(GetItemCommand, { Key: { pk: S('RELEASE'), sk: S('CURRENT') } }).resolves({ Item: { pk: S('RELEASE'), sk: S('CURRENT'), buildKey: S('41'), buildSortKey: S('0000000041') } });
    sfn.on(DescribeExecutionCommand, { executionArn: BUILD_EXEC_42 }).resolves(described(BUILD_EXEC_42, 'SUCCEEDED'));
    sfn.on(DescribeExecutionCommand, { executionArn: RELEASE_42 }).resolves(described(RELEASE_42, 'FAILED', { error: 'ReleaseFailed', cause: 'exit 1' }));
    sfn.on(DescribeExecutionCommand, { executionArn: BUILD_EXEC_41 }).resolves(described(BUILD_EXEC_41, 'SUCCEEDED'));
    sfn.on(DescribeExecutionCommand, { executionArn: RELEASE_41 }).resolves(described(RELEASE_41, 'SUCCEEDED'));
    sfn.on(DescribeExecutionCommand, { executionArn: DEPLOY_41 }).resolves(described(DEPLOY_41, 'SUCCEEDED'));
    serveHistory(RELEASE_42, releaseFailed().events);
  });

  test('lists builds newest first with their three executions side by side', async () => {
    const out = pipelinesOutputSchema.parse(await listPipelines(clients, APP, { limit: 5 }));

    expect(dynamodb).toHaveReceivedCommandWith(QueryCommand, { TableName: TABLE, ScanIndexForward: false, Limit: 5 });
    expect(out.currentRelease).toBe('41');
    expect(out.builds.map((b) => [b.build, b.executions.build?.status, b.executions.release?.status, b.executions.deploy?.status ?? null])).toEqual([
      ['42', 'SUCCEEDED', 'FAILED', null],
      ['41', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED'],
    ]);
    expect(out.builds[0].executions.release?.failedStep).toBe('Run release task');
    expect(out.builds[1]).toMatchObject({ released: true, current: true });
  });

  test('human output shows the failed step and marks the current release', async () => {
    const text = renderPipelines(await listPipelines(clients, APP));

    expect(text).toMatch(/^42 .*SUCCEEDED .*FAILED 5m00s at "Run release task"/m);
    expect(text).toMatch(/^41 \* /m);
    expect(text).toContain('build 42 release: ReleaseFailed — exit 1');
  });

  test('the deploy column shows the latest deploy of a build, a rollback started by the CLI included', async () => {
    // Prepare: build 41 was released by its pipeline, then rolled back to by the CLI, which failed.
    const rollbackArn = execArn('deploy', 'example-41-rollback-20261121T080000Z');
    dynamodb.on(QueryCommand).resolves({ Items: [{ ...released41, failedExecution: S(rollbackArn), failedAt: S('2026-11-21T08:00:05Z'), pipelineError: S('DeploymentRolledBack') }] });
    sfn.on(DescribeExecutionCommand, { executionArn: rollbackArn }).resolves(described(rollbackArn, 'FAILED', { error: 'DeploymentRolledBack' }));
    serveHistory(rollbackArn, deployFailedInMap().events);

    // Act
    const out = await listPipelines(clients, APP);

    // Assess
    expect(out.builds[0].executions.deploy).toMatchObject({ name: 'example-41-rollback-20261121T080000Z', status: 'FAILED', failedStep: 'Wait for the deployment (Deploy each process type #0 web)' });
  });

  test('a missing state machine names the account, region and the --prefix option', async () => {
    sfn.on(DescribeStateMachineCommand, { stateMachineArn: BUILD_SM }).rejects(Object.assign(new Error('State Machine Does Not Exist'), { name: 'StateMachineDoesNotExist', $metadata: {} }));

    await expect(listPipelines(clients, APP)).rejects.toThrow(`app "example" has no state machine slipway-example-build in account ${ACCOUNT}, region ${REGION}`);
  });

  test('an invalid app name is a usage error and calls nothing', async () => {
    await expect(listPipelines(clients, 'Bad_App')).rejects.toMatchObject({ name: 'UsageError' });
    expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(0);
  });
});

describe('slipway redrive', () => {
  beforeEach(() => {
    dynamodb.on(GetItemCommand, { Key: { pk: S('BUILD'), sk: S('0000000042') } }).resolves({ Item: buildItem(42) });
    sfn.on(DescribeExecutionCommand, { executionArn: BUILD_EXEC_42 }).resolves(described(BUILD_EXEC_42, 'SUCCEEDED'));
    serveHistory(RELEASE_42, releaseFailed().events);
    sfn.on(RedriveExecutionCommand).resolves({ redriveDate: new Date('2026-11-20T12:00:00Z') });
  });

  test('redrives the failed pipeline of the build (the release) and follows it with --watch', async () => {
    // Prepare: failed, then running after the redrive, then succeeded.
    sfn
      .on(DescribeExecutionCommand, { executionArn: RELEASE_42 })
      .resolvesOnce(described(RELEASE_42, 'FAILED', { redriveStatus: 'REDRIVABLE' }))
      .resolvesOnce(described(RELEASE_42, 'FAILED', { redriveStatus: 'REDRIVABLE' }))
      .resolvesOnce(described(RELEASE_42, 'RUNNING', { redriveCount: 1 }))
      .resolves(described(RELEASE_42, 'SUCCEEDED', { redriveCount: 1 }));
    sfn.on(GetExecutionHistoryCommand, { executionArn: RELEASE_42, reverseOrder: true }).resolves({ events: releaseFailed().events.slice(0, 6) });
    const clock = fakeClock();
    const progress: string[] = [];

    // Act
    const out = redriveOutputSchema.parse(await redrive(clients, { app: APP, build: '42' }, { clock, watch: { clock, intervalMs: 5000, onProgress: (l) => progress.push(l) } }));

    // Assess
    expect(sfn).toHaveReceivedCommandWith(RedriveExecutionCommand, { executionArn: RELEASE_42 });
    expect(out).toMatchObject({ pipeline: 'release', failedStep: 'Run release task', redriveCount: 1, watched: { status: 'SUCCEEDED', timedOut: false } });
    expect(progress[0]).toMatch(/^example-42-release: running .* — Run release task$/);
    expect(progress[progress.length - 1]).toMatch(/^example-42-release: SUCCEEDED/);
    expect(clock.slept).toEqual([5000]);
    expect(renderRedrive(out)).toMatch(/^redrove example-42-release \(release, redrive 1\) from "Run release task"[^]*\nSUCCEEDED after [^]*\nthe deploy goes on: slipway watch example 42$/);
  });

  test('refuses a succeeded execution without calling RedriveExecution', async () => {
    sfn.on(DescribeExecutionCommand, { executionArn: RELEASE_42 }).resolves(described(RELEASE_42, 'SUCCEEDED'));
    sfn.on(DescribeExecutionCommand, { executionArn: DEPLOY_42 }).resolves(described(DEPLOY_42, 'SUCCEEDED'));

    await expect(redrive(clients, { app: APP, build: '42' })).rejects.toMatchObject({ name: 'CannotProceed', message: expect.stringContaining('slipway deploy example --build 42') });
    expect(sfn.commandCalls(RedriveExecutionCommand)).toHaveLength(0);
  });

  test('refuses a non-redrivable execution with the reason', async () => {
    sfn.on(DescribeExecutionCommand, { executionArn: RELEASE_42 }).resolves(described(RELEASE_42, 'FAILED', { redriveStatus: 'NOT_REDRIVABLE', redriveStatusReason: 'Execution history event limit exceeded' }));

    await expect(redrive(clients, { arn: RELEASE_42 }, { clock: fakeClock() })).rejects.toThrow(/cannot be redriven: its history reached the 25,000-event limit/);
    expect(sfn.commandCalls(RedriveExecutionCommand)).toHaveLength(0);
  });
});

describe('slipway deploy and rollback', () => {
  const releaseInput = { app: APP, build: { buildKey: '41', sortKey: '0000000041', image: 'img:build-41', commit: 'c41', status: 'SUCCEEDED' }, processes: [{ name: 'web', taskDefinitionArn: 'td:41' }], deployTimeoutSeconds: 900, force: false };

  beforeEach(() => {
    dynamodb.on(GetItemCommand, { Key: { pk: S('BUILD'), sk: S('0000000041') } }).resolves({ Item: released41 });
    dynamodb.on(GetItemCommand, { Key: { pk: S('APP'), sk: S('DEPLOY') } }).resolves({ Item: { buildSortKey: S('0000000042'), buildKey: S('42') } });
    dynamodb.on(GetItemCommand, { Key: { pk: S('RELEASE'), sk: S('CURRENT') } }).resolves({ Item: { buildKey: S('42'), buildSortKey: S('0000000042') } });
    sfn.on(DescribeExecutionCommand, { executionArn: RELEASE_41 }).resolves(described(RELEASE_41, 'SUCCEEDED', { input: JSON.stringify(releaseInput) }));
    sfn.on(StartExecutionCommand).callsFake((input: { name: string }) => ({ executionArn: execArn('deploy', input.name), startDate: new Date('2026-11-20T12:00:00Z') }));
  });

  test('deploy of a build older than the one holding the app needs --force', async () => {
    await expect(deployBuild(clients, APP, '41', { clock: fakeClock() })).rejects.toMatchObject({ name: 'CannotProceed', message: expect.stringContaining('pass --force') });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  test('deploy --force starts the deploy state machine with the recorded release and a readable unique name', async () => {
    const out = deployOutputSchema.parse(await deployBuild(clients, APP, '41', { clock: fakeClock(), force: true }));

    const call = sfn.commandCalls(StartExecutionCommand)[0].args[0].input;
    expect(call.stateMachineArn).toBe(DEPLOY_SM);
    expect(call.name).toBe('example-41-redeploy-20261120T120000Z');
    expect(JSON.parse(call.input ?? '')).toEqual({
      app: APP,
      build: releaseInput.build,
      processes: [{ name: 'web', taskDefinitionArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/slipway-example-web:41` }],
      deployTimeoutSeconds: 900,
      force: true,
    });
    expect(out).toMatchObject({ kind: 'deploy', build: '41', from: '42', force: true, name: call.name });
  });

  test('a release whose executions Step Functions no longer keeps is deployed from the build record and the settings', async () => {
    // Prepare: the release execution is gone (closed executions are kept 90 days).
    sfn.on(DescribeExecutionCommand, { executionArn: RELEASE_41 }).rejects(new ExecutionDoesNotExist({ message: 'Execution Does Not Exist', $metadata: {} }));
    const settings = {
      app: APP, region: REGION, cluster: 'production', imageRepositoryUri: 'repo', codeBuildProject: 'slipway-example',
      network: { subnets: ['subnet-1'], securityGroups: ['sg-1'], assignPublicIp: 'DISABLED' },
      capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }],
      deployTimeoutSeconds: 1200,
      processes: { web: { family: 'slipway-example-web', cpu: '256', memory: '512', executionRoleArn: 'e', taskRoleArn: 't', logGroup: '/slipway/apps/example', desiredCount: 1 } },
    };
    dynamodb.on(GetItemCommand, { Key: { pk: S('APP'), sk: S('SETTINGS') } }).resolves({ Item: { pk: S('APP'), sk: S('SETTINGS'), settings: S(JSON.stringify(settings)) } });

    // Act
    await rollback(clients, APP, '41', { clock: fakeClock() });

    // Assess
    const input = JSON.parse(sfn.commandCalls(StartExecutionCommand)[0].args[0].input.input ?? '');
    expect(input).toMatchObject({ deployTimeoutSeconds: 1200, force: true, processes: [{ name: 'web', taskDefinitionArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/slipway-example-web:41` }] });
    expect(input.build).toMatchObject({ buildKey: '41', sortKey: '0000000041', image: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/slipway/example:build-41`, commit: 'c0ffee41aaaaaaaaaaaa' });
  });

  test('a build whose task definitions were never registered cannot be deployed, and says what to do', async () => {
    dynamodb.on(GetItemCommand, { Key: { pk: S('BUILD'), sk: S('0000000043') } }).resolves({ Item: buildItem(43, { pipelineError: S('SettingsNotFound') }) });

    await expect(deployBuild(clients, APP, '43', { clock: fakeClock() })).rejects.toThrow('build 43 has no registered task definitions (its build pipeline stopped before "Register task definitions": SettingsNotFound): nothing to deploy; redrive its build pipeline first (slipway redrive example 43)');
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  test('rollback without --to picks the last released build before the current one, forced', async () => {
    dynamodb.on(QueryCommand).resolves({ Items: [released41] });

    const out = deployOutputSchema.parse(await rollback(clients, APP, undefined, { clock: fakeClock() }));

    expect(dynamodb).toHaveReceivedCommandWith(QueryCommand, { KeyConditionExpression: 'pk = :pk AND sk < :before', ExpressionAttributeValues: { ':pk': S('BUILD'), ':before': S('0000000042') }, FilterExpression: 'attribute_exists(releasedAt)' });
    expect(out).toMatchObject({ kind: 'rollback', build: '41', from: '42', force: true, name: 'example-41-rollback-20261120T120000Z' });
    expect(JSON.parse(sfn.commandCalls(StartExecutionCommand)[0].args[0].input.input ?? '').force).toBe(true);
  });

  test('rollback --to a build that was never released is refused', async () => {
    dynamodb.on(GetItemCommand, { Key: { pk: S('BUILD'), sk: S('0000000040') } }).resolves({ Item: buildItem(40) });

    await expect(rollback(clients, APP, '40', { clock: fakeClock() })).rejects.toThrow('build 40 was never released successfully');
  });

  test('rollback with no earlier release says so', async () => {
    dynamodb.on(QueryCommand).resolves({ Items: [] });

    await expect(rollback(clients, APP, undefined, { clock: fakeClock() })).rejects.toThrow('app "example" has no release before build 42: nothing to roll back to');
  });

  test('execution names stay within 80 characters for long app names and uuid build keys', () => {
    const name = cliExecutionName('a'.repeat(40), '6e2b3c1a-1111-2222-3333-444455556666', 'rollback', new Date('2026-11-20T12:00:00Z'));

    expect(name).toBe(`${'a'.repeat(40)}-6e2b3c1a-rollback-20261120T120000Z`);
    expect(name.length).toBeLessThanOrEqual(80);
  });
});

describe('slipway watch', () => {
  test('follows build 42 from release to a finished deploy', async () => {
    // Prepare: first poll the release runs, second poll the deploy runs, third it succeeded.
    dynamodb.on(GetItemCommand, { Key: { pk: S('BUILD'), sk: S('0000000042') } }).resolves({ Item: buildItem(42) });
    sfn.on(DescribeExecutionCommand, { executionArn: BUILD_EXEC_42 }).resolves(described(BUILD_EXEC_42, 'SUCCEEDED'));
    sfn.on(DescribeExecutionCommand, { executionArn: RELEASE_42 }).resolvesOnce(described(RELEASE_42, 'RUNNING')).resolves(described(RELEASE_42, 'SUCCEEDED'));
    sfn
      .on(DescribeExecutionCommand, { executionArn: DEPLOY_42 })
      .rejectsOnce(new ExecutionDoesNotExist({ message: 'Execution Does Not Exist', $metadata: {} }))
      .resolvesOnce(described(DEPLOY_42, 'RUNNING'))
      .resolves(described(DEPLOY_42, 'SUCCEEDED'));
    sfn.on(GetExecutionHistoryCommand, { executionArn: RELEASE_42, reverseOrder: true }).resolves({ events: releaseFailed().events.slice(0, 6) });
    sfn.on(GetExecutionHistoryCommand, { executionArn: DEPLOY_42, reverseOrder: true }).resolves({ events: deployFailedInMap().events.slice(0, 30) });
    const clock = fakeClock();
    const progress: string[] = [];

    // Act
    const out = watchOutputSchema.parse(await watchPipeline(clients, APP, '42', { clock, intervalMs: 2000, onProgress: (l) => progress.push(l) }));

    // Assess
    expect(out).toMatchObject({ outcome: 'deployed', build: '42' });
    expect(progress).toHaveLength(3);
    expect(progress[0]).toMatch(/^build 42 {2}build ✓ 5m00s {2}release … .* {2}deploy · — example-42-release: running .* — Run release task$/);
    expect(progress[1]).toMatch(/deploy … .* — example-42-deploy: running .* — Wait for the deployment \(Deploy each process type #0 web, #1 worker\)$/);
    expect(progress[2]).toMatch(/deploy ✓ 5m00s$/);
    expect(clock.slept).toEqual([2000, 2000]);
  });

  test('ends with the failed pipeline, step and the commands to go on', async () => {
    dynamodb.on(QueryCommand).resolves({ Items: [buildItem(42)] });
    dynamodb.on(GetItemCommand, { Key: { pk: S('BUILD'), sk: S('0000000042') } }).resolves({ Item: buildItem(42) });
    sfn.on(DescribeExecutionCommand, { executionArn: BUILD_EXEC_42 }).resolves(described(BUILD_EXEC_42, 'SUCCEEDED'));
    sfn.on(DescribeExecutionCommand, { executionArn: RELEASE_42 }).resolves(described(RELEASE_42, 'FAILED', { error: 'ReleaseFailed', cause: 'the release command exited with code 1' }));
    serveHistory(RELEASE_42, releaseFailed().events);

    const out = await watchPipeline(clients, APP, undefined, { clock: fakeClock() });

    expect(out.outcome).toBe('failed');
    expect(out.message).toBe(
      'the release pipeline of build 42 failed at "Run release task": ReleaseFailed — the release command exited with code 1. Details: slipway status example 42; after fixing the cause: slipway redrive example 42',
    );
  });

  test('gives up after the timeout without failing the pipeline', async () => {
    dynamodb.on(GetItemCommand, { Key: { pk: S('BUILD'), sk: S('0000000042') } }).resolves({ Item: buildItem(42, { status: S('IN_PROGRESS') }) });
    sfn.on(DescribeExecutionCommand, { executionArn: BUILD_EXEC_42 }).resolves(described(BUILD_EXEC_42, 'SUCCEEDED'));
    const clock = fakeClock();

    const out = await watchPipeline(clients, APP, '42', { clock, intervalMs: 60_000, timeoutMs: 180_000 });

    expect(out.outcome).toBe('timed-out');
    expect(clock.slept).toEqual([60_000, 60_000, 60_000]);
  });
});
