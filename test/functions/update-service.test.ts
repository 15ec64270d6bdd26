import { setHandlerEnv, buildSettings, settingsItem, settingsInput, awsError, taskDefArn, CLUSTER_ARN } from './helpers';
import { ApplicationAutoScalingClient, DescribeScalableTargetsCommand, PutScalingPolicyCommand, RegisterScalableTargetCommand } from '@aws-sdk/client-application-auto-scaling';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateServiceCommand, DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient, UpdateServiceCommand, type Deployment, type Service } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler } from '../../functions/update-service';
import { createServiceRequest, isNewerBuild, planService, scalableResourceId } from '../../functions/update-service/plan';

const WEB = 'slipway-example-web';
const OURS = taskDefArn(WEB, 8);

function service(deployments: Deployment[], extra: Partial<Service> = {}): Service {
  return {
    serviceName: 'example-web',
    serviceArn: `arn:aws:ecs:eu-west-1:123456789012:service/slipway/example-web`,
    status: 'ACTIVE',
    taskDefinition: deployments.find((d) => d.status === 'PRIMARY')?.taskDefinition,
    deployments,
    ...extra,
  };
}

function primary(taskDefinition: string, id = 'ecs-svc/100', rolloutState: Deployment['rolloutState'] = 'COMPLETED'): Deployment {
  return { id, status: 'PRIMARY', taskDefinition, rolloutState };
}

/** DescribeTaskDefinition (include TAGS) of a revision registered for `build`. */
function taggedRevision(arn: string, build: string) {
  return { taskDefinition: { taskDefinitionArn: arn, status: 'ACTIVE' as const }, tags: [{ key: 'slipway:build', value: build }] };
}

describe('isNewerBuild', () => {
  it.each([
    ['43', '42', true],
    ['42', '42', false],
    ['9', '10', false],
    ['100', '99', true],
    [undefined, '42', false],
    ['12345678-1234-1234-1234-1234567890ab', '42', false],
  ])('isNewerBuild(%s, %s) is %s', (a, b, expected) => {
    expect(isNewerBuild(a, b)).toBe(expected);
  });
});

describe('planService', () => {
  it('creates a missing service', () => {
    expect(planService(undefined, OURS, '42', undefined, false)).toEqual({ action: 'create' });
  });

  it('creates a service that was deleted (INACTIVE)', () => {
    expect(planService(service([], { status: 'INACTIVE' }), OURS, '42', undefined, false)).toEqual({ action: 'create' });
  });

  it('updates a service running an older build', () => {
    expect(planService(service([primary(taskDefArn(WEB, 7))]), OURS, '42', '41', false)).toEqual({ action: 'update' });
  });

  it('updates a service whose revision carries no build tag', () => {
    expect(planService(service([primary(taskDefArn(WEB, 9))]), OURS, '42', undefined, false)).toEqual({ action: 'update' });
  });

  it('reuses the in-progress deployment of this revision a previous run started', () => {
    expect(planService(service([primary(OURS, 'ecs-svc/200', 'IN_PROGRESS')]), OURS, '42', undefined, false)).toEqual({ action: 'reuse', deploymentId: 'ecs-svc/200', completed: false });
  });

  it('reuses the completed deployment of this revision as completed', () => {
    expect(planService(service([primary(OURS, 'ecs-svc/200', 'COMPLETED')]), OURS, '42', undefined, false)).toEqual({ action: 'reuse', deploymentId: 'ecs-svc/200', completed: true });
  });

  it('refuses to deploy over a newer build', () => {
    // Act
    const plan = planService(service([primary(taskDefArn(WEB, 9))]), OURS, '42', '43', false);

    // Assess
    expect(plan).toEqual({ action: 'superseded', cause: expect.stringContaining(`already runs build 43 (${taskDefArn(WEB, 9)}), newer than build 42`) });
  });

  it('deploys over a newer build when forced (a rollback)', () => {
    expect(planService(service([primary(taskDefArn(WEB, 9))]), OURS, '42', '43', true)).toEqual({ action: 'update' });
  });
});

