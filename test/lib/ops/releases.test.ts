import { GetItemCommand, QueryCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { releaseAttributes, releaseKey, type ReleaseRecord } from '../../../domain/releases';
import { dynamoKey } from '../../../domain/table';
import { rollback } from '../../../lib/ops/rollback';
import { listReleases, parseReleaseNumber, renderReleases } from '../../../lib/ops/releases';
import { ACCOUNT, clients, fakeClock, mockApp, mocks, REGION, TABLE, tdArn } from './task-fixtures';

/**
 * `slipway releases` and `slipway rollback --to v<n>` against mocked AWS (aws-sdk-client-mock): the
 * numbered releases the deploy records (test/statemachines/releases.test.ts runs the recording through
 * the real ASL), listed newest first with the current one marked, and one deployed again with its
 * build and its revisions (its config).
 */

const S = (v: string): AttributeValue => ({ S: v });
const EXEC = (name: string) => `arn:aws:states:${REGION}:${ACCOUNT}:execution:slipway-production-deploy:${name}`;
const release = (number: number, build: string, trigger: ReleaseRecord['trigger'], revision: number, configVersion: number, extra: Partial<ReleaseRecord> = {}): Record<string, AttributeValue> => ({
  ...dynamoKey(releaseKey(number)),
  ...releaseAttributes({
    number,
    buildKey: build,
    buildSortKey: build.padStart(10, '0'),
    image: `repo:build-${build}`,
    commit: `${build}abcdef0123456789`,
    processes: [
      { process: 'web', taskDefinitionArn: tdArn('web', revision) },
      { process: 'worker', taskDefinitionArn: tdArn('worker', revision) },
    ],
    configVersion,
    trigger,
    execution: EXEC(`example--${build}-${number}`),
    releasedAt: `2026-11-2${number}T10:00:00.000Z`,
    ...extra,
  }),
});
/** v1 push of 41, v2 push of 42, v3 config change of 42 (current). */
const RELEASES = [release(3, '42', 'config change', 8, 2), release(2, '42', 'push', 7, 1), release(1, '41', 'push', 6, 1)];
const BUILD = (key: string): Record<string, AttributeValue> => ({ pk: S('BUILD'), sk: S(key.padStart(10, '0')), buildKey: S(key), status: S('SUCCEEDED'), image: S(`repo:build-${key}`), releasedAt: S('2026-11-22T10:00:00.000Z') });

beforeEach(() => {
  mockApp();
  mocks.dynamodb.on(QueryCommand).resolves({ Items: RELEASES });
  mocks.dynamodb.on(GetItemCommand).callsFake(async (input: { Key: { pk: { S: string }; sk: { S: string } } }) => {
    const { pk, sk } = { pk: input.Key.pk.S, sk: input.Key.sk.S };
    if (pk === 'RELEASE' && sk === 'CURRENT') return { Item: { pk: S('RELEASE'), sk: S('CURRENT'), buildKey: S('42'), buildSortKey: S('0000000042'), execution: S(EXEC('example--42-3')) } };
    if (pk === 'RELEASES') return { Item: RELEASES.find((r) => r.sk.S === sk) };
    if (pk === 'BUILD') return { Item: BUILD(sk.replace(/^0+/, '')) };
    return {};
  });
  mocks.sfn.on(StartExecutionCommand).callsFake(async (input: { name: string }) => ({ executionArn: EXEC(input.name), startDate: new Date('2026-11-29T12:00:00Z') }));
});

describe('slipway releases', () => {
  test('newest first, each with its build, config version, time and trigger, the current one marked', async () => {
    const out = await listReleases(clients, 'example');

    expect(out.current).toBe(3);
    expect(out.releases.map((r) => [r.name, r.build, r.configVersion, r.by, r.current])).toEqual([
      ['v3', '42', 2, 'config change', true],
      ['v2', '42', 1, 'push', false],
      ['v1', '41', 1, 'push', false],
    ]);
    // Read from the app's own table, newest first.
    const query = mocks.dynamodb.commandCalls(QueryCommand)[0].args[0].input;
    expect(query).toMatchObject({ TableName: TABLE, ExpressionAttributeValues: { ':pk': { S: 'RELEASES' } }, ScanIndexForward: false });
    const text = renderReleases(out);
    expect(text.split('\n')[0]).toMatch(/^\* v3 {2}build 42 {2}config 2 {2}2026-11-23T10:00:00Z {2}config change {2}42abcde$/);
    expect(text).toContain('slipway rollback example --to v<n>');
  });

  test('--limit stops reading after that many', async () => {
    const out = await listReleases(clients, 'example', { limit: 2 });
    expect(out.releases.map((r) => r.name)).toEqual(['v3', 'v2']);
    await expect(listReleases(clients, 'example', { limit: 0 })).rejects.toThrow('--limit must be a whole number from 1 to 1000');
  });

  test('an app without numbered releases says when the first comes', async () => {
    mocks.dynamodb.on(QueryCommand).resolves({ Items: [] });
    const out = await listReleases(clients, 'example');
    expect(out).toEqual({ app: 'example', current: null, releases: [] });
    expect(renderReleases(out)).toContain('records v1');
  });
});

describe('slipway rollback --to v<n>', () => {
  test('deploys the release again: its build and its own revisions (its config), not the build\'s latest ones', async () => {
    const out = await rollback(clients, 'example', 'v2', { clock: fakeClock() });

    expect(out).toMatchObject({ kind: 'rollback', build: '42', release: 2, force: true });
    const started = mocks.sfn.commandCalls(StartExecutionCommand)[0].args[0].input;
    const input = JSON.parse(started.input ?? '{}') as { build: { buildKey: string }; processes: { name: string; taskDefinitionArn: string }[]; force: boolean };
    expect(input.build.buildKey).toBe('42');
    expect(input.processes).toEqual([
      { name: 'web', taskDefinitionArn: tdArn('web', 7) },
      { name: 'worker', taskDefinitionArn: tdArn('worker', 7) },
    ]);
    expect(started.name).toMatch(/^example--42-rollback-\d{8}T\d{6}Z$/);
  });

  test('the current release, a release not recorded, and v0 are refused before any deploy', async () => {
    await expect(rollback(clients, 'example', 'v3', { clock: fakeClock() })).rejects.toThrow('release v3 is already the current release of "example"');
    await expect(rollback(clients, 'example', 'v9', { clock: fakeClock() })).rejects.toThrow('release v9 of app "example" is not recorded (see slipway releases example)');
    expect(() => parseReleaseNumber('v0')).toThrow('releases are numbered from v1');
    expect(parseReleaseNumber('41')).toBeUndefined();
    expect(mocks.sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });
});
