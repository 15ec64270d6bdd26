// Types only: the manager (and the AWS SDK and pg under it) load when a command runs, not with every start.
import type { Command } from 'commander';
import type { ManagerResult } from '../../domain/database';
import type * as Database from '../ops/database';
import { errorOutput, EXIT, USAGE_ERROR_NAMES } from './errors';
import { exitLikeSlipway, printResult } from './io';
import { commandIo, type CommandIo } from './command-io';
import { formatTable } from './text-table';

const database = () => require('../ops/database') as typeof Database;

/**
 * A Lambda function name, partial or full ARN, with an optional version or alias, as the Invoke API's
 * FunctionName accepts it (at most 170 characters; https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html).
 */
export const FUNCTION_NAME = /^(?=.{1,170}$)(arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:|\d{12}:function:)?[a-zA-Z0-9_.-]+(:(\$LATEST|[a-zA-Z0-9_-]+))?$/;

/** Environment variable naming the manager function when `--function` is not given. */
export const FUNCTION_ENV = 'SLIPWAY_DATABASE_MANAGER_FUNCTION';

/**
 * The text of a manager result: for `runSql` the rows as a table, then the row count and whether rows
 * or cells were cut; for the other actions the manager's message.
 */
export function formatResult(result: ManagerResult): string {
  if (result.action !== 'runSql') return result.message;
  const rows = result.rows ?? [];
  const lines: string[] = [];
  let cut = false;
  if (rows.length > 0 || (result.fields ?? []).length > 0) {
    const table = formatTable(result.fields ?? [], rows);
    cut = table.cut;
    if (rows.length > 0) lines.push(table.text);
  }
  const count = `${result.rowCount} row(s)`;
  const shown = result.truncated ? `, first ${rows.length} shown (the manager returns at most ${rows.length} rows: narrow the query, e.g. with LIMIT/OFFSET)` : '';
  lines.push(`${count}${shown}${cut ? '; long values are cut (…): --json prints them whole' : ''} — ${result.message}`);
  return lines.join('\n');
}

interface GlobalOptions {
  local?: boolean;
  function?: string;
  json?: boolean;
}

/**
 * Adds `db create|drop|enable-iam|sql` to the Slipway CLI. Each invokes the database manager: the
 * deployed function (`--function <name>` or $SLIPWAY_DATABASE_MANAGER_FUNCTION), or with `--local`
 * the handler in this process against the libpq environment. `--json` prints the result as JSON.
 * Exit codes: 0 done, 1 failed, 2 usage (bad arguments, invalid names).
 */
export function registerDbCommands(program: Command, io: CommandIo = commandIo): void {
  const db = program
    .command('db')
    .description('manage app databases and roles in a Slipway database cluster')
    .option('--local', 'run the manager in this process against the libpq environment (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE)')
    .addOption(program.createOption('--function <name>', 'the database manager Lambda function').env(FUNCTION_ENV))
    .option('--json', 'print the result as JSON');

  const fail = (code: number, name: string, message: string, json: boolean | undefined): void => {
    const out = errorOutput({ name, message }, json);
    if (out.stdout) io.stdout(out.stdout, 'json');
    io.stderr(out.stderr);
    io.exit(code);
  };

  const run = async (command: Command, event: Record<string, unknown>): Promise<void> => {
    const options = command.optsWithGlobals<GlobalOptions>();
    if (!options.local && !options.function) {
      fail(2, 'UsageError', `no manager function: pass --function <name>, set ${FUNCTION_ENV}, or use --local`, options.json);
      return;
    }
    if (!options.local && !FUNCTION_NAME.test(options.function as string)) {
      fail(2, 'UsageError', `--function ${JSON.stringify(String(options.function).slice(0, 80))} is not a Lambda function name or ARN`, options.json);
      return;
    }
    const outcome = options.local ? await database().runLocal(event) : await database().runRemote(io.clients(), options.function as string, event);
    if (!outcome.ok) {
      // Already named for its cause by runLocal/runRemote (a PostgreSQL that is down is ConnectionFailed, not an AWS error).
      fail(USAGE_ERROR_NAMES.has(outcome.name) ? EXIT.usage : EXIT.failed, outcome.name, outcome.message, options.json);
      return;
    }
    printResult(io, options.json, outcome.result, formatResult(outcome.result));
    io.exit(EXIT.ok);
  };

  db.command('create <database>')
    .description('create a database and its owner role (idempotent)')
    .option('--owner <role>', 'owner role (default: the database name)')
    .option('--no-iam-auth', 'give the owner a generated password (stored in Secrets Manager) instead of IAM auth')
    .action(async (database: string, opts: { owner?: string; iamAuth: boolean }, command: Command) => {
      await run(command, { action: 'createDatabase', database, ...(opts.owner !== undefined ? { owner: opts.owner } : {}), iamAuth: opts.iamAuth });
    });

  db.command('drop <database>')
    .description('terminate connections and drop a database (and, with --drop-owner, its owner role)')
    .option('--drop-owner', 'also drop the owner role (what it owns in the admin database goes to the admin)')
    .option('--owner <role>', 'owner role to drop (default: the database owner)')
    .action(async (database: string, opts: { dropOwner?: boolean; owner?: string }, command: Command) => {
      await run(command, { action: 'dropDatabase', database, dropOwner: opts.dropOwner ?? false, ...(opts.owner !== undefined ? { owner: opts.owner } : {}) });
    });

  db.command('enable-iam')
    .description('grant rds_iam to a user (default: the admin user)')
    .option('--user <role>', 'user to grant rds_iam to')
    .action(async (opts: { user?: string }, command: Command) => {
      await run(command, { action: 'enableIamAuth', ...(opts.user !== undefined ? { user: opts.user } : {}) });
    });

  db.command('sql <database> <sql>')
    .description('run one-off SQL as the admin user in a database, in a transaction')
    .option('--params <json>', 'parameters as a JSON array, e.g. \'["a", 1, null]\'')
    .action(async (database: string, sql: string, opts: { params?: string }, command: Command) => {
      let parameters: unknown = [];
      if (opts.params !== undefined) {
        try {
          parameters = JSON.parse(opts.params);
        } catch {
          fail(2, 'UsageError', '--params must be a JSON array, e.g. \'["a", 1, null]\'', command.optsWithGlobals<GlobalOptions>().json);
          return;
        }
      }
      await run(command, { action: 'runSql', database, sql, parameters });
    });

  exitLikeSlipway(io, [db, ...db.commands]);
}
