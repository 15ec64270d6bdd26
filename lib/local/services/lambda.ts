import { handler as checkReleaseTask } from '../../../functions/check-release-task/index';
import { handler as deploymentEvents } from '../../../functions/deployment-events/index';
import { handler as executionStatus } from '../../../functions/execution-status/index';
import { handler as parseBuildEvent } from '../../../functions/parse-build-event/index';
import { handler as parseParameterChange } from '../../../functions/parse-parameter-change/index';
import { handler as registerConfigRevisions } from '../../../functions/register-config-revisions/index';
import { handler as registerTaskDefinitions } from '../../../functions/register-task-definitions/index';
import { handler as syncSchedules } from '../../../functions/sync-schedules/index';
import { handler as updateService } from '../../../functions/update-service/index';
import { AsyncLocalStorage } from 'node:async_hooks';
import { newParameterCacheScope, type ParameterCacheScope } from '../../../functions/shared/parameter-cache';
import { PIPELINE_FUNCTIONS, type PipelineFunctionKey } from '../../../domain/pipelines';
import { SimulatedAwsError } from '../aws-error';
import { LAMBDA_CONCURRENCY } from '../rate-limits';

type Handler = (event: unknown) => Promise<unknown>;

const FUNCTION_HANDLERS: Record<PipelineFunctionKey, Handler> = {
  parseBuildEvent: parseBuildEvent,
  registerTaskDefinitions: registerTaskDefinitions,
  checkReleaseTask: checkReleaseTask,
  updateService: updateService,
  deploymentEvents: deploymentEvents,
  executionStatus: executionStatus,
  parseParameterChange: parseParameterChange,
  registerConfigRevisions: registerConfigRevisions,
  syncSchedules: syncSchedules,
};

/** Variables a handler of one app would have read, which no control-plane function gets. */
const APP_VARIABLES = ['TABLE_NAME', 'APP_NAME', 'PARAMETER_PATH', 'DEBOUNCE_SECONDS', 'SCHEDULE_GROUP'];

/**
 * Simulated AWS Lambda: the control plane's functions, each the real handler in functions/<name>/,
 * invoked in this process with the function's environment.
 */
export class SimulatedLambda {
  /** Invocations so far. */
  invocations = 0;
  /** Invocations so far, per function. */
  readonly invocationsOf = {} as Record<PipelineFunctionKey, number>;
  /** Invocations in progress now, and the most there were at once. */
  inFlight = 0;
  peakConcurrency = 0;
  /** Synchronous invocations refused past the account's concurrency (Lambda.TooManyRequestsException). */
  throttled = 0;
  /** Each function's ARN. */
  readonly arns = {} as Record<PipelineFunctionKey, string>;
  private readonly byArn = new Map<string, PipelineFunctionKey>();
  /** The function whose handler runs in the current async context. */
  private readonly running = new AsyncLocalStorage<PipelineFunctionKey>();
  /** Each function's module-scope parameter cache (one warm instance per function), on the simulated clock. */
  private readonly caches = new Map<PipelineFunctionKey, ParameterCacheScope>();

  constructor(
    /** `arn:aws:lambda:<region>:<account>:function:` */
    arnPrefix: string,
    /** Each function's name (the control plane's: `controlPlaneFunctionName`). */
    functionName: (key: PipelineFunctionKey) => string,
    /** Each function's environment (Lambda also sets AWS_REGION). */
    private readonly environment: () => Record<string, string>,
    /** The simulated wall clock, epoch milliseconds (the functions' parameter caches age with it). */
    private readonly nowMs: () => number = Date.now,
  ) {
    for (const key of Object.keys(PIPELINE_FUNCTIONS) as PipelineFunctionKey[]) {
      const arn = `${arnPrefix}${functionName(key)}`;
      this.byArn.set(arn, key);
      this.arns[key] = arn;
    }
  }

  /** The function an ARN names: Lambda.ResourceNotFoundException (as the lambda:invoke integration names it) when there is none. */
  functionOf(arn: unknown): PipelineFunctionKey {
    const key = this.byArn.get(String(arn));
    if (!key) throw new SimulatedAwsError('Lambda.ResourceNotFoundException', `Function not found: ${String(arn)}`);
    return key;
  }

  /** The parameter cache of the function running in this async context (functions/shared/parameter-cache.ts). */
  cacheScope(): ParameterCacheScope | undefined {
    const key = this.running.getStore();
    if (!key) return undefined;
    let scope = this.caches.get(key);
    if (!scope) {
      scope = newParameterCacheScope(this.nowMs);
      this.caches.set(key, scope);
    }
    return scope;
  }

  /**
   * Invokes a real handler as Lambda would: errors become `{errorType, errorMessage}` causes. A
   * synchronous invocation (`sync`: the Step Functions integration) past the account's concurrent
   * executions is refused (rate-limits.ts, LAMBDA_CONCURRENCY); an asynchronous one (an EventBridge
   * target) waits in Lambda's queue, so it always runs here.
   */
  async invoke(key: PipelineFunctionKey, payload: unknown, sync = false): Promise<unknown> {
    const h = FUNCTION_HANDLERS[key];
    if (sync && this.inFlight >= LAMBDA_CONCURRENCY.limit) {
      this.throttled += 1;
      throw new SimulatedAwsError('Lambda.TooManyRequestsException', `Rate Exceeded. (Service: AWSLambda; Status Code: 429; Error Code: TooManyRequestsException; Reason: ConcurrentInvocationLimitExceeded)`);
    }
    this.inFlight += 1;
    this.peakConcurrency = Math.max(this.peakConcurrency, this.inFlight);
    this.invocations += 1;
    this.invocationsOf[key] = (this.invocationsOf[key] ?? 0) + 1;
    // The control plane's functions get CONTROL_PLANE_ENV only (sync-schedules also its role and queue):
    // nothing of one app, so a handler that still read an app from its environment fails here too.
    for (const gone of APP_VARIABLES) delete process.env[gone];
    Object.assign(process.env, this.environment());
    try {
      return await this.running.run(key, () => h(structuredClone(payload)));
    } catch (e) {
      const err = e as Error;
      throw new SimulatedAwsError(err.name || 'Error', JSON.stringify({ errorType: err.name || 'Error', errorMessage: err.message, trace: [] }));
    } finally {
      this.inFlight -= 1;
    }
  }
}
