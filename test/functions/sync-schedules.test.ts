import { resetForHandler, taskDefArn, CLUSTER_ARN, SETTINGS_PARAMETER, settingsInput, settingsParameterOutput } from './helpers';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler } from '../../functions/sync-schedules';
import { clusterArnProblem, planSchedules, scheduleRequest } from '../../functions/sync-schedules/plan';
import { dynamodb, scheduler, ssm } from '../../functions/shared/clients';
import { buildSettings } from './helpers';
import { defaultScheduleName, scheduleExpressionProblem, validateSchedules } from '../../domain/schedules';

const ddb = mockClient(dynamodb as DynamoDBClient);
const sch = mockClient(scheduler as SchedulerClient);
const ssmMock = mockClient(ssm as SSMClient);
const GROUP = 'slipway-production.example';
const ROLE = 'arn:aws:iam::123456789012:role/scheduler';
const DLQ = 'arn:aws:sqs:eu-west-1:123456789012:slipway-example-SchedulesDeadLetterQueue';
const CTX = { group: GROUP, roleArn: ROLE, app: 'example', clusterArn: CLUSTER_ARN, deadLetterQueueArn: DLQ };

describe('scheduleExpressionProblem (AWS Scheduler grammar)', () => {
  test.each(['cron(0 12 * * ? *)', 'cron(0/15 * * * ? *)', 'cron(0 18 ? * MON-FRI *)', 'cron(0 10 ? * 6L 2026)', 'cron(0 0 15W * ? *)', 'rate(1 minute)', 'rate(5 minutes)', 'rate(1 day)'])('%s is valid', (e) => {
    expect(scheduleExpressionProblem(e)).toBeUndefined();
  });

  test.each(['cron(* * * * *)', 'cron(0 12 * * * *)', 'cron(0 25 * * ? *)', 'rate(0 hours)', 'rate(2 hour)', 'rate(1 days)', 'rate(-1 days)', 'every day', 'cron(0 12 * * ? *) ', 'at(2026-01-01T00:00:00)'])('%s is invalid', (e) => {
    expect(scheduleExpressionProblem(e)).toEqual(expect.any(String));
  });
});

describe("scheduleExpressionProblem: each field takes only what EventBridge's cron table lists", () => {
  test.each(['cron(0 8 ? JAN-MAR MON *)', 'cron(0 8 ? jan/2 MON *)', 'cron(0 8 LW * ? *)', 'cron(0 8 ? * FRI#3 *)', 'cron(0 8 1 * ? 2030-2035/2,2040)'])('%s is valid', (e) => {
    expect(scheduleExpressionProblem(e)).toBeUndefined();
  });

  test('a step in day-of-week (cron-validate reads it, the table has no / there) is refused, naming the field', () => {
    expect(scheduleExpressionProblem('cron(0 8 ? * MON/2 *)')).toBe(
      '"cron(0 8 ? * MON/2 *)": the day-of-week field "MON/2" has characters EventBridge does not take there (it takes 1-7 (1 is Sunday), SUN-SAT and , - * ? L #)',
    );
    expect(scheduleExpressionProblem('cron(0 8 ? * 2/2 *)')).toContain('the day-of-week field "2/2"');
  });
});

