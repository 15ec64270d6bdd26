/**
 * A fleet in ONE simulated account (issue 21, "several apps"): 52 apps with adversarial names (one a
 * prefix of another: ex, example, example-admin; hyphens split differently: app shop with process
 * api-web beside app shop-api with process web; names at the maximum lengths, 34 for an app beside its
 * own 33-character prefix, 31 for a process; the rest generated: svc1 is a prefix of svc10..svc19),
 * served by the one shared control plane with the real ASL files and handlers, on one simulated clock:
 * builds, releases that fail and are redriven after a fix, deploys that ECS rolls back (and are
 * redriven after a fix), config keys set (a config-change and a redeploy), operators' rollbacks, all
 * interleaved. Every record, service, task definition,
 * claim, waiter, execution and milestone stays with its app, and each app ends as it ends when it runs
 * alone in an account (each computed by running that app alone).
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { apply as applyMergePatch } from 'json-merge-patch';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Command } from 'commander';
import { appOfExecutionInput } from '../../../domain/executions';
import { APP_NAME_MAX, appAndBuildOf, cliExecutionName, codeBuildProjectName, PROCESS_NAME_MAX, serviceName, TAG_APP, TAG_BUILD, taskDefinitionFamily } from '../../../domain/names';
import type { CliIo } from '../../../lib/cli/io';
import { registerLocalCommands } from '../../../lib/cli/local';
import { deterministicUuid } from '../../../lib/local/event-patterns';
import type { FleetReport } from '../../../lib/local/report';
import { fixedWorld, LocalRun, type ExecutionReport } from '../../../lib/local/runner';
import type { WorldFile } from '../../../lib/local/world-schema';

const ROOT = path.join(__dirname, '..', '..', '..');
const PREFIX = 'slipway';
const ACCOUNT_REPO = '123456789012.dkr.ecr.us-east-1.amazonaws.com';

type Item = Record<string, AttributeValue>;
/** What happens to an app in the fleet. */
type Role = 'deploys' | 'release-fails' | 'rolls-back' | 'operator-rollback';

/** One app of the fleet: its name, process types, role and when its events arrive (seconds into each phase). */
interface FleetApp {
  readonly name: string;
  readonly processes: Record<string, Record<string, unknown>>;
  readonly role: Role;
  readonly offset: number;
}

const LONG_APP = 'a-very-long-application-name-34chs';
const LONG_PROCESS = 'worker-with-the-longest-name-31';

/** The fleet: the adversarial names first, the rest generated. */
function fleetApps(): FleetApp[] {
  const web = { web: { port: 3000, desiredCount: 1 } };
  const named: [string, Record<string, Record<string, unknown>>, Role][] = [
    ['ex', web, 'release-fails'],
    ['example', { ...web, worker: { command: ['bin/work'], desiredCount: 1 } }, 'rolls-back'],
    ['example-admin', web, 'operator-rollback'],
    ['shop', { ...web, 'api-web': { command: ['bin/api'], desiredCount: 1 } }, 'rolls-back'],
    ['shop-api', web, 'release-fails'],
    ['shop-api-web', web, 'deploys'],
    [LONG_APP, { ...web, [LONG_PROCESS]: { command: ['bin/work'], desiredCount: 1 } }, 'operator-rollback'],
    [LONG_APP.slice(0, -1), web, 'release-fails'],
  ];
  const roles: Role[] = ['deploys', 'release-fails', 'rolls-back', 'operator-rollback'];
  for (let i = 1; named.length < 52; i++) named.push([`svc${i}`, i % 5 === 0 ? { ...web, worker: { command: ['bin/work'], desiredCount: 2 } } : web, roles[i % roles.length]]);
  return named.map(([name, processes, role], i) => ({ name, processes, role, offset: (i * 7) % 60 }));
}

const FLEET = fleetApps();

