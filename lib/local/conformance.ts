import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatZodIssues } from '../../domain/zod-issues';
import { z } from 'zod';
import { forEachState, type AslStates } from '../asl';
import { runAttempt } from './engine';
import { stateIndex } from './history';

/**
 * Replays recorded AWS execution histories (test/fixtures/aws-histories: `definition`, `input`,
 * `script`, `events`) through the local runner's engine and compares the history it writes with the
 * recorded one, event by event: type, state name, error (and a Map's length and iteration index).
 */

const failure = z.object({ error: z.string().optional(), cause: z.string().optional() }).strict();
const scriptEntry = z.union([
  z.object({ throws: failure }).strict(),
  z.object({ succeeds: z.unknown() }).strict(),
  z.object({ echoesInput: z.literal(true) }).strict(),
  z.object({ sleepsSeconds: z.number().nonnegative() }).strict(),
  z.object({ ecsTask: z.union([z.object({ exitCode: z.number().int() }).strict(), z.object({ failToStart: z.string() }).strict()]) }).strict(),
  z.object({ token: z.union([z.literal('never'), z.object({ success: z.unknown() }).strict(), z.object({ failure }).strict()]) }).strict(),
]);
type ScriptEntry = z.infer<typeof scriptEntry>;

const recordedEvent = z.object({ type: z.string(), state: z.string().optional(), error: z.string().optional(), length: z.number().optional(), index: z.number().optional() }).passthrough();

export const fixtureSchema = z
  .object({
    definition: z.object({ StartAt: z.string(), States: z.record(z.string(), z.unknown()) }).passthrough(),
    input: z.unknown(),
    script: z.record(z.string(), scriptEntry).default({}),
    events: z.array(recordedEvent),
  })
  .passthrough();
export type Fixture = z.infer<typeof fixtureSchema>;

/**
 * A fixture of recorded input/output cases (no history was recorded, only each execution's output): each
 * case's definition runs on the engine with its input and must succeed with the recorded output.
 */
export const casesSchema = z
  .object({
    cases: z.array(z.object({ definition: fixtureSchema.shape.definition, input: z.unknown(), output: z.unknown() }).passthrough()).min(1),
  })
  .passthrough();
export type CasesFixture = z.infer<typeof casesSchema>;

/** Deep equality of two JSON values (object key order aside). */
function sameJson(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return sameJson(ka, kb) && ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return a === b;
}

/** Replays every case; the first whose outcome differs from the recorded output, or undefined. */
export async function replayCases(fixture: CasesFixture): Promise<string | undefined> {
  for (const [i, c] of fixture.cases.entries()) {
    const history = await replay({ definition: c.definition, input: c.input, script: {}, events: [] });
    const end = history.at(-1);
    const output = end?.type === 'ExecutionSucceeded' ? (JSON.parse(end.executionSucceededEventDetails?.output ?? 'null') as unknown) : undefined;
    if (output === undefined || !sameJson(output, c.output)) {
      const got = end?.type === 'ExecutionSucceeded' ? `output ${JSON.stringify(output)}` : `${end?.type} ${end?.executionFailedEventDetails?.error ?? ''}`.trim();
      return `case ${i + 1} (input ${JSON.stringify(c.input)}${typeof c.operator === 'string' ? `, ${c.operator}` : ''}): AWS recorded output ${JSON.stringify(c.output)}, the runner gave ${got}`;
    }
  }
  return undefined;
}

/** A recorded-history file that is not of the fixture format. */
export class InvalidFixture extends Error {
  public override readonly name = 'InvalidFixture';
}

/** One event reduced to what the comparison looks at. */
export interface ComparedEvent {
  readonly type: string;
  readonly state?: string;
  readonly error?: string;
  readonly length?: number;
  readonly index?: number;
}

/** A task failure as the fixture's script describes it. */
class ScriptedError extends Error {
  constructor(name: string | undefined, message: string | undefined) {
    super(message ?? '');
    this.name = name ?? '';
  }
}

/** What a state's Task answers, per the fixture's script. */
function answer(stateName: string, entry: ScriptEntry | undefined, input: unknown, timeoutSeconds: number | undefined): unknown {
  if (!entry) throw new InvalidFixture(`the script has no entry for Task state "${stateName}"`);
  if ('throws' in entry) throw new ScriptedError(entry.throws.error, entry.throws.cause);
  if ('succeeds' in entry) return entry.succeeds;
  if ('echoesInput' in entry) return input;
  if ('sleepsSeconds' in entry) {
    // The Task's TimeoutSeconds elapses first: States.Timeout with no cause (recorded: 07f).
    if (timeoutSeconds !== undefined && entry.sleepsSeconds > timeoutSeconds) throw new ScriptedError('States.Timeout', undefined);
    return {};
  }
  if ('ecsTask' in entry) {
    const t = entry.ecsTask;
    const task = 'failToStart' in t
      ? { LastStatus: 'STOPPED', StopCode: 'TaskFailedToStart', StoppedReason: t.failToStart, Containers: [{ Name: 'main', LastStatus: 'STOPPED', Reason: t.failToStart }] }
      : { LastStatus: 'STOPPED', StopCode: 'EssentialContainerExited', StoppedReason: 'Essential container in task exited', Containers: [{ Name: 'main', LastStatus: 'STOPPED', ExitCode: t.exitCode }] };
    // ecs:runTask.sync fails with States.TaskFailed and the final task object as cause (recorded: 06b).
    if ('failToStart' in t || t.exitCode !== 0) throw new ScriptedError('States.TaskFailed', JSON.stringify(task));
    return task;
  }
  const token = entry.token;
  if (token === 'never') {
    if (timeoutSeconds !== undefined) throw new ScriptedError('States.Timeout', undefined);
    throw new InvalidFixture(`Task state "${stateName}" waits for a token that never comes and has no TimeoutSeconds`);
  }
  if ('success' in token) return token.success;
  throw new ScriptedError(token.failure.error, token.failure.cause);
}

