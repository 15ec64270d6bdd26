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
 * `Template.fromJSON` of it asserts exactly as `Template.fromStack` of the stack did. The example app's
 * synthesis also keeps what cdk-nag finds in its stacks ({@link exampleNagFindings}): cdk-nag walks the
 * construct objects, which exist only while that synthesis runs.
 *
 * Variants of an app that only a test file reads are synthesized together instead ({@link synthesizeApps}):
 * one cluster stack beside all of them costs little more than one synthesis.
 *
 * The stacks are built as bin/slipway-app.ts builds them (same construct IDs, the app's cluster, the
 * database stack the app names) in a {@link stackTestApp}.
 * Tests that need the construct objects (a `Stack`, the CDK `App`) build their own.
 */
export const EXAMPLE_CONFIG_FILE = join(__dirname, '..', '..', 'config', 'example.json');

/**
 * A CDK app for the stack tests: no bundling (there is no Docker, and esbuild is not worth its time here:
 * `NodejsFunction` skips bundling for stacks not listed in `aws:cdk:bundling-stacks`), and no tree
 * metadata (the assembly's tree.json, which no test reads and which costs a fifth of a synthesis).
 * Neither changes a template.
 */
export function stackTestApp(): import('aws-cdk-lib').App {
  // Loaded here, not at the top, for the same reason as in synthesize().
  const { App } = require('aws-cdk-lib') as typeof import('aws-cdk-lib');
  // The account stack uploads the built dashboard when a config signs people in: a stand-in folder here.
  return new App({ context: { 'aws:cdk:bundling-stacks': [], 'slipway:dashboardDir': require('node:path').join(__dirname, '..', 'fixtures', 'dashboard-web') }, treeMetadata: false });
}

/** The example config as the tests load it (config/example.json). */
export const exampleConfig: DeploymentConfig = loadDeploymentConfig(EXAMPLE_CONFIG_FILE);

/** The example config's app named `example`. */
export const exampleApp: AppConfig = exampleConfig.apps.find((a) => a.name === 'example')!;

/** The templates of one synthesis: the app's stack, its cluster's stack and its database's, if it names one. */
export interface SynthesizedApp {
  readonly app: Template;
  readonly cluster: Template;
  readonly database?: Template;
  /** The IDs of the stacks the app's stack depends on, as the cloud assembly lists them. */
  readonly appDependencies: readonly string[];
}

/** cdk-nag AwsSolutions findings, one line each: the rule, then the paths of the constructs it flags. */
export interface NagFindings {
  /** On the example app's stack. */
  readonly app: string[];
  /** On the database stack the example app names, with the app attached. */
  readonly database: string[];
}

/** The AppStack properties a test may set beyond the app's config. */
export type AppStackExtras = Pick<Partial<AppStackProps>, 'listenerPriority'>;

type Stored = { app: unknown; cluster: unknown; database?: unknown; appDependencies: string[]; nag?: NagFindings };

/** This test file's syntheses, and the run's (written by whichever test file synthesized first). */
const synthesized = new Map<string, Stored>();
const synthesizedEarlier = new RunCache<Stored>(SYNTH_ENV);

/**
 * Synthesizes, in one CDK app, the stacks bin/slipway-app.ts builds for each of `apps`: an app stack per
 * app (stack name `Slipway-App-<name>`; its construct ID too, with `-<index>` added for a later app of the
 * same name), and the cluster and database stacks the apps name, once each. The templates are plain JSON;
 * with `nag`, cdk-nag AwsSolutions then checks the first app's stack and its database's.
 */
function synthesize(config: DeploymentConfig, apps: readonly AppConfig[], extra: AppStackExtras, nag = false): Stored[] {
  // Loaded here, not at the top: a test file that finds the templates on disk never loads the stacks'
  // modules (most of aws-cdk-lib), which is a good part of what a synthesis costs.
  const { AppStack } = require('../../lib/stacks/app-stack') as typeof import('../../lib/stacks/app-stack');
  const { ClusterStack } = require('../../lib/stacks/cluster-stack') as typeof import('../../lib/stacks/cluster-stack');
  const { DatabaseStack } = require('../../lib/stacks/database-stack') as typeof import('../../lib/stacks/database-stack');
  const cdkApp = stackTestApp();
  const clusters = new Map<string, InstanceType<typeof ClusterStack>>();
  const databases = new Map<string, InstanceType<typeof DatabaseStack>>();
  const clusterStack = (name: string) => {
    const clusterConfig = config.clusters.find((c) => c.name === name);
    if (!clusterConfig) throw new Error(`an app names cluster ${name}, which the config does not have`);
    if (!clusters.has(name)) clusters.set(name, new ClusterStack(cdkApp, `Slipway-Cluster-${name}`, { prefix: config.prefix, config: clusterConfig }));
    return clusters.get(name)!;
  };
  const databaseStack = (name: string | undefined) => {
    const dbConfig = config.databases.find((d) => d.name === name);
    if (!dbConfig) return undefined;
    if (!databases.has(dbConfig.name)) databases.set(dbConfig.name, new DatabaseStack(cdkApp, `Slipway-Database-${dbConfig.name}`, { prefix: config.prefix, config: dbConfig, cluster: clusterStack(dbConfig.cluster) }));
    return databases.get(dbConfig.name)!;
  };
  const appStacks = apps.map((app, i) => {
    const cluster = clusterStack(app.cluster);
    const database = databaseStack(app.database);
    const stackName = `Slipway-App-${app.name}`;
    const id = apps.findIndex((a) => a.name === app.name) === i ? stackName : `${stackName}-${i}`;
    return new AppStack(cdkApp, id, { stackName, prefix: config.prefix, app, cluster, ...(database ? { database: database.endpoint } : {}), ...extra });
  });

  const assembly = cdkApp.synth();
  const template = (stack: { artifactId: string }) => assembly.getStackArtifact(stack.artifactId).template as unknown;
  const stored = apps.map((app, i): Stored => {
    const database = databaseStack(app.database);
    return {
      app: template(appStacks[i]),
      cluster: template(clusterStack(app.cluster)),
      ...(database ? { database: template(database) } : {}),
      appDependencies: assembly.getStackArtifact(appStacks[i].artifactId).dependencies.map((d) => d.id),
    };
  });
  if (nag) {
    const { AwsSolutionsChecks } = require('cdk-nag') as typeof import('cdk-nag');
    const check = (stack: import('aws-cdk-lib').Stack) =>
      new AwsSolutionsChecks(stack).validateScope(stack).violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
    const database = databaseStack(apps[0].database);
    stored[0].nag = { app: check(appStacks[0]), database: database ? check(database) : [] };
  }
  return stored;
}

