/**
 * `slipway logs --build N` (lib/ops/logs.ts): the lines of the tasks that ran build N, not every line
 * of its time. AWS mocked with aws-sdk-client-mock: build 42 released at 09:01, build 43 at 10:30.
 */
import { DescribeLogStreamsCommand, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { DescribeTasksCommand, type Task } from '@aws-sdk/client-ecs';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { LOGS_BUILD_CALLS, renderLogsEnd, streamLogs } from '../../../lib/ops/logs';
import { CLI_PERMISSIONS } from '../../../lib/ops/permissions';
import type { LogEvent } from '../../../lib/ops/schemas';
import { BUILD_42, CLUSTER, clients, fakeClock, LOG_GROUP, mockApp, mocks, taskArn, tdArn } from './task-fixtures';

const RELEASE_START = Date.parse('2026-11-29T09:01:00.000Z');
const NEXT_RELEASE = '2026-11-29T10:30:00.000Z';
const IMAGE = (build: number) => `123456789012.dkr.ecr.eu-west-1.amazonaws.com/slipway/example:build-${build}`;
const id = (c: string) => c.repeat(32);
const at = (minutes: number) => RELEASE_START + minutes * 60_000;

beforeEach(() => {
  mockApp();
  mocks.dynamodb.on(GetItemCommand, { Key: { pk: { S: 'BUILD' }, sk: { S: '0000000042' } } }).resolves({ Item: { ...BUILD_42, image: { S: IMAGE(42) } } });
  mocks.sfn.on(DescribeExecutionCommand).resolves({ executionArn: 'x', startDate: new Date(RELEASE_START), status: 'SUCCEEDED', stateMachineArn: 'y' });
  mocks.dynamodb.on(QueryCommand).resolves({ Items: [{ releasedAt: { S: NEXT_RELEASE } }] });
});

const ecsTask = (taskId: string, over: Partial<Task>): Task => ({ taskArn: taskArn(taskId), lastStatus: 'RUNNING', ...over });

/**
 * The tasks that logged in build 42's time: its release task and a web task (build 42's image), an old
 * web task still draining (build 41), a config-change revision of build 42 (same image, a revision its
 * deploy did not record), and two tasks ECS no longer describes, one started before build 42's release.
 */
function world() {
  const streams = {
    release: `web/web/${id('1')}`,
    web42: `web/web/${id('2')}`,
    web41: `web/web/${id('3')}`,
    config42: `worker/worker/${id('4')}`,
    goneAfter: `worker/worker/${id('5')}`,
    goneBefore: `web/web/${id('6')}`,
  };
  mocks.logs.on(FilterLogEventsCommand).resolvesOnce({
    events: [
      { eventId: 'e1', logStreamName: streams.web41, timestamp: at(0.5), message: 'old build serving' },
      { eventId: 'e2', logStreamName: streams.release, timestamp: at(1), message: 'migrating' },
      { eventId: 'e3', logStreamName: streams.goneBefore, timestamp: at(2), message: 'old task, long gone' },
    ],
    nextToken: 'p2',
  }).resolvesOnce({
    events: [
      { eventId: 'e4', logStreamName: streams.web42, timestamp: at(5), message: 'new build serving' },
      { eventId: 'e5', logStreamName: streams.config42, timestamp: at(30), message: 'worker after a config change' },
      { eventId: 'e6', logStreamName: streams.goneAfter, timestamp: at(40), message: 'worker long gone' },
      { eventId: 'e7', logStreamName: streams.web41, timestamp: at(6), message: 'old build draining' },
    ],
  });
  mocks.ecs.on(DescribeTasksCommand).callsFake(async (input: { tasks: string[] }) => {
    const known: Record<string, Task> = {
      [id('1')]: ecsTask(id('1'), { lastStatus: 'STOPPED', taskDefinitionArn: tdArn('web', 7), containers: [{ name: 'web', image: IMAGE(42) }] }),
      [id('2')]: ecsTask(id('2'), { taskDefinitionArn: tdArn('web', 7), containers: [{ name: 'web', image: IMAGE(42) }] }),
      [id('3')]: ecsTask(id('3'), { lastStatus: 'STOPPED', taskDefinitionArn: tdArn('web', 6), containers: [{ name: 'web', image: IMAGE(41) }] }),
      [id('4')]: ecsTask(id('4'), { taskDefinitionArn: tdArn('worker', 9), containers: [{ name: 'worker', image: IMAGE(42) }] }),
    };
    return {
      tasks: input.tasks.filter((t) => known[t]).map((t) => known[t]),
      failures: input.tasks.filter((t) => !known[t]).map((t) => ({ arn: taskArn(t), reason: 'MISSING' })),
    };
  });
  mocks.logs.on(DescribeLogStreamsCommand).callsFake(async (input: { logStreamNamePrefix: string }) => {
    const created = input.logStreamNamePrefix === streams.goneBefore ? RELEASE_START - 3_600_000 : at(35);
    return { logStreams: [{ logStreamName: input.logStreamNamePrefix, creationTime: created }] };
  });
  return streams;
}

test('shows only the lines of the tasks that ran build N: its image (release, services, config-change revisions), and forgotten tasks started after its release', async () => {
  const streams = world();
  const events: LogEvent[] = [];

  const out = await streamLogs(clients, 'example', { build: '42', clock: fakeClock(), onEvent: (e) => events.push(e) });

  expect(events.map((e) => e.message)).toEqual(['migrating', 'new build serving', 'worker after a config change', 'worker long gone']);
  expect(out.buildTasks).toEqual({ traced: 3, otherBuilds: 1, byTime: 1, beforeRelease: 1, afterNextRelease: 0 });
  expect(out).toMatchObject({ events: 4, from: new Date(RELEASE_START).toISOString(), to: NEXT_RELEASE });
  // One DescribeTasks per page, for the tasks not seen before, in the app's cluster.
  expect(mocks.ecs.commandCalls(DescribeTasksCommand).map((c) => c.args[0].input)).toEqual([
    { cluster: CLUSTER, tasks: [id('3'), id('1'), id('6')] },
    { cluster: CLUSTER, tasks: [id('2'), id('4'), id('5')] },
  ]);
  // Streams looked up only for the tasks ECS no longer describes.
  expect(mocks.logs.commandCalls(DescribeLogStreamsCommand).map((c) => c.args[0].input)).toEqual([
    { logGroupName: LOG_GROUP, logStreamNamePrefix: streams.goneBefore, limit: 1 },
    { logGroupName: LOG_GROUP, logStreamNamePrefix: streams.goneAfter, limit: 1 },
  ]);
  expect(renderLogsEnd(out)).toBe("build 42: 3 tasks that ran its image (ECS); 1 task that ECS no longer describes (stopped over an hour ago), shown by when they started (after its release began, before the next build's); left out: 1 task of other builds, 1 task started before its release");
});

test('a task ECS no longer describes that started after the next build\'s release began is the next build\'s: left out', async () => {
  const NEXT_RELEASE_START = Date.parse('2026-11-29T10:20:00.000Z');
  mocks.dynamodb.on(QueryCommand).resolves({ Items: [{ releasedAt: { S: NEXT_RELEASE }, sk: { S: '0000000043' }, buildKey: { S: '43' } }] });
  mocks.sfn.on(DescribeExecutionCommand).callsFake(async (input: { executionArn: string }) => ({
    executionArn: input.executionArn,
    startDate: new Date(input.executionArn.endsWith(':example--43-release') ? NEXT_RELEASE_START : RELEASE_START),
    status: 'SUCCEEDED',
    stateMachineArn: 'y',
  }));
  const stream = (c: string) => `web/web/${id(c)}`;
  mocks.logs.on(FilterLogEventsCommand).resolves({
    events: [
      { eventId: 'a', logStreamName: stream('a'), timestamp: NEXT_RELEASE_START - 60_000, message: 'build 42, long gone' },
      { eventId: 'b', logStreamName: stream('b'), timestamp: NEXT_RELEASE_START + 120_000, message: 'build 43 migrating, long gone' },
    ],
  });
  mocks.ecs.on(DescribeTasksCommand).resolves({ tasks: [], failures: [{ arn: taskArn(id('a')), reason: 'MISSING' }, { arn: taskArn(id('b')), reason: 'MISSING' }] });
  mocks.logs.on(DescribeLogStreamsCommand).callsFake(async (input: { logStreamNamePrefix: string }) => ({
    logStreams: [{ logStreamName: input.logStreamNamePrefix, creationTime: input.logStreamNamePrefix === stream('a') ? at(10) : NEXT_RELEASE_START + 60_000 }],
  }));
  const events: LogEvent[] = [];

  const out = await streamLogs(clients, 'example', { build: '42', clock: fakeClock(), onEvent: (e) => events.push(e) });

  expect(events.map((e) => e.message)).toEqual(['build 42, long gone']);
  expect(out.buildTasks).toEqual({ traced: 0, otherBuilds: 0, byTime: 1, beforeRelease: 0, afterNextRelease: 1 });
  expect(mocks.sfn.commandCalls(DescribeExecutionCommand).map((c) => (c.args[0].input.executionArn ?? '').split(':').pop())).toEqual(['example--42-release', 'example--43-release']);
  expect(renderLogsEnd(out)).toBe("build 42: 0 tasks that ran its image (ECS); 1 task that ECS no longer describes (stopped over an hour ago), shown by when they started (after its release began, before the next build's); left out: 1 task started after the next build's release began");
});

test('without a recorded image, a task is build N\'s when it ran a task definition its deploy recorded', async () => {
  mocks.dynamodb.on(GetItemCommand, { Key: { pk: { S: 'BUILD' }, sk: { S: '0000000042' } } }).resolves({ Item: BUILD_42 });
  mocks.logs.on(FilterLogEventsCommand).resolves({
    events: [
      { eventId: 'a', logStreamName: `web/web/${id('a')}`, timestamp: at(1), message: 'on revision 7' },
      { eventId: 'b', logStreamName: `web/web/${id('b')}`, timestamp: at(2), message: 'on revision 6' },
    ],
  });
  mocks.ecs.on(DescribeTasksCommand).resolves({
    tasks: [ecsTask(id('a'), { taskDefinitionArn: tdArn('web', 7), containers: [{ name: 'web', image: 'x' }] }), ecsTask(id('b'), { taskDefinitionArn: tdArn('web', 6), containers: [{ name: 'web', image: 'x' }] })],
  });
  const events: LogEvent[] = [];

  const out = await streamLogs(clients, 'example', { build: '42', clock: fakeClock(), onEvent: (e) => events.push(e) });

  expect(events.map((e) => e.message)).toEqual(['on revision 7']);
  expect(out.buildTasks).toEqual({ traced: 1, otherBuilds: 1, byTime: 0, beforeRelease: 0, afterNextRelease: 0 });
});

test('no line of build N: the line says so, with how the tasks were placed', async () => {
  mocks.logs.on(FilterLogEventsCommand).resolves({ events: [{ eventId: 'a', logStreamName: `web/web/${id('a')}`, timestamp: at(1), message: 'old' }] });
  mocks.ecs.on(DescribeTasksCommand).resolves({ tasks: [ecsTask(id('a'), { containers: [{ name: 'web', image: IMAGE(41) }] })] });

  const out = await streamLogs(clients, 'example', { build: '42', process: 'web', clock: fakeClock(), onEvent: () => undefined });

  expect(renderLogsEnd(out)).toBe(`no log events from process type web of example in ${LOG_GROUP} build 42's time (${new Date(RELEASE_START).toISOString()} to ${NEXT_RELEASE}) (build 42: 0 tasks that ran its image (ECS); left out: 1 task of other builds)`);
});

test('without --build nothing is looked up: every line of the time is shown', async () => {
  world();

  const out = await streamLogs(clients, 'example', { since: '1h', clock: fakeClock(), onEvent: () => undefined });

  expect(out.events).toBe(7);
  expect(out.buildTasks).toBeUndefined();
  expect(mocks.ecs.calls()).toHaveLength(0);
  expect(mocks.logs.commandCalls(DescribeLogStreamsCommand)).toHaveLength(0);
});

test('what logs --build sends is its permission list plus LOGS_BUILD_CALLS (for lib/ops/permissions.ts)', async () => {
  world();
  const PREFIX: Record<keyof typeof mocks, string> = { sfn: 'states', dynamodb: 'dynamodb', sts: 'sts', ecs: 'ecs', logs: 'logs', ssm: 'ssm' };

  await streamLogs(clients, 'example', { build: '42', clock: fakeClock(), onEvent: () => undefined });

  const sent = [...new Set(Object.entries(mocks).flatMap(([client, m]) => m.calls().map((c) => `${PREFIX[client as keyof typeof mocks]}:${(c.args[0] as object).constructor.name.replace(/Command$/, '')}`)))];
  const listed = [...(CLI_PERMISSIONS.find((c) => c.command === 'logs')?.calls.map((c) => c.action) ?? []), ...LOGS_BUILD_CALLS.map((c) => c.action)];
  expect(sent).toEqual(expect.arrayContaining(['ecs:DescribeTasks', 'logs:DescribeLogStreams']));
  expect(sent.filter((a) => !listed.includes(a))).toEqual([]);
});
