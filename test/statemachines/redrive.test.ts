import { readFileSync } from 'node:fs';
import type { AslStates } from '../../lib/asl';
import { aslPath } from '../../lib/asl';
import { stateIndex, unfinishedStates } from '../../lib/local/history';
import { LocalRun, type ExecutionReport } from '../../lib/local/runner';
import type { WorldFile } from '../../lib/local/world-schema';
import type { StateMachineName } from '../../domain/pipelines';
import { buildEvent, exampleWorld, ROOT } from './scenarios';

/**
 * Every failure an operator can fix is redrivable, and a redrive re-runs exactly the failed work
 * (issue: "Redrive that works on AWS"). For each failure: the failed execution's history, read with
 * AWS's rule (states entered and never exited), restarts at the failing Task or Map iteration, never at
 * a Fail state; after the fix (a JSON Merge Patch of the world), one redrive takes the chain to a
 * SUCCEEDED deploy; side-effect counts prove that nothing ran twice that should not.
 */

const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/slipway/example';
const states = (sm: StateMachineName) => stateIndex((JSON.parse(readFileSync(aslPath(ROOT, sm), 'utf8')) as { States: AslStates }).States);

/** What AWS would re-run: top-level state names, and per Map the restart state of each unsuccessful iteration. */
function rerun(exec: ExecutionReport): string[] {
  return unfinishedStates(exec.history, states(exec.stateMachine)).flatMap((u) => {
    if (!u.iterations) return [`${u.type}:${u.name}`];
    return [...u.iterations].filter(([, it]) => !it.succeeded).map(([index, it]) => `${u.type}:${u.name}[${index}]:${it.restart?.name ?? '(start)'}`);
  });
}

interface Case {
  readonly label: string;
  readonly world: WorldFile;
  readonly fix: Record<string, unknown>;
  readonly failed: StateMachineName;
  readonly error: string | RegExp;
  readonly rerun: readonly string[];
  /** ECS deployments the redrive starts (UpdateService calls): one per process type it re-deploys. */
  readonly newDeployments?: number;
}

const WEB_AND_WORKER = { web: { build: '41' }, worker: { build: '41' } };

const cases: Case[] = [
  { label: 'the release task exits 1', world: { release: { exitCode: 1 } }, fix: { release: { exitCode: 0 } }, failed: 'release', error: 'States.TaskFailed', rerun: ['Task:Run release task'], newDeployments: 2 },
  { label: 'the release task fails to start', world: { release: { exitCode: 0, failToStart: 'pull access denied' } }, fix: { release: { failToStart: null } }, failed: 'release', error: 'States.TaskFailed', rerun: ['Task:Run release task'], newDeployments: 2 },
  { label: 'ECS cannot place the release task', world: { release: { exitCode: 0, placementFailure: 'RESOURCE:MEMORY' } }, fix: { release: { placementFailure: null } }, failed: 'release', error: /AmazonECS/, rerun: ['Task:Run release task'], newDeployments: 2 },
  { label: 'the web deployment rolls back (worker completed first)', world: { deployments: { web: [{ outcome: 'rollsBack', afterSeconds: 120 }], worker: [{ outcome: 'completes', afterSeconds: 30 }] } }, fix: { deployments: { web: [{ outcome: 'completes', afterSeconds: 60 }] } }, failed: 'deploy', error: 'DeploymentRolledBack', rerun: ['Map:Deploy each process type[0]:Update the service and wait for its deployment'], newDeployments: 1 },
  { label: 'the worker deployment times out', world: { deployments: { worker: [{ outcome: 'neverSettles' }] } }, fix: { deployments: { worker: [{ outcome: 'completes', afterSeconds: 60 }] } }, failed: 'deploy', error: 'DeploymentTimedOut', rerun: ['Map:Deploy each process type[1]:Update the service and wait for its deployment'], newDeployments: 1 },
  { label: 'AccessDenied on RegisterTaskDefinition', world: { errors: { RegisterTaskDefinition: { name: 'AccessDeniedException', message: 'not authorized to perform: ecs:RegisterTaskDefinition' } } }, fix: { errors: null }, failed: 'build', error: /AccessDenied/, rerun: ['Task:Register task definitions'], newDeployments: 2 },
  // The deploy's first PutItem is each iteration's waiter record (update-service), so both iterations fail.
  { label: 'AccessDenied on PutItem', world: { errors: { PutItem: { name: 'AccessDeniedException', message: 'not authorized to perform: dynamodb:PutItem' } } }, fix: { errors: null }, failed: 'deploy', error: /AccessDenied/, rerun: ['Map:Deploy each process type[0]:Update the service and wait for its deployment', 'Map:Deploy each process type[1]:Update the service and wait for its deployment'] },
  { label: 'a web rollback that aborts the worker iteration still waiting', world: { deployments: { web: [{ outcome: 'rollsBack', afterSeconds: 30 }], worker: [{ outcome: 'completes', afterSeconds: 300 }] } }, fix: { deployments: { web: [{ outcome: 'completes', afterSeconds: 60 }] } }, failed: 'deploy', error: 'DeploymentRolledBack', rerun: ['Map:Deploy each process type[0]:Update the service and wait for its deployment', 'Map:Deploy each process type[1]:Update the service and wait for its deployment'], newDeployments: 1 },
  { label: 'AccessDenied on StartExecution (starting the release)', world: { errors: { StartExecution: { name: 'AccessDeniedException', message: 'not authorized to perform: states:StartExecution' } } }, fix: { errors: null }, failed: 'build', error: /AccessDenied/, rerun: ['Task:Start the release'], newDeployments: 2 },
];

