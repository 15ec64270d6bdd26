/**
 * `slipway logs` and `slipway run` as the command line runs them (lib/cli/tasks-command.ts), in
 * process with mocked AWS clients and io: usage errors exit 2 before any AWS call (honouring --json),
 * log lines print escaped, and `run` exits with the container's exit code.
 */
import { FilterLogEventsCommand, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeTasksCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { Command } from 'commander';
import type { PipelinesCliIo } from '../../../lib/cli/pipelines';
import { registerTaskCommands } from '../../../lib/cli/tasks-command';
import { errorOutputSchema, logEventSchema, runOutputSchema } from '../../../lib/ops/schemas';
import { awsCallCount, clients, fakeClock, mockApp, mocks, NOW, taskArn } from '../ops/task-fixtures';

const TASK_ID = 'fedcba9876543210fedcba9876543210';

/** Runs `slipway <args>` with the task commands; returns what it printed and its exit code. */
async function cli(...args: string[]): Promise<{ code: number | undefined; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  let code: number | undefined;
  const io: PipelinesCliIo = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    exit: (c) => {
      code ??= c;
    },
    progress: () => undefined,
    clients: () => clients,
    clock: fakeClock(),
  };
  const program = new Command('slipway').exitOverride().option('--timeout <seconds>').configureOutput({ writeOut: () => undefined, writeErr: (s) => err.push(s.trimEnd()) });
  registerTaskCommands(program, io);
  try {
    await program.parseAsync(['node', 'slipway', ...args]);
  } catch {
    // Commander's own usage errors: exit code recorded by the override.
  }
  return { code, out, err };
}

beforeEach(() => mockApp());

describe('usage errors exit 2 before any AWS call, one line, and the error document with --json', () => {
  test.each([
    [['logs', 'example', '--since', '10x'], '--since must be a duration'],
    [['logs', 'example', '--build', 'abc'], '"abc" is not a build number'],
    [['logs', 'example', '--build', '4.5'], '"4.5" is not a build number'],
    [['logs', 'Example!'], '"Example!" is not an app name'],
    [['logs', 'example', 'Web'], 'process "Web" is not a process type name'],
    [['logs', 'example', '--build', '42', '--since', '1h'], 'give --build or --since, not both'],
    [['logs', 'example', '--follow', '--interval', '0'], '--interval must be a whole number of seconds from 1 to 60'],
    [['run', 'example'], 'give the command to run after --'],
    [['run', 'example', '--', ''], 'give the command to run after --'],
    [['run', 'example', '--process', 'web;rm', '--', 'ls'], '--process "web;rm" is not a process type name'],
    [['run', 'bad\u001b[2Japp', '--', 'ls'], 'is not an app name'],
    [['logs', 'example', '--prefix', '../x'], '--prefix "../x" is not a name prefix'],
  ])('%j', async (args, message) => {
    const result = await cli(args[0], '--json', ...args.slice(1));

    expect(result.code).toBe(2);
    expect(result.err).toHaveLength(1);
    expect(result.err[0]).toContain(message);
    expect(result.err[0]).not.toMatch(/\x1b/);
    expect(errorOutputSchema.parse(JSON.parse(result.out[0]))).toEqual({ error: 'UsageError', message: expect.stringContaining(message) });
    expect(awsCallCount()).toBe(0);
  });
});

