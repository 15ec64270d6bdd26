import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalRun } from '../../../lib/local/runner';
import { LocalRunError } from '../../../lib/local/run-error';
import type { WorldFile } from '../../../lib/local/world-schema';
import { exampleWorld, execution, ROOT } from '../../statemachines/scenarios';

// The local runner bounded and faithful (issue 27, points 3, 8, 12), through the real ASL files.

const fixture = (file: string) => JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', file), 'utf8')) as Record<string, unknown>;
const registered = (extra: WorldFile = {}): WorldFile => ({ ...(fixture('worlds/build-42-registered.json') as WorldFile), ...extra });
const invocations = (run: LocalRun) => (run as unknown as { lambda: { invocations: number } }).lambda.invocations;

describe("a Task's TimeoutSeconds holds for ecs:runTask.sync", () => {
  test.each([3700, 1e9])('a release task of %d s fails the release at its 3,600 s timeout: States.Timeout, TaskTimedOut, nothing deployed', async (durationSeconds) => {
    const run = new LocalRun(registered({ release: { durationSeconds } }), ROOT);
    const release = await run.run('release', fixture('events/release-input.json'));

    expect(release).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    const timedOut = release.history.filter((e) => e.type === 'TaskTimedOut');
    expect(timedOut).toEqual([expect.objectContaining({ taskTimedOutEventDetails: expect.objectContaining({ resourceType: 'ecs', resource: 'runTask.sync', error: 'States.Timeout' }) })]);
    // It ended when the state's timeout elapsed, not when the task would have.
    expect((release.endedAt ?? 0) - release.startedAt).toBeGreaterThanOrEqual(3600);
    expect((release.endedAt ?? 0) - release.startedAt).toBeLessThan(3700);
    expect(execution(run, 'deploy')).toBeUndefined();
    // Bounded: an hour of the control plane's schedules (the minute deadline check, the 5-minute sweep)
    // and the release's own Lambdas, about 75, not a schedule's worth of 1e9 s (16 million checks).
    expect(invocations(run)).toBeLessThan(100);
    // Step Functions stopped waiting; the task was still running.
    expect(run.world.ecs.tasks.at(-1)).toMatchObject({ LastStatus: 'RUNNING' });
  });

  test('a release task that ends in time still succeeds', async () => {
    const run = new LocalRun(registered({ release: { durationSeconds: 3500 } }), ROOT);
    const release = await run.run('release', fixture('events/release-input.json'));
    expect(release.status).toBe('SUCCEEDED');
  });
});

describe('the simulated ECS refuses what ECS refuses', () => {
  test('a task definition revision never registered: the deploy\'s check refuses it (DeployRefused, from ECS\'s ClientException) before UpdateService, the service stays', async () => {
    const input = fixture('events/deploy-input.json') as { processes: { taskDefinitionArn: string }[] };
    input.processes[0].taskDefinitionArn = 'arn:aws:ecs:us-east-1:123456789012:task-definition/slipway-example--web:999';
    const run = new LocalRun(registered(), ROOT);
    const before = run.world.ecs.services.get('example--web')?.service.taskDefinition;
    const deploy = await run.run('deploy', input);

    expect([deploy.status, deploy.error]).toEqual(['FAILED', 'DeployRefused']);
    expect(deploy.cause).toContain('slipway-example--web:999 is not a task definition ECS holds (Unable to describe task definition');
    expect(run.world.calls.UpdateService ?? 0).toBe(0);
    expect(run.world.ecs.services.get('example--web')?.service.taskDefinition).toBe(before);
  });

});

describe('inputs validated in the first state, before any side effect (real ASL)', () => {
  test.each<[string, 'release' | 'deploy', Record<string, unknown>]>([
    ['a release input with "processes": "web"', 'release', { processes: 'web' }],
    ['a release input without a build key', 'release', { build: {} }],
    ['a release input with deployTimeoutSeconds 9e15', 'release', { deployTimeoutSeconds: 9e15 }],
    ['a deploy input with deployTimeoutSeconds 9e15 (was RangeError "Invalid time value")', 'deploy', { deployTimeoutSeconds: 9e15 }],
    ['a deploy input with deployTimeoutSeconds "1800"', 'deploy', { deployTimeoutSeconds: '1800' }],
    ['a deploy input with processes of numbers', 'deploy', { processes: [1, 2] }],
  ])('%s: InvalidInput at the first state (so no claim, no announcement); no task run, no service touched', async (_name, pipeline, change) => {
    const run = new LocalRun(registered(), ROOT);
    const servicesBefore = JSON.stringify([...run.world.ecs.services.values()].map((s) => s.service.taskDefinition));
    const exec = await run.run(pipeline, { ...fixture(`events/${pipeline}-input.json`), ...change });

    expect(exec).toMatchObject({ status: 'FAILED', error: 'InvalidInput' });
    expect(exec.cause).toContain(`the ${pipeline} input must carry`);
    expect(exec.states.map((s) => s.name)).toEqual(['Does the input name the app and its table?', 'Refuse an input without the app']);
    expect(run.world.calls.RunTask ?? 0).toBe(0);
    // Only the failure is announced (from the execution's status, outside it): nothing started, nothing succeeded.
    expect(run.world.events.map((e) => e.detailType)).toEqual([pipeline === 'release' ? 'Release Failed' : 'Deploy Failed']);
    expect(run.world.calls.UpdateService ?? 0).toBe(0);
    expect(JSON.stringify([...run.world.ecs.services.values()].map((s) => s.service.taskDefinition))).toBe(servicesBefore);
  });
});

describe('contradictory world settings are refused by name before anything runs', () => {
  test.each<[string, WorldFile, RegExp]>([
    ['exitCode with failToStart and placementFailure', { release: { exitCode: 1, failToStart: 'x', placementFailure: 'y' } }, /release: exitCode and failToStart and placementFailure contradict each other/],
    ['a scalable target min > max', { scalableTargets: { web: { min: 3, max: 1 } } }, /scalableTargets\.web: min 3 exceeds max 1/],
    ['a sidecar named like the app container', { release: { sidecar: { name: 'web', exitCode: 0 } } }, /release\.sidecar\.name: "web" is the app's container name/],
    ['an app listed twice', { apps: ['example', 'example'] }, /apps: "example" is listed twice/],
    ["one app's release both exiting 1 and failing to start", { apps: ['example', 'docs'], releases: { docs: { exitCode: 1, failToStart: 'x' } } }, /releases\.docs: exitCode and failToStart contradict each other/],
    ["a sidecar named like that app's container", { apps: ['example', 'docs'], releases: { docs: { sidecar: { name: 'web', exitCode: 0 } } } }, /releases\.docs\.sidecar\.name: "web" is the app's container name/],
    ['the release of an app the account does not host', { releases: { docs: { exitCode: 1 } } }, /world: releases: "docs" is not an app the account hosts \(example\)/],
    ['a 100 KB parameter value', { parameters: { '/slipway/apps/example/config/BIG': { value: 'x'.repeat(100_000) } } }, /parameters\.\/slipway\/apps\/example\/config\/BIG: the value has 100000 bytes; Parameter Store allows 4096 for a Standard parameter/],
    ['an Advanced parameter over 8 KB', { parameters: { '/slipway/apps/example/config/BIG': { value: 'x'.repeat(8193), tier: 'Advanced' } } }, /allows 8192 for an Advanced parameter/],
  ])('%s', (_name, world, message) => {
    let thrown: unknown;
    try {
      new LocalRun(exampleWorld(world), ROOT);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(LocalRunError);
    expect((thrown as Error).message).toMatch(message);
  });
});