/** The deployment config of the fleet: one cluster, every app with a release command. */
function fleetConfig(): Record<string, unknown> {
  return {
    prefix: PREFIX,
    clusters: [{ name: 'production', domain: { name: 'apps.example.com', hostedZoneId: 'Z0123456789EXAMPLE' } }],
    apps: FLEET.map((a) => ({ name: a.name, cluster: 'production', repository: { owner: 'example-org', name: a.name }, releaseCommand: ['bin/release'], processes: a.processes })),
  };
}

/** Phases of the run (simulated seconds): second builds, the release fix, config keys set, the deploy fix and the operators' rollbacks. */
const AT = { secondBuild: 600, releaseFix: 300, configKey: 900, deployFix: 1200, rollback: 1500 } as const;

/** The config key an app's operator sets (the 'deploys' apps): a Parameter Store change that redeploys the app. */
const configKey = (app: string) => `/${PREFIX}/apps/${app}/config/API_TOKEN`;

/** The CodeBuild SUCCEEDED event of an app's build, its ids derived from app and build (the same in every run). */
function buildEvent(app: string, build: number): Record<string, unknown> {
  const project = codeBuildProjectName(PREFIX, app);
  const stream = deterministicUuid(`${app}/${build}/stream`);
  const buildId = `arn:aws:codebuild:us-east-1:123456789012:build/${project}:${stream}`;
  return {
    version: '0',
    id: deterministicUuid(`${app}/${build}/event`),
    'detail-type': 'CodeBuild Build State Change',
    source: 'aws.codebuild',
    account: '123456789012',
    time: '2026-01-01T00:00:00Z',
    region: 'us-east-1',
    resources: [buildId],
    detail: {
      'build-status': 'SUCCEEDED',
      'project-name': project,
      'build-id': buildId,
      'additional-information': {
        'build-number': build,
        'build-complete': true,
        'resolved-source-version': deterministicUuid(`${app}/${build}/commit`).replace(/-/g, '').padEnd(40, '0').slice(0, 40),
        logs: { 'group-name': `/aws/codebuild/${project}`, 'stream-name': stream, 'deep-link': `https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#logEvent:group=/aws/codebuild/${project};stream=${stream}` },
      },
      'current-phase': 'COMPLETED',
      version: '1',
    },
  };
}

/** The world of some of the fleet's apps: each one's failing release or rolling-back deploy. */
function worldOf(config: string, apps: readonly FleetApp[]): WorldFile {
  const releases = Object.fromEntries(apps.filter((a) => a.role === 'release-fails').map((a) => [a.name, { exitCode: 1 }]));
  const deployments = Object.fromEntries(apps.filter((a) => a.role === 'rolls-back').map((a) => [serviceName(a.name, 'web'), [{ outcome: 'completes' as const }, { outcome: 'rollsBack' as const }]]));
  return { config, app: apps[0].name, apps: apps.map((a) => a.name), releases, deployments };
}

/** The last execution of `app` that failed. */
function lastFailed(run: LocalRun, app: string): ExecutionReport | undefined {
  return [...run.executions].reverse().find((e) => e.status === 'FAILED' && appOfExecutionInput(PREFIX, e.input) === app);
}

/**
 * Runs `apps` in one fresh account, each app's story on the shared clock: build 1 at its offset; build 2
 * at 600 s + offset (rolls-back, operator-rollback); a config key set at 900 s + offset (deploys), which
 * the control plane's Parameter Store rule turns into a config-change and a redeploy; at 300 s the operator's fix of the failing releases
 * (one JSON Merge Patch for all of them) and a redrive of each; at 1200 s the fix of the rolled-back
 * deploys and a redrive of each; at 1500 s + offset the operators' rollbacks to build 1.
 */
