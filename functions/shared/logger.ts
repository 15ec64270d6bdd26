import { Logger } from '@aws-lambda-powertools/logger';

/** Structured JSON logs (Powertools), one logger per function, named by the handler. */
export function createLogger(serviceName: string): Logger {
  return new Logger({ serviceName, logLevel: (process.env.LOG_LEVEL as 'INFO' | undefined) ?? 'INFO' });
}
