// prettier-ignore
import { DeleteScheduledActionCommand, DescribeScalableTargetsCommand, DescribeScheduledActionsCommand, PutScalingPolicyCommand, PutScheduledActionCommand, RegisterScalableTargetCommand } from '@aws-sdk/client-application-auto-scaling';
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateServiceCommand, DescribeServicesCommand, DescribeTaskDefinitionCommand, UpdateServiceCommand, type Service } from '@aws-sdk/client-ecs';
import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { SCALABLE_DIMENSION, SCALABLE_NAMESPACE, scalableTargetResourceId, serviceName as nameOfService, TAG_BUILD, APP_NAME } from '../../domain/names';
import { buildSortKey, DEPLOY_CLAIM, dynamoKey } from '../../domain/table';
import { DEPLOY_TIMEOUT_MAX_MINUTES } from '../../domain/constants';
import { autoscaling } from '../shared/aws/autoscaling';
import { dynamodb } from '../shared/aws/dynamodb';
import { ecs } from '../shared/aws/ecs';
import { sfn } from '../shared/aws/sfn';
import { deploymentVerdict } from '../shared/deployment-verdict';
import { listWaiters, putWaiter, resume, settleWaiter, type Waiter } from '../shared/waiters';
import { awsCall, DeployRefused, InvalidInput, isAwsError, UnexpectedResponse } from '../shared/errors';
import { addLambdaContext, createLogger, type LambdaContext } from '../shared/logger';
import { controlPlanePrefix, controlTable, settingsOf, stateMachineArns } from '../shared/control-plane-context';
import { parseInput } from '../shared/validation';
import { type AppSettings, type ProcessSettings } from '../../domain/settings';
import { checkDeploy, revisionProblem } from './check-deploy';
import { recordRelease, type RecordedRelease } from './record-release';
import { createServiceRequest, planRedeploy, planService } from './plan';
import { initialDesiredCount, planScaling, type CapacityRange, type ObservedScaling, type ScalingPlan } from './scaling';
import { storedScaleOf } from './stored-scale';

const logger = createLogger('update-service');

export const inputSchema = z.object({
  /** The app being deployed: its settings and table come from its settings parameter. */
  app: z.string().check(z.regex(APP_NAME, 'must be an app name')),
  /** The task token of the deploy's `.waitForTaskToken` state. */
  taskToken: z.string().check(z.minLength(1)),
  process: z.string().check(z.minLength(1)),
  taskDefinitionArn: z.string().check(z.regex(/^arn:aws[a-z-]*:ecs:[^:]+:\d{12}:task-definition\/[^:]+:\d+$/, 'must be a task-definition revision ARN')),
  /** The deploy execution's name. */
  execution: z.string().check(z.minLength(1)),
  /**
   * The deploy execution's ARN (`$$.Execution.Id`): the holder of the app's deploy claim. The deploy
   * definitions before issue 22 did not pass it (an execution started with one can still be redriven):
   * @default the deploy state machine's ARN (STATE_MACHINE_ARNS) with `execution` as the execution's name
   */
  executionArn: z.optional(z.string().check(z.regex(/^arn:aws[a-z-]*:states:[^:]+:\d{12}:execution:[^:]+:[^:]+$/, 'must be an execution ARN'))),
  /** The build being deployed (its key), compared with the build the service runs now. */
  build: z.string().check(z.minLength(1)),
  /** The build's sort key (the deploy claim's `buildSortKey`). @default the sort key of `build` (domain/table.ts `buildSortKey`) */
  buildSortKey: z.optional(z.string().check(z.minLength(1))),
  /** A rollback: deploy even if the service runs a newer build. */
  force: z._default(z.boolean(), false),
  /** The deploy timeout: the sweep's final check fails a deployment still in progress this long after the state was entered. */
  deployTimeoutSeconds: z.int().check(z.positive(), z.maximum(DEPLOY_TIMEOUT_MAX_MINUTES * 60, `at most ${DEPLOY_TIMEOUT_MAX_MINUTES * 60} seconds (the config's deployTimeoutMinutes allows ${DEPLOY_TIMEOUT_MAX_MINUTES})`)),
  /** The state's own TimeoutSeconds (a backstop beyond the deploy timeout; accepted for the record). */
  timeoutSeconds: z.optional(z.int().check(z.positive())),
  /** `$$.Execution.RedriveCount`: above the count recorded for the service's deployment, a new deployment is started. */
  redriveCount: z._default(z.int().check(z.nonnegative()), 0),
  /** When the state was entered (`$$.State.EnteredTime`): the deadline counts from here, and the scale-to-zero schedule is read at this time. @default the Lambda's clock */
  now: z.optional(z.iso.datetime()),
});

