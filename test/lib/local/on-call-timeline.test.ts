import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalRun } from '../../../lib/local/runner';
import { renderTimeline } from '../../../lib/local/render-run';
import { buildTimeline } from '../../../domain/execution-history';
import { execution, exampleWorld, ROOT, runBuild } from '../../statemachines/scenarios';

/**
 * The local run's timeline answers the on-call questions (issue 23, point 5): what failed, where its log
 * is, what runs now, what to do next. Each case runs the real ASL files and handlers in the simulated
 * account and reads the text a person reads.
 */

const line = (text: string, pattern: RegExp): string => text.split('\n').find((l) => pattern.test(l)) ?? '';

describe('the local timeline, as an on-call engineer reads it', () => {
  test('a failed release task: the text names the task log (not only --json)', async () => {
    const { run } = await runBuild(exampleWorld({ release: { exitCode: 1 } }));

    const text = renderTimeline(run.report());

    expect(text).toMatch(/^ {2}logs: https:\/\/us-east-1\.console\.aws\.amazon\.com\/cloudwatch\/home\?region=us-east-1#logsV2:log-groups\/log-group\/\$252Fslipway\$252Fapps\$252Fexample\/log-events\/web\$252Fweb\$252F[0-9a-f]{32}$/m);
    expect(text).toMatch(/^ {2}next: read the release task's log .*slipway redrive example 42/m);
  });

  test('a rolled-back deployment: the next step names the logs, the redrive and the rollback', async () => {
    const { run } = await runBuild(exampleWorld({ deployments: { worker: [{ outcome: 'rollsBack', afterSeconds: 60 }] } }));

    const next = line(renderTimeline(run.report()), /^ {2}next:/);

    expect(next).toContain('ECS rolled worker back');
    expect(next).toContain('slipway logs example worker --build 42');
    expect(next).toContain('slipway redrive example 42');
    expect(next).toContain('slipway rollback example');
  });

  test('after a partial deploy it says the app runs two builds, and which process type runs which', async () => {
    const { run } = await runBuild(exampleWorld({ deployments: { worker: [{ outcome: 'rollsBack', afterSeconds: 60 }] } }));

    const text = renderTimeline(run.report());

    expect(text).toContain('the app runs 2 builds at once: example--web build 42, example--worker build 41');
    expect(text).toMatch(/^service example--web: build 42, /m);
    expect(text).toMatch(/^service example--worker: build 41, /m);
    expect(text).toContain('last good release: none recorded (no deploy has finished on every process type)');
  });

  test('a deploy that finished everywhere runs one build: no such line', async () => {
    const { run } = await runBuild(exampleWorld());

    expect(renderTimeline(run.report())).not.toContain('builds at once');
  });

  test('a successful redrive: the Map state reads succeeded, each redriven state is marked once, no redrive 1 / 0 / 1 sections', async () => {
    // The worker's deployment settles after web's rolls back (90 s against 60 s), so web's failure aborts
    // the worker's iteration. At the default 60 s both would end at the same simulated moment, and which the
    // deploy saw first would depend on the order the two waiters' Lambda invocations finished, as on AWS.
    const world = exampleWorld({ deployments: { web: [{ outcome: 'rollsBack', afterSeconds: 60 }], worker: [{ outcome: 'completes', afterSeconds: 90 }] } });
    const { run } = await runBuild(world);
    await run.redriveAfterFix(world, { deployments: { web: [{ outcome: 'completes', afterSeconds: 30 }] } });

    const deploy = execution(run, 'deploy');
    expect(deploy?.status).toBe('SUCCEEDED');
    const text = renderTimeline(run.report());

    const map = line(text, /Deploy each process type/);
    expect(map).toMatch(/✓ Deploy each process type/);
    expect(map).not.toContain('failed');
    expect(text).not.toMatch(/-- redrive \d+ --/);
    expect(text).toMatch(/✗ Update the service and wait for its deployment .*error DeploymentRolledBack \(failed at t\+\S+, then redriven\)/);
    expect(text).toMatch(/✓ Update the service and wait for its deployment +\S+ +\[redrive 1\]/);
    // The worker iteration, aborted when web's failed, ran again in the redrive.
    expect(text).toMatch(/#1 worker\n.*- Update the service and wait for its deployment .*aborted \(aborted at t\+\S+, then redriven\)\n.*✓ Update the service and wait for its deployment +\S+ +\[redrive 1\]/);
    expect(buildTimeline(deploy?.history ?? []).entries.find((e) => e.name === 'Deploy each process type')?.status).toBe('succeeded');
  });

  test('a placement failure reads as a sentence, not the raw JSON of RunTask\'s failures', async () => {
    const { run } = await runBuild(exampleWorld({ release: { placementFailure: 'RESOURCE:MEMORY' } }));

    const text = renderTimeline(run.report());

    expect(text).not.toContain('{"Failures"');
    expect(text).toContain('ECS could not place the task: RESOURCE:MEMORY: no capacity with enough free memory (slipway-example--web:');
  });

  test('an error name is not doubled: a handler\'s DeployRefused reads "DeployRefused: <message>" once', async () => {
    const input = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/events/deploy-input.json'), 'utf8')) as { processes: { name: string }[] };
    input.processes[1].name = 'ghost';
    const run = new LocalRun({ ...exampleWorld(), registeredBuilds: ['42'] }, ROOT);
    await run.run('deploy', input);

    const text = renderTimeline(run.report());

    // A process the app lacks is refused by the deploy's check (issue 21), before update-service.
    expect(execution(run, 'deploy')?.error).toBe('DeployRefused');
    expect(text).toMatch(/→ failed at .*: DeployRefused: deploy of app example refused: process "ghost" is not one of app example's processes/);
    expect(text).not.toContain('DeployRefused: DeployRefused');
  });

  test('with RegisterTaskDefinition throttled twice, the totals count the 2 revisions registered, not the 4 calls', async () => {
    const { run } = await runBuild(exampleWorld({ throttle: { RegisterTaskDefinition: 2 } }));

    expect(run.world.calls.RegisterTaskDefinition).toBe(4);
    expect(run.report().totals.taskDefinitionsRegistered).toBe(2);
    expect(renderTimeline(run.report())).toContain('2 task definition(s) registered');
  });

  test('DeploymentTimedOut fires within a minute of the 30-minute deploy timeout, with the new deployment\'s task counts', async () => {
    const { run } = await runBuild(exampleWorld({ deployments: { worker: [{ outcome: 'neverSettles' }] } }));
    const deploy = execution(run, 'deploy');
    const entered = (deploy?.startedAt ?? 0);

    expect(deploy?.error).toBe('DeploymentTimedOut');
    // The deploy started at t+45 s: its deadline is t+30m45s, the next minute's check fails it.
    expect(entered).toBe(45);
    expect(deploy?.endedAt).toBeGreaterThanOrEqual(entered + 1800);
    expect(deploy?.endedAt).toBeLessThanOrEqual(entered + 1800 + 60);
    // The new deployment never started a task (the simulated deployment never settles): 0 of 1.
    expect(deploy?.cause).toContain('did not settle within 1800 s (0 of 1 tasks running)');
  });
});
