/**
 * The scale-to-zero schedule of a non-production app: its services scale to zero at `stopAt` and back to
 * their configured range at `startAt`, on `days`, in `timeZone` (an IANA name such as `Europe/Paris`).
 * Pure helpers shared by the config validation, the deploy's `update-service` handler and the docs.
 */

/** Days as Application Auto Scaling's cron expressions name them, Sunday first (as `Date#getDay`). */
export const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** `HH:MM`, 24-hour. */
export const TIME_OF_DAY = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** The schedule as the settings record holds it. */
export interface ScaleSchedule {
  readonly timeZone: string;
  readonly days: readonly Weekday[];
  /** Local time the services scale to zero, `HH:MM`. */
  readonly stopAt: string;
  /** Local time the services scale back to their range, `HH:MM`. */
  readonly startAt: string;
}

/** The default schedule of a non-production app: off 18:00-08:00 on weekdays (and all weekend), UTC. */
export const DEFAULT_SCALE_SCHEDULE: ScaleSchedule = { timeZone: 'UTC', days: ['MON', 'TUE', 'WED', 'THU', 'FRI'], stopAt: '18:00', startAt: '08:00' };

/** Whether `timeZone` is an IANA time-zone name this runtime (and so Application Auto Scaling) knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

function minutesOf(time: string): number {
  const m = TIME_OF_DAY.exec(time);
  if (!m) throw new RangeError(`"${time}" is not a time of day (HH:MM)`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** Application Auto Scaling `cron(...)` expression for `time` on `days` (evaluated in the action's time zone). */
export function cronExpression(time: string, days: readonly Weekday[]): string {
  const minutes = minutesOf(time);
  const ordered = WEEKDAYS.filter((d) => days.includes(d));
  return `cron(${minutes % 60} ${Math.floor(minutes / 60)} ? * ${ordered.join(',')} *)`;
}

/** Minutes since Sunday 00:00 of `at`, on the wall clock of `timeZone`. */
export function localMinuteOfWeek(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const day = WEEKDAYS.indexOf(get('weekday').toUpperCase() as Weekday);
  return day * 1440 + Number(get('hour')) * 60 + Number(get('minute'));
}

/**
 * Whether the schedule has the services at zero at `at`: the last scheduled action at or before `at`
 * (looking back over the week) is the stop. Friday's stop therefore holds through the weekend until
 * Monday's start. A schedule whose stop and start coincide never holds anything down.
 */
export function isScheduledOff(schedule: ScaleSchedule, at: Date): boolean {
  const stop = minutesOf(schedule.stopAt);
  const start = minutesOf(schedule.startAt);
  if (stop === start || schedule.days.length === 0) return false;
  const now = localMinuteOfWeek(at, schedule.timeZone);
  const week = 7 * 1440;
  let latest: { ago: number; off: boolean } | undefined;
  for (const day of schedule.days) {
    const base = WEEKDAYS.indexOf(day) * 1440;
    for (const [minute, off] of [[base + stop, true], [base + start, false]] as const) {
      const ago = (now - minute + week) % week;
      if (!latest || ago < latest.ago) latest = { ago, off };
    }
  }
  return latest?.off ?? false;
}
