import { synthesizeApp } from '../helpers/example-stacks';
import { matchesEventPattern, type EventPattern } from '../../lib/local/event-patterns';
import type { LocalRun } from '../../lib/local/runner';
import { worldSchema } from '../../lib/local/world-schema';
import { buildEvent, exampleWorld, runBuild } from './scenarios';

/**
 * The milestone events the pipelines emit in local runs, matched against the EventBridge rules the
 * cluster's shared control plane synthesizes for its alerts topics: failures reach the topics, everything
 * else does not. Which app's subscribers hear of it is the subscriptions' filter on `detail.app`
 * (test/lib/app-monitoring.test.ts), so every message must carry the app.
 */

type Rule = { name: string; pattern: EventPattern; paths: string[] };
let rules: Rule[];

/** A synthesized pattern value with CloudFormation's pseudo parameters rendered (Fn::Join of Refs). */
function render(node: unknown, ids: { account: string; region: string }): unknown {
  if (Array.isArray(node)) return node.map((n) => render(n, ids));
  if (node === null || typeof node !== 'object') return node;
  const o = node as Record<string, unknown>;
  if (o['Fn::Join']) {
    const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
    return parts.map((p) => render(p, ids)).join(sep);
  }
  if (o.Ref === 'AWS::Partition') return 'aws';
  if (o.Ref === 'AWS::Region') return ids.region;
  if (o.Ref === 'AWS::AccountId') return ids.account;
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, render(v, ids)]));
}

beforeAll(() => {
  // The example config's cluster, synthesized once per run for every suite that reads it.
  const { cluster } = synthesizeApp();
  const resources = cluster.findResources('AWS::Events::Rule', { Properties: { EventPattern: { source: ['slipway'] } } });
  // The simulated account of a world that names none (lib/local/world-schema.ts defaults).
  const { account, region } = worldSchema.parse({});
  const ids = { account, region };
  // The failure rules (they format a message); the Deploy Succeeded rule starts the schedules sync.
  rules = Object.values(resources)
    .filter((r) => r.Properties.Targets[0].InputTransformer)
    .map((r) => ({
      name: r.Properties.Name as string,
      pattern: render(r.Properties.EventPattern, ids) as EventPattern,
      paths: Object.values(r.Properties.Targets[0].InputTransformer.InputPathsMap as Record<string, string>),
    }));
});

/** The emitted events as EventBridge delivers them, and the names of the rules each matches. */
function routed(run: LocalRun) {
  return run.report().events.map((e) => {
    const event = { source: e.source, 'detail-type': e.detailType, detail: e.detail };
    return { detailType: e.detailType, event, rules: rules.filter((r) => matchesEventPattern(r.pattern, event)).map((r) => r.name) };
  });
}

/** Whether every input path of the rule resolves in the event (no empty fields in the e-mail). */
function resolves(paths: string[], event: Record<string, unknown>): boolean {
  return paths.every((p) => p.replace(/^\$\./, '').split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], event) !== undefined);
}

test('the cluster stack has the two failure rules, shared by its apps', () => {
  expect(rules.map((r) => r.name).sort()).toEqual(['slipway-production-failed-builds', 'slipway-production-pipeline-failures']);
  for (const r of rules) expect(r.paths).toContain('$.detail.app');
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
  expect(hits.map((h) => [h.detailType, h.rules])).toEqual([['Release Failed', ['slipway-production-pipeline-failures']]]);
  expect(resolves(rules.find((r) => r.name === 'slipway-production-pipeline-failures')!.paths, hits[0].event)).toBe(true);
  expect(hits[0].event.detail).toMatchObject({ error: 'ReleaseFailed', cause: expect.stringContaining('exited with code 1 in container "web"') });
});

test('a circuit-breaker rollback reaches the topic (announced by execution-status), with every field of the message', async () => {
  // Act
  const { run } = await runBuild(exampleWorld({ deployments: { web: [{ outcome: 'rollsBack', afterSeconds: 60 }] } }));
  const hits = routed(run).filter((r) => r.rules.length > 0);

  // Assess
  expect(hits.map((h) => h.detailType)).toEqual(['Deploy Rolled Back']);
  expect(resolves(rules.find((r) => r.name === 'slipway-production-pipeline-failures')!.paths, hits[0].event)).toBe(true);
});

test('a failed CodeBuild build reaches the topic through the failed-builds rule, with every field of the message', async () => {
  // Act
  const { run } = await runBuild(exampleWorld(), buildEvent({ status: 'FAILED' }));

  // Assess
  const hits = routed(run).filter((r) => r.rules.length > 0);
  expect(hits.map((h) => [h.detailType, h.rules])).toEqual([['Build Recorded', ['slipway-production-failed-builds']]]);
  expect(resolves(rules.find((r) => r.name === 'slipway-production-failed-builds')!.paths, hits[0].event)).toBe(true);
});

