import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { join } from 'node:path';
import { loadConfig } from '../../lib/config';
import { AppStack } from '../../lib/stacks/app-stack';
import { ClusterStack } from '../../lib/stacks/cluster-stack';
import { DatabaseStack } from '../../lib/stacks/database-stack';
import type { LocalRun } from '../../lib/local/runner';
import { buildEvent, exampleWorld, ROOT, runBuild } from './scenarios';

/**
 * The milestone events the pipelines emit in local runs, matched against the EventBridge rules the app
 * stack synthesizes for its alarm topic: failures reach the topic, everything else does not.
 */

type Pattern = { [key: string]: string[] | Pattern };

/** EventBridge matching for the subset the rules use: every key present, each value one of the listed strings. */
function matches(pattern: Pattern, event: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([key, expected]) => {
    const value = event[key];
    if (Array.isArray(expected)) {
      expect(expected.every((x) => typeof x === 'string')).toBe(true); // no operators the helper ignores
      return typeof value === 'string' && expected.includes(value);
    }
    return typeof value === 'object' && value !== null && matches(expected, value as Record<string, unknown>);
  });
}

let rules: { name: string; pattern: Pattern; paths: string[] }[];

beforeAll(() => {
  const config = loadConfig(join(ROOT, 'config/example.json'));
  const cdkApp = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const cluster = new ClusterStack(cdkApp, 'Cluster', { prefix: config.prefix, config: config.clusters[0] });
  const app = config.apps.find((a) => a.name === 'example')!;
  const dbConfig = config.databases.find((d) => d.name === app.database);
  const database = dbConfig ? new DatabaseStack(cdkApp, 'Database', { prefix: config.prefix, config: dbConfig, cluster }).endpoint : undefined;
  const stack = new AppStack(cdkApp, 'App', { prefix: config.prefix, app, cluster, database });
  const resources = Template.fromStack(stack).findResources('AWS::Events::Rule', { Properties: { EventPattern: { source: ['slipway'] } } });
  // The failure rules (they format a message); the app's Deploy Succeeded rule starts the schedules sync.
  rules = Object.values(resources).filter((r) => r.Properties.Targets[0].InputTransformer).map((r) => ({
    name: r.Properties.Name as string,
    pattern: r.Properties.EventPattern as Pattern,
    paths: Object.values(r.Properties.Targets[0].InputTransformer.InputPathsMap as Record<string, string>),
  }));
});

/** The emitted events as EventBridge delivers them, and the names of the rules each matches. */
function routed(run: LocalRun) {
  return run.report().events.map((e) => {
    const event = { source: e.source, 'detail-type': e.detailType, detail: e.detail };
    return { detailType: e.detailType, event, rules: rules.filter((r) => matches(r.pattern, event)).map((r) => r.name) };
  });
}

/** Whether every input path of the rule resolves in the event (no empty fields in the e-mail). */
function resolves(paths: string[], event: Record<string, unknown>): boolean {
  return paths.every((p) => p.replace(/^\$\./, '').split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], event) !== undefined);
}

test('the app stack has the two failure rules', () => {
  expect(rules.map((r) => r.name).sort()).toEqual(['slipway-example-failed-builds', 'slipway-example-pipeline-failures']);
});

test('a successful release notifies nobody', async () => {
  const { run } = await runBuild(exampleWorld());
  expect(routed(run).flatMap((r) => r.rules)).toEqual([]);
});

test('a failed release command reaches the topic once (announced by execution-status), with every field of the message', async () => {
  // Act
  const { run } = await runBuild(exampleWorld({ release: { exitCode: 1 } }));
  const hits = routed(run).filter((r) => r.rules.length > 0);

  // Assess
  expect(hits.map((h) => [h.detailType, h.rules])).toEqual([['Release Failed', ['slipway-example-pipeline-failures']]]);
  expect(resolves(rules.find((r) => r.name === 'slipway-example-pipeline-failures')!.paths, hits[0].event)).toBe(true);
  expect(hits[0].event.detail).toMatchObject({ error: 'ReleaseFailed', cause: expect.stringContaining('exited with code 1 in container "web"') });
});

test('a circuit-breaker rollback reaches the topic (announced by execution-status), with every field of the message', async () => {
  // Act
  const { run } = await runBuild(exampleWorld({ deployments: { web: [{ outcome: 'rollsBack', afterSeconds: 60 }] } }));
  const hits = routed(run).filter((r) => r.rules.length > 0);

  // Assess
  expect(hits.map((h) => h.detailType)).toEqual(['Deploy Rolled Back']);
  expect(resolves(rules.find((r) => r.name === 'slipway-example-pipeline-failures')!.paths, hits[0].event)).toBe(true);
});

test('a failed CodeBuild build reaches the topic through the failed-builds rule, with every field of the message', async () => {
  // Act
  const { run } = await runBuild(exampleWorld(), buildEvent({ status: 'FAILED' }));

  // Assess
  const hits = routed(run).filter((r) => r.rules.length > 0);
  expect(hits.map((h) => [h.detailType, h.rules])).toEqual([['Build Recorded', ['slipway-example-failed-builds']]]);
  expect(resolves(rules.find((r) => r.name === 'slipway-example-failed-builds')!.paths, hits[0].event)).toBe(true);
});

test('another app\'s failure does not reach this app\'s topic', async () => {
  const { run } = await runBuild({ app: 'docs', release: { exitCode: 1 } }, buildEvent({ project: 'slipway-docs', status: 'FAILED' }));
  expect(routed(run).flatMap((r) => r.rules)).toEqual([]);
});
