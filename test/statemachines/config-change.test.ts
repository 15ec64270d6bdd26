import { writeFileSync } from 'node:fs';
import { StateCoverage } from '../../lib/local/coverage';
import { LocalRun } from '../../lib/local/runner';
import { CONFIG_PATH, executionsOf, lastState, parameterEvent, releasedRun, serviceSecrets } from './config-scenarios';
import { buildEvent, exampleWorld, ROOT } from './scenarios';

/**
 * statemachines/config-change.asl.json, executed locally with the real handlers: Parameter Store
 * changes of the example app redeploy its current release (build 42) with the config keys that exist
 * now; bursts are debounced; a change during a deploy gives exactly one more deploy after it.
 */

const coverage = new StateCoverage();
const KEY = (k: string) => `${CONFIG_PATH}/${k}`;
const ARN = (k: string) => `arn:aws:ssm:us-east-1:123456789012:parameter${KEY(k)}`;

async function finish(run: LocalRun): Promise<LocalRun> {
  await run.runScheduled();
  coverage.add(run.executions);
  return run;
}

describe('the real Parameter Store Change sample events', () => {
  test('Create: the new key appears in the secrets of every process and the release is redeployed', async () => {
    const run = await releasedRun({ parameters: { [KEY('DATABASE_URL')]: { value: 'postgres://db/example' } } });
    const event = parameterEvent('create', KEY('DATABASE_URL'));
    run.at(10, 'Create event', () => run.startConcurrently('config-change', event));
    await finish(run);

    const deploys = executionsOf(run, 'deploy');
    // Named under the app, from the id of the event that started the config change (a 36-character
    // UUID): at most 34 + 2 + 7 + 36 = 79 characters, however long the name EventBridge gave the
    // config-change execution.
    const eventId = String(event.id);
    expect(eventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(deploys.map((d) => [d.name, d.status])).toEqual([
      ['example--42-deploy', 'SUCCEEDED'],
      [`example--config-${eventId}`, 'SUCCEEDED'],
    ]);
    expect(serviceSecrets(run, 'web')).toEqual(['DATABASE_URL']);
    expect(serviceSecrets(run, 'worker')).toEqual(['DATABASE_URL']);
  });

  test('Create: the secret reads the parameter by its ARN, never a value', async () => {
    const run = await releasedRun({ parameters: { [KEY('DATABASE_URL')]: { value: 'postgres://db/example' } } });
    run.at(10, 'Create event', () => run.startConcurrently('config-change', parameterEvent('create', KEY('DATABASE_URL'))));
    await finish(run);

    const td = run.world.findRevision(run.world.services.get('example--web')?.service.taskDefinition ?? '');
    expect(td?.taskDefinition.containerDefinitions?.[0]?.secrets).toEqual([{ name: 'DATABASE_URL', valueFrom: ARN('DATABASE_URL') }]);
    expect(JSON.stringify(td)).not.toContain('postgres://db/example');
  });

  test('Update: a value change gets a new revision with the same keys, and the services move to it', async () => {
    const run = await releasedRun({ parameters: { [KEY('API_TOKEN')]: { value: 'v2' } } });
    const before = run.world.services.get('example--web')?.service.taskDefinition;
    run.at(10, 'Update event', () => run.startConcurrently('config-change', parameterEvent('update', KEY('API_TOKEN'))));
    await finish(run);

    const after = run.world.services.get('example--web')?.service.taskDefinition;
    expect(after).not.toBe(before);
    expect(serviceSecrets(run, 'web')).toEqual(['API_TOKEN']);
    expect(run.report().world.services['example--web'].image).toContain(':build-42');
  });

  test('Delete: the deleted key disappears from the secrets, the others stay', async () => {
    const run = await releasedRun({ parameters: { [KEY('KEEP')]: { value: '1' }, [KEY('GONE')]: { value: '2' } } });
    run.at(5, 'first a redeploy with both keys', () => run.startConcurrently('config-change', parameterEvent('create', KEY('GONE'))));
    run.at(400, 'GONE is deleted', () => {
      run.world.ssm.parameters.delete(KEY('GONE'));
      run.startConcurrently('config-change', parameterEvent('delete', KEY('GONE')));
    });
    await finish(run);

    expect(executionsOf(run, 'deploy')).toHaveLength(3);
    expect(serviceSecrets(run, 'web')).toEqual(['KEEP']);
  });

  test('the sample event as published (name "foo", outside the prefix) ends without effect', async () => {
    const run = await releasedRun();
    run.at(1, 'foo changes', () => run.startConcurrently('config-change', parameterEvent('update')));
    await finish(run);

    const cc = executionsOf(run, 'config-change')[0];
    expect([cc.status, lastState(cc)]).toEqual(['SUCCEEDED', 'Not a config key of this app']);
    expect(executionsOf(run, 'deploy')).toHaveLength(1);
  });
});

describe('hostile and foreign parameter names end without effect', () => {
  test.each([
    ['a path escape', `${CONFIG_PATH}/../../other/config/KEY`],
    ['a dash (not an environment variable name)', `${CONFIG_PATH}/API-TOKEN`],
    ['a nested path', `${CONFIG_PATH}/nested/KEY`],
    ['a leading digit', `${CONFIG_PATH}/1KEY`],
    ['a reserved name Slipway sets itself', `${CONFIG_PATH}/SLIPWAY_BUILD`],
  ])('%s', async (_, name) => {
    const run = await releasedRun();
    run.at(1, 'hostile change', () => run.startConcurrently('config-change', parameterEvent('create', name)));
    await finish(run);

    const cc = executionsOf(run, 'config-change')[0];
    expect([cc.status, lastState(cc)]).toEqual(['SUCCEEDED', 'Not a config key of this app']);
    expect(executionsOf(run, 'deploy')).toHaveLength(1);
    expect(run.world.table.get({ pk: { S: 'CONFIG' }, sk: { S: 'REDEPLOY' } })).toBeUndefined();
  });

  test.each([
    ['another app that is not deployed here', '/slipway/apps/docs/config/KEY', 'docs'],
    ['a prefix look-alike (an app example-evil)', '/slipway/apps/example-evil/config/KEY', 'example-evil'],
  ])("%s: the shared rule starts the change, which fails uncaught at its first step with SettingsNotFound and touches nothing of example's", async (_, name, app) => {
    const run = await releasedRun();
    run.at(1, 'foreign change', () => run.startConcurrently('config-change', parameterEvent('create', name)));
    await finish(run);

    const cc = executionsOf(run, 'config-change')[0];
    expect([cc.status, cc.error, cc.states.map((v) => v.name)]).toEqual(['FAILED', 'SettingsNotFound', ['Read the parameter change']]);
    expect(cc.cause).toContain(`/slipway/apps/${app}/settings`);
    expect(executionsOf(run, 'deploy')).toHaveLength(1);
    expect(run.world.table.get({ pk: { S: 'CONFIG' }, sk: { S: 'REDEPLOY' } })).toBeUndefined();
  });

  test('a malformed event fails with InvalidInput naming the missing field', async () => {
    const run = await releasedRun();
    const event = parameterEvent('create', KEY('A'));
    delete (event.detail as Record<string, unknown>).name;
    run.at(1, 'malformed', () => run.startConcurrently('config-change', event));
    await finish(run);

    const cc = executionsOf(run, 'config-change')[0];
    expect(cc.error).toBe('InvalidInput');
    expect(cc.cause).toContain('detail.name');
  });
});

describe('debounce and serialization', () => {
  test('ten keys set within nine seconds give one redeploy, after the 30 s window, with all ten keys', async () => {
    const run = await releasedRun();
    for (let i = 0; i < 10; i++) run.at(1000 + i, `set KEY_${i}`, () => run.world.ssm.put(KEY(`KEY_${i}`), `value ${i}`));
    await finish(run);

    const changes = executionsOf(run, 'config-change');
    const redeploys = executionsOf(run, 'deploy').slice(1);
    expect(changes).toHaveLength(10);
    expect(changes.filter((c) => lastState(c) === 'A redeploy is already scheduled')).toHaveLength(9);
    expect(redeploys).toHaveLength(1);
    expect(redeploys[0].startedAt).toBeGreaterThanOrEqual(1000 + 30);
    expect(serviceSecrets(run, 'web')).toHaveLength(10);
  });

  test('a change during a running deploy waits for it and gives exactly one more deploy after it', async () => {
    const run = new LocalRun(exampleWorld(), ROOT);
    run.at(0, 'build 42 succeeds', () => run.startConcurrently('build', buildEvent()));
    run.at(60, 'set A during the deploy', () => run.world.ssm.put(KEY('A'), 'a'));
    run.at(70, 'set B during the deploy', () => run.world.ssm.put(KEY('B'), 'b'));
    await finish(run);

    const deploys = executionsOf(run, 'deploy');
    expect(deploys.map((d) => d.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(deploys[0].startedAt).toBeLessThanOrEqual(60);
    expect(deploys[1].startedAt).toBeGreaterThanOrEqual(deploys[0].endedAt ?? Infinity);
    expect(executionsOf(run, 'config-change')[0].states.some((s) => s.name === 'Wait for the running deploy')).toBe(true);
    expect(serviceSecrets(run, 'web')).toEqual(['A', 'B']);
  });

  test('a change after the redeploy was started claims a new redeploy', async () => {
    const run = await releasedRun();
    run.at(100, 'set A', () => run.world.ssm.put(KEY('A'), 'a'));
    run.at(500, 'set B after the first redeploy', () => run.world.ssm.put(KEY('B'), 'b'));
    await finish(run);

    expect(executionsOf(run, 'deploy').slice(1)).toHaveLength(2);
    expect(serviceSecrets(run, 'web')).toEqual(['A', 'B']);
  });

  test('the debounce window follows the app config (configDebounceSeconds: 5)', async () => {
    const run = await releasedRun({ config: 'test/fixtures/configs/slow-deploys.json' });
    run.at(100, 'set A', () => run.world.ssm.put(KEY('A'), 'a'));
    await finish(run);

    const redeploy = executionsOf(run, 'deploy')[1];
    expect(redeploy.startedAt).toBeGreaterThanOrEqual(105);
    expect(redeploy.startedAt).toBeLessThan(130);
  });

  test('a deploy still running after two hours: the change gives up with RunningDeployTooLong and frees the claim', async () => {
    const run = new LocalRun(exampleWorld({ config: 'test/fixtures/configs/slow-deploys.json', deployments: { web: [{ outcome: 'neverSettles' }] } }), ROOT);
    run.at(0, 'build 42 succeeds', () => run.startConcurrently('build', buildEvent()));
    run.at(120, 'set A during the stuck deploy', () => run.world.ssm.put(KEY('A'), 'a'));
    await finish(run);

    const cc = executionsOf(run, 'config-change')[0];
    expect(cc.error).toBe('RunningDeployTooLong');
    expect(run.world.table.get({ pk: { S: 'CONFIG' }, sk: { S: 'REDEPLOY' } })?.claimedBy).toBeUndefined();
  });
});

describe('other outcomes', () => {
  test('the next build keeps the config: its revisions carry the keys that exist when it registers them', async () => {
    const run = new LocalRun(exampleWorld({ parameters: { [KEY('DATABASE_URL')]: { value: 'postgres://db/example' } } }), ROOT);
    await run.run('build', buildEvent());
    coverage.add(run.executions);

    expect(serviceSecrets(run, 'web')).toEqual(['DATABASE_URL']);
    expect(serviceSecrets(run, 'worker')).toEqual(['DATABASE_URL']);
  });


  test('an app never deployed: the change ends without a deploy (the first deploy reads the config)', async () => {
    const run = new LocalRun(exampleWorld(), ROOT);
    run.at(0, 'set A', () => run.world.ssm.put(KEY('A'), 'a'));
    await finish(run);

    expect(lastState(executionsOf(run, 'config-change')[0])).toBe('No release to redeploy yet');
    expect(executionsOf(run, 'deploy')).toHaveLength(0);
  });

  test('the schedules parameter changing starts the schedules sync', async () => {
    const run = await releasedRun();
    run.at(10, 'set schedules', () => run.world.ssm.put('/slipway/apps/example/schedules', JSON.stringify([{ schedule: 'rate(1 hour)', command: 'bin/cleanup', process: 'worker' }]), 'String'));
    await finish(run);

    const cc = executionsOf(run, 'config-change')[0];
    expect(lastState(cc)).toBe('Schedules sync started');
    expect(executionsOf(run, 'schedules').map((e) => [e.name, e.status])).toEqual([[`parameter-${String(run.world.ssm.events[0].id)}`, 'SUCCEEDED']]);
    expect(run.world.scheduler.list('slipway-production.example')).toHaveLength(1);
  });

  test("the app's settings parameter rewritten (a deploy of its app stack) syncs its schedules: no redeploy, no claim", async () => {
    const run = await releasedRun();
    const settings = '/slipway/apps/example/settings';
    run.at(10, 'app stack deployed', () => run.world.ssm.put(settings, run.world.ssm.get(settings).value, 'String'));
    await finish(run);

    const cc = executionsOf(run, 'config-change')[0];
    expect([cc.status, lastState(cc)]).toEqual(['SUCCEEDED', 'Schedules sync started']);
    expect(executionsOf(run, 'schedules').map((e) => e.status)).toEqual(['SUCCEEDED']);
    expect(executionsOf(run, 'deploy')).toHaveLength(1);
    expect(run.world.table.get({ pk: { S: 'CONFIG' }, sk: { S: 'REDEPLOY' } })).toBeUndefined();
  });

  test('an unreadable current release fails the change with InvalidInput naming RELEASE/CURRENT', async () => {
    const run = await releasedRun();
    run.world.table.update({ pk: { S: 'RELEASE' }, sk: { S: 'CURRENT' } }, 'SET processes = :p', undefined, { values: { ':p': { S: 'not json' } } });
    run.at(10, 'set A', () => run.world.ssm.put(KEY('A'), 'a'));
    await finish(run);

    const cc = executionsOf(run, 'config-change')[0];
    expect(cc.error).toBe('InvalidInput');
    expect(cc.cause).toContain('RELEASE/CURRENT');
  });

  test('a failure while holding the claim stops at the failing step, uncaught (redrivable); giving the claim up is left to execution-status', async () => {
    const run = await releasedRun({ throttle: { ListExecutions: 7 } });
    run.at(10, 'set A', () => run.world.ssm.put(KEY('A'), 'a'));
    await finish(run);

    const [first] = executionsOf(run, 'config-change');
    // The Lambda turns the throttling into TransientError; the state's Retry gives up after 6 retries (7 calls).
    expect(first.error).toBe('TransientError');
    expect(first.states.filter((s) => s.status === 'failed').map((s) => s.name)).toEqual(['Look for a running deploy or release of the app']);
    expect(first.states.map((s) => s.name)).not.toContain('Config change failed');
    // execution-status released the claim from the FAILED status event (delivered by the run's rule), so a
    // later change can take it; a redrive's "Give up the redeploy claim" accepts a released claim.
    expect(run.world.table.get({ pk: { S: 'CONFIG' }, sk: { S: 'REDEPLOY' } })?.claimedBy?.S).not.toBe(first.arn);
    expect(run.statusEvents.some((e) => e.detail.executionArn === first.arn && e.detail.status === 'FAILED')).toBe(true);
  });

  test('a claim taken over while waiting: this change leaves the redeploy to the other execution', async () => {
    const run = await releasedRun();
    run.at(10, 'set A', () => run.world.ssm.put(KEY('A'), 'a'));
    run.at(20, 'another execution takes the claim over', () =>
      run.world.table.update({ pk: { S: 'CONFIG' }, sk: { S: 'REDEPLOY' } }, 'SET claimedBy = :other', undefined, { values: { ':other': { S: 'arn:aws:states:us-east-1:123456789012:execution:slipway-production-config-change:other' } } }),
    );
    await finish(run);

    expect(lastState(executionsOf(run, 'config-change')[0])).toBe('Another change took over the redeploy');
    expect(executionsOf(run, 'deploy')).toHaveLength(1);
  });
});

test('every state of config-change.asl.json is entered by these tests', () => {
  const summary = coverage.summary(ROOT, ['config-change']);
  if (process.env.SLIPWAY_STATE_COVERAGE_FILE) writeFileSync(`${process.env.SLIPWAY_STATE_COVERAGE_FILE}.config-change`, JSON.stringify(summary));
  expect(summary.flatMap((s) => s.missing)).toEqual([]);
});
