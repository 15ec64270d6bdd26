// Types only: the operations (and the AWS SDK under them) load when a command runs, not with every start.
import type { Command } from 'commander';
import type * as Alarms from '../ops/alarms';
import type { AlarmSummary } from '../ops/alarms';
import type * as Aws from '../ops/aws';
import type * as Scaling from '../ops/scaling';
import type { Range, ScaleResult } from '../ops/scaling';
import { escapeForTerminal } from '../ops/terminal';
import { padToWidth } from './text-table';
import stringWidth from 'string-width';
import { UsageError } from './errors';
import { exitLikeSlipway, printOutcome } from './io';
import { checkPrefix, commandIo, prefixOption, type CommandIo } from './command-io';
import { checkAppName } from '../ops/name-checks';

/**
 * `slipway scale` and `slipway alarms`: these commands parse and print; the operations, which call AWS,
 * are lib/ops/scaling.ts and lib/ops/alarms.ts.
 */

const aws = () => require('../ops/aws') as typeof Aws;
const alarms = () => require('../ops/alarms') as typeof Alarms;
const scaling = () => require('../ops/scaling') as typeof Scaling;

/**
 * Parses `<min>[-<max>]`: `3` is exactly three tasks, `2-6` lets autoscaling move between 2 and 6, `0`
 * stops the process. @throws UsageError for anything else.
 */
export function parseRange(text: string): Range {
  const m = /^(\d{1,4})(?:-(\d{1,4}))?$/.exec(text.trim());
  if (!m) throw new UsageError(`"${text}" is not a task count or range: use <min> or <min>-<max>, e.g. 2 or 2-6`);
  const min = Number(m[1]);
  const max = m[2] === undefined ? min : Number(m[2]);
  if (min > max) throw new UsageError(`in "${text}" the minimum (${min}) is above the maximum (${max})`);
  if (max > 1000) throw new UsageError(`at most 1000 tasks per service (got ${max})`);
  return { min, max };
}

/** Human output of `slipway alarms`. */
export function formatAlarms(app: string, list: readonly AlarmSummary[]): string {
  if (list.length === 0) return `no alarms found for ${app} (is the app stack deployed in this account and region?)`;
  const firing = list.filter((a) => a.state === 'ALARM').length;
  const width = Math.max(...list.map((a) => stringWidth(escapeForTerminal(a.name))));
  // Names and reasons come from CloudWatch: escaped field by field, so a newline in one cannot fake a line.
  const lines = list.map((a) => `${a.state === 'ALARM' ? '✗' : a.state === 'OK' ? '✓' : '?'} ${padToWidth(escapeForTerminal(a.name), width)}  ${escapeForTerminal(a.state).padEnd(17)} ${a.since ?? ''}${a.state === 'OK' ? '' : `\n    ${escapeForTerminal(a.reason)}`}`);
  return [`${escapeForTerminal(app)}: ${list.length} alarms, ${firing} in ALARM`, ...lines].join('\n');
}

/** Human output of `slipway scale`. */
export function formatScale(r: ScaleResult): string {
  const show = (x: Range) => (x.min === x.max ? `${x.min}` : `${x.min}-${x.max}`);
  return [
    `${r.service}: ${r.previous ? `${show(r.previous)} -> ` : ''}${show(r.range)} task(s) (${r.resourceId})`,
    r.stored
      ? `Stored: every deploy and config change keeps ${show(r.range)} (a non-production app's schedule still stops it at night and starts it in this range). slipway scale ${r.app} ${r.process} --reset goes back to the config's range.`
      : "The stored range is removed: this is the config's range, and deploys apply the config's range again.",
  ].join('\n');
}

/**
 * Adds `scale <app> <process> <min>[-<max>]` and `alarms <app>` to the Slipway CLI, each with `--json`.
 * Exit codes: 0 done, 1 failed (AWS said no), 2 usage.
 */
export function registerMonitoringCommands(program: Command, io: CommandIo = commandIo): void {
  const scale = program
    .command('scale <app> <process> [range]')
    .description("set the task range of a process type: <min> (exactly) or <min>-<max> (autoscaling between); 0 stops it. Stored with the app's records: every later deploy and config change keeps it; --reset goes back to the config's range")
    .option('--reset', "remove the stored range: the config's range now and at every deploy")
    .addOption(prefixOption(program))
    .option('--json', 'print the result as JSON')
    .action(async (app: string, process: string, rangeText: string | undefined, opts: { reset?: boolean; prefix?: string; json?: boolean }) => {
      await printOutcome(io, opts.json, async () => {
        checkAppName(app);
        checkPrefix(opts.prefix);
        if (rangeText === undefined && !opts.reset) throw new UsageError("missing range: pass <min> or <min>-<max> (e.g. 2 or 2-6), or --reset for the config's range");
        if (rangeText !== undefined && opts.reset) throw new UsageError('pass a range or --reset, not both');
        const range = rangeText !== undefined ? parseRange(rangeText) : undefined;
        const result = await scaling().scaleProcess(io.clients(), { app, process, range, reset: Boolean(opts.reset), prefix: opts.prefix });
        return { json: result, text: formatScale(result) };
      });
    });

  const alarm = program
    .command('alarms <app>')
    .description('the state of each of the app\'s CloudWatch alarms (those in ALARM first)')
    .addOption(prefixOption(program))
    .option('--json', 'print the alarms as JSON')
    .action(async (app: string, opts: { prefix: string; json?: boolean }) => {
      await printOutcome(io, opts.json, async () => {
        checkAppName(app);
        checkPrefix(opts.prefix);
        // The app's processes and control plane from its settings parameter: exactly its alarms.
        const clients = io.clients();
        const target = await aws().locateApp(clients, app, { prefix: opts.prefix });
        const list = await alarms().listAlarms(clients, { app, prefix: opts.prefix, processes: Object.keys(target.settings.processes), controlPlane: target.controlPlane });
        return { json: { app, alarms: list }, text: formatAlarms(app, list) };
      });
    });

  exitLikeSlipway(io, [scale, alarm]);
}
