import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { StateFileError, stateFingerprint } from '../../../../lib/local/serve/state';
import { slipway } from './cli-in-process';
import { buildEvent, clientConfig, settled, startEndpoint } from './endpoint-helpers';

/**
 * `--state-dir`: the account (executions, records, services, parameters) outlives the endpoint, as
 * plain JSON; an execution name stays taken across restarts, as on AWS.
 */

const world = { services: { web: { build: '41' }, worker: { build: '41' } } };
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'slipway-serve-state-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('executions, records, services and parameters come back after a restart; the execution name stays taken', async () => {
  const first = await startEndpoint(world, { stateDir: dir, speed: 200 });
  const sfn1 = new SFNClient(clientConfig(first));
  const build = first.account.run.stateMachineArn('build');
  await sfn1.send(new StartExecutionCommand({ stateMachineArn: build, name: 'push-43', input: JSON.stringify(buildEvent(43)) }));
  await settled(first);
  await new SSMClient(clientConfig(first)).send(new PutParameterCommand({ Name: '/slipway/apps/example/config/GREETING', Value: 'hello', Type: 'SecureString' }));
  await settled(first);
  await first.close();

  const saved = JSON.parse(readFileSync(path.join(dir, 'state.json'), 'utf8')) as { version: number; executions: { name: string }[] };
  expect(saved.version).toBe(1);
  expect(saved.executions.map((e) => e.name)).toEqual(expect.arrayContaining(['push-43', 'example--43-release', 'example--43-deploy']));

  const second = await startEndpoint(world, { stateDir: dir, speed: 200 });
  try {
    const sfn2 = new SFNClient(clientConfig(second));
    const arn = `${build.replace(':stateMachine:', ':execution:')}:push-43`;
    expect((await sfn2.send(new DescribeExecutionCommand({ executionArn: arn }))).status).toBe('SUCCEEDED');
    await expect(sfn2.send(new StartExecutionCommand({ stateMachineArn: build, name: 'push-43', input: '{}' }))).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
    const p = await new SSMClient(clientConfig(second)).send(new GetParameterCommand({ Name: '/slipway/apps/example/config/GREETING', WithDecryption: true }));
    expect(p.Parameter?.Value).toBe('hello');
    // The app's records (DynamoDB) and services (ECS) too: the CLI sees build 43 as the current release.
    const out = await slipway(second, 'pipelines', 'example');
    expect(out.stdout).toMatch(/current release: 43/);
    expect(second.account.run.world.findRevision(second.account.run.world.services.get('example--web')?.service.taskDefinition ?? '')?.tags.find((t) => t.key === 'slipway:build')?.value).toBe('43');
  } finally {
    await second.close();
  }
});

test('an execution still running when the endpoint stopped comes back FAILED (States.Runtime), and can be redriven', async () => {
  // Real time: the release task (45 s) is still running when the endpoint stops.
  const first = await startEndpoint(world, { stateDir: dir, speed: 1 });
  const build = first.account.run.stateMachineArn('build');
  await new SFNClient(clientConfig(first)).send(new StartExecutionCommand({ stateMachineArn: build, name: 'push-44', input: JSON.stringify(buildEvent(44)) }));
  const deadline = Date.now() + 10_000;
  // In its task, not only started: an execution stopped before entering a state has nothing to redrive.
  const inTask = () => first.account.run.executions.find((e) => e.name === 'example--44-release')?.history.at(-1)?.type === 'TaskSubmitted';
  while (!inTask() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await first.close();

  const second = await startEndpoint(world, { stateDir: dir, speed: 200 });
  try {
    const release = second.account.run.executions.find((e) => e.name === 'example--44-release');
    expect([release?.status, release?.error]).toEqual(['FAILED', 'States.Runtime']);
    expect(release?.history.at(-1)?.type).toBe('ExecutionFailed');
    const out = await slipway(second, 'redrive', 'example', '44', '--watch', '--interval', '1');
    expect(out.code).toBe(0);
    await settled(second);
    expect(second.account.run.executions.find((e) => e.name === 'example--44-deploy')?.status).toBe('SUCCEEDED');
  } finally {
    await second.close();
  }
});

test('a state file that is not JSON, or of another format, is refused by name and left as it is', async () => {
  writeFileSync(path.join(dir, 'state.json'), '{"version": 99}');
  await expect(startEndpoint(world, { stateDir: dir })).rejects.toBeInstanceOf(StateFileError);
  writeFileSync(path.join(dir, 'state.json'), 'not json');
  await expect(startEndpoint(world, { stateDir: dir })).rejects.toThrow(/state\.json is not JSON/);
  expect(readFileSync(path.join(dir, 'state.json'), 'utf8')).toBe('not json');
});

test('the state file is rewritten when the account changes, not when only its clock moves on', async () => {
  const endpoint = await startEndpoint(world, { stateDir: dir, speed: 200 });
  try {
    const run = endpoint.account.run;
    const idle = stateFingerprint(run);
    const before = run.world.clock.now;
    await new Promise((r) => setTimeout(r, 300));
    endpoint.account.catchUp();
    // A minute passing (speed 200) changes nothing that is saved apart from the clock: no reason to rewrite the file.
    expect(run.world.clock.now).toBeGreaterThan(before);
    expect(stateFingerprint(run)).toBe(idle);
    await new SSMClient(clientConfig(endpoint)).send(new PutParameterCommand({ Name: '/slipway/apps/example/config/GREETING', Value: 'hello', Type: 'SecureString' }));
    const changed = stateFingerprint(run);
    expect(changed).not.toBe(idle);
    await new SFNClient(clientConfig(endpoint)).send(new StartExecutionCommand({ stateMachineArn: run.stateMachineArn('build'), name: 'push-44', input: JSON.stringify(buildEvent(44)) }));
    await settled(endpoint);
    expect(stateFingerprint(run)).not.toBe(changed);
    // Saved within the saver's half second, with what changed.
    await new Promise((r) => setTimeout(r, 1200));
    const saved = JSON.parse(readFileSync(path.join(dir, 'state.json'), 'utf8')) as { executions: { name: string }[]; parameters: { name: string }[] };
    expect(saved.executions.map((e) => e.name)).toContain('push-44');
    expect(saved.parameters.map((p) => p.name)).toContain('/slipway/apps/example/config/GREETING');
  } finally {
    await endpoint.close();
  }
});