/** The service's current autoscaling registration and scheduled actions (when it has a registration). */
async function observeScaling(resourceId: string): Promise<ObservedScaling> {
  const targets = await awsCall(`Application Auto Scaling DescribeScalableTargets ${resourceId}`, () =>
    autoscaling.send(new DescribeScalableTargetsCommand({ ServiceNamespace: SCALABLE_NAMESPACE, ResourceIds: [resourceId], ScalableDimension: SCALABLE_DIMENSION })),
  );
  const t = targets?.ScalableTargets?.find((x) => x.ResourceId === resourceId);
  if (!t) return { scheduledActions: [] };
  const actions = await awsCall(`Application Auto Scaling DescribeScheduledActions ${resourceId}`, () =>
    autoscaling.send(new DescribeScheduledActionsCommand({ ServiceNamespace: SCALABLE_NAMESPACE, ResourceId: resourceId, ScalableDimension: SCALABLE_DIMENSION })),
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
      autoscaling.send(new RegisterScalableTargetCommand({ ServiceNamespace: SCALABLE_NAMESPACE, ResourceId: resourceId, ScalableDimension: SCALABLE_DIMENSION, MinCapacity: register.min, MaxCapacity: register.max })),
    );
  }
  if (plan.cpuTarget !== undefined) {
    await awsCall(`Application Auto Scaling PutScalingPolicy ${resourceId}`, () =>
      autoscaling.send(
        new PutScalingPolicyCommand({
          PolicyName: `${serviceName}-cpu`,
          ServiceNamespace: SCALABLE_NAMESPACE,
          ResourceId: resourceId,
          ScalableDimension: SCALABLE_DIMENSION,
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
          ServiceNamespace: SCALABLE_NAMESPACE,
          ResourceId: resourceId,
          ScalableDimension: SCALABLE_DIMENSION,
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
      autoscaling.send(new DeleteScheduledActionCommand({ ServiceNamespace: SCALABLE_NAMESPACE, ResourceId: resourceId, ScalableDimension: SCALABLE_DIMENSION, ScheduledActionName: name })),
    );
  }
}

/** Observes the service's registration and plans what the deploy does to it. */
async function scalingFor(settings: AppSettings, p: ProcessSettings, serviceName: string, now: Date, process: string): Promise<{ resourceId: string; plan: ScalingPlan; observed: ObservedScaling; stored?: CapacityRange }> {
  const resourceId = scalableTargetResourceId(settings.cluster, serviceName);
  const observed = await observeScaling(resourceId);
  const stored = await storedScaleOf(settings.table, process);
  return { resourceId, observed, stored, plan: planScaling(serviceName, p, settings.scaleToZero, observed, now, stored) };
}

/** What the handler did; the deploy state's own output comes from the token (SendTaskSuccess). */
export interface UpdateServiceResult {
  readonly process: string;
  readonly serviceName: string;
  readonly serviceArn?: string;
  readonly deploymentId?: string;
  readonly action: 'create' | 'update' | 'reuse' | 'redeploy' | 'superseded';
  /** The deployment's state when the handler returned: settled ones have already resumed the deploy. */
  readonly state: 'IN_PROGRESS' | 'COMPLETED' | 'ROLLED_BACK' | 'FAILED' | 'SUPERSEDED';
  /** Whether the deploy still waits (ECS events or the sweep will resume it). */
  readonly waiting: boolean;
}

type Input = z.infer<typeof inputSchema>;

function primaryDeploymentId(service: Service | undefined, what: string): string {
  const id = service?.deployments?.find((d) => d.status === 'PRIMARY')?.id;
  if (!id) throw new UnexpectedResponse(`ECS ${what} returned no PRIMARY deployment for ${service?.serviceName ?? 'the service'}`);
  return id;
}

/** The ARN of the deploy execution named `name` (an execution ARN is its state machine's, `execution` for `stateMachine`, and its name). */
function deployExecutionArn(name: string): string {
  return `${stateMachineArns().deploy.replace(':stateMachine:', ':execution:')}:${name}`;
}

/**
 * After a redrive the deploy claims the app again, unless someone else holds the claim: a newer build's
 * deploy, or a rollback. The claim is ours if we still hold it, or if execution-status released it when
 * this execution failed and nobody claimed it since (same build). Returns the cause when it is not ours.
 */
async function reclaimAfterRedrive(table: string, input: Input): Promise<string | undefined> {
  if (input.redriveCount === 0) return undefined;
  const me = input.executionArn ?? deployExecutionArn(input.execution);
  const build = input.buildSortKey ?? buildSortKey(input.build);
  try {
    await awsCall('DynamoDB UpdateItem deploy claim', () =>
      dynamodb.send(
        new UpdateItemCommand({
          TableName: table,
          Key: dynamoKey(DEPLOY_CLAIM),
          UpdateExpression: 'SET execution = :me, claimedAt = :at',
          ConditionExpression: 'execution = :me OR (attribute_not_exists(execution) AND buildSortKey = :build)',
          ExpressionAttributeValues: { ':me': { S: me }, ':at': { S: input.now ?? new Date().toISOString() }, ':build': { S: build } },
        }),
      ),
    );
    return undefined;
  } catch (e) {
    if (!isAwsError(e, 'ConditionalCheckFailedException')) throw e;
    return `build ${input.build} was not redeployed by this redrive: a newer build or a rollback has claimed the app since this deploy failed (see the APP/DEPLOY item); use slipway deploy <app> --build ${input.build} to deploy it on purpose`;
  }
}

/**
 * The deploy's `.waitForTaskToken` state of one process type. Creates the ECS service if missing, else
 * points it at the new revision; either way brings its autoscaling registration (range, CPU policy,
 * scale-to-zero schedule) in line with the settings, never scaling up a service the schedule holds at
 * zero. Then stores the task token for that deployment (with the redrive count and the deadline) and
 * resumes the deploy at once if the deployment has already settled; ECS events and the sweep do otherwise.
 *
 * A Lambda retry (same redrive count) reuses the deployment it started. A redrive (higher redrive count
 * than the one recorded for the service's deployment) starts a new deployment of the same revision
 * instead of waiting on the one that failed or timed out; a service already on the revision with a
 * completed deployment is not updated again.
 */
export async function handler(event: { action: 'checkDeploy' }, context?: LambdaContext): Promise<Record<string, unknown>>;
export async function handler(event: { action: 'recordRelease' }, context?: LambdaContext): Promise<RecordedRelease>;
export async function handler(event: unknown, context?: LambdaContext): Promise<UpdateServiceResult>;
export async function handler(event: unknown, context?: LambdaContext): Promise<UpdateServiceResult | RecordedRelease | Record<string, unknown>> {
  addLambdaContext(context);
  // The deploy's first Task ("Check the build against the app's records", ./check-deploy.ts).
  if ((event as { action?: unknown } | null)?.action === 'checkDeploy') return checkDeploy(event);
  // The deploy's "Number the release" state (./record-release.ts).
  if ((event as { action?: unknown } | null)?.action === 'recordRelease') return recordRelease(event);
  return updateService(event);
}

async function updateService(event: unknown): Promise<UpdateServiceResult> {
  const input = parseInput(inputSchema, event, 'update-service input');
  const settings = await settingsOf(input.app);
  // The app's records (its deploy claim) stay in its own table; the waiters live in the control table.
  const table = settings.table;
  const waiters = controlTable();
  const p = settings.processes[input.process];
  if (!p) throw new InvalidInput(`process "${input.process}" is not in the app's settings (processes: ${Object.keys(settings.processes).join(', ')})`);
  // The deploy checked the revision's build against the app's records (./check-deploy.ts); its family and
  // place are checked again here, before any ECS call, whoever invokes this function.
  const foreign = revisionProblem(settings, input.process, input.taskDefinitionArn, controlPlanePrefix());
  if (foreign) throw new DeployRefused(`deploy of app ${settings.app} refused: ${foreign}`);
  const serviceName = nameOfService(settings.app, input.process);
  const base = { process: input.process, serviceName };
  const now = input.now ? new Date(input.now) : new Date();
  const waiterBase = { app: settings.app, table, serviceName, process: input.process, taskDefinitionArn: input.taskDefinitionArn, taskToken: input.taskToken, execution: input.execution };

  const lostClaim = await reclaimAfterRedrive(table, input);
  if (lostClaim) {
    await resume(sfn, { ...waiterBase, deploymentId: '-' }, { state: 'SUPERSEDED', error: 'DeploymentSuperseded', cause: lostClaim });
    return { ...base, action: 'superseded', state: 'SUPERSEDED', waiting: false };
  }

  const described = await awsCall(`ECS DescribeServices ${serviceName}`, () => ecs.send(new DescribeServicesCommand({ cluster: settings.cluster, services: [serviceName] })));
  const existing = described.services?.find((s) => s.serviceName === serviceName);
  const running = existing?.deployments?.find((d) => d.status === 'PRIMARY')?.taskDefinition ?? existing?.taskDefinition;
  let runningBuild: string | undefined;
  if (running && running !== input.taskDefinitionArn && existing?.status === 'ACTIVE') {
    const td = await awsCall(`ECS DescribeTaskDefinition ${running}`, () => ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: running, include: ['TAGS'] })));
    runningBuild = td.tags?.find((t) => t.key === TAG_BUILD)?.value;
  }
  let plan = planService(existing, input.taskDefinitionArn, input.build, runningBuild, input.force);
  if (plan.action === 'reuse' && !plan.completed) {
    const recorded = (await listWaiters(dynamodb, waiters, serviceName)).find((w) => w.deploymentId === (plan as { deploymentId: string }).deploymentId);
    plan = planRedeploy(plan, recorded, input.redriveCount);
  }

  let deploymentId: string;
  let serviceArn = existing?.serviceArn;
  switch (plan.action) {
    case 'superseded': {
      await resume(sfn, { ...waiterBase, deploymentId: '-' }, { state: 'SUPERSEDED', error: 'DeploymentSuperseded', cause: plan.cause });
      return { ...base, serviceArn, action: 'superseded', state: 'SUPERSEDED', waiting: false };
    }
    case 'reuse': {
      // A retry (or a redrive of a deployment that has since completed): finish what the first run may not have.
      const scaling = await scalingFor(settings, p, serviceName, now, input.process);
      await applyScaling(scaling.resourceId, serviceName, scaling.plan, scaling.observed);
      deploymentId = plan.deploymentId;
      break;
    }
    case 'update':
    case 'redeploy': {
      const scaling = await scalingFor(settings, p, serviceName, now, input.process);
      const out = await awsCall(`ECS UpdateService ${serviceName}`, () =>
        ecs.send(
          new UpdateServiceCommand({
            cluster: settings.cluster,
            service: serviceName,
            taskDefinition: input.taskDefinitionArn,
            // Services created before ECS Exec was enabled get it with their next deployment (`slipway shell`).
            enableExecuteCommand: true,
            // A redrive of a deployment that failed or timed out on this same revision: a new deployment.
            ...(plan.action === 'redeploy' ? { forceNewDeployment: true } : {}),
          }),
        ),
      );
      deploymentId = primaryDeploymentId(out.service, 'UpdateService');
      serviceArn = out.service?.serviceArn;
      // UpdateService leaves the desired count alone: a service the schedule holds at zero stays there,
      // and the next scheduled scale-out starts tasks of this revision.
      await applyScaling(scaling.resourceId, serviceName, scaling.plan, scaling.observed);
      logger.info(plan.action === 'redeploy' ? 'service redeployed after a redrive' : 'service updated', { serviceName, deploymentId, taskDefinition: input.taskDefinitionArn, heldDownBySchedule: scaling.plan.heldDown });
      break;
    }
    case 'create': {
      // Same token for the same execution, revision and attempt: a retried CreateService returns the same service.
      const clientToken = createHash('sha256').update(`${input.execution}|${input.taskDefinitionArn}|${input.redriveCount}`).digest('hex').slice(0, 32);
      const scaling = await scalingFor(settings, p, serviceName, now, input.process);
      const out = await awsCall(`ECS CreateService ${serviceName}`, () =>
        ecs.send(new CreateServiceCommand(createServiceRequest(settings, input.process, p, serviceName, input.taskDefinitionArn, clientToken, initialDesiredCount(p, scaling.plan, scaling.stored)))),
      );
      await applyScaling(scaling.resourceId, serviceName, scaling.plan, scaling.observed);
      deploymentId = primaryDeploymentId(out.service, 'CreateService');
      serviceArn = out.service?.serviceArn;
      logger.info('service created', { serviceName, deploymentId });
      break;
    }
  }

  const waiter: Waiter = {
    ...waiterBase,
    deploymentId,
    redriveCount: input.redriveCount,
    deadline: new Date(now.getTime() + input.deployTimeoutSeconds * 1000).toISOString(),
    timeoutSeconds: input.deployTimeoutSeconds,
    action: plan.action,
  };
  await putWaiter(dynamodb, waiters, waiter, now);
  // One look now: a deployment that settled before the token was stored still resumes the deploy.
  const after = await awsCall(`ECS DescribeServices ${serviceName}`, () => ecs.send(new DescribeServicesCommand({ cluster: settings.cluster, services: [serviceName] })));
  const verdict = deploymentVerdict(after.services?.find((s) => s.serviceName === serviceName), waiter);
  if (await resume(sfn, waiter, verdict)) {
    await settleWaiter(dynamodb, waiters, waiter, new Date());
    logger.info('deployment already settled', { serviceName, deploymentId, verdict });
    return { ...base, serviceArn, deploymentId, action: plan.action, state: verdict.state, waiting: false };
  }
  logger.info('waiting for deployment', { serviceName, deploymentId, redriveCount: input.redriveCount, deadline: waiter.deadline });
  return { ...base, serviceArn, deploymentId, action: plan.action, state: 'IN_PROGRESS', waiting: true };
}
