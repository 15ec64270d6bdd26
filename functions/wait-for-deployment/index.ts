import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import * as z from 'zod/mini';
import { dynamodb } from '../shared/aws/dynamodb';
import { ecs } from '../shared/aws/ecs';
import { sfn } from '../shared/aws/sfn';
import { deploymentVerdict } from '../shared/deployment-verdict';
import { awsCall, getStringFromEnv } from '../shared/errors';
import { createLogger } from '../shared/logger';
import { deleteWaiter, putWaiter, resume, type Waiter } from '../shared/waiters';
import { parseInput } from '../shared/validation';

const logger = createLogger('wait-for-deployment');

const inputSchema = z.object({
  taskToken: z.string().check(z.minLength(1)),
  process: z.string().check(z.minLength(1)),
  serviceName: z.string().check(z.minLength(1)),
  deploymentId: z.string().check(z.minLength(1)),
  taskDefinitionArn: z.string().check(z.minLength(1)),
  execution: z.string().check(z.minLength(1)),
  /** The deploy's timeout (accepted for the record; the waiter item expires after 2 days, beyond any timeout). */
  timeoutSeconds: z.optional(z.int().check(z.positive())),
});

/**
 * Called by the deploy's `.waitForTaskToken` state: stores the token for the deployment, then looks at
 * the deployment once, so one that settled before the token was stored still resumes the deploy. The
 * ECS "Deployment State Change" events (deployment-events) resume it otherwise.
 */
export async function handler(event: unknown): Promise<{ waiting: boolean; state: string }> {
  const input = parseInput(inputSchema, event, 'wait-for-deployment input');
  const table = getStringFromEnv('TABLE_NAME');
  const { timeoutSeconds: _timeout, ...fields } = input;
  const waiter: Waiter = fields;
  await putWaiter(dynamodb, table, waiter, new Date());
  const described = await awsCall(`ECS DescribeServices ${input.serviceName}`, () =>
    ecs.send(new DescribeServicesCommand({ cluster: getStringFromEnv('CLUSTER_ARN'), services: [input.serviceName] })),
  );
  const verdict = deploymentVerdict(described.services?.[0], waiter);
  if (await resume(sfn, waiter, verdict)) {
    await deleteWaiter(dynamodb, table, waiter);
    logger.info('deployment already settled', { waiter: { ...waiter, taskToken: undefined }, verdict });
    return { waiting: false, state: verdict.state };
  }
  logger.info('waiting for deployment', { serviceName: input.serviceName, deploymentId: input.deploymentId });
  return { waiting: true, state: verdict.state };
}
