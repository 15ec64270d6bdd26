import { CONFIG_DEBOUNCE_DEFAULT_SECONDS, DEFAULT_PREFIX } from '../../domain/constants';
import { parseConfig } from '../../lib/config';
import { appSettingsSchema } from '../../functions/shared/settings';

/**
 * Defaults that the deploy config (lib/config.ts) still spells beside domain/constants.ts, checked
 * against their owner until lib/config.ts imports them (see the issue-14 follow-ups).
 */

const config = parseConfig({
  clusters: [{ name: 'production' }],
  apps: [{ name: 'example', cluster: 'production', repository: { owner: 'example-org', name: 'example-app' }, processes: { web: { port: 3000 } } }],
});

test('the config prefix defaults to DEFAULT_PREFIX', () => {
  expect(config.prefix).toBe(DEFAULT_PREFIX);
});

test("an app's configDebounceSeconds defaults to CONFIG_DEBOUNCE_DEFAULT_SECONDS in the config and in the settings the handlers read", () => {
  expect(config.apps[0].configDebounceSeconds).toBe(CONFIG_DEBOUNCE_DEFAULT_SECONDS);
  expect(appSettingsSchema.shape.configDebounceSeconds.parse(undefined)).toBe(CONFIG_DEBOUNCE_DEFAULT_SECONDS);
});
