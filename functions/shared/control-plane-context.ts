import { CONTROL_PLANE_ENV, STATE_MACHINES, type StateMachineName } from '../../domain/pipelines';
import { ssm } from './aws/ssm';
import { getStringFromEnv, InvalidEnvironment } from './errors';
import type { AppSettings } from '../../domain/settings';
import { getAppSettings } from './settings-store';

/**
 * What every function of the shared control plane knows without an app: its environment
 * ({@link CONTROL_PLANE_ENV}), and how to find an app (the app's name comes with each event or payload,
 * its settings and table from its settings parameter).
 */

/** The deployment's prefix (SLIPWAY_PREFIX). @throws MissingEnvironment */
export function controlPlanePrefix(): string {
  return getStringFromEnv(CONTROL_PLANE_ENV.prefix);
}

/** The control plane's own table (CONTROL_TABLE_NAME): waiters. @throws MissingEnvironment */
export function controlTable(): string {
  return getStringFromEnv(CONTROL_PLANE_ENV.controlTable);
}

/** The cluster the control plane serves (CLUSTER_ARN). @throws MissingEnvironment */
export function controlPlaneCluster(): string {
  return getStringFromEnv(CONTROL_PLANE_ENV.clusterArn);
}

/**
 * Why this control plane does not serve an app, or undefined when it does. Several clusters of an
 * account each have their control plane, and the account-wide events (CodeBuild projects `<prefix>-*`,
 * parameters under `/<prefix>/apps/`, milestones) reach all of them: each acts only for the apps of its
 * own cluster (CLUSTER_ARN; the settings name the cluster by ARN or by name).
 */
export function notServedHere(settings: Pick<AppSettings, 'app' | 'cluster' | 'controlPlane'>): string | undefined {
  const cluster = controlPlaneCluster();
  if (settings.cluster === cluster || cluster.endsWith(`:cluster/${settings.cluster}`)) return undefined;
  return `app ${settings.app} runs in cluster ${settings.cluster}, served by the control plane ${settings.controlPlane}, not by this one (${cluster})`;
}

/**
 * The settings of `app` from its parameter, with the prefix from the environment; reused for up to 60 s
 * unless `fresh` (functions/shared/parameter-cache.ts). @throws SettingsNotFound
 */
export function settingsOf(app: string, fresh = false): Promise<AppSettings> {
  return getAppSettings(ssm, controlPlanePrefix(), app, fresh);
}

/**
 * The control plane's state machines by name (STATE_MACHINE_ARNS, JSON name -> ARN).
 * @throws MissingEnvironment, InvalidEnvironment when it is not such an object with every pipeline.
 */
export function stateMachineArns(): Record<StateMachineName, string> {
  const raw = getStringFromEnv(CONTROL_PLANE_ENV.stateMachineArns);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new InvalidEnvironment(`${CONTROL_PLANE_ENV.stateMachineArns} must be a JSON object of pipeline name to state machine ARN, got ${raw.slice(0, 80)}`);
  }
  const out = {} as Record<StateMachineName, string>;
  for (const name of STATE_MACHINES) {
    const arn = (parsed as Record<string, unknown> | null)?.[name];
    if (typeof arn !== 'string' || !arn.startsWith('arn:')) throw new InvalidEnvironment(`${CONTROL_PLANE_ENV.stateMachineArns} has no ARN for the ${name} state machine`);
    out[name] = arn;
  }
  return out;
}
