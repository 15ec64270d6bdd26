import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StateCoverage } from '../../lib/local/coverage';
import { LocalRun } from '../../lib/local/runner';
import type { ExecutionReport } from '../../lib/local/runner';
import { judgeError, type ReleaseContext } from '../../functions/shared/release-verdict';
import { readableCause } from '../../functions/execution-status/decide';
import { awsEvent, buildEvent, execution, exampleWorld, path, ROOT, runBuild } from './scenarios';

/**
 * The three pipelines, executed locally: the real ASL files on aws-local-stepfunctions, the real
 * handlers, a simulated account. One behaviour per test; the last test checks every state was entered.
 */

const coverage = new StateCoverage();
const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/slipway/example';


async function scenario(world: Parameters<typeof runBuild>[0], event?: Record<string, unknown>) {
  const result = await runBuild(world, event);
  coverage.add(result.run.executions);
  return result.run;
}

/** A release task that exits 1, then the operator's fix (exit 0) and a redrive of the release execution. */
async function releaseRedrivenAfterFix() {
  const run = await scenario(exampleWorld({ release: { exitCode: 1 } }));
  const release = execution(run, 'release');
  if (!release) throw new Error('no release execution');
  (run.world.spec.release as { exitCode: number }).exitCode = 0;
  await run.redrive(release);
  coverage.add(run.executions);
  return { run, release };
}

describe('happy path', () => {
  test('a successful build of the example app becomes a running release of both process types', async () => {
    const run = await scenario(exampleWorld());
    const report = run.report();

    expect(report.executions.map((e) => [e.name, e.status])).toEqual([
      // EventBridge names the build execution after the CodeBuild event: its id, '_', a UUID.
      [expect.stringMatching(new RegExp(`^${String(buildEvent().id)}_[0-9a-f-]{36}$`)), 'SUCCEEDED'],
      ['example--42-release', 'SUCCEEDED'],
      ['example--42-deploy', 'SUCCEEDED'],
    ]);
    expect(report.world.services['example--web'].image).toBe(`${IMAGE}:build-42`);
    expect(report.world.services['example--worker'].image).toBe(`${IMAGE}:build-42`);
    expect(report.world.lastGoodRelease).toMatchObject({ build: '42', image: `${IMAGE}:build-42` });
    expect(report.totals.taskDefinitionsRegistered).toBe(2);
    expect(report.totals.releaseTasksStarted).toBe(1);
  });

  test('the release task runs the configured release command in the web task definition', async () => {
    const run = await scenario(exampleWorld());
    const task = run.world.tasks[0] as { TaskDefinitionArn: string; Containers: { Name: string }[] };
    expect(task.TaskDefinitionArn).toMatch(/task-definition\/slipway-example--web:\d+$/);
    expect(task.Containers.map((c) => c.Name)).toEqual(['web']);
  });

  test('a first deploy creates both services with circuit-breaker rollback and registers autoscaling', async () => {
    const run = await scenario({ app: 'example' });
    const web = run.world.services.get('example--web')?.service;

    expect(web?.deploymentConfiguration?.deploymentCircuitBreaker).toEqual({ enable: true, rollback: true });
    expect(web?.loadBalancers?.[0]).toMatchObject({ containerName: 'web', containerPort: 3000 });
    expect(run.report().world.autoscaling).toEqual({
      'service/slipway-production/example--web': { min: 2, max: 6, policies: ['example--web-cpu'] },
      'service/slipway-production/example--worker': { min: 1, max: 4, policies: ['example--worker-cpu'] },
    });
    expect(execution(run, 'deploy')?.status).toBe('SUCCEEDED');
  });

  test('an app without a release command skips the release task and still deploys', async () => {
    const run = await scenario({ app: 'docs' }, buildEvent({ project: 'slipway-docs' }));

    expect(path(execution(run, 'release'))).toEqual(['Does the input name the app and its table?', 'Record the release start', 'Announce the release', 'Does the app have a release command?', 'Record the release success', 'Announce the successful release', 'Start the deploy', 'Deploy started']);
    expect(run.world.tasks).toHaveLength(0);
    expect(execution(run, 'deploy')?.status).toBe('SUCCEEDED');
  });
});

