import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { appRef, CONFIG_KEY_TIER, setConfigKeys } from '../../../lib/ops/config-keys';
import { addSchedule } from '../../../lib/ops/schedules';
import { SSM_MAX_PARAMETERS } from '../../../lib/local/aws-limits';
import { SimulatedParameterStore } from '../../../lib/local/services/ssm';

/**
 * Config keys past Parameter Store's 10,000 standard parameters per account and Region: `slipway config
 * set` writes with Intelligent-Tiering, so a key is standard (free) while there is room and advanced
 * after, instead of failing with ParameterLimitExceeded. Checked against the simulated Parameter Store,
 * which refuses what Parameter Store refuses (lib/local/aws-limits.ts).
 */

const clock = { now: 0, isoNow: () => '2026-01-01T00:00:00.000Z', spec: { account: '123456789012', region: 'us-east-1' } };

/** A simulated account whose standard tier holds `standard` parameters of other apps. */
function account(standard: number): { store: SimulatedParameterStore; client: SSMClient; restore: () => void } {
  const store = new SimulatedParameterStore(clock);
  for (let i = 0; i < standard; i++) store.parameters.set(`/other/p${i}`, { name: `/other/p${i}`, type: 'String', value: 'v', tier: 'Standard', version: 1, lastModified: 0 });
  const client = new SSMClient({ region: 'us-east-1' });
  const m = store.mock(client);
  return { store, client, restore: () => m.restore() };
}

const REF = appRef('example');

describe('the simulated Parameter Store holds the tier quotas', () => {
  test('a standard parameter past 10,000 is refused with ParameterLimitExceeded; overwriting one still works', async () => {
    const { client, restore } = account(SSM_MAX_PARAMETERS.Standard);
    try {
      await expect(client.send(new PutParameterCommand({ Name: '/x/new', Value: 'v', Type: 'String' }))).rejects.toMatchObject({ name: 'ParameterLimitExceeded' });
      await expect(client.send(new PutParameterCommand({ Name: '/other/p1', Value: 'w', Type: 'String', Overwrite: true }))).resolves.toMatchObject({ Tier: 'Standard' });
    } finally {
      restore();
    }
  });

  test('Intelligent-Tiering lands standard while there is room, advanced once the standard tier is full', async () => {
    const { client, restore } = account(SSM_MAX_PARAMETERS.Standard - 1);
    try {
      await expect(client.send(new PutParameterCommand({ Name: '/x/a', Value: 'v', Type: 'String', Tier: 'Intelligent-Tiering' }))).resolves.toMatchObject({ Tier: 'Standard' });
      await expect(client.send(new PutParameterCommand({ Name: '/x/b', Value: 'v', Type: 'String', Tier: 'Intelligent-Tiering' }))).resolves.toMatchObject({ Tier: 'Advanced' });
    } finally {
      restore();
    }
  });
});

describe('slipway config set and schedules set past the standard tier', () => {
  test('config set writes with Intelligent-Tiering: the keys become advanced parameters, nothing is refused', async () => {
    const { store, client, restore } = account(SSM_MAX_PARAMETERS.Standard);
    try {
      expect(CONFIG_KEY_TIER).toBe('Intelligent-Tiering');
      await expect(setConfigKeys({ ssm: client }, REF, ['API_TOKEN=s3cret', 'FEATURE_X=on'])).resolves.toEqual(['API_TOKEN', 'FEATURE_X']);
      expect(store.get('/slipway/apps/example/config/API_TOKEN')).toMatchObject({ tier: 'Advanced', type: 'SecureString', value: 's3cret' });
      expect(store.get('/slipway/apps/example/config/FEATURE_X').tier).toBe('Advanced');
    } finally {
      restore();
    }
  });

  test('with room in the standard tier, config set keeps the keys standard (free)', async () => {
    const { store, client, restore } = account(10);
    try {
      await setConfigKeys({ ssm: client }, REF, ['API_TOKEN=s3cret']);
      expect(store.get('/slipway/apps/example/config/API_TOKEN').tier).toBe('Standard');
    } finally {
      restore();
    }
  });

  test('schedules add writes its list the same way', async () => {
    const { store, client, restore } = account(SSM_MAX_PARAMETERS.Standard);
    try {
      await addSchedule({ ssm: client }, REF, { schedule: 'rate(1 hour)', command: 'bin/cleanup', process: 'worker' });
      expect(store.get('/slipway/apps/example/schedules').tier).toBe('Advanced');
    } finally {
      restore();
    }
  });
});
