import {
  DeleteParametersCommand,
  GetParameterCommand,
  paginateDescribeParameters,
  paginateGetParametersByPath,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { appParameterPath, assertConfigKey, configParameterPath, CONFIG_KEY, InvalidConfigKey, schedulesParameterName } from '../../functions/shared/app-parameters';
import { InvalidSchedule, parseSchedulesParameter, scheduleEntrySchema, scheduleExpressionProblem, SCHEDULE_NAME, defaultScheduleName, type ScheduleEntryInput } from '../../functions/shared/schedules';
import { APP_NAME, APP_NAME_MAX, PROCESS_NAME, RESOURCE_NAME } from '../../functions/shared/settings';
import { NotFound } from '../ops/aws';
import { cliClient } from './aws-clients';
import { describeError as describeAnyError, EXIT, UsageError } from './errors';

/**
 * `slipway config list|get|set|unset <app>` and `slipway schedules list|add|remove <app>`: an app's
 * config keys (SecureStrings under `/<prefix>/apps/<app>/config/`, read by the tasks through ECS
 * `secrets`) and its schedules list (`/<prefix>/apps/<app>/schedules`). Each change is a Parameter
 * Store change: the app's config-change state machine redeploys it (debounced) or re-syncs its
 * schedules. The functions below take the SSM client as a parameter; the commander wiring is thin.
 */

/** SSM client of the CLI (module scope, so tests can mock it). */
export const ssmClient = cliClient((c) => new SSMClient(c));

/** A schedule that is not in the list. */
export class ScheduleNotFound extends Error {
  public override readonly name = 'ScheduleNotFound';
}

/** Where an app's parameters live. */
export interface AppRef {
  readonly prefix: string;
  readonly app: string;
}

/** Checks the app and prefix names (they become a Parameter Store path). @throws UsageError */
export function appRef(app: string, prefix = 'slipway'): AppRef {
  if (!APP_NAME.test(app)) throw new UsageError(`app name ${JSON.stringify(app.slice(0, 60))} is not valid: lowercase letters, digits and hyphens, starting with a letter, ${APP_NAME_MAX} characters at most`);
  if (!RESOURCE_NAME.test(prefix)) throw new UsageError(`prefix ${JSON.stringify(prefix.slice(0, 60))} is not valid: lowercase letters, digits and hyphens, starting with a letter`);
  return { prefix, app };
}

/** One config key as `config list` shows it. */
export interface ConfigEntry {
  readonly key: string;
  readonly value?: string;
  readonly version?: number;
  readonly lastModified?: string;
}

/** The app's config keys; values (decrypted) only when `showValues`. */
export async function listConfig(ssm: SSMClient, ref: AppRef, showValues: boolean): Promise<ConfigEntry[]> {
  const path = configParameterPath(appParameterPath(ref.prefix, ref.app));
  const out: ConfigEntry[] = [];
  const keyOf = (name: string | undefined) => (name ?? '').slice(path.length + 1);
  if (showValues) {
    for await (const page of paginateGetParametersByPath({ client: ssm }, { Path: path, Recursive: false, WithDecryption: true })) {
      for (const p of page.Parameters ?? []) out.push({ key: keyOf(p.Name), value: p.Value, version: p.Version, lastModified: p.LastModifiedDate?.toISOString() });
    }
  } else {
    for await (const page of paginateDescribeParameters({ client: ssm }, { ParameterFilters: [{ Key: 'Path', Option: 'OneLevel', Values: [path] }] })) {
      for (const p of page.Parameters ?? []) out.push({ key: keyOf(p.Name), version: p.Version, lastModified: p.LastModifiedDate?.toISOString() });
    }
  }
  return out.filter((e) => CONFIG_KEY.test(e.key)).sort((a, b) => a.key.localeCompare(b.key));
}

/** One key's value (decrypted). @throws InvalidConfigKey; the SDK's ParameterNotFound when unset. */
export async function getConfig(ssm: SSMClient, ref: AppRef, key: string): Promise<string> {
  assertConfigKey(key);
  const name = `${configParameterPath(appParameterPath(ref.prefix, ref.app))}/${key}`;
  try {
    const out = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
    return out.Parameter?.Value ?? '';
  } catch (e) {
    if ((e as Error).name === 'ParameterNotFound') throw new NotFound(`${key} is not set for ${ref.app} (see slipway config list ${ref.app})`);
    throw e;
  }
}

/**
 * Parses `KEY=VALUE` pairs (the value may contain `=`; it may be empty only with `allowEmpty`).
 * Every pair is checked before any is written. @throws UsageError, InvalidConfigKey
 */
export function parsePairs(pairs: readonly string[]): { key: string; value: string }[] {
  if (pairs.length === 0) throw new UsageError('give at least one KEY=VALUE pair');
  const seen = new Set<string>();
  return pairs.map((pair) => {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`"${pair.slice(0, 60)}" is not KEY=VALUE`);
    const key = pair.slice(0, at);
    const value = pair.slice(at + 1);
    assertConfigKey(key);
    if (seen.has(key)) throw new UsageError(`${key} is given twice`);
    seen.add(key);
    if (value.length === 0) throw new UsageError(`${key} has an empty value (Parameter Store refuses empty values): use "slipway config unset" to remove a key`);
    if (value.length > 4096) throw new UsageError(`${key}'s value is longer than 4096 characters (the Parameter Store standard tier limit)`);
    return { key, value };
  });
}

