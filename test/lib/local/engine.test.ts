import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AslStates } from '../../../lib/asl';
import { checkFolder } from '../../../lib/local/conformance';
import { MAX_HISTORY_EVENTS, MAX_PAYLOAD_BYTES, RedriveNotSimulated, runAttempt } from '../../../lib/local/engine';
import { deterministicUuid, matchesEventPattern, UnsupportedEventPattern } from '../../../lib/local/event-patterns';
import { AWS_EVENTS, AWS_HISTORIES } from '../../helpers/fixtures';
import { stateIndex, unfinishedStates } from '../../../lib/local/history';

const HISTORIES = AWS_HISTORIES;
const EVENTS = AWS_EVENTS;

type Tasks = Record<string, (input: unknown) => Promise<unknown>>;

/** Runs one attempt of `def` (a first run, or a redrive when `redriveCount` is given) into `history`. */
async function attempt(def: object, history: HistoryEvent[], tasks: Tasks, input: unknown = {}, redriveCount?: number) {
  let t = 0;
  return runAttempt({
    def: def as StateMachineDefinition,
    info: stateIndex((def as { States: AslStates }).States),
    history,
    input: input as never,
    clock: () => new Date(Date.UTC(2026, 0, 1) + (t += 1000)),
    region: 'us-east-1',
    roleArn: 'arn:aws:iam::123456789012:role/test',
    context: { Execution: { Id: 'arn:aws:states:us-east-1:123456789012:execution:sm:e', Name: 'e', RedriveCount: redriveCount ?? 0 } },
    tasks: tasks as never,
    redriveCount,
  });
}

const entered = (h: HistoryEvent[]) => h.filter((e) => e.type?.endsWith('StateEntered')).map((e) => e.stateEnteredEventDetails?.name);

class Boom extends Error {
  constructor(name: string) {
    super(`${name} happened`);
    this.name = name;
  }
}

describe('recorded AWS histories (test/fixtures/aws-histories)', () => {
  test('every fixture replays to the recorded history, event by event', async () => {
    const results = await checkFolder(HISTORIES);
    expect(results.length).toBeGreaterThanOrEqual(30);
    expect(results.filter((r) => r.difference)).toEqual([]);
  });
});

