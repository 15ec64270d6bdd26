import { CommanderError } from 'commander';
import { describeError, errorOutput, EXIT } from './errors';
import { endQuietlyWhenOutputCloses, processIo, type CliIo } from './io';
import { buildProgram, type ProgramState } from './program';

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