async function runApps(config: string, apps: readonly FleetApp[]): Promise<LocalRun> {
  let world = worldOf(config, apps);
  const run = new LocalRun(world, ROOT);
  const build = (a: FleetApp, n: number) => {
    const event = buildEvent(a.name, n);
    run.startConcurrently('build', event, `${String(event.id)}_${deterministicUuid(`${a.name}/${n}/execution`)}`);
  };
  const fix = (patch: Record<string, unknown>, redrive: readonly FleetApp[]) => {
    world = applyMergePatch(structuredClone(world), patch) as WorldFile;
    run.world.applyPatchedSpec(fixedWorld(world, patch, run.world.spec), patch);
    for (const a of redrive) {
      const failed = lastFailed(run, a.name);
      if (!failed) throw new Error(`${a.name} has no failed execution to redrive at ${run.world.now} s`);
      run.startRedrive(failed);
    }
  };
  for (const a of apps) {
    run.at(a.offset, `${a.name} build 1`, () => build(a, 1));
    if (a.role === 'rolls-back' || a.role === 'operator-rollback') run.at(AT.secondBuild + a.offset, `${a.name} build 2`, () => build(a, 2));
    if (a.role === 'deploys') run.at(AT.configKey + a.offset, `${a.name}'s config key set`, () => void run.world.ssm.put(configKey(a.name), 'a secret value'));
    if (a.role === 'operator-rollback') {
      run.at(AT.rollback + a.offset, `${a.name} rolled back to build 1`, () => {
        const deploy = run.executions.find((e) => e.name === `${a.name}--1-deploy`);
        if (!deploy) throw new Error(`${a.name} has no deploy of build 1`);
        run.startConcurrently('deploy', { ...(deploy.input as Record<string, unknown>), force: true }, cliExecutionName(a.name, '1', 'rollback', run.world.clock.dateAt(run.world.now)));
      });
    }
  }
  const failing = apps.filter((a) => a.role === 'release-fails');
  if (failing.length > 0) run.at(AT.releaseFix, 'the failing releases fixed', () => fix({ releases: Object.fromEntries(failing.map((a) => [a.name, null])) }, failing));
  const rolling = apps.filter((a) => a.role === 'rolls-back');
  if (rolling.length > 0) run.at(AT.deployFix, 'the rolled-back deploys fixed', () => fix({ deployments: Object.fromEntries(rolling.map((a) => [serviceName(a.name, 'web'), [{ outcome: 'completes' }]])) }, rolling));
  await run.runScheduled();
  return run;
}

/** Every string in a value (keys and values), for the isolation checks. */
function strings(value: unknown): string[] {
  return JSON.stringify(value).match(/"(?:[^"\\]|\\.)*"/g) ?? [];
}

/**
 * Whether `text` names app `other` as a name of its own: `other` between characters no app name has
 * (or ended by `--`, the separator of every app-scoped name), or the app's CodeBuild project / table
 * `slipway-<other>` so delimited. `shop` is not named by `shop-api--web`, nor `ex` by `example`.
 */
function namesApp(text: string, other: string): boolean {
  const escaped = other.replace(/[-]/g, '\\-');
  return new RegExp(`(^|[^a-z0-9-]|${PREFIX}-)${escaped}(--|[^a-z0-9-]|$)`).test(text);
}

/** The strings of `value` that name an app of the fleet other than `app`. */
function othersNamed(value: unknown, app: string): string[] {
  const texts = strings(value);
  return FLEET.filter((o) => o.name !== app).flatMap((o) => texts.filter((t) => namesApp(t, o.name)).map((t) => `${o.name} in ${t}`));
}

/** Moments, which depend on the account's pace (rate limits), not on what happened. */
const TIMES = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z|\d{8}T\d{6}Z/g;
/** Ids ECS gives out account-wide (a deployment's, a task's): told apart by their order of appearance in the app's state. */
const ECS_IDS = /ecs-svc\/\d+|(?<=task\/[a-z0-9-]+\/|web\/|web%2F|\$252F)[0-9a-f]{32}/g;
function timeless(v: unknown, eventIds: readonly string[] = []): unknown {
  const seen = new Map<string, number>();
  let text = JSON.stringify(v ?? null);
  // A Parameter Store change's event id (random, as AWS's), and the UUID EventBridge's target adds to the execution it names after it.
  eventIds.forEach((id, i) => (text = text.replace(new RegExp(`${id}(_[0-9a-f-]{36})?`, 'g'), `<parameter change ${i}>`)));
  text = text
    .replace(TIMES, '<time>')
    .replace(ECS_IDS, (id) => {
      if (!seen.has(id)) seen.set(id, seen.size);
      return `<ecs id ${seen.get(id)}>`;
    });
  return JSON.parse(text) as unknown;
}

