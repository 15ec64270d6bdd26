/** Where a `slipway` command writes and how it exits; tests pass their own. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  exit(code: number): void;
}

/** The process's own streams and exit, one line per write. */
export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
  exit: (code) => process.exit(code),
};
