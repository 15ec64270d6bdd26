import { FilterLogEventsCommand, GetLogEventsCommand, ResourceNotFoundException } from '@aws-sdk/client-cloudwatch-logs';
import { GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { DescribeTasksCommand, RunTaskCommand, type Task } from '@aws-sdk/client-ecs';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { logEvent, parseSince, renderLogEvent, streamLogs } from '../../../lib/ops/logs';
import { renderRunEnd, runExitCode, runTask, RUN_STARTED_BY } from '../../../lib/ops/run-task';
import { CLI_PERMISSIONS } from '../../../lib/ops/permissions';
import { logEventSchema, logsOutputSchema, runOutputSchema, type LogEvent } from '../../../lib/ops/schemas';
import { serveSettings, settingsFor, tableOf } from './settings-fixtures';
import { CLUSTER, clients, fakeClock, LOG_GROUP, mockApp, mocks, NOW, SETTINGS, TABLE, taskArn, tdArn } from './task-fixtures';

const TASK_ID = '0123456789abcdef0123456789abcdef';
const at = (seconds: number) => NOW.getTime() - 600_000 + seconds * 1000;

beforeEach(() => mockApp());

describe('parseSince', () => {
  test('reads durations back from now and ISO times', () => {
    expect(parseSince('10m', NOW)).toBe(NOW.getTime() - 600_000);
    expect(parseSince('2h', NOW)).toBe(NOW.getTime() - 7_200_000);
    expect(parseSince('2026-11-29T11:00:00Z', NOW)).toBe(Date.parse('2026-11-29T11:00:00Z'));
  });

  test.each(['10x', '-5m', 'm', '1h30m', '2026-13-45', '2027-01-01T00:00:00Z', '1000d'])('refuses %j with a UsageError', (value) => {
    expect(() => parseSince(value, NOW)).toThrow(expect.objectContaining({ name: 'UsageError' }));
  });
});

describe('slipway logs', () => {
  test('reads every page of FilterLogEvents, in order, from --since, only the process type asked for', async () => {
    mocks.logs
      .on(FilterLogEventsCommand)
      .resolvesOnce({ events: [{ eventId: '1', logStreamName: `web/web/${TASK_ID}`, timestamp: at(1), message: 'GET / 200\n' }], nextToken: 'page-2' })
      .resolvesOnce({ events: [{ eventId: '2', logStreamName: `web/web/${TASK_ID}`, timestamp: at(2), message: 'GET /health 200' }] });
    const events: LogEvent[] = [];

    const out = await streamLogs(clients, 'example', { process: 'web', since: '10m', clock: fakeClock(), onEvent: (e) => events.push(e) });

    expect(events.map((e) => [e.process, e.task, e.message])).toEqual([
      ['web', TASK_ID, 'GET / 200'],
      ['web', TASK_ID, 'GET /health 200'],
    ]);
    for (const e of events) logEventSchema.parse(e);
    expect(logsOutputSchema.parse(out)).toMatchObject({ app: 'example', logGroup: LOG_GROUP, process: 'web', events: 2, stopped: 'end' });
    const requests = mocks.logs.commandCalls(FilterLogEventsCommand).map((c) => c.args[0].input);
    expect(requests).toEqual([
      { logGroupName: LOG_GROUP, logStreamNamePrefix: 'web/', startTime: NOW.getTime() - 600_000, nextToken: undefined },
      { logGroupName: LOG_GROUP, logStreamNamePrefix: 'web/', startTime: NOW.getTime() - 600_000, nextToken: 'page-2' },
    ]);
  });

  test('--follow polls again from the newest event, prints each event once, and stops at the timeout', async () => {
    // Within --follow's default 5 minutes back.
    const recent = (seconds: number) => NOW.getTime() - 60_000 + seconds * 1000;
    const first = { eventId: '1', logStreamName: `worker/worker/${TASK_ID}`, timestamp: recent(1), message: 'job 1 done' };
    const second = { eventId: '2', logStreamName: `worker/worker/${TASK_ID}`, timestamp: recent(1), message: 'job 2 done' };
    const third = { eventId: '3', logStreamName: `web/web/${TASK_ID}`, timestamp: recent(5), message: 'GET / 200' };
    mocks.logs
      .on(FilterLogEventsCommand)
      .resolvesOnce({ events: [first] })
      // The next poll starts at the newest timestamp: the first event comes again, with one that arrived late.
      .resolvesOnce({ events: [first, second], nextToken: 'more' })
      .resolvesOnce({ events: [third] })
      .resolves({ events: [third] });
    const events: LogEvent[] = [];
    const clock = fakeClock();

    const out = await streamLogs(clients, 'example', { follow: true, clock, intervalMs: 2000, timeoutMs: 4000, onEvent: (e) => events.push(e) });

    expect(events.map((e) => e.message)).toEqual(['job 1 done', 'job 2 done', 'GET / 200']);
    expect(out).toMatchObject({ followed: true, stopped: 'timeout', events: 3 });
    expect(clock.slept).toEqual([2000, 2000]);
    const starts = mocks.logs.commandCalls(FilterLogEventsCommand).map((c) => [c.args[0].input.startTime, c.args[0].input.nextToken]);
    expect(starts).toEqual([
      [NOW.getTime() - 300_000, undefined],
      [recent(1), undefined],
      [recent(1), 'more'],
      [recent(5), undefined],
    ]);
  });

  test('--build N reads from the start of its release until a later release replaced it', async () => {
    const releaseStart = new Date('2026-11-29T09:01:00.000Z');
    mocks.sfn.on(DescribeExecutionCommand).resolves({ executionArn: 'x', startDate: releaseStart, status: 'SUCCEEDED', stateMachineArn: 'y' });
    mocks.dynamodb.on(QueryCommand).resolves({ Items: [{ releasedAt: { S: '2026-11-29T11:30:00.000Z' } }, { releasedAt: { S: '2026-11-29T10:30:00.000Z' } }] });
    mocks.logs.on(FilterLogEventsCommand).resolves({ events: [] });

    const out = await streamLogs(clients, 'example', { build: '42', clock: fakeClock(), onEvent: () => undefined });

    expect(mocks.logs.commandCalls(FilterLogEventsCommand)[0].args[0].input).toMatchObject({ startTime: releaseStart.getTime(), endTime: Date.parse('2026-11-29T10:30:00.000Z') });
    expect(out).toMatchObject({ build: '42', from: releaseStart.toISOString(), to: '2026-11-29T10:30:00.000Z' });
    expect(mocks.dynamodb.commandCalls(QueryCommand)[0].args[0].input.ExpressionAttributeValues).toMatchObject({ ':sk': { S: '0000000042' } });
  });

  test('a process type the app does not have is a usage error, after reading its settings', async () => {
    await expect(streamLogs(clients, 'example', { process: 'cron', clock: fakeClock(), onEvent: () => undefined })).rejects.toMatchObject({ name: 'UsageError', message: expect.stringContaining('has: worker, web') });
    expect(mocks.logs.calls()).toHaveLength(0);
  });

  test('a hostile log line prints inert: escape sequences, newlines and bidi overrides are shown, not interpreted', () => {
    const line = renderLogEvent(logEvent(`web/web/${TASK_ID}`, at(1), '\x1b[2J\x1b]8;;http://evil\x07click\nFAKE: ok\u202egnp.exe'));

    expect(line).toBe(`${new Date(at(1)).toISOString()} web[01234567]: \\e[2J\\e]8;;http://evil\\x07click\\nFAKE: ok\\u202egnp.exe`);
    expect(line).not.toMatch(/[\x00-\x1f\x7f\u202e]/);
  });
});

function task(over: Partial<Task>): Task {
  return { taskArn: taskArn(TASK_ID), lastStatus: 'PENDING', containers: [{ name: 'web' }], ...over };
}

describe('slipway run', () => {
  test('runs the command on the current release\'s task definition in the app\'s cluster and network, follows its log stream across pages, and returns its exit code', async () => {
    mocks.ecs.on(RunTaskCommand).resolves({ tasks: [task({})] });
    mocks.ecs
      .on(DescribeTasksCommand)
      .resolvesOnce({ tasks: [task({ lastStatus: 'PROVISIONING' })] })
      .resolvesOnce({ tasks: [task({ lastStatus: 'RUNNING', startedAt: NOW })] })
      .resolves({ tasks: [task({ lastStatus: 'STOPPED', startedAt: NOW, stopCode: 'EssentialContainerExited', containers: [{ name: 'web', exitCode: 3 }] })] });
    mocks.logs
      .on(GetLogEventsCommand)
      .resolvesOnce({ events: [{ timestamp: at(1), message: 'Migrating...' }], nextForwardToken: 'f/1' })
      .resolvesOnce({ events: [{ timestamp: at(2), message: 'error: table exists' }], nextForwardToken: 'f/2' })
      .resolvesOnce({ events: [], nextForwardToken: 'f/2' })
      .resolvesOnce({ events: [{ timestamp: at(3), message: 'rolled back' }], nextForwardToken: 'f/3' })
      .resolves({ events: [], nextForwardToken: 'f/3' });
    const lines: string[] = [];
    const progress: string[] = [];

    const out = await runTask(clients, 'example', { command: ['bin/rails', 'db:migrate'], clock: fakeClock(), onEvent: (e) => lines.push(e.message), onProgress: (p) => progress.push(p) });

    expect(lines).toEqual(['Migrating...', 'error: table exists', 'rolled back']);
    expect(progress).toEqual([`task ${TASK_ID}: PROVISIONING`, `task ${TASK_ID}: RUNNING`, `task ${TASK_ID}: STOPPED`]);
    expect(runOutputSchema.parse(out)).toMatchObject({ build: '42', process: 'web', outcome: 'exited', exitCode: 3, taskArn: taskArn(TASK_ID), logStream: `web/web/${TASK_ID}` });
    expect(runExitCode(out)).toBe(3);
    expect(renderRunEnd(out)).toBe(`web task ${TASK_ID} (build 42) exited with code 3`);
    expect(mocks.ecs.commandCalls(RunTaskCommand)[0].args[0].input).toEqual({
      cluster: CLUSTER,
      taskDefinition: tdArn('web', 7),
      count: 1,
      capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1, base: 0 }],
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-a', 'subnet-b'], securityGroups: ['sg-example'], assignPublicIp: 'DISABLED' } },
      overrides: { containerOverrides: [{ name: 'web', command: ['bin/rails', 'db:migrate'] }] },
      startedBy: RUN_STARTED_BY,
      tags: [{ key: 'slipway:run', value: 'cli' }],
      propagateTags: 'TASK_DEFINITION',
      clientToken: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    const tokens = mocks.logs.commandCalls(GetLogEventsCommand).map((c) => c.args[0].input.nextToken);
    expect(tokens).toEqual([undefined, 'f/1', 'f/2', 'f/2', 'f/3']);
    expect(mocks.logs.commandCalls(GetLogEventsCommand)[0].args[0].input).toMatchObject({ logGroupName: LOG_GROUP, logStreamName: `web/web/${TASK_ID}`, startFromHead: true });
  });

  test('--process picks another process type\'s task definition; a zero exit code is success', async () => {
    mocks.ecs.on(RunTaskCommand).resolves({ tasks: [task({ containers: [{ name: 'worker' }] })] });
    mocks.ecs.on(DescribeTasksCommand).resolves({ tasks: [task({ lastStatus: 'STOPPED', startedAt: NOW, containers: [{ name: 'worker', exitCode: 0 }] })] });
    mocks.logs.on(GetLogEventsCommand).rejects(new ResourceNotFoundException({ message: 'The specified log stream does not exist.', $metadata: {} }));

    const out = await runTask(clients, 'example', { process: 'worker', command: ['true'], clock: fakeClock(), onEvent: () => undefined });

    expect(mocks.ecs.commandCalls(RunTaskCommand)[0].args[0].input.taskDefinition).toBe(tdArn('worker', 7));
    expect(out).toMatchObject({ outcome: 'exited', exitCode: 0, logStream: `worker/worker/${TASK_ID}` });
    expect(runExitCode(out)).toBe(0);
  });

  test('a task that never starts (CannotPullContainerError): one line with the reason, exit 1', async () => {
    mocks.ecs.on(RunTaskCommand).resolves({ tasks: [task({})] });
    const reason = 'CannotPullContainerError: pull image manifest has been retried 5 time(s): not found';
    mocks.ecs.on(DescribeTasksCommand).resolves({ tasks: [task({ lastStatus: 'STOPPED', stopCode: 'TaskFailedToStart', stoppedReason: reason, containers: [{ name: 'web', lastStatus: 'STOPPED' }] })] });
    mocks.logs.on(GetLogEventsCommand).rejects(new ResourceNotFoundException({ message: 'The specified log stream does not exist.', $metadata: {} }));

    const out = await runTask(clients, 'example', { command: ['ls'], clock: fakeClock(), onEvent: () => undefined });

    expect(out).toMatchObject({ outcome: 'failed-to-start', exitCode: null, stopCode: 'TaskFailedToStart', reason });
    expect(runExitCode(out)).toBe(1);
    expect(renderRunEnd(out)).toBe(`web task ${TASK_ID} (build 42) failed to start (TaskFailedToStart): ${reason}`);
    expect(renderRunEnd(out)).not.toContain('\n');
  });

  test('ECS refuses to place the task: its failure reason, exit 1, nothing followed', async () => {
    mocks.ecs.on(RunTaskCommand).resolves({ tasks: [], failures: [{ reason: 'RESOURCE:MEMORY', detail: 'no capacity' }] });

    const out = await runTask(clients, 'example', { command: ['ls'], clock: fakeClock(), onEvent: () => undefined });

    expect(out).toMatchObject({ outcome: 'failed-to-start', taskArn: null, reason: 'RESOURCE:MEMORY (no capacity)' });
    expect(runExitCode(out)).toBe(1);
    expect(mocks.ecs.commandCalls(DescribeTasksCommand)).toHaveLength(0);
  });

  test('a task still pending at the timeout: stops following, says the task goes on, exit 1', async () => {
    mocks.ecs.on(RunTaskCommand).resolves({ tasks: [task({})] });
    mocks.ecs.on(DescribeTasksCommand).resolves({ tasks: [task({ lastStatus: 'PENDING' })] });

    const out = await runTask(clients, 'example', { command: ['ls'], clock: fakeClock(), intervalMs: 1000, timeoutMs: 3000, onEvent: () => undefined });

    expect(out).toMatchObject({ outcome: 'timed-out', reason: 'still PENDING after --timeout; the task goes on' });
    expect(runExitCode(out)).toBe(1);
    expect(mocks.logs.calls()).toHaveLength(0);
  });

  test('an app without a release yet cannot run a task', async () => {
    mocks.dynamodb.on(GetItemCommand, { Key: { pk: { S: 'RELEASE' }, sk: { S: 'CURRENT' } } }).resolves({});

    await expect(runTask(clients, 'example', { command: ['ls'], clock: fakeClock(), onEvent: () => undefined })).rejects.toMatchObject({ name: 'CannotProceed' });
    expect(mocks.ecs.calls()).toHaveLength(0);
  });
});

describe('what logs and run send is in their permissions list (lib/ops/permissions.ts)', () => {
  const PREFIX: Record<keyof typeof mocks, string> = { sfn: 'states', dynamodb: 'dynamodb', sts: 'sts', ssm: 'ssm', ecs: 'ecs', logs: 'logs' };
  const sent = () =>
    [...new Set(Object.entries(mocks).flatMap(([client, m]) => m.calls().map((c) => `${PREFIX[client as keyof typeof mocks]}:${(c.args[0] as object).constructor.name.replace(/Command$/, '')}`)))].sort();
  const listed = (command: string) => CLI_PERMISSIONS.find((c) => c.command === command)?.calls.map((c) => c.action) ?? [];

  test('logs --build --follow', async () => {
    mocks.sfn.on(DescribeExecutionCommand).resolves({ executionArn: 'x', startDate: new Date('2026-11-29T09:01:00.000Z'), status: 'SUCCEEDED', stateMachineArn: 'y' });
    mocks.dynamodb.on(QueryCommand).resolves({ Items: [] });
    mocks.logs.on(FilterLogEventsCommand).resolves({ events: [] });

    await streamLogs(clients, 'example', { build: '42', follow: true, clock: fakeClock(), timeoutMs: 1, onEvent: () => undefined });

    expect(sent().filter((a) => !listed('logs').includes(a))).toEqual([]);
  });

  test('run', async () => {
    mocks.ecs.on(RunTaskCommand).resolves({ tasks: [task({})] });
    mocks.ecs.on(DescribeTasksCommand).resolves({ tasks: [task({ lastStatus: 'STOPPED', startedAt: NOW, containers: [{ name: 'web', exitCode: 0 }] })] });
    mocks.logs.on(GetLogEventsCommand).resolves({ events: [], nextForwardToken: 'f' });

    await runTask(clients, 'example', { command: ['ls'], clock: fakeClock(), onEvent: () => undefined });

    expect(sent()).toEqual(expect.arrayContaining(['ecs:RunTask', 'ecs:DescribeTasks', 'logs:GetLogEvents']));
    expect(sent().filter((a) => !listed('run').includes(a))).toEqual([]);
  });
});

describe('two apps on one control plane', () => {
  beforeEach(() => serveSettings(mocks.ssm, { example: SETTINGS, 'example-admin': settingsFor('example-admin') }));

  test("logs of example-admin read its own log group, named by its own settings parameter", async () => {
    mocks.logs.on(FilterLogEventsCommand).resolves({ events: [] });

    await streamLogs(clients, 'example-admin', { since: '10m', clock: fakeClock(), onEvent: () => undefined });

    expect(mocks.logs.commandCalls(FilterLogEventsCommand).map((c) => c.args[0].input.logGroupName)).toEqual(['/slipway/apps/example-admin']);
    expect(mocks.ssm.commandCalls(GetParameterCommand).map((c) => c.args[0].input.Name)).toEqual(['/slipway/apps/example-admin/settings']);
  });

  test("run for example uses example's table, network and release, never example-admin's", async () => {
    mocks.ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: taskArn(TASK_ID), lastStatus: 'PROVISIONING' }] });
    mocks.ecs.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn: taskArn(TASK_ID), lastStatus: 'STOPPED', containers: [{ name: 'web', exitCode: 0 }] }] });
    mocks.logs.on(GetLogEventsCommand).resolves({ events: [], nextForwardToken: 'f' });

    await runTask(clients, 'example', { command: ['ls'], clock: fakeClock(), onEvent: () => undefined });

    expect(mocks.dynamodb.calls().map((c) => (c.args[0].input as { TableName?: string }).TableName)).toEqual(expect.arrayContaining([TABLE]));
    expect(mocks.dynamodb.calls().map((c) => (c.args[0].input as { TableName?: string }).TableName)).not.toContain(tableOf('example-admin'));
    expect(mocks.ecs.commandCalls(RunTaskCommand)[0].args[0].input.networkConfiguration?.awsvpcConfiguration?.securityGroups).toEqual(['sg-example']);
  });
});
