import { ApplicationAutoScalingClient, DescribeScalableTargetsCommand, RegisterScalableTargetCommand, type ScalableTarget } from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient, DescribeAlarmsCommand, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { UsageError } from '../../../lib/cli/errors';
import { alertsShard, alertsTopicName } from '../../../lib/alerts';
import { describeAwsError, formatAlarms, formatScale, listAlarms, parseRange, scaleProcess } from '../../../lib/cli/monitoring';

const scaling = mockClient(ApplicationAutoScalingClient);
const cloudwatch = mockClient(CloudWatchClient);
const client = new ApplicationAutoScalingClient({ region: 'eu-west-1' });
const cw = new CloudWatchClient({ region: 'eu-west-1' });

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
  scaling.reset();
  cloudwatch.reset();
});

describe('parseRange', () => {
  it.each([
    ['3', { min: 3, max: 3 }],
    ['2-6', { min: 2, max: 6 }],
    ['0', { min: 0, max: 0 }],
    ['0-4', { min: 0, max: 4 }],
  ])('%s is %j', (text, range) => {
    expect(parseRange(text)).toEqual(range);
  });

  it.each([
    ['6-2', 'the minimum (6) is above the maximum (2)'],
    ['two', 'is not a task count or range'],
    ['-1', 'is not a task count or range'],
    ['1-2000', 'at most 1000 tasks'],
  ])('refuses %s with a UsageError saying %s', (text, message) => {
    expect(() => parseRange(text)).toThrow(UsageError);
    expect(() => parseRange(text)).toThrow(message);
  });
});

describe('scaleProcess', () => {
  it('finds the service\'s registration across pages and registers the new range on it', async () => {
    // Prepare: example-web is on the second page; another app's "example-web-2"-like names must not match.
    scaling
      .on(DescribeScalableTargetsCommand, { NextToken: undefined })
      .resolves({ ScalableTargets: [target('service/slipway-production/other-web', 1, 2), target('service/slipway-production/myexample-web', 1, 1)], NextToken: 'p2' })
      .on(DescribeScalableTargetsCommand, { NextToken: 'p2' })
      .resolves({ ScalableTargets: [target('service/slipway-production/example-web', 2, 6)] });

    // Act
    const result = await scaleProcess(client, { app: 'example', process: 'web', range: { min: 0, max: 0 } });

    // Assess
    expect(result).toEqual({ app: 'example', process: 'web', service: 'example-web', resourceId: 'service/slipway-production/example-web', previous: { min: 2, max: 6 }, range: { min: 0, max: 0 } });
    expect(scaling).toHaveReceivedCommandWith(RegisterScalableTargetCommand, {
      ServiceNamespace: 'ecs',
      ScalableDimension: 'ecs:service:DesiredCount',
      ResourceId: 'service/slipway-production/example-web',
      MinCapacity: 0,
      MaxCapacity: 0,
    });
  });

  it('refuses a service with no registration and no --cluster, registering nothing', async () => {
    // Prepare
    scaling.on(DescribeScalableTargetsCommand).resolves({ ScalableTargets: [] });

    // Act
    const outcome = scaleProcess(client, { app: 'example', process: 'web', range: { min: 1, max: 1 } });

    // Assess
    await expect(outcome).rejects.toThrow(new UsageError('example-web has no autoscaling registration yet (the deploy pipeline creates it with the service): deploy the app first, or pass --cluster <name> to register one'));
    expect(scaling).not.toHaveReceivedCommand(RegisterScalableTargetCommand);
  });

  it('refuses a service registered in two clusters without --cluster', async () => {
    scaling.on(DescribeScalableTargetsCommand).resolves({ ScalableTargets: [target('service/a/example-web', 1, 1), target('service/b/example-web', 1, 1)] });
    await expect(scaleProcess(client, { app: 'example', process: 'web', range: { min: 1, max: 1 } })).rejects.toThrow('pass --cluster <name>');
  });

  it('with --cluster registers a service that has no registration yet', async () => {
    // Prepare
    scaling.on(DescribeScalableTargetsCommand).resolves({ ScalableTargets: [] });

    // Act
    const result = await scaleProcess(client, { app: 'example', process: 'worker', range: { min: 1, max: 3 }, cluster: 'slipway-staging' });

    // Assess
    expect(result.previous).toBeUndefined();
    expect(scaling).toHaveReceivedCommandWith(DescribeScalableTargetsCommand, { ResourceIds: ['service/slipway-staging/example-worker'] });
    expect(scaling).toHaveReceivedCommandWith(RegisterScalableTargetCommand, { ResourceId: 'service/slipway-staging/example-worker', MinCapacity: 1, MaxCapacity: 3 });
  });

  it('refuses an invalid process name before calling AWS', async () => {
    await expect(scaleProcess(client, { app: 'example', process: 'Web!', range: { min: 1, max: 1 } })).rejects.toThrow(UsageError);
    expect(scaling).not.toHaveReceivedAnyCommand();
  });
});

