import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { z } from 'zod';
import { dynamodb, ecs, sfn } from '../shared/clients';
import { deploymentVerdict } from '../shared/deployment-verdict';
import { awsCall, getStringFromEnv } from '../shared/errors';
import { createLogger } from '../shared/logger';
import { deleteWaiter, putWaiter, resume, type Waiter } from '../shared/waiters';
import { parseInput } from '../shared/validation';

const logger = createLogger('wait-for-deployment');

const inputSchema = z.object({
  taskToken: z.string().min(1),
  process: z.string().min(1),
  serviceName: z.string().min(1),
  deploymentId: z.string().min(1),
  taskDefinitionArn: z.string().min(1),
  execution: z.string().min(1),
  /** The deploy's timeout; the waiter's record expires a day after it. */
  timeoutSeconds: z.number().int().positive().optional(),
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
