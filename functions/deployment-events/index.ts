import { DescribeServicesCommand, type Service } from '@aws-sdk/client-ecs';
import * as z from 'zod/mini';
import { dynamodb } from '../shared/aws/dynamodb';
import { ecs } from '../shared/aws/ecs';
import { sfn } from '../shared/aws/sfn';
import { deploymentVerdict, verdictAtTimeout, type DeploymentEventFacts } from '../shared/deployment-verdict';
import { awsCall } from '../shared/errors';
import { controlPlaneCluster, controlTable } from '../shared/control-plane-context';
import { addLambdaContext, createLogger, type LambdaContext } from '../shared/logger';
import { scheduledEventTime } from '../shared/validation';
import { isWaiting, listWaiters, resume, settleWaiter, type Waiter } from '../shared/waiters';

const logger = createLogger('deployment-events');

const deploymentEventSchema = z.object({
  'detail-type': z.literal('ECS Deployment State Change'),
  source: z.literal('aws.ecs'),
  resources: z.array(z.string()).check(z.minLength(1)),
  detail: z.object({ eventName: z.string().check(z.minLength(1)), deploymentId: z.string().check(z.minLength(1)), reason: z.optional(z.string()) }),
});

/** What one invocation did. */
export interface EventsResult {
  readonly kind: 'deployment-event' | 'sweep' | 'ignored';
  readonly resumed: number;
  readonly waiting: number;
  /** Deployments the sweep failed with DeploymentTimedOut (their deadline had passed). */
  readonly timedOut?: number;
  readonly reason?: string;
}

async function describe(cluster: string, names: string[]): Promise<Map<string, Service>> {
  const found = new Map<string, Service>();
  for (let i = 0; i < names.length; i += 10) {
    const out = await awsCall('ECS DescribeServices', () => ecs.send(new DescribeServicesCommand({ cluster, services: names.slice(i, i + 10) })));
    for (const s of out.services ?? []) if (s.serviceName) found.set(s.serviceName, s);
  }
  return found;
}

/**
 * Resumes the waiters whose deployment settled. With `now` (the sweep), a waiter past its deadline gets
 * the final check: DeploymentTimedOut unless the deployment completed. The deploy state fails with it
 * (uncaught), so a redrive re-enters the state and starts a new deployment.
 */
async function settle(table: string, cluster: string, waiters: Waiter[], facts?: DeploymentEventFacts, now?: Date): Promise<{ resumed: number; waiting: number; timedOut: number }> {
  const open = waiters.filter(isWaiting);
  if (open.length === 0) return { resumed: 0, waiting: 0, timedOut: 0 };
  const services = await describe(cluster, [...new Set(open.map((w) => w.serviceName))]);
  let resumed = 0;
  let timedOut = 0;
  for (const w of open) {
    let verdict = deploymentVerdict(services.get(w.serviceName), w, facts);
    const pastDeadline = now !== undefined && w.deadline !== undefined && Date.parse(w.deadline) <= now.getTime();
    if (pastDeadline) verdict = verdictAtTimeout(verdict, w, w.timeoutSeconds);
    if (await resume(sfn, w, verdict)) {
      await settleWaiter(dynamodb, table, w, now ?? new Date());
      resumed += 1;
      if (verdict.error === 'DeploymentTimedOut') timedOut += 1;
      logger.info('deploy resumed', { serviceName: w.serviceName, deploymentId: w.deploymentId, execution: w.execution, verdict });
    }
  }
  return { resumed, waiting: open.length - resumed, timedOut };
}

/**
 * Resumes deploys waiting on ECS deployments. Triggered by ECS "Deployment State Change" events for the
 * services of the control plane's cluster (every app's), and every 5 minutes by a schedule: the slow polling fallback if an event is lost, and
 * the final check of deployments whose deploy timeout has passed (the scheduled event's `time` is now).
 */
export async function handler(event: unknown, context?: LambdaContext): Promise<EventsResult> {
  addLambdaContext(context);
  // Only the control table: every app's waiters are there, keyed by service name (unique in the cluster).
  const table = controlTable();
  const cluster = controlPlaneCluster();
  const at = scheduledEventTime(event);
  if (at) {
    const waiters = await listWaiters(dynamodb, table);
    return { kind: 'sweep', ...(await settle(table, cluster, waiters, undefined, at)) };
  }
  const parsed = deploymentEventSchema.safeParse(event);
  if (!parsed.success) {
    const detailType = (event as Record<string, unknown> | null | undefined)?.['detail-type'];
    const reason = `not an ECS "Deployment State Change" event or a scheduled sweep (detail-type: ${String(detailType ?? 'none')})`;
    logger.warn('event ignored', { reason });
    return { kind: 'ignored', resumed: 0, waiting: 0, reason };
  }
  const serviceArn = parsed.data.resources[0];
  const serviceName = serviceArn.slice(serviceArn.lastIndexOf('/') + 1);
  const waiters = (await listWaiters(dynamodb, table, serviceName)).filter(isWaiting);
  if (waiters.length === 0) return { kind: 'deployment-event', resumed: 0, waiting: 0, reason: `no deploy is waiting on ${serviceName}` };
  const facts: DeploymentEventFacts = parsed.data.detail;
  const { resumed, waiting } = await settle(table, cluster, waiters, facts);
  return { kind: 'deployment-event', resumed, waiting };
}
