/**
 * Local runs print their own timeline: the handlers' structured logs stay quiet unless asked for, with
 * either variable Powertools' logger reads (POWERTOOLS_LOG_LEVEL wins over LOG_LEVEL, so setting it here
 * would hide the logs a user asked for with LOG_LEVEL=DEBUG).
 */
if (process.env.POWERTOOLS_LOG_LEVEL === undefined && process.env.LOG_LEVEL === undefined) process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';


// The AWS SDK warns once per process that future versions need Node 22; a local run is not the place.
const emit = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const text = typeof warning === 'string' ? warning : `${warning.name} ${warning.message}`;
  if (text.includes('NodeVersionSupportWarning') || text.includes('AWS SDK for JavaScript (v3)')) return;
  (emit as (...args: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;
