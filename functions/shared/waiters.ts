import { PutItemCommand, QueryCommand, UpdateItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendTaskFailureCommand, SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { WAITER_TTL_SECONDS } from '../../domain/constants';
import { dynamoKey, expiresAt, TTL_ATTRIBUTE, WAITER_PK, waiterKey, waiterSortKeyPrefix } from '../../domain/table';
import { awsCall } from './errors';
import type { DeploymentVerdict } from './deployment-verdict';

/**
 * A deploy waiting on an ECS deployment: the task token of its `.waitForTaskToken` state, stored in the
 * shared control plane's table (CONTROL_TABLE_NAME) under `pk = "WAITER"`, `sk = "<service name>#<deployment
 * id>"` (a service name `<app>-<process>` is unique in the cluster), with the app and its table. A settled waiter stays (with
 * `settledAt`) until its TTL: it is the record of which attempt (redrive count) started the deployment,
 * so that a redrive starts a new deployment instead of waiting on the one that failed.
 */
export interface Waiter {
  /** The app whose deploy waits (absent only in waiters written before the shared control plane). */
  readonly app?: string;
  /** The app's table (where its deploy claim and records are). */
  readonly table?: string;
  readonly serviceName: string;
  readonly deploymentId: string;
  readonly process: string;
  readonly taskDefinitionArn: string;
  readonly taskToken: string;
  /** The deploy execution's name. */
  readonly execution: string;
  /** `$$.Execution.RedriveCount` of the attempt that started (or adopted) the deployment. @default 0 */
  readonly redriveCount?: number;
  /** When the deploy gives up on the deployment (ISO time): the sweep's final check then fails it with DeploymentTimedOut. */
  readonly deadline?: string;
  /** The deploy timeout in seconds (for the DeploymentTimedOut cause). */
  readonly timeoutSeconds?: number;
  /** What the deploy did to the service (create, update, reuse, redeploy), passed on in the state's output. */
  readonly action?: string;
  /** When the deploy was resumed (or found closed); a settled waiter is never resumed again. */
  readonly settledAt?: string;
}

/**
 * The attribute holding a waiter item's expiry (epoch seconds): the control table's TTL attribute, so
 * DynamoDB deletes a waiter nobody resumed.
 * @deprecated — import TTL_ATTRIBUTE from domain/ (domain/table.ts).
 */
export const WAITER_TTL_ATTRIBUTE = TTL_ATTRIBUTE;

/** A waiter as the control table stores it (without its timestamps). */
export function waiterItem(w: Waiter): Record<string, AttributeValue> {
  const item: Record<string, AttributeValue> = {
    ...dynamoKey(waiterKey(w.serviceName, w.deploymentId)),
    serviceName: { S: w.serviceName },
    deploymentId: { S: w.deploymentId },
    process: { S: w.process },
    taskDefinitionArn: { S: w.taskDefinitionArn },
    taskToken: { S: w.taskToken },
    execution: { S: w.execution },
    redriveCount: { N: String(w.redriveCount ?? 0) },
  };
  if (w.app) item.app = { S: w.app };
  if (w.table) item.table = { S: w.table };
  if (w.deadline) item.deadline = { S: w.deadline };
  if (w.timeoutSeconds !== undefined) item.timeoutSeconds = { N: String(w.timeoutSeconds) };
  if (w.action) item.action = { S: w.action };
  if (w.settledAt) item.settledAt = { S: w.settledAt };
  return item;
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
          [TTL_ATTRIBUTE]: expiresAt(now, WAITER_TTL_SECONDS),
        },
      }),
    ),
  );
}

function fromItem(item: Record<string, AttributeValue>): Waiter {
  const n = (v: AttributeValue | undefined) => (v?.N !== undefined ? Number(v.N) : undefined);
  return {
    ...(item.app?.S ? { app: item.app.S } : {}),
    ...(item.table?.S ? { table: item.table.S } : {}),
    serviceName: item.serviceName?.S ?? '',
    deploymentId: item.deploymentId?.S ?? '',
    process: item.process?.S ?? '',
    taskDefinitionArn: item.taskDefinitionArn?.S ?? '',
    taskToken: item.taskToken?.S ?? '',
    execution: item.execution?.S ?? '',
    redriveCount: n(item.redriveCount) ?? 0,
    ...(item.deadline?.S ? { deadline: item.deadline.S } : {}),
    ...(n(item.timeoutSeconds) !== undefined ? { timeoutSeconds: n(item.timeoutSeconds) } : {}),
    ...(item.action?.S ? { action: item.action.S } : {}),
    ...(item.settledAt?.S ? { settledAt: item.settledAt.S } : {}),
  };
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
    for (const item of out.Items ?? []) waiters.push(fromItem(item));
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
const CLOSED_TOKEN = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

/** The output a resumed deploy state gets (`$.deployed` in the deploy's Map iteration). */
export interface DeployedOutput {
  readonly process: string;
  readonly serviceName: string;
  readonly deploymentId: string;
  readonly taskDefinitionArn: string;
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
    if (error instanceof Error && CLOSED_TOKEN.has(error.name)) return true;
    throw error;
  }
  return true;
}
