import { writeFileSync } from 'node:fs';
import { StateCoverage } from '../../lib/local/coverage';
import { LocalRun } from '../../lib/local/runner';
import { lastState, releasedRun } from './config-scenarios';
import { buildEvent, exampleWorld, ROOT } from './scenarios';

/**
 * statemachines/schedules.asl.json, executed locally with the real sync-schedules handler against the
 * simulated EventBridge Scheduler: the app's schedule group follows its schedules list.
 */

const coverage = new StateCoverage();
const PARAM = '/slipway/apps/example/schedules';
const GROUP = 'slipway-production.example';

type Entry = { name?: string; schedule: string; command: string | string[]; process?: string };

async function sync(run: LocalRun, entries?: Entry[]) {
  if (entries) run.world.ssm.parameters.set(PARAM, { name: PARAM, type: 'String', value: JSON.stringify(entries), version: 1, lastModified: run.world.now });
  const e = await run.run('schedules', { app: 'example', reason: 'test' });
  coverage.add(run.executions);
  return e;
}

/** The handler's error message (the Lambda error document in the execution's cause). */
function message(e: { cause?: string }): string {
  return (JSON.parse(e.cause ?? '{}') as { errorMessage?: string }).errorMessage ?? '';
}

const CLEANUP: Entry = { name: 'cleanup', schedule: 'rate(1 hour)', command: 'bin/rails tmp:clear', process: 'worker' };
const REPORT: Entry = { name: 'report', schedule: 'cron(0 3 * * ? *)', command: ['bin/rails', 'reports:nightly'], process: 'web' };