/** A new `Template` of `json`: a copy, so a test cannot change what the next one reads. */
const templateOf = (json: unknown): Template => Template.fromJSON(structuredClone(json) as Record<string, unknown>);

/**
 * The templates of one synthesis, each made when first read: a `Template` checks its JSON for cycles,
 * which a test that reads only the app's template need not pay for the cluster's.
 */
class StoredTemplates implements SynthesizedApp {
  private readonly made = new Map<'app' | 'cluster' | 'database', Template>();

  constructor(private readonly stored: Stored) {}

  private template(which: 'app' | 'cluster' | 'database'): Template {
    if (!this.made.has(which)) this.made.set(which, templateOf(this.stored[which]));
    return this.made.get(which)!;
  }

  get app(): Template {
    return this.template('app');
  }

  get cluster(): Template {
    return this.template('cluster');
  }

  get database(): Template | undefined {
    return this.stored.database === undefined ? undefined : this.template('database');
  }

  get appDependencies(): readonly string[] {
    return [...this.stored.appDependencies];
  }
}

const EXAMPLE_KEY = JSON.stringify([exampleConfig, exampleApp, {}]);

/** What one synthesis of `app` with `config` and `extra` stored: this test file's, the run's, or a new one. */
function storedSynthesis(app: AppConfig, extra: AppStackExtras, config: DeploymentConfig): Stored {
  const key = JSON.stringify([config, app, extra]);
  let stored = synthesized.get(key) ?? synthesizedEarlier.get(key);
  if (!stored) {
    // The example app's stacks are the ones cdk-nag checks (exampleNagFindings): while they exist as objects.
    [stored] = synthesize(config, [app], extra, key === EXAMPLE_KEY);
    synthesizedEarlier.set(key, stored);
  }
  synthesized.set(key, stored);
  return stored;
}

/**
 * The templates of `app` (default: the example app) synthesized with `config` (default: the example
 * config) and `extra` AppStack properties; each distinct combination is synthesized once per jest run.
 * Each call returns new `Template` objects, so a test cannot change what the next one reads.
 */
export function synthesizeApp(app: AppConfig = exampleApp, extra: AppStackExtras = {}, config: DeploymentConfig = exampleConfig): SynthesizedApp {
  return new StoredTemplates(storedSynthesis(app, extra, config));
}

/**
 * cdk-nag AwsSolutions' findings on the example app's stack and on its database's (with the app attached),
 * after the synthesis {@link synthesizeApp} shares: checked once per jest run.
 */
export function exampleNagFindings(): NagFindings {
  const { nag } = storedSynthesis(exampleApp, {}, exampleConfig);
  if (!nag) throw new Error('the example app\'s synthesis kept no cdk-nag findings');
  return nag;
}

/**
 * The app stack templates of several variants of an app (or several apps), by the caller's name for each:
 * synthesized together, in one CDK app with one stack per cluster and per database they name, which costs
 * little more than one synthesis (the cluster's stack is most of it). An app stack's template does not
 * depend on the other app stacks beside it (example-stacks.test.ts checks it against {@link synthesizeApp});
 * the cluster's does (its exports), which is why only the app stacks' templates are given.
 */
export function synthesizeApps<K extends string>(apps: Readonly<Record<K, AppConfig>>, config: DeploymentConfig = exampleConfig): Record<K, Template> {
  const names = Object.keys(apps) as K[];
  const stored = synthesize(config, names.map((name) => apps[name]), {});
  return Object.fromEntries(names.map((name, i) => [name, templateOf(stored[i].app)])) as Record<K, Template>;
}
