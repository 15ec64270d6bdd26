#!/usr/bin/env node
import { CommanderError } from 'commander';
import { describeError, errorOutput, EXIT } from '../lib/cli/errors';
import { endQuietlyWhenOutputCloses, processIo, type CliIo } from '../lib/cli/io';
import { buildProgram, type ProgramState } from '../lib/cli/program';
import { onInterrupt } from '../lib/cli/runtime';
import { dropNodeVersionSupportWarning } from '../lib/cli/warnings';

// Before any command builds an AWS client (lib/cli/warnings.ts says why).
dropNodeVersionSupportWarning();

// bin/slipway.js runs the bundle of this file: it needs these too.
export { onInterrupt, processIo };

/** The `slipway` CLI: operate the pipelines, and run them locally. */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  if (io === processIo) endQuietlyWhenOutputCloses();
  const state: ProgramState = { exitCode: EXIT.ok };
  const json = argv.includes('--json');
  const program = buildProgram(io, json, state);
  try {
    await program.parseAsync(argv, { from: 'user' });
    // `db` and the pipeline commands set process.exitCode themselves.
    return state.exitCode !== EXIT.ok ? state.exitCode : Number(process.exitCode ?? EXIT.ok);
  } catch (e) {
    state.session?.end();
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    const report = describeError(e);
    const out = errorOutput(report, json);
    if (out.stdout) io.stdout(out.stdout, 'json');
    io.stderr(out.stderr);
    return report.code;
  }
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  process.once('SIGINT', () => onInterrupt(processIo, argv.includes('--json')));
  main(argv).then((code) => {
    process.exitCode = code;
  });
}
