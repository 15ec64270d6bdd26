import type { CreateServiceCommandInput, Service } from '@aws-sdk/client-ecs';
import { TAG_APP, TAG_PROCESS } from '../../domain/names';
import type { AppSettings, ProcessSettings } from '../../domain/settings';

/** What to do with a process type's service for a new revision. */
export type ServicePlan =
  | { readonly action: 'create' }
  | { readonly action: 'update' }
  | { readonly action: 'redeploy' }
  | { readonly action: 'reuse'; readonly deploymentId: string; readonly completed: boolean }
  | { readonly action: 'superseded'; readonly cause: string };

/** Whether build `a` is newer than build `b` (numeric build numbers; unknown or non-numeric: no). */
export function isNewerBuild(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b || !/^\d+$/.test(a) || !/^\d+$/.test(b)) return false;
  return BigInt(a) > BigInt(b);
}

/**
 * Decides between creating the service, updating it, reusing the deployment a previous run of this
 * deploy already started (redrive), and refusing because the service already runs a newer build
 * (`runningBuild`, from the `slipway:build` tag of its revision). `force` (a rollback) skips that check.
 */
export function planService(service: Service | undefined, taskDefinitionArn: string, ourBuild: string, runningBuild: string | undefined, force: boolean): ServicePlan {
  if (!service || service.status === 'INACTIVE') return { action: 'create' };
  const primary = service.deployments?.find((d) => d.status === 'PRIMARY');
  if (primary?.taskDefinition === taskDefinitionArn && primary.id) {
    return { action: 'reuse', deploymentId: primary.id, completed: primary.rolloutState === 'COMPLETED' };
  }
  if (!force && isNewerBuild(runningBuild, ourBuild)) {
    return { action: 'superseded', cause: `service ${service.serviceName} already runs build ${runningBuild} (${primary?.taskDefinition ?? service.taskDefinition}), newer than build ${ourBuild}: not deploying an older build over a newer one` };
  }
  return { action: 'update' };
}

/** CreateService request of a process type. */
export function createServiceRequest(
  settings: AppSettings,
  process: string,
  p: ProcessSettings,
  serviceName: string,
  taskDefinitionArn: string,
  clientToken: string,
  /** The count to start with (0 while the scale-to-zero schedule holds the service down). @default the configured count within the autoscaling range */
  desiredCount?: number,
): CreateServiceCommandInput {
  const lb = p.targetGroupArn && p.port ? [{ targetGroupArn: p.targetGroupArn, containerName: process, containerPort: p.port }] : undefined;
  return {
    cluster: settings.cluster,
    serviceName,
    taskDefinition: taskDefinitionArn,
    desiredCount: desiredCount ?? (p.autoscaling ? Math.max(p.autoscaling.min, Math.min(p.desiredCount, p.autoscaling.max)) : p.desiredCount),
    capacityProviderStrategy: settings.capacityProviderStrategy.map((c) => ({ capacityProvider: c.capacityProvider, weight: c.weight, base: c.base })),
    networkConfiguration: {
      awsvpcConfiguration: { subnets: settings.network.subnets, securityGroups: settings.network.securityGroups, assignPublicIp: settings.network.assignPublicIp },
    },
    loadBalancers: lb,
    healthCheckGracePeriodSeconds: lb ? (p.healthCheckGracePeriodSeconds ?? 60) : undefined,
    deploymentController: { type: 'ECS' },
    deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true }, maximumPercent: 200, minimumHealthyPercent: 100 },
    propagateTags: 'SERVICE',
    enableECSManagedTags: true,
    // ECS Exec (`slipway shell`) into the service's tasks; the task role holds the ssmmessages channels.
    enableExecuteCommand: true,
    tags: [
      { key: TAG_APP, value: settings.app },
      { key: TAG_PROCESS, value: process },
    ],
    clientToken,
  };
}

/** A waiter record of the deployment the service is on (who started it, in which attempt). */
export interface RecordedDeployment {
  readonly execution: string;
  readonly redriveCount?: number;
  /** When the deploy was resumed with the deployment's verdict; unset while a deploy (or an aborted one) still waits on it. */
  readonly settledAt?: string;
}

/**
 * Decides whether an in-progress deployment of our revision is reused or replaced. A Lambda retry (the
 * same redrive count as recorded, or no record because the first attempt died before storing it) reuses
 * it, and so does a redrive of an iteration that was only aborted (another process type failed) while
 * the deployment was still running: nobody gave a verdict on it. A redrive (a higher redrive count than
 * the attempt that started it) of a deployment that was settled as failed while ECS still shows it in
 * progress (the deploy timed out on it) starts a new deployment of the same revision.
 */
export function planRedeploy(plan: Extract<ServicePlan, { action: 'reuse' }>, recorded: RecordedDeployment | undefined, redriveCount: number): ServicePlan {
  if (plan.completed || !recorded || !recorded.settledAt) return plan;
  return (recorded.redriveCount ?? 0) < redriveCount ? { action: 'redeploy' } : plan;
}
