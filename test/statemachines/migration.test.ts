import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { LocalRun } from '../../lib/local/runner';
import type { WorldFile } from '../../lib/local/world-schema';
import { executionsOf, lastState } from './config-scenarios';
import { buildEvent, ROOT } from './scenarios';
import { legacyTaskDefinitionFamily } from '../../domain/names';

/**
 * Moving an app onto the shared control plane is one `cdk deploy`: its table stays (same logical ID),
 * with the records the previous version wrote. The fixture is that table, written by hand from the
 * previous version's key shapes (not produced by this code). These tests put it in the simulated account,
 * let the shared control plane run, and check the records are read as before.
 */

type Item = Record<string, AttributeValue>;

const FIXTURE = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/migration/app-table-before-shared-control-plane.json'), 'utf8')) as { table: string; items: Item[] };
const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/slipway/example';
const key = (pk: string, sk: string): Item => ({ pk: { S: pk }, sk: { S: sk } });
const oldItem = (pk: string, sk: string): Item => FIXTURE.items.find((i) => i.pk.S === pk && i.sk.S === sk) as Item;

/**
 * The example app after the upgrade: its table holds the previous version's records, and ECS holds the
 * revisions the previous version registered for build 41, of the families it named `<prefix>-<app>-<process>`
 * (before `--`; they keep the tags that say their app and build). Its services of that version
 * (`example-web`, `example-worker`) are left to the operator (docs/control-plane.md, "Upgrading"): the
 * first deploy creates the services under their new names.
 */
function migratedRun(extra: WorldFile = {}): LocalRun {
  const run = new LocalRun({ app: 'example', ...extra }, ROOT);
  const table = run.world.tableOf('example');
  for (const item of FIXTURE.items) table.put(item);
  for (const process of ['web', 'worker']) run.world.ecs.seedRevision(process, '41', 'example', legacyTaskDefinitionFamily('slipway', 'example', process));
  return run;
}

test("preconditions: the settings name the app's existing table, and ECS holds the revisions the old release names", () => {
  const run = migratedRun();
  const released = JSON.parse(oldItem('RELEASE', 'CURRENT').processes.S ?? '[]') as { process: string; taskDefinitionArn: string }[];

  expect(run.world.settings.table).toBe(FIXTURE.table);
  for (const p of released) expect(run.world.findRevision(p.taskDefinitionArn)?.tags).toEqual(expect.arrayContaining([{ key: 'slipway:app', value: 'example' }, { key: 'slipway:build', value: '41' }]));
});

describe('the next build on the shared control plane', () => {
  let run: LocalRun;
  beforeAll(async () => {
    run = migratedRun();
    await run.run('build', buildEvent({ build: 42 }));
  });

  test('deploys over the current release of the previous version, claiming the app after build 41', () => {
    expect(run.executions.map((e) => [e.name.replace(/^.*_.*$/, 'build'), e.status])).toEqual([
      ['build', 'SUCCEEDED'],
      ['example--42-release', 'SUCCEEDED'],
      ['example--42-deploy', 'SUCCEEDED'],
    ]);
    const table = run.world.tableOf('example');
    expect(table.get(key('RELEASE', 'CURRENT'))?.buildSortKey?.S).toBe('0000000042');
    expect(table.get(key('APP', 'DEPLOY'))?.execution?.S).toBe('arn:aws:states:us-east-1:123456789012:execution:slipway-production-deploy:example--42-deploy');
    expect(run.world.services.get('example--web')?.service.taskDefinition).not.toBe(JSON.parse(oldItem('RELEASE', 'CURRENT').processes.S ?? '[]')[0].taskDefinitionArn);
  });

  test("uses the settings parameter, not the old settings record in the table (whose repository is stale); the old record is left as it was", () => {
    expect(run.world.tableOf('example').get(key('BUILD', '0000000042'))?.image?.S).toBe(`${IMAGE}:build-42`);
    expect(run.world.tableOf('example').get(key('APP', 'SETTINGS'))).toEqual(oldItem('APP', 'SETTINGS'));
  });

  test('keeps the build history in build order, the old builds untouched: build 41 is the rollback target with its released revisions', () => {
    const table = run.world.tableOf('example');
    const builds = table.query('pk = :b', { values: { ':b': { S: 'BUILD' } } }, false);

    expect(builds.map((b) => b.buildKey?.S)).toEqual(['42', '41', '40']);
    expect(table.get(key('BUILD', '0000000041'))).toEqual(oldItem('BUILD', '0000000041'));
    const previous = builds.find((b) => b.releasedAt && b.buildKey?.S !== '42');
    expect(previous?.buildKey?.S).toBe('41');
    expect(JSON.parse(previous?.releaseProcesses?.S ?? '[]')).toHaveLength(2);
  });

  test('the old waiters in the app table are left alone: the new ones are in the control table', () => {
    const table = run.world.tableOf('example');
    expect(table.query('pk = :w', { values: { ':w': { S: 'WAITER' } } }, true)).toEqual([oldItem('WAITER', 'example-web#ecs-svc/1000000000000000041')]);
    expect(run.world.controlTable.query('pk = :w', { values: { ':w': { S: 'WAITER' } } }, true).map((w) => w.serviceName?.S).sort()).toEqual(['example--web', 'example--worker']);
  });
});

