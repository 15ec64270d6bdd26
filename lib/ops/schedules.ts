import { GetParameterCommand, PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { CONFIG_KEY_TIER } from './config-keys';
import { appParameterPath, schedulesParameterName } from '../../domain/names';
import { UsageError } from './usage-error';
import { defaultScheduleName, InvalidSchedule, parseSchedulesParameter, scheduleEntrySchema, scheduleExpressionProblem, SCHEDULE_NAME, type ScheduleEntryInput } from '../../domain/schedules';
import { nameRule, PROCESS_NAME } from '../../domain/names';
import type { AppRef, ParameterClients } from './config-keys';

/**
 * An app's schedules list: the JSON list in `/<prefix>/apps/<app>/schedules` (`slipway schedules
 * list|add|remove`). A change of the parameter starts the control plane's schedules sync to EventBridge
 * Scheduler. The schedules of the app's deploy config file are not in this list.
 */

/** A schedule that is not in the list. */
export class ScheduleNotFound extends Error {
  public override readonly name = 'ScheduleNotFound';
}

/** A schedule of the list, with its name. */
export type NamedSchedule = ScheduleEntryInput & { name: string };

/** The schedules parameter of the app, `/<prefix>/apps/<app>/schedules`. */
function schedulesParameter(ref: AppRef): string {
  return schedulesParameterName(appParameterPath(ref.prefix, ref.app));
}

async function readSchedules(ssm: SSMClient, name: string): Promise<unknown[]> {
  try {
    const out = await ssm.send(new GetParameterCommand({ Name: name }));
    return parseSchedulesParameter(out.Parameter?.Value, name);
  } catch (e) {
    if ((e as Error).name === 'ParameterNotFound') return [];
    throw e;
  }
}

async function writeSchedules(ssm: SSMClient, ref: AppRef, list: readonly NamedSchedule[]): Promise<void> {
  await ssm.send(new PutParameterCommand({ Name: schedulesParameter(ref), Value: JSON.stringify(list), Type: 'String', Overwrite: true, Tier: CONFIG_KEY_TIER }));
}

function named(entries: unknown[]): NamedSchedule[] {
  return entries.map((raw) => {
    const e = scheduleEntrySchema.parse(raw);
    return { ...e, name: e.name ?? defaultScheduleName(e.process, e.command) };
  });
}

/** The schedules list in Parameter Store (empty when the parameter does not exist). @throws InvalidSchedule */
export async function listSchedules({ ssm }: ParameterClients, ref: AppRef): Promise<NamedSchedule[]> {
  const name = schedulesParameter(ref);
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
 * duplicate). The parameter change starts the schedules sync. @throws UsageError for a bad expression,
 * process, command or name (exit 2, as every usage error); InvalidSchedule for a duplicate or an unreadable list
 */
export async function addSchedule(clients: ParameterClients, ref: AppRef, entry: { schedule: string; command: string; process: string; name?: string }): Promise<NamedSchedule> {
  const problem = scheduleExpressionProblem(entry.schedule);
  if (problem) throw new UsageError(`schedule ${entry.name ? `"${entry.name}" ` : ''}${problem}`);
  if (!PROCESS_NAME.test(entry.process)) throw new UsageError(`process ${JSON.stringify(entry.process.slice(0, 40))} is not a process name (${nameRule('process')})`);
  if (entry.command.trim().length === 0) throw new UsageError('the command is empty');
  const name = entry.name ?? defaultScheduleName(entry.process, entry.command);
  if (!SCHEDULE_NAME.test(name)) throw new UsageError(`schedule name ${JSON.stringify(name.slice(0, 70))} is not valid: letters, digits, '.', '_', '-', 64 characters at most`);
  const list = await listSchedules(clients, ref);
  if (list.some((s) => s.name === name)) throw new InvalidSchedule(`a schedule named "${name}" already exists: remove it first, or pass --name`);
  const added: NamedSchedule = { name, schedule: entry.schedule, command: entry.command, process: entry.process };
  await writeSchedules(clients.ssm, ref, [...list, added]);
  return added;
}

/** Removes a schedule from the list by name. @throws ScheduleNotFound */
export async function removeSchedule(clients: ParameterClients, ref: AppRef, name: string): Promise<NamedSchedule> {
  const list = await listSchedules(clients, ref);
  const found = list.find((s) => s.name === name);
  if (!found) throw new ScheduleNotFound(`no schedule named "${name.slice(0, 70)}" in ${ref.app}'s list (${list.map((s) => s.name).join(', ') || 'empty'})`);
  await writeSchedules(clients.ssm, ref, list.filter((s) => s.name !== name));
  return found;
}

export { InvalidSchedule };
