// Types only: the operations (and the AWS SDK under them) load when a command runs, not with every start.
import type { Command } from 'commander';
import type * as ConfigKeys from '../ops/config-keys';
import type { AppRef } from '../ops/config-keys';
import type * as Schedules from '../ops/schedules';
import { describeError as describeAnyError, EXIT, type ErrorReport } from './errors';
import { exitLikeSlipway, printOutcome } from './io';
import { commandIo, prefixOption, type CommandIo } from './command-io';

/**
 * `slipway config list|get|set|unset <app>` (the app's config keys in Parameter Store, lib/ops/config-keys.ts;
 * not the deployment's config file, lib/deployment-config.ts) and `slipway schedules list|add|remove <app>` (its
 * schedules list, lib/ops/schedules.ts). These commands parse and print; the operations call AWS.
 */

const configKeys = () => require('../ops/config-keys') as typeof ConfigKeys;
const schedules = () => require('../ops/schedules') as typeof Schedules;

interface Globals {
  json?: boolean;
  prefix: string;
}

/**
 * An error of a config or schedules command as one line, with its exit code: the shared vocabulary,
 * and a parameter Parameter Store does not have is NotFound.
 */
export function describeError(e: unknown): ErrorReport {
  const err = e instanceof Error ? e : new Error(String(e));
  if (err.name === 'ParameterNotFound') return { name: 'NotFound', message: `not set: ${err.message}`, code: EXIT.failed };
  return describeAnyError(err);
}

/** Adds `config list|get|set|unset` and `schedules list|add|remove` to the Slipway CLI. */
export function registerConfigKeyCommands(program: Command, io: CommandIo = commandIo): void {
  /**
   * The action of a command on `<app>`: checks the app and prefix (no AWS call before), runs `work` with
   * the CLI's clients and the command's other arguments and its options, prints its outcome.
   */
  const perApp =
    <A extends unknown[]>(work: (clients: ConfigKeys.ParameterClients, ref: AppRef, ...args: A) => Promise<{ json: unknown; text: string }>) =>
    async (app: string, ...rest: unknown[]): Promise<void> => {
      // commander passes the arguments after <app>, the command's options, then the command itself.
      const command = rest[rest.length - 1] as Command;
      const globals = command.optsWithGlobals<Globals>();
      await printOutcome(
        io,
        globals.json,
        async () => {
          const ref = configKeys().appRef(app, globals.prefix);
          return work(io.clients(), ref, ...(rest.slice(0, -1) as A));
        },
        describeError,
      );
    };
  const group = (name: string, description: string) =>
    program
      .command(name)
      .description(description)
      .addOption(prefixOption(program, "Slipway's name prefix (the config's `prefix`)"))
      .option('--json', 'print the result as JSON');

  /** A subcommand `usage` of `parent` whose action is `work` on the app (see perApp). */
  const appCommand = <A extends unknown[]>(parent: Command, usage: string, description: string, work: Parameters<typeof perApp<A>>[0]): Command =>
    parent.command(usage).description(description).action(perApp(work));

  const config = group('config', "an app's config: SecureStrings under /<prefix>/apps/<app>/config/, read by its tasks; a change redeploys the app");
  appCommand(config, 'list <app>', 'list the config keys (values only with --show-values)', async (clients, ref, opts: { showValues?: boolean }) => {
    const entries = await configKeys().listConfigKeys(clients, ref, opts.showValues === true);
    const text = entries.length === 0 ? `${ref.app} has no config keys` : entries.map((e) => (opts.showValues ? `${e.key}=${e.value ?? ''}` : e.key)).join('\n');
    return { json: { app: ref.app, keys: entries }, text };
  }).option('--show-values', 'also print the (decrypted) values');
  appCommand(config, 'get <app> <key>', "print one key's value", async (clients, ref, key: string) => {
    const value = await configKeys().getConfigKey(clients, ref, key);
    return { json: { app: ref.app, key, value }, text: value };
  });
  appCommand(config, 'set <app> <pairs...>', 'set one or more KEY=VALUE pairs (SecureString); the app is redeployed once, after a short debounce', async (clients, ref, pairs: string[]) => {
    const keys = await configKeys().setConfigKeys(clients, ref, pairs);
    return { json: { app: ref.app, set: keys }, text: `set ${keys.join(', ')} on ${ref.app}: it redeploys in about 30 s (one redeploy for the whole batch)` };
  });
  appCommand(config, 'unset <app> <keys...>', 'remove one or more keys; the app is redeployed without them', async (clients, ref, keys: string[]) => {
    const out = await configKeys().unsetConfigKeys(clients, ref, keys);
    const text = [out.removed.length ? `removed ${out.removed.join(', ')} from ${ref.app}` : '', out.notSet.length ? `not set: ${out.notSet.join(', ')}` : ''].filter(Boolean).join('; ');
    return { json: { app: ref.app, ...out }, text };
  });

  const schedule = group('schedules', "an app's scheduled tasks (/<prefix>/apps/<app>/schedules), synced to EventBridge Scheduler");
  appCommand(schedule, 'list <app>', 'list the schedules set with the CLI (the app config file may hold more)', async (clients, ref) => {
    const list = await schedules().listSchedules(clients, ref);
    const text = list.length === 0 ? `${ref.app} has no schedules in Parameter Store` : list.map((s) => `${s.name}  ${s.schedule}  [${s.process ?? 'web'}] ${JSON.stringify(s.command)}`).join('\n');
    return { json: { app: ref.app, schedules: list }, text };
  });
  appCommand(
    schedule,
    'add <app>',
    'add a scheduled task: --schedule "cron(0 3 * * ? *)" --command "bin/rails reports:nightly" [--process worker] [--name nightly]',
    async (clients, ref, opts: { schedule: string; command: string; process: string; name?: string }) => {
      const added = await schedules().addSchedule(clients, ref, opts);
      return { json: { app: ref.app, added }, text: `added ${added.name} (${added.schedule}) to ${ref.app}: the schedules sync starts now` };
    },
  )
    .requiredOption('--schedule <expression>', 'cron(minutes hours day-of-month month day-of-week year) or rate(N minutes|hours|days), UTC')
    .requiredOption('--command <command>', 'the shell command to run (sh -c)')
    .option('--process <process>', 'the process type whose task definition runs it', 'web')
    .option('--name <name>', 'the schedule name (default: <process>-<hash of the command>)');
  appCommand(schedule, 'remove <app> <name>', 'remove a scheduled task by name', async (clients, ref, name: string) => {
    const removed = await schedules().removeSchedule(clients, ref, name);
    return { json: { app: ref.app, removed }, text: `removed ${removed.name} from ${ref.app}` };
  });

  exitLikeSlipway(io, [config, ...config.commands, schedule, ...schedule.commands]);
}
