import { ApplicationAutoScalingClient, DescribeScalableTargetsCommand, RegisterScalableTargetCommand, type ScalableTarget } from '@aws-sdk/client-application-auto-scaling';
import { DeleteItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { UsageError } from '../../../lib/cli/errors';
import { scaleProcess } from '../../../lib/ops/scaling';
import { clients, mockApp, mocks, NOW, SETTINGS, TABLE } from './task-fixtures';

/**
 * `slipway scale`'s operation with aws-sdk-client-mock: the service's scalable target (the cluster from
 * the app's settings) and the range stored in the app's table, which every later deploy and config
 * change applies (test/statemachines/scale-persists.test.ts runs that through the real ASL).
 */

const scaling = mockClient(ApplicationAutoScalingClient);
const client = { ...clients, autoscaling: new ApplicationAutoScalingClient({ region: 'eu-west-1' }) };
const WEB = 'service/slipway-production/example--web';

const target = (resourceId: string, min: number, max: number): ScalableTarget => ({
  ServiceNamespace: 'ecs',
  ResourceId: resourceId,
  ScalableDimension: 'ecs:service:DesiredCount',
  MinCapacity: min,
  MaxCapacity: max,
  RoleARN: 'arn:aws:iam::123456789012:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService',
  CreationTime: new Date('2026-01-01T00:00:00Z'),
});

beforeEach(() => {
  mockApp();
  scaling.reset();
  scaling.on(DescribeScalableTargetsCommand).resolves({ ScalableTargets: [target(WEB, 2, 6)] });
  scaling.on(RegisterScalableTargetCommand).resolves({});
  mocks.dynamodb.on(UpdateItemCommand).resolves({});
  mocks.dynamodb.on(DeleteItemCommand).resolves({});
});

describe('scaleProcess', () => {
  it('registers the range on the service of the app\'s cluster, then stores it under SCALE/<process> in the app\'s table', async () => {
    // Act
    const result = await scaleProcess(client, { app: 'example', process: 'web', range: { min: 0, max: 0 }, now: NOW });

    // Assess
    expect(result).toEqual({ app: 'example', process: 'web', service: 'example--web', resourceId: WEB, previous: { min: 2, max: 6 }, range: { min: 0, max: 0 }, stored: true });
    expect(scaling).toHaveReceivedCommandWith(DescribeScalableTargetsCommand, { ResourceIds: [WEB] });
    expect(scaling).toHaveReceivedCommandWith(RegisterScalableTargetCommand, { ServiceNamespace: 'ecs', ScalableDimension: 'ecs:service:DesiredCount', ResourceId: WEB, MinCapacity: 0, MaxCapacity: 0 });
    const stored = mocks.dynamodb.commandCalls(UpdateItemCommand)[0].args[0].input;
    expect(stored).toMatchObject({ TableName: TABLE, Key: { pk: { S: 'SCALE' }, sk: { S: 'web' } }, ExpressionAttributeValues: { ':min': { N: '0' }, ':max': { N: '0' }, ':at': { S: NOW.toISOString() } } });
  });

  it('--reset registers the config\'s range and removes the stored one', async () => {
    // Act
    const result = await scaleProcess(client, { app: 'example', process: 'web', reset: true });

    // Assess
    const configured = SETTINGS.processes.web.autoscaling ?? { min: SETTINGS.processes.web.desiredCount, max: SETTINGS.processes.web.desiredCount };
    expect(result).toMatchObject({ range: { min: configured.min, max: configured.max }, stored: false });
    expect(scaling).toHaveReceivedCommandWith(RegisterScalableTargetCommand, { ResourceId: WEB, MinCapacity: configured.min, MaxCapacity: configured.max });
    expect(mocks.dynamodb).toHaveReceivedCommandWith(DeleteItemCommand, { TableName: TABLE, Key: { pk: { S: 'SCALE' }, sk: { S: 'web' } } });
    expect(mocks.dynamodb).not.toHaveReceivedCommand(UpdateItemCommand);
  });

  it('a range AWS refuses is not stored', async () => {
    scaling.on(RegisterScalableTargetCommand).rejects(Object.assign(new Error('service not found'), { name: 'ValidationException' }));
    await expect(scaleProcess(client, { app: 'example', process: 'web', range: { min: 1, max: 1 } })).rejects.toThrow('service not found');
    expect(mocks.dynamodb).not.toHaveReceivedCommand(UpdateItemCommand);
  });

  it('a range applied but not stored says so and what follows', async () => {
    mocks.dynamodb.on(UpdateItemCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    await expect(scaleProcess(client, { app: 'example', process: 'web', range: { min: 3, max: 3 } })).rejects.toThrow(/^example--web runs 3 task\(s\) now, but storing the range in the app's table failed .*the next deploy or config change gives it the config's range/);
  });

  it('refuses a process type the app does not have, and invalid names, before any change', async () => {
    await expect(scaleProcess(client, { app: 'example', process: 'nope', range: { min: 1, max: 1 } })).rejects.toThrow('"nope" is not a process type of example');
    await expect(scaleProcess(client, { app: 'example', process: 'Web!', range: { min: 1, max: 1 } })).rejects.toThrow(UsageError);
    await expect(scaleProcess(client, { app: 'example', process: 'web' })).rejects.toThrow('a range (<min> or <min>-<max>) or --reset');
    expect(scaling).not.toHaveReceivedCommand(RegisterScalableTargetCommand);
    expect(mocks.dynamodb).not.toHaveReceivedCommand(UpdateItemCommand);
  });
});
