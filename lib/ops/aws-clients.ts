import { NodeHttpHandler } from '@smithy/node-http-handler';
import { awsCalls, callLabel, type CallsInFlight } from './calls';

export { awsCalls, CallsInFlight, callLabel } from './calls';

/**
 * The one place the CLI's AWS clients get their network settings. Without them an SDK call to an
 * endpoint that accepts the connection and never answers waits forever (the SDK's default request
 * timeout is 0, "no timeout").
 */

/** Time to open a connection. */
export const CONNECTION_TIMEOUT_MS = 5_000;
/** Time for one request and its response (one attempt). */
export const REQUEST_TIMEOUT_MS = 20_000;
/** Attempts per call, the first included (the SDK retries throttling, 5xx and timeouts between them). */
export const MAX_ATTEMPTS = 3;

/** Overrides for tests; the CLI uses the defaults. */
export interface ClientTimeouts {
  readonly connectionTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  readonly maxAttempts?: number;
}

/** The settings every AWS client of the CLI is built with: bounded connection, request and retries. */
export function cliClientConfig(timeouts: ClientTimeouts = {}): { requestHandler: NodeHttpHandler; maxAttempts: number } {
  return {
    // `slipway login`'s session of the command's app, when no AWS credentials or profile are set (lib/ops/login.ts).
    ...(require('./login') as typeof import('./login')).loginClientSettings(),
    requestHandler: new NodeHttpHandler({
      connectionTimeout: timeouts.connectionTimeoutMs ?? CONNECTION_TIMEOUT_MS,
      requestTimeout: timeouts.requestTimeoutMs ?? REQUEST_TIMEOUT_MS,
      // Without this a request over requestTimeout only logs a warning.
      throwOnRequestTimeout: true,
    }),
    maxAttempts: timeouts.maxAttempts ?? MAX_ATTEMPTS,
  };
}

/** The property a failed call's error carries its label under ("SSM GetParameter"). */
export const FAILED_CALL = 'slipwayCall';

interface MiddlewareClient {
  middlewareStack: {
    add(middleware: (next: (args: unknown) => Promise<unknown>, context: { clientName?: string; commandName?: string }) => (args: unknown) => Promise<unknown>, options: { step: 'initialize'; name: string }): void;
  };
}

/**
 * Builds a CLI client: `new SFNClient(cliClientConfig())`, with each call recorded in {@link awsCalls}
 * while it is in flight (retries included). Every command builds its clients through this.
 */
export function cliClient<C>(create: (config: ReturnType<typeof cliClientConfig>) => C, timeouts: ClientTimeouts = {}, calls: CallsInFlight = awsCalls): C {
  const client = create(cliClientConfig(timeouts));
  (client as unknown as MiddlewareClient).middlewareStack.add(
    (next, context) => async (args) => {
      const label = callLabel(context.clientName, context.commandName);
      const end = calls.start(label);
      try {
        return await next(args);
      } catch (e) {
        // The error names its call, so the one-line report can say which call failed.
        if (e !== null && typeof e === 'object' && !(FAILED_CALL in e)) Object.defineProperty(e, FAILED_CALL, { value: label });
        throw e;
      } finally {
        end();
      }
    },
    { step: 'initialize', name: 'slipwayCallsInFlight' },
  );
  return client;
}
