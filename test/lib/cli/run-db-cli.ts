/**
 * Runs `slipway db ...` in a child process (commander 15 is ESM-only, which jest's CommonJS runtime
 * cannot load): `npx tsx test/lib/cli/run-db-cli.ts db --local create my_app`.
 */
import { Command } from 'commander';
import { registerDbCommands } from '../../../lib/cli/db-command';

const program = new Command('slipway');
registerDbCommands(program);
program.parseAsync(process.argv.slice(2), { from: 'user' }).catch(() => process.exit(process.exitCode ?? 2));
