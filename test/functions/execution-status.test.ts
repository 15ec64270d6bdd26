import { resetForHandler, awsError, awsEvent, settingsInput, settingsParameterOutput, TABLE_NAME } from './helpers';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { ssm } from '../../functions/shared/clients';
import { DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, ListExecutionsCommand, SFNClient, type HistoryEvent } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler } from '../../functions/execution-status';
import { actionFor, failureFromHistory, rankOf, readableCause } from '../../functions/execution-status/decide';
import { executionStatusEventPattern, STATE_MACHINES } from '../../domain/pipelines';
import { buildTimeline, redriveScope } from '../../domain/execution-history';

type Json = Record<string, any>;

const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';
const smArn = (p: string) => `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:slipway-production-${p}`;
const execArn = (p: string, name: string) => `arn:aws:states:${REGION}:${ACCOUNT}:execution:slipway-production-${p}:${name}`;
const RELEASE_42 = execArn('release', 'example--42-release');
const DEPLOY_42 = execArn('deploy', 'example--42-deploy');
const BUILD = { buildKey: '42', sortKey: '0000000042', image: 'repo:build-42' };
const RELEASE = { containerName: 'web', essentialContainers: ['web'], logGroup: '/slipway/example/web', region: REGION, taskDefinitionArn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/slipway-example--web:8' };
const TASK_ID = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';

/**
 * A published "Execution Status Change" event (test/fixtures/aws-events), with only what makes it
 * about one of our executions changed: the state machine, the execution, its input (and the fields named).
 */
function statusEvent(file: string, pipeline: string, executionArn: string, input: unknown, detail: Json = {}): Json {
  const event: Json = awsEvent(file);
  event.resources = [executionArn];
  Object.assign(event.detail, { stateMachineArn: smArn(pipeline), executionArn, name: executionArn.split(':').pop(), input: JSON.stringify(input) }, detail);
  return event;
}

/** A history in GetExecutionHistory's shape, from [type, state name?, details?] in execution order. */
function history(...events: [string, string?, Json?][]): HistoryEvent[] {
  return events.map(([type, name, details], i) => {
    const e: Json = { id: i + 1, previousEventId: i, timestamp: new Date(1700000000000 + i * 1000), type };
    if (name && type.endsWith('StateEntered')) e.stateEnteredEventDetails = { name };
    if (name && type.endsWith('StateExited')) e.stateExitedEventDetails = { name };
    return { ...e, ...details } as HistoryEvent;
  });
}

/** The stopped release task as ecs:runTask.sync puts it in a States.TaskFailed cause (PascalCase JSON). */
const FAILED_TO_START = JSON.stringify({
  TaskArn: `arn:aws:ecs:eu-west-1:123456789012:task/slipway/${TASK_ID}`,
  LastStatus: 'STOPPED',
  StopCode: 'TaskFailedToStart',
  StoppedReason: 'CannotPullContainerError: pull access denied for example',
  Containers: [{ Name: 'web', LastStatus: 'STOPPED' }],
});

/** The release history when "Run release task" failed uncaught (as 06b-ecs-runtask-sync-failure records it). */
const RELEASE_TASK_FAILED = history(
  ['ExecutionStarted'],
  ['TaskStateEntered', 'Announce the release'],
  ['TaskStateExited', 'Announce the release'],
  ['ChoiceStateEntered', 'Does the app have a release command?'],
  ['ChoiceStateExited', 'Does the app have a release command?'],
  ['TaskStateEntered', 'Run release task'],
  ['TaskScheduled'],
  ['TaskStarted'],
  ['TaskSubmitted'],
  ['TaskFailed', undefined, { taskFailedEventDetails: { error: 'States.TaskFailed', cause: FAILED_TO_START } }],
  ['ExecutionFailed', undefined, { executionFailedEventDetails: { error: 'States.TaskFailed', cause: FAILED_TO_START } }],
).reverse();

/** The deploy history when the web iteration (index 0) was rolled back and the worker's succeeded. */
const ROLLBACK_CAUSE = 'web deployment ecs-svc/600 of service example--web failed and ECS rolled it back: ECS deployment circuit breaker: tasks failed to start.';
const WAIT = 'Update the service and wait for its deployment';
const DEPLOY_ROLLED_BACK = history(
  ['ExecutionStarted'],
  ['TaskStateEntered', 'Claim the app for this build'],
  ['TaskStateExited', 'Claim the app for this build'],
  ['MapStateEntered', 'Deploy each process type'],
  ['MapStateStarted'],
  ['MapIterationStarted', undefined, { mapIterationStartedEventDetails: { name: 'Deploy each process type', index: 0 } }],
  ['TaskStateEntered', WAIT],
  ['MapIterationStarted', undefined, { mapIterationStartedEventDetails: { name: 'Deploy each process type', index: 1 } }],
  ['TaskStateEntered', WAIT],
  ['TaskStateExited', WAIT],
  ['PassStateEntered', 'Service runs the new release'],
  ['PassStateExited', 'Service runs the new release'],
  ['MapIterationSucceeded', undefined, { mapIterationSucceededEventDetails: { name: 'Deploy each process type', index: 1 } }],
  ['TaskFailed', undefined, { taskFailedEventDetails: { error: 'DeploymentRolledBack', cause: ROLLBACK_CAUSE } }],
  ['MapIterationFailed', undefined, { mapIterationFailedEventDetails: { name: 'Deploy each process type', index: 0 } }],
  ['MapStateFailed'],
  ['ExecutionFailed', undefined, { executionFailedEventDetails: { error: 'DeploymentRolledBack', cause: ROLLBACK_CAUSE } }],
).reverse();

const releaseInput = { app: 'example', table: TABLE_NAME, build: BUILD, processes: [{ name: 'web' }, { name: 'worker' }], release: RELEASE };
const deployInput = { app: 'example', table: TABLE_NAME, build: BUILD, processes: [{ name: 'web', taskDefinitionArn: 'x' }, { name: 'worker', taskDefinitionArn: 'y' }], force: false };

describe('execution-status decisions', () => {
  test('ranks the changes of one execution: a run, its end, the next redrive, its end', () => {
    const ranks = [
      rankOf({ status: 'FAILED', redriveCount: 0 }),
      rankOf({ status: 'RUNNING', redriveCount: 1 }),
      rankOf({ status: 'FAILED', redriveCount: 1 }),
      rankOf({ status: 'RUNNING', redriveCount: 2 }),
      rankOf({ status: 'SUCCEEDED', redriveCount: 2 }),
    ];
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(new Set(ranks).size).toBe(ranks.length);
  });

  test('first starts and plain successes need no bookkeeping', () => {
    expect(actionFor({ status: 'RUNNING', redriveCount: 0 }).kind).toBe('ignore');
    expect(actionFor({ status: 'SUCCEEDED', redriveCount: 0 }).kind).toBe('ignore');
    expect(actionFor({ status: 'TIMED_OUT', redriveCount: 0 }).kind).toBe('failure');
    expect(actionFor({ status: 'SUCCEEDED', redriveCount: 1 }).kind).toBe('recovered');
  });

  test('the failed step is the state with an Entered and no Exited event (what AWS redrives)', () => {
    expect(failureFromHistory(RELEASE_TASK_FAILED)).toEqual({ failedStep: 'Run release task', iteration: undefined, error: 'States.TaskFailed', cause: FAILED_TO_START });
  });

  test('inside a Map: the failed iteration\'s state and its index, even when another iteration of the same state succeeded later', () => {
    expect(failureFromHistory(DEPLOY_ROLLED_BACK)).toMatchObject({ failedStep: WAIT, iteration: 0, error: 'DeploymentRolledBack' });
  });

  test('the failed step is one of the states the CLI\'s timeline says a redrive re-runs (one rule, domain/executions.ts)', () => {
    for (const newestFirst of [RELEASE_TASK_FAILED, DEPLOY_ROLLED_BACK]) {
      const rerun = redriveScope(buildTimeline([...newestFirst].reverse())).map((e) => e.name);
      expect(rerun).toContain(failureFromHistory(newestFirst).failedStep);
    }
  });

  test('a state that failed before a redrive and exited after it is not the failed step', () => {
    const redriven = history(
      ['ExecutionStarted'],
      ['TaskStateEntered', 'Run release task'],
      ['TaskFailed', undefined, { taskFailedEventDetails: { error: 'States.TaskFailed', cause: FAILED_TO_START } }],
      ['ExecutionFailed', undefined, { executionFailedEventDetails: { error: 'States.TaskFailed', cause: FAILED_TO_START } }],
      ['ExecutionRedriven'],
      ['TaskStateEntered', 'Run release task'],
      ['TaskStateExited', 'Run release task'],
      ['TaskStateEntered', 'Check the release task'],
      ['LambdaFunctionFailed', undefined, { lambdaFunctionFailedEventDetails: { error: 'ReleaseFailed', cause: 'exit 1' } }],
      ['ExecutionFailed', undefined, { executionFailedEventDetails: { error: 'ReleaseFailed', cause: 'exit 1' } }],
    ).reverse();
    expect(failureFromHistory(redriven)).toEqual({ failedStep: 'Check the release task', iteration: undefined, error: 'ReleaseFailed', cause: 'exit 1' });
  });

  test('a Lambda error\'s cause is read as its errorMessage', () => {
    expect(readableCause(JSON.stringify({ errorType: 'ReleaseFailed', errorMessage: 'the release command exited with code 1', trace: [] }))).toBe('the release command exited with code 1');
    expect(readableCause('plain text')).toBe('plain text');
  });

  test('the rule pattern names the state machines and asks only for failures and redrives', () => {
    const pattern = executionStatusEventPattern(STATE_MACHINES.map(smArn));
    expect(pattern.source).toEqual(['aws.states']);
    expect(pattern.detail.stateMachineArn).toEqual(STATE_MACHINES.map(smArn));
    expect(pattern.detail.$or).toEqual([{ status: ['FAILED', 'TIMED_OUT', 'ABORTED'] }, { status: ['RUNNING', 'SUCCEEDED'], redriveCount: [{ numeric: ['>', 0] }] }]);
    expect(() => executionStatusEventPattern([])).toThrow('executionStatusEventPattern needs at least one state machine ARN');
  });
});

describe('execution-status handler', () => {
  const dynamoMock = mockClient(DynamoDBClient);
  const sfnMock = mockClient(SFNClient);
  const ebMock = mockClient(EventBridgeClient);
  const ssmMock = mockClient(ssm as SSMClient);
  const announced = () => ebMock.commandCalls(PutEventsCommand).flatMap((c) => c.args[0].input.Entries ?? []).map((e) => ({ ...e, Detail: JSON.parse(e.Detail ?? '{}') as Json }));
  const buildUpdate = () => dynamoMock.commandCalls(UpdateItemCommand).map((c) => c.args[0].input).find((i) => i.Key?.pk?.S === 'BUILD');

  beforeEach(() => {
    dynamoMock.reset();
    sfnMock.reset();
    ebMock.reset();
    resetForHandler(ssmMock);
    process.env.AWS_REGION = REGION;
    process.env.STATE_MACHINE_ARNS = JSON.stringify(Object.fromEntries(STATE_MACHINES.map((p) => [p, smArn(p)])));
    dynamoMock.on(GetItemCommand).resolves({});
    dynamoMock.on(UpdateItemCommand).resolves({});
    dynamoMock.on(PutItemCommand).resolves({});
    ebMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] });
    sfnMock.on(GetExecutionHistoryCommand).resolves({ events: [] });
  });

  describe('a release whose task failed to start (States.TaskFailed, uncaught at "Run release task")', () => {
    const event = () => statusEvent('stepfunctions-execution-status-change-FAILED-2.json', 'release', RELEASE_42, releaseInput, { error: 'States.TaskFailed', cause: FAILED_TO_START });

    beforeEach(() => {
      sfnMock.on(GetExecutionHistoryCommand).resolves({ events: RELEASE_TASK_FAILED });
    });

    test('records ReleaseFailed with the translated cause, the failed step and the log link on the build', async () => {
      // Act
      const result = await handler(event());

      // Assess
      expect(result).toEqual({ kind: 'recorded', action: 'failure', milestone: 'Release Failed' });
      const update = buildUpdate();
      expect(update).toMatchObject({ TableName: TABLE_NAME, Key: { pk: { S: 'BUILD' }, sk: { S: '0000000042' } }, ConditionExpression: 'attribute_exists(pk)' });
      expect(update?.ExpressionAttributeValues).toMatchObject({
        ':error': { S: 'ReleaseFailed' },
        ':aws': { S: 'States.TaskFailed' },
        ':step': { S: 'Run release task' },
        ':execution': { S: RELEASE_42 },
        ':pipeline': { S: 'release' },
        ':redrive': { N: '0' },
        ':at': { S: new Date(1551225151881).toISOString() },
      });
      expect(update?.ExpressionAttributeValues?.[':cause'].S).toContain('the release task failed to start (TaskFailedToStart): CannotPullContainerError: pull access denied for example');
      expect(update?.ExpressionAttributeValues?.[':link'].S).toContain(`log-events/web$252Fweb$252F${TASK_ID}`);
      expect(sfnMock).toHaveReceivedCommandWith(GetExecutionHistoryCommand, { executionArn: RELEASE_42, reverseOrder: true });
    });

    test('announces Release Failed with the fields the ASL used to send, plus the failed step and log link', async () => {
      // Act
      await handler(event());

      // Assess
      const [entry] = announced();
      expect(entry).toMatchObject({ EventBusName: 'default', Source: 'slipway', DetailType: 'Release Failed', Resources: [RELEASE_42] });
      expect(entry.Detail).toMatchObject({ app: 'example', buildKey: '42', execution: RELEASE_42, error: 'ReleaseFailed', failedStep: 'Run release task', awsError: 'States.TaskFailed', redriveCount: 0 });
      expect(entry.Detail.cause).toMatch(/failed to start .* Logs: https:\/\//);
    });

    test('marks the change processed, so that the same event delivered again changes nothing', async () => {
      // Act
      await handler(event());

      // Assess
      expect(dynamoMock).toHaveReceivedCommandWith(PutItemCommand, {
        Item: expect.objectContaining({ pk: { S: 'EXECUTION' }, sk: { S: RELEASE_42 }, status: { S: 'FAILED' }, rank: { N: '1' } }),
        ConditionExpression: 'attribute_not_exists(#rank) OR #rank < :rank',
      });
    });
  });

  test('a duplicate (the marker already holds this change) records and announces nothing', async () => {
    // Prepare
    dynamoMock.on(GetItemCommand).resolves({ Item: { pk: { S: 'EXECUTION' }, sk: { S: RELEASE_42 }, rank: { N: '1' } } });

    // Act
    const result = await handler(statusEvent('stepfunctions-execution-status-change-FAILED-2.json', 'release', RELEASE_42, releaseInput));

    // Assess
    expect(result.kind).toBe('ignored');
    expect(result.reason).toContain('duplicate or older');
    expect(dynamoMock).not.toHaveReceivedCommand(UpdateItemCommand);
    expect(ebMock).not.toHaveReceivedCommand(PutEventsCommand);
    expect(sfnMock).not.toHaveReceivedCommand(GetExecutionHistoryCommand);
  });

  test('out of order: the first failure arriving after the redrive was processed changes nothing', async () => {
    // Prepare: RUNNING with redrive count 1 (rank 2) was processed first.
    dynamoMock.on(GetItemCommand).resolves({ Item: { pk: { S: 'EXECUTION' }, sk: { S: RELEASE_42 }, rank: { N: '2' } } });

    // Act
    const result = await handler(statusEvent('stepfunctions-execution-status-change-FAILED-2.json', 'release', RELEASE_42, releaseInput, { redriveCount: 0 }));

    // Assess
    expect(result.kind).toBe('ignored');
    expect(ebMock).not.toHaveReceivedCommand(PutEventsCommand);
  });

  test('a release that failed at "Stop on the failed release" keeps ReleaseFailed and reads the Lambda error\'s message', async () => {
    // Prepare
    const message = 'the release command exited with code 1 in container "web"; stop code EssentialContainerExited: Essential container in task exited. Logs: https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/x';
    const cause = JSON.stringify({ errorType: 'ReleaseFailed', errorMessage: message, trace: [] });
    sfnMock.on(GetExecutionHistoryCommand).resolves({ events: history(['TaskStateEntered', 'Stop on the failed release'], ['TaskFailed'], ['ExecutionFailed']).reverse() });

    // Act
    await handler(statusEvent('stepfunctions-execution-status-change-FAILED-2.json', 'release', RELEASE_42, releaseInput, { error: 'ReleaseFailed', cause }));

    // Assess
    expect(buildUpdate()?.ExpressionAttributeValues).toMatchObject({ ':error': { S: 'ReleaseFailed' }, ':cause': { S: message }, ':step': { S: 'Stop on the failed release' }, ':link': { S: 'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/x' } });
    expect(announced()[0].Detail.cause).toBe(message);
  });

  describe('a deploy whose web deployment rolled back', () => {
    const event = () => statusEvent('stepfunctions-execution-status-change-FAILED-2.json', 'deploy', DEPLOY_42, deployInput, { error: 'DeploymentRolledBack', cause: ROLLBACK_CAUSE });

    beforeEach(() => {
      sfnMock.on(GetExecutionHistoryCommand).resolves({ events: DEPLOY_ROLLED_BACK });
    });

    test('is announced as Deploy Rolled Back, naming the process type of the failed iteration', async () => {
      // Act
      await handler(event());

      // Assess
      expect(announced().map((e) => [e.DetailType, e.Detail.process, e.Detail.failedStep])).toEqual([['Deploy Rolled Back', 'web', WAIT]]);
    });

    test('gives up the app\'s deploy claim if this execution still holds it, so a newer build can take over', async () => {
      // Act
      await handler(event());

      // Assess
      expect(dynamoMock).toHaveReceivedCommandWith(UpdateItemCommand, {
        Key: { pk: { S: 'APP' }, sk: { S: 'DEPLOY' } },
        UpdateExpression: 'REMOVE execution SET releasedAt = :at, releasedExecution = :me',
        ConditionExpression: 'execution = :me',
        ExpressionAttributeValues: { ':me': { S: DEPLOY_42 }, ':at': { S: new Date(1551225151881).toISOString() } },
      });
    });

    test('a claim already taken over by a newer build is left alone, and the failure is still recorded', async () => {
      // Prepare
      dynamoMock.on(UpdateItemCommand, { Key: { pk: { S: 'APP' }, sk: { S: 'DEPLOY' } } }).rejects(awsError('ConditionalCheckFailedException'));

      // Act
      const result = await handler(event());

      // Assess
      expect(result).toMatchObject({ kind: 'recorded', milestone: 'Deploy Rolled Back' });
      expect(buildUpdate()?.ExpressionAttributeValues?.[':error']).toEqual({ S: 'DeploymentRolledBack' });
    });
  });

  test('a deploy that timed out is announced as Deploy Failed with DeploymentTimedOut', async () => {
    // Act
    await handler(statusEvent('stepfunctions-execution-status-change-FAILED-2.json', 'deploy', DEPLOY_42, deployInput, { error: 'DeploymentTimedOut', cause: 'worker deployment did not settle within 1800 s' }));

    // Assess
    expect(announced().map((e) => [e.DetailType, e.Detail.error])).toEqual([['Deploy Failed', 'DeploymentTimedOut']]);
  });

  test('a failed build pipeline is recorded on the build its CodeBuild event names and announced as Build Failed', async () => {
    // Prepare: the build pipeline's input is the CodeBuild event.
    const input = awsEvent('codebuild-state-in-progress.json') as Json;
    input.detail['additional-information']['build-number'] = 42;
    input.detail['project-name'] = 'slipway-example';
    const BUILD_42 = execArn('build', 'local-build-1');

    // Act
    await handler(statusEvent('stepfunctions-execution-status-change-FAILED-2.json', 'build', BUILD_42, input, { error: 'AccessDeniedException', cause: 'not authorized to perform ecs:RegisterTaskDefinition' }));

    // Assess
    expect(buildUpdate()?.Key).toEqual({ pk: { S: 'BUILD' }, sk: { S: '0000000042' } });
    expect(announced().map((e) => [e.DetailType, e.Detail.buildKey, e.Detail.error])).toEqual([['Build Failed', '42', 'AccessDeniedException']]);
  });

  test('a build that has no record yet is not created by the bookkeeping, but the failure is still announced', async () => {
    // Prepare
    dynamoMock.on(UpdateItemCommand).rejects(awsError('ConditionalCheckFailedException'));

    // Act
    const result = await handler(statusEvent('stepfunctions-execution-status-change-FAILED-2.json', 'release', RELEASE_42, releaseInput, { error: 'States.Runtime', cause: 'x' }));

    // Assess
    expect(result.milestone).toBe('Release Failed');
    expect(ebMock).toHaveReceivedCommandTimes(PutEventsCommand, 1);
  });

  test('a failed config change gives up its redeploy claim (conditional) and announces nothing', async () => {
    // Prepare
    const arn = execArn('config-change', 'cfg-1');

    // Act
    const result = await handler(statusEvent('stepfunctions-execution-status-change-FAILED-2.json', 'config-change', arn, { source: 'aws.ssm', 'detail-type': 'Parameter Store Change', detail: { name: '/slipway/apps/example/config/A', operation: 'Update' } }));

    // Assess
    expect(result).toEqual({ kind: 'recorded', action: 'failure' });
    expect(dynamoMock).toHaveReceivedCommandWith(UpdateItemCommand, { TableName: TABLE_NAME, Key: { pk: { S: 'CONFIG' }, sk: { S: 'REDEPLOY' } }, ConditionExpression: 'claimedBy = :me', ExpressionAttributeValues: { ':me': { S: arn }, ':at': expect.anything() } });
    expect(ebMock).not.toHaveReceivedCommand(PutEventsCommand);
  });

  test('an aborted execution (older event format: no error, no redrive count) is recorded as ExecutionAborted', async () => {
    // Act
    await handler(statusEvent('stepfunctions-execution-status-change-ABORTED-1.json', 'deploy', DEPLOY_42, deployInput));

    // Assess
    expect(buildUpdate()?.ExpressionAttributeValues).toMatchObject({ ':error': { S: 'ExecutionAborted' }, ':cause': { S: 'the execution was stopped (StopExecution or the console)' } });
    expect(announced()[0].DetailType).toBe('Deploy Failed');
  });

  test('a redrive (RUNNING, redrive count 1) is announced as ... Redriven, once', async () => {
    // Act
    const result = await handler(statusEvent('stepfunctions-execution-status-change-RUNNING-3.json', 'release', RELEASE_42, releaseInput));

    // Assess
    expect(result).toEqual({ kind: 'recorded', action: 'redriven', milestone: 'Release Redriven' });
    expect(announced().map((e) => [e.DetailType, e.Detail])).toEqual([['Release Redriven', { app: 'example', buildKey: '42', execution: RELEASE_42, redriveCount: 1 }]]);
    expect(dynamoMock).toHaveReceivedCommandWith(PutItemCommand, { Item: expect.objectContaining({ rank: { N: '2' } }) });
  });

  test('success after a redrive clears the failure it recorded (only if this execution recorded it)', async () => {
    // Act
    const result = await handler(statusEvent('stepfunctions-execution-status-change-SUCCEEDED-1.json', 'release', RELEASE_42, releaseInput, { redriveCount: 1 }));

    // Assess
    expect(result).toEqual({ kind: 'recorded', action: 'recovered' });
    expect(buildUpdate()).toMatchObject({ UpdateExpression: 'REMOVE pipelineError, pipelineCause, failedStep, failedLogLink, awsError SET recoveredAt = :at', ConditionExpression: 'failedExecution = :me' });
    expect(ebMock).not.toHaveReceivedCommand(PutEventsCommand);
  });

  test('a plain success (older format, no redrive count) is not the bookkeeping\'s business: no AWS call', async () => {
    // Act
    const result = await handler(statusEvent('stepfunctions-execution-status-change-SUCCEEDED-1.json', 'deploy', DEPLOY_42, deployInput));

    // Assess
    expect(result.kind).toBe('ignored');
    expect(dynamoMock).not.toHaveReceivedCommand(GetItemCommand);
  });

  test('events of other state machines (the published sample as is) are ignored', async () => {
    // Act
    const result = await handler(awsEvent('stepfunctions-execution-status-change-FAILED-2.json'));

    // Assess
    expect(result).toEqual({ kind: 'ignored', reason: "arn:aws:states:us-east-2:123456789012:stateMachine:state-machine is not one of this control plane's state machines" });
    expect(dynamoMock).not.toHaveReceivedCommand(GetItemCommand);
  });

  test.each([
    ['an ECS event', () => awsEvent('ecs-deployment-completed.json')],
    ['a status event without an execution ARN', () => ({ ...statusEvent('stepfunctions-execution-status-change-FAILED-2.json', 'release', RELEASE_42, {}), detail: { status: 'FAILED' } })],
    ['null', () => null],
  ])('%s is refused with InvalidEvent naming what is wrong', async (_label, event) => {
    await expect(handler(event())).rejects.toMatchObject({ name: 'InvalidEvent', message: expect.stringContaining('execution-status expects a Step Functions "Execution Status Change" event') });
  });

  test('EventBridge refusing the milestone fails the invocation with TransientError (Lambda retries the event)', async () => {
    // Prepare
    ebMock.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' }] });

    // Act
    const call = handler(statusEvent('stepfunctions-execution-status-change-FAILED-2.json', 'release', RELEASE_42, releaseInput));

    // Assess
    await expect(call).rejects.toMatchObject({ name: 'TransientError', message: expect.stringContaining('ThrottlingException') });
    expect(dynamoMock).not.toHaveReceivedCommand(PutItemCommand);
  });

  describe('the sweep (issue 22: it misses nothing at fleet scale)', () => {
    const NOW = new Date('2026-01-01T00:05:00Z');
    const sweepEvent = { 'detail-type': 'Scheduled Event', source: 'aws.events', time: NOW.toISOString(), detail: {} };
    const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000);
    const listed = (p: string, name: string, status: string, stoppedMinutesAgo: number, startedMinutesAgo = stoppedMinutesAgo + 10, redriveCount = 0) => ({
      executionArn: execArn(p, name),
      stateMachineArn: smArn(p),
      name,
      status: status as 'FAILED',
      startDate: minutesAgo(startedMinutesAgo),
      stopDate: minutesAgo(stoppedMinutesAgo),
      redriveCount,
    });
    const describeFrom = (arn: string) => {
      const name = arn.slice(arn.lastIndexOf(':') + 1);
      const app = name.startsWith('app') ? name.slice(0, name.indexOf('-')) : 'example';
      return { executionArn: arn, status: 'FAILED' as const, redriveCount: 0, input: JSON.stringify({ ...deployInput, app, build: { buildKey: '43', sortKey: '0000000043' } }), error: 'DeploymentTimedOut', cause: 'did not settle', stopDate: minutesAgo(3), startDate: minutesAgo(13), stateMachineArn: smArn('deploy') };
    };
    const markItem = () => dynamoMock.commandCalls(PutItemCommand).map((c) => c.args[0].input).find((i) => i.Item?.pk?.S === 'SWEEP');

    beforeEach(() => {
      sfnMock.on(ListExecutionsCommand).resolves({ executions: [] });
      sfnMock.on(DescribeExecutionCommand).callsFake((i: { executionArn: string }) => describeFrom(i.executionArn));
      ssmMock.on(GetParameterCommand).callsFake((i: { Name: string }) => {
        const app = i.Name.split('/')[3];
        return settingsParameterOutput(settingsInput({ app, table: `slipway-${app}` }));
      });
    });

    test('reads every page of every failed status since the mark (1,500 failures of 300 apps across 2 pages), oldest stop first, at most 100 a run, the mark held before the first one left', async () => {
      // Prepare: the mark says the last run looked up to 10 minutes ago; 1,500 deploys failed since (newest start first).
      dynamoMock.on(GetItemCommand, { Key: { pk: { S: 'SWEEP' }, sk: { S: 'execution-status' } } }).resolves({ Item: { until: { S: minutesAgo(10).toISOString() } } });
      const failures = Array.from({ length: 1500 }, (_, i) => listed('deploy', `app${i % 300}--${1000 + i}-deploy`, 'FAILED', 1 + (i % 9)));
      sfnMock.on(ListExecutionsCommand, { stateMachineArn: smArn('deploy'), statusFilter: 'FAILED' }).resolves({ executions: failures.slice(0, 1000), nextToken: 'page-2' });
      sfnMock.on(ListExecutionsCommand, { stateMachineArn: smArn('deploy'), statusFilter: 'FAILED', nextToken: 'page-2' }).resolves({ executions: [...failures.slice(1000), listed('deploy', 'example--1-deploy', 'FAILED', 60 * 24 * 9, 60 * 24 * 9)] });

      // Act
      const result = await handler(sweepEvent);

      // Assess: 100 described this run (the per-run limit), the mark stays before the first one left.
      expect(sfnMock).toHaveReceivedCommandWith(ListExecutionsCommand, { stateMachineArn: smArn('deploy'), statusFilter: 'FAILED', maxResults: 1000, nextToken: 'page-2' });
      expect(result).toMatchObject({ kind: 'sweep', examined: 100, repaired: 100, errors: [] });
      const stops = sfnMock.commandCalls(DescribeExecutionCommand).map((c) => failures.find((f) => f.executionArn === c.args[0].input.executionArn)!.stopDate.getTime());
      expect(stops).toEqual([...stops].sort((a, b) => a - b));
      const firstLeft = [...failures].sort((a, b) => a.stopDate.getTime() - b.stopDate.getTime())[100].stopDate.toISOString();
      expect(result.mark).toBe(firstLeft);
      expect(markItem()?.Item?.until).toEqual({ S: firstLeft });
    });

    test('lists FAILED, TIMED_OUT, ABORTED and every redriven execution of each state machine, within the documented number of calls', async () => {
      dynamoMock.on(GetItemCommand, { Key: { pk: { S: 'SWEEP' }, sk: { S: 'execution-status' } } }).resolves({ Item: { until: { S: minutesAgo(5).toISOString() } } });

      const result = await handler(sweepEvent);

      const listings = sfnMock.commandCalls(ListExecutionsCommand).map((c) => `${c.args[0].input.stateMachineArn?.split('-').pop()}:${c.args[0].input.statusFilter ?? ''}:${c.args[0].input.redriveFilter ?? ''}`);
      expect(new Set(listings).size).toBe(STATE_MACHINES.length * 4);
      expect(listings).toContain('deploy:TIMED_OUT:');
      expect(listings).toContain('build:ABORTED:');
      expect(listings).toContain('release::REDRIVEN');
      expect(result.calls).toEqual({ listExecutions: STATE_MACHINES.length * 4, describeExecution: 0 });
      expect(result.mark).toBe(NOW.toISOString());
    });

    test("one app's error never stops the sweep for the others: it is collected and reported, and the others are recorded", async () => {
      dynamoMock.on(GetItemCommand, { Key: { pk: { S: 'SWEEP' }, sk: { S: 'execution-status' } } }).resolves({ Item: { until: { S: minutesAgo(10).toISOString() } } });
      sfnMock.on(ListExecutionsCommand, { stateMachineArn: smArn('deploy'), statusFilter: 'FAILED' }).resolves({
        executions: [listed('deploy', 'app1--7-deploy', 'FAILED', 4), listed('deploy', 'app2--7-deploy', 'FAILED', 3), listed('deploy', 'app3--7-deploy', 'FAILED', 2)],
      });
      // app2 has no settings any more; app3's table throttles (transient).
      ssmMock.on(GetParameterCommand, { Name: '/slipway/apps/app2/settings' }).rejects(awsError('ParameterNotFound', 'no such parameter'));
      dynamoMock.on(GetItemCommand, { TableName: 'slipway-app3', Key: { pk: { S: 'EXECUTION' }, sk: { S: execArn('deploy', 'app3--7-deploy') } } }).rejects(awsError('ThrottlingException', 'Rate exceeded'));

      const result = await handler(sweepEvent);

      expect(result.repaired).toBe(1);
      expect(result.errors?.map((e) => [e.executionArn?.split(':').pop(), e.error])).toEqual([
        ['app2--7-deploy', 'SettingsNotFound'],
        ['app3--7-deploy', 'TransientError'],
      ]);
      expect(announced().map((e) => e.Detail.app)).toEqual(['app1']);
      // The transient one is looked at again next run: the mark stays at its stop.
      expect(result.mark).toBe(minutesAgo(2).toISOString());
    });

    test('a listing that fails leaves the mark where it was (the next run looks again); the other state machines are still swept', async () => {
      dynamoMock.on(GetItemCommand, { Key: { pk: { S: 'SWEEP' }, sk: { S: 'execution-status' } } }).resolves({ Item: { until: { S: minutesAgo(10).toISOString() } } });
      sfnMock.on(ListExecutionsCommand, { stateMachineArn: smArn('build'), statusFilter: 'FAILED' }).rejects(awsError('AccessDeniedException', 'not authorized'));
      sfnMock.on(ListExecutionsCommand, { stateMachineArn: smArn('deploy'), statusFilter: 'FAILED' }).resolves({ executions: [listed('deploy', 'app1--7-deploy', 'FAILED', 4)] });

      const result = await handler(sweepEvent);

      expect(result.repaired).toBe(1);
      expect(result.errors?.map((e) => e.error)).toEqual(['AccessDeniedException']);
      expect(result.mark).toBe(minutesAgo(10).toISOString());
    });

    test('a redriven execution that failed again is found however long ago it started (the redrive listing), and one processed before is skipped', async () => {
      dynamoMock.on(GetItemCommand, { Key: { pk: { S: 'SWEEP' }, sk: { S: 'execution-status' } } }).resolves({ Item: { until: { S: minutesAgo(10).toISOString() } } });
      const old = listed('deploy', 'app1--7-deploy', 'FAILED', 3, 60 * 24 * 12, 1);
      const seen = listed('deploy', 'app2--7-deploy', 'FAILED', 4, 60 * 24 * 12, 1);
      sfnMock.on(ListExecutionsCommand, { stateMachineArn: smArn('deploy'), redriveFilter: 'REDRIVEN' }).resolves({ executions: [old, seen] });
      sfnMock.on(DescribeExecutionCommand).callsFake((i: { executionArn: string }) => ({ ...describeFrom(i.executionArn), redriveCount: 1 }));
      dynamoMock.on(GetItemCommand, { TableName: 'slipway-app2', Key: { pk: { S: 'EXECUTION' }, sk: { S: seen.executionArn } } }).resolves({ Item: { rank: { N: '3' } } });

      const result = await handler(sweepEvent);

      expect(result).toMatchObject({ examined: 2, repaired: 1, errors: [] });
      expect(announced().map((e) => [e.Detail.app, e.Detail.redriveCount])).toEqual([['app1', 1]]);
    });

    test('the first run (no mark) looks back a day, not further', async () => {
      sfnMock.on(ListExecutionsCommand, { stateMachineArn: smArn('deploy'), statusFilter: 'FAILED' }).resolves({
        executions: [listed('deploy', 'app1--7-deploy', 'FAILED', 60), listed('deploy', 'app2--7-deploy', 'FAILED', 60 * 25)],
      });

      const result = await handler(sweepEvent);

      expect(result).toMatchObject({ examined: 1, repaired: 1 });
      expect(markItem()?.Item?.until).toEqual({ S: NOW.toISOString() });
    });
  });

  test("another app's execution is recorded in that app's table, found from its settings parameter", async () => {
    // Prepare
    ssmMock.on(GetParameterCommand, { Name: '/slipway/apps/docs/settings' }).resolves(settingsParameterOutput(settingsInput({ app: 'docs', table: 'slipway-docs-table' })));
    const docsDeploy = execArn('deploy', 'docs--7-deploy');

    // Act
    await handler(statusEvent('stepfunctions-execution-status-change-FAILED-2.json', 'deploy', docsDeploy, { ...deployInput, app: 'docs', table: 'slipway-docs-table' }, { error: 'DeploymentRolledBack', cause: 'x' }));

    // Assess
    const tables = new Set([...dynamoMock.commandCalls(UpdateItemCommand), ...dynamoMock.commandCalls(PutItemCommand), ...dynamoMock.commandCalls(GetItemCommand)].map((c) => c.args[0].input.TableName));
    expect(tables).toEqual(new Set(['slipway-docs-table']));
    expect(announced().map((e) => e.Detail.app)).toEqual(['docs']);
  });

  test('an execution whose input names no app (a start by hand) is ignored with the reason, and nothing is written', async () => {
    // Act
    const result = await handler(statusEvent('stepfunctions-execution-status-change-FAILED-2.json', 'deploy', DEPLOY_42, { build: BUILD }, { error: 'States.Runtime', cause: 'x' }));

    // Assess
    expect(result).toEqual({ kind: 'ignored', reason: expect.stringContaining('names no app of /slipway/apps/') });
    expect(dynamoMock).not.toHaveReceivedCommand(UpdateItemCommand);
    expect(ebMock).not.toHaveReceivedCommand(PutEventsCommand);
  });

  test('an app without a settings parameter is SettingsNotFound (EventBridge retries the event)', async () => {
    // Prepare
    ssmMock.on(GetParameterCommand, { Name: '/slipway/apps/ghost/settings' }).rejects(awsError('ParameterNotFound'));

    // Act
    const call = handler(statusEvent('stepfunctions-execution-status-change-FAILED-2.json', 'deploy', DEPLOY_42, { ...deployInput, app: 'ghost' }, { error: 'States.Runtime', cause: 'x' }));

    // Assess
    await expect(call).rejects.toMatchObject({ name: 'SettingsNotFound', message: expect.stringContaining('/slipway/apps/ghost/settings') });
  });
});