test('a build whose release name another build of the app holds (the app created again within 90 days) reaches the topic as Build Failed, ExecutionNameTaken', async () => {
  // Act: build 42, then build 42 of a re-created project (another build id)
  const { run } = await runBuild(exampleWorld());
  const again = buildEvent();
  (again.detail as Record<string, unknown>)['build-id'] = 'arn:aws:codebuild:us-east-1:123456789012:build/slipway-example:0b7e6a52-1d3c-4e8f-9a2b-3c4d5e6f7a8b';
  await run.run('build', again);

  // Assess
  const hits = routed(run).filter((r) => r.rules.length > 0);
  expect(hits.map((h) => [h.detailType, h.rules, (h.event.detail as { error?: string }).error])).toEqual([['Build Failed', ['slipway-production-pipeline-failures'], 'ExecutionNameTaken']]);
  expect(resolves(rules.find((r) => r.name === 'slipway-production-pipeline-failures')!.paths, hits[0].event)).toBe(true);
});

test('another app\'s failure reaches the shared rule with its own app in the message (the subscriptions filter on it)', async () => {
  const { run } = await runBuild({ app: 'docs', release: { exitCode: 1 } }, buildEvent({ project: 'slipway-docs', status: 'FAILED' }));
  const hits = routed(run).filter((r) => r.rules.length > 0);
  expect(hits.map((h) => [h.detailType, h.rules, (h.event.detail as { app: string }).app])).toEqual([['Build Recorded', ['slipway-production-failed-builds'], 'docs']]);
});

describe('a superseded deploy is not a failure (issue 22)', () => {
  /** The deploy-failed alarm's metrics (ExecutionsFailed, ExecutionsTimedOut of the deploy state machine), as synthesized. */
  function deployAlarmMetrics(): string[] {
    const { cluster } = synthesizeApp();
    const alarms = Object.values(cluster.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: 'slipway-production-deploy-failed' } }));
    expect(alarms).toHaveLength(1);
    return (alarms[0].Properties.Metrics as { MetricStat?: { Metric: { MetricName: string } } }[]).flatMap((m) => (m.MetricStat ? [m.MetricStat.Metric.MetricName] : [])).sort();
  }

  test('an older build whose deploy a newer build overtook: SUCCEEDED, no Deploy Failed milestone, no rule matches, no FAILED status event', async () => {
    // Act: build 41 reaches its deploy while build 42 holds the app.
    const { run } = await runBuild(exampleWorld({ newerBuild: { build: '42' } }), buildEvent({ build: 41 }));
    const deploy = run.executions.find((e) => e.stateMachine === 'deploy');

    // Assess
    expect([deploy?.status, deploy?.output]).toEqual(['SUCCEEDED', expect.objectContaining({ outcome: 'superseded', supersededBy: '42' })]);
    expect(routed(run).filter((r) => r.rules.length > 0)).toEqual([]);
    expect(run.report().events.map((e) => e.detailType)).not.toContain('Deploy Failed');
    expect(run.statusEvents.filter((e) => e.detail.status !== 'RUNNING' && e.detail.status !== 'SUCCEEDED')).toEqual([]);
    // The alarm counts only failed and timed-out executions: a SUCCEEDED one never raises it.
    expect(deployAlarmMetrics()).toEqual(['ExecutionsFailed', 'ExecutionsTimedOut']);
  });

  test('a redrive that a rollback overtook ends SUCCEEDED with nothing announced after the redrive but "Deploy Redriven"', async () => {
    const { run } = await runBuild({ app: 'example', services: { web: { build: '40' }, worker: { build: '40' } }, deployments: { web: [{ outcome: 'rollsBack', afterSeconds: 60 }] } });
    const failed = run.executions.find((e) => e.stateMachine === 'deploy')!;
    const revisions = (p: string) => run.world.revisions.get(`slipway-example--${p}`)!.find((r) => r.taskDefinition.containerDefinitions?.[0]?.image?.endsWith(':build-40'))!.taskDefinition.taskDefinitionArn!;
    const build40 = { buildKey: '40', sortKey: '0000000040', image: 'x:build-40', commit: '0'.repeat(40) };
    await run.run('deploy', { app: 'example', table: run.world.settings.table, build: build40, processes: ['web', 'worker'].map((name) => ({ name, taskDefinitionArn: revisions(name) })), force: true, deployTimeoutSeconds: 1800 }, 'example--40-rollback-1');
    const before = run.report().events.length;

    await run.redrive(failed);

    expect(failed.status).toBe('SUCCEEDED');
    expect(run.report().events.slice(before).map((e) => e.detailType)).toEqual(['Deploy Redriven']);
    expect(routed(run).slice(before).filter((r) => r.rules.length > 0)).toEqual([]);
  });
});
