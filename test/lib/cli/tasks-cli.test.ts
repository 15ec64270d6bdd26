/**
 * `slipway logs` and `slipway run` as the command line runs them (lib/cli/tasks-command.ts), in
 * process with mocked AWS clients and io: usage errors exit 2 before any AWS call (honouring --json),
 * log lines print escaped, and `run` exits with the container's exit code.
 */
import { FilterLogEventsCommand, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeTasksCommand, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { Command } from 'commander';
import type { CommandIo } from '../../../lib/cli/command-io';
import { onInterrupt } from '../../../lib/cli/runtime';
import { registerTaskCommands } from '../../../lib/cli/tasks-command';
import { INTERRUPT_STOP_REASON } from '../../../lib/ops/run-task';
import { errorOutputSchema, logEventSchema, runOutputSchema } from '../../../lib/ops/schemas';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { awsCallCount, clients, fakeClock, mockApp, mocks, NOW, SETTINGS, taskArn } from '../ops/task-fixtures';

const TASK_ID = 'fedcba9876543210fedcba9876543210';

/** Runs `slipway <args>` with the task commands; returns what it printed and its exit code. */
async function cli(...args: string[]): Promise<{ code: number | undefined; out: string[]; err: string[] }> {
  return cliWith({}, ...args);
}

/** The io of one in-process run: what it printed, the first exit code. */
function testIo() {
  const out: string[] = [];
  const err: string[] = [];
  const result = { code: undefined as number | undefined, out, err };
  const io: CommandIo = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    exit: (c) => {
      result.code ??= c;
    },
    progress: () => undefined,
    clients: () => clients,
    clock: fakeClock(),
  };
  return { io, result };
}

