/**
 * The CLI's one warning filter. The AWS SDK for JavaScript v3 warns once per process, on the first
 * client built, that its releases after January 2027 need Node.js 22 (`NodeVersionSupportWarning`,
 * @aws-sdk/core `emitWarningIfUnsupportedVersion`). An operator running `slipway status` cannot act on
 * it, and it would land between a command's output lines; every other warning still shows. Installed
 * by bin/slipway.ts only: a library that imports lib/cli keeps its process's warnings as they are.
 */

/** Whether a warning is the AWS SDK's Node.js version notice. */
export function isNodeVersionSupportWarning(warning: string | Error): boolean {
  const text = typeof warning === 'string' ? warning : `${warning.name}: ${warning.message}`;
  return text.startsWith('NodeVersionSupportWarning');
}

/** Drops the AWS SDK's Node.js version notice from `proc.emitWarning`; passes every other warning on. */
export function dropNodeVersionSupportWarning(proc: Pick<NodeJS.Process, 'emitWarning'> = process): void {
  const emit = proc.emitWarning.bind(proc) as (...args: unknown[]) => void;
  proc.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (isNodeVersionSupportWarning(warning)) return;
    emit(warning, ...rest);
  }) as NodeJS.Process['emitWarning'];
}
