import { resetForHandler, taskDefArn, setHandlerEnv, SETTINGS_PARAMETER, TABLE_NAME } from './helpers';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeTaskDefinitionCommand, ECSClient, ListTaskDefinitionsCommand, RegisterTaskDefinitionCommand, type TaskDefinition } from '@aws-sdk/client-ecs';
import { DescribeParametersCommand, GetParameterCommand, GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler as registerHandler, type ConfigRedeploy } from '../../functions/register-config-revisions';
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { sfn } from '../../functions/shared/clients';

const handler = (event: unknown) => registerHandler(event) as Promise<ConfigRedeploy>;
import { configRevisionRequest, mergeSecrets, parameterNameOf } from '../../functions/shared/revisions';
import { dynamodb, ecs, ssm } from '../../functions/shared/clients';

const APP = '/slipway/apps/example';
const CONFIG = `${APP}/config`;
const WEB = 'slipway-example--web';
const arn = (key: string) => `arn:aws:ssm:eu-west-1:123456789012:parameter${CONFIG}/${key}`;

const ddb = mockClient(dynamodb as DynamoDBClient);
const ecsMock = mockClient(ecs as ECSClient);
const ssmMock = mockClient(ssm as SSMClient);

function current(): TaskDefinition {
  return {
    taskDefinitionArn: taskDefArn(WEB, 7),
    family: WEB,
    revision: 7,
    status: 'ACTIVE',
    cpu: '256',
    memory: '512',
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    registeredBy: 'arn:aws:sts::123456789012:assumed-role/x',
    containerDefinitions: [
      { name: 'web', image: 'repo:build-42', secrets: [{ name: 'OLD', valueFrom: arn('OLD') }, { name: 'SHARED', valueFrom: 'arn:aws:ssm:eu-west-1:123456789012:parameter/shared/SHARED' }] },
      { name: 'sidecar', image: 'envoy' },
    ],
  };
}

describe('revision decisions', () => {
  test('parameterNameOf reads names and ARNs', () => {
    expect([parameterNameOf(arn('A')), parameterNameOf(`${CONFIG}/A`)]).toEqual([`${CONFIG}/A`, `${CONFIG}/A`]);
  });

  test('mergeSecrets replaces the config keys and keeps secrets from elsewhere', () => {
    const merged = mergeSecrets(current().containerDefinitions?.[0].secrets, [{ name: 'B', valueFrom: arn('B') }, { name: 'A', valueFrom: arn('A') }], CONFIG);

    expect(merged.map((s) => s.name)).toEqual(['SHARED', 'A', 'B']);
  });

  test('the request copies the revision without the fields ECS sets, changes only the process container, and tags the execution', () => {
    const req = configRevisionRequest(current(), [{ key: 'slipway:build', value: '42' }], 'web', [{ name: 'A', valueFrom: arn('A') }], CONFIG, 'exec-1');

    expect(req).not.toHaveProperty('registeredBy');
    expect(req).not.toHaveProperty('revision');
    expect(req.containerDefinitions?.[1]).toEqual({ name: 'sidecar', image: 'envoy' });
    expect(req.containerDefinitions?.[0].secrets?.map((s) => s.name)).toEqual(['SHARED', 'A']);
    expect(req.tags).toEqual([{ key: 'slipway:build', value: '42' }, { key: 'slipway:config-change', value: 'exec-1' }]);
  });
});

