import 'aws-sdk-client-mock-jest';
import { DynamoDBClient, GetItemCommand, QueryCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  DescribeExecutionCommand,
  ListExecutionsCommand,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  RedriveExecutionCommand,
  SFNClient,
  StartExecutionCommand,
  type DescribeExecutionCommandOutput,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { cliExecutionName } from '../../../domain/names';
import type { OpsClients } from '../../../lib/ops/aws';
import { deployBuild } from '../../../lib/ops/deploy';
import { parseExecutionTarget } from '../../../lib/ops/execution-target';
import { listPipelines, renderPipelines } from '../../../lib/ops/list-pipelines';
import { redrive, renderRedrive } from '../../../lib/ops/redrive';
import { rollback } from '../../../lib/ops/rollback';
import { executionStatus, renderStatus } from '../../../lib/ops/status';
import type { Clock } from '../../../lib/ops/wall-clock';
import { watchPipeline } from '../../../lib/ops/watch';
import { CLI_PERMISSIONS } from '../../../lib/ops/permissions';
import { deployOutputSchema, pipelinesOutputSchema, redriveOutputSchema, statusOutputSchema, watchOutputSchema } from '../../../lib/ops/schemas';
import { fixtureHistory } from './aws-fixtures';
import { serveSettings, settingsFor, stateMachineArn, tableOf } from './settings-fixtures';
import {
  ACCOUNT,
  APP,
  DEPLOY_MAP,
  DEPLOY_TASK,
  deployIterationFailed,
  deploySucceeded,
  ecsTaskCause,
  execArn,
  pages,
  REGION,
  RELEASE_EXIT_1_CAUSE,
  RELEASE_INPUT,
  RELEASE_LOG_LINK,
  releaseRunning,
  releaseTaskFailed,
  ROLLBACK_CAUSE,
  T0,
} from './histories';

const sfn = mockClient(SFNClient);
const dynamodb = mockClient(DynamoDBClient);
const sts = mockClient(STSClient);
const lambda = mockClient(LambdaClient);
const ssm = mockClient(SSMClient);
const clients: OpsClients = { sfn: new SFNClient({ region: REGION }), dynamodb: new DynamoDBClient({ region: REGION }), sts: new STSClient({ region: REGION }), ssm: new SSMClient({ region: REGION }), lambda: new LambdaClient({ region: REGION }) };

/** Another app on the same control plane, whose name starts with "example-". */
const OTHER = 'example-admin';
const TABLE = tableOf(APP);
const BUILD_SM = stateMachineArn('build');
const DEPLOY_SM = stateMachineArn('deploy');
const BUILD_EXEC_42 = execArn('build', '5f0c9a4e-0d7b-4c44-9f1a-2b4f0a8e7c11');
const RELEASE_42 = execArn('release', `${APP}--42-release`);
const DEPLOY_42 = execArn('deploy', `${APP}--42-deploy`);
const BUILD_EXEC_41 = execArn('build', '0b4d5e2a-0000-4c44-9f1a-2b4f0a8e7c11');
const RELEASE_41 = execArn('release', `${APP}--41-release`);
const DEPLOY_41 = execArn('deploy', `${APP}--41-deploy`);

/** A fake clock: sleeping moves time forward at once. */
function fakeClock(start = new Date('2026-11-20T12:00:00Z')): Clock & { slept: number[] } {
  let now = start.getTime();
  const slept: number[] = [];
  return { now: () => new Date(now), sleep: async (ms) => void (slept.push(ms), (now += ms)), slept };
}

const S = (v: string): AttributeValue => ({ S: v });

/** The input of a build execution: the CodeBuild event EventBridge started it with (project `slipway-<app>`). */
function codeBuildEvent(app: string, build?: number): string {
  return JSON.stringify({
    source: 'aws.codebuild',
    'detail-type': 'CodeBuild Build State Change',
    detail: { 'project-name': `slipway-${app}`, 'build-status': 'FAILED', ...(build !== undefined ? { 'additional-information': { 'build-number': build } } : {}) },
  });
}

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
  releaseProcesses: S(JSON.stringify([{ process: 'web', serviceName: 'example--web', deploymentId: 'ecs-svc/1', taskDefinitionArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/slipway-example--web:41`, action: 'updated' }])),
  deployExecution: S(DEPLOY_41),
});

function described(arn: string, status: string, extra: Partial<DescribeExecutionCommandOutput> = {}): DescribeExecutionCommandOutput {
  return { $metadata: {}, executionArn: arn, stateMachineArn: 'sm', name: arn.slice(arn.lastIndexOf(':') + 1), status: status as 'RUNNING', startDate: T0, ...(status !== 'RUNNING' ? { stopDate: new Date(T0.getTime() + 300_000) } : {}), ...extra };
}

beforeEach(() => {
  sfn.reset();
  dynamodb.reset();
  sts.reset();
  lambda.reset();
  ssm.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/oncall`, UserId: 'AIDA' });
  serveSettings(ssm, { [APP]: settingsFor(APP, { deployTimeoutSeconds: 1200 }), [OTHER]: settingsFor(OTHER) });
  sfn.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'Execution Does Not Exist', $metadata: {} }));
  sfn.on(ListExecutionsCommand).resolves({ executions: [] });
  dynamodb.on(GetItemCommand).resolves({});
  lambda.on(GetFunctionConfigurationCommand).resolves({ LoggingConfig: { LogGroup: '/aws/lambda/ExampleAppStack-WaitForDeployment-x1', LogFormat: 'JSON' } });
});

/** Serves an execution's history in pages of 10 events, following nextToken. */
function serveHistory(arn: string, events: HistoryEvent[]): void {
  const all = pages(events, 10);
  all.forEach((page, i) => {
    sfn.on(GetExecutionHistoryCommand, { executionArn: arn, nextToken: i === 0 ? undefined : all[i - 1].nextToken }).resolves(page);
  });
}

/** A deploy that found a newer build holding the app: the recorded catch-to-Fail history (03) with our names. */
function supersededHistory(): HistoryEvent[] {
  return fixtureHistory('03-task-catch-to-fail', {
    rename: { GetMissingObject: 'Claim the app for this build', KeyMissing: 'A newer build holds the app', Done: 'Claimed' },
    errors: { GetMissingObject: 'DynamoDB.ConditionalCheckFailedException' },
    executionFailed: { error: 'DeploymentSuperseded', cause: 'build 43 holds the app' },
  });
}

/** A build execution started by a malformed event: the recorded Fail-state history (09) with our names. */
function invalidEventHistory(): HistoryEvent[] {
  return fixtureHistory('09-fail-state-direct', { rename: { Boom: 'Reject the malformed event' }, executionFailed: { error: 'InvalidEvent', cause: 'the CodeBuild event has no build number' } });
}

