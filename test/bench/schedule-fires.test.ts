import { firesPerMonth } from '../../bench/idle-cost';
import { cronParserFields } from '../../bench/schedule-fires';
import { BenchInputError } from '../../bench/stats';

/**
 * EventBridge cron expressions counted through firesPerMonth (the path idle cost takes), per month of
 * 730 hours. Expected values are worked out by hand from the calendar: a 730-hour month is 1/12 of a
 * 365-day year, 365/12 days; the counting window is 7 common years (84 such months, 365 weeks).
 */
const DAYS_PER_MONTH = 730 / 24;

describe('firesPerMonth: cron expressions counted with cron-parser', () => {
  test('a day of the month: the 1st once a month; the 31st in 7 months of 12; the last day (L) once a month', () => {
    expect(firesPerMonth('cron(0 0 1 * ? *)')).toBeCloseTo(1, 10);
    expect(firesPerMonth('cron(30 12 31 * ? *)')).toBeCloseTo(7 / 12, 10);
    expect(firesPerMonth('cron(0 23 L * ? *)')).toBeCloseTo(1, 10);
  });

  test('months: the 1st of January and July is 2 fires in 12 months, by name or number; a step of 3 months is 4 in 12', () => {
    expect(firesPerMonth('cron(0 0 1 JAN,JUL ? *)')).toBeCloseTo(2 / 12, 10);
    expect(firesPerMonth('cron(0 0 1 1,7 ? *)')).toBeCloseTo(2 / 12, 10);
    expect(firesPerMonth('cron(0 0 1 1/3 ? *)')).toBeCloseTo(4 / 12, 10);
  });

  test('the window holds no leap day: the 29th of February counts as never (it fires 1/48 of the months)', () => {
    expect(firesPerMonth('cron(0 0 29 FEB ? *)')).toBe(0);
  });

  test('W: the weekday nearest the 15th, and the last weekday (LW), fire once a month like the day they name', () => {
    expect(firesPerMonth('cron(0 8 15W * ? *)')).toBeCloseTo(1, 10);
    expect(firesPerMonth('cron(0 8 LW * ? *)')).toBeCloseTo(1, 10);
  });

  test('day-of-week numbers are EventBridge\'s 1-7 with 1 Sunday: 2-6 is MON-FRI, 1 is SUN, 7 is SAT', () => {
    const weekdays = (DAYS_PER_MONTH * 5) / 7;
    expect(firesPerMonth('cron(0 8 ? * 2-6 *)')).toBeCloseTo(weekdays, 10);
    expect(firesPerMonth('cron(0 8 ? * MON-FRI *)')).toBeCloseTo(weekdays, 10);
    expect(firesPerMonth('cron(0 8 ? * 1 *)')).toBeCloseTo(DAYS_PER_MONTH / 7, 10);
    expect(firesPerMonth('cron(0 8 ? * SUN *)')).toBeCloseTo(DAYS_PER_MONTH / 7, 10);
    expect(firesPerMonth('cron(0 8 ? * 1,7 *)')).toBeCloseTo((DAYS_PER_MONTH * 2) / 7, 10);
  });

  test('L and # in day-of-week: the last Friday (6L) and the third Friday (6#3, FRI#3) once a month; L alone is Saturday', () => {
    expect(firesPerMonth('cron(0 17 ? * 6L *)')).toBeCloseTo(1, 10);
    expect(firesPerMonth('cron(0 17 ? * 6#3 *)')).toBeCloseTo(1, 10);
    expect(firesPerMonth('cron(0 17 ? * FRI#3 *)')).toBeCloseTo(1, 10);
    expect(firesPerMonth('cron(0 17 ? * L *)')).toBeCloseTo(DAYS_PER_MONTH / 7, 10);
  });

  test('a fifth Monday (2#5): a month of n days has one in n - 28 of the 7 weekdays it can start on, so a 365-day year has 365 - 12 x 28 = 29 in 7 years', () => {
    // The window's seven common years start on the seven weekdays, so each month starts once on each.
    expect(firesPerMonth('cron(0 0 ? * 2#5 *)')).toBeCloseTo(29 / 84, 10);
  });

  test('minutes and hours: every minute of hour 8 on weekdays is 60 a day; every 10th minute from 1 (1, 11, ..., 51) of every hour is 144 a day', () => {
    expect(firesPerMonth('cron(* 8 ? * MON-FRI *)')).toBeCloseTo((60 * DAYS_PER_MONTH * 5) / 7, 10);
    expect(firesPerMonth('cron(1/10 * * * ? *)')).toBeCloseTo(144 * DAYS_PER_MONTH, 10);
    expect(firesPerMonth('cron(0,30 9-17 ? * MON-FRI *)')).toBeCloseTo((2 * 9 * DAYS_PER_MONTH * 5) / 7, 10);
  });

  test('the year field is checked, then read as every year (the figure is an average month)', () => {
    expect(firesPerMonth('cron(0 0 * * ? 2030)')).toBeCloseTo(DAYS_PER_MONTH, 10);
    expect(firesPerMonth('cron(0 0 * * ? 2030-2035/2,2040)')).toBeCloseTo(DAYS_PER_MONTH, 10);
    expect(() => firesPerMonth('cron(0 0 * * ? 1969)')).toThrow("Number '1969' of years field is smaller than lower limit '1970'");
  });

  test('what EventBridge would refuse, or cron-parser cannot read, is a BenchInputError naming the field', () => {
    // The messages are domain/schedules.ts's, which checks the app's schedules the same way.
    const refused: [string, string][] = [
      ['cron(0 8 ? * 0 *)', "Number '0' of daysOfWeek field is smaller than lower limit '1'"],
      ['cron(0 8 ? * 8 *)', "Number '8' of daysOfWeek field is bigger than upper limit '7'"],
      ['cron(H 8 * * ? *)', "Element 'H' of minutes field is invalid"],
      ['cron(0 8 * * MON *)', 'Cannot specify both daysOfMonth and daysOfWeek'],
      ['cron(0 8 ? * ? *)', 'Cannot use blank value in daysOfMonth and daysOfWeek'],
      ['cron(0 25 * * ? *)', "Number '25' of hours field is bigger than upper limit '23'"],
      ['cron(0 8 1,15W * ? *)', 'Cannot specify nearest weekday with lists'],
      ['cron(0 8 ? * MON/2 *)', 'the day-of-week field "MON/2" has characters EventBridge does not take there'],
      ['cron(0 8 ? * 2#1,4#1 *)', 'Cannot specify Nth weekday of month with lists'],
    ];
    for (const [expression, message] of refused) {
      expect(() => firesPerMonth(expression)).toThrow(BenchInputError);
      expect(() => firesPerMonth(expression)).toThrow(message);
    }
  });
});

