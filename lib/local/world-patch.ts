import { apply as applyMergePatch } from 'json-merge-patch';
import { LocalRunError } from './run-error';
import { parseWorld, type WorldFile, type WorldSpec } from './world-schema';

/**
 * The world after an operator's fix: `patch`, a JSON Merge Patch (RFC 7396) of the world file, merged
 * into `world`. One rule for `slipway local run --redrive-with` and the endpoint's patch door (which
 * calls it "the patch"). @throws LocalRunError when the patch is not an object, the result is no valid
 * world, or it changes which account or apps `current` is (a fix changes what happens next, nothing else).
 */
export function fixedWorld(world: WorldFile, patch: unknown, current: WorldSpec, what = 'the redrive patch'): WorldSpec {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw new LocalRunError(`${what} must be a JSON object (a JSON Merge Patch of the world file)`);
  const fixed = parseWorld(applyMergePatch(structuredClone(world), patch), `the world after ${what} is invalid`);
  for (const key of ['config', 'app', 'apps', 'account', 'region', 'startTime'] as const) {
    if (JSON.stringify(fixed[key]) !== JSON.stringify(current[key])) throw new LocalRunError(`${what} changes "${key}": a fix changes what happens next, not which account or app this is`);
  }
  return fixed;
}
