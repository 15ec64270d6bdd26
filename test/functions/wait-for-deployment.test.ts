import { setHandlerEnv, awsError, taskDefArn, CLUSTER_ARN, TABLE_NAME } from './helpers';
import { DeleteItemCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeServicesCommand, ECSClient, type Deployment, type Service } from '@aws-sdk/client-ecs';
import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler } from '../../functions/wait-for-deployment';

const OURS = taskDefArn('slipway-example-web', 8);
const input = {
  taskToken: 'token-web-42',
  process: 'web',
  serviceName: 'example-web',
  deploymentId: 'ecs-svc/123',
  taskDefinitionArn: OURS,
  execution: 'example-42-deploy',
  timeoutSeconds: 1800,
};

function service(ours: Partial<Deployment>): Service {
  return {
    serviceName: 'example-web',
    status: 'ACTIVE',
    deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
    deployments: [{ id: 'ecs-svc/123', status: 'PRIMARY', taskDefinition: OURS, runningCount: 2, desiredCount: 2, ...ours }],
  };
}

describe('wait-for-deployment handler', () => {
  const ecsMock = mockClient(ECSClient);
  const dynamoMock = mockClient(DynamoDBClient);
  const sfnMock = mockClient(SFNClient);

  beforeEach(() => {
    ecsMock.reset();
    dynamoMock.reset();
    sfnMock.reset();
    setHandlerEnv();
    dynamoMock.on(PutItemCommand).resolves({});
    dynamoMock.on(DeleteItemCommand).resolves({});
  });

  it('stores the waiter under pk WAITER with the task token', async () => {
    // Prepare
    ecsMock.on(DescribeServicesCommand).resolves({ services: [service({ rolloutState: 'IN_PROGRESS' })] });

    // Act
    await handler(input);

    // Assess
    expect(dynamoMock).toHaveReceivedCommandWith(PutItemCommand, {
      TableName: TABLE_NAME,
      Item: expect.objectContaining({ pk: { S: 'WAITER' }, sk: { S: 'example-web#ecs-svc/123' }, taskToken: { S: 'token-web-42' }, execution: { S: 'example-42-deploy' } }),
    });
    expect(ecsMock).toHaveReceivedCommandWith(DescribeServicesCommand, { cluster: CLUSTER_ARN, services: ['example-web'] });
  });

  it('keeps waiting without resuming the deploy while the deployment is in progress', async () => {
    // Prepare
    ecsMock.on(DescribeServicesCommand).resolves({ services: [service({ rolloutState: 'IN_PROGRESS', runningCount: 1 })] });

    // Act
    const result = await handler(input);

    // Assess
    expect(result).toEqual({ waiting: true, state: 'IN_PROGRESS' });
    expect(sfnMock).not.toHaveReceivedCommand(SendTaskSuccessCommand);
    expect(sfnMock).not.toHaveReceivedCommand(SendTaskFailureCommand);
    expect(dynamoMock).not.toHaveReceivedCommand(DeleteItemCommand);
  });

  it('resumes the deploy at once and deletes the waiter when the deployment already completed', async () => {
    // Prepare
    ecsMock.on(DescribeServicesCommand).resolves({ services: [service({ rolloutState: 'COMPLETED' })] });
    sfnMock.on(SendTaskSuccessCommand).resolves({});

    // Act
    const result = await handler(input);

    // Assess
    expect(result).toEqual({ waiting: false, state: 'COMPLETED' });
    expect(sfnMock).toHaveReceivedCommandWith(SendTaskSuccessCommand, { taskToken: 'token-web-42' });
    expect(dynamoMock).toHaveReceivedCommandWith(DeleteItemCommand, { TableName: TABLE_NAME, Key: { pk: { S: 'WAITER' }, sk: { S: 'example-web#ecs-svc/123' } } });
  });

  it('fails the deploy at once with DeploymentRolledBack when the deployment already failed', async () => {
    // Prepare
    ecsMock.on(DescribeServicesCommand).resolves({ services: [service({ status: 'ACTIVE', rolloutState: 'FAILED', rolloutStateReason: 'tasks failed to start' })] });
    sfnMock.on(SendTaskFailureCommand).resolves({});

    // Act
    const result = await handler(input);

    // Assess
    expect(result).toEqual({ waiting: false, state: 'ROLLED_BACK' });
    expect(sfnMock).toHaveReceivedCommandWith(SendTaskFailureCommand, { taskToken: 'token-web-42', error: 'DeploymentRolledBack', cause: expect.stringContaining('tasks failed to start') });
    expect(dynamoMock).toHaveReceivedCommand(DeleteItemCommand);
  });

  it('stores the waiter before looking at the service, so an event arriving meanwhile finds it', async () => {
    // Prepare
    ecsMock.on(DescribeServicesCommand).rejects(awsError('ThrottlingException', 'Rate exceeded'));

    // Act
    const call = handler(input);

    // Assess
    await expect(call).rejects.toMatchObject({ name: 'TransientError', message: expect.stringContaining('DescribeServices example-web') });
    expect(dynamoMock).toHaveReceivedCommand(PutItemCommand);
  });

  it('throws InvalidInput naming the missing task token', async () => {
    // Prepare
    const { taskToken: _token, ...noToken } = input;

    // Act
    const call = handler(noToken);

    // Assess
    await expect(call).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('taskToken') });
    expect(dynamoMock).not.toHaveReceivedCommand(PutItemCommand);
  });
});
