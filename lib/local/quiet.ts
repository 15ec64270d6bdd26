/** Local runs print their own timeline: the handlers' structured logs stay quiet unless asked for. */
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.LOG_LEVEL ??= 'SILENT';


// The AWS SDK warns once per process that future versions need Node 22; a local run is not the place.
const emit = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const text = typeof warning === 'string' ? warning : `${warning.name} ${warning.message}`;
  if (text.includes('NodeVersionSupportWarning') || text.includes('AWS SDK for JavaScript (v3)')) return;
  (emit as (...args: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;
