/**
 * Runs `slipway config|schedules ...` in a child process (commander 15 is ESM-only, which jest's
 * CommonJS runtime cannot load): `npx tsx test/lib/cli/run-config-keys-cli.ts config list example`.
 */
import { Command } from 'commander';
import { registerConfigKeyCommands } from '../../../lib/cli/config-keys-command';

const program = new Command('slipway');
registerConfigKeyCommands(program);
program.parseAsync(process.argv.slice(2), { from: 'user' }).catch(() => process.exit(process.exitCode ?? 2));