describe('createServiceRequest', () => {
  const settings = buildSettings();

  it('enables the circuit breaker with rollback and wires the load balancer of a web process', () => {
    // Act
    const request = createServiceRequest(settings, 'web', settings.processes.web, 'example-web', OURS, 'token-1');

    // Assess
    expect(request).toMatchObject({
      cluster: CLUSTER_ARN,
      serviceName: 'example-web',
      taskDefinition: OURS,
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
      loadBalancers: [{ targetGroupArn: settings.processes.web.targetGroupArn, containerName: 'web', containerPort: 8080 }],
      healthCheckGracePeriodSeconds: 60,
      capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1, base: 1 }],
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-aaa', 'subnet-bbb'], securityGroups: ['sg-app'], assignPublicIp: 'DISABLED' } },
      clientToken: 'token-1',
    });
  });

  it('gives a process without target group no load balancer nor grace period', () => {
    // Act
    const request = createServiceRequest(settings, 'worker', settings.processes.worker, 'example-worker', taskDefArn('slipway-example-worker', 8), 't');

    // Assess
    expect(request.loadBalancers).toBeUndefined();
    expect(request.healthCheckGracePeriodSeconds).toBeUndefined();
    expect(request.desiredCount).toBe(1);
  });

  it('gives a process with a target group but no port no load balancer', () => {
    // Prepare
    const { port: _port, ...noPort } = settings.processes.web;

    // Act
    const request = createServiceRequest(settings, 'web', noPort, 'example-web', OURS, 't');

    // Assess
    expect(request.loadBalancers).toBeUndefined();
  });

  it('clamps the desired count into the autoscaling range', () => {
    // Prepare: desiredCount 2 against max 1.
    const p = { ...settings.processes.web, autoscaling: { min: 1, max: 1, cpuTarget: 60 } };

    // Act
    const request = createServiceRequest(settings, 'web', p, 'example-web', OURS, 't');

    // Assess
    expect(request.desiredCount).toBe(1);
  });
});

describe('scalableResourceId', () => {
  it('uses the cluster name of a cluster ARN', () => {
    expect(scalableResourceId(CLUSTER_ARN, 'example-web')).toBe('service/slipway/example-web');
  });

  it('uses a plain cluster name as is', () => {
    expect(scalableResourceId('slipway', 'example-web')).toBe('service/slipway/example-web');
  });
});

