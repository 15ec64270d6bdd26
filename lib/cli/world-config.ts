import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { UsageError } from './errors';

/** Which config a world of `slipway local run` and `slipway local serve` runs against. */

/** The config a world runs against when it names none: the example shipped with Slipway. */
export const DEFAULT_WORLD_CONFIG = 'config/example.json';

/**
 * The directory of the Slipway package (the one holding `statemachines/` and `package.json`), found
 * from this file, so `slipway local run` works from any working directory (and from a bundle).
 */
export function packageRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'statemachines')) && existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`cannot find the Slipway package (a directory with statemachines/ and package.json) above ${from}`);
  }
}

/**
 * The world's `config` as an absolute path: resolved against the working directory (an absolute path
 * stays as it is); a relative path that does not exist there is looked up in the Slipway package, so the
 * shipped `config/example.json` works from anywhere. A world that names no config gets that example.
 * @throws UsageError when neither exists.
 */
export function resolveWorldConfig(config: unknown, cwd: string, root: string): string {
  if (config === undefined) return path.join(root, DEFAULT_WORLD_CONFIG);
  if (typeof config !== 'string' || config.length === 0) throw new UsageError('world: "config" must be the path of a Slipway config file');
  const fromCwd = path.resolve(cwd, config);
  if (existsSync(fromCwd) || path.isAbsolute(config)) return fromCwd;
  const fromPackage = path.resolve(root, config);
  if (existsSync(fromPackage)) return fromPackage;
  throw new UsageError(`world: config file ${config} is neither in ${cwd} nor in the Slipway package (${root})`);
}
