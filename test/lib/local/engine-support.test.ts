import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AslStates } from '../../../lib/asl';
import { refuseUnredrivable, refuseUnsupported, UnsupportedConstruct } from '../../../lib/local/asl-support';
import { LocalDefinitions } from '../../../lib/local/definitions';
import { runAttempt } from '../../../lib/local/engine';
import { stateIndex } from '../../../lib/local/history';
import { LocalRunError } from '../../../lib/local/run-error';
import { LocalRun } from '../../../lib/local/runner';

/**
 * The engine is honest about what it runs: a construct it would run otherwise than AWS is refused by name
 * before the execution starts (lib/local/asl-support.ts); what it claims runs as the recorded AWS
 * histories show (the conformance fixtures 10-12 replay them; these tests pin the engine patch's effects).
 */

const ROOT = join(__dirname, '..', '..', '..');
type Tasks = Record<string, (input: unknown) => Promise<unknown>>;

async function attempt(def: object, tasks: Tasks = {}, input: unknown = {}) {
  const history: HistoryEvent[] = [];
  let t = 0;
  const result = await runAttempt({
    def: def as StateMachineDefinition,
    info: stateIndex((def as { States: AslStates }).States),
    history,
    input: input as never,
    clock: () => new Date(Date.UTC(2026, 0, 1) + (t += 1000)),
    region: 'us-east-1',
    roleArn: 'arn:aws:iam::123456789012:role/test',
    context: { Execution: { Id: 'arn:aws:states:us-east-1:123456789012:execution:sm:e', Name: 'e', RedriveCount: 0 } },
    tasks: tasks as never,
  });
  return { result, history };
}

const inlineMap = (extra: Record<string, unknown>, processor: Record<string, unknown> = {}) => ({
  StartAt: 'Each item',
  States: {
    'Each item': {
      Type: 'Map',
      ItemsPath: '$.items',
      ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'Handle', States: { Handle: { Type: 'Pass', End: true } }, ...processor },
      End: true,
      ...extra,
    },
  },
});