describe('slipway logs', () => {
  const hostile = { eventId: '1', logStreamName: `web/web/${TASK_ID}`, timestamp: NOW.getTime() - 1000, message: 'pwned\x1b[2J\x1b[1;1H\rerror: fake\u202e' };

  test('prints each line escaped for the terminal, exit 0', async () => {
    mocks.logs.on(FilterLogEventsCommand).resolves({ events: [hostile] });

    const result = await cli('logs', 'example', 'web', '--since', '5m');

    expect(result.code).toBe(0);
    expect(result.out).toEqual([`${new Date(hostile.timestamp).toISOString()} web[fedcba98]: pwned\\e[2J\\e[1;1H\\rerror: fake\\u202e`]);
    expect(result.err).toEqual([]);
  });

  test('--json prints one schema-valid event per line, the message as the container wrote it', async () => {
    mocks.logs.on(FilterLogEventsCommand).resolves({ events: [hostile, { ...hostile, eventId: '2', message: 'second' }] });

    const result = await cli('logs', 'example', '--json');

    expect(result.code).toBe(0);
    const events = result.out.map((l) => logEventSchema.parse(JSON.parse(l)));
    expect(events.map((e) => e.message)).toEqual([hostile.message, 'second']);
    expect(result.out.join('\n')).not.toMatch(/[\x1b\u202e]/);
  });

  test('no events: says so on stderr', async () => {
    mocks.logs.on(FilterLogEventsCommand).resolves({ events: [] });

    const result = await cli('logs', 'example', 'worker');

    expect(result.code).toBe(0);
    expect(result.out).toEqual([]);
    expect(result.err).toEqual([expect.stringContaining('no log events from process type worker of example in /slipway/apps/example since')]);
  });
});

describe('slipway run', () => {
  const stopped = (exitCode: number) => ({ tasks: [{ taskArn: taskArn(TASK_ID), lastStatus: 'STOPPED', startedAt: NOW, containers: [{ name: 'web', exitCode }] }] });

  beforeEach(() => {
    mocks.ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: taskArn(TASK_ID), lastStatus: 'PROVISIONING' }] });
    mocks.logs.on(GetLogEventsCommand).resolvesOnce({ events: [{ timestamp: NOW.getTime(), message: 'hello\x1b]0;title\x07' }], nextForwardToken: 'f/1' }).resolves({ events: [], nextForwardToken: 'f/1' });
  });

  test.each([0, 1, 3, 137])('exits with the container\'s exit code %i, its log lines escaped on stdout, the ending on stderr', async (exitCode) => {
    mocks.ecs.on(DescribeTasksCommand).resolves(stopped(exitCode));

    const result = await cli('run', 'example', '--', 'sh', '-c', `exit ${exitCode}`);

    expect(result.code).toBe(exitCode);
    expect(result.out).toEqual([`${NOW.toISOString()} web[fedcba98]: hello\\e]0;title\\x07`]);
    expect(result.err).toEqual([
      `running "sh -c exit ${exitCode}" on example web (build 42): task ${TASK_ID}; to stop it: Ctrl-C, or aws ecs stop-task --cluster arn:aws:ecs:eu-west-1:123456789012:cluster/slipway-production --task ${taskArn(TASK_ID)}`,
      `web task ${TASK_ID} (build 42) exited with code ${exitCode}`,
    ]);
    expect(mocks.ecs.commandCalls(RunTaskCommand)[0].args[0].input.overrides).toEqual({ containerOverrides: [{ name: 'web', command: ['sh', '-c', `exit ${exitCode}`] }] });
  });

  test('--json: one schema-valid document with the lines and the exit code, and the same exit code', async () => {
    mocks.ecs.on(DescribeTasksCommand).resolves(stopped(2));

    const result = await cli('run', 'example', '--json', '--', 'false');

    expect(result.code).toBe(2);
    expect(result.out).toHaveLength(1);
    expect(runOutputSchema.parse(JSON.parse(result.out[0]))).toMatchObject({ outcome: 'exited', exitCode: 2, command: ['false'], logs: [{ message: 'hello\x1b]0;title\x07' }] });
    expect(result.out[0]).not.toMatch(/\x1b/);
  });

  test('a task that fails to start: one line with the stop reason, exit 1', async () => {
    mocks.ecs.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn: taskArn(TASK_ID), lastStatus: 'STOPPED', stopCode: 'TaskFailedToStart', stoppedReason: 'ResourceInitializationError: unable to pull secrets\nretry', containers: [{ name: 'web' }] }] });

    const result = await cli('run', 'example', '--', 'ls');

    expect(result.code).toBe(1);
    expect(result.err.slice(1)).toEqual([`web task ${TASK_ID} (build 42) failed to start (TaskFailedToStart): ResourceInitializationError: unable to pull secrets\\nretry`]);
  });
});
