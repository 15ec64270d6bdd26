import { DynamoDBClient, GetItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { DescribeTaskDefinitionCommand, ECSClient, type TaskDefinition } from '@aws-sdk/client-ecs';
import { DescribeExecutionCommand, ExecutionDoesNotExist, SFNClient } from '@aws-sdk/client-sfn';
import { SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import type { OpsClients } from '../../../lib/ops/aws';
import { compareSummaries, diffBuild, renderDiff, summarizeTaskDefinition } from '../../../lib/ops/diff';
import { diffOutputSchema } from '../../../lib/ops/schemas';
import { serveSettings, settingsFor, tableOf } from './settings-fixtures';

const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';
const TABLE = tableOf('example');
const sfn = mockClient(SFNClient);
const dynamodb = mockClient(DynamoDBClient);
const sts = mockClient(STSClient);
const ecs = mockClient(ECSClient);
const ssm = mockClient(SSMClient);
const clients: OpsClients = { sfn: new SFNClient({ region: REGION }), dynamodb: new DynamoDBClient({ region: REGION }), sts: new STSClient({ region: REGION }), ssm: new SSMClient({ region: REGION }), ecs: new ECSClient({ region: REGION }) };

const S = (v: string): AttributeValue => ({ S: v });
const tdArn = (process: string, revision: number) => `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/slipway-example-${process}:${revision}`;
const image = (n: number) => `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/slipway/example:build-${n}`;

function released(n: number, processes: { process: string; revision: number }[]): Record<string, AttributeValue> {
  return {
    pk: S('BUILD'),
    sk: S(String(n).padStart(10, '0')),
    buildKey: S(String(n)),
    status: S('SUCCEEDED'),
    image: S(image(n)),
    releasedAt: S('2026-11-19T10:00:00Z'),
    releaseProcesses: S(JSON.stringify(processes.map((p) => ({ process: p.process, taskDefinitionArn: tdArn(p.process, p.revision) })))),
  };
}

function taskDefinition(process: string, revision: number, build: number, over: Partial<TaskDefinition['containerDefinitions'] extends (infer C)[] | undefined ? C : never> = {}, cpu = '256'): TaskDefinition {
  return {
    taskDefinitionArn: tdArn(process, revision),
    cpu,
    memory: '512',
    containerDefinitions: [{ name: process, image: image(build), environment: [{ name: 'RAILS_ENV', value: 'production' }], secrets: [{ name: 'DATABASE_URL', valueFrom: 'arn:ssm' }], ...over }],
  };
}

beforeEach(() => {
  for (const m of [sfn, dynamodb, sts, ecs, ssm]) m.reset();
  serveSettings(ssm, { example: settingsFor('example') });
  sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT });
  sfn.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'Execution does not exist', $metadata: {} }));
});

describe('compareSummaries', () => {
  test('names each changed field, config keys as set or not', () => {
    const from = summarizeTaskDefinition(taskDefinition('web', 41, 41));
    const to = summarizeTaskDefinition(taskDefinition('web', 42, 42, { secrets: [{ name: 'DATABASE_URL', valueFrom: 'x' }, { name: 'STRIPE_KEY', valueFrom: 'y' }], command: ['bin/web'] }, '512'));

    expect(compareSummaries(from, to)).toEqual([
      { field: 'image (web)', from: image(41), to: image(42) },
      { field: 'command (web)', from: null, to: 'bin/web' },
      { field: 'cpu', from: '256', to: '512' },
      { field: 'config key STRIPE_KEY', from: null, to: 'set' },
    ]);
  });

  test('the same task definition has no change', () => {
    const same = summarizeTaskDefinition(taskDefinition('web', 41, 41));

    expect(compareSummaries(same, same)).toEqual([]);
  });
});

describe('slipway diff', () => {
  test('a rollback to build 41 over build 42: the image goes back, a config key goes away, a process type added by 42 is listed', async () => {
    dynamodb.on(GetItemCommand, { Key: { pk: S('RELEASE'), sk: S('CURRENT') } }).resolves({ Item: { pk: S('RELEASE'), sk: S('CURRENT'), buildKey: S('42'), buildSortKey: S('0000000042') } });
    dynamodb.on(GetItemCommand, { Key: { pk: S('BUILD'), sk: S('0000000042') } }).resolves({ Item: released(42, [{ process: 'web', revision: 42 }, { process: 'worker', revision: 7 }]) });
    dynamodb.on(GetItemCommand, { Key: { pk: S('BUILD'), sk: S('0000000041') } }).resolves({ Item: released(41, [{ process: 'web', revision: 41 }]) });
    ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: tdArn('web', 42) }).resolves({ taskDefinition: taskDefinition('web', 42, 42, { secrets: [{ name: 'DATABASE_URL', valueFrom: 'x' }, { name: 'STRIPE_KEY', valueFrom: 'y' }] }) });
    ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: tdArn('web', 41) }).resolves({ taskDefinition: taskDefinition('web', 41, 41) });
    ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: tdArn('worker', 7) }).resolves({ taskDefinition: taskDefinition('worker', 7, 42) });

    const out = await diffBuild(clients, 'example', '41', { table: TABLE });

    expect(diffOutputSchema.parse(out)).toEqual(out);
    expect(out.current).toBe('42');
    expect(out.processes.map((p) => [p.process, p.changes.map((c) => `${c.field}: ${c.from} -> ${c.to}`)])).toEqual([
      ['web', [`image (web): ${image(42)} -> ${image(41)}`, 'config key STRIPE_KEY: set -> null']],
      ['worker', expect.arrayContaining([`image (worker): ${image(42)} -> null`])],
    ]);
    expect(renderDiff(out).split('\n').slice(0, 4)).toEqual([
      'example: deploying build 41 over build 42 (the current release)',
      '  web:',
      `    image (web): ${image(42)} -> ${image(41)}`,
      '    config key STRIPE_KEY: set -> (none)',
    ]);
    expect(renderDiff(out)).toContain('  worker: (not in this build)');
  });

  test('a build that is not recorded is NotFound, before any task definition is read', async () => {
    dynamodb.on(GetItemCommand).resolves({});

    await expect(diffBuild(clients, 'example', '99', { table: TABLE })).rejects.toMatchObject({ name: 'NotFound', message: 'build 99 of app "example" is not recorded (see slipway pipelines example)' });
    expect(ecs.calls()).toHaveLength(0);
  });

  test('names from ECS are escaped in the text output', () => {
    const text = renderDiff({ app: 'example', build: '2', current: '1', processes: [{ process: 'web', from: null, to: null, changes: [{ field: 'environment X', from: 'a\u001b[2Jb', to: null }] }] });

    expect(text).toContain('environment X: a\\e[2Jb -> (none)');
  });
});