describe.each(cases)('$label', (c) => {
  const world = exampleWorld(c.world);
  let run: LocalRun;
  let failed: ExecutionReport;
  const before = { tasks: 0, revisions: 0, updates: 0 };

  beforeAll(async () => {
    run = new LocalRun(world, ROOT);
    await run.run('build', buildEvent());
    const failures = run.executions.filter((e) => e.status === 'FAILED');
    expect(failures.map((e) => e.stateMachine)).toEqual([c.failed]);
    failed = failures[0];
    Object.assign(before, { tasks: run.world.tasks.length, revisions: run.world.calls.RegisterTaskDefinition ?? 0, updates: run.world.calls.UpdateService ?? 0 });
  });

  test('fails on the step that must run again, under a named error; AWS would re-run that step, not a Fail state', () => {
    expect(failed.error).toMatch(c.error);
    expect(rerun(failed)).toEqual(c.rerun);
    expect(rerun(failed).some((r) => r.startsWith('Fail:'))).toBe(false);
  });

  test('after the fix, one redrive takes the chain to a SUCCEEDED deploy, re-running only the failed work', async () => {
    const redriven = await run.redriveAfterFix(world, c.fix);

    expect(redriven.arn).toBe(failed.arn);
    expect(redriven.redriveCount).toBe(1);
    expect(redriven.status).toBe('SUCCEEDED');
    const deploy = run.executions.find((e) => e.stateMachine === 'deploy');
    expect(deploy?.status).toBe('SUCCEEDED');
    expect(run.report().world.lastGoodRelease).toMatchObject({ build: '42', image: `${IMAGE}:build-42` });
    for (const svc of ['example--web', 'example--worker']) expect(run.report().world.services[svc].image).toBe(`${IMAGE}:build-42`);
    // The states re-entered after ExecutionRedriven start with the one AWS re-runs.
    const after = redriven.history.slice(redriven.history.findIndex((e) => e.type === 'ExecutionRedriven'));
    const firstEntered = after.find((e) => e.type?.endsWith('StateEntered') || e.type === 'MapIterationStarted');
    const expectedFirst = c.rerun[0].split(':').pop();
    if (firstEntered?.type === 'MapIterationStarted') expect(after.find((e) => e.type?.endsWith('StateEntered'))?.stateEnteredEventDetails?.name).toBe(expectedFirst);
    else expect(firstEntered?.stateEnteredEventDetails?.name).toBe(expectedFirst);
  });

  test('nothing ran twice that should not', () => {
    const revisions = run.world.calls.RegisterTaskDefinition ?? 0;
    const tasks = run.world.tasks.length;
    if (c.failed === 'release') {
      expect(tasks).toBe(before.tasks + 1); // exactly one new release task
      expect(revisions).toBe(before.revisions); // no second revision per process type
    } else if (c.failed === 'deploy') {
      expect(tasks).toBe(before.tasks);
      expect(revisions).toBe(before.revisions);
    } else {
      expect(tasks).toBe(1);
    }
    // Revisions registered once per process type for the build (a failed registration registers none).
    expect(run.world.revisions.get('slipway-example--web')?.length).toBe(2);
    expect(run.world.revisions.get('slipway-example--worker')?.length).toBe(2);
    // A process type whose iteration succeeded is not deployed again; an aborted one keeps its deployment.
    if (c.newDeployments !== undefined) expect((run.world.calls.UpdateService ?? 0) - before.updates).toBe(c.newDeployments);
  });
});

describe('a first deploy that cannot create its services', () => {
  test('AccessDenied on CreateService fails the iterations; after the fix the redrive creates both services', async () => {
    const world: WorldFile = { app: 'example', errors: { CreateService: { name: 'AccessDeniedException', message: 'not authorized to perform: ecs:CreateService' } } };
    const run = new LocalRun(world, ROOT);
    await run.run('build', buildEvent());
    const deploy = run.executions.find((e) => e.stateMachine === 'deploy');
    expect(deploy?.status).toBe('FAILED');
    expect(rerun(deploy!).every((r) => r.startsWith('Map:Deploy each process type[') && r.endsWith(':Update the service and wait for its deployment'))).toBe(true);
    expect(run.world.services.size).toBe(0);

    await run.redriveAfterFix(world, { errors: { CreateService: null } });

    expect(deploy?.status).toBe('SUCCEEDED');
    expect([...run.world.services.keys()].sort()).toEqual(['example--web', 'example--worker']);
    expect(run.world.calls.RegisterTaskDefinition).toBe(2);
  });
});

test('world fixture: web and worker already run build 41', () => {
  expect(exampleWorld().services).toEqual(WEB_AND_WORKER);
});