describe('constructs the engine does not run as AWS does are refused by name before the run', () => {
  const refused: [string, object, string, string | undefined][] = [
    ['ItemReader (Distributed Map)', inlineMap({ ItemReader: { Resource: 'arn:aws:states:::s3:getObject', Parameters: { Bucket: 'b', Key: 'k' } } }), 'ItemReader', 'Each item'],
    ['ItemBatcher', inlineMap({ ItemBatcher: { MaxItemsPerBatch: 2 } }), 'ItemBatcher', 'Each item'],
    ['ResultWriter', inlineMap({ ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: 'b', Prefix: 'p' } } }), 'ResultWriter', 'Each item'],
    ['ToleratedFailureCount', inlineMap({ ToleratedFailureCount: 1 }), 'ToleratedFailureCount', 'Each item'],
    ['ToleratedFailurePercentage', inlineMap({ ToleratedFailurePercentage: 50 }), 'ToleratedFailurePercentage', 'Each item'],
    ['ToleratedFailureCountPath', inlineMap({ ToleratedFailureCountPath: '$.n' }), 'ToleratedFailureCountPath', 'Each item'],
    ['ToleratedFailurePercentagePath', inlineMap({ ToleratedFailurePercentagePath: '$.n' }), 'ToleratedFailurePercentagePath', 'Each item'],
    ['Label', inlineMap({ Label: 'run' }), 'Label', 'Each item'],
    ['MaxConcurrencyPath', inlineMap({ MaxConcurrencyPath: '$.limit' }), 'MaxConcurrencyPath', 'Each item'],
    ['a DISTRIBUTED processor', inlineMap({}, { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' } }), 'ProcessorConfig.Mode "DISTRIBUTED"', 'Each item'],
    ['JSONata at the top', { QueryLanguage: 'JSONata', StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }, 'QueryLanguage "JSONata"', undefined],
    ['JSONata on one state', { StartAt: 'P', States: { P: { Type: 'Pass', QueryLanguage: 'JSONata', Output: '{% 1 %}', End: true } } }, 'QueryLanguage "JSONata"', 'P'],
    ['Assign (variables)', { StartAt: 'P', States: { P: { Type: 'Pass', Assign: { x: 1 }, End: true } } }, 'Assign', 'P'],
    ['an execution TimeoutSeconds', { TimeoutSeconds: 60, StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }, 'TimeoutSeconds (of the execution)', undefined],
    ['a Wait until a Timestamp', { StartAt: 'W', States: { W: { Type: 'Wait', Timestamp: '2026-01-01T00:00:00Z', End: true } } }, 'Timestamp', 'W'],
    ['a Wait until a TimestampPath', { StartAt: 'W', States: { W: { Type: 'Wait', TimestampPath: '$.at', End: true } } }, 'TimestampPath', 'W'],
    ['a Choice on a timestamp (no recording to check it against)', { StartAt: 'C', States: { C: { Type: 'Choice', Choices: [{ Not: { Variable: '$.at', TimestampLessThan: '2026-01-01T00:00:00Z' }, Next: 'D' }], Default: 'D' }, D: { Type: 'Succeed' } } }, 'the Choice operator TimestampLessThan', 'C'],
    ['a Choice with StringMatches', { StartAt: 'C', States: { C: { Type: 'Choice', Choices: [{ Variable: '$.s', StringMatches: 'a*', Next: 'D' }], Default: 'D' }, D: { Type: 'Succeed' } } }, 'the Choice operator StringMatches', 'C'],
    ['States.MathRandom (AWS takes arguments the engine refuses; results masked in the recording)', { StartAt: 'P', States: { P: { Type: 'Pass', Parameters: { 'n.$': 'States.MathRandom(1, 10)' }, End: true } } }, 'the intrinsic function States.MathRandom', 'P'],
    ['States.ArrayUnique nested in another intrinsic, in a Map iteration (no recording)', inlineMap({}, { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { Payload: { 'n.$': 'States.ArrayLength(States.ArrayUnique($.xs))' } }, End: true } } }), 'the intrinsic function States.ArrayUnique', 'T'],
    ['Task Credentials', { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Credentials: { RoleArn: 'arn:aws:iam::111111111111:role/x' }, End: true } } }, 'Credentials', 'T'],
  ];

  test.each(refused)('%s', async (_what, def, construct, state) => {
    let thrown: unknown;
    const history: HistoryEvent[] = [];
    try {
      await runAttempt({ def: def as StateMachineDefinition, info: stateIndex((def as { States: AslStates }).States), history, input: {} as never, clock: () => new Date(), region: 'us-east-1', roleArn: 'arn:aws:iam::123456789012:role/test', context: {}, tasks: {} as never });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(UnsupportedConstruct);
    expect(thrown).toMatchObject({ name: 'UnsupportedConstruct', construct, state });
    expect((thrown as Error).message).toContain(construct);
    if (state) expect((thrown as Error).message).toContain(`state "${state}"`);
    // Refused before the execution started: nothing was recorded.
    expect(history).toEqual([]);
  });

  test('a refused construct deep inside a Parallel branch inside a Map is found and named', () => {
    const def = inlineMap({}, { StartAt: 'Fan out', States: { 'Fan out': { Type: 'Parallel', End: true, Branches: [{ StartAt: 'Inner', States: { Inner: { Type: 'Map', ItemReader: {}, ItemProcessor: { StartAt: 'X', States: { X: { Type: 'Pass', End: true } } }, End: true } } }] } } });
    expect(() => refuseUnsupported(def)).toThrow(expect.objectContaining({ construct: 'ItemReader', state: 'Inner' }));
  });

  test('an unsupported construct is a LocalRunError (the CLI answers it with exit code 2, no stack trace)', () => {
    expect(new UnsupportedConstruct('ItemReader', 'S', 'why')).toBeInstanceOf(LocalRunError);
  });

  test('the runner refuses an ASL file with a Distributed Map when it loads it, naming the file, the state and the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-asl-'));
    try {
      const file = join(dir, 'deploy.asl.json');
      writeFileSync(file, JSON.stringify(inlineMap({ ToleratedFailurePercentage: 10 })));
      expect(() => new LocalDefinitions(ROOT, 'arn:aws:ecs:us-east-1:123456789012:cluster/c', {}, { deploy: file })).toThrow(/statemachines\/deploy\.asl\.json: state "Each item" uses ToleratedFailurePercentage/);
      expect(() => new LocalRun({}, ROOT, { aslFiles: { deploy: file } })).toThrow(UnsupportedConstruct);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("every Slipway state machine uses only what the engine runs as AWS does", () => {
    const files = readdirSync(join(ROOT, 'statemachines')).filter((f) => f.endsWith('.asl.json'));
    expect(files.length).toBeGreaterThanOrEqual(5);
    for (const f of files) expect(() => refuseUnsupported(JSON.parse(readFileSync(join(ROOT, 'statemachines', f), 'utf8')))).not.toThrow();
    // ... and only what the runner can redrive as AWS does (deploy's Map has neither Catch nor Retry).
    for (const f of files) expect(() => refuseUnredrivable(JSON.parse(readFileSync(join(ROOT, 'statemachines', f), 'utf8')))).not.toThrow();
  });
});

