import { InjectedAwsError, SimulatedAwsError } from '../aws-error';
import { LocalRunError } from '../run-error';
import { StatusError } from './status-error';

/**
 * An error the endpoint answers with: AWS's error code, the HTTP status AWS answers it with, and a
 * message. Each protocol (protocols/*.ts) writes it in its own wire format.
 */
export class WireError extends StatusError {
  /** Whose fault it is, as awsQuery and query-compatible JSON services say (`Sender` or `Receiver`). */
  get fault(): 'Sender' | 'Receiver' {
    return this.status >= 500 ? 'Receiver' : 'Sender';
  }
}

/** Errors AWS answers with a 5xx status (the SDK retries them); every other code is the caller's (400). */
const SERVER_ERRORS: Readonly<Record<string, number>> = {
  InternalFailure: 500,
  InternalServerError: 500,
  InternalServerException: 500,
  ServiceUnavailable: 503,
  ServiceUnavailableException: 503,
};

/**
 * The wire error for anything a simulated service threw: a simulated AWS error keeps its code (the
 * simulated account answers as AWS does); anything else is a fault of the simulation, answered as AWS
 * answers its own faults (InternalFailure, 500) with a message that says what failed, never a stack trace.
 */
export function toWireError(e: unknown, operation: string): WireError {
  if (e instanceof WireError) return e;
  if (e instanceof SimulatedAwsError || e instanceof InjectedAwsError) return new WireError(e.name, e.message, SERVER_ERRORS[e.name] ?? 400);
  if (e instanceof LocalRunError) return new WireError('ValidationException', e.message);
  const message = e instanceof Error ? e.message : String(e);
  return new WireError('InternalFailure', `the simulated account failed to answer ${operation}: ${message}`, 500);
}

/** `1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null` (AWS's Coral message). */
export function validationError(problems: readonly string[]): WireError {
  return new WireError('ValidationException', `${problems.length} validation error${problems.length === 1 ? '' : 's'} detected: ${problems.join('; ')}`);
}
