import { awsEvent } from './helpers';
import { handler, debounceSeconds, describeChange } from '../../functions/parse-parameter-change';
import { classifyParameter } from '../../functions/shared/app-parameters';

const APP = '/slipway/apps/example';

function event(name: string, operation = 'Update'): Record<string, unknown> {
  const e = awsEvent<Record<string, unknown>>('ssm-parameter-update.json');
  return { ...e, detail: { ...(e.detail as object), name, operation } };
}

describe('classifyParameter', () => {
  test.each([
    [`${APP}/config/DATABASE_URL`, { kind: 'config', key: 'DATABASE_URL' }],
    [`${APP}/config/_private_1`, { kind: 'config', key: '_private_1' }],
    [`${APP}/schedules`, { kind: 'schedules' }],
  ])('%s is %j', (name, expected) => {
    expect(classifyParameter(name, APP)).toEqual(expected);
  });

  test.each([
    ['foo', 'is not under'],
    ['/slipway/apps/example-2/config/A', 'is not under'],
    [`${APP}/other`, 'neither a config key'],
    [`${APP}/config/A.B`, 'not a valid name'],
    [`${APP}/config/../config/A`, 'not a valid name'],
    [`${APP}/config/${'A'.repeat(129)}`, 'not a valid name'],
    [`${APP}/config/PORT`, 'set by Slipway itself'],
  ])('%s is ignored (%s)', (name, reason) => {
    const kind = classifyParameter(name, APP);
    expect(kind.kind).toBe('ignored');
    expect(kind.kind === 'ignored' && kind.reason).toContain(reason);
  });
});

describe('debounceSeconds', () => {
  test('defaults to 30 s', () => {
    expect(debounceSeconds(undefined)).toBe(30);
  });

  test.each(['-1', '3601', '1.5', 'soon'])('refuses %s', (v) => {
    expect(() => debounceSeconds(v)).toThrow(RangeError);
  });
});

describe('describeChange', () => {
  test('a claim is stale after the debounce, two hours of waiting and ten minutes of margin', () => {
    const now = Date.parse('2026-01-01T12:00:00Z');
    const c = describeChange(`${APP}/config/A`, 'Create', APP, 30, now);

    expect([c.claimedAt, c.staleBefore]).toEqual(['2026-01-01T12:00:00.000Z', '2026-01-01T09:49:30.000Z']);
  });
});

describe('handler', () => {
  beforeEach(() => {
    process.env.PARAMETER_PATH = APP;
    process.env.DEBOUNCE_SECONDS = '12';
  });

  test('a config key change of the real sample event shape is a config change with the key', async () => {
    const out = await handler(event(`${APP}/config/API_TOKEN`, 'Create'));

    expect(out).toMatchObject({ kind: 'config', key: 'API_TOKEN', operation: 'Create', debounceSeconds: 12, maxWaits: 240 });
  });

  test('an event of another source is InvalidInput naming the field', async () => {
    await expect(handler({ ...event(`${APP}/config/A`), source: 'aws.ec2' })).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('source') });
  });
});
