/**
 * Mocked AWS for `slipway logs` and `slipway run` (aws-sdk-client-mock): an app "example" with a web and
 * a worker process, its settings record, a current release (build 42) and a fake clock that never waits.
 */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient, GetItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { DescribeExecutionCommand, DescribeStateMachineCommand, ExecutionDoesNotExist, SFNClient } from '@aws-sdk/client-sfn';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import type { AppSettingsInput } from '../../../functions/shared/settings';
import type { OpsClients } from '../../../lib/ops/aws';
import type { Clock } from '../../../lib/ops/commands';

export const REGION = 'eu-west-1';
export const ACCOUNT = '123456789012';
export const TABLE = 'ExampleAppStack-PipelinesTable1234';
export const LOG_GROUP = '/slipway/apps/example';
export const CLUSTER = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/slipway-production`;
export const NOW = new Date('2026-11-29T12:00:00.000Z');

export const tdArn = (process: string, revision: number) => `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/slipway-example-${process}:${revision}`;
export const taskArn = (id: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:task/slipway-production/${id}`;

export const mocks = {
  sfn: mockClient(SFNClient),
  dynamodb: mockClient(DynamoDBClient),
  sts: mockClient(STSClient),
  ecs: mockClient(ECSClient),
  logs: mockClient(CloudWatchLogsClient),
};

export const clients: OpsClients = {
  sfn: new SFNClient({ region: REGION }),
  dynamodb: new DynamoDBClient({ region: REGION }),
  sts: new STSClient({ region: REGION }),
  ecs: new ECSClient({ region: REGION }),
  logs: new CloudWatchLogsClient({ region: REGION }),
};

/** Every AWS call the mocks received. */
export const awsCallCount = (): number => Object.values(mocks).reduce((n, m) => n + m.calls().length, 0);

const processSettings = (process: string) => ({
  family: `slipway-example-${process}`,
  cpu: '256',
  memory: '512',
  executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/exec`,
  taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/task`,
  logGroup: LOG_GROUP,
  desiredCount: 1,
});

export const SETTINGS: AppSettingsInput = {
  app: 'example',
  region: REGION,
  table: TABLE,
  controlPlane: 'production',
  cluster: CLUSTER,
  imageRepositoryUri: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/slipway/example`,
  codeBuildProject: 'slipway-example',
  network: { subnets: ['subnet-a', 'subnet-b'], securityGroups: ['sg-app'], assignPublicIp: 'DISABLED' },
  capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1, base: 0 }],
  release: { process: 'web', command: ['bin/rails', 'db:migrate'] },
  processes: { worker: processSettings('worker'), web: processSettings('web') },
};

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

/** The app's table, STS and the build state machine, as a deployed app answers. */
export function mockApp(): void {
  for (const m of Object.values(mocks)) m.reset();
  mocks.sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT });
  mocks.sfn.on(DescribeStateMachineCommand).resolves({ definition: JSON.stringify({ States: { Record: { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:putItem', Parameters: { TableName: TABLE } } } }) });
  mocks.sfn.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'Execution does not exist', $metadata: {} }));
  mocks.dynamodb.on(GetItemCommand).callsFake(async (input: { Key: { pk: { S: string }; sk: { S: string } } }) => {
    const key = `${input.Key.pk.S}#${input.Key.sk.S}`;
    if (key === 'APP#SETTINGS') return { Item: { pk: S('APP'), sk: S('SETTINGS'), settings: S(JSON.stringify(SETTINGS)) } };
    if (key === 'RELEASE#CURRENT') return { Item: { pk: S('RELEASE'), sk: S('CURRENT'), buildKey: S('42'), buildSortKey: S('0000000042') } };
    if (key === 'BUILD#0000000042') return { Item: BUILD_42 };
    return {};
  });
}
