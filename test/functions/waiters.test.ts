import { awsError, taskDefArn, TABLE_NAME, waiterItem } from './helpers';
import { DynamoDBClient, PutItemCommand, QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient, TaskDoesNotExist, TaskTimedOut } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { isWaiting, listWaiters, putWaiter, resume, settleWaiter, type Waiter } from '../../functions/shared/waiters';

const dynamodb = new DynamoDBClient({ region: 'eu-west-1' });
const sfn = new SFNClient({ region: 'eu-west-1' });
const dynamoMock = mockClient(dynamodb);
const sfnMock = mockClient(sfn);

const waiter: Waiter = {
  serviceName: 'example--web',
  deploymentId: 'ecs-svc/123',
  process: 'web',
  taskDefinitionArn: taskDefArn('slipway-example--web', 8),
  taskToken: 'token-web-42',
  execution: 'example--42-deploy',
  redriveCount: 0,
};


beforeEach(() => {
  dynamoMock.reset();
  sfnMock.reset();
});

describe('putWaiter', () => {
  it('stores the token under pk WAITER and sk <service>#<deployment>, expiring two days later', async () => {
    // Prepare
    dynamoMock.on(PutItemCommand).resolves({});
    const now = new Date('2026-01-01T00:00:00Z');

    // Act
    await putWaiter(dynamodb, TABLE_NAME, waiter, now);

    // Assess: 2026-01-03T00:00:00Z is 1767398400 seconds after the epoch.
    expect(dynamoMock).toHaveReceivedCommandWith(PutItemCommand, {
      TableName: TABLE_NAME,
      Item: { ...waiterItem(waiter), createdAt: { S: '2026-01-01T00:00:00.000Z' }, expiresAt: { N: '1767398400' } },
    });
  });

  it('turns throttling into TransientError', async () => {
    // Prepare
    dynamoMock.on(PutItemCommand).rejects(awsError('ProvisionedThroughputExceededException'));

    // Act
    const call = putWaiter(dynamodb, TABLE_NAME, waiter, new Date());

    // Assess
    await expect(call).rejects.toMatchObject({ name: 'TransientError' });
  });
});

describe('listWaiters', () => {
  it("queries one service's waiters by sort-key prefix", async () => {
    // Prepare
    dynamoMock.on(QueryCommand).resolves({ Items: [waiterItem(waiter)] });

    // Act
    const waiters = await listWaiters(dynamodb, TABLE_NAME, 'example--web');

    // Assess
    expect(waiters).toEqual([waiter]);
    expect(dynamoMock).toHaveReceivedCommandWith(QueryCommand, {
      TableName: TABLE_NAME,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': { S: 'WAITER' }, ':prefix': { S: 'example--web#' } },
    });
  });

  it('follows LastEvaluatedKey across pages when listing every waiter', async () => {
    // Prepare
    const worker: Waiter = { ...waiter, serviceName: 'example--worker', process: 'worker', taskToken: 'token-worker-42' };
    const lastKey = { pk: { S: 'WAITER' }, sk: { S: 'example--web#ecs-svc/123' } };
    dynamoMock.on(QueryCommand).resolvesOnce({ Items: [waiterItem(waiter)], LastEvaluatedKey: lastKey }).resolvesOnce({ Items: [waiterItem(worker)] });

    // Act
    const waiters = await listWaiters(dynamodb, TABLE_NAME);

    // Assess
    expect(waiters).toEqual([waiter, worker]);
    expect(dynamoMock).toHaveReceivedNthSpecificCommandWith(2, QueryCommand, { KeyConditionExpression: 'pk = :pk', ExclusiveStartKey: lastKey });
  });
});

