import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { pipelinesOutputSchema } from '../../../../lib/ops/schemas';
import type { LocalEndpoint } from '../../../../lib/local/serve/server';
import type { WorldFile } from '../../../../lib/local/world-schema';
import { slipway } from './cli-in-process';
import { buildEvent, clientConfig, ROOT, settled, startEndpoint } from './endpoint-helpers';

/**
 * The CLI end to end against the endpoint: a real pipeline runs in the simulated account (events in
 * through the endpoint's door, as AWS delivers them), then `slipway` itself (bin/slipway.ts, in this
 * process) reads and acts on it with its real SDK clients over HTTP (AWS_ENDPOINT_URL, dummy
 * credentials). Each test checks what the CLI prints and what changed in the account.
 */

/** The clock at 200 times real time: a 60 s deployment takes 0.3 s (a busy machine's pauses stay short in simulated time). */
const SPEED = 200;

async function push(endpoint: LocalEndpoint, build: number): Promise<void> {
  const res = await fetch(`${endpoint.url}/_slipway/events`, { method: 'POST', body: JSON.stringify(buildEvent(build)) });
  expect(((await res.json()) as { delivered: { rule: string }[] }).delivered.map((d) => d.rule)).toEqual(['BuildStateChangeRule']);
  await settled(endpoint);
}

/** The task definition an ECS service of the account runs. */
function serviceRevision(endpoint: LocalEndpoint, service: string): string | undefined {
  return endpoint.account.run.world.services.get(service)?.service.taskDefinition?.split('/').pop();
}

/** The build a task definition revision was registered for (its slipway:build tag). */
function buildOf(endpoint: LocalEndpoint, service: string): string | undefined {
  const arn = endpoint.account.run.world.services.get(service)?.service.taskDefinition ?? '';
  return endpoint.account.run.world.findRevision(arn)?.tags.find((t) => t.key === 'slipway:build')?.value;
}

describe('a push that deploys', () => {
  let endpoint: LocalEndpoint;
  beforeAll(async () => {
    endpoint = await startEndpoint({ services: { web: { build: '41' }, worker: { build: '41' } } }, { speed: SPEED });
    await push(endpoint, 43);
  });
  afterAll(() => endpoint.close());

  test('apps lists the app from its settings parameter', async () => {
    const out = await slipway(endpoint, 'apps');
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^example\s+production\s+slipway-production\s+web,worker$/m);
  });

  test('pipelines shows build 43 built, released and deployed, and the current release', async () => {
    const out = await slipway(endpoint, 'pipelines', 'example', '--json');
    expect(out.code).toBe(0);
    const doc = pipelinesOutputSchema.parse(JSON.parse(out.stdout));
    expect(doc.currentRelease).toBe('43');
    const b = doc.builds.find((x) => x.build === '43');
    expect([b?.executions.build?.status, b?.executions.release?.status, b?.executions.deploy?.status, b?.current]).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', true]);
    expect(buildOf(endpoint, 'example--web')).toBe('43');
  });

  test('status of the build prints its deploy, every state succeeded', async () => {
    const out = await slipway(endpoint, 'status', 'example', '43');
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^example--43-deploy \(deploy\): SUCCEEDED/m);
    expect(out.stdout).not.toContain('✗');
  });

  test('watch of a deployed build says so and exits 0', async () => {
    const out = await slipway(endpoint, 'watch', 'example', '43');
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('build 43 of "example" is deployed');
  });

  test('an execution of an unknown build is NotFound, exit 1', async () => {
    const out = await slipway(endpoint, 'status', 'example', '99');
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/NotFound/);
  });
});