/**
 * Where an execution stopped: the last state that failed and was not caught. AWS redrives the states that
 * have an Entered and no Exited event, so this is the state a redrive re-runs.
 */
function failedStep(e: ExecutionReport | undefined): string | undefined {
  const failed = (e?.states ?? []).filter((s) => s.status === 'failed');
  const last = failed.at(-1);
  return last ? (last.iteration ? `${last.iteration}: ${last.name}` : last.name) : undefined;
}

/** Fail states and failure bookkeeping states must not appear in a redrivable failure. */
function noFailureRouting(e: ExecutionReport | undefined): void {
  expect(path(e).filter((n) => /Record the failed|Announce the failed|Announce the rollback| failed$/.test(n))).toEqual([]);
  expect((e?.states ?? []).filter((s) => s.status === 'caught' && !s.name.startsWith('Announce'))).toEqual([]);
}

/** The verdict "Judge the release task" (and execution-status) gives for ECS's own failure of the release task. */
function translated(release: ExecutionReport | undefined) {
  const ctx = (release?.input as unknown as { release: ReleaseContext }).release;
  return judgeError({ Error: release?.error, Cause: release?.cause }, ctx);
}

describe('release failures deploy nothing, and stop at a step whose redrive runs a new release task', () => {
  test('a release command that exits 1 fails uncaught at "Run release task" with AWS\'s States.TaskFailed; its cause translates to the exit code and the logs', async () => {
    const run = await scenario(exampleWorld({ release: { exitCode: 1 } }));
    const release = execution(run, 'release');

    expect(release?.status).toBe('FAILED');
    expect(release?.error).toBe('States.TaskFailed');
    expect(failedStep(release)).toBe('Run release task');
    noFailureRouting(release);
    expect(translated(release).cause).toContain('exited with code 1 in container "web"');
    expect(translated(release).logLink).toContain('console.aws.amazon.com/cloudwatch');
    expect(execution(run, 'deploy')).toBeUndefined();
    expect(run.report().world.services['example--web'].image).toBe(`${IMAGE}:build-41`);
  });

  test('a release task that fails to start fails at "Run release task"; the cause translates to the start failure', async () => {
    const run = await scenario(exampleWorld({ release: { failToStart: 'pull access denied for example' } }));
    const release = execution(run, 'release');

    expect(failedStep(release)).toBe('Run release task');
    expect(translated(release).cause).toContain('failed to start (TaskFailedToStart)');
    expect(execution(run, 'deploy')).toBeUndefined();
  });

  test('a non-essential sidecar that exits 0 does not hide the release container exiting 1', async () => {
    const run = await scenario(exampleWorld({ release: { exitCode: 1, sidecar: { name: 'log-router', exitCode: 0 } } }));

    expect(failedStep(execution(run, 'release'))).toBe('Run release task');
    expect(translated(execution(run, 'release')).cause).toContain('exited with code 1 in container "web"');
  });

  test('a release task ECS cannot place fails at "Run release task" with AmazonECS.Unknown and the placement reason', async () => {
    const run = await scenario(exampleWorld({ release: { placementFailure: 'RESOURCE:MEMORY' } }));

    expect(execution(run, 'release')?.error).toBe('AmazonECS.Unknown');
    expect(failedStep(execution(run, 'release'))).toBe('Run release task');
    expect(execution(run, 'release')?.cause).toContain('RESOURCE:MEMORY');
    expect(run.world.tasks).toHaveLength(0);
  });

  test('a task ECS reports as stopped normally but judged failed (an essential sidecar exited 1) fails with ReleaseFailed at "Stop on the failed release"', async () => {
    // Prepare: the build's release input, with the sidecar marked essential.
    const first = await runBuild(exampleWorld());
    const input = structuredClone(execution(first.run, 'release')?.input) as { release: { essentialContainers: string[] } };
    input.release.essentialContainers = ['web', 'log-router'];
    const run = new LocalRun(exampleWorld({ release: { exitCode: 0, sidecar: { name: 'log-router', exitCode: 1 } } }), ROOT);
    // ECS runs only task definitions the account holds: build 42's revisions, as the build pipeline registered them.
    for (const process of ['web', 'worker']) run.world.seedRevision(process, '42');

    // Act
    await run.run('release', input);
    coverage.add(run.executions);
    const release = execution(run, 'release');

    // Assess
    expect(release?.error).toBe('ReleaseFailed');
    expect(failedStep(release)).toBe('Stop on the failed release');
    expect(readableCause(release?.cause)).toMatch(/essential container "log-router" exited 1\. Logs: https:\/\//);
    expect(execution(run, 'deploy')).toBeUndefined();
  });

  test('a failed release redriven after the fix runs a new release task (new client token) and deploys', async () => {
    const { run, release } = await releaseRedrivenAfterFix();

    expect(release.status).toBe('SUCCEEDED');
    expect(release.redriveCount).toBe(1);
    expect(run.world.tasks).toHaveLength(2);
    expect(execution(run, 'deploy')?.status).toBe('SUCCEEDED');
  });
});

describe('deployments', () => {
  test('a circuit-breaker rollback fails the deploy with DeploymentRolledBack, not success', async () => {
    const run = await scenario(exampleWorld({ deployments: { web: [{ outcome: 'rollsBack', afterSeconds: 120, reason: 'ECS deployment circuit breaker: tasks failed to start.' }] } }));
    const deploy = execution(run, 'deploy');

    expect(deploy?.status).toBe('FAILED');
    expect(deploy?.error).toBe('DeploymentRolledBack');
    expect(deploy?.cause).toContain('tasks failed to start');
    expect(run.report().world.lastGoodRelease).toBeNull();
    expect(run.report().world.services['example--web'].taskDefinition).toMatch(/slipway-example--web:1$/);
  });

  test('a deployment that never settles fails its own iteration with DeploymentTimedOut (the sweep\'s final check after the 30-minute default)', async () => {
    const run = await scenario(exampleWorld({ deployments: { worker: [{ outcome: 'neverSettles' }] } }));
    const deploy = execution(run, 'deploy');

    expect(deploy?.error).toBe('DeploymentTimedOut');
    expect(deploy?.cause).toContain('did not settle within 1800 s');
    expect(failedStep(deploy)).toBe('worker: Update the service and wait for its deployment');
    noFailureRouting(deploy);
    expect(run.world.now).toBeGreaterThanOrEqual(45 + 1800);
    expect(run.world.now).toBeLessThanOrEqual(45 + 1800 + 60);
  });

  test('a rollback fails the rolled-back process type\'s iteration, uncaught; the other process type completes', async () => {
    const run = await scenario(exampleWorld({ deployments: { web: [{ outcome: 'rollsBack', afterSeconds: 60 }], worker: [{ outcome: 'completes', afterSeconds: 30 }] } }));
    const deploy = execution(run, 'deploy');

    expect(failedStep(deploy)).toBe('web: Update the service and wait for its deployment');
    expect(path(deploy)).toContain('worker: Service runs the new release');
    noFailureRouting(deploy);
    expect(run.report().world.services['example--worker'].image).toBe(`${IMAGE}:build-42`);
  });

  test('a deployment replaced by another one ends as superseded: SUCCEEDED with outcome "superseded", not a failure to redrive', async () => {
    const run = await scenario(exampleWorld({ deployments: { web: [{ outcome: 'replaced', afterSeconds: 30 }] } }));

    expect([execution(run, 'deploy')?.status, execution(run, 'deploy')?.output]).toEqual(['SUCCEEDED', expect.objectContaining({ outcome: 'superseded', build: '42' })]);
    expect(path(execution(run, 'deploy'))).toContain('web: Service is on a newer release');
    expect(path(execution(run, 'deploy'))).not.toContain('Record the release');
  });

  test('lost ECS events: the deadline check resumes the deploy within a minute of the deployment completing', async () => {
    const run = await scenario(exampleWorld({ lostEvents: true }));

    expect(execution(run, 'deploy')?.status).toBe('SUCCEEDED');
    // The deployments complete at t+1m45s (45 s release + 60 s); no event comes, the check at t+2m resumes.
    expect(run.world.now).toBe(120);
    // The deadline check runs deployment-events every minute; the 5-minute sweep runs execution-status
    // (which repairs missed status events): none fell in these two minutes, and nothing failed.
    expect(run.lambdaInvocationsOf('executionStatus')).toBe(Math.floor(run.world.now / 300));
    expect(run.lambdaInvocationsOf('deploymentEvents')).toBeGreaterThanOrEqual(Math.floor(run.world.now / 60));
  });

  test('lost ECS events and a 10-minute deployment: execution-status runs at each 5-minute sweep, deployment-events every minute', async () => {
    const run = await scenario(exampleWorld({ lostEvents: true, deployments: { web: [{ outcome: 'completes', afterSeconds: 600 }], worker: [{ outcome: 'completes', afterSeconds: 600 }] } }));

    expect(execution(run, 'deploy')?.status).toBe('SUCCEEDED');
    expect(run.world.now).toBe(660);
    expect(run.lambdaInvocationsOf('executionStatus')).toBe(2);
    expect(run.lambdaInvocationsOf('deploymentEvents')).toBeGreaterThanOrEqual(10);
  });

  test('state transitions do not grow with how long ECS takes to settle (60 s vs 600 s)', async () => {
    const fast = await scenario(exampleWorld({ deployments: { web: [{ outcome: 'completes', afterSeconds: 60 }], worker: [{ outcome: 'completes', afterSeconds: 60 }] } }));
    const slow = await scenario(exampleWorld({ deployments: { web: [{ outcome: 'completes', afterSeconds: 600 }], worker: [{ outcome: 'completes', afterSeconds: 600 }] } }));

    expect(slow.world.now - fast.world.now).toBeGreaterThanOrEqual(540);
    expect(slow.transitions).toBe(fast.transitions);
  });

  test('a failed deploy redriven after the cause is fixed succeeds without new revisions or release tasks', async () => {
    const run = await scenario(exampleWorld({ deployments: { web: [{ outcome: 'rollsBack', afterSeconds: 60 }, { outcome: 'completes', afterSeconds: 60 }] } }));
    const deploy = execution(run, 'deploy');
    if (!deploy) throw new Error('no deploy execution');
    expect(deploy.status).toBe('FAILED');

    await run.redrive(deploy);
    coverage.add(run.executions);

    expect(deploy.status).toBe('SUCCEEDED');
    expect(run.world.calls.RegisterTaskDefinition).toBe(2);
    expect(run.world.tasks).toHaveLength(1);
    expect(run.report().world.services['example--web'].image).toBe(`${IMAGE}:build-42`);
  });
});

describe('milestone events (source slipway, default bus)', () => {
  const kinds = (run: LocalRun) => run.report().events.map((e) => e.detailType);

  test('a release announces each milestone once, in order, for the right build and execution', async () => {
    const run = await scenario(exampleWorld());
    const events = run.report().events;
    const arnOf = (p: 'build' | 'release' | 'deploy') => execution(run, p)?.arn;

    expect(events.map((e) => [e.detailType, e.resources[0]])).toEqual([
      ['Build Recorded', arnOf('build')],
      ['Release Started', arnOf('release')],
      ['Release Succeeded', arnOf('release')],
      ['Deploy Started', arnOf('deploy')],
      ['Deploy Succeeded', arnOf('deploy')],
    ]);
    expect(events.every((e) => e.source === 'slipway' && e.detail.app === 'example' && e.detail.buildKey === '42')).toBe(true);
    expect(events.map((e) => e.detail.execution)).toEqual(events.map((e) => e.resources[0]));
  });

  test('Build Recorded carries the status, commit and image; Deploy Started names the process types', async () => {
    const run = await scenario(exampleWorld());
    const [recorded] = run.report().events;
    const started = run.report().events.find((e) => e.detailType === 'Deploy Started');

    expect(recorded.detail).toMatchObject({ status: 'SUCCEEDED', image: `${IMAGE}:build-42` });
    expect(recorded.detail.commit).toMatch(/^[0-9a-f]{7,40}$/);
    expect(started?.detail.processes).toEqual(['web', 'worker']);
  });

  test('a failed CodeBuild build is announced with its status and nothing else follows', async () => {
    const run = await scenario(exampleWorld(), buildEvent({ status: 'FAILED' }));

    expect(kinds(run)).toEqual(['Build Recorded']);
    expect(run.report().events[0].detail.status).toBe('FAILED');
  });

  // Failures are announced by execution-status from Step Functions' status events, outside the executions
  // (the run delivers them through the app's rule); the state machines put only the started/succeeded milestones.
  test.each([
    // AWS names the release task's failure States.TaskFailed; the announcement translates it.
    ['a release command that exits 1', exampleWorld({ release: { exitCode: 1 } }), ['Build Recorded', 'Release Started', 'Release Failed'], 'release', 'ReleaseFailed'],
    ['a circuit-breaker rollback', exampleWorld({ deployments: { web: [{ outcome: 'rollsBack', afterSeconds: 60 }] } }), ['Build Recorded', 'Release Started', 'Release Succeeded', 'Deploy Started', 'Deploy Rolled Back'], 'deploy', 'DeploymentRolledBack'],
    ['a build pipeline that cannot register its task definitions', exampleWorld({ throttle: { RegisterTaskDefinition: 30 } }), ['Build Recorded', 'Build Failed'], 'build', 'TransientError'],
  ] as const)('%s: the failure is announced once, from the status event, naming the failed execution', async (_label, world, expected, pipeline, error) => {
    const run = await scenario(world);

    expect(kinds(run)).toEqual(expected);
    const failed = execution(run, pipeline);
    const announcement = run.report().events.at(-1);
    expect(announcement?.detail.execution).toBe(failed?.arn);
    expect(announcement?.detail.error).toBe(error);
  });

  test('a redriven release is announced as redriven, then its success once; no second start', async () => {
    const { run } = await releaseRedrivenAfterFix();

    expect(kinds(run)).toEqual(['Build Recorded', 'Release Started', 'Release Failed', 'Release Redriven', 'Release Succeeded', 'Deploy Started', 'Deploy Succeeded']);
  });

  test('EventBridge failing beyond the retries never fails the pipeline: the deploy still succeeds, unannounced', async () => {
    const run = await scenario(exampleWorld({ throttle: { PutEvents: 100 } }));
    const caught = run.executions.flatMap((e) => e.states).filter((s) => s.name.startsWith('Announce'));

    expect(run.executions.map((e) => e.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    expect(run.report().events).toEqual([]);
    expect(caught.length).toBe(5);
    expect(caught.every((s) => s.status === 'caught' && s.retries === 3)).toBe(true);
  });
});

describe('throttling', () => {
  test('throttled RegisterTaskDefinition, RunTask and UpdateService are retried and the pipeline succeeds', async () => {
    const run = await scenario(exampleWorld({ throttle: { RegisterTaskDefinition: 2, RunTask: 1, UpdateService: 2 } }));
    const retried = run.executions.flatMap((e) => e.states).filter((s) => s.retries > 0).map((s) => s.name);

    expect(run.executions.map((e) => e.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    expect(retried).toEqual(expect.arrayContaining(['Register task definitions', 'Run release task', 'Update the service and wait for its deployment']));
    expect(run.world.revisions.get('slipway-example--web')).toHaveLength(2);
    expect(run.world.tasks).toHaveLength(1);
  });

  test('throttling that outlasts the retries fails the build pipeline at "Register task definitions" with TransientError (redrivable)', async () => {
    const run = await scenario(exampleWorld({ throttle: { RegisterTaskDefinition: 30 } }));
    const build = execution(run, 'build');

    expect(build?.error).toBe('TransientError');
    expect(failedStep(build)).toBe('Register task definitions');
    noFailureRouting(build);
    expect(execution(run, 'release')).toBeUndefined();
  });
});


/** The CodeBuild event of build `n` of another instance of the app's project (the app deleted and created again: another build id). */
function rebuiltEvent(n: number, uuid = '0b7e6a52-1d3c-4e8f-9a2b-3c4d5e6f7a8b') {
  const event = buildEvent({ build: n });
  (event.detail as Record<string, unknown>)['build-id'] = `arn:aws:codebuild:us-east-1:123456789012:build/slipway-example:${uuid}`;
  return event;
}

describe('execution names already used (Step Functions keeps a name 90 days, whatever the input: ExecutionAlreadyExists)', () => {
  test('the same build again (a duplicate event) reads the release of that name, finds its own build, and starts nothing', async () => {
    const run = new LocalRun(exampleWorld(), ROOT);
    await run.run('build', buildEvent());
    await run.run('build', buildEvent());
    coverage.add(run.executions);

    expect(path(execution(run, 'build', 1)).slice(-3)).toEqual(['Read the release of that name', "Is it this build's release?", 'Release was already started']);
    expect(execution(run, 'build', 1)?.status).toBe('SUCCEEDED');
    expect(run.executions.filter((e) => e.stateMachine === 'release')).toHaveLength(1);
  });

  test('another build under the same name (the app created again) fails with ExecutionNameTaken, deploys nothing, and is announced', async () => {
    const run = new LocalRun(exampleWorld(), ROOT);
    await run.run('build', buildEvent());
    const services = JSON.stringify(run.world.ecs.services);
    await run.run('build', rebuiltEvent(42));
    coverage.add(run.executions);

    const second = execution(run, 'build', 1);
    expect([second?.status, second?.error]).toEqual(['FAILED', 'ExecutionNameTaken']);
    expect(second?.cause).toContain('example--42-release');
    expect(second?.cause).toContain('0b7e6a52-1d3c-4e8f-9a2b-3c4d5e6f7a8b');
    expect(run.executions.filter((e) => e.stateMachine === 'release')).toHaveLength(1);
    expect(JSON.stringify(run.world.ecs.services)).toBe(services);
    expect(run.report().events.filter((e) => e.detailType === 'Build Failed').map((e) => [e.detail.app, e.detail.error, e.detail.failedStep])).toEqual([['example', 'ExecutionNameTaken', 'Refuse the release name of another build']]);
  });

  test('a release whose deploy name another build holds fails with ExecutionNameTaken at its own step; the deploy of that name is untouched', async () => {
    const run = new LocalRun(exampleWorld(), ROOT);
    await run.run('build', buildEvent());
    const release = execution(run, 'release')!;
    const input = structuredClone(release.input) as { build: { buildId: string } };
    input.build.buildId = 'arn:aws:codebuild:us-east-1:123456789012:build/slipway-example:0b7e6a52-1d3c-4e8f-9a2b-3c4d5e6f7a8b';
    await run.run('release', input, 'example--42-release-again');
    coverage.add(run.executions);

    const again = execution(run, 'release', 1);
    expect([again?.status, again?.error, path(again).pop()]).toEqual(['FAILED', 'ExecutionNameTaken', 'Refuse the deploy name of another build']);
    expect(again?.cause).toContain('example--42-deploy');
    expect(run.executions.filter((e) => e.stateMachine === 'deploy').map((e) => [e.name, e.status])).toEqual([['example--42-deploy', 'SUCCEEDED']]);
  });
});

describe('ordering and duplicates', () => {
  test('a duplicate CodeBuild event deploys once', async () => {
    const run = new LocalRun(exampleWorld(), ROOT);
    await run.run('build', buildEvent());
    await run.run('build', buildEvent());
    coverage.add(run.executions);

    expect(path(execution(run, 'build', 1)).pop()).toBe('Release was already started');
    expect(run.executions.filter((e) => e.stateMachine === 'release')).toHaveLength(1);
    expect(run.executions.filter((e) => e.stateMachine === 'deploy')).toHaveLength(1);
    expect(run.world.calls.RegisterTaskDefinition).toBe(2);
    expect(run.world.tasks).toHaveLength(1);
  });

  test('a release started twice for the same build starts one deploy', async () => {
    const run = new LocalRun(exampleWorld(), ROOT);
    await run.run('build', buildEvent());
    const release = execution(run, 'release');
    await run.run('release', release?.input, 'example--42-release-rerun');
    coverage.add(run.executions);

    expect(path(execution(run, 'release', 1)).pop()).toBe('Deploy was already started');
    expect(run.executions.filter((e) => e.stateMachine === 'deploy')).toHaveLength(1);
  });

  test('build 41 finishing its release after build 42 started deploying is superseded; services stay on 42', async () => {
    const run = await scenario(exampleWorld({ newerBuild: { build: '42' } }), buildEvent({ build: 41 }));
    const deploy = execution(run, 'deploy');

    expect(deploy?.name).toBe('example--41-deploy');
    expect([deploy?.status, deploy?.output]).toEqual(['SUCCEEDED', expect.objectContaining({ outcome: 'superseded', build: '41', supersededBy: '42' })]);
    expect(run.report().world.services['example--web'].image).toBe(`${IMAGE}:build-42`);
    expect(run.report().world.services['example--worker'].image).toBe(`${IMAGE}:build-42`);
  });

  test('services already on a newer build (deployed outside this deploy) are not moved back', async () => {
    const run = await scenario(exampleWorld({ newerBuild: { build: '43', claimed: false } }), buildEvent({ build: 41 }));

    expect([execution(run, 'deploy')?.status, execution(run, 'deploy')?.output]).toEqual(['SUCCEEDED', expect.objectContaining({ outcome: 'superseded', build: '41' })]);
    expect(path(execution(run, 'deploy'))).toContain('web: Service is on a newer release');
    expect(run.report().world.services['example--web'].image).toBe(`${IMAGE}:build-43`);
  });
});

describe('events that do not deploy', () => {
  test.each(['FAILED', 'STOPPED', 'IN_PROGRESS', 'TIMED_OUT'])('a %s build is recorded and nothing is deployed', async (status) => {
    const run = await scenario(exampleWorld(), buildEvent({ status }));
    const record = run.world.table.get({ pk: { S: 'BUILD' }, sk: { S: '0000000042' } });

    expect(path(execution(run, 'build')).pop()).toBe('Nothing to deploy');
    expect(record?.status?.S).toBe(status);
    expect(execution(run, 'release')).toBeUndefined();
  });

  test('a late IN_PROGRESS event does not overwrite the SUCCEEDED record', async () => {
    const run = new LocalRun(exampleWorld(), ROOT);
    await run.run('build', buildEvent());
    await run.run('build', buildEvent({ status: 'IN_PROGRESS' }));
    coverage.add(run.executions);

    expect(run.world.table.get({ pk: { S: 'BUILD' }, sk: { S: '0000000042' } })?.status?.S).toBe('SUCCEEDED');
  });

  test("AWS's IN_PROGRESS sample event (project TestProject, not <prefix>-<app>) ends in InvalidEvent naming the project, without reading any settings", async () => {
    const run = await scenario(exampleWorld(), awsEvent('codebuild-state-in-progress.json'));
    const build = execution(run, 'build');

    expect([build?.status, build?.error]).toEqual(['FAILED', 'InvalidEvent']);
    expect(build?.cause).toContain('CodeBuild project "TestProject" is not named slipway-<app>');
    expect(path(build).pop()).toBe('Reject the malformed event');
  });

  test('a build of a project <prefix>-<app> whose app has no settings parameter fails uncaught at the first step with SettingsNotFound (a redrive after the app stack is deployed reads them)', async () => {
    const run = await scenario(exampleWorld(), buildEvent({ project: 'slipway-ghost' }));
    const build = execution(run, 'build');

    expect([build?.status, build?.error]).toEqual(['FAILED', 'SettingsNotFound']);
    expect(build?.cause).toContain('/slipway/apps/ghost/settings');
    expect(build?.states.map((v) => [v.name, v.status])).toEqual([['Read the build event', 'failed']]);
  });

  test("a real Build Phase Change sample event is ignored cleanly", async () => {
    const run = await scenario(exampleWorld(), awsEvent('codebuild-phase-change-completed.json'));

    expect(path(execution(run, 'build')).pop()).toBe('Ignore the event');
  });

  test('a malformed event fails the build execution with InvalidEvent naming what is missing', async () => {
    const event = buildEvent();
    delete (event.detail as Record<string, unknown>)['build-id'];
    const run = await scenario(exampleWorld(), event);
    const build = execution(run, 'build');

    expect(build?.error).toBe('InvalidEvent');
    expect(build?.cause).toContain('detail.build-id is missing');
  });
});

describe('inputs started by hand without the app', () => {
  test.each(['release', 'deploy'] as const)('a %s input without app and table fails at once with InvalidInput saying what to pass', async (pipeline) => {
    const run = new LocalRun(exampleWorld({ registeredBuilds: ['42'] }), ROOT);
    const exec = await run.run(pipeline, { build: { buildKey: '42', sortKey: '0000000042', image: `${IMAGE}:build-42`, commit: 'abc' }, processes: [], force: false, deployTimeoutSeconds: 1800 });
    coverage.add(run.executions);

    expect([exec.status, exec.error]).toEqual(['FAILED', 'InvalidInput']);
    expect(exec.cause).toContain('must carry "app"');
    expect(run.world.tasks).toHaveLength(0);
    expect(run.world.events).toHaveLength(0);
  });
});

describe('a deploy of what the app did not build (test/statemachines/deploy-trust.test.ts has the cases)', () => {
  test('a revision of another family fails at "Check the build against the app\'s records" and ends in its Fail state, before any service call', async () => {
    const run = new LocalRun(exampleWorld({ registeredBuilds: ['42'] }), ROOT);
    const input = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/events/deploy-input.json'), 'utf8')) as { processes: { taskDefinitionArn: string }[] };
    input.processes[0].taskDefinitionArn = input.processes[0].taskDefinitionArn.replace('slipway-example--web', 'slipway-docs--web');
    const exec = await run.run('deploy', input);
    coverage.add(run.executions);
    expect([exec.status, exec.error]).toEqual(['FAILED', 'DeployRefused']);
    expect(path(exec)).toEqual(['Does the input name the app and its table?', "Check the build against the app's records", 'Refuse what the app did not build']);
    expect([run.world.calls.DescribeServices ?? 0, run.world.calls.CreateService ?? 0, run.world.calls.UpdateService ?? 0]).toEqual([0, 0, 0]);
  });
});

test('every state of the build, release and deploy ASL files is entered by these tests', () => {
  const summary = coverage.summary(ROOT, ['build', 'release', 'deploy']);
  if (process.env.SLIPWAY_STATE_COVERAGE_FILE) writeFileSync(process.env.SLIPWAY_STATE_COVERAGE_FILE, JSON.stringify(summary));
  const missing = summary.flatMap((s) => s.missing.map((m) => `${s.name}: ${m}`));
  expect(missing).toEqual([]);
});
