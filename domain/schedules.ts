import cronValidate from 'cron-validate';
import * as z from 'zod/mini';
import { createHash } from 'node:crypto';
import { PROCESS_NAME } from './names';
import { describeIssue } from './zod-issues';

/**
 * An app's scheduled tasks (Heroku Scheduler's jobs): each runs `command` as a one-off ECS task of
 * `process` on an EventBridge Scheduler `cron(...)` or `rate(...)` expression. They come from the app
 * config (`schedules`) and from the `/<prefix>/apps/<app>/schedules` parameter (JSON), merged.
 */

/** Names EventBridge Scheduler accepts for a schedule (we keep them short and readable). */
export const SCHEDULE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export const scheduleEntrySchema = z.object({
  /** Schedule name in the app's group. @default `<process>-<8 hex of the command>` */
  name: z.optional(z.string()),
  /** `cron(min hour day-of-month month day-of-week year)` or `rate(N minute|minutes|hour|hours|day|days)`. */
  schedule: z.string(),
  /** A shell command (`sh -c`), or the command's argv as an array (exec form). */
  command: z.union([z.string().check(z.minLength(1)), z.array(z.string()).check(z.minLength(1))]),
  /** The process type whose current task definition runs the command. @default "web" */
  process: z._default(z.string(), 'web'),
});

export type ScheduleEntry = z.infer<typeof scheduleEntrySchema>;
export type ScheduleEntryInput = z.input<typeof scheduleEntrySchema>;

/** A schedules list (or one entry) is not acceptable: nothing was changed. */
export class InvalidSchedule extends Error {
  public override readonly name = 'InvalidSchedule';
}

/** A schedule entry after validation: its name and the container command to run. */
export interface ValidSchedule {
  readonly name: string;
  readonly expression: string;
  readonly process: string;
  readonly command: string[];
  /** Where it came from: `config` (the app config) or `parameter`. */
  readonly source: 'config' | 'parameter';
}

const RATE = /^rate\((\d{1,6}) (minute|minutes|hour|hours|day|days)\)$/;

/**
 * Why an EventBridge Scheduler expression is invalid, or undefined when it is valid. cron() is checked
 * with cron-validate's AWS preset (six fields, `?` in day-of-month or day-of-week, L, W, #); rate()
 * against the documented grammar (a positive whole number and a unit, singular for 1).
 */
export function scheduleExpressionProblem(expression: string): string | undefined {
  if (typeof expression !== 'string' || expression.length === 0) return 'the schedule is empty: use cron(...) or rate(...)';
  if (expression.length > 256) return 'the schedule is longer than 256 characters';
  const rate = RATE.exec(expression);
  if (expression.startsWith('rate(')) {
    if (!rate) return `"${expression}" is not a rate expression: use rate(<number> <minute|minutes|hour|hours|day|days>), e.g. rate(5 minutes)`;
    const value = Number(rate[1]);
    if (value < 1) return `"${expression}": the rate must be at least 1`;
    const singular = !rate[2].endsWith('s');
    if (value === 1 && !singular) return `"${expression}": use the singular unit for 1, e.g. rate(1 ${rate[2].slice(0, -1)})`;
    if (value > 1 && singular) return `"${expression}": use the plural unit for ${value}, e.g. rate(${value} ${rate[2]}s)`;
    return undefined;
  }
  const cron = /^cron\(([^()]*)\)$/.exec(expression);
  if (!cron) return `"${expression.slice(0, 80)}" is neither cron(...) nor rate(...)`;
  const result = cronValidate(cron[1].trim(), { preset: 'aws-cloud-watch' });
  if (!result.isValid()) {
    const first = (result.getError() as string[])[0] ?? 'invalid';
    return `"${expression}": ${first.replace(/\s*\(Input cron: .*\)$/, '')} (fields: minutes hours day-of-month month day-of-week year, one of the day fields "?")`;
  }
  const fields = cron[1].trim().split(/\s+/);
  const outside = CRON_FIELD_CHARACTERS.findIndex(([, pattern], i) => !pattern.test(fields[i]));
  if (outside >= 0) {
    const [name, , allowed] = CRON_FIELD_CHARACTERS[outside];
    return `"${expression}": the ${name} field "${fields[outside]}" has characters EventBridge does not take there (it takes ${allowed})`;
  }
  return undefined;
}

