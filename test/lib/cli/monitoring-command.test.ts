import { UsageError } from '../../../lib/cli/errors';
import { describeAwsError } from '../../../lib/ops/aws-errors';
import { formatAlarms, formatScale, parseRange } from '../../../lib/cli/monitoring-command';

/** What `slipway scale` and `slipway alarms` parse and print (their operations: test/lib/ops/scaling.test.ts, alarms.test.ts). */

describe('parseRange', () => {
  it.each([
    ['3', { min: 3, max: 3 }],
    ['2-6', { min: 2, max: 6 }],
    ['0', { min: 0, max: 0 }],
    ['0-4', { min: 0, max: 4 }],
  ])('%s is %j', (text, range) => {
    expect(parseRange(text)).toEqual(range);
  });

  it.each([
    ['6-2', 'the minimum (6) is above the maximum (2)'],
    ['two', 'is not a task count or range'],
    ['-1', 'is not a task count or range'],
    ['1-2000', 'at most 1000 tasks'],
  ])('refuses %s with a UsageError saying %s', (text, message) => {
    expect(() => parseRange(text)).toThrow(UsageError);
    expect(() => parseRange(text)).toThrow(message);
  });
});

describe('formatAlarms', () => {
  it('counts the alarms in ALARM and shows the reason of those not OK', () => {
    const text = formatAlarms('example', [
      { name: 'slipway-example-deploy-failed', state: 'ALARM', reason: 'Threshold Crossed: 1 datapoint [1.0] was >= 1.0', since: '2026-07-07T10:00:00.000Z' },
      { name: 'slipway-example--web-cpu', state: 'OK', reason: 'fine', since: '2026-07-07T09:00:00.000Z' },
    ]);
    expect(text.split('\n')[0]).toBe('example: 2 alarms, 1 in ALARM');
    expect(text).toContain('Threshold Crossed: 1 datapoint [1.0] was >= 1.0');
    expect(text).not.toContain('fine');
  });

  it('lines the states up by terminal columns, whatever the names are written in', () => {
    // CloudWatch alarm names may be any Unicode: 警報 is two East Asian Wide characters, 4 columns (UAX #11).
    const text = formatAlarms('example', [
      { name: '警報', state: 'OK', reason: '', since: undefined },
      { name: 'abcd', state: 'OK', reason: '', since: undefined },
      { name: 'a\nb', state: 'OK', reason: '', since: undefined },
    ]);

    // Each name is padded to 4 columns (the escaped "a\nb" is 4 characters), then two spaces, then the state.
    expect(text.split('\n').slice(1).map((l) => l.trimEnd())).toEqual(['✓ 警報  OK', '✓ abcd  OK', '✓ a\\nb  OK']);
  });

  it('says when no alarm was found', () => {
    expect(formatAlarms('example', [])).toContain('no alarms found for example');
  });
});

describe('describeAwsError', () => {
  it.each([
    [Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }), 'NoCredentials'],
    [Object.assign(new Error('User: arn:aws:iam::1:user/x is not authorized to perform: cloudwatch:DescribeAlarms'), { name: 'AccessDenied' }), 'AccessDenied'],
    [Object.assign(new Error('The security token included in the request is expired'), { name: 'ExpiredTokenException' }), 'CredentialsRejected'],
    [Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: {} }), 'Throttled'],
  ])('turns %p into one line named %s', (error, name) => {
    const d = describeAwsError(error);
    expect(d.name).toBe(name);
    expect(d.message).not.toContain('\n');
  });
});

describe('formatScale', () => {
  it('shows the service, the previous and new range, and how long it lasts', () => {
    const text = formatScale({ app: 'example', process: 'web', service: 'example--web', resourceId: 'service/c/example--web', previous: { min: 2, max: 6 }, range: { min: 0, max: 0 }, stored: true });
    expect(text.split('\n')[0]).toBe('example--web: 2-6 -> 0 task(s) (service/c/example--web)');
    // The scale outlasts deploys and config changes (issue 23: it used to last only until the next deploy).
    expect(text).toContain('Stored: every deploy and config change keeps 0');
    expect(text).toContain('slipway scale example web --reset');
  });
});
