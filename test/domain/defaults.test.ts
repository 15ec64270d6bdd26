import { CONFIG_DEBOUNCE_DEFAULT_SECONDS, CPU_TARGET_DEFAULT_PERCENT, DEFAULT_PREFIX, DEPLOY_TIMEOUT_DEFAULT_MINUTES } from '../../domain/constants';
import { parseDeploymentConfig } from '../../lib/deployment-config';
import { appSettingsSchema, autoscalingSchema } from '../../domain/settings';

/**
 * The defaults domain/constants.ts owns, as the deploy config's schema (lib/deployment-config.ts) and the settings the
 * handlers read (domain/settings.ts) apply them: a minimal config, parsed, gets each constant
 * wherever it leaves the value out.
 */

const config = parseDeploymentConfig({
  clusters: [{ name: 'production' }],
  apps: [{ name: 'example', cluster: 'production', repository: { owner: 'example-org', name: 'example-app' }, httpOnly: true, processes: { web: { port: 3000, autoscaling: { min: 1, max: 2 } } } }],
});

test('the config prefix defaults to DEFAULT_PREFIX', () => {
  expect(config.prefix).toBe(DEFAULT_PREFIX);
});

test("an app's configDebounceSeconds defaults to CONFIG_DEBOUNCE_DEFAULT_SECONDS in the config and in the settings the handlers read", () => {
  expect(config.apps[0].configDebounceSeconds).toBe(CONFIG_DEBOUNCE_DEFAULT_SECONDS);
  expect(appSettingsSchema.shape.configDebounceSeconds.parse(undefined)).toBe(CONFIG_DEBOUNCE_DEFAULT_SECONDS);
});

test("an app's deploy timeout defaults to DEPLOY_TIMEOUT_DEFAULT_MINUTES in the config and in the settings", () => {
  expect(config.apps[0].deployTimeoutMinutes).toBe(DEPLOY_TIMEOUT_DEFAULT_MINUTES);
  expect(appSettingsSchema.shape.deployTimeoutSeconds.parse(undefined)).toBe(DEPLOY_TIMEOUT_DEFAULT_MINUTES * 60);
});

test("an autoscaled process's CPU target defaults to CPU_TARGET_DEFAULT_PERCENT in the config and in the settings", () => {
  expect(config.apps[0].processes.web.autoscaling?.cpuTarget).toBe(CPU_TARGET_DEFAULT_PERCENT);
  expect(autoscalingSchema.parse({ min: 1, max: 2 }).cpuTarget).toBe(CPU_TARGET_DEFAULT_PERCENT);
});