describe('handler', () => {
  beforeEach(() => {
    resetForHandler(ssmMock, ddb, ecsMock);
    ddb.on(GetItemCommand, { Key: { pk: { S: 'RELEASE' }, sk: { S: 'CURRENT' } } }).resolves({
      Item: {
        buildKey: { S: '42' },
        buildSortKey: { S: '0000000042' },
        image: { S: 'repo:build-42' },
        commit: { S: 'abc' },
        processes: { S: JSON.stringify([{ process: 'web', taskDefinitionArn: taskDefArn(WEB, 7) }]) },
      },
    });
    ssmMock.on(DescribeParametersCommand).resolves({ Parameters: [{ Name: `${CONFIG}/A`, ARN: arn('A') }, { Name: `${CONFIG}/BAD-NAME`, ARN: arn('BAD-NAME') }] });
    ecsMock.on(ListTaskDefinitionsCommand).resolves({ taskDefinitionArns: [taskDefArn(WEB, 7)] });
    ecsMock.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: current(), tags: [{ key: 'slipway:app', value: 'example' }, { key: 'slipway:build', value: '42' }] });
    ecsMock.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: taskDefArn(WEB, 8) } });
  });

  test('registers a revision with the keys that exist now and returns the deploy input of the same build', async () => {
    const out = await handler({ app: 'example', execution: 'exec-1' });

    expect(out).toEqual({
      state: 'READY',
      build: { buildKey: '42', sortKey: '0000000042', image: 'repo:build-42', commit: 'abc' },
      processes: [{ name: 'web', taskDefinitionArn: taskDefArn(WEB, 8) }],
      deployTimeoutSeconds: 1800,
      keys: ['A'],
    });
    const secrets = ecsMock.commandCalls(RegisterTaskDefinitionCommand)[0].args[0].input.containerDefinitions?.[0].secrets;
    expect(secrets).toEqual([{ name: 'SHARED', valueFrom: 'arn:aws:ssm:eu-west-1:123456789012:parameter/shared/SHARED' }, { name: 'A', valueFrom: arn('A') }]);
  });

  test("never reads a parameter value: the only parameter read is the app's settings", async () => {
    await handler({ app: 'example', execution: 'exec-1' });

    expect(ssmMock).toHaveReceivedCommandTimes(GetParameterCommand, 1);
    expect(ssmMock).toHaveReceivedCommandWith(GetParameterCommand, { Name: SETTINGS_PARAMETER });
    expect(ssmMock).not.toHaveReceivedCommand(GetParametersByPathCommand);
  });

  test('a re-run (redrive) reuses the revision it registered', async () => {
    ecsMock.on(ListTaskDefinitionsCommand).resolves({ taskDefinitionArns: [taskDefArn(WEB, 8)] });
    ecsMock.on(DescribeTaskDefinitionCommand, { taskDefinition: taskDefArn(WEB, 8) }).resolves({ taskDefinition: { ...current(), taskDefinitionArn: taskDefArn(WEB, 8) }, tags: [{ key: 'slipway:config-change', value: 'exec-1' }] });

    const out = await handler({ app: 'example', execution: 'exec-1' });

    expect(out.state === 'READY' && out.processes[0].taskDefinitionArn).toBe(taskDefArn(WEB, 8));
    expect(ecsMock).not.toHaveReceivedCommand(RegisterTaskDefinitionCommand);
  });

  test('no current release: nothing registered, NO_RELEASE', async () => {
    ddb.on(GetItemCommand, { Key: { pk: { S: 'RELEASE' }, sk: { S: 'CURRENT' } } }).resolves({});

    expect((await handler({ app: 'example', execution: 'exec-1' })).state).toBe('NO_RELEASE');
    expect(ecsMock).not.toHaveReceivedCommand(RegisterTaskDefinitionCommand);
  });

  test('throttled DescribeParameters is a TransientError (the state machine retries it)', async () => {
    ssmMock.on(DescribeParametersCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));

    await expect(handler({ app: 'example', execution: 'exec-1' })).rejects.toMatchObject({ name: 'TransientError' });
    expect(ddb).toHaveReceivedCommandWith(GetItemCommand, { TableName: TABLE_NAME });
  });
});

