import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import * as z from 'zod/mini';
import { ecs } from '../shared/aws/ecs';
import { deploymentVerdict, type DeploymentVerdict } from '../shared/deployment-verdict';
import { awsCall, getStringFromEnv } from '../shared/errors';
import { createLogger } from '../shared/logger';
import { parseInput } from '../shared/validation';

const logger = createLogger('check-deployment');

const inputSchema = z.object({
  process: z.string().check(z.minLength(1)),
  serviceName: z.string().check(z.minLength(1)),
  deploymentId: z.string().check(z.minLength(1)),
  taskDefinitionArn: z.string().check(z.minLength(1)),
  timeoutSeconds: z.int().check(z.positive()),
});

/**
 * The last look at a deployment when the deploy's wait timed out: a deployment that completed (its
 * event lost) is a success; one still in progress is `DeploymentTimedOut`.
 */
export async function handler(event: unknown): Promise<DeploymentVerdict> {
  const input = parseInput(inputSchema, event, 'check-deployment input');
  const described = await awsCall(`ECS DescribeServices ${input.serviceName}`, () =>
    ecs.send(new DescribeServicesCommand({ cluster: getStringFromEnv('CLUSTER_ARN'), services: [input.serviceName] })),
  );
  const verdict = deploymentVerdict(described.services?.[0], input);
  const result: DeploymentVerdict =
    verdict.state === 'IN_PROGRESS'
      ? {
          ...verdict,
          error: 'DeploymentTimedOut',
          cause: `${input.process} deployment ${input.deploymentId} of service ${input.serviceName} did not settle within ${input.timeoutSeconds} s (${verdict.runningCount ?? '?'} of ${verdict.desiredCount ?? '?'} tasks running); check the service's events in the ECS console`,
        }
      : verdict;
  logger.info('deployment checked', { result });
  return result;
}
