import { DeleteItemCommand, PutItemCommand, QueryCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendTaskFailureCommand, SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { awsCall } from './errors';
import type { DeploymentVerdict } from './deployment-verdict';

/**
 * A deploy waiting on an ECS deployment: the task token of its `.waitForTaskToken` state, stored in the
 * app's table under `pk = "WAITER"`, `sk = "<service name>#<deployment id>"`.
 */
export interface Waiter {
  readonly serviceName: string;
  readonly deploymentId: string;
  readonly process: string;
  readonly taskDefinitionArn: string;
  readonly taskToken: string;
  readonly execution: string;
}

export const WAITER_PK = 'WAITER';

/**
 * The attribute holding a waiter item's expiry (epoch seconds): the app table's TTL attribute
 * (lib/constructs/pipelines.ts), so DynamoDB deletes a waiter nobody resumed.
 */
export const WAITER_TTL_ATTRIBUTE = 'expiresAt';

/** A waiter as the app's table stores it (without its timestamps). */
export function waiterItem(w: Waiter): Record<string, AttributeValue> {
  return {
    pk: { S: WAITER_PK },
    sk: { S: `${w.serviceName}#${w.deploymentId}` },
    serviceName: { S: w.serviceName },
    deploymentId: { S: w.deploymentId },
    process: { S: w.process },
    taskDefinitionArn: { S: w.taskDefinitionArn },
    taskToken: { S: w.taskToken },
    execution: { S: w.execution },
  };
}

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
          [WAITER_TTL_ATTRIBUTE]: { N: String(Math.floor(now.getTime() / 1000) + 2 * 86400) },
        },
      }),
    ),
  );
}

/** Waiters of one service (`serviceName` given) or of every service (the sweep). */
export async function listWaiters(client: DynamoDBClient, table: string, serviceName?: string): Promise<Waiter[]> {
  const waiters: Waiter[] = [];
  let start: Record<string, never> | undefined;
  do {
    const out = await awsCall(`DynamoDB Query waiters`, () =>
      client.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: serviceName ? 'pk = :pk AND begins_with(sk, :prefix)' : 'pk = :pk',
          ExpressionAttributeValues: serviceName ? { ':pk': { S: WAITER_PK }, ':prefix': { S: `${serviceName}#` } } : { ':pk': { S: WAITER_PK } },
          ExclusiveStartKey: start,
          ConsistentRead: true,
        }),
      ),
    );
    for (const item of out.Items ?? []) {
      waiters.push({
        serviceName: item.serviceName?.S ?? '',
        deploymentId: item.deploymentId?.S ?? '',
        process: item.process?.S ?? '',
        taskDefinitionArn: item.taskDefinitionArn?.S ?? '',
        taskToken: item.taskToken?.S ?? '',
        execution: item.execution?.S ?? '',
      });
    }
    start = out.LastEvaluatedKey as Record<string, never> | undefined;
  } while (start);
  return waiters;
}

/** Removes a waiter once its deploy has been resumed. */
export async function deleteWaiter(client: DynamoDBClient, table: string, w: Pick<Waiter, 'serviceName' | 'deploymentId'>): Promise<void> {
  await awsCall(`DynamoDB DeleteItem waiter ${w.serviceName}`, () =>
    client.send(new DeleteItemCommand({ TableName: table, Key: { pk: { S: WAITER_PK }, sk: { S: `${w.serviceName}#${w.deploymentId}` } } })),
  );
}

/** Errors that mean the token's task is already closed (resumed before, timed out, execution ended). */
const CLOSED_TOKEN = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

/**
 * Resumes the waiting deploy with the verdict, if it is final. Returns whether the waiter is done (final
 * verdict delivered, or its task already closed).
 */
export async function resume(client: SFNClient, w: Waiter, verdict: DeploymentVerdict): Promise<boolean> {
  if (verdict.state === 'IN_PROGRESS') return false;
  try {
    if (verdict.state === 'COMPLETED') {
      await awsCall('Step Functions SendTaskSuccess', () =>
        client.send(new SendTaskSuccessCommand({ taskToken: w.taskToken, output: JSON.stringify({ process: w.process, deploymentId: w.deploymentId, state: verdict.state }) })),
      );
    } else {
      await awsCall('Step Functions SendTaskFailure', () =>
        client.send(new SendTaskFailureCommand({ taskToken: w.taskToken, error: verdict.error ?? 'DeploymentFailed', cause: (verdict.cause ?? '').slice(0, 32768) })),
      );
    }
  } catch (error) {
    if (error instanceof Error && CLOSED_TOKEN.has(error.name)) return true;
    throw error;
  }
  return true;
}
