import { Logger } from '@aws-lambda-powertools/logger';

/** The part of the Lambda context (aws-lambda's `Context`) that Powertools' logger puts on every line. */
export interface LambdaContext {
  readonly awsRequestId: string;
  readonly functionName: string;
  readonly functionVersion: string;
  readonly invokedFunctionArn: string;
  readonly memoryLimitInMB: string;
}

/** Every logger this function's modules created, so that one call gives them all the invocation's context. */
const loggers: Logger[] = [];

/**
 * Structured JSON logs (Powertools), one logger per module, named by the handler. The level is
 * Powertools' own reading of the environment: POWERTOOLS_LOG_LEVEL, else LOG_LEVEL, else INFO (capped by
 * AWS_LAMBDA_LOG_LEVEL, the function's advanced logging controls).
 */
export function createLogger(serviceName: string): Logger {
  const logger = new Logger({ serviceName });
  loggers.push(logger);
  return logger;
}

/**
 * Puts the invocation's Lambda context on every line of every logger of this function (request id,
 * function name, version and ARN, memory, cold start), as Powertools' `addContext` does: each handler
 * calls it first. Without a context (a test, a direct call) lines go without it.
 */
export function addLambdaContext(context: LambdaContext | undefined): void {
  if (!context) return;
  for (const logger of loggers) logger.addContext(context as Parameters<Logger['addContext']>[0]);
}
