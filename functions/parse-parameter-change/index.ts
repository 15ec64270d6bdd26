import * as z from 'zod/mini';
import { classifyParameter } from '../shared/app-parameters';
import { getStringFromEnv } from '../shared/errors';
import { createLogger } from '../shared/logger';
import { parseInput } from '../shared/validation';

const logger = createLogger('parse-parameter-change');

/** How long the config-change machine waits between checks of a running deploy or release. */
export const RUNNING_DEPLOY_CHECK_SECONDS = 30;
/** Checks before the config change gives up waiting for a running deploy (240 x 30 s = 2 h). */
export const MAX_RUNNING_DEPLOY_CHECKS = 240;

const eventSchema = z.object({
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

/** Seconds of debounce from the environment (DEBOUNCE_SECONDS, 0..3600), 30 when unset. */
export function debounceSeconds(value: string | undefined): number {
  if (value === undefined || value === '') return 30;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 3600) throw new RangeError(`DEBOUNCE_SECONDS must be a whole number of seconds from 0 to 3600, got "${value}"`);
  return n;
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

/** Reads a "Parameter Store Change" event (EventBridge) and says what it means for the app. */
export async function handler(event: unknown): Promise<ParameterChange> {
  const e = parseInput(eventSchema, event, 'Parameter Store Change event');
  const change = describeChange(e.detail.name, e.detail.operation, getStringFromEnv('PARAMETER_PATH'), debounceSeconds(process.env.DEBOUNCE_SECONDS), Date.now());
  logger.info('parameter change', { name: change.name, operation: change.operation, kind: change.kind, reason: change.reason });
  return change;
}
