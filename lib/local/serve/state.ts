import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { LocalRun } from '../runner';
import type { ExecutionReport } from '../services/stepfunctions';
import type { Revision, SimService } from '../services/ecs';
import type { SimParameter } from '../services/ssm';

/**
 * What `slipway local serve --state-dir D` keeps between runs, as plain JSON in `D/state.json`: the
 * clock, every execution (so an execution name stays taken, as on AWS, where a name is reserved for 90
 * days), the DynamoDB items, ECS task definitions and services, Parameter Store parameters and the
 * autoscaling registrations. Nothing pickled: a person can read and edit it.
 */

/** The file's format version: a file of another version is refused, never half-read. */
export const STATE_VERSION = 1;

/** The state file's name in the state directory. */
export const STATE_FILE = 'state.json';

/** The saved account. */
interface SavedState {
  readonly version: number;
  readonly startTime: string;
  /** Simulated seconds since startTime. */
  readonly now: number;
  readonly executions: ExecutionReport[];
  readonly tables: Record<string, Record<string, unknown>[]>;
  readonly revisions: Record<string, Revision[]>;
  readonly services: Record<string, SimService>;
  readonly parameters: SimParameter[];
  readonly scalableTargets: Record<string, { min?: number; max?: number; policies: string[] }>;
}

/** The state file is unreadable or of another format: the endpoint does not start on it. */
export class StateFileError extends Error {
  public override readonly name = 'StateFileError';
}

/** The account's state as the JSON text saved. */
export function stateJson(run: LocalRun): string {
  const w = run.world;
  const state: SavedState = {
    version: STATE_VERSION,
    startTime: new Date(w.startMs).toISOString(),
    now: w.now,
    executions: run.executions,
    ...savedResources(run),
  };
  return `${JSON.stringify(state, null, 1)}\n`;
}

function savedResources(run: LocalRun): Pick<SavedState, 'tables' | 'revisions' | 'services' | 'parameters' | 'scalableTargets'> {
  const w = run.world;
  return {
    tables: Object.fromEntries([...w.tables].map(([name, t]) => [name, t.all()])),
    revisions: Object.fromEntries(w.revisions),
    services: Object.fromEntries(w.services),
    parameters: [...w.ssm.parameters.values()],
    scalableTargets: Object.fromEntries(w.scalableTargets),
  };
}

/**
 * What tells whether the account changed since a save, far cheaper than {@link stateJson}: the resources
 * as they are, and each execution's status and number of history events (a history only grows), but
 * not the clock's moment, which moves on all the time and alone is no reason to rewrite the file.
 */
export function stateFingerprint(run: LocalRun): string {
  const executions = run.executions.map((e) => [e.arn, e.status, e.history.length, e.states.length, e.redriveCount, e.endedAt]);
  return JSON.stringify([executions, savedResources(run)]);
}

/** Writes the state file atomically (a new file renamed over the old one). */
export function saveState(dir: string, json: string): void {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, STATE_FILE);
  writeFileSync(`${file}.tmp`, json);
  renameSync(`${file}.tmp`, file);
}

const DATE_KEYS = new Set(['timestamp', 'createdAt', 'updatedAt', 'registeredAt']);

/** JSON.parse reviver: the SDK shapes' Dates (history events' timestamps, deployments' createdAt) come back as Dates. */
function revive(key: string, value: unknown): unknown {
  return DATE_KEYS.has(key) && typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? new Date(value) : value;
}

/**
 * Reads `dir/state.json`, if there is one: its start time (the account's clock continues from it) and
 * what puts the saved account back into a new run of the same world.
 * @throws StateFileError for a file that is not JSON or of another version.
 */
export function loadState(dir: string): { startTime: string; restore(run: LocalRun): void } | undefined {
  const file = path.join(dir, STATE_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StateFileError(`cannot read ${file}: ${(e as Error).message}`);
  }
  return stateFromJson(text, file);
}

/**
 * The saved account in `text` (as {@link stateJson} wrote it; `file` names it in errors): its start time
 * and what puts it back into a new run of the same world.
 * @throws StateFileError for a text that is not JSON or of another version.
 */
export function stateFromJson(text: string, file: string): { startTime: string; restore(run: LocalRun): void } {
  let state: SavedState;
  try {
    state = JSON.parse(text, revive) as SavedState;
  } catch (e) {
    throw new StateFileError(`${file} is not JSON (${(e as Error).message}): move it away to start a new account`);
  }
  if (state?.version !== STATE_VERSION) throw new StateFileError(`${file} is state format ${String(state?.version)}, this Slipway reads format ${STATE_VERSION}: move it away to start a new account`);
  return { startTime: state.startTime, restore: (run) => restoreState(run, state) };
}

/** An execution that was running when the endpoint stopped: it cannot go on where it was. */
function interrupted(exec: ExecutionReport, at: number, atDate: Date): void {
  exec.status = 'FAILED';
  exec.error = 'States.Runtime';
  exec.cause = 'slipway local serve stopped while this execution ran; redrive it to run its unfinished states again';
  exec.endedAt = at;
  const last = exec.history[exec.history.length - 1] as HistoryEvent | undefined;
  const id = (last?.id ?? 0) + 1;
  exec.history.push({ timestamp: atDate, type: 'ExecutionFailed', id, previousEventId: id - 1, executionFailedEventDetails: { error: exec.error, cause: exec.cause } });
}

function restoreState(run: LocalRun, state: SavedState): void {
  const w = run.world;
  w.clock.now = state.now;
  for (const exec of state.executions) {
    if (exec.status === 'RUNNING') interrupted(exec, state.now, w.clock.dateAt(state.now));
    run.executions.push(exec);
  }
  for (const [name, items] of Object.entries(state.tables)) {
    const table = w.tables.get(name);
    if (!table) continue;
    for (const item of items) table.put(item as never);
  }
  w.revisions.clear();
  for (const [family, list] of Object.entries(state.revisions)) w.revisions.set(family, list);
  w.services.clear();
  for (const [name, s] of Object.entries(state.services)) w.services.set(name, s);
  // New ECS deployment ids continue after the saved ones (ids are unique within a service, as on AWS).
  const ids = Object.values(state.services).flatMap((s) => (s.service.deployments ?? []).map((d) => /^ecs-svc\/(\d+)$/.exec(d.id ?? '')?.[1])).filter((x): x is string => x !== undefined);
  const ecs = w.ecs as unknown as { deploymentSeq: bigint };
  for (const id of ids) if (BigInt(id) > ecs.deploymentSeq) ecs.deploymentSeq = BigInt(id);
  w.ssm.parameters.clear();
  for (const p of state.parameters) w.ssm.parameters.set(p.name, p);
  w.scalableTargets.clear();
  for (const [id, t] of Object.entries(state.scalableTargets)) w.scalableTargets.set(id, t);
}
