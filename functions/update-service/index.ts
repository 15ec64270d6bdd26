import { PutScalingPolicyCommand, RegisterScalableTargetCommand } from '@aws-sdk/client-application-auto-scaling';
import { CreateServiceCommand, DescribeServicesCommand, DescribeTaskDefinitionCommand, UpdateServiceCommand, type Service } from '@aws-sdk/client-ecs';
import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { serviceName as nameOfService } from '../../lib/pipeline-contract';
import { autoscaling, dynamodb, ecs } from '../shared/clients';
import { awsCall, getStringFromEnv, InvalidInput } from '../shared/errors';
import { createLogger } from '../shared/logger';
import { getAppSettings } from '../shared/settings-store';
import { parseInput } from '../shared/validation';
import { TAG_BUILD } from '../register-task-definitions/task-definition';
import { createServiceRequest, planService, scalableResourceId } from './plan';

const logger = createLogger('update-service');

const inputSchema = z.object({
  process: z.string().check(z.minLength(1)),
  taskDefinitionArn: z.string().check(z.regex(/^arn:aws[a-z-]*:ecs:[^:]+:\d{12}:task-definition\/[^:]+:\d+$/, 'must be a task-definition revision ARN')),
  execution: z.string().check(z.minLength(1)),
  /** The build being deployed (its key), compared with the build the service runs now. */
  build: z.string().check(z.minLength(1)),
  /** A rollback: deploy even if the service runs a newer build. */
  force: z._default(z.boolean(), false),
});

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
 * Creates the process type's ECS service if missing (and registers its autoscaling range), else points
 * it at the new revision. Re-running it (redrive) reuses the deployment it started before.
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

  switch (plan.action) {
    case 'superseded':
      return { ...base, serviceArn: existing?.serviceArn, action: 'superseded', state: 'SUPERSEDED', error: 'DeploymentSuperseded', cause: plan.cause };
    case 'reuse':
      return { ...base, serviceArn: existing?.serviceArn, deploymentId: plan.deploymentId, action: 'reuse', state: plan.completed ? 'COMPLETED' : 'IN_PROGRESS' };
    case 'update': {
      const out = await awsCall(`ECS UpdateService ${serviceName}`, () =>
        ecs.send(new UpdateServiceCommand({ cluster: settings.cluster, service: serviceName, taskDefinition: input.taskDefinitionArn })),
      );
      const deploymentId = primaryDeploymentId(out.service, 'UpdateService');
      logger.info('service updated', { serviceName, deploymentId, taskDefinition: input.taskDefinitionArn });
      return { ...base, serviceArn: out.service?.serviceArn, deploymentId, action: 'update', state: 'IN_PROGRESS' };
    }
    case 'create': {
      // Same token for the same execution and revision: a retried CreateService returns the same service.
      const clientToken = createHash('sha256').update(`${input.execution}|${input.taskDefinitionArn}`).digest('hex').slice(0, 32);
      const out = await awsCall(`ECS CreateService ${serviceName}`, () =>
        ecs.send(new CreateServiceCommand(createServiceRequest(settings, input.process, p, serviceName, input.taskDefinitionArn, clientToken))),
      );
      if (p.autoscaling) {
        const resourceId = scalableResourceId(settings.cluster, serviceName);
        await awsCall(`Application Auto Scaling RegisterScalableTarget ${resourceId}`, () =>
          autoscaling.send(
            new RegisterScalableTargetCommand({ ServiceNamespace: 'ecs', ResourceId: resourceId, ScalableDimension: 'ecs:service:DesiredCount', MinCapacity: p.autoscaling?.min, MaxCapacity: p.autoscaling?.max }),
          ),
        );
        await awsCall(`Application Auto Scaling PutScalingPolicy ${resourceId}`, () =>
          autoscaling.send(
            new PutScalingPolicyCommand({
              PolicyName: `${serviceName}-cpu`,
              ServiceNamespace: 'ecs',
              ResourceId: resourceId,
              ScalableDimension: 'ecs:service:DesiredCount',
              PolicyType: 'TargetTrackingScaling',
              TargetTrackingScalingPolicyConfiguration: {
                TargetValue: p.autoscaling?.cpuTarget,
                PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
                ScaleInCooldown: 300,
                ScaleOutCooldown: 60,
              },
            }),
          ),
        );
      }
      const deploymentId = primaryDeploymentId(out.service, 'CreateService');
      logger.info('service created', { serviceName, deploymentId });
      return { ...base, serviceArn: out.service?.serviceArn, deploymentId, action: 'create', state: 'IN_PROGRESS' };
    }
  }
}
