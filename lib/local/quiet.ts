/** Local runs print their own timeline: the handlers' structured logs stay quiet unless asked for. */
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.LOG_LEVEL ??= 'SILENT';
if (process.env.AWS_REGION === undefined) {
  process.env.AWS_REGION = 'us-east-1';
  // Commands that talk to real AWS (lib/ops) undo this default so a profile's region applies.
  process.env.SLIPWAY_REGION_DEFAULTED = '1';
}


// The AWS SDK warns once per process that future versions need Node 22; a local run is not the place.
const emit = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const text = typeof warning === 'string' ? warning : `${warning.name} ${warning.message}`;
  if (text.includes('NodeVersionSupportWarning') || text.includes('AWS SDK for JavaScript (v3)')) return;
  (emit as (...args: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;
export {};
