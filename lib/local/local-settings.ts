import type { AppConfig, SlipwayConfig } from '../config';
import type { AppSettings } from '../../functions/shared/settings';
import { serviceName } from '../pipeline-contract';

/** Names the simulated account gives the app's resources (the app stack makes real ones). */
export interface LocalAccount {
  readonly account: string;
  readonly region: string;
}

/** The app's settings record as the app stack would write it, with the simulated account's ARNs. */
export function localAppSettings(config: SlipwayConfig, app: AppConfig, acct: LocalAccount): AppSettings {
  const { account, region } = acct;
  const prefix = config.prefix;
  const processes: AppSettings['processes'] = {};
  for (const [name, p] of Object.entries(app.processes)) {
    processes[name] = {
      family: `${prefix}-${app.name}-${name}`,
      cpu: String(p.cpu),
      memory: String(p.memory),
      command: p.command,
      port: p.port,
      executionRoleArn: `arn:aws:iam::${account}:role/${prefix}-${app.name}-execution`,
      taskRoleArn: `arn:aws:iam::${account}:role/${prefix}-${app.name}-task`,
      logGroup: `/${prefix}/${app.name}/app`,
      environment: [],
      secrets: [],
      desiredCount: p.desiredCount,
      targetGroupArn: name === 'web' && p.port ? `arn:aws:elasticloadbalancing:${region}:${account}:targetgroup/${app.name}-web/0123456789abcdef` : undefined,
      autoscaling: p.autoscaling,
    };
  }
  return {
    app: app.name,
    region,
    cluster: `arn:aws:ecs:${region}:${account}:cluster/${prefix}-${app.cluster}`,
    imageRepositoryUri: `${account}.dkr.ecr.${region}.amazonaws.com/${prefix}/${app.name}`,
    codeBuildProject: `${prefix}-${app.name}`,
    network: { subnets: ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002', 'subnet-0a1b2c3d4e5f60003'], securityGroups: ['sg-0a1b2c3d4e5f60001'], assignPublicIp: 'ENABLED' },
    capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1, base: 0 }],
    release: app.releaseCommand ? { process: app.releaseProcess, command: app.releaseCommand } : undefined,
    deployTimeoutSeconds: app.deployTimeoutMinutes * 60,
    processes,
  };
}

export { serviceName };