describe('redrive follows AWS: the states entered and never exited run again', () => {
  const chain = {
    StartAt: 'First',
    States: {
      First: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { 'n.$': '$.n' }, ResultPath: '$.first', Next: 'Second' },
      Second: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { 'n.$': '$.n' }, ResultPath: '$.second', End: true },
    },
  };

  test('an uncaught Task failure is redriven at that Task, with the input it was entered with', async () => {
    const calls = { First: 0, Second: 0 };
    let broken = true;
    const tasks: Tasks = {
      First: async () => (calls.First += 1),
      Second: async (input) => {
        calls.Second += 1;
        if (broken) throw new Boom('AccessDeniedException');
        return input;
      },
    };
    const history: HistoryEvent[] = [];
    const first = await attempt(chain, history, tasks, { n: 7 });
    expect(first.error).toBe('AccessDeniedException');
    expect(unfinishedStates(history, stateIndex(chain.States as AslStates)).map((u) => u.name)).toEqual(['Second']);

    broken = false;
    const second = await attempt(chain, history, tasks, { n: 7 }, 1);
    expect(second.outcome).toEqual({ ok: true, output: { n: 7, first: 1, second: { n: 7 } } });
    expect(calls).toEqual({ First: 1, Second: 2 });
    const redriven = history.findIndex((e) => e.type === 'ExecutionRedriven');
    expect(history[redriven].executionRedrivenEventDetails?.redriveCount).toBe(1);
    expect(entered(history.slice(redriven))).toEqual(['Second']);
    expect(history.at(-1)?.type).toBe('ExecutionSucceeded');
    expect(history.filter((e) => e.type === 'ExecutionStarted')).toHaveLength(1);
  });

  test('a failure caught and routed to a Fail state is redriven at the Fail state, which fails again at once', async () => {
    const def = {
      StartAt: 'Work',
      States: {
        Work: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Record the failure' }], End: true },
        'Record the failure': { Type: 'Pass', Next: 'Failed' },
        Failed: { Type: 'Fail', Error: 'WorkFailed', Cause: 'see the logs' },
      },
    };
    let calls = 0;
    const tasks: Tasks = {
      Work: async () => {
        calls += 1;
        throw new Boom('Broken');
      },
    };
    const history: HistoryEvent[] = [];
    await attempt(def, history, tasks);
    const again = await attempt(def, history, tasks, {}, 1);
    expect(calls).toBe(1);
    expect(again.error).toBe('WorkFailed');
    const redriven = history.findIndex((e) => e.type === 'ExecutionRedriven');
    expect(history.slice(redriven).map((e) => e.type)).toEqual(['ExecutionRedriven', 'FailStateEntered', 'ExecutionFailed']);
  });

  test('an inline Map re-runs only its unsuccessful iterations, keeps the others\' outputs, and goes on after the Map', async () => {
    const def = {
      StartAt: 'Each item',
      States: {
        'Each item': {
          Type: 'Map',
          ItemsPath: '$.items',
          ItemSelector: { 'item.$': '$$.Map.Item.Value', 'index.$': '$$.Map.Item.Index' },
          ItemProcessor: {
            ProcessorConfig: { Mode: 'INLINE' },
            StartAt: 'Prepare',
            States: {
              Prepare: { Type: 'Pass', Next: 'Handle item' },
              'Handle item': { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true },
            },
          },
          ResultPath: '$.results',
          Next: 'After',
        },
        After: { Type: 'Pass', End: true },
      },
    };
    const calls: Record<string, number> = {};
    const failing = new Set(['b']);
    const tasks: Tasks = {
      'Handle item': async (input) => {
        const { item } = input as { item: string };
        calls[item] = (calls[item] ?? 0) + 1;
        if (failing.has(item)) throw new Boom('ItemFailed');
        return `${item}!`;
      },
    };
    const history: HistoryEvent[] = [];
    const first = await attempt(def, history, tasks, { items: ['a', 'b', 'c'] });
    expect(first.error).toBe('ItemFailed');
    expect(history.some((e) => e.type === 'MapStateExited')).toBe(false);

    failing.clear();
    const second = await attempt(def, history, tasks, { items: ['a', 'b', 'c'] }, 1);
    expect(second.outcome).toEqual({ ok: true, output: { items: ['a', 'b', 'c'], results: ['a!', 'b!', 'c!'] } });
    expect(calls.b).toBe(2);
    expect((calls.a ?? 0) + (calls.c ?? 0)).toBeLessThanOrEqual(2);
    const after = history.slice(history.findIndex((e) => e.type === 'ExecutionRedriven'));
    const rerun = after.filter((e) => e.type === 'MapIterationStarted').map((e) => e.mapIterationStartedEventDetails?.index);
    expect(rerun).toContain(1);
    // The iteration restarts at its unfinished state, not at the iteration's first state.
    expect(entered(after)).toEqual(expect.arrayContaining(['Handle item', 'After']));
    expect(entered(after.filter((e) => e.type !== 'PassStateEntered' || e.stateEnteredEventDetails?.name !== 'After'))).not.toContain('Prepare');
    expect(after.map((e) => e.type).slice(-4)).toEqual(['MapStateExited', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded']);
  });

  test('a redrive of a history with nothing unfinished is refused', async () => {
    const history: HistoryEvent[] = [];
    expect((await attempt(chain, history, { First: async () => 1, Second: async () => 2 }, { n: 1 })).outcome.ok).toBe(true);
    await expect(attempt(chain, history, {}, {}, 1)).rejects.toThrow(RedriveNotSimulated);
  });
});

