import { BUILD_SORT_KEY_DIGITS, WAITER_TTL_SECONDS } from '../../domain/constants';
// prettier-ignore
import { BUILD_PK, buildKeysOf, buildRecordKey, buildSortKey, CONFIG_REDEPLOY_CLAIM, DEPLOY_CLAIM, dynamoKey, executionMarkerKey, expiresAt, readBuildRecord, readCurrentRelease, readDeployClaim, readProcessList, RELEASE_CURRENT, SETTINGS_KEY, waiterKey, waiterSortKeyPrefix } from '../../domain/table';

describe('build sort keys', () => {
  test('a build number is zero-padded to 10 digits, so that builds sort by number', () => {
    expect(BUILD_SORT_KEY_DIGITS).toBe(10);
    expect(buildSortKey('42')).toBe('0000000042');
    expect(buildSortKey('9999999999')).toBe('9999999999');
    expect([buildSortKey('9'), buildSortKey('10'), buildSortKey('100')].sort()).toEqual(['0000000009', '0000000010', '0000000100']);
  });

  test('a uuid build key is its own sort key', () => {
    const uuid = '6e2b3c1a-1111-2222-3333-444455556666';
    expect(buildSortKey(uuid)).toBe(uuid);
  });

  test('buildKeysOf: the build number when CodeBuild gives one, else the uuid at the end of the build id', () => {
    expect(buildKeysOf(7, 'slipway-web:6e2b3c1a-1111-2222-3333-444455556666')).toEqual({ buildKey: '7', sortKey: '0000000007' });
    expect(buildKeysOf(undefined, 'slipway-web:6e2b3c1a-1111-2222-3333-444455556666')).toEqual({
      buildKey: '6e2b3c1a-1111-2222-3333-444455556666',
      sortKey: '6e2b3c1a-1111-2222-3333-444455556666',
    });
  });

  test("a build's record key", () => {
    expect(buildRecordKey('42')).toEqual({ pk: BUILD_PK, sk: '0000000042' });
    expect(dynamoKey(buildRecordKey('42'))).toEqual({ pk: { S: 'BUILD' }, sk: { S: '0000000042' } });
  });
});

describe('fixed item keys', () => {
  test('each item has its own key', () => {
    const keys = [RELEASE_CURRENT, DEPLOY_CLAIM, CONFIG_REDEPLOY_CLAIM, SETTINGS_KEY].map((k) => `${k.pk}/${k.sk}`);
    expect(keys).toEqual(['RELEASE/CURRENT', 'APP/DEPLOY', 'CONFIG/REDEPLOY', 'APP/SETTINGS']);
    expect(new Set(keys).size).toBe(keys.length);
  });

  test('an execution marker is keyed by the execution ARN', () => {
    const arn = 'arn:aws:states:eu-west-1:123456789012:execution:slipway-main-deploy:web--42-deploy';
    expect(dynamoKey(executionMarkerKey(arn))).toEqual({ pk: { S: 'EXECUTION' }, sk: { S: arn } });
  });

  test("a waiter is keyed by service and deployment, and a service's waiters share a prefix", () => {
    const key = waiterKey('web-worker', 'ecs-svc/123');
    expect(key).toEqual({ pk: 'WAITER', sk: 'web-worker#ecs-svc/123' });
    expect(key.sk.startsWith(waiterSortKeyPrefix('web-worker'))).toBe(true);
    // Another service whose name starts the same way is not under the prefix.
    expect(waiterKey('web-worker2', 'ecs-svc/1').sk.startsWith(waiterSortKeyPrefix('web-worker'))).toBe(false);
  });
});

describe('TTL values', () => {
  test('epoch seconds after the given time, whole seconds', () => {
    expect(expiresAt(new Date('2026-11-20T12:00:00.900Z'), WAITER_TTL_SECONDS)).toEqual({ N: String(Date.parse('2026-11-20T12:00:00Z') / 1000 + 2 * 86400) });
    expect(expiresAt(1000, 60)).toEqual({ N: '61' });
  });
});

/** A DynamoDB item of string attributes, as GetItem returns it. */
const stringItem = (fields: Record<string, string>) => Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, { S: v }]));

describe('readDeployClaim', () => {
  test('no item, or an item without a build sort key, is no claim', () => {
    expect(readDeployClaim(undefined)).toBeUndefined();
    expect(readDeployClaim({ pk: { S: 'APP' }, sk: { S: 'DEPLOY' }, buildKey: { S: '42' } })).toBeUndefined();
  });

  test('reads the build that holds the app and the execution that claimed it', () => {
    expect(readDeployClaim({ pk: { S: 'APP' }, sk: { S: 'DEPLOY' }, buildKey: { S: '42' }, buildSortKey: { S: '0000000042' }, execution: { S: 'arn:exec' } })).toEqual({ buildKey: '42', buildSortKey: '0000000042', execution: 'arn:exec' });
    expect(readDeployClaim({ buildKey: { S: '42' }, buildSortKey: { S: '0000000042' } })).toEqual({ buildKey: '42', buildSortKey: '0000000042' });
  });
});

describe('readCurrentRelease', () => {
  test('no item, or one without a build key, is no release', () => {
    expect(readCurrentRelease(undefined)).toBeUndefined();
    expect(readCurrentRelease({ processes: { S: '[]' } })).toBeUndefined();
  });

  test('reads what the deploy machine writes', () => {
    const fields = { buildKey: '42', buildSortKey: '0000000042', image: 'repo:build-42', commit: 'abc', processes: '[{"process":"web","taskDefinitionArn":"arn:td:1"}]', execution: 'arn:exec', releasedAt: '2026-11-20T12:00:00Z' };
    expect(readCurrentRelease(stringItem({ pk: 'RELEASE', sk: 'CURRENT', ...fields }))).toEqual(fields);
  });

  test('an item written before buildSortKey was stored gets it from its build key', () => {
    expect(readCurrentRelease({ buildKey: { S: '7' } })).toEqual({ buildKey: '7', buildSortKey: '0000000007' });
  });
});

describe('readBuildRecord', () => {
  test('reads what the build machine records and the deploy machine and execution-status add', () => {
    const fields = { buildKey: '42', status: 'SUCCEEDED', image: 'repo:build-42', releasedAt: '2026-11-20T12:00:00Z', failedExecution: 'arn:exec' };
    const record = readBuildRecord(stringItem({ pk: 'BUILD', sk: '0000000042', ...fields, releaseProcesses: '[{"process":"web","taskDefinitionArn":"arn:td:1"},{"process":7}]' }));
    expect(record).toMatchObject({ sortKey: '0000000042', ...fields });
    expect(record.releaseProcesses).toEqual([{ process: 'web', taskDefinitionArn: 'arn:td:1' }]);
  });

  test('a record without buildKey gets it from its sort key, without the padding', () => {
    expect(readBuildRecord({ sk: { S: '0000000042' } }).buildKey).toBe('42');
    expect(readBuildRecord({ sk: { S: '0000000000' } }).buildKey).toBe('0');
  });

  test('a process list that is not JSON, or not a list, is no list', () => {
    expect(readProcessList(undefined)).toBeUndefined();
    expect(readProcessList('not json')).toBeUndefined();
    expect(readProcessList('{"process":"web"}')).toBeUndefined();
  });
});
