import { ApplicationAutoScalingClient, DescribeScalableTargetsCommand, RegisterScalableTargetCommand } from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DeleteItemCommand, DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { STSClient } from '@aws-sdk/client-sts';
import { serveSettings, settingsFor } from './settings-fixtures';
import { mockClient } from 'aws-sdk-client-mock';
import { listAlarms } from '../../../lib/ops/alarms';
import { appRef, getConfigKey, listConfigKeys, setConfigKeys, unsetConfigKeys } from '../../../lib/ops/config-keys';
import { scaleProcess } from '../../../lib/ops/scaling';
import { addSchedule, listSchedules, removeSchedule } from '../../../lib/ops/schedules';
import { SimulatedParameterStore } from '../../../lib/local/services/ssm';
import { actionsFor, CLI_PERMISSIONS, controlPlaneOf, type AppIds } from '../../../lib/ops/permissions';

/**
 * lib/ops/permissions.ts is the list of what each command calls: running the config, schedules, scale
 * and alarms commands against mocked clients, every call they send must be in their command's list
 * (a new call without a permission in the list fails here before it fails in an operator's account).
 */

const clock = { now: 0, isoNow: () => '2026-01-01T00:00:00.000Z', spec: { account: '123456789012', region: 'eu-west-1' } };
const ref = appRef('example');

/** IAM action of an SDK command sent through a client of `prefix` (`PutParameterCommand` -> `ssm:PutParameter`). */
const actionOf = (prefix: string, command: object) => `${prefix}:${command.constructor.name.replace(/Command$/, '')}`;

function listed(command: string): string[] {
  const entry = CLI_PERMISSIONS.find((c) => c.command === command);
  if (!entry) throw new Error(`${command} is not in CLI_PERMISSIONS`);
  return entry.calls.map((c) => c.action);
}

async function ssmCalls(work: (ssm: SSMClient) => Promise<unknown>, seed: (s: SimulatedParameterStore) => void = () => undefined): Promise<string[]> {
  const store = new SimulatedParameterStore(clock);
  seed(store);
  const client = new SSMClient({ region: 'eu-west-1' });
  const mock = store.mock(client);
  const sent: string[] = [];
  const send = client.send.bind(client);
  client.send = ((command: object, ...rest: unknown[]) => {
    sent.push(actionOf('ssm', command));
    return (send as (...args: unknown[]) => unknown)(command, ...rest);
  }) as typeof client.send;
  try {
    await work(client);
  } finally {
    mock.restore();
  }
  return [...new Set(sent)];
}

describe('what the commands send is in their list', () => {
  const key = '/slipway/apps/example/config/A';
  const schedules = '/slipway/apps/example/schedules';
  const seed = (s: SimulatedParameterStore) => {
    s.put(key, 'a');
    s.put(schedules, JSON.stringify([{ name: 'old', schedule: 'rate(1 hour)', command: 'x', process: 'web' }]), 'String');
  };

  test.each([
    ['config list', (ssm: SSMClient) => listConfigKeys({ ssm }, ref, false)],
    ['config list', (ssm: SSMClient) => listConfigKeys({ ssm }, ref, true)],
    ['config get', (ssm: SSMClient) => getConfigKey({ ssm }, ref, 'A')],
    ['config set', (ssm: SSMClient) => setConfigKeys({ ssm }, ref, ['A=b', 'B=c'])],
    ['config unset', (ssm: SSMClient) => unsetConfigKeys({ ssm }, ref, ['A', 'NOPE'])],
    ['schedules list', (ssm: SSMClient) => listSchedules({ ssm }, ref)],
    ['schedules add', (ssm: SSMClient) => addSchedule({ ssm }, ref, { schedule: 'rate(1 day)', command: 'bin/report', process: 'web', name: 'report' })],
    ['schedules remove', (ssm: SSMClient) => removeSchedule({ ssm }, ref, 'old')],
  ] as const)('%s', async (command, work) => {
    const sent = await ssmCalls(work, seed);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.filter((a) => !listed(command).includes(a))).toEqual([]);
  });

  test.each([
    ['a range', { range: { min: 2, max: 4 } }, 'dynamodb:UpdateItem'],
    ['--reset', { reset: true }, 'dynamodb:DeleteItem'],
  ])('scale with %s', async (_what, how, write) => {
    const clients = { autoscaling: new ApplicationAutoScalingClient({ region: 'eu-west-1' }), ssm: new SSMClient({ region: 'eu-west-1' }), dynamodb: new DynamoDBClient({ region: 'eu-west-1' }), sts: new STSClient({ region: 'eu-west-1' }) };
    const mocks = { 'application-autoscaling': mockClient(clients.autoscaling), ssm: mockClient(clients.ssm), dynamodb: mockClient(clients.dynamodb), sts: mockClient(clients.sts) };
    mocks['application-autoscaling'].on(DescribeScalableTargetsCommand).resolves({ ScalableTargets: [{ ResourceId: 'service/slipway-production/example--web', MinCapacity: 1, MaxCapacity: 2, ServiceNamespace: 'ecs', ScalableDimension: 'ecs:service:DesiredCount', RoleARN: 'r', CreationTime: new Date() }] });
    mocks['application-autoscaling'].on(RegisterScalableTargetCommand).resolves({});
    serveSettings(mocks.ssm, { example: settingsFor('example') });
    mocks.dynamodb.on(UpdateItemCommand).resolves({});
    mocks.dynamodb.on(DeleteItemCommand).resolves({});
    await scaleProcess(clients, { app: 'example', process: 'web', ...how });
    const sent = [...new Set(Object.entries(mocks).flatMap(([prefix, mock]) => mock.calls().map((c) => actionOf(prefix, c.args[0]))))];
    expect(sent.sort()).toEqual(['application-autoscaling:DescribeScalableTargets', 'application-autoscaling:RegisterScalableTarget', write, 'ssm:GetParameter'].sort());
    expect(sent.filter((a) => !listed('scale').includes(a))).toEqual([]);
    for (const mock of Object.values(mocks)) mock.restore();
  });

  test('alarms', async () => {
    const client = new CloudWatchClient({ region: 'eu-west-1' });
    const mock = mockClient(client);
    mock.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
    await listAlarms({ cloudwatch: client }, { app: 'example' });
    const sent = [...new Set(mock.calls().map((c) => actionOf('cloudwatch', c.args[0])))];
    expect(sent).toEqual(['cloudwatch:DescribeAlarms']);
    expect(sent.filter((a) => !listed('alarms').includes(a))).toEqual([]);
    mock.restore();
  });
});

