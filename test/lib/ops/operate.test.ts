import { BatchGetBuildsCommand, CodeBuildClient, StartBuildCommand, type Build } from '@aws-sdk/client-codebuild';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, DescribeTasksCommand, ExecuteCommandCommand, ListTasksCommand, RunTaskCommand, StopTaskCommand, UpdateServiceCommand, type Task } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { serviceName } from '../../../domain/names';
import { buildExitCode, checkBuildSource, renderBuild, startBuild } from '../../../lib/ops/build';
import { listProcesses, renderProcesses, restartProcesses, renderRestart } from '../../../lib/ops/ps';
import { findPlugin, openShell, pluginArgs, type PluginRunner } from '../../../lib/ops/shell';
import { RUN_STARTED_BY } from '../../../lib/ops/run-task';
import { awsCallCount, CLUSTER, clients, fakeClock, mockApp, mocks, NOW, taskArn, tdArn } from './task-fixtures';

/**
 * The operator commands of issue 23 (point 8) against mocked AWS (aws-sdk-client-mock): `ps`,
 * `restart`, `build` and `shell`, each checked by the requests it makes and what it reports.
 */

const codebuildMock = mockClient(CodeBuildClient);
const withCodeBuild = { ...clients, codebuild: new CodeBuildClient({ region: 'eu-west-1' }) };

const service = (process: string, deployments: { id: string; status: string; rollout: string; revision: number; running: number; desired: number }[]) => ({
  serviceName: serviceName('example', process),
  status: 'ACTIVE',
  desiredCount: deployments[0].desired,
  runningCount: deployments.reduce((n, d) => n + d.running, 0),
  pendingCount: 0,
  taskDefinition: tdArn(process, deployments[0].revision),
  deployments: deployments.map((d) => ({ id: d.id, status: d.status, rolloutState: d.rollout, taskDefinition: tdArn(process, d.revision), desiredCount: d.desired, runningCount: d.running, pendingCount: 0 })),
});
const task = (id: string, process: string, revision: number, extra: Partial<Task> = {}): Task => ({
  taskArn: taskArn(id),
  taskDefinitionArn: tdArn(process, revision),
  lastStatus: 'RUNNING',
  desiredStatus: 'RUNNING',
  healthStatus: 'HEALTHY',
  startedAt: new Date(NOW.getTime() - 3_600_000),
  ...extra,
});
const BUILD_OF: Record<number, string> = { 6: '41', 7: '42' };

beforeEach(() => {
  mockApp();
  codebuildMock.reset();
  mocks.ecs.on(DescribeTaskDefinitionCommand).callsFake(async (input: { taskDefinition: string }) => ({ taskDefinition: { taskDefinitionArn: input.taskDefinition }, tags: [{ key: 'slipway:build', value: BUILD_OF[Number(input.taskDefinition.split(':').pop())] }] }));
});

/** The names each process type's service has (domain/names.ts serviceName). */
const serviceNames = () => mocks.ecs.commandCalls(DescribeServicesCommand).flatMap((c) => c.args[0].input.services ?? []);