describe('cronParserFields: EventBridge\'s fields as cron-parser reads them', () => {
  test.each([
    ['cron(0 8 ? * 2-6 *)', '0 8 * * 1-5', 'EventBridge MON-FRI (2-6) is cron-parser 1-5, "?" is "*", the year dropped'],
    ['cron(0 8 ? * 1,7 *)', '0 8 * * 0,6', 'Sunday and Saturday'],
    ['cron(0 8 ? * MON-FRI 2030)', '0 8 * * MON-FRI', 'names as they are (cron-parser numbers them 1-5)'],
    ['cron(0 17 ? * 6L *)', '0 17 * * 5L', 'the last Friday'],
    ['cron(0 17 ? * 6#3 *)', '0 17 * * 5#3', 'the third Friday'],
    ['cron(0 17 ? * L *)', '0 17 * * 6', 'L alone: the last day of the week, Saturday'],
    ['cron(0 8 15W * ? *)', '0 8 15 * *', 'W counted as the day it names'],
    ['cron(0 8 LW JAN ? *)', '0 8 L JAN *', 'LW counted as L'],
    ['cron(0/15 * * * ? *)', '0/15 * * * *', 'minutes, hours and month unchanged'],
  ])('%s -> %s (%s)', (expression, fields) => {
    expect(cronParserFields(expression)).toBe(fields);
  });
});
