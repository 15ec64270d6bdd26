import { ABAC_HINT, APP_TABLE_ACCESS_DENIED } from '../../domain/abac';

/**
 * Named errors. A Lambda's error name becomes the `Error` Step Functions sees, so state machines can
 * Retry and Catch on these names; the message becomes the Cause a person reads in the console.
 */

/** The input the handler received is not what the state machine sends. A bug, not an outage. */
export class InvalidInput extends Error {
  public override readonly name = 'InvalidInput';
}

/** The event a handler was started with is not the kind of event its rule sends, or is malformed. */
export class InvalidEvent extends Error {
  public override readonly name = 'InvalidEvent';
}

/** The app's settings record is missing or invalid: deploy the app stack. */
export class SettingsNotFound extends Error {
  public override readonly name = 'SettingsNotFound';
}

/**
 * A deploy whose input asks for what the app did not build: another app's table or task definition, a
 * revision of another family or build, a build the app has no successful record of. Not redrivable: the
 * input is wrong (docs/control-plane.md, "What keeps apps apart").
 */
export class DeployRefused extends Error {
  public override readonly name = 'DeployRefused';
}

/** A throttled or temporarily failing AWS call: the state machine retries it with backoff. */
/**
 * DynamoDB denied a table call: the control plane's grants on app tables hold only for tables tagged for
 * it, and only where DynamoDB attribute-based access control is on (domain/abac.ts). Not transient.
 */
export class AppTableAccessDenied extends Error {
  public override readonly name = APP_TABLE_ACCESS_DENIED;
}

export class TransientError extends Error {
  public override readonly name = 'TransientError';
}

/** The environment variable a handler needs is not set. */
export class MissingEnvironment extends Error {
  public override readonly name = 'MissingEnvironment';
}

/** An environment variable is set but malformed (the stack that sets it is out of date or wrong). */
export class InvalidEnvironment extends Error {
  public override readonly name = 'InvalidEnvironment';
}

const TRANSIENT_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalServerError',
  'InternalFailure',
  'ServerException',
  'RequestTimeout',
  'TimeoutError',
]);

/** Whether an AWS SDK error is worth retrying (throttling, 5xx, network time-outs). */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const meta = (error as { $metadata?: { httpStatusCode?: number }; $retryable?: unknown }).$metadata;
  return TRANSIENT_NAMES.has(error.name) || Boolean((error as { $retryable?: unknown }).$retryable) || (meta?.httpStatusCode ?? 0) >= 500;
}

/**
 * Runs one AWS call and turns throttling and server errors into {@link TransientError} with a message
 * that names the call, so the state machine's Retry matches one name for every service.
 */
export async function awsCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isTransient(error)) {
      throw new TransientError(`${what} failed temporarily (${(error as Error).name}: ${(error as Error).message}); retrying is safe`);
    }
    if ((error as Error)?.name === 'AccessDeniedException' && what.startsWith('DynamoDB')) {
      throw new AppTableAccessDenied(`${what}: ${(error as Error).message}. ${ABAC_HINT}`);
    }
    throw error;
  }
}

/** Reads a required environment variable. @throws MissingEnvironment */
export function getStringFromEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new MissingEnvironment(`environment variable ${name} is not set`);
  return value;
}
