import { GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { appOfSettingsParameter, listApps, renderApps } from '../../../lib/ops/apps';
import { CLI_PERMISSIONS } from '../../../lib/ops/permissions';
import { REGION, settingsFor, settingsParameter } from './settings-fixtures';

const ssm = mockClient(SSMClient);
const client = new SSMClient({ region: REGION });
const parameter = (Name: string, value: unknown) => ({ Name, Type: 'String' as const, Value: typeof value === 'string' ? value : JSON.stringify(value), Version: 1 });

beforeEach(() => ssm.reset());

describe('appOfSettingsParameter', () => {
  test('only /<prefix>/apps/<app>/settings names an app: not a config key or a schedules list called "settings", not another prefix', () => {
    expect(appOfSettingsParameter('/slipway/apps/web-admin/settings', 'slipway')).toBe('web-admin');
    expect(appOfSettingsParameter('/slipway/apps/web/config/settings', 'slipway')).toBeUndefined();
    expect(appOfSettingsParameter('/slipway/apps/web/schedules', 'slipway')).toBeUndefined();
    expect(appOfSettingsParameter('/slipway/apps/settings', 'slipway')).toBeUndefined();
    expect(appOfSettingsParameter('/other/apps/web/settings', 'slipway')).toBeUndefined();
    expect(appOfSettingsParameter('/slipway/apps/Bad_Name/settings', 'slipway')).toBeUndefined();
  });
});

describe('slipway apps', () => {
  test('every page is read; apps sorted by name with their control plane, cluster and processes; parameters that are not settings are skipped', async () => {
    ssm
      .on(GetParametersByPathCommand, { NextToken: undefined })
      .resolves({ Parameters: [parameter(settingsParameter('web'), settingsFor('web')), parameter('/slipway/apps/web/config/settings', 'x')], NextToken: 'n' });
    ssm.on(GetParametersByPathCommand, { NextToken: 'n' }).resolves({ Parameters: [parameter(settingsParameter('api'), settingsFor('api', { controlPlane: 'staging', cluster: 'slipway-staging' }))] });

    const out = await listApps(client, 'slipway');

    expect(out).toEqual({
      prefix: 'slipway',
      region: REGION,
      apps: [
        { app: 'api', controlPlane: 'staging', cluster: 'slipway-staging', processes: ['web', 'worker'], table: expect.stringContaining('api'), parameter: '/slipway/apps/api/settings' },
        { app: 'web', controlPlane: 'production', cluster: 'slipway-production', processes: ['web', 'worker'], table: expect.stringContaining('web'), parameter: '/slipway/apps/web/settings' },
      ],
      invalid: [],
    });
    expect(ssm.commandCalls(GetParametersByPathCommand)).toHaveLength(2);
  });

  test('a settings parameter that is not valid settings is listed with its error; its app is not', async () => {
    ssm.on(GetParametersByPathCommand).resolves({ Parameters: [parameter(settingsParameter('web'), { ...settingsFor('web'), controlPlane: 'Not Valid' })] });

    const out = await listApps(client, 'slipway');

    expect(out.apps).toEqual([]);
    expect(out.invalid).toEqual([{ parameter: '/slipway/apps/web/settings', error: expect.stringMatching(/^the settings parameter \/slipway\/apps\/web\/settings is invalid at controlPlane: /) }]);
  });

  test('the human output escapes what came from the parameters, and says what to check when there is no app', async () => {
    ssm.on(GetParametersByPathCommand).resolves({ Parameters: [parameter(settingsParameter('web'), settingsFor('web', { cluster: 'evil\u001b[2Jcluster' }))] });

    const text = renderApps(await listApps(client, 'slipway'));

    expect(text).toContain('evil\\e[2Jcluster');
    expect(text).not.toContain('\u001b');
    expect(renderApps({ prefix: 'slipway', region: REGION, apps: [], invalid: [] })).toBe(`no apps under slipway in ${REGION} (no /slipway/apps/<app>/settings parameter): check --prefix, --region and --profile`);
  });

  test('what it sends is in its permissions list, granted to no app role (a path grant reads every level below it)', async () => {
    ssm.on(GetParametersByPathCommand).resolves({ Parameters: [] });

    await listApps(client, 'slipway');

    const entry = CLI_PERMISSIONS.find((c) => c.command === 'apps');
    const sent = [...new Set(ssm.calls().map((c) => `ssm:${(c.args[0] as object).constructor.name.replace(/Command$/, '')}`))];
    expect(sent).toEqual(['ssm:GetParametersByPath']);
    expect(sent.filter((a) => !entry?.calls.some((c) => c.action === a))).toEqual([]);
    expect(entry?.roles).toEqual([]);
  });
});
