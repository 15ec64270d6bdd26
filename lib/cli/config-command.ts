// Types only: the commands (and the AWS SDK under them) load when one runs, not with every start.
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { Command, CommanderError } from 'commander';
import type * as Config from './config';
import type { AppRef } from './config';
import { errorOutput, EXIT } from './errors';
import { printResult, processIo, type CliIo } from './io';

const impl = () => require('./config') as typeof Config;

/** Where the commands write and how they exit (tests pass their own). */
export type ConfigCliIo = CliIo;

const defaultIo: ConfigCliIo = processIo;

interface Globals {
  json?: boolean;
  prefix: string;
}

/** Adds `config list|get|set|unset` and `schedules list|add|remove` to the Slipway CLI. */
export function registerConfigCommands(program: Command, io: ConfigCliIo = defaultIo, client?: SSMClient): void {
  const ssmOf = () => client ?? impl().ssmClient;
  const run = async (command: Command, app: string, work: (ref: AppRef) => Promise<{ json: unknown; text: string }>): Promise<void> => {
    const opts = command.optsWithGlobals<Globals>();
    try {
      const out = await work(impl().appRef(app, opts.prefix));
      printResult(io, opts.json, out.json, out.text);
      io.exit(EXIT.ok);
    } catch (e) {
      const d = impl().describeError(e);
      const lines = errorOutput(d, opts.json);
      if (lines.stdout) io.stdout(lines.stdout, 'json');
      io.stderr(lines.stderr);
      io.exit(d.code);
    }
  };
  const group = (name: string, description: string) =>
    program
      .command(name)
      .description(description)
      .addOption(program.createOption('--prefix <prefix>', "Slipway's name prefix (the config's `prefix`)").env('SLIPWAY_PREFIX').default('slipway'))
      .option('--json', 'print the result as JSON');

  const config = group('config', "an app's config: SecureStrings under /<prefix>/apps/<app>/config/, read by its tasks; a change redeploys the app");
  config
    .command('list <app>')
    .description('list the config keys (values only with --show-values)')
    .option('--show-values', 'also print the (decrypted) values')
    .action(async (app: string, opts: { showValues?: boolean }, command: Command) =>
      run(command, app, async (ref: AppRef) => {
        const entries = await impl().listConfig(ssmOf(), ref, opts.showValues === true);
        const text = entries.length === 0 ? `${ref.app} has no config keys` : entries.map((e) => (opts.showValues ? `${e.key}=${e.value ?? ''}` : e.key)).join('\n');
        return { json: { app: ref.app, keys: entries }, text };
      }),
    );
  config
    .command('get <app> <key>')
    .description("print one key's value")
    .action(async (app: string, key: string, _opts: unknown, command: Command) =>
      run(command, app, async (ref: AppRef) => {
        const value = await impl().getConfig(ssmOf(), ref, key);
        return { json: { app: ref.app, key, value }, text: value };
      }),
    );
  config
    .command('set <app> <pairs...>')
    .description('set one or more KEY=VALUE pairs (SecureString); the app is redeployed once, after a short debounce')
    .action(async (app: string, pairs: string[], _opts: unknown, command: Command) =>
      run(command, app, async (ref: AppRef) => {
        const keys = await impl().setConfig(ssmOf(), ref, pairs);
        return { json: { app: ref.app, set: keys }, text: `set ${keys.join(', ')} on ${ref.app}: it redeploys in about 30 s (one redeploy for the whole batch)` };
      }),
    );
  config
    .command('unset <app> <keys...>')
    .description('remove one or more keys; the app is redeployed without them')
    .action(async (app: string, keys: string[], _opts: unknown, command: Command) =>
      run(command, app, async (ref: AppRef) => {
        const out = await impl().unsetConfig(ssmOf(), ref, keys);
        const text = [out.removed.length ? `removed ${out.removed.join(', ')} from ${ref.app}` : '', out.notSet.length ? `not set: ${out.notSet.join(', ')}` : ''].filter(Boolean).join('; ');
        return { json: { app: ref.app, ...out }, text };
      }),
    );

  const schedules = group('schedules', "an app's scheduled tasks (/<prefix>/apps/<app>/schedules), synced to EventBridge Scheduler");
  schedules
    .command('list <app>')
    .description('list the schedules set with the CLI (the app config file may hold more)')
    .action(async (app: string, _opts: unknown, command: Command) =>
      run(command, app, async (ref: AppRef) => {
        const list = await impl().listSchedules(ssmOf(), ref);
        const text = list.length === 0 ? `${ref.app} has no schedules in Parameter Store` : list.map((s) => `${s.name}  ${s.schedule}  [${s.process ?? 'web'}] ${JSON.stringify(s.command)}`).join('\n');
        return { json: { app: ref.app, schedules: list }, text };
      }),
    );
  schedules
    .command('add <app>')
    .description('add a scheduled task: --schedule "cron(0 3 * * ? *)" --command "bin/rails reports:nightly" [--process worker] [--name nightly]')
    .requiredOption('--schedule <expression>', 'cron(minutes hours day-of-month month day-of-week year) or rate(N minutes|hours|days), UTC')
    .requiredOption('--command <command>', 'the shell command to run (sh -c)')
    .option('--process <process>', 'the process type whose task definition runs it', 'web')
    .option('--name <name>', 'the schedule name (default: <process>-<hash of the command>)')
    .action(async (app: string, opts: { schedule: string; command: string; process: string; name?: string }, command: Command) =>
      run(command, app, async (ref: AppRef) => {
        const added = await impl().addSchedule(ssmOf(), ref, opts);
        return { json: { app: ref.app, added }, text: `added ${added.name} (${added.schedule}) to ${ref.app}: the schedules sync starts now` };
      }),
    );
  schedules
    .command('remove <app> <name>')
    .description('remove a scheduled task by name')
    .action(async (app: string, name: string, _opts: unknown, command: Command) =>
      run(command, app, async (ref: AppRef) => {
        const removed = await impl().removeSchedule(ssmOf(), ref, name);
        return { json: { app: ref.app, removed }, text: `removed ${removed.name} from ${ref.app}` };
      }),
    );

  // Commander's own usage errors (missing argument, unknown option) exit 2; help and version exit 0.
  for (const command of [config, ...config.commands, schedules, ...schedules.commands]) {
    command.exitOverride((err: CommanderError) => {
      io.exit(err.exitCode === 0 ? EXIT.ok : EXIT.usage);
      throw err;
    });
    command.configureOutput({ writeOut: (s) => io.stdout(s.trimEnd()), writeErr: (s) => io.stderr(s.trimEnd()) });
  }
}

