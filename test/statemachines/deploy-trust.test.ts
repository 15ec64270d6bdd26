import { randomUUID } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { LocalRun, type ExecutionReport } from '../../lib/local/runner';
import type { WorldFile } from '../../lib/local/world-schema';
import { buildEvent, ROOT } from './scenarios';

/**
 * The shared deploy machine trusts nothing in its input that selects a resource (issue 21): an operator
 * of one app may start it by hand (the operate policy's states:StartExecution on the shared machine,
 * whose input IAM cannot look into), so what it deploys must come from the app's own settings and
 * records. Each case starts the real deploy ASL in the simulated account with the input an operator
 * could send, after both apps built and deployed through the real pipelines.
 */

type Item = Record<string, AttributeValue>;
type DeployInput = { app: string; table: string; build: Record<string, unknown>; processes: { name: string; taskDefinitionArn: string }[]; deployTimeoutSeconds: number; force: boolean };

/** example (web, worker) and docs (web) on one control plane; example also holds the revisions of an older build 41. */
const WORLD: WorldFile = { app: 'example', apps: ['example', 'docs'], registeredBuilds: ['41'] };

function appBuildEvent(app: string, build: number): Record<string, unknown> {
  const event = buildEvent({ project: `slipway-${app}`, build });
  const buildId = `arn:aws:codebuild:us-east-1:123456789012:build/slipway-${app}:${randomUUID()}`;
  event.id = randomUUID();
  event.resources = [buildId];
  (event.detail as Record<string, unknown>)['build-id'] = buildId;
  return event;
}

/** What each app's services run and how many deployments they had: anything a refused deploy touched shows here. */
function servicesState(run: LocalRun): Record<string, { taskDefinition?: string; deployments: number }> {
  return Object.fromEntries([...run.world.services.entries()].map(([name, s]) => [name, { taskDefinition: s.service.taskDefinition, deployments: s.service.deployments?.length ?? 0 }]));
}

function tableItems(run: LocalRun, app: string): Item[] {
  return run.world.tableOf(app).all();
}

let run: LocalRun;
let exampleInput: DeployInput;
let docsInput: DeployInput;
let counter = 0;

/** Starts the shared deploy machine by hand, as an operator would, under a fresh name. */
async function deployByHand(input: DeployInput, name?: string): Promise<ExecutionReport> {
  counter += 1;
  return run.run('deploy', input, name ?? `${input.app}--by-hand-${counter}`);
}

