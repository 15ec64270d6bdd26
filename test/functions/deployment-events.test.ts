import { setHandlerEnv, awsEvent, taskDefArn, CLUSTER_ARN, CONTROL_TABLE, waiterItem } from './helpers';
import { DynamoDBClient, QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeServicesCommand, ECSClient, type Deployment, type Service } from '@aws-sdk/client-ecs';
import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient, TaskTimedOut } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler } from '../../functions/deployment-events';
import type { Waiter } from '../../functions/shared/waiters';

type Json = Record<string, any>;

const WEB_ARN = taskDefArn('slipway-example--web', 8);
const webWaiter: Waiter = {
  serviceName: 'example--web',
  deploymentId: 'ecs-svc/6738419284172392',
  process: 'web',
  taskDefinitionArn: WEB_ARN,
  taskToken: 'token-web-42',
  execution: 'example--42-deploy',
};
const workerWaiter: Waiter = {
  serviceName: 'example--worker',
  deploymentId: 'ecs-svc/9182736450918273',
  process: 'worker',
  taskDefinitionArn: taskDefArn('slipway-example--worker', 8),
  taskToken: 'token-worker-42',
  execution: 'example--42-deploy',
};


/** The service as DescribeServices shows it: our deployment primary, in the given rollout state. */
function serviceOf(w: Waiter, ours: Partial<Deployment> = {}): Service {
  return {
    serviceName: w.serviceName,
    status: 'ACTIVE',
    deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
    deployments: [{ id: w.deploymentId, status: 'PRIMARY', taskDefinition: w.taskDefinitionArn, rolloutState: 'IN_PROGRESS', ...ours }],
  };
}

/**
 * A published ECS "Deployment State Change" event, copied with only `resources` (our web service's ARN)
 * and `detail.deploymentId` (our waiter's deployment) changed so that it is about our deployment.
 */
function deploymentEvent(file: 'ecs-deployment-completed.json' | 'ecs-deployment-failed.json'): Json {
  const event: Json = awsEvent(file);
  event.resources = ['arn:aws:ecs:eu-west-1:123456789012:service/slipway/example--web'];
  event.detail.deploymentId = webWaiter.deploymentId;
  return event;
}

const scheduledEvent = {
  version: '0',
  id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '123456789012',
  time: '2026-01-01T00:05:00Z',
  region: 'eu-west-1',
  resources: ['arn:aws:events:eu-west-1:123456789012:rule/example-deployment-sweep'],
  detail: {},
};

