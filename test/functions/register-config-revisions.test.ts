import { setHandlerEnv, settingsItem, settingsInput, taskDefArn, TABLE_NAME } from './helpers';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeTaskDefinitionCommand, ECSClient, ListTaskDefinitionsCommand, RegisterTaskDefinitionCommand, type TaskDefinition } from '@aws-sdk/client-ecs';
import { DescribeParametersCommand, GetParameterCommand, GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler } from '../../functions/register-config-revisions';
import { configRevisionRequest, mergeSecrets, parameterNameOf } from '../../functions/register-config-revisions/revision';
import { dynamodb, ecs, ssm } from '../../functions/shared/clients';

const APP = '/slipway/apps/example';
const CONFIG = `${APP}/config`;
const WEB = 'slipway-example-web';
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
    ddb.reset();
    ecsMock.reset();
    ssmMock.reset();
    setHandlerEnv();
    process.env.PARAMETER_PATH = APP;
    ddb.on(GetItemCommand, { Key: { pk: { S: 'APP' }, sk: { S: 'SETTINGS' } } }).resolves({ Item: settingsItem(settingsInput()) });
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
    const out = await handler({ execution: 'exec-1' });

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

  test('never reads a parameter value', async () => {
    await handler({ execution: 'exec-1' });

    expect(ssmMock).not.toHaveReceivedCommand(GetParameterCommand);
    expect(ssmMock).not.toHaveReceivedCommand(GetParametersByPathCommand);
  });

  test('a re-run (redrive) reuses the revision it registered', async () => {
    ecsMock.on(ListTaskDefinitionsCommand).resolves({ taskDefinitionArns: [taskDefArn(WEB, 8)] });
    ecsMock.on(DescribeTaskDefinitionCommand, { taskDefinition: taskDefArn(WEB, 8) }).resolves({ taskDefinition: { ...current(), taskDefinitionArn: taskDefArn(WEB, 8) }, tags: [{ key: 'slipway:config-change', value: 'exec-1' }] });

    const out = await handler({ execution: 'exec-1' });

    expect(out.state === 'READY' && out.processes[0].taskDefinitionArn).toBe(taskDefArn(WEB, 8));
    expect(ecsMock).not.toHaveReceivedCommand(RegisterTaskDefinitionCommand);
  });

  test('no current release: nothing registered, NO_RELEASE', async () => {
    ddb.on(GetItemCommand, { Key: { pk: { S: 'RELEASE' }, sk: { S: 'CURRENT' } } }).resolves({});

    expect((await handler({ execution: 'exec-1' })).state).toBe('NO_RELEASE');
    expect(ecsMock).not.toHaveReceivedCommand(RegisterTaskDefinitionCommand);
  });

  test('throttled DescribeParameters is a TransientError (the state machine retries it)', async () => {
    ssmMock.on(DescribeParametersCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));

    await expect(handler({ execution: 'exec-1' })).rejects.toMatchObject({ name: 'TransientError' });
    expect(ddb).toHaveReceivedCommandWith(GetItemCommand, { TableName: TABLE_NAME });
  });
});