describe('a failed release: fix, then redrive', () => {
  let endpoint: LocalEndpoint;
  beforeAll(async () => {
    endpoint = await startEndpoint({ services: { web: { build: '41' }, worker: { build: '41' } }, release: { exitCode: 1 } }, { speed: SPEED });
    await push(endpoint, 44);
  });
  afterAll(() => endpoint.close());

  test('status shows the release task failed and that a redrive re-runs it; nothing was deployed', async () => {
    const out = await slipway(endpoint, 'status', 'example', '44');
    expect(out.code).toBe(1);
    expect(out.stdout).toMatch(/^example--44-release \(release\): FAILED/m);
    expect(out.stdout).toMatch(/✗ Run release task .*States\.TaskFailed\s+← a redrive re-runs this/);
    expect(out.stdout).toContain('exited with code 1');
    expect(buildOf(endpoint, 'example--web')).toBe('41');
  });

  test('after the fix, redrive --watch re-runs the release task and the deploy follows', async () => {
    const fix = await slipway(endpoint, 'local', 'fix', path.join(ROOT, 'test/fixtures/serve/release-fixed.json'), '--endpoint', endpoint.url);
    expect(fix.code).toBe(0);
    const out = await slipway(endpoint, 'redrive', 'example', '44', '--watch', '--interval', '1');
    expect(out.stdout).toMatch(/^redrove example--44-release \(release, redrive 1\)/m);
    expect(out.code).toBe(0);
    await settled(endpoint);
    const release = endpoint.account.run.executions.find((e) => e.name === 'example--44-release');
    expect([release?.status, release?.redriveCount]).toEqual(['SUCCEEDED', 1]);
    expect(endpoint.account.run.executions.find((e) => e.name === 'example--44-deploy')?.status).toBe('SUCCEEDED');
    expect(buildOf(endpoint, 'example--web')).toBe('44');
  });

  test('a second redrive of the succeeded execution is refused, exit 1, nothing started', async () => {
    const before = endpoint.account.run.executions.length;
    const out = await slipway(endpoint, 'redrive', 'example', '44');
    expect(out.code).toBe(1);
    expect(endpoint.account.run.executions.length).toBe(before);
  });
});

describe('a rolled-back deployment, then rollback', () => {
  let endpoint: LocalEndpoint;
  beforeAll(async () => {
    // web's third deployment (build 44's) trips the circuit breaker and ECS rolls it back.
    endpoint = await startEndpoint(
      { services: { web: { build: '41' }, worker: { build: '41' } }, deployments: { web: [{ outcome: 'completes' }, { outcome: 'completes' }, { outcome: 'rollsBack' }] } },
      { speed: SPEED },
    );
    for (const n of [42, 43, 44]) await push(endpoint, n);
  });
  afterAll(() => endpoint.close());

  test('status names the rolled-back deployment of web, the one a redrive would re-run', async () => {
    const out = await slipway(endpoint, 'status', 'example', '44');
    expect(out.code).toBe(1);
    expect(out.stdout).toMatch(/^example--44-deploy \(deploy\): FAILED/m);
    expect(out.stdout).toMatch(/#0 web\n\s+✗ Update the service and wait for its deployment .*DeploymentRolledBack/);
    // ECS put web back on build 43's revision.
    expect(buildOf(endpoint, 'example--web')).toBe('43');
  });

  test('rollback deploys the release before the current one (42) and --watch follows it to the end', async () => {
    const out = await slipway(endpoint, 'rollback', 'example', '--watch', '--interval', '1');
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^rolling back example from build 43 to build 42/m);
    expect(out.stdout).toMatch(/SUCCEEDED/);
    await settled(endpoint);
    expect([buildOf(endpoint, 'example--web'), buildOf(endpoint, 'example--worker')]).toEqual(['42', '42']);
    const pipelines = await slipway(endpoint, 'pipelines', 'example');
    expect(pipelines.stdout).toMatch(/current release: 42/);
    expect(serviceRevision(endpoint, 'example--web')).toMatch(/^slipway-example--web:\d+$/);
  });
});