/**
 * Sets several keys as SecureStrings (all pairs validated first). Each write is a Parameter Store
 * change; the config-change state machine debounces them into one redeploy.
 * @returns the keys written, in order; on a failed write the error says which keys were and were not written.
 */
export async function setConfig(ssm: SSMClient, ref: AppRef, pairs: readonly string[]): Promise<string[]> {
  const parsed = parsePairs(pairs);
  const path = configParameterPath(appParameterPath(ref.prefix, ref.app));
  const written: string[] = [];
  for (const { key, value } of parsed) {
    try {
      await ssm.send(new PutParameterCommand({ Name: `${path}/${key}`, Value: value, Type: 'SecureString', Overwrite: true }));
    } catch (e) {
      const err = e as Error;
      const rest = parsed.slice(written.length).map((p) => p.key);
      err.message = `${err.message} (set: ${written.join(', ') || 'none'}; not set: ${rest.join(', ')})`;
      throw err;
    }
    written.push(key);
  }
  return written;
}

/** Removes keys (all validated first). @returns the keys removed and the ones that were not set. */
export async function unsetConfig(ssm: SSMClient, ref: AppRef, keys: readonly string[]): Promise<{ removed: string[]; notSet: string[] }> {
  if (keys.length === 0) throw new UsageError('give at least one KEY');
  keys.forEach(assertConfigKey);
  const path = configParameterPath(appParameterPath(ref.prefix, ref.app));
  const removed: string[] = [];
  const notSet: string[] = [];
  for (let i = 0; i < keys.length; i += 10) {
    const batch = keys.slice(i, i + 10);
    const out = await ssm.send(new DeleteParametersCommand({ Names: batch.map((k) => `${path}/${k}`) }));
    for (const n of out.DeletedParameters ?? []) removed.push(n.slice(path.length + 1));
    for (const n of out.InvalidParameters ?? []) notSet.push(n.slice(path.length + 1));
  }
  return { removed, notSet };
}

/** A schedule of the list, with its name. */
export type NamedSchedule = ScheduleEntryInput & { name: string };

async function readSchedules(ssm: SSMClient, name: string): Promise<unknown[]> {
  try {
    const out = await ssm.send(new GetParameterCommand({ Name: name }));
    return parseSchedulesParameter(out.Parameter?.Value, name);
  } catch (e) {
    if ((e as Error).name === 'ParameterNotFound') return [];
    throw e;
  }
}