beforeAll(async () => {
  run = new LocalRun(WORLD, ROOT);
  run.at(0, 'example build 42 succeeds', () => run.startConcurrently('build', appBuildEvent('example', 42)));
  run.at(5, 'docs build 7 succeeds', () => run.startConcurrently('build', appBuildEvent('docs', 7)));
  await run.runScheduled();
  const deployOf = (name: string) => run.executions.find((e) => e.name === name);
  expect([deployOf('example--42-deploy')?.status, deployOf('docs--7-deploy')?.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
  const strip = (i: unknown) => {
    const { AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: _, ...rest } = i as DeployInput & { AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID?: string };
    return rest as DeployInput;
  };
  exampleInput = strip(deployOf('example--42-deploy')?.input);
  docsInput = strip(deployOf('docs--7-deploy')?.input);
});

describe('a deploy started by hand deploys only what the app built', () => {
  test("another app's task definition is refused with DeployRefused before any service is touched", async () => {
    const before = servicesState(run);
    const calls = { create: run.world.calls.CreateService ?? 0, update: run.world.calls.UpdateService ?? 0 };
    const docsWeb = docsInput.processes.find((p) => p.name === 'web')?.taskDefinitionArn ?? '';
    expect(docsWeb).toMatch(/task-definition\/slipway-docs--web:\d+$/);

    const exec = await deployByHand({ ...exampleInput, processes: [{ name: 'web', taskDefinitionArn: docsWeb }] });

    expect(exec.status).toBe('FAILED');
    expect(exec.error).toBe('DeployRefused');
    expect(exec.cause).toContain(`is a revision of family slipway-docs--web, not of slipway-example--web`);
    expect(exec.states.map((s) => s.name)).toContain('Refuse what the app did not build');
    expect(exec.states.map((s) => s.name)).not.toContain('Claim the app for this build');
    expect(servicesState(run)).toEqual(before);
    expect({ create: run.world.calls.CreateService ?? 0, update: run.world.calls.UpdateService ?? 0 }).toEqual(calls);
  });

  test("docs' operator naming docs with example's revisions is refused the same way", async () => {
    const before = servicesState(run);
    const exec = await deployByHand({ ...docsInput, processes: [{ name: 'web', taskDefinitionArn: exampleInput.processes[0].taskDefinitionArn }] });
    expect([exec.status, exec.error]).toEqual(['FAILED', 'DeployRefused']);
    expect(exec.cause).toContain('not of slipway-docs--web');
    expect(servicesState(run)).toEqual(before);
  });

  test("a process type the app does not have (another app's process) is refused", async () => {
    const exec = await deployByHand({ ...docsInput, processes: [{ name: 'worker', taskDefinitionArn: exampleInput.processes[1].taskDefinitionArn }] });
    expect([exec.status, exec.error]).toEqual(['FAILED', 'DeployRefused']);
    expect(exec.cause).toContain("is not one of app docs's processes (web)");
  });

  test("a revision of the app's own family registered for another build is refused (its slipway:build tag)", async () => {
    const rev41 = run.world.revisions.get('slipway-example--web')?.find((r) => r.tags.some((t) => t.key === 'slipway:build' && t.value === '41'))?.taskDefinition.taskDefinitionArn ?? '';
    expect(rev41).toMatch(/task-definition\/slipway-example--web:\d+$/);
    const exec = await deployByHand({ ...exampleInput, processes: [{ name: 'web', taskDefinitionArn: rev41 }] });
    expect([exec.status, exec.error]).toEqual(['FAILED', 'DeployRefused']);
    expect(exec.cause).toContain('was not registered for build 42 (its slipway:build tag is');
  });

  test('a build the app never built is refused, whatever the input says about it', async () => {
    const exec = await deployByHand({ ...exampleInput, build: { ...exampleInput.build, buildKey: '99', sortKey: '0000000099', image: 'attacker/image:latest' } });
    expect([exec.status, exec.error]).toEqual(['FAILED', 'DeployRefused']);
    expect(exec.cause).toContain('app example has no record of build 99');
  });

  test("another app's table in the input is not used: the app's own records are written, the other table is untouched", async () => {
    const docsBefore = tableItems(run, 'docs');
    const exec = await deployByHand({ ...exampleInput, table: docsInput.table, build: { ...exampleInput.build, image: 'attacker/image:latest', commit: 'forged' } });

    expect(exec.status).toBe('SUCCEEDED');
    expect(tableItems(run, 'docs')).toEqual(docsBefore);
    const current = run.world.tableOf('example').get({ pk: { S: 'RELEASE' }, sk: { S: 'CURRENT' } });
    expect(current?.execution?.S).toBe(exec.arn);
    // The build's image and commit come from the app's own build record, not from the input.
    expect(current?.image?.S).toBe('123456789012.dkr.ecr.us-east-1.amazonaws.com/slipway/example:build-42');
    expect(current?.commit?.S).not.toBe('forged');
  });

  test("a deploy named under another app's name is refused: that app's policies reach executions named <app>--*", async () => {
    const exec = await deployByHand(exampleInput, `docs--by-hand-${counter + 1}`);
    expect([exec.status, exec.error]).toEqual(['FAILED', 'DeployRefused']);
    expect(exec.cause).toContain('must be named example--');
    const unnamed = await deployByHand(exampleInput, `by-hand-${counter + 1}`);
    expect([unnamed.status, unnamed.error]).toEqual(['FAILED', 'DeployRefused']);
  });

  test('the refusals were announced as failed deploys of the app that was asked for, and nothing else failed', () => {
    const failed = run.executions.filter((e) => e.status === 'FAILED');
    expect(failed.every((e) => e.stateMachine === 'deploy' && e.error === 'DeployRefused')).toBe(true);
    expect(failed).toHaveLength(7);
    // execution-status announces each failure (outside the execution) for the app the input named.
    const announced = run.world.events.filter((e) => e.detailType === 'Deploy Failed').map((e) => [(e.detail as { app?: string }).app, (e.detail as { error?: string }).error]);
    expect(announced).toEqual([
      ['example', 'DeployRefused'],
      ['docs', 'DeployRefused'],
      ['docs', 'DeployRefused'],
      ['example', 'DeployRefused'],
      ['example', 'DeployRefused'],
      ['example', 'DeployRefused'],
      ['example', 'DeployRefused'],
    ]);
  });
});
