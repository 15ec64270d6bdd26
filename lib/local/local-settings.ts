import { appLogGroupName, appScopedName, codeBuildProjectName, ecsClusterName, imageRepositoryName } from '../../domain/names';
import { appSettingsSchema, type AppSettings } from '../../domain/settings';
import { buildAppSettings } from '../app-settings';
import type { AppConfig, DeploymentConfig } from '../deployment-config';

/** The simulated account the local runner names resources in. */
export interface LocalAccount {
  readonly account: string;
  readonly region: string;
}

/** The app's table in the simulated account (CloudFormation generates the real name; the settings carry it). */
export function localAppTableName(prefix: string, app: string): string {
  return `${prefix}-${app}`;
}

/**
 * The app's settings parameter as the app stack writes it ({@link buildAppSettings}, the same function),
 * with names in the simulated account where the stack would pass its resources' ARNs: its table, and the
 * control plane of its cluster.
 */
export function localAppSettings(config: DeploymentConfig, app: AppConfig, acct: LocalAccount): AppSettings {
  const { account, region } = acct;
  const prefix = config.prefix;
  const web = app.processes.web;
  return appSettingsSchema.parse(
    buildAppSettings({
      prefix,
      app,
      region,
      table: localAppTableName(prefix, app.name),
      controlPlane: app.cluster,
      cluster: `arn:aws:ecs:${region}:${account}:cluster/${ecsClusterName(prefix, app.cluster)}`,
      imageRepositoryUri: `${account}.dkr.ecr.${region}.amazonaws.com/${imageRepositoryName(prefix, app.name)}`,
      codeBuildProject: codeBuildProjectName(prefix, app.name),
      subnets: ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002', 'subnet-0a1b2c3d4e5f60003'],
      securityGroups: ['sg-0a1b2c3d4e5f60001'],
      assignPublicIp: true,
      capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1, base: 0 }],
      executionRoleArn: `arn:aws:iam::${account}:role/${prefix}-${appScopedName(app.name, 'execution')}`,
      taskRoleArn: `arn:aws:iam::${account}:role/${prefix}-${appScopedName(app.name, 'task')}`,
      logGroup: appLogGroupName(prefix, app.name),
      webTargetGroupArn: web?.port ? `arn:aws:elasticloadbalancing:${region}:${account}:targetgroup/${app.name}-web/0123456789abcdef` : undefined,
    }),
  );
}
