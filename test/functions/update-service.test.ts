import { setHandlerEnv, buildSettings, settingsParameterOutput, settingsInput, awsError, taskDefArn, CLUSTER_ARN, CONTROL_TABLE, TABLE_NAME, waiterItem } from './helpers';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { ssm } from '../../functions/shared/clients';
import { ApplicationAutoScalingClient, DescribeScalableTargetsCommand, PutScalingPolicyCommand, RegisterScalableTargetCommand } from '@aws-sdk/client-application-auto-scaling';
import { DynamoDBClient, PutItemCommand, QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { CreateServiceCommand, DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient, UpdateServiceCommand, type Deployment, type Service } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler } from '../../functions/update-service';
import { createServiceRequest, isNewerBuild, planRedeploy, planService } from '../../functions/update-service/plan';
import { scalableTargetResourceId as scalableResourceId } from '../../domain/names';

const ssmMock = mockClient(ssm as SSMClient);

const WEB = 'slipway-example--web';
const OURS = taskDefArn(WEB, 8);

function service(deployments: Deployment[], extra: Partial<Service> = {}): Service {
  return {
    serviceName: 'example--web',
    serviceArn: `arn:aws:ecs:eu-west-1:123456789012:service/slipway/example--web`,
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

describe('planRedeploy', () => {
  const reuse = { action: 'reuse', deploymentId: 'ecs-svc/600', completed: false } as const;

  it('reuses the deployment when no attempt recorded it (the first attempt died before storing its waiter)', () => {
    expect(planRedeploy(reuse, undefined, 1)).toBe(reuse);
  });

  const settledAt = '2026-01-01T00:35:00.000Z';

  it('reuses the deployment on a retry of the attempt that started it', () => {
    expect(planRedeploy(reuse, { execution: 'example--42-deploy', redriveCount: 1, settledAt }, 1)).toBe(reuse);
  });

  it('starts a new deployment on a redrive of a deployment that was settled as failed (timed out) but still runs', () => {
    expect(planRedeploy(reuse, { execution: 'example--42-deploy', redriveCount: 0, settledAt }, 1)).toEqual({ action: 'redeploy' });
  });

  it('reuses, on a redrive, a deployment nobody gave a verdict on (its iteration was aborted when another process type failed)', () => {
    expect(planRedeploy(reuse, { execution: 'example--42-deploy', redriveCount: 0 }, 1)).toBe(reuse);
  });

  it('never replaces a completed deployment', () => {
    const done = { ...reuse, completed: true };
    expect(planRedeploy(done, { execution: 'example--42-deploy', redriveCount: 0, settledAt }, 3)).toBe(done);
  });
});

describe('createServiceRequest', () => {
  const settings = buildSettings();

  it('enables the circuit breaker with rollback and wires the load balancer of a web process', () => {
    // Act
    const request = createServiceRequest(settings, 'web', settings.processes.web, 'example--web', OURS, 'token-1');

    // Assess
    expect(request).toMatchObject({
      cluster: CLUSTER_ARN,
      serviceName: 'example--web',
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
    const request = createServiceRequest(settings, 'worker', settings.processes.worker, 'example--worker', taskDefArn('slipway-example--worker', 8), 't');

    // Assess
    expect(request.loadBalancers).toBeUndefined();
    expect(request.healthCheckGracePeriodSeconds).toBeUndefined();
    expect(request.desiredCount).toBe(1);
  });

  it('gives a process with a target group but no port no load balancer', () => {
    // Prepare
    const { port: _port, ...noPort } = settings.processes.web;

    // Act
    const request = createServiceRequest(settings, 'web', noPort, 'example--web', OURS, 't');

    // Assess
    expect(request.loadBalancers).toBeUndefined();
  });

  it('clamps the desired count into the autoscaling range', () => {
    // Prepare: desiredCount 2 against max 1.
    const p = { ...settings.processes.web, autoscaling: { min: 1, max: 1, cpuTarget: 60 } };

    // Act
    const request = createServiceRequest(settings, 'web', p, 'example--web', OURS, 't');

    // Assess
    expect(request.desiredCount).toBe(1);
  });
});

describe('scalableResourceId', () => {
  it('uses the cluster name of a cluster ARN', () => {
    expect(scalableResourceId(CLUSTER_ARN, 'example--web')).toBe('service/slipway/example--web');
  });

  it('uses a plain cluster name as is', () => {
    expect(scalableResourceId('slipway', 'example--web')).toBe('service/slipway/example--web');
  });
});

describe('update-service handler', () => {
  const ecsMock = mockClient(ECSClient);
  const dynamoMock = mockClient(DynamoDBClient);
  const scalingMock = mockClient(ApplicationAutoScalingClient);
  const sfnMock = mockClient(SFNClient);
  const execution = 'example--42-deploy';
  const executionArn = 'arn:aws:states:eu-west-1:123456789012:execution:slipway-production-deploy:example--42-deploy';
  const NOW = '2026-01-01T00:00:00.000Z';
  /** What the deploy's wait state sends (statemachines/deploy.asl.json), plus `extra`. */
  const input = (extra: Record<string, unknown> = {}) => ({
    taskToken: 'token-web-42',
    app: 'example',
    process: 'web',
    taskDefinitionArn: OURS,
    execution,
    executionArn,
    build: '42',
    buildSortKey: '0000000042',
    force: false,
    deployTimeoutSeconds: 1800,
    timeoutSeconds: 2700,
    redriveCount: 0,
    now: NOW,
    ...extra,
  });
  const putWaiterItem = () => dynamoMock.commandCalls(PutItemCommand)[0]?.args[0].input.Item;

  beforeEach(() => {
    ecsMock.reset();
    dynamoMock.reset();
    ssmMock.reset();
    scalingMock.reset();
    sfnMock.reset();
    setHandlerEnv();
    ssmMock.on(GetParameterCommand).resolves(settingsParameterOutput(settingsInput()));
    dynamoMock.on(PutItemCommand).resolves({});
    dynamoMock.on(UpdateItemCommand).resolves({});
    dynamoMock.on(QueryCommand).resolves({ Items: [] });
    sfnMock.on(SendTaskSuccessCommand).resolves({});
    sfnMock.on(SendTaskFailureCommand).resolves({});
  });

  describe('when the service is missing', () => {
    beforeEach(() => {
      const created = service([primary(OURS, 'ecs-svc/500', 'IN_PROGRESS')]);
      ecsMock.on(DescribeServicesCommand).resolvesOnce({ services: [], failures: [{ arn: 'example--web', reason: 'MISSING' }] }).resolves({ services: [created] });
      ecsMock.on(CreateServiceCommand).callsFake((req: { serviceName: string; taskDefinition: string }) => ({
        service: service([primary(req.taskDefinition, 'ecs-svc/500', 'IN_PROGRESS')], { serviceName: req.serviceName, serviceArn: `arn:aws:ecs:eu-west-1:123456789012:service/slipway/${req.serviceName}` }),
      }));
    });

    it('creates it with the circuit breaker on and waits on the new deployment', async () => {
      // Act
      const result = await handler(input());

      // Assess
      expect(result).toEqual({
        process: 'web',
        serviceName: 'example--web',
        serviceArn: 'arn:aws:ecs:eu-west-1:123456789012:service/slipway/example--web',
        deploymentId: 'ecs-svc/500',
        action: 'create',
        state: 'IN_PROGRESS',
        waiting: true,
      });
      expect(ecsMock).toHaveReceivedCommandWith(CreateServiceCommand, {
        cluster: CLUSTER_ARN,
        serviceName: 'example--web',
        taskDefinition: OURS,
        deploymentConfiguration: expect.objectContaining({ deploymentCircuitBreaker: { enable: true, rollback: true } }),
        loadBalancers: [expect.objectContaining({ containerName: 'web', containerPort: 8080 })],
      });
      expect(sfnMock).not.toHaveReceivedCommand(SendTaskSuccessCommand);
    });

    it('stores the task token for the new deployment with the redrive count and the deadline (entered + deploy timeout)', async () => {
      // Act
      await handler(input());

      // Assess
      expect(putWaiterItem()).toMatchObject({
        ...waiterItem({ app: 'example', table: TABLE_NAME, serviceName: 'example--web', deploymentId: 'ecs-svc/500', process: 'web', taskDefinitionArn: OURS, taskToken: 'token-web-42', execution, redriveCount: 0, deadline: '2026-01-01T00:30:00.000Z', timeoutSeconds: 1800, action: 'create' }),
        app: { S: 'example' },
        table: { S: TABLE_NAME },
        createdAt: { S: NOW },
      });
      // The waiter goes to the control table (shared by every app), the claim stays in the app's table.
      expect(dynamoMock).toHaveReceivedCommandWith(PutItemCommand, { TableName: CONTROL_TABLE });
      expect(dynamoMock).not.toHaveReceivedCommandWith(PutItemCommand, { TableName: TABLE_NAME });
    });

    it('registers the autoscaling range and a CPU target-tracking policy', async () => {
      // Act
      await handler(input());

      // Assess
      expect(scalingMock).toHaveReceivedCommandWith(RegisterScalableTargetCommand, {
        ServiceNamespace: 'ecs',
        ResourceId: 'service/slipway/example--web',
        ScalableDimension: 'ecs:service:DesiredCount',
        MinCapacity: 1,
        MaxCapacity: 4,
      });
      expect(scalingMock).toHaveReceivedCommandWith(PutScalingPolicyCommand, {
        ResourceId: 'service/slipway/example--web',
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: expect.objectContaining({
          TargetValue: 70,
          PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
        }),
      });
    });

    it('creates a process without autoscaling and without a load balancer, touching no scaling API', async () => {
      // Act
      const result = await handler(input({ process: 'worker', taskDefinitionArn: taskDefArn('slipway-example--worker', 8) }));

      // Assess
      expect(result).toMatchObject({ action: 'create', serviceName: 'example--worker' });
      expect(ecsMock).toHaveReceivedCommandWith(CreateServiceCommand, { serviceName: 'example--worker', loadBalancers: undefined, desiredCount: 1 });
      expect(scalingMock).not.toHaveReceivedCommand(RegisterScalableTargetCommand);
      expect(scalingMock).not.toHaveReceivedCommand(PutScalingPolicyCommand);
    });

    it('sends the same client token when the same attempt retries the same revision, a new one for another execution or a redrive', async () => {
      // Prepare: every call finds the service missing (CreateService's idempotency is what is tested).
      ecsMock.on(DescribeServicesCommand).resolves({ services: [], failures: [{ arn: 'example--web', reason: 'MISSING' }] });

      // Act
      await handler(input());
      await handler(input());
      await handler(input({ execution: `${execution}-other` }));
      await handler(input({ redriveCount: 1 }));

      // Assess
      const tokens = ecsMock.commandCalls(CreateServiceCommand).map((c) => c.args[0].input.clientToken);
      expect(tokens[0]).toMatch(/^[0-9a-f]{32}$/);
      expect(tokens[1]).toBe(tokens[0]);
      expect(tokens[2]).not.toBe(tokens[0]);
      expect(tokens[3]).not.toBe(tokens[0]);
    });
  });

  it('updates an existing service to the new revision without setting desiredCount', async () => {
    // Prepare: the service is registered with the configured range already.
    scalingMock.on(DescribeScalableTargetsCommand).resolves({ ScalableTargets: [{ ServiceNamespace: 'ecs', ResourceId: 'service/slipway/example--web', ScalableDimension: 'ecs:service:DesiredCount', MinCapacity: 1, MaxCapacity: 4, RoleARN: 'r', CreationTime: new Date() }] });
    ecsMock.on(DescribeServicesCommand).resolves({ services: [service([primary(taskDefArn(WEB, 7))])] });
    ecsMock.on(DescribeTaskDefinitionCommand).resolves(taggedRevision(taskDefArn(WEB, 7), '41'));
    ecsMock.on(UpdateServiceCommand).resolves({ service: service([primary(OURS, 'ecs-svc/600', 'IN_PROGRESS'), { ...primary(taskDefArn(WEB, 7)), status: 'ACTIVE' }]) });

    // Act
    const result = await handler(input());

    // Assess
    expect(result).toMatchObject({ action: 'update', deploymentId: 'ecs-svc/600' });
    expect(ecsMock).toHaveReceivedCommandWith(UpdateServiceCommand, { cluster: CLUSTER_ARN, service: 'example--web', taskDefinition: OURS });
    const sent = ecsMock.commandCalls(UpdateServiceCommand)[0].args[0].input;
    expect(sent).not.toHaveProperty('desiredCount');
    expect(sent).not.toHaveProperty('forceNewDeployment');
    expect(ecsMock).not.toHaveReceivedCommand(CreateServiceCommand);
    expect(scalingMock).not.toHaveReceivedCommand(RegisterScalableTargetCommand);
  });

  it('resumes the deploy at once, without updating, when the service already completed a deployment of this revision', async () => {
    // Prepare
    ecsMock.on(DescribeServicesCommand).resolves({ services: [service([primary(OURS, 'ecs-svc/600', 'COMPLETED')])] });

    // Act
    const result = await handler(input({ redriveCount: 1 }));

    // Assess
    expect(result).toMatchObject({ action: 'reuse', deploymentId: 'ecs-svc/600', state: 'COMPLETED', waiting: false });
    expect(ecsMock).not.toHaveReceivedCommand(UpdateServiceCommand);
    const output = JSON.parse(sfnMock.commandCalls(SendTaskSuccessCommand)[0].args[0].input.output ?? '');
    expect(output).toEqual({ process: 'web', serviceName: 'example--web', deploymentId: 'ecs-svc/600', taskDefinitionArn: OURS, action: 'reuse', state: 'COMPLETED' });
    expect(dynamoMock).toHaveReceivedCommandWith(UpdateItemCommand, { Key: { pk: { S: 'WAITER' }, sk: { S: 'example--web#ecs-svc/600' } }, UpdateExpression: 'SET settledAt = :at' });
  });

  it('a retry reuses the in-progress deployment its own attempt started (same redrive count recorded)', async () => {
    // Prepare
    ecsMock.on(DescribeServicesCommand).resolves({ services: [service([primary(OURS, 'ecs-svc/600', 'IN_PROGRESS')])] });
    dynamoMock.on(QueryCommand).resolves({ Items: [waiterItem({ serviceName: 'example--web', deploymentId: 'ecs-svc/600', process: 'web', taskDefinitionArn: OURS, taskToken: 'old', execution, redriveCount: 1 })] });

    // Act
    const result = await handler(input({ redriveCount: 1 }));

    // Assess
    expect(result).toMatchObject({ action: 'reuse', deploymentId: 'ecs-svc/600', state: 'IN_PROGRESS', waiting: true });
    expect(ecsMock).not.toHaveReceivedCommand(UpdateServiceCommand);
  });

  it('a redrive starts a new deployment of the same revision instead of waiting on the one that timed out', async () => {
    // Prepare: the deployment of attempt 0 is still in progress (it timed out); this is redrive 1.
    ecsMock.on(DescribeServicesCommand).resolvesOnce({ services: [service([primary(OURS, 'ecs-svc/600', 'IN_PROGRESS')])] }).resolves({ services: [service([primary(OURS, 'ecs-svc/601', 'IN_PROGRESS')])] });
    dynamoMock.on(QueryCommand).resolves({ Items: [waiterItem({ serviceName: 'example--web', deploymentId: 'ecs-svc/600', process: 'web', taskDefinitionArn: OURS, taskToken: 'old', execution, redriveCount: 0, settledAt: NOW })] });
    ecsMock.on(UpdateServiceCommand).resolves({ service: service([primary(OURS, 'ecs-svc/601', 'IN_PROGRESS')]) });

    // Act
    const result = await handler(input({ redriveCount: 1 }));

    // Assess
    expect(result).toMatchObject({ action: 'redeploy', deploymentId: 'ecs-svc/601', waiting: true });
    expect(ecsMock).toHaveReceivedCommandWith(UpdateServiceCommand, { service: 'example--web', taskDefinition: OURS, forceNewDeployment: true });
    expect(putWaiterItem()).toMatchObject({ sk: { S: 'example--web#ecs-svc/601' }, redriveCount: { N: '1' }, taskToken: { S: 'token-web-42' } });
  });

  it('a redrive after a rollback updates the service again (it is back on the old revision)', async () => {
    // Prepare
    ecsMock.on(DescribeServicesCommand).resolves({ services: [service([primary(taskDefArn(WEB, 7), 'ecs-svc/650')])] });
    ecsMock.on(DescribeTaskDefinitionCommand).resolves(taggedRevision(taskDefArn(WEB, 7), '41'));
    ecsMock.on(UpdateServiceCommand).resolves({ service: service([primary(OURS, 'ecs-svc/700', 'IN_PROGRESS')]) });

    // Act
    const result = await handler(input({ redriveCount: 1 }));

    // Assess
    expect(result).toMatchObject({ action: 'update', deploymentId: 'ecs-svc/700' });
    expect(ecsMock.commandCalls(UpdateServiceCommand)[0].args[0].input).not.toHaveProperty('forceNewDeployment');
  });

  it('a redrive re-claims the app, conditionally: only if this execution still holds the claim or it was released for this build', async () => {
    // Prepare
    ecsMock.on(DescribeServicesCommand).resolves({ services: [service([primary(OURS, 'ecs-svc/600', 'COMPLETED')])] });

    // Act
    await handler(input({ redriveCount: 1 }));

    // Assess
    expect(dynamoMock).toHaveReceivedCommandWith(UpdateItemCommand, {
      TableName: TABLE_NAME,
      Key: { pk: { S: 'APP' }, sk: { S: 'DEPLOY' } },
      ConditionExpression: 'execution = :me OR (attribute_not_exists(execution) AND buildSortKey = :build)',
      ExpressionAttributeValues: { ':me': { S: executionArn }, ':at': { S: NOW }, ':build': { S: '0000000042' } },
    });
  });

  it('a redrive whose claim a newer build (or a rollback) took over fails the state with DeploymentSuperseded and touches no service', async () => {
    // Prepare
    dynamoMock.on(UpdateItemCommand).rejects(awsError('ConditionalCheckFailedException', 'The conditional request failed'));

    // Act
    const result = await handler(input({ redriveCount: 1 }));

    // Assess
    expect(result).toMatchObject({ action: 'superseded', state: 'SUPERSEDED', waiting: false });
    expect(sfnMock).toHaveReceivedCommandWith(SendTaskFailureCommand, { taskToken: 'token-web-42', error: 'DeploymentSuperseded', cause: expect.stringContaining('slipway deploy <app> --build 42') });
    expect(ecsMock).not.toHaveReceivedCommand(DescribeServicesCommand);
    expect(ecsMock).not.toHaveReceivedCommand(UpdateServiceCommand);
  });

  it('the first attempt does not touch the claim (the deploy\'s first state took it)', async () => {
    // Prepare
    ecsMock.on(DescribeServicesCommand).resolves({ services: [service([primary(OURS, 'ecs-svc/600', 'COMPLETED')])] });

    // Act
    await handler(input());

    // Assess
    expect(dynamoMock).not.toHaveReceivedCommandWith(UpdateItemCommand, { Key: { pk: { S: 'APP' }, sk: { S: 'DEPLOY' } } });
  });

  it('fails the state with DeploymentSuperseded, without updating, when the service runs a newer revision of a newer build', async () => {
    // Prepare
    ecsMock.on(DescribeServicesCommand).resolves({ services: [service([primary(taskDefArn(WEB, 9))])] });
    ecsMock.on(DescribeTaskDefinitionCommand).resolves(taggedRevision(taskDefArn(WEB, 9), '43'));

    // Act
    const result = await handler(input());

    // Assess
    expect(result).toMatchObject({ action: 'superseded', state: 'SUPERSEDED', waiting: false });
    expect(sfnMock).toHaveReceivedCommandWith(SendTaskFailureCommand, { taskToken: 'token-web-42', error: 'DeploymentSuperseded', cause: expect.stringContaining(`build 43 (${taskDefArn(WEB, 9)})`) });
    expect(ecsMock).toHaveReceivedCommandWith(DescribeTaskDefinitionCommand, { taskDefinition: taskDefArn(WEB, 9), include: ['TAGS'] });
    expect(ecsMock).not.toHaveReceivedCommand(UpdateServiceCommand);
    expect(dynamoMock).not.toHaveReceivedCommand(PutItemCommand);
  });

  it('updates over a newer build when forced (a rollback)', async () => {
    // Prepare
    ecsMock.on(DescribeServicesCommand).resolves({ services: [service([primary(taskDefArn(WEB, 9))])] });
    ecsMock.on(DescribeTaskDefinitionCommand).resolves(taggedRevision(taskDefArn(WEB, 9), '43'));
    ecsMock.on(UpdateServiceCommand).resolves({ service: service([primary(OURS, 'ecs-svc/700', 'IN_PROGRESS')]) });

    // Act
    const result = await handler(input({ force: true }));

    // Assess
    expect(result).toMatchObject({ action: 'update', deploymentId: 'ecs-svc/700' });
    expect(ecsMock).toHaveReceivedCommandWith(UpdateServiceCommand, { taskDefinition: OURS });
  });

  it('throws InvalidInput naming build when the build is missing', async () => {
    // Act
    const { build: _build, ...rest } = input();
    const call = handler(rest);

    // Assess
    await expect(call).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('build:') });
  });

  it('throws InvalidInput naming the task token when the state did not send one', async () => {
    // Act
    const { taskToken: _t, ...rest } = input();
    const call = handler(rest);

    // Assess
    await expect(call).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('taskToken:') });
  });

  it('throws InvalidInput for a process that is not in the settings', async () => {
    // Act
    const call = handler(input({ process: 'cron', taskDefinitionArn: taskDefArn('slipway-example-cron', 1) }));

    // Assess
    await expect(call).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('process "cron" is not in the app\'s settings (processes: web, worker)') });
    expect(ecsMock).not.toHaveReceivedCommand(DescribeServicesCommand);
  });

  it('throws InvalidInput when the task definition is not a revision ARN', async () => {
    // Act
    const call = handler(input({ taskDefinitionArn: 'slipway-example--web' }));

    // Assess
    await expect(call).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('taskDefinitionArn: must be a task-definition revision ARN') });
  });

  it('turns a throttled UpdateService into TransientError', async () => {
    // Prepare
    ecsMock.on(DescribeServicesCommand).resolves({ services: [service([primary(taskDefArn(WEB, 7))])] });
    ecsMock.on(DescribeTaskDefinitionCommand).resolves(taggedRevision(taskDefArn(WEB, 7), '41'));
    ecsMock.on(UpdateServiceCommand).rejects(awsError('ThrottlingException', 'Rate exceeded'));

    // Act
    const call = handler(input());

    // Assess
    await expect(call).rejects.toMatchObject({ name: 'TransientError', message: expect.stringContaining('UpdateService example--web') });
  });

  it('lets AccessDenied fail the state (uncaught in the ASL, so a redrive re-runs it)', async () => {
    // Prepare
    ecsMock.on(DescribeServicesCommand).resolves({ services: [service([primary(taskDefArn(WEB, 7))])] });
    ecsMock.on(DescribeTaskDefinitionCommand).resolves(taggedRevision(taskDefArn(WEB, 7), '41'));
    ecsMock.on(UpdateServiceCommand).rejects(awsError('AccessDeniedException', 'not authorized to perform ecs:UpdateService'));

    // Act
    const call = handler(input());

    // Assess
    await expect(call).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect(dynamoMock).not.toHaveReceivedCommand(PutItemCommand);
  });
});
