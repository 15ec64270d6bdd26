/**
 * Mocked AWS for `slipway logs` and `slipway run` (aws-sdk-client-mock): an app "example" with a web and
 * a worker process, its settings record, a current release (build 42) and a fake clock that never waits.
 */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient, GetItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { DescribeExecutionCommand, ExecutionDoesNotExist, SFNClient } from '@aws-sdk/client-sfn';
import { SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import type { OpsClients } from '../../../lib/ops/aws';
import type { Clock } from '../../../lib/ops/wall-clock';
import { serveSettings, settingsFor, tableOf } from './settings-fixtures';

export const REGION = 'eu-west-1';
export const ACCOUNT = '123456789012';
export const TABLE = tableOf('example');
export const LOG_GROUP = '/slipway/apps/example';
export const CLUSTER = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/slipway-production`;
export const NOW = new Date('2026-11-29T12:00:00.000Z');

export const tdArn = (process: string, revision: number) => `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/slipway-example-${process}:${revision}`;
export const taskArn = (id: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:task/slipway-production/${id}`;

export const mocks = {
  sfn: mockClient(SFNClient),
  dynamodb: mockClient(DynamoDBClient),
  sts: mockClient(STSClient),
  ssm: mockClient(SSMClient),
  ecs: mockClient(ECSClient),
  logs: mockClient(CloudWatchLogsClient),
};

export const clients: OpsClients = {
  sfn: new SFNClient({ region: REGION }),
  dynamodb: new DynamoDBClient({ region: REGION }),
  sts: new STSClient({ region: REGION }),
  ssm: new SSMClient({ region: REGION }),
  ecs: new ECSClient({ region: REGION }),
  logs: new CloudWatchLogsClient({ region: REGION }),
};

/** Every AWS call the mocks received. */
export const awsCallCount = (): number => Object.values(mocks).reduce((n, m) => n + m.calls().length, 0);

export const SETTINGS = settingsFor('example');

const S = (v: string): AttributeValue => ({ S: v });

/** Build 42, released with a web and a worker task definition. */
export const BUILD_42: Record<string, AttributeValue> = {
  pk: S('BUILD'),
  sk: S('0000000042'),
  buildKey: S('42'),
  status: S('SUCCEEDED'),
  eventTime: S('2026-11-29T09:00:00.000Z'),
  releasedAt: S('2026-11-29T09:10:00.000Z'),
  releaseProcesses: S(JSON.stringify([{ process: 'web', taskDefinitionArn: tdArn('web', 7) }, { process: 'worker', taskDefinitionArn: tdArn('worker', 7) }])),
};

/** A clock whose sleep only moves time on. */
export function fakeClock(start = NOW): Clock & { slept: number[] } {
  let now = start.getTime();
  const slept: number[] = [];
  return {
    slept,
    now: () => new Date(now),
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

/** The app's settings parameter, its table and STS, as a deployed app answers. */
export function mockApp(): void {
  for (const m of Object.values(mocks)) m.reset();
  mocks.sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT });
  serveSettings(mocks.ssm, { example: SETTINGS });
  mocks.sfn.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'Execution does not exist', $metadata: {} }));
  mocks.dynamodb.on(GetItemCommand).callsFake(async (input: { Key: { pk: { S: string }; sk: { S: string } } }) => {
    const key = `${input.Key.pk.S}#${input.Key.sk.S}`;
    if (key === 'RELEASE#CURRENT') return { Item: { pk: S('RELEASE'), sk: S('CURRENT'), buildKey: S('42'), buildSortKey: S('0000000042') } };
    if (key === 'BUILD#0000000042') return { Item: BUILD_42 };
    return {};
  });
}