describe('slipway ps', () => {
  test('each process type: running/desired, the build of its revision, each task with its state; a partial deploy shows two builds', async () => {
    mocks.ecs.on(DescribeServicesCommand).callsFake(async (input: { services: string[] }) => ({
      services: input.services.map((name) =>
        name.endsWith('web')
          ? service('web', [{ id: 'ecs-svc/1', status: 'PRIMARY', rollout: 'COMPLETED', revision: 7, running: 2, desired: 2 }])
          : service('worker', [{ id: 'ecs-svc/2', status: 'PRIMARY', rollout: 'COMPLETED', revision: 6, running: 1, desired: 1 }]),
      ),
    }));
    mocks.ecs.on(ListTasksCommand).callsFake(async (input: { serviceName?: string; startedBy?: string }) => ({
      taskArns: input.startedBy === RUN_STARTED_BY ? [taskArn('run1')] : input.serviceName?.endsWith('web') ? [taskArn('web1'), taskArn('web2')] : [taskArn('wrk1')],
    }));
    mocks.ecs.on(DescribeTasksCommand).resolves({
      tasks: [task('web1', 'web', 7), task('web2', 'web', 7, { lastStatus: 'PENDING', healthStatus: 'UNKNOWN', startedAt: undefined }), task('wrk1', 'worker', 6), task('run1', 'web', 7, { healthStatus: 'UNKNOWN' })],
    });

    const out = await listProcesses(clients, 'example');

    expect(out.processes.map((p) => [p.process, p.running, p.desired, p.build, p.tasks.map((t) => `${t.id}:${t.status}:${t.build}`)])).toEqual([
      ['worker', 1, 1, '41', ['wrk1:RUNNING:41']],
      ['web', 2, 2, '42', ['web1:RUNNING:42', 'web2:PENDING:42']],
    ]);
    expect(out.oneOff.map((t) => [t.id, t.process])).toEqual([['run1', 'web']]);
    expect(out.builds.sort()).toEqual(['41', '42']);
    // Only the app's own services, by their names; the tasks of its cluster.
    expect(serviceNames().sort()).toEqual([serviceName('example', 'web'), serviceName('example', 'worker')].sort());
    for (const c of mocks.ecs.commandCalls(ListTasksCommand)) expect(c.args[0].input.cluster).toBe(CLUSTER);
    const text = renderProcesses(out, NOW);
    expect(text).toContain('=== web (');
    expect(text).toMatch(/web1 {2}RUNNING HEALTHY {2}build 42 \(slipway-example-web:7\) {2}up 1h00m/);
    expect(text).toContain('=== one-off (slipway run)');
    expect(text).toContain('the app runs 2 builds at once: worker build 41, web build 42');
  });

  test('a deployment in progress is listed beside the primary one; a process type without a service says so', async () => {
    mocks.ecs.on(DescribeServicesCommand).callsFake(async (input: { services: string[] }) => ({
      services: input.services.filter((n) => n.endsWith('web')).map(() => service('web', [
        { id: 'ecs-svc/9', status: 'PRIMARY', rollout: 'IN_PROGRESS', revision: 7, running: 0, desired: 2 },
        { id: 'ecs-svc/1', status: 'ACTIVE', rollout: 'COMPLETED', revision: 6, running: 2, desired: 2 },
      ])),
      failures: input.services.filter((n) => !n.endsWith('web')).map((n) => ({ arn: n, reason: 'MISSING' })),
    }));
    mocks.ecs.on(ListTasksCommand).resolves({ taskArns: [] });

    const out = await listProcesses(clients, 'example');
    const text = renderProcesses(out, NOW);

    expect(text).toContain('=== worker: no service yet');
    expect(text).toContain('deployment primary IN_PROGRESS: build 42 (slipway-example-web:7), 0/2 running');
    expect(text).toContain('deployment active COMPLETED: build 41 (slipway-example-web:6), 2/2 running');
    // Nothing listed for a service that does not exist.
    expect(mocks.ecs.commandCalls(ListTasksCommand).map((c) => c.args[0].input.serviceName ?? c.args[0].input.startedBy)).toEqual([expect.stringMatching(/web$/), RUN_STARTED_BY]);
  });

  test('an unknown process type is NotFound, a malformed one a UsageError before any AWS call', async () => {
    await expect(listProcesses(clients, 'example', { process: 'ghost' })).rejects.toMatchObject({ name: 'NotFound' });
    mockApp();
    await expect(listProcesses(clients, 'example', { process: 'Bad_Name' })).rejects.toMatchObject({ name: 'UsageError' });
    expect(awsCallCount()).toBe(0);
  });
});

describe('slipway restart', () => {
  test('a forced new deployment of each service on the revision it runs, in the app\'s cluster', async () => {
    mocks.ecs.on(DescribeServicesCommand).callsFake(async (input: { services: string[] }) => ({ services: input.services.map((n) => ({ serviceName: n, status: 'ACTIVE' })) }));
    mocks.ecs.on(UpdateServiceCommand).callsFake(async (input: { service: string }) => ({ service: { serviceName: input.service, deployments: [{ id: `d-${input.service}`, status: 'PRIMARY', taskDefinition: tdArn(input.service.endsWith('web') ? 'web' : 'worker', 7) }] } }));

    const out = await restartProcesses(clients, 'example', { process: 'web' });

    const updates = mocks.ecs.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input);
    expect(updates).toEqual([{ cluster: CLUSTER, service: expect.stringMatching(/^example-+web$/), forceNewDeployment: true }]);
    // No task definition, no desired count: the release and the scale stay as they are.
    expect(updates[0]).not.toHaveProperty('taskDefinition');
    expect(updates[0]).not.toHaveProperty('desiredCount');
    expect(renderRestart(out)).toMatch(/^restarting web \(example-+web, slipway-example-web:7\): deployment d-example-+web/);
  });

  test('a process type without a running service is NotFound, and nothing is restarted', async () => {
    mocks.ecs.on(DescribeServicesCommand).resolves({ services: [], failures: [{ reason: 'MISSING' }] });

    await expect(restartProcesses(clients, 'example')).rejects.toMatchObject({ name: 'NotFound', message: expect.stringContaining('deploy the app first') });
    expect(mocks.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });
});

