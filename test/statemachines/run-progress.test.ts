import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Item } from '../../lib/local/services/dynamodb';
import { LocalRun } from '../../lib/local/runner';
import type { WorldFile } from '../../lib/local/world-schema';
import { processDeployedAttribute, readRunProgress, RUN_STAGES } from '../../domain/run-progress';
import { buildEvent, execution, exampleWorld, path, ROOT } from './scenarios';

/**
 * A run's stage and failure history in the build's record (domain/run-progress.ts), as the dashboard
 * reads them (the browser cannot ask Step Functions): written by the real release and deploy ASL files
 * and by execution-status on the real status events, in the local runner.
 */

function record(run: LocalRun, buildKey = '42'): Item {
  const item = run.world.tableOf('example').all().find((i) => i.pk.S === 'BUILD' && i.buildKey?.S === buildKey);
  if (!item) throw new Error(`no record of build ${buildKey}`);
  return structuredClone(item);
}

/** Starts build 42 and takes a copy of its record at each of `times` (simulated seconds). */
async function watch(world: WorldFile, times: number[]): Promise<{ run: LocalRun; seen: Map<number, Item | undefined> }> {
  const run = new LocalRun(world, ROOT);
  const seen = new Map<number, Item | undefined>();
  run.at(0, 'build 42 succeeds', () => run.startConcurrently('build', buildEvent()));
  for (const t of times) run.at(t, `read the record at ${t} s`, () => seen.set(t, run.world.tableOf('example').all().find((i) => i.pk.S === 'BUILD' && i.buildKey?.S === '42')));
  await run.runScheduled();
  return { run, seen };
}

describe('the stage of a run, written as it goes', () => {
  test('a run that deploys: release started, release succeeded, deploying both process types, each deployed, deployed, in time order', async () => {
    const { run } = await watch(exampleWorld(), []);
    const item = record(run);
    const progress = readRunProgress(item);

    expect(progress.stage).toBe('deployed');
    expect(progress.deployProcesses).toEqual(['web', 'worker']);
    expect(progress.processesDeployed.map((p) => p.process).sort()).toEqual(['web', 'worker']);
    const times = [progress.releaseStartedAt, progress.releaseSucceededAt, progress.deployStartedAt, ...progress.processesDeployed.map((p) => p.at), item.releasedAt?.S];
    expect(times.every((t) => typeof t === 'string')).toBe(true);
    expect([...times].sort()).toEqual(times);
    expect(path(execution(run, 'release'))).toEqual(expect.arrayContaining(['Record the release start', 'Record the release success']));
    expect(path(execution(run, 'deploy'))).toEqual(expect.arrayContaining(['Record the deploy start', 'web: Record the process type deployed', 'worker: Record the process type deployed']));
  });

  test('while web still deploys, the record says deploying and that worker is done; when web completes, deployed', async () => {
    // The release task takes 60 s (the world's default), worker completes 30 s into the deploy, web after 15 minutes.
    const { run, seen } = await watch(exampleWorld({ deployments: { web: [{ outcome: 'completes', afterSeconds: 900 }], worker: [{ outcome: 'completes', afterSeconds: 30 }] } }), [600]);
    const during = seen.get(600);
    if (!during) throw new Error('no record at 600 s');
    const progress = readRunProgress(during);

    expect(progress.stage).toBe('deploying');
    expect(progress.processesDeployed.map((p) => p.process)).toEqual(['worker']);
    expect(during[processDeployedAttribute('web')]).toBeUndefined();
    expect(during.releasedAt).toBeUndefined();
    expect(readRunProgress(record(run)).stage).toBe('deployed');
  });

  test('a release command that exits 1: the record stays at release started, with the failure beside it', async () => {
    const run = new LocalRun(exampleWorld({ release: { exitCode: 1 } }), ROOT);
    await run.run('build', buildEvent());
    const item = record(run);
    const progress = readRunProgress(item);

    expect(progress.stage).toBe('release-started');
    expect(progress.releaseSucceededAt).toBeUndefined();
    expect(progress.deployStartedAt).toBeUndefined();
    expect(item.failedPipeline?.S).toBe('release');
    expect(progress.failures).toEqual([expect.objectContaining({ pipeline: 'release', step: 'Run release task', redriveCount: 0 })]);
  });

  test('a build without a record (started by hand) releases and deploys without creating one', async () => {
    const run = new LocalRun(exampleWorld(), ROOT);
    await run.run('build', buildEvent());
    const input = JSON.parse(JSON.stringify(execution(run, 'release')?.input)) as { build: { sortKey: string; buildKey: string } };
    const release = await run.run('release', { ...input, build: { ...input.build, sortKey: '0000000077', buildKey: '77' } }, 'example--77-release');

    expect(release.status).toBe('SUCCEEDED');
    expect(path(release)).toContain('Record the release start');
    expect(run.world.tableOf('example').all().filter((i) => i.pk.S === 'BUILD' && i.sk.S === '0000000077')).toEqual([]);
  });

  test('every stage the ASL files write is one of the domain\'s', () => {
    const written = new Set<string>();
    for (const f of ['release', 'deploy']) {
      const text = readFileSync(join(ROOT, 'statemachines', `${f}.asl.json`), 'utf8');
      for (const m of text.matchAll(/":stage": \{ "S": "([a-z-]+)" \}/g)) written.add(m[1]);
    }
    expect([...written].sort()).toEqual([...RUN_STAGES].sort());
  });
});

