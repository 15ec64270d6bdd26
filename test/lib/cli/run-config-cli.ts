/**
 * Runs `slipway config|schedules ...` in a child process (commander 15 is ESM-only, which jest's
 * CommonJS runtime cannot load): `npx tsx test/lib/cli/run-config-cli.ts config list example`.
 */
import { Command } from 'commander';
import { registerConfigCommands } from '../../../lib/cli/config-command';

const program = new Command('slipway');
registerConfigCommands(program);
program.parseAsync(process.argv.slice(2), { from: 'user' }).catch(() => process.exit(process.exitCode ?? 2));
