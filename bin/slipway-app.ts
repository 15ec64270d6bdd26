#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError, loadConfig, type SlipwayConfig } from '../lib/config';
import { AccountStack } from '../lib/stacks/account-stack';
import { AppStack } from '../lib/stacks/app-stack';
import { ClusterStack } from '../lib/stacks/cluster-stack';
import { DatabaseStack } from '../lib/stacks/database-stack';

/**
 * The CDK app: one account stack, one stack per cluster, per database and per app, built from the validated
 * config named by the `slipway:config` context key. Stacks are environment-agnostic (no `env`), so
 * `cdk synth` works offline without credentials; `cdk deploy` uses the CLI's account and region.
 */

const CONFIG_CONTEXT_KEY = 'slipway:config';
/** Another folder of state machine definitions (e.g. a test fixture): the repository's statemachines/ by default. */
const STATE_MACHINES_CONTEXT_KEY = 'slipway:statemachines';
const DEFAULT_CONFIG = 'config/example.json';

function readConfig(app: App): SlipwayConfig {
  const file = (app.node.tryGetContext(CONFIG_CONTEXT_KEY) as string | undefined) ?? DEFAULT_CONFIG;
  try {
    return loadConfig(file);
  } catch (e) {
    if (e instanceof ConfigError) {
      // One line a person can act on, no stack trace.
      process.stderr.write(`${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
}

const app = new App();
const config = readConfig(app);
const stateMachinesDir = app.node.tryGetContext(STATE_MACHINES_CONTEXT_KEY) as string | undefined;

const account = new AccountStack(app, 'Slipway-Account', { config, description: 'Slipway: account-wide event rules, the alerts key, the deploy role' });

const clusters = new Map<string, ClusterStack>();
for (const cluster of config.clusters) {
  clusters.set(
    cluster.name,
    new ClusterStack(app, `Slipway-Cluster-${cluster.name}`, { prefix: config.prefix, config: cluster, stateMachinesDir, description: `Slipway cluster ${cluster.name} and its control plane` }),
  );
  // The cluster's alerts topic uses the account's alerts key by its alias.
  clusters.get(cluster.name)!.addStackDependency(account);
}

const databases = new Map<string, DatabaseStack>();
for (const db of config.databases) {
  const stack = new DatabaseStack(app, `Slipway-Database-${db.name}`, { prefix: config.prefix, config: db, cluster: clusters.get(db.cluster)!, description: `Slipway database ${db.name}` });
  stack.addStackDependency(account);
  databases.set(db.name, stack);
}

for (const appConfig of config.apps) {
  // The config's validation guarantees the cluster exists.
  const cluster = clusters.get(appConfig.cluster)!;
  // ... and that the database exists: the app gets its own database and role in it.
  const database = appConfig.database === undefined ? undefined : databases.get(appConfig.database)!.endpoint;
  const stack = new AppStack(app, `Slipway-App-${appConfig.name}`, { prefix: config.prefix, app: appConfig, cluster, database, description: `Slipway app ${appConfig.name}` });
  // The app's alarms and subscriptions use the cluster's alerts topic, found by name.
  stack.addStackDependency(cluster);
}

// cdk-nag AwsSolutions over every stack: a finding fails synth; each acknowledgement carries its reason in code.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
