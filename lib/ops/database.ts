import { InvokeCommand } from '@aws-sdk/client-lambda';
import type { ManagerResult } from '../../domain/database';
import { describeAwsError } from './aws-errors';
import type { OpsClients } from './aws';

/**
 * `slipway db`: a request to the database manager (functions/database-manager), run by the deployed
 * function or, with `--local`, in this process against the libpq environment.
 */

/** What the manager did, or its error. */
export type Outcome = { ok: true; result: ManagerResult } | { ok: false; name: string; message: string };

/** Runs the manager in this process against the libpq environment (PGHOST, PGUSER, ...). */
export async function runLocal(event: Record<string, unknown>): Promise<Outcome> {
  // Loaded here, not with every `slipway` command (start-up time).
  // require, not import(): tsx's CommonJS loader and the bundle both resolve it.
  const { PgDriver } = require('../../functions/database-manager/driver-pg') as typeof import('../../functions/database-manager/driver-pg');
  const { assertLibpqEnv } = require('../../functions/database-manager/libpq-env') as typeof import('../../functions/database-manager/libpq-env');
  const { DatabaseManagerError } = require('../../functions/database-manager/errors') as typeof import('../../functions/database-manager/errors');
  const { DatabaseManager } = require('../../functions/database-manager/manager') as typeof import('../../functions/database-manager/manager');
  const driver = new PgDriver({ connection: {} });
  try {
    // PGPORT=abc and the like: a usage error naming the variable, before any connection is tried.
    assertLibpqEnv(process.env);
    // --local needs no AWS settings (issue 23: --no-iam-auth asked for a region): a generated owner password
    // is not put in Secrets Manager but given to the person who ran the command, once.
    let generated: { owner: string; password: string } | undefined;
    const localPasswords = {
      async save({ owner, password }: { owner: string; password: string }): Promise<string> {
        generated = { owner, password };
        return 'the output of this command (--local stores nothing in AWS)';
      },
    };
    const manager = new DatabaseManager({ driver, passwords: localPasswords });
    const result = await manager.handle(event);
    if (!generated) return { ok: true, result };
    const { passwordSecretArn: _inOutput, ...rest } = result as ManagerResult & { passwordSecretArn?: string };
    return { ok: true, result: { ...rest, password: generated.password, message: `${result.message}\npassword of role "${generated.owner}": ${generated.password}` } as unknown as ManagerResult };
  } catch (e) {
    // The manager's own errors keep their names (ConnectionFailed is PostgreSQL, not AWS); anything
    // else (Secrets Manager saving a password) is an AWS call, named as every command names one.
    if (e instanceof DatabaseManagerError) return { ok: false, name: e.name, message: e.message };
    const line = describeAwsError(e, 'the database manager');
    return { ok: false, name: line.name, message: line.message };
  } finally {
    await driver.close().catch(() => undefined);
  }
}

/** Invokes the deployed manager function. */
export async function runRemote({ lambda }: Pick<OpsClients, 'lambda'>, functionName: string, event: Record<string, unknown>): Promise<Outcome> {
  if (!lambda) return { ok: false, name: 'UsageError', message: 'slipway db needs a Lambda client (OpsClients.lambda)' };
  let response;
  try {
    response = await lambda.send(new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify(event)) }));
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