describe('sync against the simulated account', () => {
  test('creates one schedule per entry in the app group, on the current release\'s revision of its process', async () => {
    const run = await releasedRun();
    const e = await sync(run, [CLEANUP, REPORT]);

    expect([e.status, lastState(e)]).toEqual(['SUCCEEDED', 'Schedules are in sync']);
    const current = JSON.parse(run.world.table.get({ pk: { S: 'RELEASE' }, sk: { S: 'CURRENT' } })?.processes?.S ?? '[]') as { process: string; taskDefinitionArn: string }[];
    const worker = current.find((p) => p.process === 'worker')?.taskDefinitionArn;
    const cleanup = run.world.scheduler.list(GROUP).find((s) => s.Name === 'cleanup');
    expect(run.world.scheduler.list(GROUP).map((s) => s.Name)).toEqual(['cleanup', 'report']);
    expect(cleanup?.ScheduleExpression).toBe('rate(1 hour)');
    expect(cleanup?.Target?.EcsParameters?.TaskDefinitionArn).toBe(worker);
  });

  test('a string command runs in sh -c as a container override of the process; an array runs as is', async () => {
    const run = await releasedRun();
    await sync(run, [CLEANUP, REPORT]);

    const input = (name: string) => JSON.parse(run.world.scheduler.list(GROUP).find((s) => s.Name === name)?.Target?.Input ?? '{}') as unknown;
    expect(input('cleanup')).toEqual({ containerOverrides: [{ name: 'worker', command: ['sh', '-c', 'bin/rails tmp:clear'] }] });
    expect(input('report')).toEqual({ containerOverrides: [{ name: 'web', command: ['bin/rails', 'reports:nightly'] }] });
  });

  test('updates a changed entry, leaves the unchanged one alone', async () => {
    const run = await releasedRun();
    await sync(run, [CLEANUP, REPORT]);
    await sync(run, [{ ...CLEANUP, schedule: 'rate(2 hours)' }, REPORT]);

    expect(run.world.scheduler.changes).toEqual(['create cleanup', 'create report', 'update cleanup']);
    expect(run.world.scheduler.list(GROUP).find((s) => s.Name === 'cleanup')?.ScheduleExpression).toBe('rate(2 hours)');
  });

  test('deletes the schedule of a removed entry', async () => {
    const run = await releasedRun();
    await sync(run, [CLEANUP, REPORT]);
    await sync(run, [REPORT]);

    expect(run.world.scheduler.list(GROUP).map((s) => s.Name)).toEqual(['report']);
    expect(run.world.scheduler.changes.pop()).toBe('delete cleanup');
  });

  test('merges the app config\'s schedules with the parameter\'s', async () => {
    const run = await releasedRun({ config: 'test/fixtures/configs/slow-deploys.json' });
    await sync(run, [CLEANUP]);

    expect(run.world.scheduler.list(GROUP).map((s) => s.Name)).toEqual(['cleanup', 'nightly-report']);
  });

  test('a new release moves every schedule to the new revision', async () => {
    const run = await releasedRun();
    await sync(run, [CLEANUP]);
    const before = run.world.scheduler.list(GROUP)[0].Target?.EcsParameters?.TaskDefinitionArn;
    run.at(run.world.now + 10, 'set a config key (redeploy)', () => run.world.ssm.put('/slipway/apps/example/config/A', 'a'));
    await run.runScheduled();
    await sync(run);

    const after = run.world.scheduler.list(GROUP)[0].Target?.EcsParameters?.TaskDefinitionArn;
    expect(after).not.toBe(before);
    expect(after).toBe(run.world.services.get('example--worker')?.service.taskDefinition);
  });

  test('a Deploy Succeeded milestone event (the app\'s rule) re-syncs the schedules to the deployed revisions', async () => {
    const run = new LocalRun(exampleWorld(), ROOT);
    run.rules.syncSchedulesAfterDeploys = true;
    run.world.ssm.parameters.set(PARAM, { name: PARAM, type: 'String', value: JSON.stringify([CLEANUP]), version: 1, lastModified: 0 });
    run.at(0, 'build 42 succeeds', () => run.startConcurrently('build', buildEvent()));
    await run.runScheduled();
    coverage.add(run.executions);

    const [sync] = run.executions.filter((e) => e.stateMachine === 'schedules');
    expect([sync?.status, (sync?.input as { 'detail-type'?: string })['detail-type']]).toEqual(['SUCCEEDED', 'Deploy Succeeded']);
    expect(run.world.scheduler.list(GROUP)[0].Target?.EcsParameters?.TaskDefinitionArn).toBe(run.world.services.get('example--worker')?.service.taskDefinition);
  });

  test('an input naming no app (neither app nor a milestone detail.app) fails at once with InvalidInput, nothing synced', async () => {
    const run = await releasedRun();
    const e = await run.run('schedules', { reason: 'a start by hand' });
    coverage.add(run.executions);

    expect([e.status, e.error, lastState(e)]).toEqual(['FAILED', 'InvalidInput', 'Refuse an input without the app']);
    expect(run.world.scheduler.list(GROUP)).toEqual([]);
  });

  test("another app's schedules sync touches only that app's group", async () => {
    const run = new LocalRun(exampleWorld({ apps: ['example', 'docs'] }), ROOT);
    run.world.ssm.parameters.set('/slipway/apps/docs/schedules', { name: '/slipway/apps/docs/schedules', type: 'String', value: JSON.stringify([{ name: 'ping', schedule: 'rate(1 hour)', command: 'true', process: 'web' }]), version: 1, lastModified: 0 });
    const e = await run.run('schedules', { app: 'docs', reason: 'test' });
    coverage.add(run.executions);

    expect([e.status, lastState(e)]).toEqual(['SUCCEEDED', 'No release to schedule yet']);
    expect((e.output as { sync?: { result?: { reason?: string } } }).sync?.result?.reason).toContain('docs has no release yet');
    expect(run.world.scheduler.list(GROUP)).toEqual([]);
  });

  test("a milestone of an app of another cluster ends at 'Served by another control plane', nothing synced", async () => {
    const run = await releasedRun();
    const other = { ...run.world.settings, app: 'other', table: 'slipway-other', cluster: 'arn:aws:ecs:us-east-1:123456789012:cluster/slipway-staging', controlPlane: 'staging' };
    run.world.ssm.parameters.set('/slipway/apps/other/settings', { name: '/slipway/apps/other/settings', type: 'String', value: JSON.stringify(other), version: 1, lastModified: 0 });
    const e = await run.run('schedules', { source: 'slipway', 'detail-type': 'Deploy Succeeded', detail: { app: 'other', buildKey: '3' } });
    coverage.add(run.executions);

    expect([e.status, lastState(e)]).toEqual(['SUCCEEDED', 'Served by another control plane']);
    expect([...run.world.scheduler.groups.values()].every((g) => g.size === 0)).toBe(true);
  });

  test('an app never deployed: the list is valid but there is nothing to point at yet', async () => {
    const run = new LocalRun(exampleWorld(), ROOT);
    const e = await sync(run, [CLEANUP]);

    expect(lastState(e)).toBe('No release to schedule yet');
    expect(run.world.scheduler.list(GROUP)).toEqual([]);
  });
});

