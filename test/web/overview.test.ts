import { DynamoDBClient, GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { appClients } from '../../web/src/aws';
import { loadOverview, readSettingsEarly, type AppOverview } from '../../web/src/data';
import { ACCOUNT, REGION, settingsFor, settingsParameter } from '../lib/ops/settings-fixtures';

/**
 * What the apps page reads for one app (web/src/data.ts loadOverview), with the AWS clients mocked: it is
 * shown before the slowest read (the builds of new revisions) answers, and the settings are not read
 * again at every poll.
 */

const ssm = mockClient(SSMClient);
const ddb = mockClient(DynamoDBClient);
const ecs = mockClient(ECSClient);
const config = { region: REGION, prefix: 'slipway' };
const td = (process: string, revision: number) => `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/slipway-shop--${process}:${revision}`;

beforeEach(() => {
  ssm.reset();
  ddb.reset();
  ecs.reset();
  ssm.on(GetParameterCommand, { Name: settingsParameter('shop') }).resolves({ Parameter: { Value: JSON.stringify(settingsFor('shop')) } });
  ddb.on(GetItemCommand).resolves({});
  ddb.on(QueryCommand).resolves({ Items: [] });
  ecs.on(DescribeServicesCommand).resolves({
    services: ['web', 'worker'].map((p) => ({ serviceName: `shop--${p}`, status: 'ACTIVE', runningCount: 1, desiredCount: 1, deployments: [{ status: 'PRIMARY', taskDefinition: td(p, 7), rolloutState: 'COMPLETED' }] })),
  });
  ecs.on(DescribeTaskDefinitionCommand).callsFake(async (input: { taskDefinition: string }) => ({ tags: [{ key: 'slipway:build', value: input.taskDefinition.endsWith(':7') ? '42' : '9' }] }));
});

test('the processes are shown before their builds are known, then with them; a revision read once is not read again', async () => {
  const clients = appClients(config, async () => ({ accessKeyId: 'a', secretAccessKey: 'b' }));
  const partials: AppOverview[] = [];
  const full = await loadOverview(clients, 'slipway', 'shop', undefined, (o) => partials.push(o));

  expect(partials).toHaveLength(1);
  expect(partials[0].processes.map((p) => [p.process, p.build, p.running])).toEqual([['web', undefined, 1], ['worker', undefined, 1]]);
  expect(full.processes.map((p) => [p.process, p.build])).toEqual([['web', '42'], ['worker', '42']]);

  const again: AppOverview[] = [];
  const second = await loadOverview(clients, 'slipway', 'shop', undefined, (o) => again.push(o));
  expect(again).toEqual([]);
  expect(second.processes.map((p) => p.build)).toEqual(['42', '42']);
  expect(ecs.commandCalls(DescribeTaskDefinitionCommand)).toHaveLength(2);
  // The settings were read once for both loads (they change with an app stack deploy, not with a run).
  expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(1);
});

test('settings read early (before the page\'s first paint) are the ones the overview uses; a failed early read is read again', async () => {
  const clients = appClients(config, async () => ({ accessKeyId: 'a', secretAccessKey: 'b' }));
  readSettingsEarly(clients, 'slipway', 'shop');
  const o = await loadOverview(clients, 'slipway', 'shop');
  expect(o.settings.table).toBe(settingsFor('shop').table);
  expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(1);

  // The early read fails (the person's role refused it): the overview reads again rather than keep the failure.
  const other = appClients(config, async () => ({ accessKeyId: 'a', secretAccessKey: 'b' }));
  const denied = Object.assign(new Error('not authorized to perform ssm:GetParameter'), { name: 'AccessDeniedException', $fault: 'client', $metadata: { httpStatusCode: 400 } });
  ssm.reset();
  ssm.on(GetParameterCommand, { Name: settingsParameter('shop') }).rejectsOnce(denied).resolves({ Parameter: { Value: JSON.stringify(settingsFor('shop')) } });
  readSettingsEarly(other, 'slipway', 'shop');
  await new Promise((r) => setTimeout(r, 20));
  const again = await loadOverview(other, 'slipway', 'shop');
  expect(again.settings.table).toBe(settingsFor('shop').table);
  expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(2);
});
