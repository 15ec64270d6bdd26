import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetExecutionHistoryCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import { sfn } from '../../../functions/shared/clients';
import { executionNameProblem, LocalRun, LocalRunError, MAX_PAYLOAD_BYTES } from '../../../lib/local/runner';
import type { ExecutionStatusEvent } from '../../../lib/local/event-patterns';
import { buildEvent, exampleWorld, ROOT } from '../../statemachines/scenarios';

describe('world errors: any simulated call fails with the AWS error the world names', () => {
  test('an unknown API operation or a malformed error code is refused, naming the key', () => {
    expect(() => new LocalRun({ errors: { RegisterTaskDefinitionz: { name: 'AccessDeniedException' } } } as never, ROOT)).toThrow(/errors\.RegisterTaskDefinitionz|RegisterTaskDefinitionz/);
    expect(() => new LocalRun({ errors: { PutItem: { name: 'Access Denied!' } } }, ROOT)).toThrow(LocalRunError);
  });

  test('an AccessDeniedException on RegisterTaskDefinition reaches the handler and fails the Task with it', async () => {
    const run = new LocalRun(exampleWorld({ errors: { RegisterTaskDefinition: { name: 'AccessDeniedException', message: 'User is not authorized to perform: ecs:RegisterTaskDefinition' } } }), ROOT);
    const build = await run.run('build', buildEvent());
    expect(build.status).toBe('FAILED');
    const failures = build.history.filter((e) => e.type === 'TaskFailed');
    expect(failures.map((e) => e.taskFailedEventDetails?.cause ?? '').join(' ')).toContain('not authorized to perform: ecs:RegisterTaskDefinition');
    expect(run.world.calls.RegisterTaskDefinition).toBeGreaterThanOrEqual(1);
    expect(run.world.tasks).toHaveLength(0);
  });

  test('`times` limits how many calls fail; the next call succeeds', async () => {
    const run = new LocalRun(exampleWorld({ errors: { PutItem: { name: 'InternalServerError', times: 1 } } }), ROOT);
    run.world.count('GetItem');
    expect(() => run.world.count('PutItem')).toThrow('Simulated error injected by the world file');
    expect(() => run.world.count('PutItem')).not.toThrow();
  });
});

describe('execution names and inputs as Step Functions takes them', () => {
  test('names: 1-80 characters, none of the characters AWS forbids', () => {
    expect(executionNameProblem('example--42-release')).toBeUndefined();
    expect(executionNameProblem('réléase-42')).toBeUndefined();
    expect(executionNameProblem('x'.repeat(80))).toBeUndefined();
    expect(executionNameProblem('x'.repeat(81))).toMatch(/81 characters/);
    expect(executionNameProblem('')).toMatch(/0 characters/);
    for (const c of [' ', '/', ':', '#', '*', '[', '\u0007', '\u009f', '`', '$']) expect(executionNameProblem(`a${c}b`)).toMatch(/contains/);
  });

  test('an execution an EventBridge rule starts is named after the event id, within 80 characters', async () => {
    const event = buildEvent();
    const run = new LocalRun(exampleWorld(), ROOT);
    const build = await run.run('build', event);
    expect(build.name.startsWith(`${String(event.id)}_`)).toBe(true);
    expect(executionNameProblem(build.name)).toBeUndefined();
    expect(build.name).toHaveLength(73);
  });

  test('a start with an input over 256 KiB or a name AWS refuses is refused before anything runs', async () => {
    expect(MAX_PAYLOAD_BYTES).toBe(256 * 1024);
    const run = new LocalRun(exampleWorld(), ROOT);
    await expect(run.run('build', { ...buildEvent(), padding: 'x'.repeat(MAX_PAYLOAD_BYTES) })).rejects.toThrow(/ValidationException.*256 KiB/);
    await expect(run.run('build', buildEvent(), 'a name with spaces')).rejects.toThrow(/InvalidName/);
    expect(run.executions).toHaveLength(0);
  });
});

