import { APP_NAME, appOfParameter, appOfProject } from '../../domain/names';
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
 * The app of an execution of a shared state machine, from its input: `app` where the input carries it
 * (release, deploy, schedules started by Slipway or the CLI), else the AWS event that started it
 * (CodeBuild `detail.project-name`, Parameter Store `detail.name`, a milestone's `detail.app`).
 * Undefined when the input names no app of this prefix.
 */
export function appOfExecutionInput(prefix: string, input: unknown): string | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const i = input as Record<string, unknown>;
  if (typeof i.app === 'string') return APP_NAME.test(i.app) ? i.app : undefined;
  const detail = (typeof i.detail === 'object' && i.detail !== null ? i.detail : {}) as Record<string, unknown>;
  if (i.source === 'aws.codebuild' && typeof detail['project-name'] === 'string') return appOfProject(prefix, detail['project-name']);
  if (i.source === 'aws.ssm' && typeof detail.name === 'string') return appOfParameter(prefix, detail.name);
  if (typeof detail.app === 'string') return APP_NAME.test(detail.app) ? detail.app : undefined;
  return undefined;
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
