import { Command, Help } from 'commander';
import { setCommandApp } from '../ops/command-app';
import { registerCompletionCommand } from './completion';
import { registerLoginCommand } from './login-command';
import { registerConfigKeyCommands } from './config-keys-command';
import { registerDbCommands } from './db-command';
import { errorOutput, EXIT } from './errors';
import { processIo, type CliIo } from './io';
import { registerLocalCommands } from './local';
import { registerMonitoringCommands } from './monitoring-command';
import { registerDoctorCommand } from './doctor-command';
import { registerOperateCommands } from './operate-command';
import { registerPipelineCommands } from './pipelines-command';
import { registerTaskCommands } from './tasks-command';
import { applyGlobalOptions, beginCommand, commandPath, DEFAULT_FOLLOW_TIMEOUT_SECONDS, DEFAULT_TIMEOUT_SECONDS, type CommandSession, type GlobalOptions } from './runtime';
import { version } from '../../package.json';

/** The inherited options that only commands calling AWS use. */
const AWS_ONLY_OPTIONS = ['--profile', '--region'];

/** Whether a command is `slipway local` or one of its subcommands. */
function isLocalCommand(cmd: Command): boolean {
  for (let c: Command | null = cmd; c; c = c.parent) if (c.name() === 'local' && c.parent?.parent === null) return true;
  return false;
}

/** What a parse of the command line leaves behind for the entry point (bin/slipway.ts). */
export interface ProgramState {
  exitCode: number;
  session?: CommandSession;
}

/**
 * The `slipway` program with every command, its inherited options (--profile, --region, --timeout,
 * --no-color, --version) and the hooks that apply them. `json`: whether --json is on the command line,
 * known before parsing so that even commander's own usage errors honour it.
 */
export function buildProgram(io: CliIo = processIo, json = false, state: ProgramState = { exitCode: EXIT.ok }): Command {
  const program = new Command('slipway')
    .description('Slipway: build -> release -> deploy pipelines for container apps on AWS')
    .version(version, '-V, --version', 'print the version')
    .option('--profile <name>', 'AWS profile (default: $AWS_PROFILE)')
    .option('--region <region>', "AWS region (default: $AWS_REGION, else the profile's)")
    .option('--timeout <seconds>', `give up after this long (default: ${DEFAULT_TIMEOUT_SECONDS}; ${DEFAULT_FOLLOW_TIMEOUT_SECONDS} for watch, --watch, run and logs --follow)`)
    .option('--no-color', 'no colour (NO_COLOR=1 does the same; never on a pipe)')
    .exitOverride()
    .configureHelp({
      showGlobalOptions: true,
      // `slipway local ...` runs the simulated account: no AWS profile or region to choose, so its help does
      // not offer them.
      visibleGlobalOptions(this: Help, cmd: Command) {
        const all = Help.prototype.visibleGlobalOptions.call(this, cmd);
        return isLocalCommand(cmd) ? all.filter((o) => !AWS_ONLY_OPTIONS.includes(o.long ?? '')) : all;
      },
    })
    .configureOutput({
      writeOut: (s) => io.stdout(s.trimEnd()),
      writeErr: (s) => io.stderr(s.trimEnd()),
      // commander's own errors (a missing argument or required option, an unknown command or option) in
      // the format of every other error: `error: UsageError: <message>`, exit 2 (bin/slipway.ts).
      outputError: (s, write) => {
        const message = s.replace(/^error:\s*/, '').trim();
        if (json) io.stdout(errorOutput({ name: 'UsageError', message }, true).stdout as string, 'json');
        write(`error: UsageError: ${message}\n`);
      },
    })
    .hook('preAction', (_root, action) => {
      // `slipway login`'s session of the app the command names (its first argument) serves its AWS calls.
      setCommandApp(typeof action.args[0] === 'string' ? action.args[0] : undefined);
      const opts = action.optsWithGlobals<GlobalOptions>();
      const path = commandPath(action);
      state.session = beginCommand(applyGlobalOptions(opts, path), opts, path, { io });
    })
    .hook('postAction', () => state.session?.end());
  registerLocalCommands(program, (code) => (state.exitCode = code));
  registerDbCommands(program);
  registerConfigKeyCommands(program);
  registerMonitoringCommands(program);
  registerDoctorCommand(program);
  registerPipelineCommands(program);
  registerTaskCommands(program);
  registerOperateCommands(program);
  registerLoginCommand(program);
  registerCompletionCommand(program, (text) => process.stdout.write(text));
  return program;
}

