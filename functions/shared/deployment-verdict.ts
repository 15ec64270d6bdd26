import type { Deployment, Service } from '@aws-sdk/client-ecs';

/**
 * Decides the fate of the ECS deployment a deploy waits on: the one *its* UpdateService created, not
 * just "is the service stable". Used by the event handler, the waiter and the final check.
 */

export type DeploymentState = 'COMPLETED' | 'IN_PROGRESS' | 'ROLLED_BACK' | 'FAILED' | 'SUPERSEDED';

/** The verdict, with the named error and cause the deploy fails with when it is not a success. */
export interface DeploymentVerdict {
  readonly state: DeploymentState;
  readonly error?: 'DeploymentRolledBack' | 'DeploymentFailed' | 'DeploymentSuperseded' | 'DeploymentTimedOut';
  readonly cause?: string;
  readonly runningCount?: number;
  readonly desiredCount?: number;
}

/** What the deploy waits for. */
export interface WaitedDeployment {
  readonly process: string;
  readonly serviceName: string;
  readonly deploymentId: string;
  readonly taskDefinitionArn: string;
}

/** An ECS "Deployment State Change" event's facts, when one triggered the decision. */
export interface DeploymentEventFacts {
  readonly eventName: string;
  readonly deploymentId: string;
  readonly reason?: string;
}

/** Revision number of a task-definition ARN (`...:task-definition/family:42` -> 42). */
export function revisionOf(arn: string | undefined): number | undefined {
  const m = arn ? /:(\d+)$/.exec(arn) : null;
  return m ? Number(m[1]) : undefined;
}

function familyOf(arn: string | undefined): string | undefined {
  const m = arn ? /task-definition\/([^:]+):\d+$/.exec(arn) : null;
  return m ? m[1] : undefined;
}

/** Decides the state of `waited` given the service as ECS describes it now (and the event, if any). */
export function deploymentVerdict(service: Service | undefined, waited: WaitedDeployment, event?: DeploymentEventFacts): DeploymentVerdict {
  const who = `${waited.process} deployment ${waited.deploymentId}`;
  if (event && event.deploymentId === waited.deploymentId) {
    if (event.eventName === 'SERVICE_DEPLOYMENT_COMPLETED') return { state: 'COMPLETED' };
    if (event.eventName === 'SERVICE_DEPLOYMENT_FAILED') {
      const rollback = service?.deploymentConfiguration?.deploymentCircuitBreaker?.rollback !== false;
      return rollback
        ? { state: 'ROLLED_BACK', error: 'DeploymentRolledBack', cause: `${who} of service ${waited.serviceName} failed and ECS rolled it back: ${event.reason ?? 'no reason given'}` }
        : { state: 'FAILED', error: 'DeploymentFailed', cause: `${who} of service ${waited.serviceName} failed: ${event.reason ?? 'no reason given'}` };
    }
  }
  if (!service || service.status === 'INACTIVE' || service.status === 'DRAINING') {
    return { state: 'FAILED', error: 'DeploymentFailed', cause: `service ${waited.serviceName} is ${service?.status ?? 'missing'}: it was deleted while ${who} was in progress` };
  }
  const deployments: Deployment[] = service.deployments ?? [];
  const ours = deployments.find((d) => d.id === waited.deploymentId);
  const primary = deployments.find((d) => d.status === 'PRIMARY');
  const counts = { runningCount: ours?.runningCount, desiredCount: ours?.desiredCount };
  if (ours) {
    if (ours.rolloutState === 'FAILED') {
      const rollback = service.deploymentConfiguration?.deploymentCircuitBreaker?.rollback !== false;
      const reason = ours.rolloutStateReason ?? 'no reason given';
      return rollback
        ? { state: 'ROLLED_BACK', error: 'DeploymentRolledBack', cause: `${who} of service ${waited.serviceName} failed and ECS rolled it back: ${reason}`, ...counts }
        : { state: 'FAILED', error: 'DeploymentFailed', cause: `${who} of service ${waited.serviceName} failed: ${reason}`, ...counts };
    }
    if (ours.status === 'PRIMARY' && ours.rolloutState === 'COMPLETED') return { state: 'COMPLETED', ...counts };
    if (ours.status === 'PRIMARY') return { state: 'IN_PROGRESS', ...counts };
  }
  // Ours is no longer the primary deployment (or is gone): a newer revision replaced it, or ECS rolled
  // back to an older one.
  const primaryRev = revisionOf(primary?.taskDefinition);
  const ourRev = revisionOf(waited.taskDefinitionArn);
  const sameFamily = familyOf(primary?.taskDefinition) === familyOf(waited.taskDefinitionArn);
  if (primary && primary.taskDefinition === waited.taskDefinitionArn) {
    // Another deployment of the same revision (someone forced a new deployment): follow it.
    return primary.rolloutState === 'COMPLETED' ? { state: 'COMPLETED', ...counts } : { state: 'IN_PROGRESS', ...counts };
  }
  if (primary && sameFamily && primaryRev !== undefined && ourRev !== undefined && primaryRev < ourRev) {
    return {
      state: 'ROLLED_BACK',
      error: 'DeploymentRolledBack',
      cause: `${who} of service ${waited.serviceName} was rolled back: the service is on ${primary.taskDefinition} again (${primary.rolloutStateReason ?? 'circuit breaker'})`,
      ...counts,
    };
  }
  return {
    state: 'SUPERSEDED',
    error: 'DeploymentSuperseded',
    cause: `${who} of service ${waited.serviceName} was replaced by deployment ${primary?.id ?? '(unknown)'} of ${primary?.taskDefinition ?? '(unknown)'} before it completed`,
    ...counts,
  };
}

/**
 * The verdict at the deploy timeout (the sweep's final look): a deployment that completed (its event
 * lost) is a success and any other final verdict stands; one still in progress is `DeploymentTimedOut`.
 */
export function verdictAtTimeout(verdict: DeploymentVerdict, waited: WaitedDeployment, timeoutSeconds: number | undefined): DeploymentVerdict {
  if (verdict.state !== 'IN_PROGRESS') return verdict;
  const within = timeoutSeconds !== undefined ? `within ${timeoutSeconds} s` : 'before the deploy timeout';
  return {
    ...verdict,
    state: 'FAILED',
    error: 'DeploymentTimedOut',
    cause: `${waited.process} deployment ${waited.deploymentId} of service ${waited.serviceName} did not settle ${within} (${verdict.runningCount ?? '?'} of ${verdict.desiredCount ?? '?'} tasks running); check the service's events in the ECS console, fix the cause and redrive: the redrive starts a new deployment of the same revision`,
  };
}
