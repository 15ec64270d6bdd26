import { ABAC_HINT, APP_TABLE_ACCESS_DENIED } from '../../domain/abac';

/**
 * Named errors: the handlers' one error vocabulary. A Lambda's error name becomes the `Error` Step
 * Functions sees, so state machines can Retry and Catch on these names; the message becomes the Cause a
 * person reads in the console. Handlers throw only these classes (and the database manager its own,
 * functions/database-manager/errors.ts), never a plain `Error`; they recognise an AWS SDK error by its
 * name through {@link isAwsError}:
 *
 * - the input a state machine passed: {@link InvalidInput} (./validation.ts parseInput); the event a rule
 *   delivered: {@link InvalidEvent} (./events.ts parseEvent, thrown or handed to the ASL as data);
 * - an AWS call that answered without what its API promises: {@link UnexpectedResponse};
 * - the app's settings record: {@link SettingsNotFound}; a deploy of what the app did not build: {@link DeployRefused};
 * - a throttled or failing AWS call: {@link TransientError} (retried by every Task); an app table denied: {@link AppTableAccessDenied};
 * - the function's own environment: {@link MissingEnvironment}, {@link InvalidEnvironment}.
 */

/** The input the handler received is not what the state machine sends. A bug, not an outage. */
export class InvalidInput extends Error {
  public override readonly name = 'InvalidInput';
}

/** The event a handler was started with is not the kind of event its rule sends, or is malformed. */
export class InvalidEvent extends Error {
  public override readonly name = 'InvalidEvent';
}

/**
 * An AWS call succeeded but its answer lacks what the API promises (RegisterTaskDefinition without an ARN,
 * DescribeTaskDefinition without the task definition, a service without its PRIMARY deployment). Not the
 * input's fault: a redrive asks again.
 */
export class UnexpectedResponse extends Error {
  public override readonly name = 'UnexpectedResponse';
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

/**
 * DynamoDB denied a table call: the control plane's grants on app tables hold only for tables tagged for
 * it, and only where DynamoDB attribute-based access control is on (domain/abac.ts). Not transient.
 */
export class AppTableAccessDenied extends Error {
  public override readonly name = APP_TABLE_ACCESS_DENIED;
}

/** A throttled or temporarily failing AWS call: the state machine retries it with backoff. */
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

/**
 * Whether `error` is an AWS SDK error (or one of ours) named `names`, e.g.
 * `isAwsError(e, 'ConditionalCheckFailedException')`. The SDK's modelled exceptions are classes, but a
 * name is what survives every path (a mocked client, another copy of the SDK package, the local
 * runner's simulated services), so handlers compare names, through this one function.
 */
export function isAwsError(error: unknown, ...names: readonly string[]): error is Error {
  return error instanceof Error && names.includes(error.name);
}

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
    if (isAwsError(error, 'AccessDeniedException') && what.startsWith('DynamoDB')) {
      throw new AppTableAccessDenied(`${what}: ${error.message}. ${ABAC_HINT}`);
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
