#!/usr/bin/env node
import '../lib/local/quiet';
import { Command, CommanderError } from 'commander';
import { registerDbCommands } from '../lib/cli/db';
import { registerLocalCommands } from '../lib/cli/local';
import { registerMonitoringCommands } from '../lib/cli/monitoring';
import { registerPipelineCommands } from '../lib/cli/pipelines';
import { EXIT, UsageError } from '../lib/cli/errors';

/** The `slipway` CLI: operate the pipelines, and run them locally. */
export async function main(argv: string[]): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = new Command('slipway')
    .description('Slipway: build -> release -> deploy pipelines for container apps on AWS')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  registerLocalCommands(program, (code) => (exitCode = code));
  registerDbCommands(program);
  registerMonitoringCommands(program);
  registerPipelineCommands(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
    // `db` and the pipeline commands set process.exitCode themselves.
    return exitCode !== EXIT.ok ? exitCode : Number(process.exitCode ?? EXIT.ok);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (e instanceof UsageError) {
      process.stderr.write(`slipway: ${e.message}\n`);
      return EXIT.usage;
    }
    const err = e as Error;
    process.stderr.write(`slipway: ${err.name}: ${err.message}\n`);
    return EXIT.failed;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