describe('slipway status', () => {
  test('reads every page; the failure is in the Map iteration; a redrive re-runs that iteration only', async () => {
    // Prepare
    sfn.on(DescribeExecutionCommand, { executionArn: DEPLOY_42 }).resolves(described(DEPLOY_42, 'FAILED', { error: 'DeploymentRolledBack', cause: ROLLBACK_CAUSE, redriveStatus: 'REDRIVABLE' }));
    const events = deployIterationFailed().events;
    serveHistory(DEPLOY_42, events);

    // Act
    const out = statusOutputSchema.parse(await executionStatus(clients, { arn: DEPLOY_42 }, { clock: fakeClock() }));

    // Assess
    expect(sfn.commandCalls(GetExecutionHistoryCommand)).toHaveLength(Math.ceil(events.length / 10));
    expect(out.eventCount).toBe(events.length);
    expect(out.failure).toMatchObject({ state: DEPLOY_TASK, iteration: [{ map: DEPLOY_MAP, index: 0, item: 'web' }], error: 'DeploymentRolledBack', cause: ROLLBACK_CAUSE, summary: ROLLBACK_CAUSE });
    expect(out.failure?.logLink).toContain('log-group/$252Faws$252Flambda$252FExampleAppStack-WaitForDeployment-x1/log-events');
    expect(lambda).toHaveReceivedCommandWith(GetFunctionConfigurationCommand, { FunctionName: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:slipway-example-deploy-process` });
    expect(out.redrive).toMatchObject({ verdict: 'possible', possible: true, status: 'REDRIVABLE', reason: null });
    expect(out.redrive.rerun).toEqual([
      { state: DEPLOY_MAP, type: 'Map', iteration: [] },
      { state: DEPLOY_TASK, type: 'Task', iteration: [{ map: DEPLOY_MAP, index: 0, item: 'web' }] },
    ]);
  });

  test('the failed step shows its retried attempt and when it failed', async () => {
    sfn.on(DescribeExecutionCommand, { executionArn: DEPLOY_42 }).resolves(described(DEPLOY_42, 'FAILED', { error: 'DeploymentRolledBack', redriveStatus: 'REDRIVABLE' }));
    const events = deployIterationFailed().events;
    serveHistory(DEPLOY_42, events);
    const rolledBackAt = events.find((e) => e.taskFailedEventDetails?.error === 'DeploymentRolledBack')?.timestamp;

    const out = await executionStatus(clients, { arn: DEPLOY_42 });

    const web = out.steps.find((s) => s.name === DEPLOY_TASK && s.iteration[0]?.index === 0);
    const worker = out.steps.find((s) => s.name === DEPLOY_TASK && s.iteration[0]?.index === 1);
    expect(web).toMatchObject({ status: 'failed', attempts: 2, retries: [{ error: 'Lambda.TooManyRequestsException' }], error: 'DeploymentRolledBack', exited: false, rerun: true, exitedAt: rolledBackAt?.toISOString() });
    expect(worker).toMatchObject({ status: 'succeeded', exited: true, rerun: false });
    expect(out.failure?.at).toBe(rolledBackAt?.toISOString());
  });

  test('human output names the failed step, iteration, error, log link and what a redrive re-runs', async () => {
    sfn.on(DescribeExecutionCommand, { executionArn: DEPLOY_42 }).resolves(described(DEPLOY_42, 'FAILED', { error: 'DeploymentRolledBack', cause: ROLLBACK_CAUSE, redriveStatus: 'REDRIVABLE' }));
    serveHistory(DEPLOY_42, deployIterationFailed().events);

    const text = renderStatus(await executionStatus(clients, { arn: DEPLOY_42 }));

    expect(text).toContain(`failed at: ${DEPLOY_TASK} (${DEPLOY_MAP} #0 web)`);
    expect(text).toContain('error: DeploymentRolledBack');
    expect(text).toContain('cause: ECS deployment ecs-svc/123 of service example--web was rolled back by the deployment circuit breaker');
    expect(text).toMatch(new RegExp(`\n {4}#0 web\n {6}✗ ${DEPLOY_TASK} .*1 retry \\(Lambda\\.TooManyRequestsException\\) error DeploymentRolledBack {2}← a redrive re-runs this\n`));
    expect(text).toMatch(new RegExp(`\n {4}#1 worker\n {6}✓ ${DEPLOY_TASK} {2}1m\\d\\ds(\n|$)`));
    expect(text).toContain('logs: https://eu-west-1.console.aws.amazon.com/cloudwatch/home');
    expect(text).toContain(`redrive: possible — re-runs "${DEPLOY_TASK}" (${DEPLOY_MAP} #0 web): slipway redrive ${DEPLOY_42}`);
  });

  test('<app> <build>: the release task failed uncaught at "Run release task"; the ECS task becomes one line with its log link', async () => {
    // Prepare
    dynamodb.on(GetItemCommand, { Key: { pk: S('BUILD'), sk: S('0000000042') } }).resolves({ Item: buildItem(42) });
    sfn.on(DescribeExecutionCommand, { executionArn: BUILD_EXEC_42 }).resolves(described(BUILD_EXEC_42, 'SUCCEEDED'));
    sfn.on(DescribeExecutionCommand, { executionArn: RELEASE_42 }).resolves(described(RELEASE_42, 'FAILED', { error: 'States.TaskFailed', cause: RELEASE_EXIT_1_CAUSE, input: JSON.stringify(RELEASE_INPUT), redriveStatus: 'REDRIVABLE' }));
    serveHistory(RELEASE_42, releaseTaskFailed().events);

    // Act
    const out = await executionStatus(clients, { app: APP, build: '42' });

    // Assess
    expect(out.execution).toMatchObject({ arn: RELEASE_42, pipeline: 'release', status: 'FAILED' });
    expect(out.failure).toMatchObject({ state: 'Run release task', error: 'States.TaskFailed', executionError: 'States.TaskFailed', logLink: RELEASE_LOG_LINK });
    expect(out.failure?.summary).toBe(`container "web" exited with code 1 in ECS task 0f1e2d3c4b5a; stop code EssentialContainerExited: Essential container in task exited; logs: ${RELEASE_LOG_LINK}`);
    expect(out.redrive).toMatchObject({ verdict: 'possible', rerun: [{ state: 'Run release task', type: 'Task', iteration: [] }] });
    expect(renderStatus(out)).toContain(`redrive: possible — re-runs "Run release task": slipway redrive ${RELEASE_42}`);
  });

  test('a release task that failed to start says so, from the ECS task in the cause', async () => {
    const cause = ecsTaskCause({}, { StopCode: 'TaskFailedToStart', StoppedReason: 'ResourceInitializationError: unable to pull secrets or registry auth' });
    sfn.on(DescribeExecutionCommand, { executionArn: RELEASE_42 }).resolves(described(RELEASE_42, 'FAILED', { error: 'States.TaskFailed', cause, redriveStatus: 'REDRIVABLE' }));
    serveHistory(RELEASE_42, releaseTaskFailed(cause).events);

    const text = renderStatus(await executionStatus(clients, { arn: RELEASE_42 }));

    expect(text).toContain('cause: the ECS task 0f1e2d3c4b5a failed to start (container "web" never ran); stop code TaskFailedToStart: ResourceInitializationError: unable to pull secrets or registry auth');
  });

  test('DeploymentSuperseded (a Fail state): "redrive would not help" and what does, never "redrive: possible"', async () => {
    dynamodb.on(GetItemCommand, { Key: { pk: S('BUILD'), sk: S('0000000042') } }).resolves({ Item: buildItem(42) });
    sfn.on(DescribeExecutionCommand, { executionArn: BUILD_EXEC_42 }).resolves(described(BUILD_EXEC_42, 'SUCCEEDED'));
    sfn.on(DescribeExecutionCommand, { executionArn: RELEASE_42 }).resolves(described(RELEASE_42, 'SUCCEEDED'));
    sfn.on(DescribeExecutionCommand, { executionArn: DEPLOY_42 }).resolves(described(DEPLOY_42, 'FAILED', { error: 'DeploymentSuperseded', cause: 'build 43 holds the app', redriveStatus: 'REDRIVABLE' }));
    serveHistory(DEPLOY_42, supersededHistory());

    const out = statusOutputSchema.parse(await executionStatus(clients, { app: APP, build: '42' }));
    const text = renderStatus(out);

    expect(out.redrive).toMatchObject({ verdict: 'would-not-help', possible: false, rerun: [{ state: 'A newer build holds the app', type: 'Fail', iteration: [] }] });
    expect(text).toMatch(/\nredrive would not help: a newer build holds the app \(DeploymentSuperseded: build 43 holds the app\); a redrive re-enters the Fail state "A newer build holds the app" and stops again\n/);
    expect(text).toContain('instead: nothing, if the newer build should run; to put build 42 back on purpose: slipway deploy example --build 42 --force');
    expect(text).not.toContain('redrive: possible');
  });

  test('InvalidEvent on a build execution named by its ARN: the app comes from its input, the CodeBuild event of project slipway-example', async () => {
    sfn.on(DescribeExecutionCommand, { executionArn: BUILD_EXEC_42 }).resolves(described(BUILD_EXEC_42, 'FAILED', { error: 'InvalidEvent', redriveStatus: 'REDRIVABLE', input: codeBuildEvent(APP) }));
    serveHistory(BUILD_EXEC_42, invalidEventHistory());

    const out = await executionStatus(clients, { arn: BUILD_EXEC_42 });

    expect(out.redrive.verdict).toBe('would-not-help');
    expect(out.redrive.instead).toBe('start a new build, or deploy a recorded one: slipway pipelines example, then slipway deploy example --build <N>');
    expect(out.failure).toMatchObject({ state: 'Reject the malformed event', error: 'InvalidEvent', summary: 'the CodeBuild event has no build number' });
  });

  test("DescribeExecution's NOT_REDRIVABLE wins: not possible, with Step Functions' status and reason as AWS gives them", async () => {
    sfn.on(DescribeExecutionCommand, { executionArn: DEPLOY_42 }).resolves(described(DEPLOY_42, 'FAILED', { redriveStatus: 'NOT_REDRIVABLE', redriveStatusReason: 'Execution redrivable period exceeded.' }));
    serveHistory(DEPLOY_42, deployIterationFailed().events);

    const out = await executionStatus(clients, { arn: DEPLOY_42 }, { clock: fakeClock(new Date('2026-12-10T00:00:00Z')) });

    expect(out.redrive).toMatchObject({ verdict: 'not-redrivable', possible: false, status: 'NOT_REDRIVABLE', statusReason: 'Execution redrivable period exceeded.', instead: 'start a new execution: slipway deploy example --build 42' });
    expect(out.redrive.reason).toBe('it closed more than 14 days ago (2026-11-20): Step Functions redrives an execution only within 14 days of when it closed (Step Functions: Execution redrivable period exceeded.)');
    expect(renderStatus(out)).toMatch(/\nredrive: not possible — it closed more than 14 days ago \(2026-11-20\)[^\n]*\ninstead: start a new execution: slipway deploy example --build 42\nstep functions: NOT_REDRIVABLE — Execution redrivable period exceeded\.$/);
  });

  test('a running execution: its running state, no failure, no redrive line', async () => {
    sfn.on(DescribeExecutionCommand, { executionArn: RELEASE_42 }).resolves(described(RELEASE_42, 'RUNNING', { redriveStatus: 'NOT_REDRIVABLE', redriveStatusReason: 'Execution is RUNNING and cannot be redriven' }));
    serveHistory(RELEASE_42, releaseRunning().events);

    const out = await executionStatus(clients, { arn: RELEASE_42 });
    const text = renderStatus(out);

    expect(out.failure).toBeNull();
    expect(out.redrive).toMatchObject({ verdict: 'not-failed', possible: false, rerun: [] });
    expect(out.steps.map((s) => [s.name, s.status])).toEqual([
      ['Does the app have a release command?', 'succeeded'],
      ['Run release task', 'running'],
    ]);
    expect(text).toMatch(/… Run release task {2}- running/);
    expect(text).not.toContain('redrive');
  });

  test('names and causes from AWS are printed escaped', async () => {
    const hostile = 'boom\u001b]8;;https://evil.example\u0007here\u001b[2J';
    sfn.on(DescribeExecutionCommand, { executionArn: RELEASE_42 }).resolves(described(RELEASE_42, 'FAILED', { error: 'States.TaskFailed', redriveStatus: 'REDRIVABLE' }));
    serveHistory(RELEASE_42, releaseTaskFailed(hostile).events);

    const text = renderStatus(await executionStatus(clients, { arn: RELEASE_42 }));

    expect(text).not.toContain('\u001b');
    expect(text).toContain('cause: boom\\e]8;;https://evil.example\\x07here\\e[2J');
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
    serveHistory(RELEASE_42, releaseTaskFailed().events);
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
    const rollbackArn = execArn('deploy', 'example--41-rollback-20261121T080000Z');
    dynamodb.on(QueryCommand).resolves({ Items: [{ ...released41, failedExecution: S(rollbackArn), failedAt: S('2026-11-21T08:00:05Z'), pipelineError: S('DeploymentRolledBack') }] });
    sfn.on(DescribeExecutionCommand, { executionArn: rollbackArn }).resolves(described(rollbackArn, 'FAILED', { error: 'DeploymentRolledBack' }));
    serveHistory(rollbackArn, deployIterationFailed().events);

    // Act
    const out = await listPipelines(clients, APP);

    // Assess
    expect(out.builds[0].executions.deploy).toMatchObject({ name: 'example--41-rollback-20261121T080000Z', status: 'FAILED', failedStep: `${DEPLOY_TASK} (${DEPLOY_MAP} #0 web)` });
  });

  test('an app without a settings parameter is not deployed here: NotFound names the parameter, the region and --prefix', async () => {
    const error = await listPipelines(clients, 'nope').catch((e: Error) => e);

    expect(error).toMatchObject({ name: 'NotFound', message: expect.stringContaining(`app "nope" is not deployed in region ${REGION}: there is no settings parameter /slipway/apps/nope/settings`) });
    expect((error as Error).message).toContain('--prefix');
    expect(dynamodb.calls()).toHaveLength(0);
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
    sfn.on(RedriveExecutionCommand).resolves({ redriveDate: new Date('2026-11-20T12:00:00Z') });
  });

  test('redrives the release that failed at "Run release task", says AWS re-runs that Task, and follows it with --watch', async () => {
    // Prepare: failed, then running after the redrive, then succeeded.
    serveHistory(RELEASE_42, releaseTaskFailed().events);
    sfn
      .on(DescribeExecutionCommand, { executionArn: RELEASE_42 })
      .resolvesOnce(described(RELEASE_42, 'FAILED', { redriveStatus: 'REDRIVABLE' }))
      .resolvesOnce(described(RELEASE_42, 'FAILED', { redriveStatus: 'REDRIVABLE' }))
      .resolvesOnce(described(RELEASE_42, 'RUNNING', { redriveCount: 1 }))
      .resolves(described(RELEASE_42, 'SUCCEEDED', { redriveCount: 1 }));
    sfn.on(GetExecutionHistoryCommand, { executionArn: RELEASE_42, reverseOrder: true }).resolves({ events: releaseRunning().events });
    const clock = fakeClock();
    const progress: string[] = [];

    // Act
    const out = redriveOutputSchema.parse(await redrive(clients, { app: APP, build: '42' }, { clock, watch: { clock, intervalMs: 5000, onProgress: (l) => progress.push(l) } }));

    // Assess
    expect(sfn).toHaveReceivedCommandWith(RedriveExecutionCommand, { executionArn: RELEASE_42 });
    expect(out).toMatchObject({ pipeline: 'release', failedStep: 'Run release task', rerun: [{ state: 'Run release task', type: 'Task', iteration: [] }], rerunLabels: ['Run release task'], redriveCount: 1, watched: { status: 'SUCCEEDED', timedOut: false } });
    expect(progress[0]).toMatch(/^example--42-release: running .* — Run release task$/);
    expect(progress[progress.length - 1]).toMatch(/^example--42-release: SUCCEEDED/);
    expect(clock.slept).toEqual([5000]);
    expect(renderRedrive(out)).toMatch(/^redrove example--42-release \(release, redrive 1\) at 2026-11-20 12:00:00Z: Step Functions re-runs "Run release task"\n[^]*\nSUCCEEDED after [^]*\nthe deploy goes on: slipway watch example 42$/);
  });

  test('a deploy whose web iteration failed: AWS re-runs that iteration only, not the worker that succeeded', async () => {
    sfn.on(DescribeExecutionCommand, { executionArn: DEPLOY_42 }).resolves(described(DEPLOY_42, 'FAILED', { error: 'DeploymentRolledBack', redriveStatus: 'REDRIVABLE' }));
    serveHistory(DEPLOY_42, deployIterationFailed().events);

    const out = await redrive(clients, { arn: DEPLOY_42 });

    expect(sfn).toHaveReceivedCommandWith(RedriveExecutionCommand, { executionArn: DEPLOY_42 });
    expect(out.rerunLabels).toEqual([`${DEPLOY_TASK} (${DEPLOY_MAP} #0 web)`]);
    expect(renderRedrive(out)).toContain(`Step Functions re-runs "${DEPLOY_TASK}" (${DEPLOY_MAP} #0 web)`);
  });

  test('refuses DeploymentSuperseded in one line with what helps, without calling RedriveExecution', async () => {
    sfn.on(DescribeExecutionCommand, { executionArn: RELEASE_42 }).resolves(described(RELEASE_42, 'SUCCEEDED'));
    sfn.on(DescribeExecutionCommand, { executionArn: DEPLOY_42 }).resolves(described(DEPLOY_42, 'FAILED', { error: 'DeploymentSuperseded', redriveStatus: 'REDRIVABLE' }));
    serveHistory(DEPLOY_42, supersededHistory());

    const error = await redrive(clients, { app: APP, build: '42' }).catch((e: Error) => e);

    expect(error).toMatchObject({ name: 'CannotProceed' });
    expect((error as Error).message).toMatch(/^build 42 of "example": example--42-deploy was not redriven: redrive would not help: a newer build holds the app \(DeploymentSuperseded: build 43 holds the app\).*\. Instead: .*slipway deploy example --build 42 --force$/);
    expect((error as Error).message).not.toContain('\n');
    expect(sfn.commandCalls(RedriveExecutionCommand)).toHaveLength(0);
  });

  test('refuses InvalidEvent: the same input would be rejected again', async () => {
    sfn.on(DescribeExecutionCommand, { executionArn: BUILD_EXEC_42 }).resolves(described(BUILD_EXEC_42, 'FAILED', { error: 'InvalidEvent', redriveStatus: 'REDRIVABLE' }));
    serveHistory(BUILD_EXEC_42, invalidEventHistory());

    await expect(redrive(clients, { arn: BUILD_EXEC_42 })).rejects.toThrow(/was not redriven: redrive would not help: the event that started it is malformed \(InvalidEvent: the CodeBuild event has no build number\) and a redrive runs with the same input\. Instead: start a new build/);
    expect(sfn.commandCalls(RedriveExecutionCommand)).toHaveLength(0);
  });

  test('refuses a succeeded execution without calling RedriveExecution', async () => {
    sfn.on(DescribeExecutionCommand, { executionArn: RELEASE_42 }).resolves(described(RELEASE_42, 'SUCCEEDED'));
    sfn.on(DescribeExecutionCommand, { executionArn: DEPLOY_42 }).resolves(described(DEPLOY_42, 'SUCCEEDED'));

    await expect(redrive(clients, { app: APP, build: '42' })).rejects.toMatchObject({ name: 'CannotProceed', message: expect.stringContaining('slipway deploy example --build 42') });
    expect(sfn.commandCalls(RedriveExecutionCommand)).toHaveLength(0);
  });

  test('refuses a running execution, and says how to follow it', async () => {
    sfn.on(DescribeExecutionCommand, { executionArn: RELEASE_42 }).resolves(described(RELEASE_42, 'RUNNING', { redriveStatus: 'NOT_REDRIVABLE', redriveStatusReason: 'Execution is RUNNING and cannot be redriven' }));

    await expect(redrive(clients, { app: APP, build: '42' })).rejects.toThrow('build 42 of "example": example--42-release is still running; nothing to redrive (follow it with slipway watch example 42)');
    expect(sfn.commandCalls(RedriveExecutionCommand)).toHaveLength(0);
  });

  test('refuses NOT_REDRIVABLE with the reason, even when the history says a Task would re-run', async () => {
    sfn.on(DescribeExecutionCommand, { executionArn: RELEASE_42 }).resolves(described(RELEASE_42, 'FAILED', { redriveStatus: 'NOT_REDRIVABLE', redriveStatusReason: 'Execution history event limit exceeded' }));
    serveHistory(RELEASE_42, releaseTaskFailed().events);

    await expect(redrive(clients, { arn: RELEASE_42 }, { clock: fakeClock() })).rejects.toThrow(
      'example--42-release cannot be redriven: its history reached the 25,000-event limit (Step Functions: Execution history event limit exceeded). Instead: start a new execution: slipway deploy example --build 42',
    );
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
    expect(call.name).toBe('example--41-redeploy-20261120T120000Z');
    expect(JSON.parse(call.input ?? '')).toEqual({
      app: APP,
      table: TABLE,
      build: releaseInput.build,
      processes: [{ name: 'web', taskDefinitionArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/slipway-example--web:41` }],
      deployTimeoutSeconds: 900,
      force: true,
    });
    expect(out).toMatchObject({ kind: 'deploy', build: '41', from: '42', force: true, name: call.name });
  });

  test('a release whose executions Step Functions no longer keeps is deployed from the build record and the settings parameter', async () => {
    // Prepare: the release execution is gone (closed executions are kept 90 days); the settings say 1200 s.
    sfn.on(DescribeExecutionCommand, { executionArn: RELEASE_41 }).rejects(new ExecutionDoesNotExist({ message: 'Execution Does Not Exist', $metadata: {} }));

    // Act
    await rollback(clients, APP, '41', { clock: fakeClock() });

    // Assess
    const input = JSON.parse(sfn.commandCalls(StartExecutionCommand)[0].args[0].input.input ?? '');
    expect(input).toMatchObject({ deployTimeoutSeconds: 1200, force: true, processes: [{ name: 'web', taskDefinitionArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/slipway-example--web:41` }] });
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
    expect(out).toMatchObject({ kind: 'rollback', build: '41', from: '42', force: true, name: 'example--41-rollback-20261120T120000Z' });
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

    expect(name).toBe(`${'a'.repeat(40)}--6e2b3c1a-rollback-20261120T120000Z`);
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
    sfn.on(GetExecutionHistoryCommand, { executionArn: RELEASE_42, reverseOrder: true }).resolves({ events: releaseRunning().events });
    sfn.on(GetExecutionHistoryCommand, { executionArn: DEPLOY_42, reverseOrder: true }).resolves({ events: deployIterationFailed().events.slice(0, 21) });
    const clock = fakeClock();
    const progress: string[] = [];

    // Act
    const out = watchOutputSchema.parse(await watchPipeline(clients, APP, '42', { clock, intervalMs: 2000, onProgress: (l) => progress.push(l) }));

    // Assess
    expect(out).toMatchObject({ outcome: 'deployed', build: '42' });
    expect(progress).toHaveLength(3);
    expect(progress[0]).toMatch(/^build 42 {2}build ✓ 5m00s {2}release … .* {2}deploy · — example--42-release: running .* — Run release task$/);
    expect(progress[1]).toMatch(/deploy … .* — example--42-deploy: running .* — Update the service and wait for its deployment \(Deploy each process type #0 web, #1 worker\)$/);
    expect(progress[2]).toMatch(/deploy ✓ 5m00s$/);
    expect(clock.slept).toEqual([2000, 2000]);
  });

  test('ends with the failed pipeline, step and the commands to go on', async () => {
    dynamodb.on(QueryCommand).resolves({ Items: [buildItem(42)] });
    dynamodb.on(GetItemCommand, { Key: { pk: S('BUILD'), sk: S('0000000042') } }).resolves({ Item: buildItem(42) });
    sfn.on(DescribeExecutionCommand, { executionArn: BUILD_EXEC_42 }).resolves(described(BUILD_EXEC_42, 'SUCCEEDED'));
    sfn.on(DescribeExecutionCommand, { executionArn: RELEASE_42 }).resolves(described(RELEASE_42, 'FAILED', { error: 'ReleaseFailed', cause: 'the release command exited with code 1' }));
    serveHistory(RELEASE_42, releaseTaskFailed().events);

    const out = await watchPipeline(clients, APP, undefined, { clock: fakeClock() });

    expect(out.outcome).toBe('failed');
    expect(out.message).toBe(
      'the release pipeline of build 42 failed at "Run release task": ReleaseFailed — the release command exited with code 1. Details: slipway status example 42; after fixing the cause: slipway redrive example 42',
    );
  });

  test('a failed deploy that a redrive cannot help ends with what does help, not with "slipway redrive"', async () => {
    dynamodb.on(GetItemCommand, { Key: { pk: S('BUILD'), sk: S('0000000042') } }).resolves({ Item: buildItem(42) });
    sfn.on(DescribeExecutionCommand, { executionArn: BUILD_EXEC_42 }).resolves(described(BUILD_EXEC_42, 'SUCCEEDED'));
    sfn.on(DescribeExecutionCommand, { executionArn: RELEASE_42 }).resolves(described(RELEASE_42, 'SUCCEEDED'));
    sfn.on(DescribeExecutionCommand, { executionArn: DEPLOY_42 }).resolves(described(DEPLOY_42, 'FAILED', { error: 'DeploymentSuperseded', cause: 'build 43 holds the app', redriveStatus: 'REDRIVABLE' }));
    serveHistory(DEPLOY_42, supersededHistory());

    const out = await watchPipeline(clients, APP, '42', { clock: fakeClock() });

    expect(out.outcome).toBe('failed');
    expect(out.message).toContain('redrive would not help: a newer build holds the app');
    expect(out.message).toContain('instead: nothing, if the newer build should run; to put build 42 back on purpose: slipway deploy example --build 42 --force');
    expect(out.message).not.toContain('slipway redrive');
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

describe('two apps on one control plane: "example" and "example-admin" share the state machines', () => {
  const ADMIN_RELEASE_42 = execArn('release', `${OTHER}--42-release`);
  const ADMIN_DEPLOY_42 = execArn('deploy', `${OTHER}--42-deploy`);
  const ADMIN_BUILD_43 = execArn('build', 'a1a1a1a1-0000-4c44-9f1a-2b4f0a8e7c11');
  const EXAMPLE_BUILD_44 = execArn('build', 'b2b2b2b2-0000-4c44-9f1a-2b4f0a8e7c11');
  const EXAMPLE_BUILD_43 = execArn('build', 'c3c3c3c3-0000-4c44-9f1a-2b4f0a8e7c11');
  const failedBuild = (arn: string, app: string, build: number) => described(arn, 'FAILED', { error: 'SettingsNotFound', redriveStatus: 'REDRIVABLE', input: codeBuildEvent(app, build) });
  /** Every execution ARN the command asked Step Functions about. */
  const asked = () => sfn.calls().map((c) => (c.args[0].input as { executionArn?: string }).executionArn).filter((a): a is string => a !== undefined);

  beforeEach(() => {
    // The other app's executions of build 42 exist in the same state machines, and failed.
    sfn.on(DescribeExecutionCommand, { executionArn: ADMIN_RELEASE_42 }).resolves(described(ADMIN_RELEASE_42, 'SUCCEEDED', { input: JSON.stringify({ app: OTHER }) }));
    sfn.on(DescribeExecutionCommand, { executionArn: ADMIN_DEPLOY_42 }).resolves(described(ADMIN_DEPLOY_42, 'FAILED', { error: 'DeploymentRolledBack', redriveStatus: 'REDRIVABLE', input: JSON.stringify({ app: OTHER }) }));
    serveHistory(ADMIN_DEPLOY_42, deployIterationFailed().events);
    sfn.on(RedriveExecutionCommand).resolves({ redriveDate: new Date('2026-11-20T12:00:00Z') });
  });

  test("pipelines reads the app's own table and executions: build 42 of example has no deploy, whatever example-admin's build 42 did", async () => {
    dynamodb.on(QueryCommand).resolves({ Items: [buildItem(42)] });
    sfn.on(DescribeExecutionCommand, { executionArn: BUILD_EXEC_42 }).resolves(described(BUILD_EXEC_42, 'SUCCEEDED'));
    sfn.on(DescribeExecutionCommand, { executionArn: RELEASE_42 }).resolves(described(RELEASE_42, 'RUNNING', { input: JSON.stringify({ app: APP }) }));

    const out = await listPipelines(clients, APP);

    expect(dynamodb).toHaveReceivedCommandWith(QueryCommand, { TableName: TABLE });
    expect(dynamodb.commandCalls(QueryCommand).map((c) => c.args[0].input.TableName)).not.toContain(tableOf(OTHER));
    expect(out.builds[0].executions).toMatchObject({ release: { name: 'example--42-release', status: 'RUNNING' }, deploy: null });
    expect(asked().filter((a) => a.includes(`:${OTHER}-`))).toEqual([]);
  });

  test('status of the other app\'s execution by ARN with --app example is WrongApp and reads no history', async () => {
    const error = await executionStatus(clients, { arn: ADMIN_DEPLOY_42, app: APP }).catch((e: Error) => e);

    expect(error).toMatchObject({ name: 'WrongApp', message: expect.stringContaining('execution example-admin--42-deploy belongs to app "example-admin", not "example"') });
    expect(sfn.commandCalls(GetExecutionHistoryCommand)).toHaveLength(0);
  });

  test("redrive --app example of example-admin's failed build execution (random name: the app is in its input) is refused without RedriveExecution", async () => {
    sfn.on(DescribeExecutionCommand, { executionArn: ADMIN_BUILD_43 }).resolves(failedBuild(ADMIN_BUILD_43, OTHER, 43));

    const error = await redrive(clients, { arn: ADMIN_BUILD_43, app: APP }).catch((e: Error) => e);

    expect(error).toMatchObject({ name: 'WrongApp', message: expect.stringContaining('belongs to app "example-admin", not "example"') });
    expect(sfn.commandCalls(RedriveExecutionCommand)).toHaveLength(0);
  });

  test('config-change and schedules executions (named from the event id) are told apart by their input', async () => {
    const change = execArn('config-change', '7d1c0f3e-1111-4c44-9f1a-2b4f0a8e7c11');
    const schedules = execArn('schedules', '8e2d1a4f-2222-4c44-9f1a-2b4f0a8e7c11');
    const parameterChange = { source: 'aws.ssm', 'detail-type': 'Parameter Store Change', detail: { name: `/slipway/apps/${OTHER}/config/DATABASE_URL`, operation: 'Update' } };
    sfn.on(DescribeExecutionCommand, { executionArn: change }).resolves(described(change, 'FAILED', { redriveStatus: 'REDRIVABLE', input: JSON.stringify(parameterChange) }));
    sfn.on(DescribeExecutionCommand, { executionArn: schedules }).resolves(described(schedules, 'FAILED', { redriveStatus: 'REDRIVABLE', input: JSON.stringify({ app: APP }) }));
    serveHistory(schedules, releaseTaskFailed().events);

    const refused = await redrive(clients, { arn: change, app: APP }).catch((e: Error) => e);
    await redrive(clients, { arn: schedules, app: APP });

    expect(refused).toMatchObject({ name: 'WrongApp', message: expect.stringContaining('belongs to app "example-admin"') });
    expect(sfn.commandCalls(RedriveExecutionCommand).map((c) => c.args[0].input.executionArn)).toEqual([schedules]);
  });

  test('redrive --app example of its own deploy execution redrives it', async () => {
    sfn.on(DescribeExecutionCommand, { executionArn: DEPLOY_42 }).resolves(described(DEPLOY_42, 'FAILED', { error: 'DeploymentRolledBack', redriveStatus: 'REDRIVABLE', input: JSON.stringify({ app: APP }) }));
    serveHistory(DEPLOY_42, deployIterationFailed().events);

    await redrive(clients, { arn: DEPLOY_42, app: APP });

    expect(sfn).toHaveReceivedCommandWith(RedriveExecutionCommand, { executionArn: DEPLOY_42 });
  });

  test("redrive example 43, a build that failed before it was recorded: found among the shared build state machine's failed executions, across pages, by its input; the other app's build 43 is passed over", async () => {
    // Prepare: build 43 is not in example's table; ListExecutions (newest first) mixes the two apps over two pages.
    sfn.on(ListExecutionsCommand, { stateMachineArn: BUILD_SM, nextToken: undefined }).resolves({
      executions: [ADMIN_BUILD_43, EXAMPLE_BUILD_44].map((executionArn) => ({ executionArn, stateMachineArn: BUILD_SM, name: executionArn.slice(executionArn.lastIndexOf(':') + 1), status: 'FAILED', startDate: T0 })),
      nextToken: 'page-2',
    });
    sfn.on(ListExecutionsCommand, { stateMachineArn: BUILD_SM, nextToken: 'page-2' }).resolves({
      executions: [{ executionArn: EXAMPLE_BUILD_43, stateMachineArn: BUILD_SM, name: 'c3c3c3c3-0000-4c44-9f1a-2b4f0a8e7c11', status: 'FAILED', startDate: T0 }],
    });
    sfn.on(DescribeExecutionCommand, { executionArn: ADMIN_BUILD_43 }).resolves(failedBuild(ADMIN_BUILD_43, OTHER, 43));
    sfn.on(DescribeExecutionCommand, { executionArn: EXAMPLE_BUILD_44 }).resolves(failedBuild(EXAMPLE_BUILD_44, APP, 44));
    sfn.on(DescribeExecutionCommand, { executionArn: EXAMPLE_BUILD_43 }).resolves(failedBuild(EXAMPLE_BUILD_43, APP, 43));
    serveHistory(EXAMPLE_BUILD_43, releaseTaskFailed().events);

    // Act
    const out = await redrive(clients, { app: APP, build: '43' });

    // Assess
    expect(sfn).toHaveReceivedCommandWith(ListExecutionsCommand, { stateMachineArn: BUILD_SM, statusFilter: 'FAILED' });
    expect(sfn.commandCalls(RedriveExecutionCommand).map((c) => c.args[0].input.executionArn)).toEqual([EXAMPLE_BUILD_43]);
    expect(out.arn).toBe(EXAMPLE_BUILD_43);
  });

  test("watch example 43: while nothing is recorded it looks among the failed build executions (not every poll), and ends at example's failed build 43, not example-admin's", async () => {
    // Prepare: first look finds only example-admin's build 43; the look 5 minutes later finds example's.
    sfn
      .on(ListExecutionsCommand, { stateMachineArn: BUILD_SM })
      .resolvesOnce({ executions: [{ executionArn: ADMIN_BUILD_43, stateMachineArn: BUILD_SM, name: 'a1', status: 'FAILED', startDate: T0 }] })
      .resolves({ executions: [{ executionArn: EXAMPLE_BUILD_43, stateMachineArn: BUILD_SM, name: 'c3', status: 'FAILED', startDate: T0 }, { executionArn: ADMIN_BUILD_43, stateMachineArn: BUILD_SM, name: 'a1', status: 'FAILED', startDate: T0 }] });
    sfn.on(DescribeExecutionCommand, { executionArn: ADMIN_BUILD_43 }).resolves(failedBuild(ADMIN_BUILD_43, OTHER, 43));
    sfn.on(DescribeExecutionCommand, { executionArn: EXAMPLE_BUILD_43 }).resolves(failedBuild(EXAMPLE_BUILD_43, APP, 43));
    serveHistory(EXAMPLE_BUILD_43, releaseTaskFailed().events);
    const clock = fakeClock();

    // Act
    const out = await watchPipeline(clients, APP, '43', { clock, intervalMs: 5000 });

    // Assess
    expect(out.outcome).toBe('failed');
    expect(out.executions.build?.arn).toBe(EXAMPLE_BUILD_43);
    expect(out.message).toMatch(/^the build pipeline of build 43 failed before it recorded the build at "Run release task": SettingsNotFound\. Details: slipway status example 43; after fixing the cause: slipway redrive example 43$/);
    expect(sfn.commandCalls(ListExecutionsCommand)).toHaveLength(2);
    expect(clock.slept.reduce((a, b) => a + b, 0)).toBe(300_000);
  });

  test("the search passes over another app's build execution the caller may not describe", async () => {
    sfn.on(ListExecutionsCommand, { stateMachineArn: BUILD_SM }).resolves({
      executions: [ADMIN_BUILD_43, EXAMPLE_BUILD_43].map((executionArn) => ({ executionArn, stateMachineArn: BUILD_SM, name: executionArn.slice(executionArn.lastIndexOf(':') + 1), status: 'FAILED', startDate: T0 })),
    });
    sfn.on(DescribeExecutionCommand, { executionArn: ADMIN_BUILD_43 }).rejects(Object.assign(new Error(`User: arn:aws:iam::${ACCOUNT}:role/example-user is not authorized to perform: states:DescribeExecution`), { name: 'AccessDeniedException', $metadata: {} }));
    sfn.on(DescribeExecutionCommand, { executionArn: EXAMPLE_BUILD_43 }).resolves(failedBuild(EXAMPLE_BUILD_43, APP, 43));
    serveHistory(EXAMPLE_BUILD_43, releaseTaskFailed().events);

    const out = await executionStatus(clients, { app: APP, build: '43' });

    expect(out.execution.arn).toBe(EXAMPLE_BUILD_43);
  });

  test("a build record naming another app's execution is refused (WrongApp), not acted on", async () => {
    dynamodb.on(GetItemCommand, { Key: { pk: S('BUILD'), sk: S('0000000043') } }).resolves({ Item: buildItem(43, { recordedBy: S(ADMIN_BUILD_43) }) });
    sfn.on(DescribeExecutionCommand, { executionArn: ADMIN_BUILD_43 }).resolves(failedBuild(ADMIN_BUILD_43, OTHER, 43));

    await expect(redrive(clients, { app: APP, build: '43' })).rejects.toMatchObject({ name: 'WrongApp' });
    expect(sfn.commandCalls(RedriveExecutionCommand)).toHaveLength(0);
  });

  test('deploy starts the shared deploy state machine with the app and its table in the input', async () => {
    dynamodb.on(GetItemCommand, { Key: { pk: S('BUILD'), sk: S('0000000041') } }).resolves({ Item: released41 });
    sfn.on(StartExecutionCommand).callsFake((input: { name: string }) => ({ executionArn: execArn('deploy', input.name), startDate: T0 }));

    await deployBuild(clients, OTHER, '41', { clock: fakeClock(), force: true });

    const call = sfn.commandCalls(StartExecutionCommand)[0].args[0].input;
    expect(call.stateMachineArn).toBe(DEPLOY_SM);
    expect(call.name).toBe('example-admin--41-redeploy-20261120T120000Z');
    expect(JSON.parse(call.input ?? '')).toMatchObject({ app: OTHER, table: tableOf(OTHER) });
    expect(dynamodb.calls().map((c) => (c.args[0].input as { TableName?: string }).TableName)).toEqual(expect.arrayContaining([tableOf(OTHER)]));
    expect(dynamodb.calls().map((c) => (c.args[0].input as { TableName?: string }).TableName)).not.toContain(TABLE);
  });
});

describe('what the pipeline commands send is in their permissions list (lib/ops/permissions.ts)', () => {
  const SERVICE = new Map<unknown, string>([[sfn, 'states'], [dynamodb, 'dynamodb'], [sts, 'sts'], [ssm, 'ssm'], [lambda, 'lambda']]);
  const sent = () => [...new Set([...SERVICE].flatMap(([mock, service]) => (mock as typeof sfn).calls().map((c) => `${service}:${(c.args[0] as object).constructor.name.replace(/Command$/, '')}`)))].sort();
  const unlisted = (command: string) => {
    const listed = CLI_PERMISSIONS.find((c) => c.command === command)?.calls.map((c) => c.action) ?? [];
    return sent().filter((a) => !listed.includes(a));
  };

  test('pipelines', async () => {
    dynamodb.on(QueryCommand).resolves({ Items: [buildItem(42)] });
    sfn.on(DescribeExecutionCommand, { executionArn: RELEASE_42 }).resolves(described(RELEASE_42, 'FAILED', { error: 'ReleaseFailed' }));
    serveHistory(RELEASE_42, releaseTaskFailed().events);

    await listPipelines(clients, APP);

    expect(sent()).toEqual(expect.arrayContaining(['ssm:GetParameter', 'dynamodb:Query', 'states:DescribeExecution', 'states:GetExecutionHistory']));
    expect(unlisted('pipelines')).toEqual([]);
  });

  test('redrive of a build that was not recorded (ListExecutions)', async () => {
    const arn = execArn('build', 'd4d4d4d4-0000-4c44-9f1a-2b4f0a8e7c11');
    sfn.on(ListExecutionsCommand).resolves({ executions: [{ executionArn: arn, stateMachineArn: stateMachineArn('build'), name: 'd4', status: 'FAILED', startDate: T0 }] });
    sfn.on(DescribeExecutionCommand, { executionArn: arn }).resolves(described(arn, 'FAILED', { redriveStatus: 'REDRIVABLE', input: codeBuildEvent(APP, 45) }));
    serveHistory(arn, releaseTaskFailed().events);
    sfn.on(RedriveExecutionCommand).resolves({ redriveDate: T0 });

    await redrive(clients, { app: APP, build: '45' });

    expect(sent()).toEqual(expect.arrayContaining(['states:ListExecutions', 'states:RedriveExecution']));
    expect(unlisted('redrive')).toEqual([]);
  });

  test('watch of a build not recorded yet (ListExecutions)', async () => {
    await watchPipeline(clients, APP, '46', { clock: fakeClock(), intervalMs: 5000, timeoutMs: 10_000 });

    expect(sent()).toEqual(expect.arrayContaining(['ssm:GetParameter', 'dynamodb:GetItem', 'states:ListExecutions']));
    expect(unlisted('watch')).toEqual([]);
  });

  test('deploy', async () => {
    dynamodb.on(GetItemCommand, { Key: { pk: S('BUILD'), sk: S('0000000041') } }).resolves({ Item: released41 });
    sfn.on(StartExecutionCommand).resolves({ executionArn: execArn('deploy', 'x'), startDate: T0 });

    await deployBuild(clients, APP, '41', { clock: fakeClock(), force: true });

    expect(sent()).toEqual(expect.arrayContaining(['ssm:GetParameter', 'states:StartExecution']));
    expect(unlisted('deploy')).toEqual([]);
  });
});

describe('parseExecutionTarget with --app', () => {
  test('an ARN keeps the app it must belong to; an app argument that differs from --app is a usage error', () => {
    expect(parseExecutionTarget(DEPLOY_42, undefined, APP)).toEqual({ arn: DEPLOY_42, app: APP });
    expect(parseExecutionTarget(APP, '42', APP)).toEqual({ app: APP, build: '42' });
    expect(() => parseExecutionTarget(APP, '42', OTHER)).toThrow('--app example-admin and the app argument "example" differ: give one app');
  });
});

describe('records written before the move to the shared control plane', () => {
  // Build 41 was built, released and deployed by the app's own state machines (slipway-example-*),
  // which the move deleted: its record names their executions, which Step Functions no longer has.
  const OLD_BUILD_41 = `arn:aws:states:${REGION}:${ACCOUNT}:execution:slipway-example-build:0b4d5e2a-0000-4c44-9f1a-2b4f0a8e7c11`;
  const OLD_DEPLOY_41 = `arn:aws:states:${REGION}:${ACCOUNT}:execution:slipway-example-deploy:example--41-deploy`;
  const old41 = { ...released41, recordedBy: S(OLD_BUILD_41), deployExecution: S(OLD_DEPLOY_41) };

  test('pipelines lists them from the same table with the same keys, as released and current, without executions', async () => {
    dynamodb.on(QueryCommand).resolves({ Items: [old41] });
    dynamodb.on(GetItemCommand, { Key: { pk: S('RELEASE'), sk: S('CURRENT') } }).resolves({ Item: { pk: S('RELEASE'), sk: S('CURRENT'), buildKey: S('41'), buildSortKey: S('0000000041') } });

    const out = await listPipelines(clients, APP);

    expect(dynamodb).toHaveReceivedCommandWith(QueryCommand, { TableName: TABLE, ExpressionAttributeValues: { ':pk': S('BUILD') } });
    expect(out.currentRelease).toBe('41');
    expect(out.builds).toEqual([expect.objectContaining({ build: '41', released: true, current: true, commit: 'c0ffee41aaaaaaaaaaaa', executions: { build: null, release: null, deploy: null } })]);
    expect(sfn).toHaveReceivedCommandWith(DescribeExecutionCommand, { executionArn: OLD_BUILD_41 });
  });

  test('rollback to an old release deploys it on the shared deploy state machine from its record', async () => {
    dynamodb.on(GetItemCommand, { Key: { pk: S('RELEASE'), sk: S('CURRENT') } }).resolves({ Item: { pk: S('RELEASE'), sk: S('CURRENT'), buildKey: S('42'), buildSortKey: S('0000000042') } });
    dynamodb.on(GetItemCommand, { Key: { pk: S('BUILD'), sk: S('0000000041') } }).resolves({ Item: old41 });
    sfn.on(StartExecutionCommand).callsFake((input: { name: string }) => ({ executionArn: execArn('deploy', input.name), startDate: T0 }));

    await rollback(clients, APP, '41', { clock: fakeClock() });

    const call = sfn.commandCalls(StartExecutionCommand)[0].args[0].input;
    expect(call.stateMachineArn).toBe(DEPLOY_SM);
    expect(JSON.parse(call.input ?? '')).toMatchObject({ app: APP, table: TABLE, deployTimeoutSeconds: 1200, processes: [{ name: 'web', taskDefinitionArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/slipway-example--web:41` }] });
  });
});

describe('a superseded deploy (SUCCEEDED in "Deploy superseded", issue 22)', () => {
  const SUPERSEDED_OUTPUT = JSON.stringify({ app: APP, build: '42', outcome: 'superseded', supersededBy: '43', reason: 'build 42 was not deployed: a newer build is already deployed or deploying' });

  beforeEach(() => {
    dynamodb.on(GetItemCommand, { Key: { pk: S('BUILD'), sk: S('0000000042') } }).resolves({ Item: buildItem(42) });
    sfn.on(DescribeExecutionCommand, { executionArn: BUILD_EXEC_42 }).resolves(described(BUILD_EXEC_42, 'SUCCEEDED'));
    sfn.on(DescribeExecutionCommand, { executionArn: RELEASE_42 }).resolves(described(RELEASE_42, 'SUCCEEDED'));
    sfn.on(DescribeExecutionCommand, { executionArn: DEPLOY_42 }).resolves(described(DEPLOY_42, 'SUCCEEDED', { output: SUPERSEDED_OUTPUT, redriveStatus: 'NOT_REDRIVABLE', redriveStatusReason: 'Execution is SUCCEEDED and cannot be redriven' }));
    serveHistory(DEPLOY_42, deploySucceeded().events);
  });

  test('status says "superseded by build 43" with nothing to redrive, and what deploys it on purpose', async () => {
    const out = statusOutputSchema.parse(await executionStatus(clients, { app: APP, build: '42' }));
    const text = renderStatus(out);

    expect(out.execution.superseded).toEqual({ by: '43', reason: expect.stringContaining('a newer build') });
    expect(out.redrive).toMatchObject({ verdict: 'not-failed', possible: false, instead: 'to deploy build 42 on purpose: slipway deploy example --build 42 --force' });
    expect(text).toContain('\nsuperseded by build 43: nothing was deployed, and there is nothing to redrive (to deploy build 42 on purpose: slipway deploy example --build 42 --force)');
    expect(text).not.toMatch(/redrive: possible|a redrive re-runs this/);
  });

  test('redrive refuses it in one line without calling RedriveExecution', async () => {
    const error = await redrive(clients, { app: APP, build: '42' }).catch((e: Error) => e);

    expect((error as Error).message).toBe('build 42 of "example": example--42-deploy was superseded by build 43: it deployed nothing and there is nothing to redrive (to deploy build 42 on purpose: slipway deploy example --build 42 --force)');
    expect(sfn).not.toHaveReceivedCommand(RedriveExecutionCommand);
  });

  test('watch ends "not deployed", superseded by build 43, not "deployed"', async () => {
    const out = watchOutputSchema.parse(await watchPipeline(clients, APP, '42', { clock: fakeClock() }));

    expect(out.outcome).toBe('not-deployed');
    expect(out.message).toBe('build 42 of "example" was not deployed: its deploy was superseded by build 43 (nothing to redrive; to deploy it on purpose: slipway deploy example --build 42 --force)');
  });

  test('pipelines shows the deploy as superseded by build 43, not as a plain SUCCEEDED', async () => {
    dynamodb.on(QueryCommand).resolves({ Items: [buildItem(42)] });

    const out = pipelinesOutputSchema.parse(await listPipelines(clients, APP));

    expect(out.builds[0].executions.deploy?.superseded).toEqual({ by: '43', reason: expect.any(String) });
    expect(renderPipelines(out)).toMatch(/^42 .*superseded by build 43 5m00s$/m);
  });
});
