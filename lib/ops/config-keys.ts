import { DeleteParametersCommand, GetParameterCommand, paginateDescribeParameters, paginateGetParametersByPath, PutParameterCommand } from '@aws-sdk/client-ssm';
import { assertConfigKey, CONFIG_KEY, InvalidConfigKey } from '../../domain/config-keys';
import { DEFAULT_PREFIX } from '../../domain/constants';
import { appParameterPath, configParameterPath, APP_NAME, APP_NAME_MAX } from '../../domain/names';
import { RESOURCE_NAME } from '../../domain/settings';
import { UsageError } from './usage-error';
import { NotFound, type OpsClients } from './aws';

/**
 * An app's config keys: the SecureStrings under `/<prefix>/apps/<app>/config/` that its tasks read
 * through ECS `secrets` (`slipway config list|get|set|unset`). Not the deployment's config file
 * (lib/deployment-config.ts). Each change is a Parameter Store change: the control plane's config-change state
 * machine redeploys the app once, after a debounce.
 */

/** The clients the config-key and schedule operations use. */
export type ParameterClients = Pick<OpsClients, 'ssm'>;

/** Where an app's parameters live. */
export interface AppRef {
  readonly prefix: string;
  readonly app: string;
}

/** Checks the app and prefix names (they become a Parameter Store path). @throws UsageError */
export function appRef(app: string, prefix = DEFAULT_PREFIX): AppRef {
  if (!APP_NAME.test(app)) throw new UsageError(`app name ${JSON.stringify(app.slice(0, 60))} is not valid: lowercase letters, digits and hyphens, starting with a letter, ${APP_NAME_MAX} characters at most`);
  if (!RESOURCE_NAME.test(prefix)) throw new UsageError(`prefix ${JSON.stringify(prefix.slice(0, 60))} is not valid: lowercase letters, digits and hyphens, starting with a letter`);
  return { prefix, app };
}

/** The path of the app's config keys, `/<prefix>/apps/<app>/config`. */
function configKeysPath(ref: AppRef): string {
  return configParameterPath(appParameterPath(ref.prefix, ref.app));
}

/** One config key as `config list` shows it. */
export interface ConfigKeyEntry {
  readonly key: string;
  readonly value?: string;
  readonly version?: number;
  readonly lastModified?: string;
}

/** The app's config keys; values (decrypted) only when `showValues`. */
export async function listConfigKeys({ ssm }: ParameterClients, ref: AppRef, showValues: boolean): Promise<ConfigKeyEntry[]> {
  const path = configKeysPath(ref);
  const out: ConfigKeyEntry[] = [];
  const keyOf = (name: string | undefined) => (name ?? '').slice(path.length + 1);
  if (showValues) {
    for await (const page of paginateGetParametersByPath({ client: ssm }, { Path: path, Recursive: false, WithDecryption: true })) {
      for (const p of page.Parameters ?? []) out.push({ key: keyOf(p.Name), value: p.Value, version: p.Version, lastModified: p.LastModifiedDate?.toISOString() });
    }
  } else {
    for await (const page of paginateDescribeParameters({ client: ssm }, { ParameterFilters: [{ Key: 'Path', Option: 'OneLevel', Values: [path] }] })) {
      for (const p of page.Parameters ?? []) out.push({ key: keyOf(p.Name), version: p.Version, lastModified: p.LastModifiedDate?.toISOString() });
    }
  }
  return out.filter((e) => CONFIG_KEY.test(e.key)).sort((a, b) => a.key.localeCompare(b.key));
}

/** One key's value (decrypted). @throws InvalidConfigKey; NotFound when the key is not set. */
export async function getConfigKey({ ssm }: ParameterClients, ref: AppRef, key: string): Promise<string> {
  assertConfigKey(key);
  try {
    const out = await ssm.send(new GetParameterCommand({ Name: `${configKeysPath(ref)}/${key}`, WithDecryption: true }));
    return out.Parameter?.Value ?? '';
  } catch (e) {
    if ((e as Error).name === 'ParameterNotFound') throw new NotFound(`${key} is not set for ${ref.app} (see slipway config list ${ref.app})`);
    throw e;
  }
}