describe('settleWaiter', () => {
  it('marks the waiter settled by its key and keeps it as the record of the attempt', async () => {
    // Prepare
    dynamoMock.on(UpdateItemCommand).resolves({});

    // Act
    await settleWaiter(dynamodb, TABLE_NAME, waiter, new Date('2026-01-01T00:05:00Z'));

    // Assess
    expect(dynamoMock).toHaveReceivedCommandWith(UpdateItemCommand, {
      TableName: TABLE_NAME,
      Key: { pk: { S: 'WAITER' }, sk: { S: 'example--web#ecs-svc/123' } },
      UpdateExpression: 'SET settledAt = :at',
      ExpressionAttributeValues: { ':at': { S: '2026-01-01T00:05:00.000Z' } },
    });
  });

  it('a listed settled waiter is no longer waiting; its redrive count, deadline and action survive the round trip', async () => {
    // Prepare
    const settled: Waiter = { ...waiter, redriveCount: 2, deadline: '2026-01-01T00:30:00.000Z', timeoutSeconds: 1800, action: 'redeploy', settledAt: '2026-01-01T00:05:00.000Z' };
    dynamoMock.on(QueryCommand).resolves({ Items: [waiterItem(settled), waiterItem(waiter)] });

    // Act
    const [first, second] = await listWaiters(dynamodb, TABLE_NAME, 'example--web');

    // Assess
    expect(first).toEqual(settled);
    expect(isWaiting(first)).toBe(false);
    expect(isWaiting(second)).toBe(true);
  });
});

describe('resume', () => {
  it('does nothing while the deployment is in progress', async () => {
    // Act
    const done = await resume(sfn, waiter, { state: 'IN_PROGRESS' });

    // Assess
    expect(done).toBe(false);
    expect(sfnMock).not.toHaveReceivedCommand(SendTaskSuccessCommand);
    expect(sfnMock).not.toHaveReceivedCommand(SendTaskFailureCommand);
  });

  it('sends task success with what the deploy state outputs (process, service, deployment, revision, action) when it completed', async () => {
    // Prepare
    sfnMock.on(SendTaskSuccessCommand).resolves({});

    // Act
    const done = await resume(sfn, { ...waiter, action: 'create' }, { state: 'COMPLETED' });

    // Assess
    expect(done).toBe(true);
    const sent = sfnMock.commandCalls(SendTaskSuccessCommand)[0].args[0].input;
    expect(sent.taskToken).toBe('token-web-42');
    expect(JSON.parse(sent.output ?? '')).toEqual({
      process: 'web',
      serviceName: 'example--web',
      deploymentId: 'ecs-svc/123',
      taskDefinitionArn: taskDefArn('slipway-example--web', 8),
      action: 'create',
      state: 'COMPLETED',
    });
  });

  it('sends task failure with the verdict error and cause otherwise', async () => {
    // Prepare
    sfnMock.on(SendTaskFailureCommand).resolves({});

    // Act
    const done = await resume(sfn, waiter, { state: 'ROLLED_BACK', error: 'DeploymentRolledBack', cause: 'rolled back: tasks failed to start' });

    // Assess
    expect(done).toBe(true);
    expect(sfnMock).toHaveReceivedCommandWith(SendTaskFailureCommand, { taskToken: 'token-web-42', error: 'DeploymentRolledBack', cause: 'rolled back: tasks failed to start' });
  });

  it('treats a token whose task already timed out as done', async () => {
    // Prepare
    sfnMock.on(SendTaskSuccessCommand).rejects(new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} }));

    // Act
    const done = await resume(sfn, waiter, { state: 'COMPLETED' });

    // Assess
    expect(done).toBe(true);
  });

  it('treats a token whose task no longer exists as done', async () => {
    // Prepare
    sfnMock.on(SendTaskFailureCommand).rejects(new TaskDoesNotExist({ message: 'Task does not exist', $metadata: {} }));

    // Act
    const done = await resume(sfn, waiter, { state: 'FAILED', error: 'DeploymentFailed', cause: 'x' });

    // Assess
    expect(done).toBe(true);
  });

  it('rethrows other errors so the waiter is kept', async () => {
    // Prepare
    sfnMock.on(SendTaskSuccessCommand).rejects(awsError('AccessDeniedException', 'not allowed'));

    // Act
    const call = resume(sfn, waiter, { state: 'COMPLETED' });

    // Assess
    await expect(call).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });
});
