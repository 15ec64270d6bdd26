import {
  DeleteScheduledActionCommand,
  DescribeScalableTargetsCommand,
  DescribeScheduledActionsCommand,
  PutScalingPolicyCommand,
  PutScheduledActionCommand,
  RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import { CreateServiceCommand, DescribeServicesCommand, DescribeTaskDefinitionCommand, UpdateServiceCommand, type Service } from '@aws-sdk/client-ecs';
import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { serviceName as nameOfService } from '../../lib/pipeline-contract';
import { autoscaling } from '../shared/aws/autoscaling';
import { dynamodb } from '../shared/aws/dynamodb';
import { ecs } from '../shared/aws/ecs';
import { awsCall, getStringFromEnv, InvalidInput } from '../shared/errors';
import { createLogger } from '../shared/logger';
import { getAppSettings } from '../shared/settings-store';
import { parseInput } from '../shared/validation';
import { TAG_BUILD } from '../register-task-definitions/task-definition';
import type { AppSettings, ProcessSettings } from '../shared/settings';
import { createServiceRequest, planService, scalableResourceId } from './plan';
import { initialDesiredCount, planScaling, type ObservedScaling, type ScalingPlan } from './scaling';

const logger = createLogger('update-service');

const inputSchema = z.object({
  process: z.string().check(z.minLength(1)),
  taskDefinitionArn: z.string().check(z.regex(/^arn:aws[a-z-]*:ecs:[^:]+:\d{12}:task-definition\/[^:]+:\d+$/, 'must be a task-definition revision ARN')),
  execution: z.string().check(z.minLength(1)),
  /** The build being deployed (its key), compared with the build the service runs now. */
  build: z.string().check(z.minLength(1)),
  /** A rollback: deploy even if the service runs a newer build. */
  force: z._default(z.boolean(), false),
  /** When the state was entered (`$$.State.EnteredTime`): the scale-to-zero schedule is read at this time. @default the Lambda's clock */
  now: z.optional(z.iso.datetime()),
});

const DIMENSION = 'ecs:service:DesiredCount';

/** The service's current autoscaling registration and scheduled actions (when it has a registration). */
async function observeScaling(resourceId: string): Promise<ObservedScaling> {
  const targets = await awsCall(`Application Auto Scaling DescribeScalableTargets ${resourceId}`, () =>
    autoscaling.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', ResourceIds: [resourceId], ScalableDimension: DIMENSION })),
  );
  const t = targets?.ScalableTargets?.find((x) => x.ResourceId === resourceId);
  if (!t) return { scheduledActions: [] };
  const actions = await awsCall(`Application Auto Scaling DescribeScheduledActions ${resourceId}`, () =>
    autoscaling.send(new DescribeScheduledActionsCommand({ ServiceNamespace: 'ecs', ResourceId: resourceId, ScalableDimension: DIMENSION })),
  );
  return {
    target: { min: t.MinCapacity ?? 0, max: t.MaxCapacity ?? 0 },
    scheduledActions: (actions?.ScheduledActions ?? []).map((a) => a.ScheduledActionName ?? '').filter(Boolean),
  };
}

/**
 * Applies a scaling plan: the range (skipped when the registration already has it), the CPU policy,
 * then the scheduled actions. Every call is idempotent, so a retried or redriven deploy repeats it safely.
 */
async function applyScaling(resourceId: string, serviceName: string, plan: ScalingPlan, observed: ObservedScaling): Promise<void> {
  const { register } = plan;
  if (register && (observed.target?.min !== register.min || observed.target?.max !== register.max)) {
    await awsCall(`Application Auto Scaling RegisterScalableTarget ${resourceId}`, () =>
      autoscaling.send(new RegisterScalableTargetCommand({ ServiceNamespace: 'ecs', ResourceId: resourceId, ScalableDimension: DIMENSION, MinCapacity: register.min, MaxCapacity: register.max })),
    );
  }
  if (plan.cpuTarget !== undefined) {
    await awsCall(`Application Auto Scaling PutScalingPolicy ${resourceId}`, () =>
      autoscaling.send(
        new PutScalingPolicyCommand({
          PolicyName: `${serviceName}-cpu`,
          ServiceNamespace: 'ecs',
          ResourceId: resourceId,
          ScalableDimension: DIMENSION,
          PolicyType: 'TargetTrackingScaling',
          TargetTrackingScalingPolicyConfiguration: {
            TargetValue: plan.cpuTarget,
            PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
            ScaleInCooldown: 300,
            ScaleOutCooldown: 60,
          },
        }),
      ),
    );
  }
  for (const a of plan.put) {
    await awsCall(`Application Auto Scaling PutScheduledAction ${a.name}`, () =>
      autoscaling.send(
        new PutScheduledActionCommand({
          ServiceNamespace: 'ecs',
          ResourceId: resourceId,
          ScalableDimension: DIMENSION,
          ScheduledActionName: a.name,
          Schedule: a.schedule,
          Timezone: a.timeZone,
          ScalableTargetAction: { MinCapacity: a.min, MaxCapacity: a.max },
        }),
      ),
    );
  }
  for (const name of plan.delete) {
    await awsCall(`Application Auto Scaling DeleteScheduledAction ${name}`, () =>
      autoscaling.send(new DeleteScheduledActionCommand({ ServiceNamespace: 'ecs', ResourceId: resourceId, ScalableDimension: DIMENSION, ScheduledActionName: name })),
    );
  }
}

/** Observes the service's registration and plans what the deploy does to it. */
async function scalingFor(settings: AppSettings, p: ProcessSettings, serviceName: string, now: Date): Promise<{ resourceId: string; plan: ScalingPlan; observed: ObservedScaling }> {
  const resourceId = scalableResourceId(settings.cluster, serviceName);
  const observed = await observeScaling(resourceId);
  return { resourceId, observed, plan: planScaling(serviceName, p, settings.scaleToZero, observed, now) };
}

/** Output of the handler: the deployment the deploy then waits on, or why it must not. */
export interface UpdateServiceResult {
  readonly process: string;
  readonly serviceName: string;
  readonly serviceArn?: string;
  readonly deploymentId?: string;
  readonly action: 'create' | 'update' | 'reuse' | 'superseded';
  readonly state: 'IN_PROGRESS' | 'COMPLETED' | 'SUPERSEDED';
  readonly error?: 'DeploymentSuperseded';
  readonly cause?: string;
}

function primaryDeploymentId(service: Service | undefined, what: string): string {
  const id = service?.deployments?.find((d) => d.status === 'PRIMARY')?.id;
  if (!id) throw new Error(`ECS ${what} returned no PRIMARY deployment for ${service?.serviceName ?? 'the service'}`);
  return id;
}

/**
 * Creates the process type's ECS service if missing, else points it at the new revision; either way
 * brings its autoscaling registration (range, CPU policy, scale-to-zero schedule) in line with the
 * settings, never scaling up a service the schedule holds at zero. Re-running it (redrive) reuses the
 * deployment it started before.
 */
export async function handler(event: unknown): Promise<UpdateServiceResult> {
  const input = parseInput(inputSchema, event, 'update-service input');
  const settings = await getAppSettings(dynamodb, getStringFromEnv('TABLE_NAME'));
  const p = settings.processes[input.process];
  if (!p) throw new InvalidInput(`process "${input.process}" is not in the app's settings (processes: ${Object.keys(settings.processes).join(', ')})`);
  const serviceName = nameOfService(settings.app, input.process);
  const described = await awsCall(`ECS DescribeServices ${serviceName}`, () => ecs.send(new DescribeServicesCommand({ cluster: settings.cluster, services: [serviceName] })));
  const existing = described.services?.find((s) => s.serviceName === serviceName);
  const running = existing?.deployments?.find((d) => d.status === 'PRIMARY')?.taskDefinition ?? existing?.taskDefinition;
  let runningBuild: string | undefined;
  if (running && running !== input.taskDefinitionArn && existing?.status === 'ACTIVE') {
    const td = await awsCall(`ECS DescribeTaskDefinition ${running}`, () => ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: running, include: ['TAGS'] })));
    runningBuild = td.tags?.find((t) => t.key === TAG_BUILD)?.value;
  }
  const plan = planService(existing, input.taskDefinitionArn, input.build, runningBuild, input.force);
  const base = { process: input.process, serviceName };
  const now = input.now ? new Date(input.now) : new Date();

  switch (plan.action) {
    case 'superseded':
      return { ...base, serviceArn: existing?.serviceArn, action: 'superseded', state: 'SUPERSEDED', error: 'DeploymentSuperseded', cause: plan.cause };
    case 'reuse': {
      // A redrive after UpdateService succeeded: finish what the first run may not have.
      const scaling = await scalingFor(settings, p, serviceName, now);
      await applyScaling(scaling.resourceId, serviceName, scaling.plan, scaling.observed);
      return { ...base, serviceArn: existing?.serviceArn, deploymentId: plan.deploymentId, action: 'reuse', state: plan.completed ? 'COMPLETED' : 'IN_PROGRESS' };
    }
    case 'update': {
      const scaling = await scalingFor(settings, p, serviceName, now);
      const out = await awsCall(`ECS UpdateService ${serviceName}`, () =>
        ecs.send(new UpdateServiceCommand({ cluster: settings.cluster, service: serviceName, taskDefinition: input.taskDefinitionArn })),
      );
      const deploymentId = primaryDeploymentId(out.service, 'UpdateService');
      // UpdateService leaves the desired count alone: a service the schedule holds at zero stays there,
      // and the next scheduled scale-out starts tasks of this revision.
      await applyScaling(scaling.resourceId, serviceName, scaling.plan, scaling.observed);
      logger.info('service updated', { serviceName, deploymentId, taskDefinition: input.taskDefinitionArn, heldDownBySchedule: scaling.plan.heldDown });
      return { ...base, serviceArn: out.service?.serviceArn, deploymentId, action: 'update', state: 'IN_PROGRESS' };
    }
    case 'create': {
      // Same token for the same execution and revision: a retried CreateService returns the same service.
      const clientToken = createHash('sha256').update(`${input.execution}|${input.taskDefinitionArn}`).digest('hex').slice(0, 32);
      const scaling = await scalingFor(settings, p, serviceName, now);
      const out = await awsCall(`ECS CreateService ${serviceName}`, () =>
        ecs.send(new CreateServiceCommand(createServiceRequest(settings, input.process, p, serviceName, input.taskDefinitionArn, clientToken, initialDesiredCount(p, scaling.plan)))),
      );
      await applyScaling(scaling.resourceId, serviceName, scaling.plan, scaling.observed);
      const deploymentId = primaryDeploymentId(out.service, 'CreateService');
      logger.info('service created', { serviceName, deploymentId });
      return { ...base, serviceArn: out.service?.serviceArn, deploymentId, action: 'create', state: 'IN_PROGRESS' };
    }
  }
}
