import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { ManagerResult } from '../../functions/database-manager/manager';
import { cliClient } from './aws-clients';
import { describeAwsError } from './errors';
import { formatTable } from './table';

/** Lambda client for `slipway db` (module scope, so tests can mock it). */
export const lambdaClient = cliClient((c) => new LambdaClient(c));

export { FUNCTION_ENV } from './db-command';


/** What the manager did, or its error. */
export type Outcome = { ok: true; result: ManagerResult } | { ok: false; name: string; message: string };

/** Runs the manager in this process against the libpq environment (PGHOST, PGUSER, ...). */
export async function runLocal(event: Record<string, unknown>): Promise<Outcome> {
  // Loaded here, not with every `slipway` command (start-up time).
  // require, not import(): tsx's CommonJS loader and the bundle both resolve it.
  const { secretsManager } = require('../../functions/database-manager/clients') as typeof import('../../functions/database-manager/clients');
  const { passwordStoreFromEnv } = require('../../functions/database-manager/config') as typeof import('../../functions/database-manager/config');
  const { PgDriver } = require('../../functions/database-manager/driver-pg') as typeof import('../../functions/database-manager/driver-pg');
  const { DatabaseManager } = require('../../functions/database-manager/manager') as typeof import('../../functions/database-manager/manager');
  const driver = new PgDriver({ connection: {} });
  try {
    const manager = new DatabaseManager({ driver, passwords: passwordStoreFromEnv(process.env, secretsManager) });
    return { ok: true, result: await manager.handle(event) };
  } catch (e) {
    const err = e as Error;
    return { ok: false, name: err?.name ?? 'Error', message: err?.message ?? String(e) };
  } finally {
    await driver.close().catch(() => undefined);
  }
}

/** Invokes the deployed manager function. */
export async function runRemote(functionName: string, event: Record<string, unknown>): Promise<Outcome> {
  let response;
  try {
    response = await lambdaClient.send(new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify(event)) }));
  } catch (e) {
    // A failed call (credentials, region, access, network) is named as every command names it.
    const line = describeAwsError(e, `Lambda Invoke ${functionName}`);
    return { ok: false, name: line.name, message: line.message };
  }
  const text = response.Payload ? Buffer.from(response.Payload).toString('utf8') : '';
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch {
    payload = text;
  }
  if (response.FunctionError) {
    const p = payload as { errorType?: string; errorMessage?: string };
    return { ok: false, name: p?.errorType ?? response.FunctionError, message: p?.errorMessage ?? text };
  }
  return { ok: true, result: payload as ManagerResult };
}

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

