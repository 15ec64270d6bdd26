// Types only: the commands (and the AWS SDK under them) load when one runs, not with every start.
import type { Command, CommanderError } from 'commander';
import { EXIT } from './errors';
import { printResult, processIo, reportError, type CliIo } from './io';
import type * as Monitoring from './monitoring';
import { checkPrefix } from './pipelines';

const impl = () => require('./monitoring') as typeof Monitoring;

/** Where the commands write and how they exit (tests pass their own). */
export type MonitoringCliIo = CliIo;

const defaultIo: MonitoringCliIo = processIo;

/**
 * Adds `scale <app> <process> <min>[-<max>]` and `alarms <app>` to the Slipway CLI, each with `--json`.
 * Exit codes: 0 done, 1 failed (AWS said no), 2 usage.
 */
export function registerMonitoringCommands(program: Command, io: MonitoringCliIo = defaultIo): void {
  const finish = async (json: boolean | undefined, work: () => Promise<{ data: unknown; text: string }>): Promise<void> => {
    try {
      const { data, text } = await work();
      printResult(io, json, data, text);
      io.exit(EXIT.ok);
    } catch (e) {
      io.exit(reportError(io, e, json));
    }
  };

  const scale = program
    .command('scale <app> <process> <range>')
    .description('set the task range of a process type: <min> (exactly) or <min>-<max> (autoscaling between); 0 stops it. Lasts until the next deploy (production) or scheduled start (non-production)')
    .option('--cluster <name>', 'ECS cluster name (only needed before the first deploy registered the service)')
    .option('--json', 'print the result as JSON')
    .action(async (app: string, process: string, rangeText: string, opts: { cluster?: string; json?: boolean }) => {
      await finish(opts.json, async () => {
        const range = impl().parseRange(rangeText);
        const result = await impl().scaleProcess(impl().autoscalingClient, { app, process, range, cluster: opts.cluster });
        return { data: result, text: impl().formatScale(result) };
      });
    });

  const alarms = program
    .command('alarms <app>')
    .description('the state of each of the app\'s CloudWatch alarms (those in ALARM first)')
    .option('--prefix <prefix>', 'Slipway resource-name prefix (config "prefix")', 'slipway')
    .option('--json', 'print the alarms as JSON')
    .action(async (app: string, opts: { prefix: string; json?: boolean }) => {
      await finish(opts.json, async () => {
        impl().checkName('app', app);
        checkPrefix(opts.prefix);
        // The app's processes and control plane from its settings parameter: exactly its alarms.
        const ops = require('../ops/aws') as typeof import('../ops/aws');
        const target = await ops.locateApp(ops.defaultClients(), app, { prefix: opts.prefix });
        const list = await impl().listAlarms(impl().cloudWatchClient, { app, prefix: opts.prefix, processes: Object.keys(target.settings.processes), controlPlane: target.controlPlane });
        return { data: { app, alarms: list }, text: impl().formatAlarms(app, list) };
      });
    });

  // Commander's own usage errors (missing argument, unknown option) exit 2; help exits 0.
  for (const command of [scale, alarms]) {
    command.exitOverride((err: CommanderError) => {
      io.exit(err.exitCode === 0 ? EXIT.ok : EXIT.usage);
      throw err;
    });
    command.configureOutput({ writeOut: (s) => io.stdout(s.trimEnd()), writeErr: (s) => io.stderr(s.trimEnd()) });
  }
}