describe('Step Functions status-change events and GetExecutionHistory', () => {
  test('each execution emits RUNNING then its end; a rule target reads the history page by page', async () => {
    const run = new LocalRun(exampleWorld(), ROOT);
    const delivered: ExecutionStatusEvent[] = [];
    const pages: HistoryEvent[][] = [];
    run.addStatusRule({ source: ['aws.states'], detail: { status: ['SUCCEEDED'] } }, async (event) => {
      delivered.push(event);
      let nextToken: string | undefined;
      const all: HistoryEvent[] = [];
      do {
        const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn: event.detail.executionArn, maxResults: 10, nextToken }));
        all.push(...(page.events ?? []));
        nextToken = page.nextToken;
      } while (nextToken);
      pages.push(all);
    });
    await run.run('build', buildEvent());
    expect(run.executions.map((e) => e.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    for (const exec of run.executions) {
      expect(run.statusEvents.filter((e) => e.detail.executionArn === exec.arn).map((e) => e.detail.status)).toEqual(['RUNNING', 'SUCCEEDED']);
    }
    expect(delivered.map((e) => e.detail.name)).toEqual(run.executions.map((e) => e.name));
    expect(pages.map((p) => p.length)).toEqual(run.executions.map((e) => e.history.length));
    expect(pages[0].map((e) => e.id)).toEqual(run.executions[0].history.map((_, i) => i + 1));
  });

  test('a failed execution emits FAILED with its error and REDRIVABLE; its redrive emits RUNNING with redriveCount 1', async () => {
    const run = new LocalRun(exampleWorld({ release: { exitCode: 1 } }), ROOT);
    await run.run('build', buildEvent());
    const release = run.executions.find((e) => e.name === 'example--42-release');
    expect(release?.status).toBe('FAILED');
    const failed = run.statusEvents.find((e) => e.detail.name === 'example--42-release' && e.detail.status === 'FAILED');
    expect(failed?.detail).toMatchObject({ redriveStatus: 'REDRIVABLE', redriveCount: 0, error: release?.error });
    await run.redrive(release!);
    const after = run.statusEvents.filter((e) => e.detail.name === 'example--42-release').map((e) => `${e.detail.status}/${e.detail.redriveCount}`);
    expect(after.slice(0, 3)).toEqual(['RUNNING/0', 'FAILED/0', 'RUNNING/1']);
    expect(release?.history.filter((e) => e.type === 'ExecutionRedriven').map((e) => e.executionRedrivenEventDetails?.redriveCount)).toEqual([1]);
  });

  test('a succeeded execution cannot be redriven (ExecutionNotRedrivable)', async () => {
    const run = new LocalRun(exampleWorld(), ROOT);
    const build = await run.run('build', buildEvent());
    await expect(run.redrive(build)).rejects.toMatchObject({ name: 'ExecutionNotRedrivable', message: 'Execution is SUCCEEDED and cannot be redriven' });
  });

  test('the redrivable period is 14 days from when the execution closed, not from its start (RedriveExecution API reference)', async () => {
    const DAY = 86_400;
    // The sweep and the deadline check once a day: weeks of simulated time, not thousands of them.
    const run = new LocalRun(exampleWorld({ release: { exitCode: 1 }, sweepEverySeconds: DAY, deadlineCheckEverySeconds: DAY }), ROOT);
    await run.run('build', buildEvent());
    const release = run.executions.find((e) => e.stateMachine === 'release')!;
    const wait = async (seconds: number) => {
      run.at(run.world.now + seconds, 'the operator comes back', () => undefined);
      await run.runScheduled();
    };
    // Day 13: redriven, the release fails again (the world still says exit 1): it closes again on day 13.
    await wait(13 * DAY);
    await run.redrive(release);
    expect(release.status).toBe('FAILED');
    // Day 20: 20 days after the start, 7 after the close: still redrivable, and DescribeExecution says so.
    await wait(7 * DAY);
    expect(run.report().executions.find((e) => e.name === release.name)?.status).toBe('FAILED');
    await run.redrive(release);
    expect(release.redriveCount).toBe(2);
    // 14 days and a second after that close: refused with the reason DescribeExecution gives.
    await wait(14 * DAY + 1);
    await expect(run.redrive(release)).rejects.toMatchObject({ name: 'ExecutionNotRedrivable', message: 'Execution redrivable period exceeded.' });
  });
});

