import { awsError, awsEvent, setHandlerEnv, settingsInput, settingsParameterOutput, SETTINGS_PARAMETER, TABLE_NAME } from './helpers';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { ssm } from '../../functions/shared/clients';
import { handler, describeChange } from '../../functions/parse-parameter-change';
import { classifyParameter } from '../../domain/config-keys';

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

describe('describeChange', () => {
  test('a claim is stale after the debounce, two hours of waiting and ten minutes of margin', () => {
    const now = Date.parse('2026-01-01T12:00:00Z');
    const c = describeChange(`${APP}/config/A`, 'Create', APP, 30, now);

    expect([c.claimedAt, c.staleBefore]).toEqual(['2026-01-01T12:00:00.000Z', '2026-01-01T09:49:30.000Z']);
  });
});

describe('handler', () => {
  const ssmMock = mockClient(ssm as SSMClient);

  beforeEach(() => {
    ssmMock.reset();
    setHandlerEnv();
    ssmMock.on(GetParameterCommand, { Name: SETTINGS_PARAMETER }).resolves(settingsParameterOutput(settingsInput({ configDebounceSeconds: 12 })));
  });

  test("a config key change is a config change of the app the name says, with its table and its debounce window from the app's settings", async () => {
    const out = await handler(event(`${APP}/config/API_TOKEN`, 'Create'));

    expect(out).toMatchObject({ kind: 'config', app: 'example', table: TABLE_NAME, key: 'API_TOKEN', operation: 'Create', debounceSeconds: 12, maxWaits: 240 });
  });

  test("another app's change reads that app's settings: its own table and window", async () => {
    ssmMock.on(GetParameterCommand, { Name: '/slipway/apps/docs/settings' }).resolves(settingsParameterOutput(settingsInput({ app: 'docs', table: 'docs-table' })));

    const out = await handler(event('/slipway/apps/docs/config/API_TOKEN'));

    expect(out).toMatchObject({ kind: 'config', app: 'docs', table: 'docs-table', key: 'API_TOKEN', debounceSeconds: 30 });
  });

  test("a change of the app's settings parameter (its app stack deployed) syncs its schedules, no redeploy", async () => {
    const out = await handler(event(SETTINGS_PARAMETER));

    expect(out).toMatchObject({ kind: 'schedules', app: 'example', table: TABLE_NAME, name: SETTINGS_PARAMETER });
    expect(out.key).toBeUndefined();
    expect(out.reason).toBeUndefined();
  });

  test("a change of the settings of an app of another cluster is ignored: that cluster's control plane syncs it", async () => {
    ssmMock.on(GetParameterCommand, { Name: SETTINGS_PARAMETER }).resolves(settingsParameterOutput(settingsInput({ cluster: 'arn:aws:ecs:eu-west-1:123456789012:cluster/staging', controlPlane: 'staging' })));

    const out = await handler(event(SETTINGS_PARAMETER));

    expect(out).toMatchObject({ kind: 'ignored', app: 'example', reason: expect.stringContaining('served by the control plane staging') });
  });

  test("a change of an app of another cluster is ignored: that cluster's control plane handles it", async () => {
    ssmMock.on(GetParameterCommand, { Name: SETTINGS_PARAMETER }).resolves(settingsParameterOutput(settingsInput({ cluster: 'arn:aws:ecs:eu-west-1:123456789012:cluster/staging', controlPlane: 'staging' })));

    const out = await handler(event(`${APP}/config/API_TOKEN`));

    expect(out).toMatchObject({ kind: 'ignored', app: 'example', reason: expect.stringContaining('served by the control plane staging') });
    expect(out.table).toBeUndefined();
  });

  test('a parameter outside /<prefix>/apps/<app>/ is ignored', async () => {
    const out = await handler(event('/other/apps/example/config/A'));

    expect(out).toMatchObject({ kind: 'ignored', reason: expect.stringContaining('is not under /slipway/apps/<app>/') });
    expect(out.app).toBeUndefined();
  });

  test('an app without a settings parameter is SettingsNotFound naming the parameter', async () => {
    ssmMock.on(GetParameterCommand, { Name: '/slipway/apps/ghost/settings' }).rejects(awsError('ParameterNotFound'));

    await expect(handler(event('/slipway/apps/ghost/config/A'))).rejects.toMatchObject({ name: 'SettingsNotFound', message: expect.stringContaining('/slipway/apps/ghost/settings') });
  });

  test('an event of another source is InvalidInput naming the field', async () => {
    await expect(handler({ ...event(`${APP}/config/A`), source: 'aws.ec2' })).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('source') });
  });
});
