import { DeleteScheduledActionCommand, DescribeScalableTargetsCommand, DescribeScheduledActionsCommand, PutScalingPolicyCommand, PutScheduledActionCommand, RegisterScalableTargetCommand, type ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { mockClient } from 'aws-sdk-client-mock';
import { scalableTargetResourceId, SCALABLE_DIMENSION, SCALABLE_NAMESPACE, serviceName } from '../../../domain/names';
import { SimulatedAwsError } from '../aws-error';
import type { SimulatedAccount } from './simulated-account';
import { LocalRunError } from '../run-error';
import type { SimulatedEcs } from './ecs';

/** A scheduled action of Application Auto Scaling. */
export interface SimScheduledAction {
  readonly name: string;
  readonly schedule: string;
  readonly timeZone?: string;
  readonly min?: number;
  readonly max?: number;
}

/**
 * Simulated Application Auto Scaling for ECS services: scalable targets (a range the service's desired
 * count is held in), scaling policies, and the scheduled actions of the scale-to-zero schedule.
 */
export class SimulatedAutoScaling {
  /** Scalable targets by resource id (`service/<cluster>/<service>`). */
  readonly scalableTargets = new Map<string, { min?: number; max?: number; policies: string[] }>();

  constructor(
    private readonly account: SimulatedAccount,
    private readonly ecs: SimulatedEcs,
  ) {}

  // ------------------------------------------------------------------ scalable targets and policies

  registerScalableTarget(resourceId: string, min?: number, max?: number): void {
    this.account.count('RegisterScalableTarget');
    const t = this.scalableTargets.get(resourceId) ?? { policies: [] };
    this.scalableTargets.set(resourceId, { ...t, min, max });
    this.clampDesiredCount(resourceId);
  }

  putScalingPolicy(resourceId: string, policyName: string): void {
    this.account.count('PutScalingPolicy');
    const t = this.scalableTargets.get(resourceId);
    if (!t) throw new SimulatedAwsError('ObjectNotFoundException', `No scalable target registered for ${resourceId}`);
    if (!t.policies.includes(policyName)) t.policies.push(policyName);
  }

  // ------------------------------------------------------------------ scale-to-zero schedule

  /** Scheduled actions by scalable-target resource id, then by name. */
  readonly scheduledActions = new Map<string, Map<string, SimScheduledAction>>();

  /** Application Auto Scaling DescribeScalableTargets of one resource (counted). */
  describeScalableTarget(resourceId: string): { min?: number; max?: number } | undefined {
    this.account.count('DescribeScalableTargets');
    const t = this.scalableTargets.get(resourceId);
    return t ? { min: t.min, max: t.max } : undefined;
  }

  putScheduledAction(resourceId: string, action: SimScheduledAction): void {
    this.account.count('PutScheduledAction');
    if (!this.scalableTargets.has(resourceId)) throw new SimulatedAwsError('ObjectNotFoundException', `No scalable target registered for ${resourceId}`);
    const actions = this.scheduledActions.get(resourceId) ?? new Map<string, SimScheduledAction>();
    actions.set(action.name, { ...action });
    this.scheduledActions.set(resourceId, actions);
  }

  describeScheduledActions(resourceId: string): SimScheduledAction[] {
    this.account.count('DescribeScheduledActions');
    return [...(this.scheduledActions.get(resourceId)?.values() ?? [])].map((a) => ({ ...a }));
  }

  deleteScheduledAction(resourceId: string, name: string): void {
    this.account.count('DeleteScheduledAction');
    if (!this.scheduledActions.get(resourceId)?.delete(name)) throw new SimulatedAwsError('ObjectNotFoundException', `No scheduled action ${name} for ${resourceId}`);
  }

  /** Registrations before the run (world set-up); a service whose range is 0-0 has no tasks. */
  seedScalableTargets(targets: Record<string, { min: number; max: number }>): void {
    for (const [process, range] of Object.entries(targets)) {
      const name = serviceName(this.account.settings.app, process);
      if (!this.ecs.services.has(name)) throw new LocalRunError(`world: scalableTargets.${process} needs the service in "services"`);
      this.scalableTargets.set(this.resourceIdOf(name), { min: range.min, max: range.max, policies: [] });
      this.clampDesiredCount(this.resourceIdOf(name));
    }
  }

  /**
   * Runs a scheduled action as Application Auto Scaling does at its time: the range changes and the
   * service's desired count moves into it; new tasks run the service's current revision.
   */
  runScheduledAction(name: string): void {
    for (const [resourceId, actions] of this.scheduledActions) {
      const a = actions.get(name);
      if (!a) continue;
      const t = this.scalableTargets.get(resourceId) ?? { policies: [] };
      this.scalableTargets.set(resourceId, { ...t, min: a.min, max: a.max });
      this.clampDesiredCount(resourceId);
      return;
    }
    throw new Error(`no scheduled action named ${name}`);
  }

  private resourceIdOf(service: string): string {
    return scalableTargetResourceId(this.ecs.clusterName(), service);
  }

  private clampDesiredCount(resourceId: string): void {
    const t = this.scalableTargets.get(resourceId);
    const s = this.ecs.services.get(resourceId.slice(resourceId.lastIndexOf('/') + 1));
    if (!t || !s || t.min === undefined || t.max === undefined) return;
    const desired = Math.max(t.min, Math.min(s.service.desiredCount ?? 0, t.max));
    s.service.desiredCount = desired;
    // Application Auto Scaling sets the desired count; ECS then starts or stops tasks. A deployment in
    // progress has only the tasks its rollout started (none here until it completes); a completed one
    // follows the new count at once (the simulation starts tasks instantly).
    for (const d of s.service.deployments ?? []) {
      if (d.status !== 'PRIMARY') continue;
      d.desiredCount = desired;
      if (d.rolloutState === 'COMPLETED') d.runningCount = desired;
    }
    s.service.runningCount = (s.service.deployments ?? []).reduce((n, d) => n + (d.runningCount ?? 0), 0);
  }

  /** aws-sdk-client-mock handlers on `client` (the handlers' Application Auto Scaling client) answering from this simulation. */
  mock(client: ApplicationAutoScalingClient): { restore: () => void } {
    const asMock = mockClient(client);
    const { region, account } = this.account.spec;
    asMock.on(RegisterScalableTargetCommand).callsFake(async (input) => {
      this.registerScalableTarget(input.ResourceId ?? '', input.MinCapacity, input.MaxCapacity);
      return {};
    });
    asMock.on(PutScalingPolicyCommand).callsFake(async (input) => {
      this.putScalingPolicy(input.ResourceId ?? '', input.PolicyName ?? '');
      return { PolicyARN: `arn:aws:autoscaling:${region}:${account}:scalingPolicy:local:resource/${input.ResourceId}:policyName/${input.PolicyName}` };
    });
    // The scale-to-zero schedule's calls.
    const call = <T>(fn: () => T): Promise<T> => Promise.resolve().then(fn);
    asMock.on(DescribeScalableTargetsCommand).callsFake((input: { ResourceIds?: string[] }) =>
      call(() => ({
        // Without ResourceIds, every scalable target of the namespace (API reference, DescribeScalableTargets `ResourceIds`).
        ScalableTargets: (input.ResourceIds ?? [...this.scalableTargets.keys()]).flatMap((id) => {
          const t = this.describeScalableTarget(id);
          return t ? [{ ServiceNamespace: SCALABLE_NAMESPACE, ResourceId: id, ScalableDimension: SCALABLE_DIMENSION, MinCapacity: t.min, MaxCapacity: t.max }] : [];
        }),
      })),
    );
    asMock.on(DescribeScheduledActionsCommand).callsFake((input: { ResourceId?: string }) =>
      call(() => ({ ScheduledActions: this.describeScheduledActions(input.ResourceId ?? '').map((a) => ({ ScheduledActionName: a.name, Schedule: a.schedule, ResourceId: input.ResourceId })) })),
    );
    asMock.on(PutScheduledActionCommand).callsFake((input: { ResourceId?: string; ScheduledActionName?: string; Schedule?: string; Timezone?: string; ScalableTargetAction?: { MinCapacity?: number; MaxCapacity?: number } }) =>
      call(() => {
        this.putScheduledAction(input.ResourceId ?? '', {
          name: input.ScheduledActionName ?? '',
          schedule: input.Schedule ?? '',
          timeZone: input.Timezone,
          min: input.ScalableTargetAction?.MinCapacity,
          max: input.ScalableTargetAction?.MaxCapacity,
        });
        return {};
      }),
    );
    asMock.on(DeleteScheduledActionCommand).callsFake((input: { ResourceId?: string; ScheduledActionName?: string }) =>
      call(() => {
        this.deleteScheduledAction(input.ResourceId ?? '', input.ScheduledActionName ?? '');
        return {};
      }),
    );
    return asMock;
  }
}
