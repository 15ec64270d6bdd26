/** Local runs print their own timeline: the handlers' structured logs stay quiet unless asked for. */
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.LOG_LEVEL ??= 'SILENT';
/** True when AWS_REGION was unset and this module set it: commands that talk to real AWS (lib/ops) undo it. */
export const regionDefaulted = process.env.AWS_REGION === undefined;
process.env.AWS_REGION ??= 'us-east-1';


// The AWS SDK warns once per process that future versions need Node 22; a local run is not the place.
const emit = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const text = typeof warning === 'string' ? warning : `${warning.name} ${warning.message}`;
  if (text.includes('NodeVersionSupportWarning') || text.includes('AWS SDK for JavaScript (v3)')) return;
  (emit as (...args: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;