describe('what the runner cannot redrive as AWS does is refused when it loads the definition, not at the redrive', () => {
  const parallel = (branchStates: Record<string, unknown>) => ({
    StartAt: 'Fan out',
    States: { 'Fan out': { Type: 'Parallel', End: true, Branches: [{ StartAt: 'A', States: { A: { Type: 'Pass', End: true } } }, { StartAt: 'B', States: branchStates }] } },
  });
  /** Loads `def` as the runner's deploy machine (a world's aslFiles) and returns what it threw. */
  const loadAsDeploy = (def: object): unknown => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-asl-'));
    try {
      const file = join(dir, 'deploy.asl.json');
      writeFileSync(file, JSON.stringify(def));
      new LocalRun({}, ROOT, { aslFiles: { deploy: file } });
      return undefined;
    } catch (e) {
      return e;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  test('a Parallel state: AWS redrives only the failed or aborted branches, which the runner cannot tell apart', () => {
    const def = parallel({ B: { Type: 'Pass', End: true } });
    expect(() => refuseUnredrivable(def)).toThrow(/state "Fan out" uses a Parallel state, which the local engine does not run as AWS does: the local runner cannot redrive it as AWS does .*only the iterations and branches that failed or aborted/);
    const refused = loadAsDeploy(def);
    expect(refused).toBeInstanceOf(UnsupportedConstruct);
    expect((refused as Error).message).toMatch(/statemachines\/deploy\.asl\.json: state "Fan out" uses a Parallel state/);
  });

  test('a Map with a Catch or a Retry, also nested in a Map iteration; a Map with neither loads', () => {
    expect(() => refuseUnredrivable(inlineMap({ Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Each item' }] }))).toThrow(/state "Each item" uses Catch on a Map state/);
    expect(() => refuseUnredrivable(inlineMap({ Retry: [{ ErrorEquals: ['States.ALL'] }] }))).toThrow(/state "Each item" uses Retry on a Map state/);
    const nested = inlineMap({}, { StartAt: 'Inner', States: { Inner: { Type: 'Map', Retry: [{ ErrorEquals: ['X'] }], ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }, End: true } } });
    expect(() => refuseUnredrivable(nested)).toThrow(/state "Inner" uses Retry on a Map state/);
    expect(loadAsDeploy(inlineMap({ Retry: [{ ErrorEquals: ['States.ALL'] }] }))).toBeInstanceOf(UnsupportedConstruct);
    expect(loadAsDeploy(inlineMap({}))).toBeUndefined();
    expect(() => refuseUnredrivable(inlineMap({}))).not.toThrow();
  });

  test('the engine alone (conformance replays, never a redrive) still runs a Parallel and a Map with a Catch on their first attempt', async () => {
    const { result } = await attempt(parallel({ B: { Type: 'Fail', Error: 'Broken' } }));
    expect(result.error).toBe('Broken');
    const mapWithCatch = {
      StartAt: 'Each item',
      States: {
        'Each item': { Type: 'Map', ItemsPath: '$.items', ItemProcessor: { StartAt: 'Boom', States: { Boom: { Type: 'Fail', Error: 'Broken' } } }, Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Handled', ResultPath: '$.error' }], Next: 'Handled' },
        Handled: { Type: 'Pass', End: true },
      },
    };
    const caught = await attempt(mapWithCatch, {}, { items: [1] });
    expect(caught.result.outcome).toMatchObject({ ok: true, output: { items: [1], error: { Error: 'Broken' } } });
  });
});

describe('what the engine claims runs as AWS records it', () => {
  test('MaxConcurrency 1: an iteration starts only after the one before it ended, and after a failure no held-back item starts', async () => {
    const calls: number[] = [];
    let running = 0;
    const def = inlineMap({ MaxConcurrency: 1 }, { StartAt: 'Handle', States: { Handle: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true } } });
    const { result, history } = await attempt(def, {
      Handle: async (input) => {
        const n = input as number;
        running += 1;
        expect(running).toBe(1);
        calls.push(n);
        await new Promise((r) => setTimeout(r, 5));
        running -= 1;
        if (n === 2) throw Object.assign(new Error('item 2 is bad'), { name: 'BadItem' });
        return n;
      },
    }, { items: [0, 1, 2, 3, 4] });
    expect(result.error).toBe('BadItem');
    // Items 3 and 4 were held back by MaxConcurrency when item 2 failed: AWS never starts them (fixture 10b).
    expect(calls).toEqual([0, 1, 2]);
    const map = history.filter((e) => e.type?.startsWith('MapIteration')).map((e) => `${e.type}:${(e.mapIterationStartedEventDetails ?? e.mapIterationSucceededEventDetails ?? e.mapIterationFailedEventDetails)?.index}`);
    expect(map).toEqual(['MapIterationStarted:0', 'MapIterationSucceeded:0', 'MapIterationStarted:1', 'MapIterationSucceeded:1', 'MapIterationStarted:2', 'MapIterationFailed:2']);
    expect(history.map((e) => e.type).slice(-2)).toEqual(['MapStateFailed', 'ExecutionFailed']);
  });

  test('MaxConcurrency N is an upper bound: never more than N iterations run at once, and every item runs', async () => {
    let running = 0;
    let peak = 0;
    const def = inlineMap({ MaxConcurrency: 2 }, { StartAt: 'Handle', States: { Handle: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true } } });
    const { result } = await attempt(def, {
      Handle: async (input) => {
        running += 1;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 5));
        running -= 1;
        return (input as number) * 10;
      },
    }, { items: [1, 2, 3, 4, 5] });
    expect(result.outcome).toEqual({ ok: true, output: [10, 20, 30, 40, 50] });
    expect(peak).toBe(2);
  });

  test('a Retry on a Map runs the whole Map again (MapStateStarted again, no MapStateFailed in between); a Catch after the last attempt exits it', async () => {
    let calls = 0;
    const def = {
      StartAt: 'Each item',
      States: {
        'Each item': {
          Type: 'Map',
          ItemsPath: '$.items',
          ItemProcessor: { StartAt: 'Handle', States: { Handle: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true } } },
          Retry: [{ ErrorEquals: ['Flaky'], MaxAttempts: 1, IntervalSeconds: 1 }],
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Recovered' }],
          End: true,
        },
        Recovered: { Type: 'Pass', End: true },
      },
    };
    const { result, history } = await attempt(def, {
      Handle: async () => {
        calls += 1;
        throw Object.assign(new Error('flaky'), { name: 'Flaky' });
      },
    }, { items: [1] });
    expect(calls).toBe(2);
    expect(result.outcome.ok).toBe(true);
    const types = history.map((e) => e.type).filter((t) => t?.startsWith('Map'));
    expect(types).toEqual(['MapStateEntered', 'MapStateStarted', 'MapIterationStarted', 'MapIterationFailed', 'MapStateStarted', 'MapIterationStarted', 'MapIterationFailed', 'MapStateFailed', 'MapStateExited']);
  });

  test('a Retry on a Parallel runs every branch again; a branch ended by a Fail state is not aborted', async () => {
    let calls = 0;
    const def = {
      StartAt: 'Both',
      States: {
        Both: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'Count', States: { Count: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true } } },
            { StartAt: 'Stop', States: { Stop: { Type: 'Fail', Error: 'Stopped' } } },
          ],
          Retry: [{ ErrorEquals: ['Stopped'], MaxAttempts: 2, IntervalSeconds: 1 }],
          End: true,
        },
      },
    };
    const { result, history } = await attempt(def, {
      Count: async () => {
        calls += 1;
        return calls;
      },
    });
    expect(result.error).toBe('Stopped');
    expect(calls).toBe(3);
    const types = history.map((e) => e.type);
    expect(types.filter((t) => t === 'ParallelStateStarted')).toHaveLength(3);
    expect(types.filter((t) => t === 'ParallelStateFailed')).toHaveLength(1);
    expect(types).not.toContain('FailStateAborted');
    expect(types.slice(-2)).toEqual(['ParallelStateFailed', 'ExecutionFailed']);
  });
});

