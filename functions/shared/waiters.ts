import { PutItemCommand, QueryCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendTaskFailureCommand, SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { WAITER_TTL_SECONDS } from '../../domain/constants';
import { dynamoKey, expiresAt, readWaiter, TTL_ATTRIBUTE, WAITER_PK, waiterItem, waiterKey, waiterSortKeyPrefix, type Waiter } from '../../domain/table';
import { awsCall, isAwsError } from './errors';
import type { DeploymentVerdict, WaitedDeployment } from './deployment-verdict';

/** The waiter item's shape and key are owned by domain/table.ts; this module stores, lists, settles and resumes them. */
export { waiterItem, type Waiter };




/** Stores (or replaces, on a re-run) the waiter of a deployment. */
export async function putWaiter(client: DynamoDBClient, table: string, w: Waiter, now: Date): Promise<void> {
  await awsCall(`DynamoDB PutItem waiter ${w.serviceName}`, () =>
    client.send(
      new PutItemCommand({
        TableName: table,
        Item: {
          ...waiterItem(w),
          createdAt: { S: now.toISOString() },
          // Step Functions forgets a token after a year at most; TTL cleans up leftovers after 2 days.
          [TTL_ATTRIBUTE]: expiresAt(now, WAITER_TTL_SECONDS),
        },
      }),
    ),
  );
}


/**
 * Waiters of one service (`serviceName` given) or of every service (the sweep), settled ones included
 * (callers that resume skip them with {@link isWaiting}).
 */
export async function listWaiters(client: DynamoDBClient, table: string, serviceName?: string): Promise<Waiter[]> {
  const waiters: Waiter[] = [];
  let start: Record<string, never> | undefined;
  do {
    const out = await awsCall(`DynamoDB Query waiters`, () =>
      client.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: serviceName ? 'pk = :pk AND begins_with(sk, :prefix)' : 'pk = :pk',
          ExpressionAttributeValues: serviceName ? { ':pk': { S: WAITER_PK }, ':prefix': { S: waiterSortKeyPrefix(serviceName) } } : { ':pk': { S: WAITER_PK } },
          ExclusiveStartKey: start,
          ConsistentRead: true,
        }),
      ),
    );
    for (const item of out.Items ?? []) waiters.push(readWaiter(item));
    start = out.LastEvaluatedKey as Record<string, never> | undefined;
  } while (start);
  return waiters;
}

/** Whether a waiter still waits to be resumed. */
export function isWaiting(w: Waiter): boolean {
  return !w.settledAt;
}

/** Marks a waiter settled once its deploy has been resumed (kept as the record of the attempt until its TTL). */
export async function settleWaiter(client: DynamoDBClient, table: string, w: Pick<Waiter, 'serviceName' | 'deploymentId'>, now: Date): Promise<void> {
  await awsCall(`DynamoDB UpdateItem waiter ${w.serviceName}`, () =>
    client.send(
      new UpdateItemCommand({
        TableName: table,
        Key: dynamoKey(waiterKey(w.serviceName, w.deploymentId)),
        UpdateExpression: 'SET settledAt = :at',
        ExpressionAttributeValues: { ':at': { S: now.toISOString() } },
      }),
    ),
  );
}

/** Errors that mean the token's task is already closed (resumed before, timed out, execution ended). */
const CLOSED_TOKEN: readonly string[] = ['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken'];

/** The output a resumed deploy state gets (`$.deployed` in the deploy's Map iteration). */
export interface DeployedOutput extends WaitedDeployment {
  readonly action: string;
  readonly state: 'COMPLETED';
}

/**
 * Resumes the waiting deploy with the verdict, if it is final. Returns whether the waiter is done (final
 * verdict delivered, or its task already closed).
 */
export async function resume(client: SFNClient, w: Waiter, verdict: DeploymentVerdict): Promise<boolean> {
  if (verdict.state === 'IN_PROGRESS') return false;
  try {
    if (verdict.state === 'COMPLETED') {
      const output: DeployedOutput = { process: w.process, serviceName: w.serviceName, deploymentId: w.deploymentId, taskDefinitionArn: w.taskDefinitionArn, action: w.action ?? 'update', state: 'COMPLETED' };
      await awsCall('Step Functions SendTaskSuccess', () => client.send(new SendTaskSuccessCommand({ taskToken: w.taskToken, output: JSON.stringify(output) })));
    } else {
      await awsCall('Step Functions SendTaskFailure', () =>
        client.send(new SendTaskFailureCommand({ taskToken: w.taskToken, error: verdict.error ?? 'DeploymentFailed', cause: (verdict.cause ?? '').slice(0, 32768) })),
      );
    }
  } catch (error) {
    if (isAwsError(error, ...CLOSED_TOKEN)) return true;
    throw error;
  }
  return true;
}