describe('slipway build', () => {
  const build = (phase: string, status = 'IN_PROGRESS', complete = false): Build => ({
    id: 'slipway-example:abc',
    buildNumber: 43,
    currentPhase: phase,
    buildStatus: status as Build['buildStatus'],
    buildComplete: complete,
    resolvedSourceVersion: complete ? '4f1c2d3e5a6b7c8d9e0f' : undefined,
    startTime: NOW,
    endTime: complete ? new Date(NOW.getTime() + 95_000) : undefined,
    logs: { deepLink: 'https://console.aws.amazon.com/cloudwatch/home#logEvent:group=/aws/codebuild/slipway-example' },
  });

  test('starts the app\'s project on a branch, follows it to SUCCEEDED and names the build to watch', async () => {
    codebuildMock.on(StartBuildCommand).resolves({ build: build('SUBMITTED') });
    codebuildMock.on(BatchGetBuildsCommand).resolvesOnce({ builds: [build('BUILD')] }).resolves({ builds: [build('COMPLETED', 'SUCCEEDED', true)] });
    const progress: string[] = [];

    const out = await startBuild(withCodeBuild, 'example', { branch: 'feature/login', clock: fakeClock(), onProgress: (l) => progress.push(l) });

    expect(codebuildMock.commandCalls(StartBuildCommand).map((c) => c.args[0].input)).toEqual([{ projectName: 'slipway-example', sourceVersion: 'feature/login' }]);
    expect(out).toMatchObject({ buildNumber: 43, status: 'SUCCEEDED', commit: '4f1c2d3e5a6b7c8d9e0f', durationSeconds: 95 });
    expect(progress).toEqual(['build 43 of example: SUBMITTED', 'build 43 of example: BUILD']);
    expect(renderBuild(out)).toContain('SUCCEEDED in 1m35s (commit 4f1c2d3e5a6b): the pipelines release and deploy it now; follow them: slipway watch example 43');
    expect(buildExitCode(out)).toBe(0);
  });

  test('a failed build exits 1 and says nothing is deployed; --detach returns at once', async () => {
    codebuildMock.on(StartBuildCommand).resolves({ build: build('SUBMITTED') });
    codebuildMock.on(BatchGetBuildsCommand).resolves({ builds: [{ ...build('BUILD', 'FAILED', true) }] });
    const failed = await startBuild(withCodeBuild, 'example', { commit: 'abcdef1', clock: fakeClock() });
    expect(renderBuild(failed)).toContain('FAILED in phase BUILD after 1m35s: nothing is deployed');
    expect(buildExitCode(failed)).toBe(1);

    codebuildMock.reset();
    codebuildMock.on(StartBuildCommand).resolves({ build: build('SUBMITTED') });
    const detached = await startBuild(withCodeBuild, 'example', { detach: true, clock: fakeClock() });
    expect(codebuildMock.commandCalls(BatchGetBuildsCommand)).toHaveLength(0);
    expect(renderBuild(detached)).toContain('follow it: slipway watch example 43');
    expect(buildExitCode(detached)).toBe(0);
  });

  test.each([
    [{ branch: 'a', commit: 'abcdef1' }, 'not both'],
    [{ branch: 'bad..name' }, 'not a branch name'],
    [{ branch: '-x y' }, 'not a branch name'],
    [{ commit: 'xyz' }, 'not a commit ID'],
  ])('%j is a usage error before any AWS call', async (source, message) => {
    expect(() => checkBuildSource(source)).toThrow(expect.objectContaining({ name: 'UsageError', message: expect.stringContaining(message) }));
    await expect(startBuild(withCodeBuild, 'example', source)).rejects.toMatchObject({ name: 'UsageError' });
    expect(codebuildMock.calls()).toHaveLength(0);
    expect(awsCallCount()).toBe(0);
  });
});