/** Replays one fixture and returns the history the local engine writes. */
export async function replay(fixture: Fixture): Promise<HistoryEvent[]> {
  const def = JSON.parse(JSON.stringify(fixture.definition)) as StateMachineDefinition;
  const info = stateIndex(JSON.parse(JSON.stringify(fixture.definition.States)) as AslStates);
  const tasks: Record<string, (input: unknown) => Promise<unknown>> = {};
  const waits: Record<string, number> = {};
  forEachState(def.States as unknown as AslStates, (name, state) => {
    if (state.Type === 'Wait') waits[name] = 0;
    if (state.Type !== 'Task') return;
    const timeout = typeof state.TimeoutSeconds === 'number' ? state.TimeoutSeconds : undefined;
    // The engine would enforce TimeoutSeconds with a real timer; the script decides instead.
    delete state.TimeoutSeconds;
    tasks[name] = async (input) => answer(name, fixture.script[name], input, timeout);
  });
  const history: HistoryEvent[] = [];
  let t = Date.parse('2024-01-01T00:00:00Z');
  await runAttempt({
    def,
    info,
    history,
    input: (fixture.input ?? {}) as never,
    clock: () => new Date((t += 10)),
    region: 'us-east-1',
    roleArn: 'arn:aws:iam::111111111111:role/conformance',
    context: { Execution: { Id: 'arn:aws:states:us-east-1:111111111111:execution:conformance:replay', Name: 'replay', RedriveCount: 0 }, Task: { Token: 'conformance-task-token' } },
    tasks: tasks as never,
    waitTimeOverrides: waits,
  });
  return history;
}

/** The fields the comparison looks at, from a GetExecutionHistory event. */
export function compared(e: HistoryEvent): ComparedEvent {
  const type = e.type ?? '';
  const out: { -readonly [K in keyof ComparedEvent]: ComparedEvent[K] } = { type };
  if (type.endsWith('StateEntered')) out.state = e.stateEnteredEventDetails?.name;
  if (type.endsWith('StateExited')) out.state = e.stateExitedEventDetails?.name;
  for (const [k, v] of Object.entries(e)) {
    if (!k.endsWith('EventDetails') || typeof v !== 'object' || v === null) continue;
    const d = v as { error?: unknown; length?: unknown; index?: unknown };
    if (typeof d.error === 'string' && d.error !== '') out.error = d.error;
    if (typeof d.length === 'number') out.length = d.length;
    if (typeof d.index === 'number' && type.startsWith('MapIteration')) out.index = d.index;
  }
  return out;
}

/** The first difference between the recorded and the replayed events, or undefined. */
export function firstDifference(recorded: readonly ComparedEvent[], replayed: readonly ComparedEvent[]): string | undefined {
  const n = Math.max(recorded.length, replayed.length);
  const show = (e?: ComparedEvent) => (e ? [e.type, e.state && `"${e.state}"`, e.error && `error ${e.error}`, e.length !== undefined && `length ${e.length}`, e.index !== undefined && `index ${e.index}`].filter(Boolean).join(' ') : '(no event)');
  for (let i = 0; i < n; i++) {
    const a = recorded[i];
    const b = replayed[i];
    const same = a && b && a.type === b.type && (a.state ?? undefined) === (b.state ?? undefined) && (a.error ?? undefined) === (b.error ?? undefined) && (a.length === undefined || a.length === b.length) && (a.index === undefined || a.index === b.index);
    if (!same) return `event ${i + 1}: AWS recorded ${show(a)}, the runner wrote ${show(b)}`;
  }
  return undefined;
}

/** One fixture's result. */
export interface FixtureResult {
  readonly file: string;
  /** Events compared (a history fixture), or cases replayed (a cases fixture). */
  readonly events: number;
  readonly difference?: string;
}

/** Replays every `*.json` fixture in `folder` (files not of the fixture format are reported as differences). */
export async function checkFolder(folder: string): Promise<FixtureResult[]> {
  let files: string[];
  try {
    files = readdirSync(folder).filter((f) => f.endsWith('.json')).sort();
  } catch (e) {
    throw new InvalidFixture(`cannot read the folder ${folder}: ${(e as Error).message}`);
  }
  const results: FixtureResult[] = [];
  for (const file of files) {
    let fixture: Fixture;
    try {
      const raw = JSON.parse(readFileSync(join(folder, file), 'utf8')) as Record<string, unknown>;
      if (raw !== null && typeof raw === 'object' && 'cases' in raw) {
        const cases = casesSchema.parse(raw);
        try {
          results.push({ file, events: cases.cases.length, difference: await replayCases(cases) });
        } catch (e) {
          results.push({ file, events: cases.cases.length, difference: `${(e as Error).name}: ${(e as Error).message}` });
        }
        continue;
      }
      fixture = fixtureSchema.parse(raw);
    } catch (e) {
      results.push({ file, events: 0, difference: `not a fixture: ${e instanceof z.ZodError ? formatZodIssues(e.issues, { max: 1 }) : (e as Error).message}` });
      continue;
    }
    try {
      const history = await replay(fixture);
      results.push({ file, events: fixture.events.length, difference: firstDifference(fixture.events, history.map(compared)) });
    } catch (e) {
      results.push({ file, events: fixture.events.length, difference: `${(e as Error).name}: ${(e as Error).message}` });
    }
  }
  return results;
}