describe('a failure that was redriven stays in the record', () => {
  test('a failed release redriven after the fix: the record shows the run deployed, and the failure with its redrive', async () => {
    const world = exampleWorld({ release: { exitCode: 1 } });
    const run = new LocalRun(world, ROOT);
    await run.run('build', buildEvent());
    const release = execution(run, 'release');
    if (!release) throw new Error('no release execution');
    const failed = record(run);
    (run.world.spec.release as { exitCode: number }).exitCode = 0;
    await run.redrive(release);
    const item = record(run);
    const progress = readRunProgress(item);

    expect(item.pipelineError).toBeUndefined();
    expect(item.recoveredAt?.S).toEqual(expect.any(String));
    expect(progress.stage).toBe('deployed');
    expect(progress.failures).toHaveLength(1);
    const [f] = progress.failures;
    expect(f).toMatchObject({ pipeline: 'release', step: 'Run release task', error: failed.pipelineError?.S, at: failed.failedAt?.S, execution: release.arn, redriveCount: 0 });
    expect(f.cause).toContain('exit');
    expect(f.redrivenAt).toBe(item.redrivenAt?.S);
    expect([f.at, f.redrivenAt, item.recoveredAt?.S]).toEqual([...[f.at, f.redrivenAt, item.recoveredAt?.S]].sort());
  });

  test('a deploy that fails twice and then succeeds keeps both failures, each with the redrive that followed it', async () => {
    const failing: WorldFile = exampleWorld({ deployments: { web: [{ outcome: 'rollsBack', afterSeconds: 60 }, { outcome: 'rollsBack', afterSeconds: 60 }] } });
    const run = new LocalRun(failing, ROOT);
    await run.run('build', buildEvent());
    const deploy = execution(run, 'deploy');
    if (!deploy) throw new Error('no deploy execution');
    const again = await run.redrive(deploy);
    expect(again.status).toBe('FAILED');
    const last = await run.redriveAfterFix(failing, { deployments: { web: null } });
    expect(last.status).toBe('SUCCEEDED');
    const item = record(run);
    const progress = readRunProgress(item);

    expect(item.pipelineError).toBeUndefined();
    expect(progress.stage).toBe('deployed');
    expect(progress.failures.map((f) => [f.pipeline, f.error, f.redriveCount, typeof f.redrivenAt])).toEqual([
      ['deploy', 'DeploymentRolledBack', 0, 'string'],
      ['deploy', 'DeploymentRolledBack', 1, 'string'],
    ]);
    expect(progress.failures[0].step).toMatch(/Update the service and wait for its deployment/);
    expect(progress.failures.every((f) => f.execution === deploy.arn)).toBe(true);
  });
});
