import { CronExpressionParser, type CronExpression } from 'cron-parser';
import { scheduleExpressionProblem } from '../domain/schedules';
import { BenchInputError } from './stats';

/**
 * How often an EventBridge `cron(...)` expression fires, counted with cron-parser over a fixed window.
 *
 * EventBridge's cron syntax (scheduled rules and EventBridge Scheduler share it) is checked where the
 * app's schedules are, domain/schedules.ts `scheduleExpressionProblem`, with the AWS pages it follows: six
 * fields, `minutes hours day-of-month month day-of-week year`, day-of-week 1-7 or SUN-SAT (1 is Sunday),
 * one of the two day fields `?`. cron-parser reads the 5-field Unix form: day-of-week 0-7 (0 and 7
 * Sunday), `nL` the last weekday n of the month, `n#k` the k-th, `L` the last day of the month; no year,
 * no `W`. `translate` maps a valid EventBridge expression onto it.
 */

/**
 * The counting window: 2097-01-01 to 2103-12-31 UTC, seven common years in a row (2100 is not a leap
 * year), so 2,555 days = 365 weeks = 61,320 hours = 84 months of 730 hours. Whole weeks make each
 * day of the week as frequent as in an average month (5/7 of the days are weekdays); whole common years
 * make each day of the month as frequent as a 365-day year has it (the 31st 7 times in 12 months, the
 * 1st and the last day once a month); and the seven years start on the seven weekdays, so the n-th or
 * last Friday fall as often as in a 365-day year, whatever weekday it starts on. The dates lie
 * inside EventBridge's year range (1970-2199); what is counted does not depend on them being future. The
 * window holds no 29 February, so a schedule on that date alone counts as never (it fires in 1 month of 48).
 */
export const CRON_WINDOW = { start: Date.UTC(2097, 0, 1), days: 2555 } as const;
const DAY_MS = 86_400_000;

/** Fires in the window, by expression (the bench prices the same few schedules in every synth). */
const cache = new Map<string, number>();

/**
 * Fires per month of `hoursPerMonth` hours of an EventBridge `cron(...)` expression, in UTC: (fires a
 * day, from the minutes and hours fields as cron-parser expands them) x (days of the window whose date
 * cron-parser matches to the day-of-month, month and day-of-week fields) / the window's months. Exact for
 * a 730-hour month (the window is 84 of them). The year field is checked, then read as every year: the
 * figure is an average month of a schedule that keeps firing (an upper bound for one limited to some
 * years). A schedule's own time zone is not applied: a daylight-saving change moves its fires, it does not
 * change how many there are in a month (bar the one skipped or repeated hour a year).
 * @throws BenchInputError naming the field and what EventBridge or cron-parser takes instead.
 */
export function cronFiresPerMonth(expression: string, hoursPerMonth: number): number {
  const text = expression.trim();
  let fires = cache.get(text);
  if (fires === undefined) {
    fires = firesInWindow(text);
    cache.set(text, fires);
  }
  return (fires * hoursPerMonth) / (CRON_WINDOW.days * 24);
}

/**
 * An EventBridge `cron(...)` expression as the five fields cron-parser counts with (minutes hours
 * day-of-month month day-of-week, the year dropped once checked). @throws BenchInputError
 */
export function cronParserFields(expression: string): string {
  return translate(expression.trim()).join(' ');
}

function firesInWindow(expression: string): number {
  const [minutes, hours, dayOfMonth, month, dayOfWeek] = translate(expression);
  const perDay = parse(expression, `0 ${minutes} ${hours} * * *`, `its minutes and hours, read by cron-parser as "${minutes} ${hours}"`).fields;
  const days = parse(expression, `0 0 0 ${dayOfMonth} ${month} ${dayOfWeek}`, `its day-of-month, month and day-of-week, read by cron-parser as "${dayOfMonth} ${month} ${dayOfWeek}" (day-of-week 0-6 = SUN-SAT there)`);
  let matchingDays = 0;
  for (let d = 0; d < CRON_WINDOW.days; d++) if (days.includesDate(new Date(CRON_WINDOW.start + d * DAY_MS))) matchingDays++;
  return perDay.minute.values.length * perDay.hour.values.length * matchingDays;
}

/** cron-parser's reading of `unix` (seconds first, as its strict mode wants six fields), in UTC. @throws BenchInputError saying which fields it could not read */
function parse(expression: string, unix: string, what: string): CronExpression {
  try {
    return CronExpressionParser.parse(unix, { tz: 'UTC', strict: true });
  } catch (e) {
    throw new BenchInputError(`cannot count cron expression "${expression}": ${what}: ${(e as Error).message}`);
  }
}

/** The six EventBridge fields as cron-parser's minutes, hours, day-of-month, month and day-of-week. @throws BenchInputError */
function translate(expression: string): [string, string, string, string, string] {
  const inner = /^cron\((.+)\)$/.exec(expression);
  if (!inner) throw new BenchInputError(`"${expression}" is not a cron(...) expression`);
  const fields = inner[1].trim().split(/\s+/);
  if (fields.length !== 6) throw new BenchInputError(`cron expression "${expression}" has ${fields.length} fields, EventBridge's have 6 (minutes hours day-of-month month day-of-week year)`);
  // What EventBridge takes, as the app's schedules are checked (domain/schedules.ts): one owner of the rules.
  const problem = scheduleExpressionProblem(expression);
  if (problem) throw new BenchInputError(`cannot count cron expression ${problem}`);
  const [minutes, hours, dom, month, dow] = fields;
  return [minutes, hours, dayOfMonth(dom), month, dayOfWeek(dow)];
}

/**
 * Day-of-month for counting. `nW` (the weekday nearest the n-th, in the same month) and `LW` (the last
 * weekday) fire once in each month that has the n-th, as `n` and `L` do, so they count as those: the
 * number of fires is the same, only the date moves. (EventBridge takes W only after a single day or L.)
 */
function dayOfMonth(field: string): string {
  return field === '?' ? '*' : field.replace(/W$/, '');
}

/**
 * Day-of-week for counting: EventBridge's 1-7 (1 is Sunday) as cron-parser's 0-6, names as they are
 * (cron-parser reads SUN-SAT the same way), `L` alone (the last day of the week) as Saturday, `nL` and
 * `n#k` with n shifted the same way.
 */
function dayOfWeek(field: string): string {
  if (field === '?' || field === '*') return '*';
  const shift = (day: string): string => {
    if (!/^\d+$/.test(day)) return day;
    return String(Number(day) - 1);
  };
  return field
    .split(',')
    .map((item) => {
      if (item === 'L') return '6';
      const nth = /^(\w+)#(\d+)$/.exec(item);
      if (nth) return `${shift(nth[1])}#${nth[2]}`;
      const last = /^(\d+)L$/.exec(item);
      if (last) return `${shift(last[1])}L`;
      return item.split('-').map(shift).join('-');
    })
    .join(',');
}