/** `cli`, with `setup` given the io before the command runs (to send it Ctrl-C from a mock). */
async function cliWith(hooks: { setup?: (io: CommandIo) => void }, ...args: string[]): Promise<{ code: number | undefined; out: string[]; err: string[] }> {
  const { io, result } = testIo();
  hooks.setup?.(io);
  const program = new Command('slipway').exitOverride().option('--timeout <seconds>').configureOutput({ writeOut: () => undefined, writeErr: (s) => result.err.push(s.trimEnd()) });
  registerTaskCommands(program, io);
  try {
    await program.parseAsync(['node', 'slipway', ...args]);
  } catch {
    // Commander's own usage errors: exit code recorded by the override.
  }
  return result;
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

describe('slipway run and Ctrl-C', () => {
  const CLUSTER_ARN = 'arn:aws:ecs:eu-west-1:123456789012:cluster/slipway-production';
  // A hostile container reason: what AWS says is printed escaped.
  const HOSTILE = 'OutOfMemory\x1b[2J\nerror: fake';
  let sigint: (() => void) | undefined;
  /** Ctrl-C as bin/slipway.ts delivers it: onInterrupt, with the next SIGINT captured. */
  const ctrlC = (io: CommandIo, json: boolean) => () => {
    const next = sigint;
    sigint = undefined;
    if (next) next();
    else onInterrupt(io, json, (listener) => (sigint = listener));
  };

  beforeEach(() => {
    sigint = undefined;
    mocks.ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: taskArn(TASK_ID), lastStatus: 'PROVISIONING' }] });
    mocks.logs.on(GetLogEventsCommand).resolves({ events: [], nextForwardToken: 'f/1' });
  });

  /** ECS: the task runs until StopTask; `press` is called during the first DescribeTasks. */
  function runningUntilStopped(press: () => void) {
    let stopped = false;
    let looks = 0;
    mocks.ecs.on(StopTaskCommand).callsFake(async () => {
      stopped = true;
      return {};
    });
    mocks.ecs.on(DescribeTasksCommand).callsFake(async () => {
      if (++looks === 1) press();
      return stopped
        ? { tasks: [{ taskArn: taskArn(TASK_ID), lastStatus: 'STOPPED', startedAt: NOW, stopCode: 'UserInitiated', stoppedReason: INTERRUPT_STOP_REASON, containers: [{ name: 'web', exitCode: 137, reason: HOSTILE }] }] }
        : { tasks: [{ taskArn: taskArn(TASK_ID), lastStatus: 'RUNNING', startedAt: NOW }] };
    });
  }

  test('the first Ctrl-C stops the task once (ECS StopTask with its ARN), says so, shows how it ended, exits 130; nothing printed raw', async () => {
    let press = () => undefined as void;
    runningUntilStopped(() => press());

    const result = await cliWith({ setup: (io) => (press = ctrlC(io, false)) }, 'run', 'example', '--', 'sleep', '600');

    expect(result.code).toBe(130);
    expect(mocks.ecs.commandCalls(StopTaskCommand).map((c) => c.args[0].input)).toEqual([{ cluster: CLUSTER_ARN, task: taskArn(TASK_ID), reason: INTERRUPT_STOP_REASON }]);
    expect(result.err.slice(1)).toEqual([
      `Ctrl-C: stopping task ${TASK_ID} (ECS StopTask) and following it until it stops; Ctrl-C again to exit without waiting`,
      `web task ${TASK_ID} (build 42) exited with code 137: OutOfMemory\\e[2J\\nerror: fake`,
      `error: Interrupted: stopped by Ctrl-C: task ${TASK_ID} was stopped (ECS StopTask, reason "${INTERRUPT_STOP_REASON}")`,
    ]);
    expect([...result.out, ...result.err].join('\n')).not.toMatch(/[\x00-\x09\x0b-\x1f]/);
  });

  test('--json: the Interrupted error document on stdout and nothing else, exit 130', async () => {
    let press = () => undefined as void;
    runningUntilStopped(() => press());

    const result = await cliWith({ setup: (io) => (press = ctrlC(io, true)) }, 'run', 'example', '--json', '--', 'sleep', '600');

    expect(result.code).toBe(130);
    expect(result.out).toHaveLength(1);
    expect(errorOutputSchema.parse(JSON.parse(result.out[0]))).toEqual({ error: 'Interrupted', message: expect.stringContaining(`task ${TASK_ID} was stopped (ECS StopTask`) });
    expect(mocks.ecs.commandCalls(StopTaskCommand)).toHaveLength(1);
  });

  test('a second Ctrl-C exits 130 at once, before StopTask has answered, saying the task may still run and how to stop it', async () => {
    const { io: base, result } = testIo();
    let answered = false;
    let exitBeforeAnswer: number | undefined;
    const io: CommandIo = { ...base, exit: (c) => (answered ? undefined : (exitBeforeAnswer ??= c), base.exit(c)) };
    let looks = 0;
    mocks.ecs.on(DescribeTasksCommand).callsFake(async () => {
      if (++looks === 1) ctrlC(io, false)();
      return { tasks: [{ taskArn: taskArn(TASK_ID), lastStatus: looks === 1 ? 'RUNNING' : 'STOPPED', startedAt: NOW, containers: [{ name: 'web', exitCode: 143 }] }] };
    });
    mocks.ecs.on(StopTaskCommand).callsFake(
      () =>
        new Promise((resolve) => {
          // The operator presses Ctrl-C again while StopTask has not answered.
          ctrlC(io, false)();
          answered = true;
          resolve({});
        }),
    );
    const program = new Command('slipway').exitOverride();
    registerTaskCommands(program, io);

    await program.parseAsync(['node', 'slipway', 'run', 'example', '--', 'sleep', '600']);

    expect(exitBeforeAnswer).toBe(130);
    expect(result.code).toBe(130);
    expect(result.err[2]).toBe(`error: Interrupted: stopped by a second Ctrl-C before ECS StopTask answered: task ${TASK_ID} may still run; to stop it: aws ecs stop-task --cluster ${CLUSTER_ARN} --task ${taskArn(TASK_ID)}`);
  });

  /** An io whose exit ends the command as process.exit does: it throws out of whatever runs, and nothing prints after. */
  function exitingIo() {
    const { io: base, result } = testIo();
    let exited = false;
    const io: CommandIo = {
      ...base,
      stdout: (t, kind) => (exited ? undefined : base.stdout(t, kind)),
      stderr: (t) => (exited ? undefined : base.stderr(t)),
      exit: (c) => {
        if (!exited) base.exit(c);
        exited = true;
        throw new Error('process exited');
      },
    };
    return { io, result };
  }

  test('Ctrl-C before the task is started is the plain exit: 130 at once, no task started', async () => {
    const { io, result } = exitingIo();
    // Ctrl-C while the CLI reads the app's settings parameter, before anything is started.
    mocks.ssm.on(GetParameterCommand).callsFake(async (input: { Name: string }) => {
      ctrlC(io, false)();
      return { Parameter: { Name: input.Name, Type: 'String', Value: JSON.stringify(SETTINGS), Version: 1, ARN: `arn:aws:ssm:eu-west-1:123456789012:parameter${input.Name}` } };
    });
    const program = new Command('slipway').exitOverride();
    registerTaskCommands(program, io);

    await program.parseAsync(['node', 'slipway', 'run', 'example', '--', 'ls']).catch(() => undefined);

    expect(result.code).toBe(130);
    expect(result.err).toEqual(['error: Interrupted: stopped by Ctrl-C (anything already started in AWS goes on)']);
    expect(mocks.ecs.commandCalls(RunTaskCommand)).toHaveLength(0);
  });

  test('--detach: Ctrl-C is the plain exit, even while RunTask is in flight: nothing is stopped', async () => {
    const { io, result } = exitingIo();
    mocks.ecs.on(RunTaskCommand).callsFake(async () => {
      ctrlC(io, false)();
      return { tasks: [{ taskArn: taskArn(TASK_ID), lastStatus: 'PROVISIONING' }] };
    });
    const program = new Command('slipway').exitOverride();
    registerTaskCommands(program, io);

    await program.parseAsync(['node', 'slipway', 'run', 'example', '--detach', '--', 'ls']).catch(() => undefined);

    expect(result.code).toBe(130);
    expect(result.err).toEqual(['error: Interrupted: stopped by Ctrl-C (anything already started in AWS goes on)']);
    expect(mocks.ecs.commandCalls(StopTaskCommand)).toHaveLength(0);
  });

  test('--detach: starts the task, says it is left running and how to follow and stop it, exit 0', async () => {
    const result = await cli('run', 'example', '--detach', '--', 'bin/rake', 'reindex');

    expect(result.code).toBe(0);
    expect(result.err).toEqual([
      `running "bin/rake reindex" on example web (build 42): task ${TASK_ID}; to stop it: aws ecs stop-task --cluster ${CLUSTER_ARN} --task ${taskArn(TASK_ID)}`,
      `web task ${TASK_ID} (build 42) started and left running (--detach); its lines: slipway logs example web --follow, or ${'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/$252Fslipway$252Fapps$252Fexample/log-events/web$252Fweb$252F' + TASK_ID}`,
    ]);
    expect(mocks.ecs.commandCalls(DescribeTasksCommand)).toHaveLength(0);
    expect(mocks.ecs.commandCalls(StopTaskCommand)).toHaveLength(0);
  });
});