test("a rollback to the old build 41 (forced, from its build record's released revisions) goes through the shared deploy", async () => {
  const run = migratedRun({ registeredBuilds: [] });
  await run.run('build', buildEvent({ build: 42 }));
  const old = oldItem('BUILD', '0000000041');
  const processes = (JSON.parse(old.releaseProcesses.S ?? '[]') as { process: string; taskDefinitionArn: string }[]).map((p) => ({ name: p.process, taskDefinitionArn: p.taskDefinitionArn }));

  const rollback = await run.run(
    'deploy',
    { app: 'example', table: run.world.settings.table, build: { buildKey: '41', sortKey: '0000000041', image: old.image.S, commit: old.commit.S }, processes, force: true, deployTimeoutSeconds: 1800 },
    'example--41-rollback-1',
  );

  expect(rollback.status).toBe('SUCCEEDED');
  expect(run.world.tableOf('example').get(key('RELEASE', 'CURRENT'))?.buildKey?.S).toBe('41');
  expect(run.world.services.get('example--worker')?.service.taskDefinition).toBe(processes[1].taskDefinitionArn);
});

test('a build older than the one the previous version claimed (40 < 41) is still superseded (by 41), and nothing is deployed', async () => {
  const run = migratedRun();
  const before = run.world.services.get('example--web')?.service.deployments?.map((d) => d.id);

  await run.run('build', buildEvent({ build: 40 }));

  const deploy = run.executions.find((e) => e.name === 'example--40-deploy');
  expect([deploy?.status, deploy?.output, lastState(deploy)]).toEqual(['SUCCEEDED', expect.objectContaining({ outcome: 'superseded', supersededBy: '41' }), 'Deploy superseded']);
  expect(run.world.services.get('example--web')?.service.deployments?.map((d) => d.id)).toEqual(before);
  expect(run.world.tableOf('example').get(key('RELEASE', 'CURRENT'))).toEqual(oldItem('RELEASE', 'CURRENT'));
  expect(run.world.tableOf('example').get(key('APP', 'DEPLOY'))).toEqual(oldItem('APP', 'DEPLOY'));
});

test("a config change takes the previous version's released redeploy claim and redeploys the old current release (build 41)", async () => {
  const run = migratedRun();
  run.at(10, 'set a key', () => run.world.ssm.put('/slipway/apps/example/config/API_TOKEN', 'secret'));
  await run.runScheduled();

  const change = executionsOf(run, 'config-change')[0];
  const redeploy = executionsOf(run, 'deploy')[0];
  expect([change.status, lastState(change)]).toEqual(['SUCCEEDED', 'Redeploy started']);
  expect([redeploy.status, (redeploy.input as { build?: { buildKey?: string } }).build?.buildKey]).toEqual(['SUCCEEDED', '41']);
  expect(run.world.tableOf('example').get(key('CONFIG', 'REDEPLOY'))?.lastChange?.S).toBe('/slipway/apps/example/config/API_TOKEN');
  expect(run.world.tableOf('example').get(key('RELEASE', 'CURRENT'))?.buildKey?.S).toBe('41');
});
