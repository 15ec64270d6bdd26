/**
 * Names of an app's parameters in Parameter Store, shared by the handlers, the CLI and the stacks:
 * config keys (`/<prefix>/apps/<app>/config/<KEY>`, SecureStrings the tasks read through ECS `secrets`)
 * and the schedules list (`/<prefix>/apps/<app>/schedules`, a JSON String parameter).
 */
import { configParameterPath, schedulesParameterName } from './names';

/**
 * A config key: what ECS accepts as an environment variable name in `secrets` (letters, digits and
 * underscores, not starting with a digit), 1 to 128 characters. Anything else (dots, dashes, slashes,
 * `..`, spaces, control characters) is refused before it reaches Parameter Store or a task definition.
 */
export const CONFIG_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** Environment variables Slipway sets itself: a config key may not shadow them. */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(['SLIPWAY_APP', 'SLIPWAY_PROCESS', 'SLIPWAY_BUILD', 'PORT']);

/** A config key name that is not acceptable. */
export class InvalidConfigKey extends Error {
  public override readonly name = 'InvalidConfigKey';
}

/** Why a key is not acceptable, or undefined when it is. */
export function configKeyProblem(key: string): string | undefined {
  if (!CONFIG_KEY.test(key)) {
    const shown = JSON.stringify(key.length > 60 ? `${key.slice(0, 60)}…` : key);
    return `config key ${shown} is not a valid name: use letters, digits and underscores, not starting with a digit, at most 128 characters (it becomes an environment variable)`;
  }
  if (RESERVED_KEYS.has(key)) return `config key "${key}" is set by Slipway itself (${[...RESERVED_KEYS].join(', ')}): choose another name`;
  return undefined;
}

/** Checks a config key. @throws InvalidConfigKey naming the key and the rule. */
export function assertConfigKey(key: string): void {
  const problem = configKeyProblem(key);
  if (problem) throw new InvalidConfigKey(problem);
}

/** What a parameter name means for an app. */
export type ParameterKind =
  | { readonly kind: 'config'; readonly key: string }
  | { readonly kind: 'schedules' }
  | { readonly kind: 'ignored'; readonly reason: string };

/**
 * Classifies a parameter name against the app's path: one of its config keys, its schedules list, or
 * something to ignore (another app, outside the prefix, a nested path, a key that cannot be an
 * environment variable), with the reason.
 */
export function classifyParameter(name: string, appPath: string): ParameterKind {
  const configPrefix = `${configParameterPath(appPath)}/`;
  if (name === schedulesParameterName(appPath)) return { kind: 'schedules' };
  if (!name.startsWith(`${appPath}/`)) return { kind: 'ignored', reason: `parameter ${JSON.stringify(name)} is not under ${appPath}/` };
  if (!name.startsWith(configPrefix)) return { kind: 'ignored', reason: `parameter ${JSON.stringify(name)} is neither a config key (${configPrefix}<KEY>) nor the schedules list` };
  const key = name.slice(configPrefix.length);
  const problem = configKeyProblem(key);
  if (problem) return { kind: 'ignored', reason: problem };
  return { kind: 'config', key };
}
