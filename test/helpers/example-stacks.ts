import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { loadDeploymentConfig, type AppConfig, type DeploymentConfig } from '../../lib/deployment-config';
import type { AppStackProps } from '../../lib/stacks/app-stack';
import { RunCache, SYNTH_ENV } from './run-folders';

/**
 * The example config's stacks, synthesized once per jest run and shared by every test file that reads
 * their templates (a per-run, per-worker fixture: like test/helpers/asl-validator.ts, kept in memory for
 * the test file and on disk, in the folder named by `SYNTH_ENV`, for the rest of the run).
 *
 * Why: synthesizing the example app with its cluster and database stacks is the most expensive setup of
 * the stack suites, and test/lib/app-stack.test.ts, app-monitoring.test.ts, cli-permissions.test.ts and
 * test/statemachines/failure-alerts.test.ts each did it again for the same config. jest gives every test
 * file fresh modules, so an in-memory cache alone would not outlive the file; a template is plain JSON and
 * `Template.fromJSON` of it asserts exactly as `Template.fromStack` of the stack did.
 *
 * The stacks are built as bin/slipway-app.ts builds them (same construct IDs, the app's cluster, the
 * database stack the app names) without bundling (no esbuild: `aws:cdk:bundling-stacks` is empty).
 * Tests that need the construct objects (a `Stack`, the CDK `App`) synthesize their own.
 */
export const EXAMPLE_CONFIG_FILE = join(__dirname, '..', '..', 'config', 'example.json');

/** The example config as the tests load it (config/example.json). */
export const exampleConfig: DeploymentConfig = loadDeploymentConfig(EXAMPLE_CONFIG_FILE);

/** The example config's app named `example`. */
export const exampleApp: AppConfig = exampleConfig.apps.find((a) => a.name === 'example')!;

/** The templates of one synthesis: the app's stack, its cluster's stack and its database's, if it names one. */
export interface SynthesizedApp {
  readonly app: Template;
  readonly cluster: Template;
  readonly database?: Template;
}

/** The AppStack properties a test may set beyond the app's config. */
export type AppStackExtras = Pick<Partial<AppStackProps>, 'listenerPriority'>;

type Stored = { app: unknown; cluster: unknown; database?: unknown };

/** This test file's syntheses, and the run's (written by whichever test file synthesized first). */
const synthesized = new Map<string, Stored>();
const synthesizedEarlier = new RunCache<Stored>(SYNTH_ENV);

function synthesize(config: DeploymentConfig, app: AppConfig, extra: AppStackExtras): Stored {
  // Loaded here, not at the top: a test file that finds the templates on disk never loads the stacks'
  // modules (most of aws-cdk-lib), which is a good part of what a synthesis costs.
  const { App } = require('aws-cdk-lib') as typeof import('aws-cdk-lib');
  const { AppStack } = require('../../lib/stacks/app-stack') as typeof import('../../lib/stacks/app-stack');
  const { ClusterStack } = require('../../lib/stacks/cluster-stack') as typeof import('../../lib/stacks/cluster-stack');
  const { DatabaseStack } = require('../../lib/stacks/database-stack') as typeof import('../../lib/stacks/database-stack');
  const cdkApp = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const clusterConfig = config.clusters.find((c) => c.name === app.cluster);
  if (!clusterConfig) throw new Error(`app ${app.name} names cluster ${app.cluster}, which the config does not have`);
  const cluster = new ClusterStack(cdkApp, `Slipway-Cluster-${clusterConfig.name}`, { prefix: config.prefix, config: clusterConfig });
  const dbConfig = config.databases.find((d) => d.name === app.database);
  const database = dbConfig ? new DatabaseStack(cdkApp, `Slipway-Database-${dbConfig.name}`, { prefix: config.prefix, config: dbConfig, cluster }) : undefined;
  const stack = new AppStack(cdkApp, `Slipway-App-${app.name}`, { prefix: config.prefix, app, cluster, ...(database ? { database: database.endpoint } : {}), ...extra });
  const assembly = cdkApp.synth();
  const template = (s: { artifactId: string }) => assembly.getStackArtifact(s.artifactId).template as unknown;
  return { app: template(stack), cluster: template(cluster), ...(database ? { database: template(database) } : {}) };
}

/**
 * The templates of `app` (default: the example app) synthesized with `config` (default: the example
 * config) and `extra` AppStack properties; each distinct combination is synthesized once per jest run.
 * Each call returns new `Template` objects, so a test cannot change what the next one reads.
 */
export function synthesizeApp(app: AppConfig = exampleApp, extra: AppStackExtras = {}, config: DeploymentConfig = exampleConfig): SynthesizedApp {
  const key = JSON.stringify([config, app, extra]);
  let templates = synthesized.get(key) ?? synthesizedEarlier.get(key);
  if (!templates) {
    templates = synthesize(config, app, extra);
    synthesizedEarlier.set(key, templates);
  }
  synthesized.set(key, templates);
  const { app: appTemplate, cluster, database } = templates;
  return {
    app: Template.fromJSON(structuredClone(appTemplate) as Record<string, unknown>),
    cluster: Template.fromJSON(structuredClone(cluster) as Record<string, unknown>),
    ...(database ? { database: Template.fromJSON(structuredClone(database) as Record<string, unknown>) } : {}),
  };
}
