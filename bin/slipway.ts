#!/usr/bin/env node
import '../lib/local/quiet';
import { Command, CommanderError } from 'commander';
import { registerCompletionCommand } from '../lib/cli/completion';
import { registerConfigCommands } from '../lib/cli/config';
import { registerDbCommands } from '../lib/cli/db';
import { describeError, errorOutput, EXIT } from '../lib/cli/errors';
import { processIo, type CliIo } from '../lib/cli/io';
import { registerLocalCommands } from '../lib/cli/local';
import { registerMonitoringCommands } from '../lib/cli/monitoring';
import { registerPipelineCommands } from '../lib/cli/pipelines';
import { applyGlobalOptions, beginCommand, commandPath, DEFAULT_FOLLOW_TIMEOUT_SECONDS, DEFAULT_TIMEOUT_SECONDS, onInterrupt, type CommandSession, type GlobalOptions } from '../lib/cli/runtime';
import { version } from '../package.json';

/** The `slipway` CLI: operate the pipelines, and run them locally. */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  let exitCode: number = EXIT.ok;
  // Known before parsing, so that even commander's own usage errors honour --json.
  const json = argv.includes('--json');
  let session: CommandSession | undefined;
  const program = new Command('slipway')
    .description('Slipway: build -> release -> deploy pipelines for container apps on AWS')
    .version(version, '-V, --version', 'print the version')
    .option('--profile <name>', 'AWS profile (default: $AWS_PROFILE)')
    .option('--region <region>', "AWS region (default: $AWS_REGION, else the profile's)")
    .option('--timeout <seconds>', `give up after this long (default: ${DEFAULT_TIMEOUT_SECONDS}; ${DEFAULT_FOLLOW_TIMEOUT_SECONDS} for watch and --watch)`)
    .option('--no-color', 'no colour (NO_COLOR=1 does the same; never on a pipe)')
    .exitOverride()
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({
      writeOut: (s) => io.stdout(s.trimEnd()),
      writeErr: (s) => io.stderr(s.trimEnd()),
      outputError: (s, write) => {
        if (json) io.stdout(errorOutput({ name: 'UsageError', message: s.replace(/^error:\s*/, '').trim() }, true).stdout as string, 'json');
        write(s);
      },
    })
    .hook('preAction', (_root, action) => {
      const opts = action.optsWithGlobals<GlobalOptions>();
      const path = commandPath(action);
      session = beginCommand(applyGlobalOptions(opts, path), opts, path, { io });
    })
    .hook('postAction', () => session?.end());
  registerLocalCommands(program, (code) => (exitCode = code));
  registerDbCommands(program);
  registerConfigCommands(program);
  registerMonitoringCommands(program);
  registerPipelineCommands(program);
  registerCompletionCommand(program, (text) => process.stdout.write(text));
  try {
    await program.parseAsync(argv, { from: 'user' });
    // `db` and the pipeline commands set process.exitCode themselves.
    return exitCode !== EXIT.ok ? exitCode : Number(process.exitCode ?? EXIT.ok);
  } catch (e) {
    session?.end();
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
