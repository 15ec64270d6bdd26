import { cronExpression, DEFAULT_SCALE_SCHEDULE, isScheduledOff, isTimeZone, localMinuteOfWeek } from '../../domain/scale-schedule';

const PARIS = { ...DEFAULT_SCALE_SCHEDULE, timeZone: 'Europe/Paris' };

describe('cronExpression', () => {
  it('writes minutes, hours and the days in week order', () => {
    expect(cronExpression('18:05', ['FRI', 'MON', 'WED'])).toBe('cron(5 18 ? * MON,WED,FRI *)');
  });

  it('writes midnight as hour 0', () => {
    expect(cronExpression('00:00', ['SUN'])).toBe('cron(0 0 ? * SUN *)');
  });
});

describe('isTimeZone', () => {
  it.each([
    ['Europe/Paris', true],
    ['UTC', true],
    ['America/New_York', true],
    ['Mars/Olympus_Mons', false],
    ['CET+1', false],
  ])('%s is %s', (tz, expected) => {
    expect(isTimeZone(tz)).toBe(expected);
  });
});

describe('localMinuteOfWeek', () => {
  it('reads the wall clock of the time zone, not UTC', () => {
    // 2026-07-06 is a Monday; 16:30 UTC is 18:30 in Paris (CEST, UTC+2).
    expect(localMinuteOfWeek(new Date('2026-07-06T16:30:00Z'), 'Europe/Paris')).toBe(1 * 1440 + 18 * 60 + 30);
  });
});

describe('isScheduledOff (18:00-08:00 on weekdays)', () => {
  it.each([
    ['Monday 10:00 Paris', '2026-07-06T08:00:00Z', false],
    ['Monday 18:00 Paris, the stop minute', '2026-07-06T16:00:00Z', true],
    ['Monday 17:59 Paris', '2026-07-06T15:59:00Z', false],
    ['Tuesday 03:00 Paris', '2026-07-06T01:00:00Z', true],
    ['Tuesday 08:00 Paris, the start minute', '2026-07-07T06:00:00Z', false],
    ['Saturday noon (Friday\'s stop holds)', '2026-07-11T10:00:00Z', true],
    ['Monday 07:59 Paris (still the weekend\'s stop)', '2026-07-06T05:59:00Z', true],
  ])('%s: %s', (_what, iso, expected) => {
    expect(isScheduledOff(PARIS, new Date(iso))).toBe(expected);
  });

  it('follows daylight saving time: 18:30 Paris in winter is 17:30 UTC', () => {
    // 2026-01-05 is a Monday (CET, UTC+1).
    expect(isScheduledOff(PARIS, new Date('2026-01-05T17:30:00Z'))).toBe(true);
  });

  it('holds nothing down when stop and start coincide', () => {
    expect(isScheduledOff({ ...PARIS, startAt: '18:00' }, new Date('2026-07-06T20:00:00Z'))).toBe(false);
  });

  it('handles a stop after midnight (stop 01:00, start 07:00, every day)', () => {
    const night = { timeZone: 'UTC', days: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const, stopAt: '01:00', startAt: '07:00' };
    expect(isScheduledOff(night, new Date('2026-07-08T02:00:00Z'))).toBe(true);
    expect(isScheduledOff(night, new Date('2026-07-08T23:00:00Z'))).toBe(false);
  });
});