/** An app's end state, as far as it is the app's own: what a run of the app alone must end with too. */
function endState(run: LocalRun, app: string): Record<string, unknown> {
  const w = run.world;
  const items = w
    .tableOf(app)
    .all()
    .map((i) => {
      // Attributes that hold a moment (epoch seconds or ms: expiry, recorded-at) depend on the fleet's pace,
      // and so does the order in which an item gained its attributes (which process's deploy ended first).
      const out: Item = {};
      for (const [k, v] of Object.entries(i).sort(([x], [y]) => x.localeCompare(y))) out[k] = v.N !== undefined && Number(v.N) > 1e9 ? { N: '<time>' } : v;
      return out;
    })
    .sort((a, b) => JSON.stringify([a.pk, a.sk]).localeCompare(JSON.stringify([b.pk, b.sk])));
  // Services and families by name: which of an app's process types ECS got to first depends on the pace too.
  const services = [...w.services].filter(([, s]) => s.app === app).sort(([x], [y]) => x.localeCompare(y)).map(([name, s]) => {
    const td = w.findRevision(s.service.taskDefinition ?? '');
    return { name, taskDefinition: `${td?.taskDefinition.family}:${td?.taskDefinition.revision}`, desired: s.service.desiredCount, running: s.service.runningCount };
  });
  const revisions = [...w.revisions].sort(([x], [y]) => x.localeCompare(y)).filter(([family]) => Object.keys(w.appSettings(app).processes).some((p) => taskDefinitionFamily(PREFIX, app, p) === family)).map(([family, rs]) => [family, rs.map((r) => ({ td: r.taskDefinition, tags: r.tags }))]);
  const changes = w.ssm.events.filter((e) => String((e.detail as { name?: string }).name).startsWith(`/${PREFIX}/apps/${app}/`)).map((e) => String(e.id));
  // By name once the random parts are told apart (an execution named after a Parameter Store change's id).
  const sortName = (e: ExecutionReport) => JSON.stringify(timeless([e.stateMachine, e.name], changes));
  const executions = run.executions
    .filter((e) => appOfExecutionInput(PREFIX, e.input) === app)
    .sort((a, b) => sortName(a).localeCompare(sortName(b)))
    .map((e) => ({ machine: e.stateMachine, name: e.name, status: e.status, redrives: e.redriveCount, error: e.error ?? null, input: e.input, output: e.output ?? null }));
  const milestones = w.events.filter((e) => e.detail.app === app).map((e) => ({ type: e.detailType, detail: e.detail }));
  return timeless({ items, services, revisions, executions, milestones }, changes) as Record<string, unknown>;
}