describe('payload quotas', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-asl-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A one-state machine run in place of `schedules`, its Task answered by `answer`. */
  async function runOne(state: Record<string, unknown>, answer?: () => Promise<unknown>) {
    const file = join(dir, `${Math.random().toString(36).slice(2)}.asl.json`);
    writeFileSync(file, JSON.stringify({ StartAt: 'Only', States: { Only: { ...state, End: true } } }));
    const run = new LocalRun(exampleWorld(), ROOT, { aslFiles: { schedules: file }, taskHandlers: answer ? { [String(state.Resource)]: answer } : {} });
    return { run, exec: await run.run('schedules', {}) };
  }

  test('a Task result over 256 KiB fails the state with States.DataLimitExceeded', async () => {
    const { exec } = await runOne({ Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:s3:getObject', Parameters: { Bucket: 'b', Key: 'k' } }, async () => ({ Body: 'x'.repeat(MAX_PAYLOAD_BYTES) }));
    expect(exec.status).toBe('FAILED');
    expect(exec.error).toBe('States.DataLimitExceeded');
  });

  test('a Task whose input after Parameters passes 256 KiB fails with States.DataLimitExceeded before any call', async () => {
    const file = join(dir, 'input-too-big.asl.json');
    const half = 'x'.repeat(MAX_PAYLOAD_BYTES / 2 + 10);
    writeFileSync(file, JSON.stringify({ StartAt: 'Half', States: { Half: { Type: 'Pass', Result: half, ResultPath: '$.half', Next: 'Send' }, Send: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:s3:putObject', Parameters: { 'a.$': '$.half', 'b.$': '$.half' }, End: true } } }));
    let called = 0;
    const run = new LocalRun(exampleWorld(), ROOT, { aslFiles: { schedules: file }, taskHandlers: { 'arn:aws:states:::aws-sdk:s3:putObject': async () => (called += 1) } });
    const exec = await run.run('schedules', {});
    expect(exec.error).toBe('States.DataLimitExceeded');
    expect(called).toBe(0);
  });

  test('a result just under the quota passes', async () => {
    const { exec } = await runOne({ Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:s3:getObject', Parameters: { Bucket: 'b', Key: 'k' } }, async () => ({ Body: 'x'.repeat(MAX_PAYLOAD_BYTES - 20) }));
    expect(exec.status).toBe('SUCCEEDED');
  });

  test('StartExecution refuses a name AWS refuses; a child input over 256 KiB fails the starting Task first', async () => {
    const arn = 'arn:aws:states:us-east-1:123456789012:stateMachine:slipway-production-deploy';
    const badName = await runOne({ Type: 'Task', Resource: 'arn:aws:states:::states:startExecution', Parameters: { StateMachineArn: arn, Name: 'example 42', Input: {} } });
    expect(badName.exec.error).toBe('StepFunctions.InvalidNameException');
    const big = await runOne({ Type: 'Task', Resource: 'arn:aws:states:::states:startExecution', Parameters: { StateMachineArn: arn, Name: 'example--42-deploy', Input: { blob: 'x'.repeat(MAX_PAYLOAD_BYTES) } } });
    expect(big.exec.error).toBe('States.DataLimitExceeded');
    expect(big.run.executions.map((e) => e.stateMachine)).toEqual(['schedules']);
  });
});
