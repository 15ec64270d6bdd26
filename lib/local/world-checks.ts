import type { WorldSpec } from './world-schema';

/**
 * World settings that contradict each other or AWS, refused by name before a local run starts (a world
 * that cannot happen in AWS would test nothing). Called by loadWorld after the schema.
 */

/** Parameter Store value limits: 4 KB for a Standard parameter, 8 KB for an Advanced one (Systems Manager quotas, "Parameter value size"). */
export const PARAMETER_VALUE_MAX_BYTES = { Standard: 4096, Advanced: 8192 } as const;

/**
 * The problems with `spec` alone, each a line naming its key. `appContainers` are the app's process
 * (container) names; `containersOf` gives another hosted app's (for its entry in `releases`).
 */
export function worldContradictions(spec: WorldSpec, appContainers: readonly string[], containersOf: (app: string) => readonly string[] = () => appContainers): string[] {
  const problems: string[] = [releaseContradictions('release', spec.release, appContainers), ...Object.entries(spec.releases).map(([app, r]) => releaseContradictions(`releases.${app}`, r, containersOf(app)))].flat();
  for (const [process, t] of Object.entries(spec.scalableTargets)) {
    // Application Auto Scaling RegisterScalableTarget: MinCapacity must not exceed MaxCapacity (ValidationException).
    if (t.min > t.max) problems.push(`scalableTargets.${process}: min ${t.min} exceeds max ${t.max} (Application Auto Scaling refuses a scalable target whose MinCapacity is above its MaxCapacity)`);
  }
  const seen = new Set<string>();
  for (const app of spec.apps ?? []) {
    if (seen.has(app)) problems.push(`apps: "${app}" is listed twice (an account holds one app of a name)`);
    seen.add(app);
  }
  for (const [name, p] of Object.entries(spec.parameters)) {
    const bytes = Buffer.byteLength(p.value, 'utf8');
    const tier = (p as { tier?: keyof typeof PARAMETER_VALUE_MAX_BYTES }).tier ?? 'Standard';
    const max = PARAMETER_VALUE_MAX_BYTES[tier];
    if (bytes > max) problems.push(`parameters.${name}: the value has ${bytes} bytes; Parameter Store allows ${max} for a${tier === 'Advanced' ? 'n Advanced' : ' Standard'} parameter (${PARAMETER_VALUE_MAX_BYTES.Standard} Standard, ${PARAMETER_VALUE_MAX_BYTES.Advanced} Advanced)`);
  }
  return problems;
}

/** The problems of one release outcome (the world's `release` or an app's in `releases`), named by `key`. */
function releaseContradictions(key: string, release: WorldSpec['release'], appContainers: readonly string[]): string[] {
  const problems: string[] = [];
  // docs/local-runs.md: at most one of a failing exit code, failToStart and placementFailure.
  const endings = [release.exitCode !== 0 ? 'exitCode' : '', release.failToStart !== undefined ? 'failToStart' : '', release.placementFailure !== undefined ? 'placementFailure' : ''].filter(Boolean);
  if (endings.length > 1) problems.push(`${key}: ${endings.join(' and ')} contradict each other (a task either cannot be placed, fails to start, or runs and exits): keep one`);
  if (release.sidecar && appContainers.includes(release.sidecar.name)) {
    // ECS: container names are unique within a task definition (RegisterTaskDefinition, containerDefinitions.name).
    problems.push(`${key}.sidecar.name: "${release.sidecar.name}" is the app's container name; containers of one task definition have unique names: name the sidecar otherwise`);
  }
  return problems;
}