describe('update-service handler', () => {
  const ecsMock = mockClient(ECSClient);
  const dynamoMock = mockClient(DynamoDBClient);
  const scalingMock = mockClient(ApplicationAutoScalingClient);
  const execution = 'arn:aws:states:eu-west-1:123456789012:execution:example-deploy:example-42-deploy';

  beforeEach(() => {
    ecsMock.reset();
    dynamoMock.reset();
    scalingMock.reset();
    setHandlerEnv();
    dynamoMock.on(GetItemCommand).resolves({ Item: settingsItem(settingsInput()) });
  });

  describe('when the service is missing', () => {
    beforeEach(() => {
      ecsMock.on(DescribeServicesCommand).resolves({ services: [], failures: [{ arn: 'example-web', reason: 'MISSING' }] });
      ecsMock.on(CreateServiceCommand).callsFake((req: { serviceName: string; taskDefinition: string }) => ({
        service: service([primary(req.taskDefinition, 'ecs-svc/500', 'IN_PROGRESS')], { serviceName: req.serviceName, serviceArn: `arn:aws:ecs:eu-west-1:123456789012:service/slipway/${req.serviceName}` }),
      }));
    });

    it('creates it with the circuit breaker on and returns the new deployment', async () => {
      // Act
      const result = await handler({ process: 'web', taskDefinitionArn: OURS, execution, build: '42' });

      // Assess
      expect(result).toEqual({
        process: 'web',
        serviceName: 'example-web',
        serviceArn: 'arn:aws:ecs:eu-west-1:123456789012:service/slipway/example-web',
        deploymentId: 'ecs-svc/500',
        action: 'create',
        state: 'IN_PROGRESS',
      });
      expect(ecsMock).toHaveReceivedCommandWith(CreateServiceCommand, {
        cluster: CLUSTER_ARN,
        serviceName: 'example-web',
        taskDefinition: OURS,
        deploymentConfiguration: expect.objectContaining({ deploymentCircuitBreaker: { enable: true, rollback: true } }),
        loadBalancers: [expect.objectContaining({ containerName: 'web', containerPort: 8080 })],
      });
    });

    it('registers the autoscaling range and a CPU target-tracking policy', async () => {
      // Act
      await handler({ process: 'web', taskDefinitionArn: OURS, execution, build: '42' });

      // Assess
      expect(scalingMock).toHaveReceivedCommandWith(RegisterScalableTargetCommand, {
        ServiceNamespace: 'ecs',
        ResourceId: 'service/slipway/example-web',
        ScalableDimension: 'ecs:service:DesiredCount',
        MinCapacity: 1,
        MaxCapacity: 4,
      });
      expect(scalingMock).toHaveReceivedCommandWith(PutScalingPolicyCommand, {
        ResourceId: 'service/slipway/example-web',
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: expect.objectContaining({
          TargetValue: 70,
          PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
        }),
      });
    });

    it('creates a process without autoscaling and without a load balancer, touching no scaling API', async () => {
      // Act
      const result = await handler({ process: 'worker', taskDefinitionArn: taskDefArn('slipway-example-worker', 8), execution, build: '42' });

      // Assess
      expect(result).toMatchObject({ action: 'create', serviceName: 'example-worker' });
      expect(ecsMock).toHaveReceivedCommandWith(CreateServiceCommand, { serviceName: 'example-worker', loadBalancers: undefined, desiredCount: 1 });
      expect(scalingMock).not.toHaveReceivedCommand(RegisterScalableTargetCommand);
      expect(scalingMock).not.toHaveReceivedCommand(PutScalingPolicyCommand);
    });

    it('sends the same client token when the same execution retries the same revision', async () => {
      // Act
      await handler({ process: 'web', taskDefinitionArn: OURS, execution, build: '42' });
      await handler({ process: 'web', taskDefinitionArn: OURS, execution, build: '42' });
      await handler({ process: 'web', taskDefinitionArn: OURS, execution: `${execution}-other`, build: '42' });

      // Assess
      const tokens = ecsMock.commandCalls(CreateServiceCommand).map((c) => c.args[0].input.clientToken);
      expect(tokens[0]).toMatch(/^[0-9a-f]{32}$/);
      expect(tokens[1]).toBe(tokens[0]);
      expect(tokens[2]).not.toBe(tokens[0]);
    });
  });

  it('updates an existing service to the new revision without setting desiredCount', async () => {
    // Prepare: the service is registered with the configured range already.
    scalingMock.on(DescribeScalableTargetsCommand).resolves({ ScalableTargets: [{ ServiceNamespace: 'ecs', ResourceId: 'service/slipway/example-web', ScalableDimension: 'ecs:service:DesiredCount', MinCapacity: 1, MaxCapacity: 4, RoleARN: 'r', CreationTime: new Date() }] });
    ecsMock.on(DescribeServicesCommand).resolves({ services: [service([primary(taskDefArn(WEB, 7))])] });
    ecsMock.on(DescribeTaskDefinitionCommand).resolves(taggedRevision(taskDefArn(WEB, 7), '41'));
    ecsMock.on(UpdateServiceCommand).resolves({ service: service([primary(OURS, 'ecs-svc/600', 'IN_PROGRESS'), { ...primary(taskDefArn(WEB, 7)), status: 'ACTIVE' }]) });

    // Act
    const result = await handler({ process: 'web', taskDefinitionArn: OURS, execution, build: '42' });

    // Assess
    expect(result).toMatchObject({ action: 'update', deploymentId: 'ecs-svc/600', state: 'IN_PROGRESS' });
    expect(ecsMock).toHaveReceivedCommandWith(UpdateServiceCommand, { cluster: CLUSTER_ARN, service: 'example-web', taskDefinition: OURS });
    const sent = ecsMock.commandCalls(UpdateServiceCommand)[0].args[0].input;
    expect(sent).not.toHaveProperty('desiredCount');
    expect(ecsMock).not.toHaveReceivedCommand(CreateServiceCommand);
    expect(scalingMock).not.toHaveReceivedCommand(RegisterScalableTargetCommand);
  });

  it('reuses the completed deployment of this revision without updating', async () => {
    // Prepare
    ecsMock.on(DescribeServicesCommand).resolves({ services: [service([primary(OURS, 'ecs-svc/600', 'COMPLETED')])] });

    // Act
    const result = await handler({ process: 'web', taskDefinitionArn: OURS, execution, build: '42' });

    // Assess
    expect(result).toMatchObject({ action: 'reuse', deploymentId: 'ecs-svc/600', state: 'COMPLETED' });
    expect(ecsMock).not.toHaveReceivedCommand(UpdateServiceCommand);
  });

  it('reuses an in-progress deployment of this revision as IN_PROGRESS', async () => {
    // Prepare
    ecsMock.on(DescribeServicesCommand).resolves({ services: [service([primary(OURS, 'ecs-svc/600', 'IN_PROGRESS')])] });

    // Act
    const result = await handler({ process: 'web', taskDefinitionArn: OURS, execution, build: '42' });

    // Assess
    expect(result).toMatchObject({ action: 'reuse', deploymentId: 'ecs-svc/600', state: 'IN_PROGRESS' });
    expect(ecsMock).not.toHaveReceivedCommand(UpdateServiceCommand);
  });

  it('returns SUPERSEDED without updating when the service runs a newer revision of a newer build', async () => {
    // Prepare
    ecsMock.on(DescribeServicesCommand).resolves({ services: [service([primary(taskDefArn(WEB, 9))])] });
    ecsMock.on(DescribeTaskDefinitionCommand).resolves(taggedRevision(taskDefArn(WEB, 9), '43'));

    // Act
    const result = await handler({ process: 'web', taskDefinitionArn: OURS, execution, build: '42' });

    // Assess
    expect(result).toMatchObject({ action: 'superseded', state: 'SUPERSEDED', error: 'DeploymentSuperseded', cause: expect.stringContaining(`build 43 (${taskDefArn(WEB, 9)})`) });
    expect(ecsMock).toHaveReceivedCommandWith(DescribeTaskDefinitionCommand, { taskDefinition: taskDefArn(WEB, 9), include: ['TAGS'] });
    expect(ecsMock).not.toHaveReceivedCommand(UpdateServiceCommand);
  });

  it('updates over a newer build when forced (a rollback)', async () => {
    // Prepare
    ecsMock.on(DescribeServicesCommand).resolves({ services: [service([primary(taskDefArn(WEB, 9))])] });
    ecsMock.on(DescribeTaskDefinitionCommand).resolves(taggedRevision(taskDefArn(WEB, 9), '43'));
    ecsMock.on(UpdateServiceCommand).resolves({ service: service([primary(OURS, 'ecs-svc/700', 'IN_PROGRESS')]) });

    // Act
    const result = await handler({ process: 'web', taskDefinitionArn: OURS, execution, build: '42', force: true });

    // Assess
    expect(result).toMatchObject({ action: 'update', deploymentId: 'ecs-svc/700', state: 'IN_PROGRESS' });
    expect(ecsMock).toHaveReceivedCommandWith(UpdateServiceCommand, { taskDefinition: OURS });
  });

  it('throws InvalidInput naming build when the build is missing', async () => {
    // Act
    const call = handler({ process: 'web', taskDefinitionArn: OURS, execution });

    // Assess
    await expect(call).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('build:') });
  });

  it('throws InvalidInput for a process that is not in the settings', async () => {
    // Act
    const call = handler({ process: 'cron', taskDefinitionArn: taskDefArn('slipway-example-cron', 1), execution, build: '42' });

    // Assess
    await expect(call).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('process "cron" is not in the app\'s settings (processes: web, worker)') });
    expect(ecsMock).not.toHaveReceivedCommand(DescribeServicesCommand);
  });

  it('throws InvalidInput when the task definition is not a revision ARN', async () => {
    // Act
    const call = handler({ process: 'web', taskDefinitionArn: 'slipway-example-web', execution, build: '42' });

    // Assess
    await expect(call).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('taskDefinitionArn: must be a task-definition revision ARN') });
  });

  it('turns a throttled UpdateService into TransientError', async () => {
    // Prepare
    ecsMock.on(DescribeServicesCommand).resolves({ services: [service([primary(taskDefArn(WEB, 7))])] });
    ecsMock.on(DescribeTaskDefinitionCommand).resolves(taggedRevision(taskDefArn(WEB, 7), '41'));
    ecsMock.on(UpdateServiceCommand).rejects(awsError('ThrottlingException', 'Rate exceeded'));

    // Act
    const call = handler({ process: 'web', taskDefinitionArn: OURS, execution, build: '42' });

    // Assess
    await expect(call).rejects.toMatchObject({ name: 'TransientError', message: expect.stringContaining('UpdateService example-web') });
  });
});