/**
 * Parses `KEY=VALUE` pairs (the value may contain `=`, and may not be empty). Every pair is checked
 * before any is written. @throws UsageError, InvalidConfigKey
 */
export function parsePairs(pairs: readonly string[]): { key: string; value: string }[] {
  if (pairs.length === 0) throw new UsageError('give at least one KEY=VALUE pair');
  const seen = new Set<string>();
  return pairs.map((pair) => {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`"${pair.slice(0, 60)}" is not KEY=VALUE`);
    const key = pair.slice(0, at);
    const value = pair.slice(at + 1);
    assertConfigKey(key);
    if (seen.has(key)) throw new UsageError(`${key} is given twice`);
    seen.add(key);
    if (value.length === 0) throw new UsageError(`${key} has an empty value (Parameter Store refuses empty values): use "slipway config unset" to remove a key`);
    if (value.length > 4096) throw new UsageError(`${key}'s value is longer than 4096 characters (the Parameter Store standard tier limit)`);
    return { key, value };
  });
}

/**
 * The tier config keys and the schedules list are written in: Parameter Store creates a standard
 * parameter (free, 10,000 per account and Region) unless the standard tier is full, then an advanced one
 * ($0.05 a month each, 100,000 per Region): "When this process causes you to reach the 10,000 parameter
 * quota in the standard tier, Intelligent-Tiering automatically upgrades you to the advanced-parameter
 * tier" (docs.aws.amazon.com/systems-manager/latest/userguide/ps-default-tier.html). The bench's apps-per-
 * account section counts what binds and what it costs per app.
 */
export const CONFIG_KEY_TIER = 'Intelligent-Tiering';

/**
 * Sets several keys as SecureStrings (all pairs validated first). Each write is a Parameter Store
 * change; the config-change state machine debounces them into one redeploy. Written with
 * Intelligent-Tiering ({@link CONFIG_KEY_TIER}): a key is a free standard parameter while the account
 * has fewer than 10,000, an advanced one after, instead of failing with ParameterLimitExceeded.
 * @returns the keys written, in order; on a failed write the error says which keys were and were not written.
 */
export async function setConfigKeys({ ssm }: ParameterClients, ref: AppRef, pairs: readonly string[]): Promise<string[]> {
  const parsed = parsePairs(pairs);
  const path = configKeysPath(ref);
  const written: string[] = [];
  for (const { key, value } of parsed) {
    try {
      await ssm.send(new PutParameterCommand({ Name: `${path}/${key}`, Value: value, Type: 'SecureString', Overwrite: true, Tier: CONFIG_KEY_TIER }));
    } catch (e) {
      const err = e as Error;
      const rest = parsed.slice(written.length).map((p) => p.key);
      err.message = `${err.message} (set: ${written.join(', ') || 'none'}; not set: ${rest.join(', ')})`;
      throw err;
    }
    written.push(key);
  }
  return written;
}

/** Removes keys (all validated first). @returns the keys removed and the ones that were not set. */
export async function unsetConfigKeys({ ssm }: ParameterClients, ref: AppRef, keys: readonly string[]): Promise<{ removed: string[]; notSet: string[] }> {
  if (keys.length === 0) throw new UsageError('give at least one KEY');
  keys.forEach(assertConfigKey);
  const path = configKeysPath(ref);
  const removed: string[] = [];
  const notSet: string[] = [];
  // DeleteParameters takes at most 10 names a call.
  for (let i = 0; i < keys.length; i += 10) {
    const batch = keys.slice(i, i + 10);
    const out = await ssm.send(new DeleteParametersCommand({ Names: batch.map((k) => `${path}/${k}`) }));
    for (const n of out.DeletedParameters ?? []) removed.push(n.slice(path.length + 1));
    for (const n of out.InvalidParameters ?? []) notSet.push(n.slice(path.length + 1));
  }
  return { removed, notSet };
}

export { InvalidConfigKey };
