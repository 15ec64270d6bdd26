import { ApplicationAutoScalingClient, DescribeScalableTargetsCommand, RegisterScalableTargetCommand, type ScalableTarget } from '@aws-sdk/client-application-auto-scaling';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { UsageError } from '../../../lib/cli/errors';
import { scaleProcess } from '../../../lib/ops/scaling';

/** `slipway scale`'s operation: the service's scalable target, with Application Auto Scaling mocked. */

const scaling = mockClient(ApplicationAutoScalingClient);
const client = { autoscaling: new ApplicationAutoScalingClient({ region: 'eu-west-1' }) };

const target = (resourceId: string, min: number, max: number): ScalableTarget => ({
  ServiceNamespace: 'ecs',
  ResourceId: resourceId,
  ScalableDimension: 'ecs:service:DesiredCount',
  MinCapacity: min,
  MaxCapacity: max,
  RoleARN: 'arn:aws:iam::123456789012:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService',
  CreationTime: new Date('2026-01-01T00:00:00Z'),
});

beforeEach(() => scaling.reset());

describe('scaleProcess', () => {
  it('finds the service\'s registration across pages and registers the new range on it', async () => {
    // Prepare: example--web is on the second page; another app's "example--web-2"-like names must not match.
    scaling
      .on(DescribeScalableTargetsCommand, { NextToken: undefined })
      .resolves({ ScalableTargets: [target('service/slipway-production/other-web', 1, 2), target('service/slipway-production/myexample-web', 1, 1)], NextToken: 'p2' })
      .on(DescribeScalableTargetsCommand, { NextToken: 'p2' })
      .resolves({ ScalableTargets: [target('service/slipway-production/example--web', 2, 6)] });

    // Act
    const result = await scaleProcess(client, { app: 'example', process: 'web', range: { min: 0, max: 0 } });

    // Assess
    expect(result).toEqual({ app: 'example', process: 'web', service: 'example--web', resourceId: 'service/slipway-production/example--web', previous: { min: 2, max: 6 }, range: { min: 0, max: 0 } });
    expect(scaling).toHaveReceivedCommandWith(RegisterScalableTargetCommand, {
      ServiceNamespace: 'ecs',
      ScalableDimension: 'ecs:service:DesiredCount',
      ResourceId: 'service/slipway-production/example--web',
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
    await expect(outcome).rejects.toThrow(new UsageError('example--web has no autoscaling registration yet (the deploy pipeline creates it with the service): deploy the app first, or pass --cluster <name> to register one'));
    expect(scaling).not.toHaveReceivedCommand(RegisterScalableTargetCommand);
  });

  it('refuses a service registered in two clusters without --cluster', async () => {
    scaling.on(DescribeScalableTargetsCommand).resolves({ ScalableTargets: [target('service/a/example--web', 1, 1), target('service/b/example--web', 1, 1)] });
    await expect(scaleProcess(client, { app: 'example', process: 'web', range: { min: 1, max: 1 } })).rejects.toThrow('pass --cluster <name>');
  });

  it('with --cluster registers a service that has no registration yet', async () => {
    // Prepare
    scaling.on(DescribeScalableTargetsCommand).resolves({ ScalableTargets: [] });

    // Act
    const result = await scaleProcess(client, { app: 'example', process: 'worker', range: { min: 1, max: 3 }, cluster: 'slipway-staging' });

    // Assess
    expect(result.previous).toBeUndefined();
    expect(scaling).toHaveReceivedCommandWith(DescribeScalableTargetsCommand, { ResourceIds: ['service/slipway-staging/example--worker'] });
    expect(scaling).toHaveReceivedCommandWith(RegisterScalableTargetCommand, { ResourceId: 'service/slipway-staging/example--worker', MinCapacity: 1, MaxCapacity: 3 });
  });

  it('refuses an invalid process name before calling AWS', async () => {
    await expect(scaleProcess(client, { app: 'example', process: 'Web!', range: { min: 1, max: 1 } })).rejects.toThrow(UsageError);
    expect(scaling).not.toHaveReceivedAnyCommand();
  });
});