const MONTH_NAMES = 'JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC';
const WEEKDAY_NAMES = 'SUN|MON|TUE|WED|THU|FRI|SAT';

/**
 * The values and wildcards EventBridge takes in each of a cron expression's six fields, as its table lists
 * them (Amazon EventBridge User Guide, "Cron expressions",
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html; EventBridge Scheduler
 * has the same, https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#cron-based).
 * cron-validate's AWS preset checks the ranges and where L, W, # and ? may stand; it also lets `/` through in
 * day-of-week, which the table does not list.
 */
const CRON_FIELD_CHARACTERS: readonly (readonly [name: string, pattern: RegExp, allowed: string])[] = [
  ['minutes', /^[\d,\-*/]+$/, '0-59 and , - * /'],
  ['hours', /^[\d,\-*/]+$/, '0-23 and , - * /'],
  ['day-of-month', /^[\d,\-*?/LW]+$/, '1-31 and , - * ? / L W'],
  ['month', new RegExp(`^(?:[\\d,\\-*/]|${MONTH_NAMES})+$`, 'i'), '1-12, JAN-DEC and , - * /'],
  ['day-of-week', new RegExp(`^(?:[\\d,\\-*?L#]|${WEEKDAY_NAMES})+$`, 'i'), '1-7 (1 is Sunday), SUN-SAT and , - * ? L #'],
  ['year', /^[\d,\-*/]+$/, '1970-2199 and , - * /'],
];

/** The default name of an entry: its process and a short hash of its command. */
export function defaultScheduleName(process: string, command: string | string[]): string {
  const hash = createHash('sha256').update(JSON.stringify(command)).digest('hex').slice(0, 8);
  return `${process}-${hash}`;
}

/** The container command of an entry: a string runs in `sh -c`, an array as is. */
export function containerCommand(command: string | string[]): string[] {
  return typeof command === 'string' ? ['sh', '-c', command] : [...command];
}

/**
 * Validates every entry (expression, process, name, duplicates) before anything is changed.
 * @throws InvalidSchedule naming each bad entry (by name or position) and what is wrong with it.
 */
export function validateSchedules(entries: readonly { entry: unknown; source: 'config' | 'parameter' }[], processes: readonly string[]): ValidSchedule[] {
  const problems: string[] = [];
  const out: ValidSchedule[] = [];
  const seen = new Map<string, string>();
  entries.forEach(({ entry, source }, i) => {
    const where = `${source} schedule #${i + 1}`;
    const parsed = scheduleEntrySchema.safeParse(entry);
    if (!parsed.success) {
      problems.push(`${where}: ${describeIssue(parsed.error.issues[0], { root: '(entry)' })}`);
      return;
    }
    const e = parsed.data;
    const name = e.name ?? defaultScheduleName(e.process, e.command);
    const label = `${source} schedule "${name}" (#${i + 1})`;
    if (!SCHEDULE_NAME.test(name)) problems.push(`${where}: name ${JSON.stringify(name.slice(0, 70))} is not valid: letters, digits, '.', '_', '-', 64 characters at most`);
    else if (seen.has(name)) problems.push(`${label}: the name is also used by ${seen.get(name)}`);
    else seen.set(name, label);
    const problem = scheduleExpressionProblem(e.schedule);
    if (problem) problems.push(`${label}: ${problem}`);
    if (!PROCESS_NAME.test(e.process) || !processes.includes(e.process)) problems.push(`${label}: process ${JSON.stringify(e.process)} is not one of the app's processes (${processes.join(', ')})`);
    out.push({ name, expression: e.schedule, process: e.process, command: containerCommand(e.command), source });
  });
  if (problems.length > 0) throw new InvalidSchedule(`${problems.length} invalid schedule entr${problems.length === 1 ? 'y' : 'ies'}, nothing was changed: ${problems.join('; ')}`);
  return out;
}

/** Parses the schedules parameter's JSON. @throws InvalidSchedule when it is not a JSON array. */
export function parseSchedulesParameter(text: string | undefined, parameterName: string): unknown[] {
  if (text === undefined || text.trim() === '') return [];
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InvalidSchedule(`parameter ${parameterName} is not JSON: it must be an array like [{"schedule": "rate(1 hour)", "command": "bin/cleanup", "process": "worker"}]; nothing was changed`);
  }
  if (!Array.isArray(value)) throw new InvalidSchedule(`parameter ${parameterName} must hold a JSON array of schedules; nothing was changed`);
  return value;
}