describe('validateSchedules', () => {
  test('names an entry without a name by process and command hash', () => {
    const [s] = validateSchedules([{ entry: { schedule: 'rate(1 hour)', command: 'x', process: 'web' }, source: 'parameter' }], ['web']);

    expect(s.name).toBe(defaultScheduleName('web', 'x'));
    expect(s.name).toMatch(/^web-[0-9a-f]{8}$/);
  });

  test('reports every bad entry at once', () => {
    const run = () =>
      validateSchedules(
        [
          { entry: { name: 'a', schedule: 'rate(0 minutes)', command: 'x', process: 'web' }, source: 'config' },
          { entry: { name: 'b', schedule: 'rate(1 hour)', command: 'x', process: 'nope' }, source: 'parameter' },
          { entry: { schedule: 'rate(1 hour)' }, source: 'parameter' },
        ],
        ['web'],
      );

    expect(run).toThrow(/3 invalid schedule entries, nothing was changed: config schedule "a" \(#1\).*parameter schedule "b" \(#2\).*parameter schedule #3: command/);
  });
});

describe('planSchedules', () => {
  const settings = buildSettings();
  const valid = validateSchedules([{ entry: { name: 'a', schedule: 'rate(1 hour)', command: 'x', process: 'web' }, source: 'parameter' }], ['web']);
  const desired = scheduleRequest(settings, valid[0], taskDefArn('slipway-example--web', 8), CTX);

  test('the request runs the process\'s revision in the app\'s cluster and network', () => {
    expect(desired).toMatchObject({
      Name: 'a',
      GroupName: GROUP,
      ScheduleExpression: 'rate(1 hour)',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: CLUSTER_ARN,
        RoleArn: ROLE,
        DeadLetterConfig: { Arn: DLQ },
        EcsParameters: { TaskDefinitionArn: taskDefArn('slipway-example--web', 8), TaskCount: 1, NetworkConfiguration: { awsvpcConfiguration: { Subnets: ['subnet-aaa', 'subnet-bbb'], AssignPublicIp: 'DISABLED' } } },
      },
    });
  });

  test('the target is the cluster ARN of the context even when the settings record holds a cluster name', () => {
    const byName = scheduleRequest({ ...settings, cluster: 'slipway' }, valid[0], taskDefArn('slipway-example--web', 8), CTX);

    expect(byName.Target?.Arn).toBe(CLUSTER_ARN);
  });

  test('clusterArnProblem: a cluster name is refused, a cluster ARN accepted', () => {
    expect(clusterArnProblem('slipway')).toMatch(/not an ECS cluster ARN/);
    expect(clusterArnProblem('arn:aws:ecs:eu-west-1:123456789012:service/slipway/x')).toMatch(/not an ECS cluster ARN/);
    expect(clusterArnProblem(CLUSTER_ARN)).toBeUndefined();
  });

  test('a schedule whose dead-letter queue changed is updated', () => {
    const other = scheduleRequest(settings, valid[0], taskDefArn('slipway-example--web', 8), { ...CTX, deadLetterQueueArn: `${DLQ}2` });
    expect(planSchedules([other], [{ ...desired, $metadata: {} }]).update.map((r) => r.Name)).toEqual(['a']);
  });

  test('same schedule: unchanged; new revision: update; not wanted: delete; missing: create', () => {
    const moved = scheduleRequest(settings, valid[0], taskDefArn('slipway-example--web', 9), CTX);
    expect(planSchedules([desired], [{ ...desired, $metadata: {} }])).toEqual({ create: [], update: [], delete: [], unchanged: ['a'] });
    expect(planSchedules([moved], [{ ...desired, $metadata: {} }]).update.map((r) => r.Name)).toEqual(['a']);
    expect(planSchedules([], [{ ...desired, $metadata: {} }]).delete).toEqual(['a']);
    expect(planSchedules([desired], []).create.map((r) => r.Name)).toEqual(['a']);
  });
});

describe('handler', () => {
  const release = { Item: { buildKey: { S: '42' }, processes: { S: JSON.stringify([{ process: 'web', taskDefinitionArn: taskDefArn('slipway-example--web', 8) }, { process: 'worker', taskDefinitionArn: taskDefArn('slipway-example--worker', 8) }]) } } };

  beforeEach(() => {
    ddb.reset();
    sch.reset();
    resetForHandler(ssmMock);
    Object.assign(process.env, { SCHEDULER_ROLE_ARN: ROLE, SCHEDULES_DLQ_ARN: DLQ });
    ddb.on(GetItemCommand, { Key: { pk: { S: 'RELEASE' }, sk: { S: 'CURRENT' } } }).resolves(release);
    sch.on(ListSchedulesCommand).resolves({ Schedules: [{ Name: 'old' }] });
    sch.on(GetScheduleCommand).resolves({ Name: 'old', GroupName: GROUP, ScheduleExpression: 'rate(1 day)' });
    sch.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn' });
    sch.on(DeleteScheduleCommand).resolves({});
  });

  test('creates the listed schedule and deletes the one no longer listed', async () => {
    ssmMock.on(GetParameterCommand, { Name: '/slipway/apps/example/schedules' }).resolves({ Parameter: { Value: JSON.stringify([{ name: 'new', schedule: 'rate(1 hour)', command: 'x', process: 'worker' }]) } });

    const out = await handler({ app: 'example', execution: 'sync-1' });

    expect(out).toMatchObject({ state: 'SYNCED', created: ['new'], deleted: ['old'] });
    expect(sch).toHaveReceivedCommandWith(DeleteScheduleCommand, { Name: 'old', GroupName: GROUP });
    expect(sch).toHaveReceivedCommandWith(CreateScheduleCommand, { Name: 'new', Target: expect.objectContaining({ Arn: CLUSTER_ARN, DeadLetterConfig: { Arn: DLQ } }) });
  });

  test('CLUSTER_ARN holding a cluster name: InvalidEnvironment before any AWS call', async () => {
    process.env.CLUSTER_ARN = 'slipway';

    await expect(handler({ app: 'example', execution: 'sync-1' })).rejects.toMatchObject({ name: 'InvalidEnvironment', message: expect.stringContaining('CLUSTER_ARN') });
    expect(ddb).not.toHaveReceivedCommand(GetItemCommand);
  });

  test('no SCHEDULES_DLQ_ARN: MissingEnvironment', async () => {
    delete process.env.SCHEDULES_DLQ_ARN;

    await expect(handler({ app: 'example', execution: 'sync-1' })).rejects.toMatchObject({ name: 'MissingEnvironment', message: expect.stringContaining('SCHEDULES_DLQ_ARN') });
  });

  test("an app of another cluster: NOT_SERVED_HERE, no Scheduler call (that cluster's control plane syncs it)", async () => {
    ssmMock.on(GetParameterCommand, { Name: SETTINGS_PARAMETER }).resolves(settingsParameterOutput(settingsInput({ cluster: 'arn:aws:ecs:eu-west-1:123456789012:cluster/staging', controlPlane: 'staging' })));

    expect(await handler({ app: 'example', execution: 'sync-1' })).toEqual({ state: 'NOT_SERVED_HERE', reason: expect.stringContaining('served by the control plane staging') });
    expect(sch.calls()).toHaveLength(0);
  });

  test('an invalid entry: InvalidSchedule before any Scheduler call', async () => {
    ssmMock.on(GetParameterCommand, { Name: '/slipway/apps/example/schedules' }).resolves({ Parameter: { Value: JSON.stringify([{ name: 'bad', schedule: 'cron(0 1 * * *)', command: 'x' }]) } });

    await expect(handler({ app: 'example', execution: 'sync-1' })).rejects.toMatchObject({ name: 'InvalidSchedule', message: expect.stringContaining('"bad"') });
    expect(sch).not.toHaveReceivedCommand(ListSchedulesCommand);
    expect(sch).not.toHaveReceivedCommand(DeleteScheduleCommand);
  });

  test('a schedule left by an interrupted run (ConflictException) is updated instead', async () => {
    ssmMock.on(GetParameterCommand, { Name: '/slipway/apps/example/schedules' }).resolves({ Parameter: { Value: JSON.stringify([{ name: 'new', schedule: 'rate(1 hour)', command: 'x', process: 'web' }]) } });
    sch.on(CreateScheduleCommand).rejects(Object.assign(new Error('exists'), { name: 'ConflictException' }));
    sch.on(UpdateScheduleCommand).resolves({ ScheduleArn: 'arn' });

    await handler({ app: 'example', execution: 'sync-1' });

    expect(sch).toHaveReceivedCommandWith(UpdateScheduleCommand, { Name: 'new' });
  });

  test('no schedules parameter: only the app config\'s schedules (none here), so the old one is deleted', async () => {
    ssmMock.on(GetParameterCommand, { Name: '/slipway/apps/example/schedules' }).rejects(Object.assign(new Error('nope'), { name: 'ParameterNotFound' }));

    expect(await handler({ app: 'example', execution: 'sync-1' })).toMatchObject({ state: 'SYNCED', created: [], deleted: ['old'] });
  });
});
