/**
 * A bounded-time cache of the parameters a function reads, so that a fleet of apps deploying at once
 * stays within Parameter Store's default throughput: 40 transactions per second, shared by GetParameter,
 * GetParameters and GetParametersByPath across the account and Region (Systems Manager endpoints and
 * quotas, "Max throughput (transactions per second)"). Without it, every handler of every pipeline reads
 * the app's settings parameter again (about a dozen reads per deploy of an app).
 *
 * What is cached, and why a change is still seen:
 * * only a value that was read and accepted (a missing or invalid settings parameter is read again on
 *   the next call, so deploying the app stack, then redriving, works at once);
 * * for at most {@link PARAMETER_CACHE_SECONDS} after it was read: a change of the settings parameter
 *   (`cdk deploy` of the app stack) reaches every function within that bound;
 * * per function instance (module scope, as Lambda keeps it between invocations of a warm instance).
 *
 * Work that a change of the settings parameter starts (config-change's first step, the schedules sync)
 * reads it fresh, so a `cdk deploy` of the app stack is acted on with what it wrote.
 *
 * Only the app's settings parameter is read through it. Config keys are never read by a function (their
 * names come from DescribeParameters metadata, their values reach the task through ECS `secrets`), and
 * the schedules parameter is read once per schedules sync, which its own change starts: a cached copy
 * would be the stale value the sync exists to replace.
 */

/** Seconds a value read from Parameter Store is reused. */
export const PARAMETER_CACHE_SECONDS = 60;

/** Where cached values live, and the clock their age is measured with (milliseconds). */
export interface ParameterCacheScope {
  readonly entries: Map<string, { readonly value: unknown; readonly readAt: number }>;
  readonly now: () => number;
}

/** In Lambda (AWS_LAMBDA_FUNCTION_NAME is set by the runtime): one cache per instance, on the wall clock. */
const instanceScope: ParameterCacheScope = { entries: new Map(), now: Date.now };

/**
 * The scope of the running invocation: in Lambda the instance's; outside Lambda (a test calling a handler,
 * the CLI) none, so nothing is cached. The local runner installs its own (one per simulated function, on
 * the simulated clock).
 */
let currentScope: () => ParameterCacheScope | undefined = () => (process.env.AWS_LAMBDA_FUNCTION_NAME ? instanceScope : undefined);

/** Replaces how the running invocation's cache is found (the local runner); returns what restores the previous one. */
export function useParameterCacheScope(scope: () => ParameterCacheScope | undefined): () => void {
  const previous = currentScope;
  currentScope = scope;
  return () => {
    currentScope = previous;
  };
}

/** A new, empty scope measured with `now` (milliseconds). */
export function newParameterCacheScope(now: () => number): ParameterCacheScope {
  return { entries: new Map(), now };
}

/**
 * The value cached under `name` if it was read less than {@link PARAMETER_CACHE_SECONDS} ago, else what
 * `read` returns (cached from now on when `read` resolves; a rejection caches nothing). `fresh` reads in
 * any case (and refreshes the cache): for work that a change of the parameter itself started.
 */
export async function cachedRead<T>(name: string, read: () => Promise<T>, fresh = false): Promise<T> {
  const scope = currentScope();
  if (!scope) return read();
  const hit = scope.entries.get(name);
  if (!fresh && hit && scope.now() - hit.readAt < PARAMETER_CACHE_SECONDS * 1000) return hit.value as T;
  const readAt = scope.now();
  const value = await read();
  scope.entries.set(name, { value, readAt });
  return value;
}
