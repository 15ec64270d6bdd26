import { randomUUID } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { LocalRun, type ExecutionReport } from '../../lib/local/runner';
import type { WorldFile } from '../../lib/local/world-schema';
import { executionsOf, parameterEvent } from './config-scenarios';
import { buildEvent, ROOT } from './scenarios';

/**
 * Several apps in one simulated account, served by ONE shared control plane (the five state machines of
 * the cluster "production"): the example app (web, worker, a release command) and the docs app (web, no
 * release command), so both have a process type named "web". Each test runs their pipelines side by
 * side on the same simulated clock and checks that nothing of one app reaches the other.
 */

type Item = Record<string, AttributeValue>;

const TWO_APPS: WorldFile = { app: 'example', apps: ['example', 'docs'] };
const REPO = (app: string) => `123456789012.dkr.ecr.us-east-1.amazonaws.com/slipway/${app}`;

/** The CodeBuild SUCCEEDED event of build `build` of an app's project `slipway-<app>` (its own event id and build id). */
function appBuildEvent(app: string, build: number): Record<string, unknown> {
  const event = buildEvent({ project: `slipway-${app}`, build });
  const stream = randomUUID();
  const buildId = `arn:aws:codebuild:us-east-1:123456789012:build/slipway-${app}:${stream}`;
  const detail = event.detail as Record<string, Record<string, unknown>>;
  event.id = randomUUID();
  event.resources = [buildId];
  (detail as Record<string, unknown>)['build-id'] = buildId;
  detail['additional-information'].logs = {
    'group-name': `/aws/codebuild/slipway-${app}`,
    'stream-name': stream,
    'deep-link': `https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#logEvent:group=/aws/codebuild/slipway-${app};stream=${stream}`,
  };
  return event;
}

/** Both apps' builds start 5 simulated seconds apart and run side by side to the end. */
async function twoBuilds(world: WorldFile = TWO_APPS): Promise<LocalRun> {
  const run = new LocalRun(world, ROOT);
  run.at(0, 'example build 42 succeeds', () => run.startConcurrently('build', appBuildEvent('example', 42)));
  run.at(5, 'docs build 7 succeeds', () => run.startConcurrently('build', appBuildEvent('docs', 7)));
  await run.runScheduled();
  return run;
}

function items(run: LocalRun, app: string): Item[] {
  return run.world.tableOf(app).all();
}

function byName(run: LocalRun, name: string): ExecutionReport | undefined {
  return run.executions.find((e) => e.name === name);
}