describe('the context object ($$) as AWS sets it (Step Functions guide, "Accessing execution data from the Context object")', () => {
  test('$$.State is each state\'s own (Name, EnteredTime on the attempt\'s clock, RetryCount per retry); $$.Execution.Input and StartTime are the execution\'s, inside a Map iteration too', async () => {
    const seen: Record<string, unknown>[] = [];
    const params = { 'state.$': '$$.State', 'input.$': '$$.Execution.Input', 'start.$': '$$.Execution.StartTime' };
    const def = {
      StartAt: 'First',
      States: {
        First: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: params, Retry: [{ ErrorEquals: ['Again'], MaxAttempts: 2 }], ResultPath: null, Next: 'Each' },
        Each: { Type: 'Map', ItemsPath: '$.items', ItemProcessor: { StartAt: 'Inner', States: { Inner: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: params, End: true } } }, End: true },
      },
    };
    let t = Date.UTC(2026, 0, 1);
    let firstCalls = 0;
    const history: HistoryEvent[] = [];
    const result = await runAttempt({
      def: def as unknown as StateMachineDefinition,
      info: stateIndex(def.States as unknown as AslStates),
      history,
      input: { items: ['a'] } as never,
      clock: () => new Date((t += 60_000)),
      region: 'us-east-1',
      roleArn: 'arn:aws:iam::123456789012:role/test',
      context: { Execution: { Id: 'arn:aws:states:us-east-1:123456789012:execution:sm:e', Name: 'e', RedriveCount: 0, StartTime: '2025-12-31T23:00:00.000Z' } },
      tasks: {
        First: async (input: unknown) => {
          seen.push(input as Record<string, unknown>);
          firstCalls += 1;
          if (firstCalls < 3) throw Object.assign(new Error('again'), { name: 'Again' });
          return {};
        },
        Inner: async (input: unknown) => {
          seen.push(input as Record<string, unknown>);
          return {};
        },
      } as never,
    });
    expect(result.outcome.ok).toBe(true);
    const states = seen.map((s) => s.state as { Name: string; EnteredTime: string; RetryCount: number });
    expect(states.map((s) => [s.Name, s.RetryCount])).toEqual([['First', 0], ['First', 1], ['First', 2], ['Inner', 0]]);
    // Entered once: the retries keep the time First was entered; Inner was entered later on the same clock.
    expect(new Set(states.slice(0, 3).map((s) => s.EnteredTime)).size).toBe(1);
    expect(Date.parse(states[3].EnteredTime)).toBeGreaterThan(Date.parse(states[0].EnteredTime));
    expect(Date.parse(states[0].EnteredTime)).toBeGreaterThan(Date.UTC(2026, 0, 1));
    for (const s of seen) expect([s.input, s.start]).toEqual([{ items: ['a'] }, '2025-12-31T23:00:00.000Z']);
  });
});