let dir: string;
let config: string;
let fleet: LocalRun;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'slipway-fleet-'));
  config = path.join(dir, 'fleet.json');
  writeFileSync(config, JSON.stringify(fleetConfig()));
  fleet = await runApps(config, FLEET);
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe(`a fleet of ${FLEET.length} apps with adversarial names in one account`, () => {
  test('the names are adversarial: prefixes of each other, hyphens split differently, maximum lengths', () => {
    const names = FLEET.map((a) => a.name);
    expect(FLEET.length).toBeGreaterThanOrEqual(50);
    expect(names).toEqual(expect.arrayContaining(['ex', 'example', 'example-admin', 'shop', 'shop-api', 'svc1', 'svc10']));
    expect(serviceName('shop', 'api-web')).not.toBe(serviceName('shop-api', 'web'));
    expect(Math.max(...names.map((n) => n.length))).toBe(APP_NAME_MAX);
    expect(names).toContain(LONG_APP.slice(0, -1));
    expect(LONG_PROCESS.length).toBe(PROCESS_NAME_MAX);
    // The leak check tells the overlapping names apart (what the tests below rely on).
    expect([namesApp('shop--api-web', 'shop-api'), namesApp('arn:x:execution:m:shop-api--1-deploy', 'shop-api'), namesApp('shop-api--web', 'shop')]).toEqual([false, true, false]);
    expect([namesApp('slipway-example', 'ex'), namesApp('slipway-ex', 'ex'), namesApp('example--web', 'ex'), namesApp('/slipway/apps/ex/config', 'ex')]).toEqual([false, true, false, true]);
    expect([namesApp('svc10--web', 'svc1'), namesApp('slipway/svc1:build-1', 'svc1')]).toEqual([false, true]);
    // The runs interleave: while one app's release runs, others' builds and deploys start and end.
    const starts = fleet.executions.map((e) => e.startedAt);
    const overlapping = fleet.executions.filter((e) => e.stateMachine === 'deploy' && starts.some((s) => s > e.startedAt && s < (e.endedAt ?? 0)));
    expect(overlapping.length).toBeGreaterThan(FLEET.length / 2);
  });

  test('each app went through its story: failed releases and rolled-back deploys redriven after their fix, operators\' rollbacks deployed', () => {
    const story = (app: FleetApp) =>
      fleet.executions
        .filter((e) => appOfExecutionInput(PREFIX, e.input) === app.name && e.stateMachine !== 'build')
        .map((e) => (e.stateMachine === 'config-change' ? `config-change ${e.status}` : `${e.name.slice(app.name.length).replace(/rollback-\d{8}T\d{6}Z$/, 'rollback').replace(/^--config-[0-9a-f-]{36}$/, '--config')} ${e.status}${e.redriveCount ? ` redriven ${e.redriveCount}` : ''}`));
    const expected: Record<Role, string[]> = {
      deploys: ['--1-release SUCCEEDED', '--1-deploy SUCCEEDED', 'config-change SUCCEEDED', '--config SUCCEEDED'],
      'release-fails': ['--1-release SUCCEEDED redriven 1', '--1-deploy SUCCEEDED'],
      'rolls-back': ['--1-release SUCCEEDED', '--1-deploy SUCCEEDED', '--2-release SUCCEEDED', '--2-deploy SUCCEEDED redriven 1'],
      'operator-rollback': ['--1-release SUCCEEDED', '--1-deploy SUCCEEDED', '--2-release SUCCEEDED', '--2-deploy SUCCEEDED', '--1-rollback SUCCEEDED'],
    };
    const wrong = FLEET.filter((a) => JSON.stringify(story(a)) !== JSON.stringify(expected[a.role])).map((a) => ({ app: a.name, role: a.role, story: story(a) }));
    expect(wrong).toEqual([]);
    // The failures were announced to their app: each failed release, each deploy ECS rolled back.
    const failures = fleet.world.events.filter((e) => /Failed|Rolled Back/.test(e.detailType)).map((e) => `${String(e.detail.app)} ${e.detailType}`);
    expect(failures.sort()).toEqual(FLEET.filter((a) => a.role === 'release-fails' || a.role === 'rolls-back').map((a) => `${a.name} ${a.role === 'release-fails' ? 'Release Failed' : 'Deploy Rolled Back'}`).sort());
  });

  test("every table item is its app's: no other app's name, image, build or revision", () => {
    const leaks = FLEET.flatMap((a) => othersNamed(fleet.world.tableOf(a.name).all(), a.name).map((l) => `${a.name}: ${l}`));
    expect(leaks).toEqual([]);
    for (const a of FLEET) {
      const items = fleet.world.tableOf(a.name).all();
      const images = items.flatMap((i) => strings(i)).filter((s) => s.includes(`${ACCOUNT_REPO}/`));
      expect(images.filter((s) => !s.includes(`${ACCOUNT_REPO}/${PREFIX}/${a.name}:build-`))).toEqual([]);
      const builds = items.filter((i) => i.pk.S === 'BUILD').map((i) => i.buildKey?.S).sort();
      expect(builds).toEqual(a.role === 'rolls-back' || a.role === 'operator-rollback' ? ['1', '2'] : ['1']);
    }
  });

  test("every ECS service and task definition is its app's: its family, its image, its builds", () => {
    const wrong: string[] = [];
    for (const [name, s] of fleet.world.services) {
      const td = fleet.world.findRevision(s.service.taskDefinition ?? '');
      const app = FLEET.find((a) => a.name === s.app);
      if (!app || serviceName(s.app, s.process) !== name) wrong.push(`service ${name} of ${s.app}`);
      if (td?.taskDefinition.family !== taskDefinitionFamily(PREFIX, s.app, s.process)) wrong.push(`service ${name} runs ${td?.taskDefinition.family}`);
      if (!td?.taskDefinition.containerDefinitions?.every((c) => c.image?.startsWith(`${ACCOUNT_REPO}/${PREFIX}/${s.app}:build-`))) wrong.push(`service ${name} runs another image`);
    }
    for (const [family, revisions] of fleet.world.revisions) {
      const owner = FLEET.find((a) => Object.keys(a.processes).some((p) => taskDefinitionFamily(PREFIX, a.name, p) === family));
      if (!owner) wrong.push(`family ${family} of no app`);
      for (const r of revisions) {
        const tag = (k: string) => r.tags.find((t) => t.key === k)?.value;
        if (tag(TAG_APP) !== owner?.name) wrong.push(`${family}:${r.taskDefinition.revision} tagged ${tag(TAG_APP)}`);
        if (!r.taskDefinition.containerDefinitions?.every((c) => c.image === `${ACCOUNT_REPO}/${PREFIX}/${owner?.name}:build-${tag(TAG_BUILD)}`)) wrong.push(`${family}:${r.taskDefinition.revision} runs another build's image`);
        wrong.push(...othersNamed(r, owner?.name ?? '').map((l) => `${family}:${r.taskDefinition.revision}: ${l}`));
      }
    }
    expect(wrong).toEqual([]);
    expect(fleet.world.services.size).toBe(FLEET.reduce((n, a) => n + Object.keys(a.processes).length, 0));
  });

  test('every execution, claim and waiter is its app\'s', () => {
    const wrong: string[] = [];
    for (const e of fleet.executions) {
      const app = appOfExecutionInput(PREFIX, e.input);
      if (!app || !FLEET.some((a) => a.name === app)) wrong.push(`${e.name}: input of no app`);
      // Executions an EventBridge rule starts (build, config-change) are named after the event; the others under their app.
      const eventNamed = e.stateMachine === 'build' || e.stateMachine === 'config-change';
      const named = appAndBuildOf(e.name).app;
      if (!eventNamed && named !== app) wrong.push(`${e.name} (of ${app}) is named for ${named}`);
      if (!eventNamed && (e.input as { table?: string }).table !== `${PREFIX}-${app}`) wrong.push(`${e.name} (of ${app}) works on ${(e.input as { table?: string }).table}`);
      wrong.push(...othersNamed({ input: e.input, output: e.output ?? null }, app ?? '').map((l) => `${e.name}: ${l}`));
    }
    // Claims (the deploy claim of each app) are in the app's own table, naming its own build and deploy.
    for (const a of FLEET) {
      const claim = fleet.world.tableOf(a.name).get({ pk: { S: 'APP' }, sk: { S: 'DEPLOY' } });
      if (!claim) wrong.push(`${a.name} has no deploy claim`);
      else if (!String(claim.execution?.S).includes(`:${a.name}--`)) wrong.push(`${a.name}'s claim names ${claim.execution?.S}`);
    }
    // Waiters live in the control table, each naming one app's service and that app's table.
    for (const w of fleet.world.controlTable.all()) {
      const app = w.app?.S ?? '';
      if (w.table?.S !== undefined && w.table.S !== `${PREFIX}-${app}`) wrong.push(`waiter of ${app} on table ${w.table.S}`);
      if (w.serviceName?.S !== undefined && fleet.world.serviceOwner(w.serviceName.S)?.app !== app) wrong.push(`waiter of ${app} on service ${w.serviceName.S}`);
    }
    expect(wrong).toEqual([]);
  });

  test("every milestone and alert names its app, and only that app's builds and executions", () => {
    const wrong: string[] = [];
    const executionsOf = new Map<string, Set<string>>();
    for (const e of fleet.executions) {
      const app = appOfExecutionInput(PREFIX, e.input) ?? '';
      executionsOf.set(app, new Set([...(executionsOf.get(app) ?? []), e.arn]));
    }
    for (const ev of fleet.world.events) {
      const app = String(ev.detail.app);
      if (!FLEET.some((a) => a.name === app)) wrong.push(`${ev.detailType} of no app`);
      if (typeof ev.detail.execution === 'string' && !executionsOf.get(app)?.has(ev.detail.execution)) wrong.push(`${ev.detailType} of ${app} names ${ev.detail.execution}`);
      wrong.push(...othersNamed(ev.detail, app).map((l) => `${ev.detailType} of ${app}: ${l}`));
    }
    expect(wrong).toEqual([]);
    expect(new Set(fleet.world.events.map((e) => e.detail.app))).toEqual(new Set(FLEET.map((a) => a.name)));
  });

  test('each app ends as it ends alone in an account', async () => {
    const differ: string[] = [];
    for (const a of FLEET) {
      const alone = await runApps(config, [a]);
      const expected = endState(alone, a.name);
      const actual = endState(fleet, a.name);
      if (JSON.stringify(actual) !== JSON.stringify(expected)) differ.push(a.name);
      // Spot checks that the comparison saw something: the app's services and its records.
      expect((expected.services as unknown[]).length).toBe(Object.keys(a.processes).length);
    }
    expect(differ).toEqual([]);
  }, 120_000);
});

