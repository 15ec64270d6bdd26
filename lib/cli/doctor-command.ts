// Types only: the operation (and the AWS SDK under it) loads when the command runs, not with every start.
import type { Command } from 'commander';
import type * as Doctor from '../ops/doctor';
import type { DoctorReport } from '../ops/doctor';
import { escapeForTerminal } from '../ops/terminal';
import { DEFAULT_PREFIX } from '../../domain/constants';
import { exitLikeSlipway, printResult, reportError } from './io';
import { EXIT } from './errors';
import { checkPrefix, commandIo, type CommandIo } from './command-io';
import { checkAppName } from '../ops/name-checks';

const doctorOps = () => require('../ops/doctor') as typeof Doctor;

const MARK: Record<Doctor.CheckStatus, string> = { ok: 'ok    ', failed: 'FAILED', manual: 'check ' };

/** Human output of `slipway doctor`: one line per check. */
export function formatDoctor(report: DoctorReport): string {
  return [
    `${escapeForTerminal(report.app)} in account ${report.account}, ${report.region}:`,
    ...report.checks.map((c) => `  ${MARK[c.status]} ${c.check}: ${escapeForTerminal(c.detail)}`),
  ].join('\n');
}

/** Adds `doctor <app>` (with `--json`) to the Slipway CLI. Exit codes: 0 every check passed or is manual, 1 a check failed, 2 usage. */
export function registerDoctorCommand(program: Command, io: CommandIo = commandIo): void {
  const command = program
    .command('doctor <app>')
    .description('check the account\'s prerequisites of the shared control plane for an app: its table and schedule group tagged for its cluster, DynamoDB attribute-based access control')
    .option('--prefix <prefix>', 'Slipway resource-name prefix (config "prefix")', DEFAULT_PREFIX)
    .option('--json', 'print the checks as JSON')
    .action(async (app: string, opts: { prefix: string; json?: boolean }) => {
      try {
        checkAppName(app);
        checkPrefix(opts.prefix);
        const report = await doctorOps().doctor(io.clients(), app, { prefix: opts.prefix });
        // The report is the output either way (--json included); a failed check exits 1.
        printResult(io, opts.json, report, formatDoctor(report));
        io.exit(report.ok ? EXIT.ok : EXIT.failed);
      } catch (e) {
        io.exit(reportError(io, e, opts.json));
      }
    });
  exitLikeSlipway(io, [command]);
}
