import type { CreateScheduleCommandInput, GetScheduleCommandOutput } from '@aws-sdk/client-scheduler';
import { TAG_SCHEDULE } from '../../domain/names';
import type { AppSettings } from '../../domain/settings';
import type { ValidSchedule } from '../../domain/schedules';

/** Where each schedule points and who runs it. */
export interface ScheduleTargetContext {
  readonly group: string;
  readonly roleArn: string;
  readonly app: string;
  /**
   * The ECS cluster's ARN: an ECS target's `Arn` must be the cluster ARN, a cluster name is refused
   * (docs.aws.amazon.com/scheduler/latest/APIReference/API_Target.html; {@link clusterArnProblem}).
   */
  readonly clusterArn: string;
  /** The SQS queue Scheduler sends an invocation to after its retries fail. */
  readonly deadLetterQueueArn: string;
}

/** An ECS cluster ARN, as Scheduler's ECS targets need it. */
export const ECS_CLUSTER_ARN = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:cluster\/[A-Za-z0-9_-]{1,255}$/;
/** An SQS queue ARN (Scheduler's DeadLetterConfig.Arn pattern). */
export const SQS_QUEUE_ARN = /^arn:aws(-[a-z]+)?:sqs:[a-z0-9-]+:\d{12}:[a-zA-Z0-9_-]{1,80}$/;

/** Why `value` is not an ECS cluster ARN (a name, say), or undefined when it is one. */
export function clusterArnProblem(value: string): string | undefined {
  return ECS_CLUSTER_ARN.test(value) ? undefined : `${JSON.stringify(value.slice(0, 200))} is not an ECS cluster ARN (arn:aws:ecs:<region>:<account>:cluster/<name>): EventBridge Scheduler refuses an ECS target named by cluster name`;
}

/**
 * The CreateSchedule/UpdateSchedule request of one entry: an ECS RunTask of the process's current
 * revision in the app's cluster and network, with the entry's command as a container override.
 */
export function scheduleRequest(settings: AppSettings, s: ValidSchedule, taskDefinitionArn: string, ctx: ScheduleTargetContext): CreateScheduleCommandInput {
  return {
    Name: s.name,
    GroupName: ctx.group,
    ScheduleExpression: s.expression,
    ScheduleExpressionTimezone: 'UTC',
    FlexibleTimeWindow: { Mode: 'OFF' },
    State: 'ENABLED',
    Description: `${ctx.app}: ${s.process} runs ${JSON.stringify(s.command).slice(0, 400)} (slipway, from the ${s.source})`,
    Target: {
      Arn: ctx.clusterArn,
      RoleArn: ctx.roleArn,
      DeadLetterConfig: { Arn: ctx.deadLetterQueueArn },
      Input: JSON.stringify({ containerOverrides: [{ name: s.process, command: s.command }] }),
      RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
      EcsParameters: {
        TaskDefinitionArn: taskDefinitionArn,
        TaskCount: 1,
        CapacityProviderStrategy: settings.capacityProviderStrategy.map((c) => ({ capacityProvider: c.capacityProvider, weight: c.weight, base: c.base })),
        NetworkConfiguration: {
          awsvpcConfiguration: { Subnets: settings.network.subnets, SecurityGroups: settings.network.securityGroups, AssignPublicIp: settings.network.assignPublicIp },
        },
        PropagateTags: 'TASK_DEFINITION',
        EnableECSManagedTags: true,
        Tags: [{ [TAG_SCHEDULE]: s.name }],
      },
    },
  };
}

/** What decides whether a schedule must be updated: expression, state, target and command. */
function fingerprint(s: Partial<Pick<CreateScheduleCommandInput, 'ScheduleExpression' | 'ScheduleExpressionTimezone' | 'State' | 'Target'>>): string {
  const t = s.Target;
  return JSON.stringify([
    s.ScheduleExpression,
    s.ScheduleExpressionTimezone ?? 'UTC',
    s.State ?? 'ENABLED',
    t?.Arn,
    t?.RoleArn,
    t?.DeadLetterConfig?.Arn,
    t?.Input,
    t?.EcsParameters?.TaskDefinitionArn,
    t?.EcsParameters?.NetworkConfiguration?.awsvpcConfiguration?.Subnets,
    t?.EcsParameters?.NetworkConfiguration?.awsvpcConfiguration?.SecurityGroups,
  ]);
}

/** The changes that bring the group in line with the desired schedules. */
export interface SchedulePlan {
  readonly create: CreateScheduleCommandInput[];
  readonly update: CreateScheduleCommandInput[];
  readonly delete: string[];
  readonly unchanged: string[];
}

/** Creates the missing, updates the changed, deletes the removed; leaves the rest alone. */
export function planSchedules(desired: readonly CreateScheduleCommandInput[], existing: readonly GetScheduleCommandOutput[]): SchedulePlan {
  const byName = new Map(existing.map((e) => [e.Name ?? '', e]));
  const wanted = new Set(desired.map((d) => d.Name));
  const plan: SchedulePlan = { create: [], update: [], delete: [], unchanged: [] };
  for (const d of desired) {
    const e = byName.get(d.Name ?? '');
    if (!e) plan.create.push(d);
    else if (fingerprint(e) !== fingerprint(d)) plan.update.push(d);
    else plan.unchanged.push(d.Name ?? '');
  }
  for (const e of existing) if (e.Name && !wanted.has(e.Name)) plan.delete.push(e.Name);
  return plan;
}
