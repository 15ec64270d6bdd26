import { setHandlerEnv, taskDefArn, CLUSTER_ARN } from './helpers';
import { DescribeServicesCommand, ECSClient, type Deployment, type Service } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler } from '../../functions/check-deployment';

const OURS = taskDefArn('slipway-example-web', 8);
const input = { process: 'web', serviceName: 'example-web', deploymentId: 'ecs-svc/123', taskDefinitionArn: OURS, timeoutSeconds: 1800 };

function service(ours: Partial<Deployment>): Service {
  return {
    serviceName: 'example-web',
    status: 'ACTIVE',
    deployments: [{ id: 'ecs-svc/123', status: 'PRIMARY', taskDefinition: OURS, ...ours }],
  };
}

describe('check-deployment handler', () => {
  const ecsMock = mockClient(ECSClient);

  beforeEach(() => {
    ecsMock.reset();
    setHandlerEnv();
  });

  it('is DeploymentTimedOut, naming the service, the timeout and the task counts, while still in progress', async () => {
    // Prepare
    ecsMock.on(DescribeServicesCommand).resolves({ services: [service({ rolloutState: 'IN_PROGRESS', runningCount: 1, desiredCount: 3 })] });

    // Act
    const result = await handler(input);

    // Assess
    expect(result).toMatchObject({ state: 'IN_PROGRESS', error: 'DeploymentTimedOut' });
    expect(result.cause).toContain('service example-web');
    expect(result.cause).toContain('within 1800 s');
    expect(result.cause).toContain('1 of 3 tasks running');
    expect(ecsMock).toHaveReceivedCommandWith(DescribeServicesCommand, { cluster: CLUSTER_ARN, services: ['example-web'] });
  });

  it('is a success when the deployment completed and its event was lost', async () => {
    // Prepare
    ecsMock.on(DescribeServicesCommand).resolves({ services: [service({ rolloutState: 'COMPLETED', runningCount: 3, desiredCount: 3 })] });

    // Act
    const result = await handler(input);

    // Assess
    expect(result).toEqual({ state: 'COMPLETED', runningCount: 3, desiredCount: 3 });
  });

  it('passes a rollback verdict through unchanged', async () => {
    // Prepare
    ecsMock.on(DescribeServicesCommand).resolves({ services: [service({ status: 'ACTIVE', rolloutState: 'FAILED', rolloutStateReason: 'tasks failed to start' })] });

    // Act
    const result = await handler(input);

    // Assess
    expect(result).toMatchObject({ state: 'ROLLED_BACK', error: 'DeploymentRolledBack', cause: expect.stringContaining('tasks failed to start') });
  });

  it('throws InvalidInput when the timeout is missing', async () => {
    // Prepare
    const { timeoutSeconds: _timeout, ...noTimeout } = input;

    // Act
    const call = handler(noTimeout);

    // Assess
    await expect(call).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('timeoutSeconds') });
    expect(ecsMock).not.toHaveReceivedCommand(DescribeServicesCommand);
  });

  it('throws MissingEnvironment when CLUSTER_ARN is unset', async () => {
    // Prepare
    delete process.env.CLUSTER_ARN;

    // Act
    const call = handler(input);

    // Assess
    await expect(call).rejects.toMatchObject({ name: 'MissingEnvironment', message: expect.stringContaining('CLUSTER_ARN') });
  });
});
