import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBClient, GetItemCommand, QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { ssm } from '../../functions/shared/clients';
import { handler } from '../../functions/update-service';
import { nextConfigVersion } from '../../functions/update-service/record-release';
import { releaseTriggerOf } from '../../domain/releases';
import { awsError, setHandlerEnv, settingsInput, settingsParameterOutput, TABLE_NAME, taskDefArn } from './helpers';

/*
 * The deploy's "Number the release" state (functions/update-service/record-release.ts) where the local
 * run cannot reach: a retry after the number was taken, and another deploy taking it first. The
 * sequence push / config change / push / rollback runs through the real ASL in
 * test/statemachines/releases.test.ts.
 */

const ssmMock = mockClient(ssm as SSMClient);
const dynamoMock = mockClient(DynamoDBClient);
const ME = 'arn:aws:states:eu-west-1:123456789012:execution:slipway-production-deploy:example--42-deploy';
const OTHER = 'arn:aws:states:eu-west-1:123456789012:execution:slipway-production-deploy:example--43-deploy';
const WEB = taskDefArn('slipway-example--web', 8);
/** What the state sends (statemachines/deploy.asl.json "Number the release"). */
const input = () => ({
  action: 'recordRelease' as const,
  app: 'example',
  build: { buildKey: '42', sortKey: '0000000042', image: 'repo:build-42', commit: 'abc' },
  services: [{ process: 'web', taskDefinitionArn: WEB, serviceName: 'example--web', outcome: 'deployed' }],
  executionArn: ME,
  execution: 'example--42-deploy',
  at: '2026-01-01T00:00:00.000Z',
});
const counter = (last: number, lastExecution: string, configVersion = 1) => ({ Item: { pk: { S: 'COUNTER' }, sk: { S: 'RELEASE' }, last: { N: String(last) }, lastExecution: { S: lastExecution }, configVersion: { N: String(configVersion) }, maxConfigVersion: { N: String(configVersion) } } });

beforeEach(() => {
  ssmMock.reset();
  dynamoMock.reset();
  setHandlerEnv();
  ssmMock.on(GetParameterCommand).resolves(settingsParameterOutput(settingsInput()));
  dynamoMock.on(UpdateItemCommand).resolves({});
  dynamoMock.on(QueryCommand).resolves({ Items: [] });
});

test('a retry after the counter was taken by this execution writes the same number, and takes no new one', async () => {
  // Prepare: the first attempt took 7 and died before writing the release.
  dynamoMock.on(GetItemCommand).callsFake((req: { Key: { pk: { S: string } } }) => (req.Key.pk.S === 'COUNTER' ? counter(7, ME, 3) : {}));

  // Act
  const out = await handler(input());

  // Assess
  expect(out).toEqual({ number: 7, configVersion: 3, trigger: 'push' });
  const writes = dynamoMock.commandCalls(UpdateItemCommand).map((c) => c.args[0].input);
  expect(writes).toHaveLength(1);
  expect(writes[0]).toMatchObject({ TableName: TABLE_NAME, Key: { pk: { S: 'RELEASES' }, sk: { S: '0000000007' } } });
});

test('another deploy numbering at the same time: the conditional write fails, the next number is taken', async () => {
  // Prepare: the counter reads 7, then 8 after the other deploy took it.
  dynamoMock.on(GetItemCommand).resolvesOnce(counter(7, OTHER)).resolves(counter(8, OTHER));
  dynamoMock.on(UpdateItemCommand).rejectsOnce(awsError('ConditionalCheckFailedException')).resolves({});

  // Act
  const out = await handler(input());

  // Assess
  expect(out.number).toBe(9);
  const counterWrites = dynamoMock.commandCalls(UpdateItemCommand).filter((c) => c.args[0].input.Key?.pk?.S === 'COUNTER');
  expect(counterWrites.map((c) => c.args[0].input.ExpressionAttributeValues?.[':prev'])).toEqual([{ N: '7' }, { N: '8' }]);
  expect(dynamoMock).toHaveReceivedCommandWith(UpdateItemCommand, { Key: { pk: { S: 'RELEASES' }, sk: { S: '0000000009' } } });
});

test('an execution not named under the app records nothing', async () => {
  await expect(handler({ ...input(), execution: 'shop--42-deploy' })).rejects.toThrow(/release of app example not recorded/);
  expect(dynamoMock.commandCalls(UpdateItemCommand)).toHaveLength(0);
});

test('nextConfigVersion', () => {
  const c = { last: 4, configVersion: 2, maxConfigVersion: 3 };
  expect(nextConfigVersion({ last: 0, configVersion: 0, maxConfigVersion: 0 }, 'push', undefined)).toBe(1);
  expect(nextConfigVersion(c, 'config change', undefined)).toBe(4);
  expect(nextConfigVersion(c, 'push', undefined)).toBe(2);
  expect(nextConfigVersion(c, 'rollback', { configVersion: 1 } as never)).toBe(1);
});

test.each([
  ['example--42-deploy', 'push'],
  ['example--42-redeploy-20260101T010000Z', 'redeploy'],
  ['example--42-rollback-20260101T010000Z', 'rollback'],
  ['example--config-1b2c3d4e-0000-0000-0000-000000000000', 'config change'],
  ['example-api--42-deploy', 'other'],
  ['example--hand-made', 'other'],
])('releaseTriggerOf(example, %s) is %s', (name, trigger) => {
  expect(releaseTriggerOf('example', name)).toBe(trigger);
});