describe('invalid lists change nothing', () => {
  test.each([
    ['five cron fields', 'cron(0 12 * * *)', 'Expected 6 values'],
    ['both day fields set', 'cron(0 12 * * * *)', 'daysOfMonth and daysOfWeek'],
    ['minute 61', 'cron(61 * * * ? *)', 'minutes'],
    ['rate 0', 'rate(0 minutes)', 'at least 1'],
    ['plural unit for 1', 'rate(1 minutes)', 'singular'],
    ['an unknown unit', 'rate(5 weeks)', 'not a rate expression'],
    ['a shell injection after the expression', 'cron(0 3 * * ? *); rm -rf /', 'neither cron(...) nor rate(...)'],
    ['an at() one-time expression', 'at(2026-01-01T00:00:00)', 'neither cron(...) nor rate(...)'],
    ['empty', '', 'empty'],
  ])('%s: InvalidSchedule names the entry, existing schedules stay as they were', async (_, expression, why) => {
    const run = await releasedRun();
    await sync(run, [CLEANUP, REPORT]);
    const e = await sync(run, [REPORT, { name: 'bad-one', schedule: expression, command: 'echo hi', process: 'worker' }]);

    expect(e.error).toBe('InvalidSchedule');
    expect(message(e)).toContain('bad-one');
    expect(message(e)).toContain(why);
    expect(run.world.scheduler.changes).toEqual(['create cleanup', 'create report']);
  });

  test('a process the app does not have is named', async () => {
    const run = await releasedRun();
    const e = await sync(run, [{ name: 'x', schedule: 'rate(1 day)', command: 'x', process: 'cron' }]);

    expect(e.error).toBe('InvalidSchedule');
    expect(message(e)).toContain('process "cron" is not one of the app\'s processes (web, worker)');
  });

  test('a hostile schedule name is refused', async () => {
    const run = await releasedRun();
    const e = await sync(run, [{ name: '../other-group/x', schedule: 'rate(1 day)', command: 'x', process: 'web' }]);

    expect(e.error).toBe('InvalidSchedule');
    expect(message(e)).toContain('"../other-group/x" is not valid');
  });

  test('two entries with the same name are refused', async () => {
    const run = await releasedRun();
    const e = await sync(run, [CLEANUP, { ...CLEANUP, schedule: 'rate(5 minutes)' }]);

    expect(e.error).toBe('InvalidSchedule');
    expect(message(e)).toContain('the name is also used by');
  });

  test('a parameter that is not JSON is refused with the expected shape', async () => {
    const run = await releasedRun();
    run.world.ssm.parameters.set(PARAM, { name: PARAM, type: 'String', value: '[{"schedule": ', version: 1, lastModified: 0 });
    const e = await sync(run);

    expect(e.error).toBe('InvalidSchedule');
    expect(message(e)).toContain('is not JSON');
  });
});

test('every state of schedules.asl.json is entered by these tests', () => {
  const summary = coverage.summary(ROOT, ['schedules']);
  if (process.env.SLIPWAY_STATE_COVERAGE_FILE) writeFileSync(`${process.env.SLIPWAY_STATE_COVERAGE_FILE}.schedules`, JSON.stringify(summary));
  expect(summary.flatMap((s) => s.missing)).toEqual([]);
});
