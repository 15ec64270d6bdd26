import * as z from 'zod/mini';
import { MAX_RUNNING_DEPLOY_CHECKS, RUNNING_DEPLOY_CHECK_SECONDS } from '../../domain/constants';
import { appOfParameter, appParameterPath, appsParameterRoot, settingsParameterName } from '../../domain/names';
import { classifyParameter } from '../../domain/config-keys';
import { controlPlanePrefix, notServedHere, settingsOf } from '../shared/control-plane-context';
import { addLambdaContext, createLogger, type LambdaContext } from '../shared/logger';
import { parseInput } from '../shared/validation';

const logger = createLogger('parse-parameter-change');

export const eventSchema = z.object({
  source: z.literal('aws.ssm'),
  'detail-type': z.literal('Parameter Store Change'),
  detail: z.object({
    name: z.string().check(z.minLength(1), z.maxLength(2048)),
    operation: z.string().check(z.minLength(1)),
  }),
});

/** What changed, as the config-change state machine reads it. */
export interface ParameterChange {
  readonly kind: 'config' | 'schedules' | 'ignored';
  /** The app the parameter belongs to (`/<prefix>/apps/<app>/...`); absent for a parameter of no app. */
  readonly app?: string;
  /** The app's table (from its settings), where the redeploy claim is; absent when the change is ignored before the settings are read. */
  readonly table?: string;
  readonly name: string;
  readonly operation: string;
  readonly key?: string;
  readonly reason?: string;
  /** Seconds to wait for more changes before redeploying. */
  readonly debounceSeconds: number;
  /** Checks of a running deploy before giving up. */
  readonly maxWaits: number;
  /** When this change claims the redeploy (ISO 8601). */
  readonly claimedAt: string;
  /** A claim older than this was left by an execution that died: it may be taken over. */
  readonly staleBefore: string;
}

/**
 * Decides what a Parameter Store change means for the app: a config key (redeploy), the schedules list
 * (sync schedules) or nothing (another path, a key that cannot be an environment variable).
 */
export function describeChange(name: string, operation: string, appPath: string, debounce: number, nowMs: number): ParameterChange {
  const kind = classifyParameter(name, appPath);
  const staleAfterSeconds = debounce + MAX_RUNNING_DEPLOY_CHECKS * RUNNING_DEPLOY_CHECK_SECONDS + 600;
  return {
    kind: kind.kind,
    name,
    operation,
    ...(kind.kind === 'config' ? { key: kind.key } : {}),
    ...(kind.kind === 'ignored' ? { reason: kind.reason } : {}),
    debounceSeconds: debounce,
    maxWaits: MAX_RUNNING_DEPLOY_CHECKS,
    claimedAt: new Date(nowMs).toISOString(),
    staleBefore: new Date(nowMs - staleAfterSeconds * 1000).toISOString(),
  };
}

/**
 * Reads a "Parameter Store Change" event (EventBridge, the shared rule on `/<prefix>/apps/`) and says what
 * it means: the app from the parameter name, then (with the app's settings: its table and debounce
 * window) a config key, the schedules list, or nothing. A change of the app's settings parameter itself
 * syncs the app's schedules ({@link settingsChange}); it holds no config key. An app without a settings
 * parameter is SettingsNotFound (uncaught in the state machine: a redrive after the app stack is deployed
 * reads it again).
 */
export async function handler(event: unknown, context?: LambdaContext): Promise<ParameterChange> {
  addLambdaContext(context);
  const e = parseInput(eventSchema, event, 'Parameter Store Change event');
  const prefix = controlPlanePrefix();
  const { name, operation } = e.detail;
  const app = appOfParameter(prefix, name);
  let change: ParameterChange;
  if (!app) {
    change = ignored(name, operation, `parameter ${JSON.stringify(name.slice(0, 300))} is not under ${appsParameterRoot(prefix)}<app>/`);
  } else {
    // A change of the settings parameter itself is acted on with what it holds now, not a cached copy.
    const appPath = appParameterPath(prefix, app);
    const settings = await settingsOf(app, name === settingsParameterName(appPath));
    const elsewhere = notServedHere(settings);
    if (elsewhere) {
      change = { ...ignored(name, operation, elsewhere), app };
    } else if (name === settingsParameterName(appPath)) {
      change = settingsChange(name, operation, appPath, settings.configDebounceSeconds, app, settings.table);
    } else {
      change = { ...describeChange(name, operation, appPath, settings.configDebounceSeconds, Date.now()), app, table: settings.table };
    }
  }
  logger.info('parameter change', { app: change.app, name: change.name, operation: change.operation, kind: change.kind, reason: change.reason });
  return change;
}

/**
 * The app stack rewrote the app's settings parameter (a `cdk deploy` of the app: the schedules of its
 * config, its network, roles and task-definition families, the control plane that serves it): the app's
 * schedules are synced, as after a change of its schedules list, so they point at what the settings say
 * now (after an app moves onto the shared control plane, its schedules take the shared Scheduler role).
 * No redeploy: the settings hold no config key.
 */
function settingsChange(name: string, operation: string, appPath: string, debounce: number, app: string, table: string): ParameterChange {
  const { reason: _notIgnored, ...described } = describeChange(name, operation, appPath, debounce, Date.now());
  return { ...described, kind: 'schedules', app, table };
}

function ignored(name: string, operation: string, reason: string): ParameterChange {
  return { ...describeChange(name, operation, '/', 0, Date.now()), kind: 'ignored', reason };
}