/** Every string anywhere in the items (keys and attribute values). */
function strings(list: Item[]): string[] {
  return list.flatMap((i) => JSON.stringify(i).match(/"[^"]*"/g) ?? []);
}

describe('two apps building and deploying side by side', () => {
  let run: LocalRun;
  beforeAll(async () => {
    run = await twoBuilds();
  });

  test('each app goes through the shared state machines under its own execution names, and both deploys succeed', () => {
    expect(run.executions.filter((e) => e.stateMachine !== 'build').map((e) => [e.name, e.status]).sort()).toEqual([
      ['docs--7-deploy', 'SUCCEEDED'],
      ['docs--7-release', 'SUCCEEDED'],
      ['example--42-deploy', 'SUCCEEDED'],
      ['example--42-release', 'SUCCEEDED'],
    ]);
    expect(new Set(run.executions.map((e) => e.arn.split(':')[6]))).toEqual(new Set(['slipway-production-build', 'slipway-production-release', 'slipway-production-deploy']));
    // They ran interleaved: docs' deploy started before example's ended.
    expect(byName(run, 'docs--7-deploy')?.startedAt).toBeLessThan(byName(run, 'example--42-deploy')?.endedAt ?? 0);
    expect(run.executions.filter((e) => e.stateMachine !== 'build').every((e) => (e.input as { app?: string }).app === e.name.split('--')[0])).toBe(true);
  });

  test("each table holds only its app's records: builds, the current release, the deploy claim", () => {
    const example = items(run, 'example');
    const docs = items(run, 'docs');

    expect(example.filter((i) => i.pk.S === 'BUILD').map((i) => [i.sk.S, i.project?.S])).toEqual([['0000000042', 'slipway-example']]);
    expect(docs.filter((i) => i.pk.S === 'BUILD').map((i) => [i.sk.S, i.project?.S])).toEqual([['0000000007', 'slipway-docs']]);
    expect(example.find((i) => i.pk.S === 'RELEASE')?.image?.S).toBe(`${REPO('example')}:build-42`);
    expect(docs.find((i) => i.pk.S === 'RELEASE')?.image?.S).toBe(`${REPO('docs')}:build-7`);
    expect(example.find((i) => i.pk.S === 'APP' && i.sk.S === 'DEPLOY')?.execution?.S).toMatch(/:example--42-deploy$/);
    expect(docs.find((i) => i.pk.S === 'APP' && i.sk.S === 'DEPLOY')?.execution?.S).toMatch(/:docs--7-deploy$/);
    // Nothing in one table names the other app's project, repository, services or executions.
    expect(strings(example).filter((s) => /docs/.test(s))).toEqual([]);
    expect(strings(docs).filter((s) => /example/.test(s))).toEqual([]);
  });

  test("the same process type 'web' is two services, each on its own app's family and image", () => {
    const service = (name: string) => run.world.services.get(name)?.service;
    const image = (name: string) => run.world.findRevision(service(name)?.taskDefinition ?? '')?.taskDefinition.containerDefinitions?.[0]?.image;

    expect([...run.world.services.keys()].sort()).toEqual(['docs--web', 'example--web', 'example--worker']);
    expect(service('example--web')?.taskDefinition).toMatch(/task-definition\/slipway-example--web:\d+$/);
    expect(service('docs--web')?.taskDefinition).toMatch(/task-definition\/slipway-docs--web:\d+$/);
    expect([image('example--web'), image('docs--web')]).toEqual([`${REPO('example')}:build-42`, `${REPO('docs')}:build-7`]);
    expect(run.world.revisions.get('slipway-docs--web')?.every((r) => r.tags.some((t) => t.key === 'slipway:app' && t.value === 'docs'))).toBe(true);
  });

  test("the waiters are in the control table, each with its app and that app's table; none in an app table", () => {
    const waiters = run.world.controlTable.query('pk = :pk', { values: { ':pk': { S: 'WAITER' } } }, true);

    expect(waiters.map((w) => [w.serviceName?.S, w.app?.S, w.table?.S]).sort()).toEqual([
      ['docs--web', 'docs', 'slipway-docs'],
      ['example--web', 'example', 'slipway-example'],
      ['example--worker', 'example', 'slipway-example'],
    ]);
    expect([...items(run, 'example'), ...items(run, 'docs')].filter((i) => i.pk.S === 'WAITER')).toEqual([]);
  });

  test("every milestone names its app, and only that app's build and executions", () => {
    const milestones = run.world.events.filter((e) => e.source === 'slipway');

    expect(new Set(milestones.map((e) => e.detail.app))).toEqual(new Set(['example', 'docs']));
    for (const e of milestones) {
      const app = String(e.detail.app);
      expect([app, e.detail.buildKey]).toEqual([app, app === 'example' ? '42' : '7']);
      if (e.detailType !== 'Build Recorded') expect(String(e.detail.execution)).toMatch(new RegExp(`:${app}--\\d+-(release|deploy)$`));
    }
    expect(milestones.filter((e) => e.detailType === 'Deploy Succeeded').map((e) => e.detail.app).sort()).toEqual(['docs', 'example']);
  });
});

describe('config of one app', () => {
  test("a config key of docs redeploys docs only: example's services, revisions and claims are untouched", async () => {
    const run = await twoBuilds();
    const exampleDeployments = run.world.services.get('example--web')?.service.deployments?.map((d) => d.id);
    const exampleFamilies = run.world.revisions.get('slipway-example--web')?.length;

    run.at(run.world.now + 10, 'set a docs key', () => run.world.ssm.put('/slipway/apps/docs/config/API_TOKEN', 'secret'));
    await run.runScheduled();

    const change = executionsOf(run, 'config-change')[0];
    expect([change.status, (change.output as { change?: { app?: string; table?: string } }).change]).toMatchObject(['SUCCEEDED', { app: 'docs', table: 'slipway-docs' }]);
    const redeploy = executionsOf(run, 'deploy').find((e) => e.name.includes('-config-'));
    expect([(redeploy?.input as { app?: string }).app, redeploy?.status]).toEqual(['docs', 'SUCCEEDED']);
    const docsTd = run.world.findRevision(run.world.services.get('docs--web')?.service.taskDefinition ?? '');
    expect(docsTd?.taskDefinition.containerDefinitions?.[0]?.secrets?.map((s) => s.name)).toContain('API_TOKEN');
    expect(run.world.services.get('example--web')?.service.deployments?.map((d) => d.id)).toEqual(exampleDeployments);
    expect(run.world.revisions.get('slipway-example--web')?.length).toBe(exampleFamilies);
    expect(items(run, 'example').find((i) => i.pk.S === 'CONFIG')).toBeUndefined();
    expect(items(run, 'docs').find((i) => i.pk.S === 'CONFIG' && i.sk.S === 'REDEPLOY')?.lastChange?.S).toBe('/slipway/apps/docs/config/API_TOKEN');
  });

  test("a config change of docs does not wait for example's running deploy (the running check is per app)", async () => {
    const run = new LocalRun({ ...TWO_APPS, deployments: { 'example--web': [{ outcome: 'completes', afterSeconds: 900 }] } }, ROOT);
    run.at(0, 'docs build 7', () => run.startConcurrently('build', appBuildEvent('docs', 7)));
    run.at(200, 'example build 42', () => run.startConcurrently('build', appBuildEvent('example', 42)));
    run.at(300, 'a docs key changes while example deploys', () => run.startConcurrently('config-change', parameterEvent('create', '/slipway/apps/docs/config/A')));
    await run.runScheduled();

    const change = executionsOf(run, 'config-change')[0];
    expect(change.states.filter((s) => s.name === 'Wait for the running deploy')).toHaveLength(0);
    expect(change.endedAt).toBeLessThan(byName(run, 'example--42-deploy')?.endedAt ?? 0);
  });
});

describe('a failure of one app', () => {
  const failing: WorldFile = { ...TWO_APPS, deployments: { 'example--web': [{ outcome: 'rollsBack', afterSeconds: 120 }] } };

  test("app A's rolled-back deploy leaves app B's deploy SUCCEEDED, and the failure is recorded in A's table only", async () => {
    const run = await twoBuilds(failing);

    expect([byName(run, 'example--42-deploy')?.status, byName(run, 'example--42-deploy')?.error]).toEqual(['FAILED', 'DeploymentRolledBack']);
    expect(byName(run, 'docs--7-deploy')?.status).toBe('SUCCEEDED');
    expect(items(run, 'example').find((i) => i.pk.S === 'BUILD')?.pipelineError?.S).toBe('DeploymentRolledBack');
    expect(items(run, 'docs').filter((i) => i.pipelineError !== undefined)).toEqual([]);
    // execution-status gave up A's claim (in A's table) and left B's alone.
    expect(items(run, 'example').find((i) => i.pk.S === 'APP')?.execution).toBeUndefined();
    expect(items(run, 'docs').find((i) => i.pk.S === 'APP')?.execution?.S).toMatch(/:docs--7-deploy$/);
    const failures = run.world.events.filter((e) => e.detailType === 'Deploy Rolled Back');
    expect(failures.map((e) => e.detail.app)).toEqual(['example']);
  });

  test("a redrive of A re-runs only A's failed work: B's services get no new deployment", async () => {
    const run = await twoBuilds(failing);
    const docsDeployments = run.world.services.get('docs--web')?.service.deployments?.map((d) => d.id);
    const workerDeployments = run.world.services.get('example--worker')?.service.deployments?.map((d) => d.id);
    const before = run.executions.length;

    const redriven = await run.redriveAfterFix(failing, { deployments: { 'example--web': null } });

    expect([redriven.name, redriven.status, redriven.redriveCount]).toEqual(['example--42-deploy', 'SUCCEEDED', 1]);
    expect(run.executions.length).toBe(before);
    expect(run.world.services.get('docs--web')?.service.deployments?.map((d) => d.id)).toEqual(docsDeployments);
    expect(run.world.services.get('example--worker')?.service.deployments?.map((d) => d.id)).toEqual(workerDeployments);
    expect(items(run, 'example').find((i) => i.pk.S === 'RELEASE')?.buildKey?.S).toBe('42');
    expect(items(run, 'example').find((i) => i.pk.S === 'BUILD')?.pipelineError).toBeUndefined();
    expect(items(run, 'docs').find((i) => i.pk.S === 'BUILD')?.redriveCount).toBeUndefined();
  });
});

describe('the world file', () => {
  test('a hosted app that is not in the config is a named error', () => {
    expect(() => new LocalRun({ app: 'example', apps: ['example', 'nope'] }, ROOT)).toThrow('world: apps: "nope" is not in config/example.json');
  });

  test("deployments keyed by a service name must be a hosted app's service", () => {
    expect(() => new LocalRun({ app: 'example', deployments: { 'docs--web': [{ outcome: 'neverSettles' }] } }, ROOT)).toThrow('nor a service <app>--<process> of a hosted app');
  });
});