describe('listAlarms', () => {
  // An app's alarms notify its alerts shard of its cluster's topics (lib/alerts.ts).
  const topic = (app: string) => `arn:aws:sns:eu-west-1:123456789012:${alertsTopicName('slipway', 'production', alertsShard(app))}`;
  const alarm = (name: string, state: MetricAlarm['StateValue'], app = 'example'): MetricAlarm => ({
    AlarmName: name,
    StateValue: state,
    StateReason: `reason of ${name}`,
    StateUpdatedTimestamp: new Date('2026-07-07T10:00:00Z'),
    AlarmActions: [topic(app)],
  });

  it('lists the app\'s alarms across pages, those in ALARM first', async () => {
    // Prepare
    cloudwatch
      .on(DescribeAlarmsCommand, { NextToken: undefined })
      .resolves({ MetricAlarms: [alarm('slipway-example-web-cpu', 'OK'), alarm('slipway-example-deploy-failed', 'ALARM')], NextToken: 'n' })
      .on(DescribeAlarmsCommand, { NextToken: 'n' })
      .resolves({ MetricAlarms: [alarm('slipway-example-web-memory', 'INSUFFICIENT_DATA')] });

    // Act
    const alarms = await listAlarms(cw, { app: 'example' });

    // Assess
    expect(alarms.map((a) => [a.name, a.state])).toEqual([
      ['slipway-example-deploy-failed', 'ALARM'],
      ['slipway-example-web-memory', 'INSUFFICIENT_DATA'],
      ['slipway-example-web-cpu', 'OK'],
    ]);
    expect(cloudwatch).toHaveReceivedCommandWith(DescribeAlarmsCommand, { AlarmNamePrefix: 'slipway-example-' });
  });

  it('leaves out the alarms of an app whose name starts with this one\'s (example-api), by the app\'s alarm names', async () => {
    // Whatever shard example-api is in: with its processes known, only example's own alarm names count.
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [alarm('slipway-example-web-cpu', 'OK'), { ...alarm('slipway-example-api-web-cpu', 'ALARM', 'example-api'), AlarmActions: [topic('example')] }] });
    expect((await listAlarms(cw, { app: 'example', processes: ['web'], controlPlane: 'production' })).map((a) => a.name)).toEqual(['slipway-example-web-cpu']);
  });

  it('leaves out an alarm that notifies another shard or another control plane', async () => {
    const other = `arn:aws:sns:eu-west-1:123456789012:${alertsTopicName('slipway', 'staging', alertsShard('example'))}`;
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [alarm('slipway-example-web-cpu', 'OK'), { ...alarm('slipway-example-web-memory', 'OK'), AlarmActions: [other] }] });
    expect((await listAlarms(cw, { app: 'example', processes: ['web'], controlPlane: 'production' })).map((a) => a.name)).toEqual(['slipway-example-web-cpu']);
  });

  it('uses the configured prefix', async () => {
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
    await listAlarms(cw, { app: 'example', prefix: 'acme' });
    expect(cloudwatch).toHaveReceivedCommandWith(DescribeAlarmsCommand, { AlarmNamePrefix: 'acme-example-' });
  });
});

describe('formatAlarms', () => {
  it('counts the alarms in ALARM and shows the reason of those not OK', () => {
    const text = formatAlarms('example', [
      { name: 'slipway-example-deploy-failed', state: 'ALARM', reason: 'Threshold Crossed: 1 datapoint [1.0] was >= 1.0', since: '2026-07-07T10:00:00.000Z' },
      { name: 'slipway-example-web-cpu', state: 'OK', reason: 'fine', since: '2026-07-07T09:00:00.000Z' },
    ]);
    expect(text.split('\n')[0]).toBe('example: 2 alarms, 1 in ALARM');
    expect(text).toContain('Threshold Crossed: 1 datapoint [1.0] was >= 1.0');
    expect(text).not.toContain('fine');
  });

  it('says when no alarm was found', () => {
    expect(formatAlarms('example', [])).toContain('no alarms found for example');
  });
});

describe('describeAwsError', () => {
  it.each([
    [Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }), 'NoCredentials'],
    [Object.assign(new Error('User: arn:aws:iam::1:user/x is not authorized to perform: cloudwatch:DescribeAlarms'), { name: 'AccessDenied' }), 'AccessDenied'],
    [Object.assign(new Error('The security token included in the request is expired'), { name: 'ExpiredTokenException' }), 'CredentialsRejected'],
    [Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: {} }), 'Throttled'],
  ])('turns %p into one line named %s', (error, name) => {
    const d = describeAwsError(error);
    expect(d.name).toBe(name);
    expect(d.message).not.toContain('\n');
  });
});

describe('formatScale', () => {
  it('shows the service, the previous and new range, and how long it lasts', () => {
    const text = formatScale({ app: 'example', process: 'web', service: 'example-web', resourceId: 'service/c/example-web', previous: { min: 2, max: 6 }, range: { min: 0, max: 0 } });
    expect(text.split('\n')[0]).toBe('example-web: 2-6 -> 0 task(s) (service/c/example-web)');
    expect(text).toContain('A deploy re-applies the config\'s range');
  });
});
