import { buildSortKey, type BuildRecord } from '../../domain/table';
import { CannotProceed, checkBuildKey, getBuild, getCurrentRelease, locateApp, NotFound, recentBuilds, type OpsClients } from './aws';
import type { DeployOutput } from './schemas';
import { getRelease, parseReleaseNumber } from './releases';
import { startDeploy, type DeployOptions } from './deploy';

/** `slipway rollback <app> [--to N|vN]`: the last good release, a known-good build or a numbered release. */

/** `slipway rollback <app> [--to N|vN]`: deploys the last good release before the current one (or build N, or release vN with its config). */
export async function rollback(clients: OpsClients, app: string, to: string | undefined, options: DeployOptions = {}): Promise<DeployOutput> {
  const target = await locateApp(clients, app, options);
  const current = await getCurrentRelease(clients, target);
  const releaseNumber = to !== undefined ? parseReleaseNumber(to) : undefined;
  if (releaseNumber !== undefined) {
    // A numbered release (slipway releases): its build and the revisions it ran (its config).
    const release = await getRelease(clients, target, releaseNumber);
    if (!release) throw new NotFound(`release v${releaseNumber} of app "${app}" is not recorded (see slipway releases ${app})`);
    if (current?.execution && current.execution === release.execution) throw new CannotProceed(`release v${releaseNumber} is already the current release of "${app}"`);
    const releasedBuild = await getBuild(clients, target, release.buildKey);
    if (!releasedBuild) throw new NotFound(`build ${release.buildKey} of release v${releaseNumber} is no longer recorded`);
    if (release.processes.length === 0) throw new CannotProceed(`release v${releaseNumber} of "${app}" records no task definitions: roll back to its build instead (slipway rollback ${app} --to ${release.buildKey})`);
    return startDeploy(clients, target, releasedBuild, 'rollback', true, current?.buildKey ?? null, options, { number: release.number, processes: release.processes.map((p) => ({ name: p.process, taskDefinitionArn: p.taskDefinitionArn })) });
  }
  let build: BuildRecord | undefined;
  if (to !== undefined) {
    const key = checkBuildKey(to);
    build = await getBuild(clients, target, key);
    if (!build) throw new NotFound(`build ${key} of app "${app}" is not recorded (see slipway pipelines ${app})`);
    if (!build.releasedAt) throw new CannotProceed(`build ${key} was never released successfully, so it is not a known-good release: deploy it on purpose with slipway deploy ${app} --build ${key} --force`);
    if (current && current.buildKey === build.buildKey) throw new CannotProceed(`build ${key} is already the current release of "${app}"`);
  } else {
    if (!current) throw new CannotProceed(`app "${app}" has no release yet: nothing to roll back`);
    [build] = await recentBuilds(clients, target, 1, { before: current.buildSortKey || buildSortKey(current.buildKey), releasedOnly: true });
    if (!build) throw new CannotProceed(`app "${app}" has no release before build ${current.buildKey}: nothing to roll back to`);
  }
  return startDeploy(clients, target, build, 'rollback', true, current?.buildKey ?? null, options);
}