describe('the fleet from the CLI: slipway local run build with several events', () => {
  test('a folder of the adversarial apps\' build events runs them in one account, reported per app', async () => {
    const events = path.join(dir, 'events');
    const apps = FLEET.slice(0, 8);
    mkdirSync(events);
    for (const a of apps) writeFileSync(path.join(events, `${a.name}.json`), JSON.stringify(buildEvent(a.name, 1)));
    // The world: the fleet's config, ex's release fails.
    writeFileSync(path.join(dir, 'world.json'), JSON.stringify({ config, releases: { ex: { exitCode: 1 } } }));
    const out: string[] = [];
    let code: number | undefined;
    const io = { stdout: (t: string) => void out.push(t), stderr: (t: string) => void out.push(t) } as unknown as CliIo;
    const program = new Command('slipway').exitOverride();
    registerLocalCommands(program, (c) => (code = c), io, () => dir);

    await program.parseAsync(['node', 'slipway', 'local', 'run', 'build', '--event', 'events', '--world', 'world.json', '--json']);

    expect(code).toBe(1);
    const report = JSON.parse(out.join('\n')) as FleetReport;
    expect(report.apps.map((r) => r.app).sort()).toEqual(apps.map((a) => a.name).sort());
    for (const r of report.apps) {
      const a = apps.find((x) => x.name === r.app) as FleetApp;
      expect(r.services.map((s) => s.name).sort()).toEqual(a.name === 'ex' ? [] : Object.keys(a.processes).map((p) => serviceName(a.name, p)).sort());
      expect(r.taskDefinitions.sort()).toEqual(Object.keys(a.processes).map((p) => `${taskDefinitionFamily(PREFIX, a.name, p)}:1`).sort());
      expect(r.executions.map((e) => `${e.stateMachine} ${e.status}${e.failedStep ? ` at ${e.failedStep}` : ''}`)).toEqual(
        a.name === 'ex' ? ['build SUCCEEDED', 'release FAILED at Run release task'] : ['build SUCCEEDED', 'release SUCCEEDED', 'deploy SUCCEEDED'],
      );
      expect(othersNamed(r, a.name)).toEqual([]);
    }
    // ex's services were never deployed (its release failed): nothing of it runs; the others' do.
    expect(report.apps.find((r) => r.app === 'ex')?.services).toEqual([]);
    expect(report.unattributed).toEqual([]);
  }, 60_000);
});