function named(entries: unknown[]): NamedSchedule[] {
  return entries.map((raw) => {
    const e = scheduleEntrySchema.parse(raw);
    return { ...e, name: e.name ?? defaultScheduleName(e.process, e.command) };
  });
}

/** The schedules list in Parameter Store (the app config's own schedules are in the config file). */
export async function listSchedules(ssm: SSMClient, ref: AppRef): Promise<NamedSchedule[]> {
  const name = schedulesParameterName(appParameterPath(ref.prefix, ref.app));
  try {
    return named(await readSchedules(ssm, name));
  } catch (e) {
    if (e instanceof InvalidSchedule) throw e;
    if ((e as Error).name === 'ZodError' || (e as Error).name === '$ZodError') throw new InvalidSchedule(`parameter ${name} holds an entry that is not a schedule: fix it with aws ssm put-parameter, or remove the entry`);
    throw e;
  }
}

/**
 * Adds a schedule to the list (validated first: expression, process name, schedule name, not a
 * duplicate). The parameter change starts the schedules sync. @throws InvalidSchedule
 */
export async function addSchedule(ssm: SSMClient, ref: AppRef, entry: { schedule: string; command: string; process: string; name?: string }): Promise<NamedSchedule> {
  const problem = scheduleExpressionProblem(entry.schedule);
  if (problem) throw new InvalidSchedule(`schedule ${entry.name ? `"${entry.name}" ` : ''}${problem}`);
  if (!PROCESS_NAME.test(entry.process)) throw new InvalidSchedule(`process ${JSON.stringify(entry.process.slice(0, 40))} is not a process name (lowercase letters, digits, hyphens)`);
  if (entry.command.trim().length === 0) throw new InvalidSchedule('the command is empty');
  const name = entry.name ?? defaultScheduleName(entry.process, entry.command);
  if (!SCHEDULE_NAME.test(name)) throw new InvalidSchedule(`schedule name ${JSON.stringify(name.slice(0, 70))} is not valid: letters, digits, '.', '_', '-', 64 characters at most`);
  const list = await listSchedules(ssm, ref);
  if (list.some((s) => s.name === name)) throw new InvalidSchedule(`a schedule named "${name}" already exists: remove it first, or pass --name`);
  const added: NamedSchedule = { name, schedule: entry.schedule, command: entry.command, process: entry.process };
  await ssm.send(
    new PutParameterCommand({ Name: schedulesParameterName(appParameterPath(ref.prefix, ref.app)), Value: JSON.stringify([...list, added]), Type: 'String', Overwrite: true }),
  );
  return added;
}

/** Removes a schedule from the list by name. @throws ScheduleNotFound */
export async function removeSchedule(ssm: SSMClient, ref: AppRef, name: string): Promise<NamedSchedule> {
  const list = await listSchedules(ssm, ref);
  const found = list.find((s) => s.name === name);
  if (!found) throw new ScheduleNotFound(`no schedule named "${name.slice(0, 70)}" in ${ref.app}'s list (${list.map((s) => s.name).join(', ') || 'empty'})`);
  await ssm.send(
    new PutParameterCommand({
      Name: schedulesParameterName(appParameterPath(ref.prefix, ref.app)),
      Value: JSON.stringify(list.filter((s) => s.name !== name)),
      Type: 'String',
      Overwrite: true,
    }),
  );
  return found;
}

/** An error of a config or schedules command as one line, with its exit code (the shared vocabulary). */
export function describeError(e: unknown): { name: string; message: string; code: number } {
  const err = e instanceof Error ? e : new Error(String(e));
  if (err.name === 'ParameterNotFound') return { name: 'NotFound', message: `not set: ${err.message}`, code: EXIT.failed };
  return describeAnyError(err);
}

export { InvalidConfigKey, InvalidSchedule };
