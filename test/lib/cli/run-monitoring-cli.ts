/**
 * Runs `slipway scale|alarms ...` in a child process (commander 15 is ESM-only, which jest's CommonJS
 * runtime cannot load): `npx tsx test/lib/cli/run-monitoring-cli.ts alarms example --json`.
 */
import { Command } from 'commander';
import { registerMonitoringCommands } from '../../../lib/cli/monitoring-command';

const program = new Command('slipway');
registerMonitoringCommands(program);
program.parseAsync(process.argv.slice(2), { from: 'user' }).catch(() => process.exit(process.exitCode ?? 2));