describe('findRunningPipelines: the app\'s running deploys and releases on the shared state machines', () => {
  const sfnMock = mockClient(sfn as SFNClient);
  const DEPLOY = 'arn:aws:states:eu-west-1:123456789012:stateMachine:slipway-production-deploy';
  const RELEASE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:slipway-production-release';
  const exec = (sm: string, name: string) => `${sm.replace(':stateMachine:', ':execution:')}:${name}`;

  beforeEach(() => {
    sfnMock.reset();
    setHandlerEnv();
    process.env.STATE_MACHINE_ARNS = JSON.stringify({ build: `${DEPLOY}-b`, release: RELEASE, deploy: DEPLOY, 'config-change': `${DEPLOY}-c`, schedules: `${DEPLOY}-s` });
  });

  test("counts only this app's executions: by name <app>-<n>-deploy, else by the input's app (config redeploys)", async () => {
    sfnMock.on(ListExecutionsCommand, { stateMachineArn: DEPLOY }).resolves({
      executions: [
        { name: 'example-admin--7-deploy', executionArn: exec(DEPLOY, 'example-admin--7-deploy'), stateMachineArn: DEPLOY, status: 'RUNNING', startDate: new Date() },
        { name: 'example--config-e1', executionArn: exec(DEPLOY, 'example--config-e1'), stateMachineArn: DEPLOY, status: 'RUNNING', startDate: new Date() },
        { name: 'docs--config-e2', executionArn: exec(DEPLOY, 'docs--config-e2'), stateMachineArn: DEPLOY, status: 'RUNNING', startDate: new Date() },
        { name: 'example--42-deploy', executionArn: exec(DEPLOY, 'example--42-deploy'), stateMachineArn: DEPLOY, status: 'RUNNING', startDate: new Date() },
      ],
    });
    sfnMock.on(ListExecutionsCommand, { stateMachineArn: RELEASE }).resolves({
      executions: [{ name: 'docs--3-release', executionArn: exec(RELEASE, 'docs--3-release'), stateMachineArn: RELEASE, status: 'RUNNING', startDate: new Date() }],
    });
    sfnMock.on(DescribeExecutionCommand, { executionArn: exec(DEPLOY, 'example-admin--7-deploy') }).resolves({ input: JSON.stringify({ app: 'example-admin' }) });
    sfnMock.on(DescribeExecutionCommand, { executionArn: exec(DEPLOY, 'example--config-e1') }).resolves({ input: JSON.stringify({ app: 'example' }) });
    sfnMock.on(DescribeExecutionCommand, { executionArn: exec(DEPLOY, 'docs--config-e2') }).resolves({ input: JSON.stringify({ app: 'docs' }) });
    sfnMock.on(DescribeExecutionCommand, { executionArn: exec(RELEASE, 'docs--3-release') }).resolves({ input: JSON.stringify({ app: 'docs' }) });

    const out = await registerHandler({ action: 'findRunningPipelines', app: 'example' });

    expect(out).toEqual({ deploys: 2, releases: 0 });
    expect(sfnMock).toHaveReceivedCommandWith(ListExecutionsCommand, { stateMachineArn: DEPLOY, statusFilter: 'RUNNING' });
  });

  test('follows the pages of ListExecutions', async () => {
    sfnMock.on(ListExecutionsCommand, { stateMachineArn: DEPLOY }).resolves({ executions: [{ name: 'example--1-deploy', executionArn: exec(DEPLOY, 'example--1-deploy'), stateMachineArn: DEPLOY, status: 'RUNNING', startDate: new Date() }], nextToken: 'p2' });
    sfnMock.on(ListExecutionsCommand, { stateMachineArn: DEPLOY, nextToken: 'p2' }).resolves({ executions: [{ name: 'example--2-deploy', executionArn: exec(DEPLOY, 'example--2-deploy'), stateMachineArn: DEPLOY, status: 'RUNNING', startDate: new Date() }] });
    sfnMock.on(ListExecutionsCommand, { stateMachineArn: RELEASE }).resolves({ executions: [] });

    expect(await registerHandler({ action: 'findRunningPipelines', app: 'example' })).toEqual({ deploys: 2, releases: 0 });
  });

  test('an invalid app name is InvalidInput', async () => {
    await expect(registerHandler({ action: 'findRunningPipelines', app: 'Bad App' })).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('app') });
  });
});