describe('slipway shell', () => {
  const execTask = (id: string, enabled: boolean, agent = 'RUNNING') =>
    task(id, 'web', 7, { enableExecuteCommand: enabled, containers: [{ name: 'web', runtimeId: `${id}-runtime`, managedAgents: [{ name: 'ExecuteCommandAgent', lastStatus: agent }] }] });
  const session = { sessionId: 'ecs-execute-command-1', streamUrl: 'wss://ssmmessages.eu-west-1.amazonaws.com/v1/data-channel/x', tokenValue: 'token' };
  const recorder = () => {
    const runs: { plugin: string; args: readonly string[] }[] = [];
    const run: PluginRunner = async (plugin, args) => {
      runs.push({ plugin, args });
      return 0;
    };
    return { runs, run };
  };

  test('without the Session Manager plugin: SessionManagerPluginMissing with how to install it, before any AWS call', async () => {
    expect(findPlugin({ PATH: '/usr/bin:/bin' }, () => false, 'linux')).toBeUndefined();
    expect(findPlugin({ PATH: '/usr/bin:/opt/aws/bin' }, (f) => f === '/opt/aws/bin/session-manager-plugin', 'linux')).toBe('/opt/aws/bin/session-manager-plugin');
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent-slipway-test-dir';
    try {
      await expect(openShell(clients, 'example')).rejects.toMatchObject({ name: 'SessionManagerPluginMissing', message: expect.stringContaining('session-manager-working-with-install-plugin.html') });
    } finally {
      process.env.PATH = saved;
    }
    expect(awsCallCount()).toBe(0);
  });

  test('enters a running task with ECS Exec enabled: ExecuteCommand, then the plugin with the session and the target', async () => {
    mocks.ecs.on(ListTasksCommand).resolves({ taskArns: [taskArn('old1'), taskArn('new1')] });
    mocks.ecs.on(DescribeTasksCommand).resolves({ tasks: [execTask('old1', false), execTask('new1', true)] });
    mocks.ecs.on(ExecuteCommandCommand).resolves({ session });
    const { runs, run } = recorder();

    const out = await openShell(clients, 'example', { plugin: '/usr/bin/session-manager-plugin', runPlugin: run, profile: 'ops' });

    expect(mocks.ecs.commandCalls(ExecuteCommandCommand).map((c) => c.args[0].input)).toEqual([{ cluster: CLUSTER, task: taskArn('new1'), container: 'web', interactive: true, command: '/bin/sh' }]);
    expect(runs).toEqual([{ plugin: '/usr/bin/session-manager-plugin', args: pluginArgs(session, 'eu-west-1', 'ops', CLUSTER, taskArn('new1'), 'new1-runtime') }]);
    expect(JSON.parse(runs[0].args[4])).toEqual({ Target: 'ecs:slipway-production_new1_new1-runtime' });
    expect(JSON.parse(runs[0].args[0])).toEqual({ SessionId: session.sessionId, StreamUrl: session.streamUrl, TokenValue: session.tokenValue });
    expect(runs[0].args.slice(1, 4)).toEqual(['eu-west-1', 'StartSession', 'ops']);
    expect(runs[0].args[5]).toBe('https://ssm.eu-west-1.amazonaws.com');
    expect(out).toMatchObject({ oneOff: false, exitCode: 0 });
    expect(mocks.ecs.commandCalls(RunTaskCommand)).toHaveLength(0);
  });

  test('running tasks without ECS Exec: ExecNotEnabled, saying to restart or use --one-off', async () => {
    mocks.ecs.on(ListTasksCommand).resolves({ taskArns: [taskArn('old1')] });
    mocks.ecs.on(DescribeTasksCommand).resolves({ tasks: [execTask('old1', false)] });

    await expect(openShell(clients, 'example', { plugin: '/p', runPlugin: recorder().run })).rejects.toMatchObject({ name: 'ExecNotEnabled', message: expect.stringMatching(/slipway restart example web.*--one-off/) });
    expect(mocks.ecs.commandCalls(ExecuteCommandCommand)).toHaveLength(0);
  });

  test('no task runs: a one-off task with ECS Exec on the service\'s revision, the shell in it, the task stopped afterwards', async () => {
    mocks.ecs.on(ListTasksCommand).resolves({ taskArns: [] });
    mocks.ecs.on(DescribeServicesCommand).callsFake(async (input: { services: string[] }) => ({ services: [{ serviceName: input.services[0], status: 'ACTIVE', taskDefinition: tdArn('web', 7) }] }));
    mocks.ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: taskArn('shell1') }] });
    mocks.ecs.on(DescribeTasksCommand).resolvesOnce({ tasks: [execTask('shell1', true, 'PENDING')] }).resolves({ tasks: [execTask('shell1', true)] });
    mocks.ecs.on(ExecuteCommandCommand).resolves({ session });
    mocks.ecs.on(StopTaskCommand).resolves({});
    const { runs, run } = recorder();

    const out = await openShell(clients, 'example', { plugin: '/p', runPlugin: run, clock: fakeClock() });

    const started = mocks.ecs.commandCalls(RunTaskCommand)[0].args[0].input;
    expect(started).toMatchObject({ cluster: CLUSTER, taskDefinition: tdArn('web', 7), enableExecuteCommand: true, startedBy: RUN_STARTED_BY, overrides: { containerOverrides: [{ name: 'web', command: ['sleep', '3600'] }] } });
    expect(runs).toHaveLength(1);
    expect(mocks.ecs.commandCalls(StopTaskCommand).map((c) => c.args[0].input)).toEqual([{ cluster: CLUSTER, task: taskArn('shell1'), reason: 'slipway shell ended' }]);
    expect(out).toMatchObject({ oneOff: true, taskArn: taskArn('shell1') });
  });
});