describe('config and scale', () => {
  let endpoint: LocalEndpoint;
  beforeAll(async () => {
    endpoint = await startEndpoint({ services: { web: { build: '41' }, worker: { build: '41' } }, scalableTargets: { web: { min: 2, max: 6 } } }, { speed: SPEED });
    await push(endpoint, 42);
  });
  afterAll(() => endpoint.close());

  test('config set writes the SecureString and the Parameter Store Change starts config-change, which redeploys', async () => {
    const out = await slipway(endpoint, 'config', 'set', 'example', 'GREETING=hello');
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('set GREETING on example');
    const p = await new SSMClient(clientConfig(endpoint)).send(new GetParameterCommand({ Name: '/slipway/apps/example/config/GREETING', WithDecryption: true }));
    expect([p.Parameter?.Type, p.Parameter?.Value]).toEqual(['SecureString', 'hello']);
    await settled(endpoint);
    expect(endpoint.account.run.executions.filter((e) => e.stateMachine === 'config-change').map((e) => e.status)).toEqual(['SUCCEEDED']);
    const get = await slipway(endpoint, 'config', 'get', 'example', 'GREETING');
    expect([get.code, get.stdout]).toEqual([0, 'hello']);
  });

  test('scale registers the new range of web with Application Auto Scaling', async () => {
    const out = await slipway(endpoint, 'scale', 'example', 'web', '1-3');
    expect(out.code).toBe(0);
    expect(endpoint.account.run.world.scalableTargets.get('service/slipway-production/example--web')).toMatchObject({ min: 1, max: 3 });
  });

  test('logs reads the app\'s log groups (the simulation writes no lines) and says there are none', async () => {
    const out = await slipway(endpoint, 'logs', 'example');
    expect(out.code).toBe(0);
    expect(out.stderr).toContain('no log events from any process type of example in /slipway/apps/example');
  });
});

describe('the incident of docs/local-serve.md, command by command', () => {
  let endpoint: LocalEndpoint;
  const fixture = (name: string) => path.join(ROOT, 'test/fixtures/serve', name);
  beforeAll(async () => {
    endpoint = await startEndpoint(JSON.parse(readFileSync(fixture('incident-world.json'), 'utf8')) as WorldFile, { speed: SPEED });
  });
  afterAll(() => endpoint.close());

  test('push, release fails, fix, redrive, rollback', async () => {
    const run = async (...args: string[]) => {
      const out = await slipway(endpoint, ...args);
      return { ...out, all: `${out.stdout}\n${out.stderr}` };
    };
    expect((await run('local', 'event', fixture('push-42.json'), '--endpoint', endpoint.url)).code).toBe(0);
    expect((await run('watch', 'example', '42', '--interval', '1')).all).toContain('build 42 of "example" is deployed');

    expect((await run('local', 'fix', fixture('release-fails.json'), '--endpoint', endpoint.url)).code).toBe(0);
    expect((await run('local', 'event', fixture('push-43.json'), '--endpoint', endpoint.url)).code).toBe(0);
    const failed = await run('watch', 'example', '43', '--interval', '1');
    expect(failed.code).toBe(1);
    expect((await run('status', 'example', '43')).stdout).toMatch(/✗ Run release task .*States\.TaskFailed\s+← a redrive re-runs this/);

    expect((await run('local', 'fix', fixture('release-fixed.json'), '--endpoint', endpoint.url)).code).toBe(0);
    const redrive = await run('redrive', 'example', '43', '--watch', '--interval', '1');
    expect(redrive.stdout).toMatch(/^redrove example--43-release \(release, redrive 1\)/m);
    expect((await run('watch', 'example', '43', '--interval', '1')).all).toContain('build 43 of "example" is deployed');
    expect(buildOf(endpoint, 'example--web')).toBe('43');

    const rollback = await run('rollback', 'example', '--watch', '--interval', '1');
    expect(rollback.code).toBe(0);
    expect(rollback.stdout).toMatch(/^rolling back example from build 43 to build 42/m);
    await settled(endpoint);
    expect((await run('pipelines', 'example')).stdout).toMatch(/current release: 42/);
    expect([buildOf(endpoint, 'example--web'), buildOf(endpoint, 'example--worker')]).toEqual(['42', '42']);
  });
});