describe('actionsFor', () => {
  test('the user role\'s actions are the management role\'s minus what changes the app', () => {
    const user = actionsFor('user');
    const management = actionsFor('management');
    expect(user.filter((a) => !management.includes(a))).toEqual([]);
    expect(management.filter((a) => !user.includes(a))).toEqual([
      'application-autoscaling:DescribeScalableTargets',
      'application-autoscaling:RegisterScalableTarget',
      // slipway build: a build is released and deployed (developers only read builds).
      'codebuild:BatchGetBuilds',
      'codebuild:StartBuild',
      // slipway scale: the stored range (pk SCALE only) and --reset.
      'dynamodb:DeleteItem',
      'dynamodb:UpdateItem',
      // slipway shell: a session in a running task of the app (developers read services: slipway ps).
      'ecs:ExecuteCommand',
      // slipway run: a one-off task runs any command with the app's roles and config (Ctrl-C stops it).
      'ecs:RunTask',
      'ecs:StopTask',
      'ecs:TagResource',
      'ecs:UpdateService',
      'iam:PassRole',
      'logs:GetLogEvents',
      'ssm:DeleteParameters',
      'ssm:PutParameter',
      'states:StartExecution',
    ]);
    expect(user).not.toContain('sts:GetCallerIdentity');
  });
});

describe('the shared control plane in the list', () => {
  const ids: AppIds = { partition: 'aws', region: 'eu-west-1', account: '123456789012', prefix: 'slipway', app: 'example', processes: ['web'], cluster: 'slipway-production' };
  const resources = (command: string, action: string) => CLI_PERMISSIONS.find((c) => c.command === command)?.calls.filter((c) => c.action === action).map((c) => c.resource) ?? [];

  test('every app command reads the settings parameter of its app, and nothing else, to find it', () => {
    for (const command of ['pipelines', 'status', 'redrive', 'deploy', 'rollback', 'watch', 'logs', 'run']) {
      const [settings] = resources(command, 'ssm:GetParameter');
      expect(settings?.kind === 'arn' && settings.arns(ids)).toEqual(['arn:aws:ssm:eu-west-1:123456789012:parameter/slipway/apps/example/settings']);
      expect(resources(command, 'states:DescribeStateMachine')).toEqual([]);
    }
  });

  test("the executions named after the app are on the control plane's state machines (the cluster's name without the prefix, or controlPlane)", () => {
    const named = resources('redrive', 'states:RedriveExecution').find((r) => r.kind === 'arn');
    expect(controlPlaneOf(ids)).toBe('production');
    expect(named?.kind === 'arn' && named.arns(ids)).toEqual([
      'arn:aws:states:eu-west-1:123456789012:execution:slipway-production-release:example--42-release',
      'arn:aws:states:eu-west-1:123456789012:execution:slipway-production-deploy:example--42-deploy',
      'arn:aws:states:eu-west-1:123456789012:execution:slipway-production-deploy:example--42-redeploy-20261120T120000Z',
    ]);
    expect(named?.kind === 'arn' && named.arns({ ...ids, controlPlane: 'staging' })[0]).toBe('arn:aws:states:eu-west-1:123456789012:execution:slipway-staging-release:example--42-release');
  });

  test('executions whose names do not say the app are a separate, shared resource: build, config-change and schedules', () => {
    const shared = resources('redrive', 'states:DescribeExecution').find((r) => r.kind === 'sharedExecutions');
    // Read, never redriven: the policies cannot tell whose they are (issue 21: the list claimed a redrive the policies deny).
    expect(resources('redrive', 'states:RedriveExecution').filter((r) => r.kind === 'sharedExecutions')).toEqual([]);
    expect(shared?.kind === 'sharedExecutions' && shared.patterns(ids)).toEqual([
      'arn:aws:states:eu-west-1:123456789012:execution:slipway-production-build:*',
      'arn:aws:states:eu-west-1:123456789012:execution:slipway-production-config-change:*',
      'arn:aws:states:eu-west-1:123456789012:execution:slipway-production-schedules:*',
    ]);
    // Reading a release's input or following a deploy needs no shared grant.
    for (const command of ['deploy', 'rollback', 'logs', 'run']) expect(CLI_PERMISSIONS.find((c) => c.command === command)?.calls.filter((c) => c.resource.kind === 'sharedExecutions')).toEqual([]);
  });
});