describe('deployment-events handler', () => {
  const ecsMock = mockClient(ECSClient);
  const dynamoMock = mockClient(DynamoDBClient);
  const sfnMock = mockClient(SFNClient);

  beforeEach(() => {
    ecsMock.reset();
    dynamoMock.reset();
    sfnMock.reset();
    setHandlerEnv();
    dynamoMock.on(UpdateItemCommand).resolves({});
    sfnMock.on(SendTaskSuccessCommand).resolves({});
    sfnMock.on(SendTaskFailureCommand).resolves({});
  });

  describe('on a Deployment State Change event', () => {
    beforeEach(() => {
      dynamoMock.on(QueryCommand).resolves({ Items: [waiterItem(webWaiter)] });
      // DescribeServices may lag behind the event: the deployment still shows IN_PROGRESS.
      ecsMock.on(DescribeServicesCommand).resolves({ services: [serviceOf(webWaiter)] });
    });

    it("queries the waiters of the event's service only, in the control table (every app's waiters are there)", async () => {
      // Act
      await handler(deploymentEvent('ecs-deployment-completed.json'));

      // Assess
      expect(dynamoMock).toHaveReceivedCommandWith(QueryCommand, {
        TableName: CONTROL_TABLE,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': { S: 'WAITER' }, ':prefix': { S: 'example--web#' } },
      });
      expect(ecsMock).toHaveReceivedCommandWith(DescribeServicesCommand, { cluster: CLUSTER_ARN, services: ['example--web'] });
    });

    it('resumes the deploy with task success on SERVICE_DEPLOYMENT_COMPLETED and marks the waiter settled', async () => {
      // Act
      const result = await handler(deploymentEvent('ecs-deployment-completed.json'));

      // Assess
      expect(result).toEqual({ kind: 'deployment-event', resumed: 1, waiting: 0 });
      expect(sfnMock).toHaveReceivedCommandWith(SendTaskSuccessCommand, {
        taskToken: 'token-web-42',
        output: JSON.stringify({ process: 'web', serviceName: 'example--web', deploymentId: webWaiter.deploymentId, taskDefinitionArn: WEB_ARN, action: 'update', state: 'COMPLETED' }),
      });
      expect(dynamoMock).toHaveReceivedCommandWith(UpdateItemCommand, { Key: { pk: { S: 'WAITER' }, sk: { S: `example--web#${webWaiter.deploymentId}` } } });
    });

    it('fails the deploy with DeploymentRolledBack on SERVICE_DEPLOYMENT_FAILED', async () => {
      // Act
      const result = await handler(deploymentEvent('ecs-deployment-failed.json'));

      // Assess
      expect(result).toEqual({ kind: 'deployment-event', resumed: 1, waiting: 0 });
      expect(sfnMock).toHaveReceivedCommandWith(SendTaskFailureCommand, {
        taskToken: 'token-web-42',
        error: 'DeploymentRolledBack',
        cause: expect.stringContaining('ECS deployment circuit breaker: task failed to start.'),
      });
      expect(sfnMock).not.toHaveReceivedCommand(SendTaskSuccessCommand);
      expect(dynamoMock).toHaveReceivedCommand(UpdateItemCommand);
    });

    it('treats a deploy whose wait already timed out as done: waiter settled, no error', async () => {
      // Prepare
      sfnMock.on(SendTaskSuccessCommand).rejects(new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} }));

      // Act
      const result = await handler(deploymentEvent('ecs-deployment-completed.json'));

      // Assess
      expect(result).toEqual({ kind: 'deployment-event', resumed: 1, waiting: 0 });
      expect(dynamoMock).toHaveReceivedCommandWith(UpdateItemCommand, { Key: { pk: { S: 'WAITER' }, sk: { S: `example--web#${webWaiter.deploymentId}` } } });
    });

    it("keeps waiting when the event is about another deployment and ours is in progress", async () => {
      // Prepare
      const event = deploymentEvent('ecs-deployment-completed.json');
      event.detail.deploymentId = 'ecs-svc/1111111111111111';

      // Act
      const result = await handler(event);

      // Assess
      expect(result).toEqual({ kind: 'deployment-event', resumed: 0, waiting: 1 });
      expect(sfnMock).not.toHaveReceivedCommand(SendTaskSuccessCommand);
      expect(dynamoMock).not.toHaveReceivedCommand(UpdateItemCommand);
    });
  });

  it('does nothing for a service no deploy waits on', async () => {
    // Prepare
    dynamoMock.on(QueryCommand).resolves({ Items: [] });

    // Act
    const result = await handler(deploymentEvent('ecs-deployment-completed.json'));

    // Assess
    expect(result).toEqual({ kind: 'deployment-event', resumed: 0, waiting: 0, reason: 'no deploy is waiting on example--web' });
    expect(ecsMock).not.toHaveReceivedCommand(DescribeServicesCommand);
  });

  it('sweeps every waiter on a Scheduled Event, resuming the settled ones only', async () => {
    // Prepare
    dynamoMock.on(QueryCommand).resolves({ Items: [waiterItem(webWaiter), waiterItem(workerWaiter)] });
    ecsMock.on(DescribeServicesCommand).resolves({ services: [serviceOf(webWaiter, { rolloutState: 'COMPLETED' }), serviceOf(workerWaiter, { rolloutState: 'IN_PROGRESS' })] });

    // Act
    const result = await handler(scheduledEvent);

    // Assess
    expect(result).toEqual({ kind: 'sweep', resumed: 1, waiting: 1, timedOut: 0 });
    expect(dynamoMock).toHaveReceivedCommandWith(QueryCommand, { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'WAITER' } } });
    expect(ecsMock).toHaveReceivedCommandWith(DescribeServicesCommand, { cluster: CLUSTER_ARN, services: ['example--web', 'example--worker'] });
    expect(sfnMock).toHaveReceivedCommandWith(SendTaskSuccessCommand, { taskToken: 'token-web-42' });
    expect(sfnMock).not.toHaveReceivedCommandWith(SendTaskSuccessCommand, { taskToken: 'token-worker-42' });
    expect(dynamoMock).toHaveReceivedCommandTimes(UpdateItemCommand, 1);
    expect(dynamoMock).toHaveReceivedCommandWith(UpdateItemCommand, { Key: { pk: { S: 'WAITER' }, sk: { S: `example--web#${webWaiter.deploymentId}` } } });
  });

  it('at the deploy timeout the sweep fails a deployment still in progress with DeploymentTimedOut (the deploy state fails there, redrivable)', async () => {
    // Prepare: the worker's deadline (00:04) is before the sweep (00:05); the web's (00:30) is not.
    const worker = { ...workerWaiter, deadline: '2026-01-01T00:04:00.000Z', timeoutSeconds: 240 };
    const web = { ...webWaiter, deadline: '2026-01-01T00:30:00.000Z', timeoutSeconds: 1800 };
    dynamoMock.on(QueryCommand).resolves({ Items: [waiterItem(web), waiterItem(worker)] });
    ecsMock.on(DescribeServicesCommand).resolves({ services: [serviceOf(web), serviceOf(worker, { runningCount: 0, desiredCount: 1 })] });

    // Act
    const result = await handler(scheduledEvent);

    // Assess
    expect(result).toEqual({ kind: 'sweep', resumed: 1, waiting: 1, timedOut: 1 });
    expect(sfnMock).toHaveReceivedCommandWith(SendTaskFailureCommand, {
      taskToken: 'token-worker-42',
      error: 'DeploymentTimedOut',
      cause: expect.stringContaining(`worker deployment ${workerWaiter.deploymentId} of service example--worker did not settle within 240 s (0 of 1 tasks running)`),
    });
    expect(sfnMock).not.toHaveReceivedCommandWith(SendTaskFailureCommand, { taskToken: 'token-web-42' });
  });

  it('at the deploy timeout a deployment that completed (its event lost) still succeeds', async () => {
    // Prepare
    const worker = { ...workerWaiter, deadline: '2026-01-01T00:04:00.000Z', timeoutSeconds: 240 };
    dynamoMock.on(QueryCommand).resolves({ Items: [waiterItem(worker)] });
    ecsMock.on(DescribeServicesCommand).resolves({ services: [serviceOf(worker, { rolloutState: 'COMPLETED' })] });

    // Act
    const result = await handler(scheduledEvent);

    // Assess
    expect(result).toEqual({ kind: 'sweep', resumed: 1, waiting: 0, timedOut: 0 });
    expect(sfnMock).toHaveReceivedCommandWith(SendTaskSuccessCommand, { taskToken: 'token-worker-42' });
  });

  it('never resumes a settled waiter again (it is kept as the record of the attempt)', async () => {
    // Prepare
    dynamoMock.on(QueryCommand).resolves({ Items: [waiterItem({ ...webWaiter, settledAt: '2026-01-01T00:01:00.000Z' })] });
    ecsMock.on(DescribeServicesCommand).resolves({ services: [serviceOf(webWaiter, { rolloutState: 'COMPLETED' })] });

    // Act
    const result = await handler(scheduledEvent);

    // Assess
    expect(result).toEqual({ kind: 'sweep', resumed: 0, waiting: 0, timedOut: 0 });
    expect(sfnMock).not.toHaveReceivedCommand(SendTaskSuccessCommand);
    expect(ecsMock).not.toHaveReceivedCommand(DescribeServicesCommand);
  });

  it('sweeps without describing services when no deploy waits', async () => {
    // Prepare
    dynamoMock.on(QueryCommand).resolves({ Items: [] });

    // Act
    const result = await handler(scheduledEvent);

    // Assess
    expect(result).toEqual({ kind: 'sweep', resumed: 0, waiting: 0, timedOut: 0 });
    expect(ecsMock).not.toHaveReceivedCommand(DescribeServicesCommand);
  });

  it('describes services ten at a time in a sweep', async () => {
    // Prepare: twelve services with a waiter each, none settled.
    const waiters = Array.from({ length: 12 }, (_, i) => ({ ...webWaiter, serviceName: `example-p${i}`, deploymentId: `ecs-svc/${i}` }));
    dynamoMock.on(QueryCommand).resolves({ Items: waiters.map(waiterItem) });
    ecsMock.on(DescribeServicesCommand).callsFake((req: { services: string[] }) => ({ services: req.services.map((name) => serviceOf(waiters.find((w) => w.serviceName === name) as Waiter)) }));

    // Act
    const result = await handler(scheduledEvent);

    // Assess
    expect(result).toEqual({ kind: 'sweep', resumed: 0, waiting: 12, timedOut: 0 });
    const batches = ecsMock.commandCalls(DescribeServicesCommand).map((c) => c.args[0].input.services?.length);
    expect(batches).toEqual([10, 2]);
  });

  it.each([
    ['the published ECS Task State Change event', () => awsEvent('ecs-task-state-change-stopped-essential-exit-2.json')],
    ['the published CodeBuild event', () => awsEvent('codebuild-state-in-progress.json')],
    ['null', () => null],
  ])('ignores %s without touching the table', async (_label, event) => {
    // Act
    const result = await handler(event());

    // Assess
    expect(result).toMatchObject({ kind: 'ignored', resumed: 0, waiting: 0 });
    expect(dynamoMock).not.toHaveReceivedCommand(QueryCommand);
  });

  it('names the detail-type of an ignored event', async () => {
    // Act
    const result = await handler(awsEvent('ecs-task-state-change-stopped-essential-exit-2.json'));

    // Assess
    expect(result.reason).toContain('detail-type: ECS Task State Change');
  });
});
