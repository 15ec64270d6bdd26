import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type { AppSettingsInput } from '../domain/settings';
import { scaleScheduleOf, type AppConfig } from './deployment-config';
import { taskDefinitionFamily } from '../domain/names';
import { WEB_PROCESS } from '../domain/constants';


/** Everything the settings record is built from, resolved to strings (tokens allowed). */
export interface AppSettingsSources {
  readonly prefix: string;
  readonly app: AppConfig;
  readonly region: string;
  /** The app's own DynamoDB table (builds, releases, claims), which the shared control plane reads and writes. */
  readonly table: string;
  /** Name of the control plane that serves the app (its cluster's name). */
  readonly controlPlane: string;
  /** ECS cluster ARN (ECS takes a name too, EventBridge Scheduler's ECS targets do not). */
  readonly cluster: string;
  readonly imageRepositoryUri: string;
  readonly codeBuildProject: string;
  readonly subnets: readonly string[];
  readonly securityGroups: readonly string[];
  readonly assignPublicIp: boolean;
  readonly capacityProviderStrategy: readonly ecs.CapacityProviderStrategy[];
  readonly executionRoleArn: string;
  readonly taskRoleArn: string;
  /** Name of the app's log group. */
  readonly logGroup: string;
  /** Target group of the `web` process, when it has one. */
  readonly webTargetGroupArn?: string;
  /**
   * Config values every process gets as ECS `secrets` (`valueFrom` a Parameter Store ARN under
   * `/<prefix>/apps/<app>/config/`), e.g. the `DATABASE_URL` of the app's database.
   */
  readonly secrets?: readonly { readonly name: string; readonly valueFrom: string }[];
}

/**
 * The app's settings record (see domain/settings.ts): per process type the task-definition
 * template, desired count and autoscaling range; the network, capacity and release phase. Pure: the
 * stack passes CDK tokens, tests pass plain strings.
 */
export function buildAppSettings(s: AppSettingsSources): AppSettingsInput {
  const { app } = s;
  const schedule = scaleScheduleOf(app);
  return {
    app: app.name,
    region: s.region,
    table: s.table,
    controlPlane: s.controlPlane,
    configDebounceSeconds: app.configDebounceSeconds,
    cluster: s.cluster,
    imageRepositoryUri: s.imageRepositoryUri,
    codeBuildProject: s.codeBuildProject,
    network: { subnets: [...s.subnets], securityGroups: [...s.securityGroups], assignPublicIp: s.assignPublicIp ? 'ENABLED' : 'DISABLED' },
    capacityProviderStrategy: s.capacityProviderStrategy.map((c) => ({ capacityProvider: c.capacityProvider, weight: c.weight ?? 0, base: c.base ?? 0 })),
    release: app.releaseCommand ? { process: app.releaseProcess, command: [...app.releaseCommand] } : undefined,
    deployTimeoutSeconds: app.deployTimeoutMinutes * 60,
    schedules: (app.schedules ?? []).map((e) => ({ ...e })),
    scaleToZero: schedule ? { timeZone: schedule.timeZone, days: [...schedule.days], stopAt: schedule.stopAt, startAt: schedule.startAt } : undefined,
    processes: Object.fromEntries(
      Object.entries(app.processes).map(([name, p]) => {
        const web = name === WEB_PROCESS && s.webTargetGroupArn !== undefined;
        return [
          name,
          {
            family: taskDefinitionFamily(s.prefix, app.name, name),
            cpu: String(p.cpu),
            memory: String(p.memory),
            command: p.command ? [...p.command] : undefined,
            port: p.port,
            executionRoleArn: s.executionRoleArn,
            taskRoleArn: s.taskRoleArn,
            logGroup: s.logGroup,
            environment: p.port !== undefined ? [{ name: 'PORT', value: String(p.port) }] : [],
            secrets: (s.secrets ?? []).map((x) => ({ name: x.name, valueFrom: x.valueFrom })),
            desiredCount: p.desiredCount,
            targetGroupArn: web ? s.webTargetGroupArn : undefined,
            healthCheckGracePeriodSeconds: web ? 60 : undefined,
            autoscaling: p.autoscaling ? { min: p.autoscaling.min, max: p.autoscaling.max, cpuTarget: p.autoscaling.cpuTarget } : undefined,
          },
        ];
      }),
    ),
  };
}

