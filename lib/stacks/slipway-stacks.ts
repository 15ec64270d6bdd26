import type { App } from 'aws-cdk-lib';
import type { DeploymentConfig } from '../deployment-config';
import { AccountStack } from './account-stack';
import { AppStack } from './app-stack';
import { ClusterStack } from './cluster-stack';
import { DatabaseStack } from './database-stack';

/** Every stack of one config, by the name of what it holds. */
export interface SlipwayStacks {
  readonly account: AccountStack;
  readonly clusters: ReadonlyMap<string, ClusterStack>;
  readonly databases: ReadonlyMap<string, DatabaseStack>;
  readonly apps: ReadonlyMap<string, AppStack>;
}

/**
 * The stacks of a validated config: one account stack, one stack per cluster, per database and per app,
 * with their deploy order. The CDK app (bin/slipway-app.ts) and the logical-ID test synthesize this.
 */
export function addSlipwayStacks(app: App, config: DeploymentConfig, options: { stateMachinesDir?: string } = {}): SlipwayStacks {
  const account = new AccountStack(app, 'Slipway-Account', { config, description: 'Slipway: account-wide event rules, the alerts key, the deploy role' });

  const clusters = new Map<string, ClusterStack>();
  for (const cluster of config.clusters) {
    const stack = new ClusterStack(app, `Slipway-Cluster-${cluster.name}`, {
      prefix: config.prefix,
      config: cluster,
      stateMachinesDir: options.stateMachinesDir,
      description: `Slipway cluster ${cluster.name} and its control plane`,
    });
    // The cluster's alerts topic uses the account's alerts key by its alias.
    stack.addStackDependency(account);
    clusters.set(cluster.name, stack);
  }

  const databases = new Map<string, DatabaseStack>();
  for (const db of config.databases) {
    const stack = new DatabaseStack(app, `Slipway-Database-${db.name}`, { prefix: config.prefix, config: db, cluster: clusters.get(db.cluster)!, description: `Slipway database ${db.name}` });
    stack.addStackDependency(account);
    databases.set(db.name, stack);
  }

  const apps = new Map<string, AppStack>();
  for (const appConfig of config.apps) {
    // The config's validation guarantees the cluster exists.
    const cluster = clusters.get(appConfig.cluster)!;
    // ... and that the database exists: the app gets its own database and role in it.
    const database = appConfig.database === undefined ? undefined : databases.get(appConfig.database)!.endpoint;
    const stack = new AppStack(app, `Slipway-App-${appConfig.name}`, { prefix: config.prefix, app: appConfig, cluster, database, listenerPriority: appConfig.listenerPriority, description: `Slipway app ${appConfig.name}` });
    // The app's alarms and subscriptions use the cluster's alerts topic, found by name.
    stack.addStackDependency(cluster);
    apps.set(appConfig.name, stack);
  }
  return { account, clusters, databases, apps };
}
