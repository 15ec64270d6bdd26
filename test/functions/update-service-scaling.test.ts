import { buildSettings, setHandlerEnv, settingsInput, settingsParameterOutput, taskDefArn } from './helpers';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { ssm } from '../../functions/shared/clients';
// prettier-ignore
import { ApplicationAutoScalingClient, DeleteScheduledActionCommand, DescribeScalableTargetsCommand, DescribeScheduledActionsCommand, PutScalingPolicyCommand, PutScheduledActionCommand, RegisterScalableTargetCommand } from '@aws-sdk/client-application-auto-scaling';
import { DynamoDBClient, PutItemCommand, QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { CreateServiceCommand, DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler } from '../../functions/update-service';
import { capacityRange, initialDesiredCount, planScaling } from '../../functions/update-service/scaling';
import { DEFAULT_SCALE_SCHEDULE } from '../../domain/scale-schedule';

const ssmMock = mockClient(ssm as SSMClient);

const settings = buildSettings();
const web = settings.processes.web; // autoscaling 1-4, cpu 70, desired 2
const worker = settings.processes.worker; // no autoscaling, desired 1
const SCHEDULE = DEFAULT_SCALE_SCHEDULE; // 18:00-08:00 UTC, MON-FRI
const DAY = new Date('2026-07-07T10:00:00Z'); // Tuesday 10:00 UTC
const NIGHT = new Date('2026-07-07T22:00:00Z'); // Tuesday 22:00 UTC

describe('planScaling', () => {
  it('in production registers the configured range and CPU target, with no schedule', () => {
    expect(planScaling('example--web', web, undefined, { scheduledActions: [] }, DAY)).toEqual({ register: { min: 1, max: 4 }, cpuTarget: 70, put: [], delete: [], heldDown: false });
  });

  it('in production registers nothing for a process without autoscaling', () => {
    expect(planScaling('example--worker', worker, undefined, { scheduledActions: [] }, DAY)).toMatchObject({ register: undefined, cpuTarget: undefined, put: [] });
  });

  it('deletes the scale-to-zero actions of an app that became production', () => {
    // Act
    const plan = planScaling('example--web', web, undefined, { target: { min: 0, max: 0 }, scheduledActions: ['example--web-scale-to-zero', 'example--web-scale-up', 'someone-elses'] }, DAY);

    // Assess: and the range is put back, scaling the service up.
    expect(plan.delete).toEqual(['example--web-scale-to-zero', 'example--web-scale-up']);
    expect(plan.register).toEqual({ min: 1, max: 4 });
  });

  it('puts a stop action at zero and a start action with the configured range', () => {
    expect(planScaling('example--web', web, SCHEDULE, { target: { min: 1, max: 4 }, scheduledActions: [] }, DAY).put).toEqual([
      { name: 'example--web-scale-to-zero', schedule: 'cron(0 18 ? * MON,TUE,WED,THU,FRI *)', timeZone: 'UTC', min: 0, max: 0 },
      { name: 'example--web-scale-up', schedule: 'cron(0 8 ? * MON,TUE,WED,THU,FRI *)', timeZone: 'UTC', min: 1, max: 4 },
    ]);
  });

  it('gives a process without autoscaling its desired count as the start range', () => {
    expect(planScaling('example--worker', worker, SCHEDULE, { scheduledActions: [] }, DAY).put[1]).toMatchObject({ min: 1, max: 1 });
  });

  it('leaves a registration the schedule holds at zero as it is, even in the day', () => {
    // Act: the account says max 0 (the stop action ran); the clock says day.
    const plan = planScaling('example--web', web, SCHEDULE, { target: { min: 0, max: 0 }, scheduledActions: ['example--web-scale-to-zero'] }, DAY);

    // Assess
    expect(plan.heldDown).toBe(true);
    expect(plan.register).toBeUndefined();
  });

  it('registers a new service at zero during the night', () => {
    const plan = planScaling('example--web', web, SCHEDULE, { scheduledActions: [] }, NIGHT);
    expect(plan).toMatchObject({ heldDown: true, register: { min: 0, max: 0 } });
  });

  it('registers a new service with the range during the day', () => {
    expect(planScaling('example--web', web, SCHEDULE, { scheduledActions: [] }, DAY)).toMatchObject({ heldDown: false, register: { min: 1, max: 4 } });
  });
});

describe('initialDesiredCount', () => {
  it('is zero while held down', () => {
    expect(initialDesiredCount(web, planScaling('example--web', web, SCHEDULE, { scheduledActions: [] }, NIGHT))).toBe(0);
  });

  it('is the configured count within the range otherwise', () => {
    const p = { ...web, desiredCount: 9 };
    expect(initialDesiredCount(p, planScaling('example--web', p, SCHEDULE, { scheduledActions: [] }, DAY))).toBe(capacityRange(p).max);
  });
});

describe('update-service handler with a scale-to-zero schedule', () => {
  const ecsMock = mockClient(ECSClient);
  const dynamoMock = mockClient(DynamoDBClient);
  const scalingMock = mockClient(ApplicationAutoScalingClient);
  const sfnMock = mockClient(SFNClient);
  const execution = 'example--42-deploy';
  /** What the deploy's wait state adds to every call. */
  const WAIT = { app: 'example', taskToken: 'token-web-42', deployTimeoutSeconds: 1800 };
  const OURS = taskDefArn('slipway-example--web', 8);
  const RESOURCE = 'service/slipway/example--web';
  const registered = (min: number, max: number) => ({
    ScalableTargets: [{ ServiceNamespace: 'ecs' as const, ResourceId: RESOURCE, ScalableDimension: 'ecs:service:DesiredCount' as const, MinCapacity: min, MaxCapacity: max, RoleARN: 'r', CreationTime: new Date() }],
  });
  const existingService = {
    serviceName: 'example--web',
    serviceArn: `arn:aws:ecs:eu-west-1:123456789012:service/slipway/example--web`,
    status: 'ACTIVE',
    desiredCount: 0,
    deployments: [{ id: 'ecs-svc/1', status: 'PRIMARY', taskDefinition: taskDefArn('slipway-example--web', 7), rolloutState: 'COMPLETED' as const }],
  };

  beforeEach(() => {
    ecsMock.reset();
    dynamoMock.reset();
    ssmMock.reset();
    scalingMock.reset();
    setHandlerEnv();
    sfnMock.reset();
    ssmMock.on(GetParameterCommand).resolves(settingsParameterOutput(settingsInput({ scaleToZero: { ...SCHEDULE, days: [...SCHEDULE.days] } })));
    dynamoMock.on(PutItemCommand).resolves({});
    dynamoMock.on(UpdateItemCommand).resolves({});
    dynamoMock.on(QueryCommand).resolves({ Items: [] });
    sfnMock.on(SendTaskSuccessCommand).resolves({});
    sfnMock.on(SendTaskFailureCommand).resolves({});
    ecsMock.on(DescribeTaskDefinitionCommand).resolves({ tags: [{ key: 'slipway:build', value: '41' }] });
    ecsMock.on(UpdateServiceCommand).resolves({ service: { ...existingService, deployments: [{ id: 'ecs-svc/2', status: 'PRIMARY', taskDefinition: OURS, rolloutState: 'IN_PROGRESS' }] } });
    ecsMock.on(CreateServiceCommand).resolves({ service: { ...existingService, deployments: [{ id: 'ecs-svc/3', status: 'PRIMARY', taskDefinition: OURS, rolloutState: 'IN_PROGRESS' }] } });
  });

  it('updates a service the schedule holds at zero without scaling it up', async () => {
    // Prepare: the stop action has run (max 0); it is daytime by the clock.
    ecsMock.on(DescribeServicesCommand).resolves({ services: [existingService] });
    scalingMock.on(DescribeScalableTargetsCommand).resolves(registered(0, 0));
    scalingMock.on(DescribeScheduledActionsCommand).resolves({ ScheduledActions: [] });

    // Act
    const result = await handler({ ...WAIT, process: 'web', taskDefinitionArn: OURS, execution, build: '42', now: DAY.toISOString() });

    // Assess
    expect(result).toMatchObject({ action: 'update', deploymentId: 'ecs-svc/2' });
    expect(ecsMock.commandCalls(UpdateServiceCommand)[0].args[0].input).not.toHaveProperty('desiredCount');
    expect(scalingMock).not.toHaveReceivedCommand(RegisterScalableTargetCommand);
  });

  it('puts the start action with the configured range, so the next scale-out runs the new revision in range', async () => {
    // Prepare
    ecsMock.on(DescribeServicesCommand).resolves({ services: [existingService] });
    scalingMock.on(DescribeScalableTargetsCommand).resolves(registered(0, 0));

    // Act
    await handler({ ...WAIT, process: 'web', taskDefinitionArn: OURS, execution, build: '42', now: DAY.toISOString() });

    // Assess
    expect(scalingMock).toHaveReceivedCommandWith(PutScheduledActionCommand, {
      ResourceId: RESOURCE,
      ScheduledActionName: 'example--web-scale-up',
      Schedule: 'cron(0 8 ? * MON,TUE,WED,THU,FRI *)',
      Timezone: 'UTC',
      ScalableTargetAction: { MinCapacity: 1, MaxCapacity: 4 },
    });
    expect(scalingMock).toHaveReceivedCommandWith(PutScheduledActionCommand, { ScheduledActionName: 'example--web-scale-to-zero', ScalableTargetAction: { MinCapacity: 0, MaxCapacity: 0 } });
  });

  it('creates a missing service at zero at night and registers it at zero', async () => {
    // Prepare
    ecsMock.on(DescribeServicesCommand).resolves({ services: [], failures: [{ reason: 'MISSING' }] });

    // Act
    await handler({ ...WAIT, process: 'web', taskDefinitionArn: OURS, execution, build: '42', now: NIGHT.toISOString() });

    // Assess
    expect(ecsMock).toHaveReceivedCommandWith(CreateServiceCommand, { serviceName: 'example--web', desiredCount: 0 });
    expect(scalingMock).toHaveReceivedCommandWith(RegisterScalableTargetCommand, { ResourceId: RESOURCE, MinCapacity: 0, MaxCapacity: 0 });
    expect(scalingMock).toHaveReceivedCommandWith(PutScalingPolicyCommand, { ResourceId: RESOURCE, PolicyName: 'example--web-cpu' });
  });

  it('creates a missing service in its range during the day', async () => {
    // Prepare
    ecsMock.on(DescribeServicesCommand).resolves({ services: [], failures: [{ reason: 'MISSING' }] });

    // Act
    await handler({ ...WAIT, process: 'web', taskDefinitionArn: OURS, execution, build: '42', now: DAY.toISOString() });

    // Assess
    expect(ecsMock).toHaveReceivedCommandWith(CreateServiceCommand, { serviceName: 'example--web', desiredCount: 2 });
    expect(scalingMock).toHaveReceivedCommandWith(RegisterScalableTargetCommand, { ResourceId: RESOURCE, MinCapacity: 1, MaxCapacity: 4 });
  });

  it('deletes the schedule of an app that became production and restores the range', async () => {
    // Prepare
    ssmMock.on(GetParameterCommand).resolves(settingsParameterOutput(settingsInput()));
    ecsMock.on(DescribeServicesCommand).resolves({ services: [existingService] });
    scalingMock.on(DescribeScalableTargetsCommand).resolves(registered(0, 0));
    scalingMock.on(DescribeScheduledActionsCommand).resolves({
      ScheduledActions: [
        { ScheduledActionName: 'example--web-scale-to-zero', ScheduledActionARN: 'a', ServiceNamespace: 'ecs', Schedule: 's', ResourceId: RESOURCE, CreationTime: new Date() },
      ],
    });

    // Act
    await handler({ ...WAIT, process: 'web', taskDefinitionArn: OURS, execution, build: '42', now: NIGHT.toISOString() });

    // Assess
    expect(scalingMock).toHaveReceivedCommandWith(DeleteScheduledActionCommand, { ResourceId: RESOURCE, ScheduledActionName: 'example--web-scale-to-zero' });
    expect(scalingMock).toHaveReceivedCommandWith(RegisterScalableTargetCommand, { ResourceId: RESOURCE, MinCapacity: 1, MaxCapacity: 4 });
    expect(scalingMock).not.toHaveReceivedCommand(PutScheduledActionCommand);
  });

  it('finishes the scaling registration when a retry reuses the deployment', async () => {
    // Prepare: UpdateService ran in the failed attempt; the registration did not (no waiter was recorded).
    ecsMock.on(DescribeServicesCommand).resolves({ services: [{ ...existingService, deployments: [{ id: 'ecs-svc/2', status: 'PRIMARY', taskDefinition: OURS, rolloutState: 'IN_PROGRESS' }] }] });

    // Act
    const result = await handler({ ...WAIT, process: 'web', taskDefinitionArn: OURS, execution, build: '42', now: DAY.toISOString() });

    // Assess
    expect(result).toMatchObject({ action: 'reuse', deploymentId: 'ecs-svc/2' });
    expect(scalingMock).toHaveReceivedCommandWith(PutScheduledActionCommand, { ScheduledActionName: 'example--web-scale-up' });
  });

  it('refuses a malformed now with a named error', async () => {
    await expect(handler({ ...WAIT, process: 'web', taskDefinitionArn: OURS, execution, build: '42', now: 'yesterday' })).rejects.toMatchObject({ name: 'InvalidInput' });
  });
});