describe('the simulated event bus matches patterns as EventBridge does', () => {
  const failed = JSON.parse(readFileSync(join(EVENTS, 'stepfunctions-execution-status-change-FAILED-2.json'), 'utf8')) as unknown;
  const running = JSON.parse(readFileSync(join(EVENTS, 'stepfunctions-execution-status-change-RUNNING-3.json'), 'utf8')) as unknown;

  test('exact values, nested detail fields and numeric values', () => {
    const pattern = { source: ['aws.states'], 'detail-type': ['Step Functions Execution Status Change'], detail: { status: ['FAILED', 'TIMED_OUT'] } };
    expect(matchesEventPattern(pattern, failed)).toBe(true);
    expect(matchesEventPattern(pattern, running)).toBe(false);
    expect(matchesEventPattern({ detail: { redriveCount: [0] } }, failed)).toBe(true);
  });

  test('prefix, anything-but and exists filters', () => {
    expect(matchesEventPattern({ resources: [{ prefix: 'arn:aws:states:us-east-2:123456789012:execution:state-machine-name:' }] }, failed)).toBe(true);
    expect(matchesEventPattern({ detail: { status: [{ 'anything-but': ['RUNNING'] }] } }, running)).toBe(false);
    expect(matchesEventPattern({ detail: { error: [{ exists: true }] } }, failed)).toBe(true);
    expect(matchesEventPattern({ detail: { nothing: [{ exists: true }] } }, failed)).toBe(false);
  });

  test('numeric filters and $or', () => {
    expect(matchesEventPattern({ detail: { redriveCount: [{ numeric: ['>', 0] }] } }, failed)).toBe(false);
    expect(matchesEventPattern({ detail: { redriveCount: [{ numeric: ['>=', 0, '<', 1] }] } }, failed)).toBe(true);
    const either = { detail: { $or: [{ status: ['FAILED'] }, { status: ['RUNNING'], redriveCount: [{ numeric: ['>', 0] }] }] } };
    expect(matchesEventPattern(either, failed)).toBe(true);
    expect(matchesEventPattern(either, running)).toBe((running as { detail: { redriveCount: number } }).detail.redriveCount > 0);
  });

  test('a filter the simulation does not evaluate is refused, not guessed', () => {
    expect(() => matchesEventPattern({ detail: { name: [{ cidr: '10.0.0.0/24' }] } }, failed)).toThrow(UnsupportedEventPattern);
    expect(() => matchesEventPattern({ detail: { redriveCount: [{ numeric: ['~', 0] }] } }, failed)).toThrow(UnsupportedEventPattern);
  });

  test('simulated ids are UUID-shaped and repeat for the same seed', () => {
    expect(deterministicUuid('x')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(deterministicUuid('x')).toBe(deterministicUuid('x'));
    expect(deterministicUuid('x')).not.toBe(deterministicUuid('y'));
  });
});

describe('intrinsic functions as AWS computes them', () => {
  test('States.Hash of inputs past one hash block (56+ bytes, e.g. an execution ARN) matches MD5 and SHA-256', async () => {
    const { createHash } = await import('node:crypto');
    const arn = 'arn:aws:states:us-east-1:123456789012:execution:slipway-production-release:example--42-release';
    const def = { StartAt: 'H', States: { H: { Type: 'Pass', Parameters: { 'md5.$': "States.Hash($.v, 'MD5')", 'sha.$': "States.Hash($.v, 'SHA-256')" }, End: true } } };
    for (const v of ['abc', 'x'.repeat(56), arn]) {
      const history: HistoryEvent[] = [];
      const result = await attempt(def, history, {}, { v });
      expect(result.outcome).toEqual({ ok: true, output: { md5: createHash('md5').update(v).digest('hex'), sha: createHash('sha256').update(v).digest('hex') } });
    }
  });
});

describe('quotas the engine enforces as Step Functions does', () => {
  test('a state output over 256 KiB fails the execution with States.DataLimitExceeded', async () => {
    const big = { StartAt: 'Big', States: { Big: { Type: 'Pass', Result: { blob: 'x'.repeat(MAX_PAYLOAD_BYTES) }, End: true } } };
    const result = await attempt(big, [], {});
    expect(result.error).toBe('States.DataLimitExceeded');
    expect(result.cause).toContain("'Big'");
  });

  test('an execution whose history passes 25,000 events fails at the quota', async () => {
    const loop = {
      StartAt: 'Count',
      States: {
        Count: { Type: 'Pass', Parameters: { 'n.$': 'States.MathAdd($.n, 1)' }, Next: 'Again?' },
        'Again?': { Type: 'Choice', Choices: [{ Variable: '$.n', NumericLessThan: 100000, Next: 'Count' }], Default: 'Done' },
        Done: { Type: 'Succeed' },
      },
    };
    const history: HistoryEvent[] = [];
    const result = await attempt(loop, history, {}, { n: 0 });
    expect(result.error).toBe('States.Runtime');
    expect(result.cause).toContain(`${MAX_HISTORY_EVENTS} events`);
    expect(history.length).toBeGreaterThan(MAX_HISTORY_EVENTS);
    expect(history.length).toBeLessThan(MAX_HISTORY_EVENTS + 10);
  });
});

describe('definitions are validated as CreateStateMachine would', () => {
  const valid = { StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } };
  // A Task with neither Next nor End: CreateStateMachine refuses it (InvalidDefinition).
  const invalid = { StartAt: 'Work', States: { Work: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'f' } } } };

  test('an invalid definition is refused every time, also after a valid one of the same process ran', async () => {
    expect((await attempt(structuredClone(valid), [], {})).outcome.ok).toBe(true);
    for (let i = 0; i < 2; i++) await expect(attempt(structuredClone(invalid), [], {})).rejects.toThrow(/validation|Next|End/i);
  });

  test('a definition accepted once runs again from a new copy (each local run loads its own)', async () => {
    for (let i = 0; i < 2; i++) expect((await attempt(structuredClone(valid), [], {})).outcome.ok).toBe(true);
  });
});
