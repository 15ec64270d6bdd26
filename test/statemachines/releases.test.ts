import { readRelease, readReleaseCounter, RELEASE_COUNTER, RELEASES_PK, type ReleaseRecord } from '../../domain/releases';
import { dynamoKey } from '../../domain/table';
import { LocalRun } from '../../lib/local/runner';
import { CONFIG_PATH, executionsOf, parameterEvent } from './config-scenarios';
import { buildEvent, exampleWorld, ROOT } from './scenarios';

/**
 * Numbered releases (slipway releases / rollback --to v<n>), recorded by the deploy's "Number the
 * release" state: the real deploy ASL invoking the real update-service handler with the payload the ASL
 * builds, in the local runner. A push, a config change, another push and a rollback each take the next
 * number, with what started them and their config version.
 */

const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/slipway/example';

function releases(run: LocalRun): ReleaseRecord[] {
  return run.world.table
    .all()
    .filter((i) => i.pk?.S === RELEASES_PK)
    .map((i) => readRelease(i)!)
    .sort((a, b) => a.number - b.number);
}

function runningRevisions(run: LocalRun): { process: string; taskDefinitionArn: string }[] {
  return ['web', 'worker'].map((process) => ({ process, taskDefinitionArn: run.world.services.get(`example--${process}`)!.service.taskDefinition! }));
}

describe('a push, a config change, a push and a rollback', () => {
  let run: LocalRun;
  let v1Revisions: { process: string; taskDefinitionArn: string }[];

  beforeAll(async () => {
    run = new LocalRun(exampleWorld({ parameters: { [`${CONFIG_PATH}/API_TOKEN`]: { value: 'v1' } } }), ROOT);
    await run.run('build', buildEvent({ build: 42 }));
    v1Revisions = runningRevisions(run);
    run.at(10, 'a config key is set', () => run.startConcurrently('config-change', parameterEvent('create', `${CONFIG_PATH}/API_TOKEN`)));
    await run.runScheduled();
    await run.run('build', buildEvent({ build: 43 }));
    // What `slipway rollback example --to v1` starts: release 1's build and revisions, forced, named as the CLI names it.
    await run.run(
      'deploy',
      {
        app: 'example',
        table: run.world.settings.table,
        build: { buildKey: '42', sortKey: '0000000042', image: `${IMAGE}:build-42`, commit: '0'.repeat(40) },
        processes: v1Revisions.map((p) => ({ name: p.process, taskDefinitionArn: p.taskDefinitionArn })),
        force: true,
        deployTimeoutSeconds: 1800,
      },
      'example--42-rollback-20260101T010000Z',
    );
  });

  test('every deploy succeeded', () => {
    expect(executionsOf(run, 'deploy').map((d) => d.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
  });

  test('each deploy took the next number, with what started it', () => {
    expect(releases(run).map((r) => [r.number, r.buildKey, r.trigger])).toEqual([
      [1, '42', 'push'],
      [2, '42', 'config change'],
      [3, '43', 'push'],
      [4, '42', 'rollback'],
    ]);
  });

  test('the config version grows with the config change, stays with the push, and returns with the rollback', () => {
    expect(releases(run).map((r) => r.configVersion)).toEqual([1, 2, 2, 1]);
    expect(releases(run)[3].sameAs).toBe(1);
  });

  test('each release holds the revisions its deploy put on the services, and its execution', () => {
    const [v1, v2, , v4] = releases(run);
    expect(v1.processes).toEqual(v1Revisions);
    expect(v2.processes).not.toEqual(v1Revisions);
    expect(v4.processes).toEqual(v1Revisions);
    expect(runningRevisions(run)).toEqual(v1Revisions);
    expect(v4.execution).toBe(executionsOf(run, 'deploy')[3].arn);
    expect(v1.image).toBe(`${IMAGE}:build-42`);
  });

  test('the counter holds the newest number and the highest config version', () => {
    expect(readReleaseCounter(run.world.table.get(dynamoKey(RELEASE_COUNTER)))).toMatchObject({ last: 4, configVersion: 1, maxConfigVersion: 2 });
  });

  test('the deploy output carries the release number', () => {
    const deploy = executionsOf(run, 'deploy')[3];
    expect((deploy.output as { release?: unknown }).release).toEqual({ number: 4, configVersion: 1, trigger: 'rollback' });
  });
});
